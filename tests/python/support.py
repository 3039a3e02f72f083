"""Shared data of the Python tests: a small world, and a Service on it in memory."""

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "python"))

import observees  # noqa: E402  (after the path is set)

ADMIN, PARENT, OTHER_PARENT, STUDENT, ALEX, STRANGER = 1, 10, 11, 20, 21, 40
ROOT, DISTRICT = 1, 2

FAST = {"password_hashing": "fastest"}
TEST_CLOCK = {"password_hashing": "fastest", "test_clock": "2026-01-01T00:00:00Z"}
DEMO_FIXTURE = os.environ.get("OBSERVEES_DEMO_FIXTURE", os.path.join(SOURCE_DIR, "examples", "data", "demo.json"))
HEADER = os.path.join(SOURCE_DIR, "capi", "observees.h")


def _user(user_id, name, unique_id, account_ids=(1,), **extra):
    user = {"id": user_id, "name": name,
            "logins": [{"account_id": a, "unique_id": unique_id, "password": unique_id + "-password"}
                       for a in account_ids],
            "tokens": ["token-" + unique_id]}
    user.update(extra)
    return user


# Root 1 (canvas.test) and 2 (district2.test) allow observer self-registration; Ada administers both;
# Sam studies in both, Alex in root 1; Pat observes Alex in root 1; parents 100.. are spare observers.
WORLD = {
    "accounts": [
        {"id": 1, "name": "Canvas Demo", "domains": ["canvas.test"], "self_registration": "observer", "avatars": True},
        {"id": 2, "name": "District", "domains": ["district2.test"], "self_registration": "observer"},
        {"id": 3, "name": "Science", "parent_id": 1},
    ],
    "users": [
        _user(ADMIN, "Ada Admin", "ada"),
        _user(PARENT, "Pat Parent", "pat", (1, 2), avatar_url="/images/pat.png", created_at="2024-01-05T10:00:00Z"),
        _user(OTHER_PARENT, "Quinn Parent", "quinn"),
        _user(STUDENT, "Sam Student", "sam"),
        _user(ALEX, "Alex Student", "alex"),
        _user(STRANGER, "Stranger Danger", "stranger", (2,)),
    ] + [_user(100 + i, "Parent %02d" % i, "parent%02d" % i) for i in range(16)],
    "admins": [{"user_id": ADMIN, "account_id": 1}, {"user_id": ADMIN, "account_id": 2}],
    "courses": [{"id": 100, "account_id": 3, "workflow_state": "available"},
                {"id": 200, "account_id": 2, "workflow_state": "available"}],
    "enrollments": [
        {"id": 500, "user_id": STUDENT, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"},
        {"id": 501, "user_id": ALEX, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"},
        {"id": 502, "user_id": STUDENT, "course_id": 200, "type": "StudentEnrollment", "workflow_state": "active"},
    ],
    "links": [{"observer_id": PARENT, "student_id": ALEX, "root_account_id": 1, "workflow_state": "active"}],
}

SPARE_PARENTS = [100 + i for i in range(16)]


def world():
    return copy.deepcopy(WORLD)


_worlds_opened = 0


def world_location(options):
    """Where a world lives: ":memory:", or with OBSERVEES_TEST_BACKEND=postgres a private schema on the
    OBSERVEES_TEST_POSTGRES server (the same tests, the other backend), as (path, options)."""
    global _worlds_opened
    if os.environ.get("OBSERVEES_TEST_BACKEND") != "postgres":
        return ":memory:", options
    conninfo = os.environ["OBSERVEES_TEST_POSTGRES"]
    _worlds_opened += 1
    options = dict(json.loads(options) if isinstance(options, str) else options)
    options["schema"] = "py%d_%d" % (os.getpid(), _worlds_opened)
    options.setdefault("connections", 2)
    return "postgresql:" + conninfo, options


def open_world(options=None):
    path, options = world_location(options if options is not None else FAST)
    service = observees.Service(path, options)
    service.load_fixture(WORLD)
    return service
