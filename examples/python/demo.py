#!/usr/bin/env python3
"""The quickstart story from Python, through the C ABI: a student makes a pairing code, a parent redeems
it and lists observees, an administrator links them in a second root account, the parent removes a
link; then the same through the REST router, and a code expiring on a test clock. Every step prints
the Canvas JSON a client would receive.

    PYTHONPATH=python python3 examples/python/demo.py [DATABASE] [FIXTURE]

DATABASE defaults to observees-demo.db in the current directory (recreated on every run; ":memory:"
works too); FIXTURE to examples/data/demo.json. The library is found as the observees package (python/observees) says
(OBSERVEES_LIBRARY, next to the module, or the system's library path).
"""

import json
import os
import sys

import observees

ADMIN, PARENT, STUDENT = 1, 10, 20
DEMO_ROOT, DISTRICT_ROOT = 1, 2
HERE = os.path.dirname(os.path.abspath(__file__))


def step(title):
    print("\n== " + title)


def show(value):
    print(json.dumps(value))


def story(service):
    step("1. Sam (a student) makes a pairing code: POST /api/v1/users/self/observer_pairing_codes")
    code = service.create_pairing_code(STUDENT, DEMO_ROOT, STUDENT)
    show(code)

    step("2. Pat (a parent) redeems it: POST /api/v1/users/self/observees pairing_code=...")
    show(service.add_observee(PARENT, DEMO_ROOT, PARENT, pairing_code=code["code"]))

    step("3. Pat lists observees: GET /api/v1/users/self/observees?include[]=avatar_url")
    show(service.list_observees(PARENT, DEMO_ROOT, PARENT, include_avatar_url=True))

    step("4. The same code again is refused (single use)")
    try:
        service.add_observee(PARENT, DEMO_ROOT, PARENT, pairing_code=code["code"])
    except observees.InvalidCode as error:
        print("%s (status %d)" % (error, error.status))

    step("5. An administrator links Pat to Sam in the second root account: PUT .../observees/20?root_account_id=2")
    show(service.add_observee_by_id(ADMIN, DISTRICT_ROOT, PARENT, STUDENT, DISTRICT_ROOT))

    step("6. Sam lists observers: GET /api/v1/users/self/observers")
    show(service.list_observers(STUDENT, DEMO_ROOT, STUDENT))

    step("7. Pat removes the link in the demo root account: DELETE .../observees/20?root_account_id=1")
    show(service.remove_observee(PARENT, DEMO_ROOT, PARENT, STUDENT, DEMO_ROOT))

    step("8. Pat lists observees again")
    show(service.list_observees(PARENT, DEMO_ROOT, PARENT))

    step("9. The same list over HTTP, through the REST router: GET /api/v1/users/self/observees")
    response = service.rest("GET", "/api/v1/users/self/observees?per_page=1",
                            {"Host": "canvas.test", "Authorization": "Bearer demo-parent-token"})
    print("HTTP %d" % response.status)
    for name, value in response.headers:
        print("%s: %s" % (name, value))
    print(response.body)


def expiry(fixture):
    step("10. On a test clock, a code expires after 7 days")
    with observees.Service(":memory:", {"test_clock": "2026-01-01T00:00:00Z"}) as service:
        service.load_fixture_file(fixture)
        code = service.create_pairing_code(STUDENT, DEMO_ROOT, STUDENT)
        show(code)
        service.clock_advance(7 * 24 * 3600 + 1)
        print("now " + service.clock_now())
        try:
            service.add_observee(PARENT, DEMO_ROOT, PARENT, pairing_code=code["code"])
        except observees.InvalidCode as error:
            print(error)


def main(argv):
    database = argv[1] if len(argv) > 1 else "observees-demo.db"
    fixture = argv[2] if len(argv) > 2 else os.path.join(HERE, "..", "data", "demo.json")
    if database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(database + suffix):
                os.remove(database + suffix)
    print("observees %s from Python on %s, seeded from %s" % (observees.library_version(), database, fixture))
    try:
        with observees.Service(database, {"base_url": "http://canvas.test"}) as service:
            service.load_fixture_file(fixture)
            story(service)
        expiry(fixture)
    except observees.ObserveesError as error:
        print("failed: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
