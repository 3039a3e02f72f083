"""A parent app's tests against observees-server --harness, through the observees pytest plugin.

    PYTHONPATH=python OBSERVEES_SERVER=build/observees-server OBSERVEES_FIXTURE=examples/data/demo.json \\
        python3 -m pytest -p observees.pytest_plugin examples/harness

The app under test is ParentApp below: it links a parent to a student with the code the student shows
them. The tests check what the app tells the parent when the code has expired (seven days later, by
moving the server's clock rather than waiting) or was revoked by the student. Each test starts from
the demo fixture (the `observees` fixture resets the server), so their order does not matter.
"""

import json
import urllib.error
import urllib.parse
import urllib.request


class ParentApp:
    """The app: a parent enters the student's pairing code to follow them."""

    def __init__(self, base_url, token):
        self.base_url = base_url
        self.token = token

    def link_with_code(self, code):
        """"linked", "expired or invalid code", or the server's error."""
        body = urllib.parse.urlencode({"pairing_code": code}).encode()
        request = urllib.request.Request(self.base_url + "/api/v1/users/self/observees", data=body, method="POST",
                                         headers={"Authorization": "Bearer " + self.token})
        try:
            with urllib.request.urlopen(request, timeout=30):
                return "linked"
        except urllib.error.HTTPError as e:
            if e.code in (400, 422):
                return "expired or invalid code"
            return "error %d" % e.code

    def students(self):
        status, users = _get(self.base_url, "/api/v1/users/self/observees", self.token)
        assert status == 200
        return [user["name"] for user in users]


def _get(base_url, path, token):
    request = urllib.request.Request(base_url + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def new_code(server, student):
    status, code = server.request("POST", "/api/v1/users/self/observer_pairing_codes", token=server.token(student))
    assert status == 200, code
    return code


def test_a_fresh_code_links_the_parent(observees):
    app = ParentApp(observees.base_url, observees.token("pat"))
    assert app.link_with_code(new_code(observees, "sam")["code"]) == "linked"
    assert "Sam Student" in app.students()


def test_a_code_redeemed_seven_days_later_has_expired(observees):
    code = new_code(observees, "sam")
    observees.advance(days=7)
    app = ParentApp(observees.base_url, observees.token("pat"))
    assert app.link_with_code(code["code"]) == "expired or invalid code"
    assert "Sam Student" not in app.students()


def test_a_revoked_code_fails(observees):
    code = new_code(observees, "sam")
    status, listed = observees.request("GET", "/api/v1/users/self/observer_pairing_codes",
                                       token=observees.token("sam"))
    assert status == 200
    (mine,) = [c for c in listed if c["code"] == code["code"]]
    status, _ = observees.request("DELETE", "/api/v1/users/self/observer_pairing_codes/%d" % mine["id"],
                                  token=observees.token("sam"))
    assert status == 200
    app = ParentApp(observees.base_url, observees.token("pat"))
    assert app.link_with_code(code["code"]) == "expired or invalid code"
    revoked = [e for e in observees.audit() if e["action"] == "code_revoked"]
    assert [e["actor"] for e in revoked] == [20]


def test_each_test_starts_from_the_fixture(observees):
    assert ParentApp(observees.base_url, observees.token("pat")).students() == ["Alex Student"]
    assert observees.audit() == []
    assert observees.now() == observees.start_time
