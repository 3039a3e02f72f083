"""The service through the module: handles, options, fixtures, every operation and its refusals."""

import json
import os
import tempfile
import unittest

from support import (ADMIN, ALEX, DEMO_FIXTURE, DISTRICT, FAST, OTHER_PARENT, PARENT, ROOT, STRANGER, STUDENT,
                     WORLD, open_world, observees)


class HandleTest(unittest.TestCase):
    def test_a_service_is_a_context_manager_and_close_is_idempotent(self):
        with observees.Service(":memory:", FAST) as service:
            self.assertFalse(service.closed)
            service.load_fixture(WORLD)
        self.assertTrue(service.closed)
        service.close()
        service.close()
        with self.assertRaises(observees.InvalidArgument):
            service.list_observees(PARENT, ROOT, PARENT)

    def test_a_file_database_keeps_its_links(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "observees.db")
            with observees.Service(path, FAST) as service:
                service.load_fixture(WORLD)
                service.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)
            with observees.Service(path) as service:
                self.assertEqual(service.list_observees(PARENT, ROOT, PARENT)["total"], 2)

    def test_options_are_checked_before_anything_is_created(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "never.db")
            bad = [
                ({"colour": 1}, '"colour"'),
                ({"limiter": {"max_tries": 1}}, '"max_tries"'),
                ({"pairing_code_length": 3}, "pairing_code_length"),
                ({"pairing_code_length": 2 ** 64}, "pairing_code_length"),
                ({"limiter": {"max_failures": 0}}, "limiter.max_failures"),
                ({"password_hashing": "slow"}, "password_hashing"),
                ({"test_clock": "yesterday"}, "test_clock"),
                ("{not json", "options_json"),
                ("[]", "options_json"),
            ]
            for options, mention in bad:
                with self.subTest(options=options):
                    with self.assertRaises(observees.InvalidArgument) as raised:
                        observees.Service(path, options)
                    self.assertIn(mention, raised.exception.message)
            with self.assertRaises(observees.InvalidArgument):
                observees.Service(b"\xff.db")
            with self.assertRaises(observees.InvalidArgument):
                observees.Service("bad\udcff.db")
            with self.assertRaises(observees.InvalidArgument):
                observees.Service("with\0nul.db")
            self.assertEqual(os.listdir(directory), [])

    def test_an_unreachable_postgresql_server_is_internal_and_keeps_the_password_out(self):
        location = "postgresql://parent:hunter2-secret@/lms?host=/nonexistent-dir"
        with self.assertRaises(observees.InternalError) as raised:
            observees.Service(location, {"schema": "observees"})
        self.assertIn("PostgreSQL", raised.exception.message)
        self.assertNotIn("hunter2-secret", raised.exception.message)
        with self.assertRaises(observees.InvalidArgument) as raised:
            observees.Service(location, {"schema": "no; DROP"})
        self.assertIn("schema", raised.exception.message)

    def test_options_as_json_text(self):
        with observees.Service(":memory:", json.dumps({"password_hashing": "fastest", "default_per_page": 1})) as s:
            s.load_fixture(WORLD)
            s.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)
            page = s.list_observees(PARENT, ROOT, PARENT)
            self.assertEqual((page["per_page"], page["total"], len(page["users"])), (1, 2, 1))


class FixtureTest(unittest.TestCase):
    def test_fixtures_load_from_dicts_text_and_files_and_twice_changes_nothing(self):
        with observees.Service(":memory:", FAST) as service:
            service.load_fixture(WORLD)
            service.load_fixture(json.dumps(WORLD))
            service.load_fixture_file(DEMO_FIXTURE)
            self.assertEqual(service.list_observees(PARENT, ROOT, PARENT)["total"], 1)

    def test_a_bad_fixture_changes_nothing(self):
        with observees.Service(":memory:", FAST) as service:
            broken = {"accounts": WORLD["accounts"], "users": [{"id": 10, "name": "Pat"}, {"id": 11, "pets": 2}]}
            with self.assertRaises(observees.InvalidArgument) as raised:
                service.load_fixture(broken)
            self.assertIn("pets", raised.exception.message)
            with self.assertRaises(observees.InvalidArgument):
                service.load_fixture(b'{"accounts": [{"id": 1, "name": "\xff"}]}')
            with self.assertRaises(observees.NotFound):
                service.load_fixture_file("/nonexistent/fixture.json")
            service.load_fixture(WORLD)
            self.assertEqual(service.list_observees(PARENT, ROOT, PARENT)["total"], 1)


class OperationTest(unittest.TestCase):
    def setUp(self):
        self.service = open_world({"password_hashing": "fastest", "base_url": "https://canvas.test"})

    def tearDown(self):
        self.service.close()

    def test_lists_carry_the_page_and_the_total(self):
        s = self.service
        page = s.list_observees(PARENT, ROOT, PARENT)
        self.assertEqual(set(page), {"users", "page", "per_page", "total"})
        self.assertEqual((page["page"], page["per_page"], page["total"]), (1, 10, 1))
        self.assertEqual(page["users"][0]["id"], ALEX)
        self.assertEqual(page["users"][0]["observation_link_root_account_ids"], [ROOT])
        observers = s.list_observers(ALEX, ROOT, ALEX, include_avatar_url=True)
        self.assertEqual(observers["users"][0]["avatar_url"], "https://canvas.test/images/pat.png")
        self.assertNotIn("avatar_url", s.list_observers(ALEX, ROOT, ALEX)["users"][0])
        self.assertEqual(s.list_observees(PARENT, ROOT, PARENT, page=3)["users"], [])

    def test_the_whole_observer_story(self):
        s = self.service
        code = s.create_pairing_code(STUDENT, ROOT, STUDENT)
        self.assertEqual(set(code), {"user_id", "code", "expires_at", "workflow_state"})
        self.assertEqual(s.add_observee(PARENT, ROOT, PARENT, pairing_code=code["code"])["id"], STUDENT)
        with self.assertRaises(observees.InvalidCode):
            s.add_observee(PARENT, ROOT, PARENT, pairing_code=code["code"])
        self.assertEqual(s.show_observee(PARENT, ROOT, PARENT, STUDENT)["id"], STUDENT)
        self.assertEqual(s.show_observer(STUDENT, ROOT, STUDENT, PARENT)["id"], PARENT)
        linked = s.add_observee_by_id(ADMIN, DISTRICT, PARENT, STUDENT, DISTRICT)
        self.assertEqual(linked["observation_link_root_account_ids"], [ROOT, DISTRICT])
        removed = s.remove_observee(PARENT, ROOT, PARENT, STUDENT, ROOT)
        self.assertEqual(removed["id"], STUDENT)
        self.assertEqual(s.show_observee(PARENT, ROOT, PARENT, STUDENT)["observation_link_root_account_ids"],
                         [DISTRICT])
        s.remove_observee(PARENT, ROOT, PARENT, STUDENT)
        with self.assertRaises(observees.NotFound):
            s.show_observee(PARENT, ROOT, PARENT, STUDENT)

    def test_tokens_and_credentials(self):
        s = self.service
        self.assertEqual(s.add_observee(OTHER_PARENT, ROOT, OTHER_PARENT, access_token="token-sam",
                                        root_account_scope=observees.SCOPE_ALL)["id"], STUDENT)
        self.assertEqual(s.add_observee(OTHER_PARENT, ROOT, OTHER_PARENT, unique_id="alex",
                                        password="alex-password")["id"], ALEX)
        self.assertEqual(s.list_observees(OTHER_PARENT, ROOT, OTHER_PARENT)["total"], 2)

    def test_each_refusal_raises_its_class_with_a_message_and_no_secret(self):
        s = self.service
        cases = [
            (observees.Unauthenticated, lambda: s.list_observees(0, ROOT, PARENT)),
            (observees.NotFound, lambda: s.list_observees(PARENT, ROOT, 999)),
            (observees.PermissionDenied, lambda: s.list_observees(ALEX, ROOT, PARENT)),
            (observees.PermissionDenied, lambda: s.add_observee_by_id(PARENT, ROOT, PARENT, STUDENT)),
            (observees.InvalidCode, lambda: s.add_observee(PARENT, ROOT, PARENT, pairing_code="S3cret")),
            (observees.UnknownObservee, lambda: s.add_observee(PARENT, ROOT, PARENT, access_token="tok-S3cret")),
            (observees.UnknownObservee, lambda: s.add_observee(STRANGER, DISTRICT, STRANGER, access_token="token-alex")),
            (observees.InvalidCredentials,
             lambda: s.add_observee(PARENT, ROOT, PARENT, unique_id="sam", password="S3cret-password")),
            (observees.SelfObservation, lambda: s.add_observee(PARENT, ROOT, PARENT, access_token="token-pat")),
            (observees.InvalidArgument, lambda: s.add_observee(PARENT, ROOT, PARENT)),
            (observees.AlreadyExists, lambda: s.register_observer(
                0, ROOT, "Robin", "pat", "robin-password",
                pairing_code=s.create_pairing_code(ALEX, ROOT, ALEX)["code"])),
        ]
        for cls, call in cases:
            with self.subTest(cls=cls.__name__):
                with self.assertRaises(cls) as raised:
                    call()
                self.assertTrue(raised.exception.message)
                self.assertNotIn("S3cret", raised.exception.message)
        self.assertEqual(s.list_observees(PARENT, ROOT, PARENT)["total"], 1)

    def test_bad_arguments_are_invalid_arguments_and_change_nothing(self):
        s = self.service
        calls = [
            lambda: s.list_observees(-1, ROOT, PARENT),
            lambda: s.list_observees(PARENT, -1, PARENT),
            lambda: s.list_observees(PARENT, ROOT, 0),
            lambda: s.list_observees(PARENT, ROOT, PARENT, page=0),
            lambda: s.list_observees(PARENT, ROOT, PARENT, per_page=-1),
            lambda: s.list_observees(PARENT, ROOT, PARENT, page=2 ** 31),
            lambda: s.list_observees(PARENT, ROOT, 2 ** 63),
            lambda: s.add_observee(PARENT, ROOT, PARENT, access_token="token-sam", root_account_scope=-2),
            lambda: s.add_observee(PARENT, ROOT, PARENT, pairing_code="bad\udcff"),
            lambda: s.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT, root_account_scope=-5),
            lambda: s.remove_observee(PARENT, ROOT, PARENT, -21),
            lambda: s.create_pairing_code(STUDENT, ROOT, 0),
            lambda: s.register_observer(0, ROOT, "Robin\udcff", "robin", "robin-password"),
            lambda: s.clock_set("2026-01-01T00:00:00Z"),
            lambda: s.clock_advance(60),
        ]
        for index, call in enumerate(calls):
            with self.subTest(index=index):
                with self.assertRaises(observees.InvalidArgument) as raised:
                    call()
                self.assertTrue(raised.exception.message)
        self.assertEqual(s.list_observees(PARENT, ROOT, PARENT)["total"], 1)

    def test_self_registration(self):
        s = self.service
        code = s.create_pairing_code(ALEX, ROOT, ALEX)["code"]
        with self.assertRaises(observees.InvalidCode):
            s.register_observer(0, ROOT, "Robin Guardian", "robin", "robin-password", pairing_code="nope00")
        robin = s.register_observer(0, ROOT, "Robin Guardian", "robin", "robin-password", pairing_code=code,
                                    client_key="127.0.0.1")
        self.assertEqual(robin["name"], "Robin Guardian")
        self.assertEqual(s.list_observees(robin["id"], ROOT, robin["id"])["users"][0]["id"], ALEX)

    def test_the_limiter_refuses_after_too_many_failures(self):
        with open_world({"password_hashing": "fastest", "limiter": {"max_failures": 2, "window_seconds": 60}}) as s:
            code = s.create_pairing_code(STUDENT, ROOT, STUDENT)["code"]
            for wrong in ("wrong1", "wrong2"):
                with self.assertRaises(observees.InvalidCode):
                    s.add_observee(PARENT, ROOT, PARENT, pairing_code=wrong)
            with self.assertRaises(observees.TooManyAttempts):
                s.add_observee(PARENT, ROOT, PARENT, pairing_code=code)

    def test_anonymous_redemptions_share_a_budget_whatever_the_address(self):
        options = {"password_hashing": "fastest", "limiter": {"anonymous_max_failures": 3}}
        with open_world(options) as s:
            code = s.create_pairing_code(STUDENT, ROOT, STUDENT)["code"]
            for address in range(3):
                with self.assertRaises(observees.InvalidCode):
                    s.register_observer(0, ROOT, "Robin Guardian", "robin", "robin-password", pairing_code="wrong1",
                                        client_key="2001:db8:%d::" % address)
            with self.assertRaises(observees.TooManyAttempts):
                s.register_observer(0, ROOT, "Robin Guardian", "robin", "robin-password", pairing_code=code,
                                    client_key="2001:db8:99::")
            # A signed-in observer still redeems the code.
            self.assertEqual(s.add_observee(PARENT, ROOT, PARENT, pairing_code=code)["id"], STUDENT)


if __name__ == "__main__":
    unittest.main()
