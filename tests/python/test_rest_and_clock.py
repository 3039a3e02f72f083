"""The REST router and the test clock through the module."""

import unittest

from support import ADMIN, ALEX, OTHER_PARENT, PARENT, ROOT, STUDENT, TEST_CLOCK, WORLD, open_world, observees


class RestTest(unittest.TestCase):
    def setUp(self):
        self.service = open_world()

    def tearDown(self):
        self.service.close()

    def test_a_list_with_its_link_header(self):
        response = self.service.rest("GET", "/api/v1/users/self/observees?per_page=1",
                                     {"Host": "canvas.test", "Authorization": "Bearer token-pat"}, peer="10.0.0.1")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("content-type"), "application/json; charset=utf-8")
        self.assertIn("<http://canvas.test/api/v1/users/self/observees?", response.header("Link"))
        self.assertEqual([user["id"] for user in response.json()], [ALEX])

    def test_a_form_post_and_headers_as_pairs(self):
        response = self.service.rest(
            "POST", "/api/v1/users/self/observees",
            [("Authorization", "Bearer token-pat"), ("Content-Type", "application/x-www-form-urlencoded")],
            "access_token=token-sam")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.json()["id"], STUDENT)
        response = self.service.rest("POST", "/api/v1/users/self/observer_pairing_codes",
                                     {"Authorization": "Bearer token-sam", "Host": "canvas.test"})
        self.assertEqual(response.status, 200)
        self.assertEqual(len(response.json()["code"]), 6)

    def test_http_errors_are_responses(self):
        self.assertEqual(self.service.rest("GET", "/api/v1/nowhere").status, 404)
        response = self.service.rest("GET", "/api/v1/users/self/observees", {"Authorization": "Bearer nope"})
        self.assertEqual(response.status, 401)
        self.assertIsNotNone(response.header("WWW-Authenticate"))
        response = self.service.rest("POST", "/api/v1/users/self/observees",
                                     {"Authorization": "Bearer token-pat", "Content-Type": "application/json"},
                                     b'{"pairing_code": "\xff"}')
        self.assertEqual(response.status, 400)

    def test_bad_calls_raise(self):
        for call in (lambda: self.service.rest("", "/"),
                     lambda: self.service.rest("GET", None),
                     lambda: self.service.rest("GET", "/\udcff"),
                     lambda: self.service.rest("GET", "/", {"Host": "bad\udcff"}),
                     lambda: self.service.rest("GET", "/", [("Host",)])):
            with self.assertRaises(observees.InvalidArgument):
                call()


class ClockTest(unittest.TestCase):
    def test_a_code_expires_on_the_test_clock(self):
        with open_world(TEST_CLOCK) as s:
            self.assertEqual(s.clock_now(), "2026-01-01T00:00:00Z")
            code = s.create_pairing_code(STUDENT, ROOT, STUDENT)
            self.assertEqual(code["expires_at"], "2026-01-08T00:00:00Z")
            s.clock_advance(7 * 24 * 3600 + 1)
            with self.assertRaises(observees.InvalidCode):
                s.add_observee(PARENT, ROOT, PARENT, pairing_code=code["code"])
            s.clock_set("2026-01-07T23:59:59Z")
            self.assertEqual(s.add_observee(PARENT, ROOT, PARENT, pairing_code=code["code"])["id"], STUDENT)
            s.clock_advance(-60)
            self.assertEqual(s.clock_now(), "2026-01-07T23:58:59Z")

    def test_bad_times_change_nothing(self):
        with open_world(TEST_CLOCK) as s:
            for call in (lambda: s.clock_set("tomorrow"), lambda: s.clock_set("1969-12-31T23:59:59Z"),
                         lambda: s.clock_advance(2 ** 62), lambda: s.clock_advance(2 ** 64)):
                with self.assertRaises(observees.InvalidArgument):
                    call()
            self.assertEqual(s.clock_now(), "2026-01-01T00:00:00Z")

    def test_without_a_test_clock_now_is_readable_only(self):
        with open_world() as s:
            self.assertRegex(s.clock_now(), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            with self.assertRaises(observees.InvalidArgument) as raised:
                s.clock_set("2026-01-01T00:00:00Z")
            self.assertIn("the service has no test clock", raised.exception.message)


class ResetTest(unittest.TestCase):
    def test_reset_to_empty_and_back_to_the_fixture_keeps_the_clock(self):
        with open_world(TEST_CLOCK) as s:
            s.clock_advance(3600)
            s.add_observee_by_id(ADMIN, ROOT, OTHER_PARENT, STUDENT)
            s.reset()
            with self.assertRaises(observees.NotFound):
                s.list_observees(PARENT, ROOT, PARENT)
            self.assertEqual(s.clock_now(), "2026-01-01T01:00:00Z")
            s.reset(WORLD)
            self.assertEqual([u["id"] for u in s.list_observees(PARENT, ROOT, PARENT)["users"]], [ALEX])
            with self.assertRaises(observees.NotFound):  # the link made before the reset is gone
                s.show_observee(OTHER_PARENT, ROOT, OTHER_PARENT, STUDENT)

    def test_a_bad_fixture_changes_nothing(self):
        with open_world() as s:
            for bad in ({"pets": []}, "{", "7"):
                with self.assertRaises(observees.InvalidArgument):
                    s.reset(bad)
            self.assertEqual(s.list_observees(PARENT, ROOT, PARENT)["total"], 1)


if __name__ == "__main__":
    unittest.main()
