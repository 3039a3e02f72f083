"""The package's Python face: its version, TypeError for a wrong Python type, StorageBusy for a locked
database, and NotFound messages that say what was looked for."""

import ast
import inspect
import os
import re
import subprocess
import sys
import tempfile
import unittest

from support import ADMIN, PARENT, ROOT, SOURCE_DIR, STUDENT, WORLD, FAST, open_world, observees

PACKAGE_INIT = os.path.join(SOURCE_DIR, "python", "observees", "__init__.py")


class VersionTest(unittest.TestCase):
    def test_the_package_version_is_the_projects_and_the_librarys(self):
        with open(os.path.join(SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
            cmake_version = re.search(r"project\(observees VERSION (\S+)", f.read()).group(1)
        self.assertEqual(observees.__version__, cmake_version)
        self.assertEqual(observees.library_version(), observees.__version__)

    def test_the_version_is_a_literal_that_pyproject_reads_without_importing(self):
        with open(PACKAGE_INIT, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        literals = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                    and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
                    and isinstance(node.value, ast.Constant)]
        self.assertEqual(literals, [observees.__version__])
        with open(os.path.join(SOURCE_DIR, "python", "pyproject.toml"), encoding="utf-8") as f:
            pyproject = f.read()
        self.assertIn('dynamic = ["version"]', pyproject)
        self.assertIn('version = {attr = "observees.__version__"}', pyproject)
        self.assertNotRegex(pyproject, r'(?m)^version\s*=\s*"')


def _public_callables():
    """(qualified name, function) of every public function and method of the two modules."""
    import observees.pytest_plugin as plugin
    for module in (observees, plugin):
        for name in module.__all__ + [n for n in dir(module) if n.startswith("pytest_")]:
            value = getattr(module, name)
            if inspect.isfunction(value):
                yield "%s.%s" % (module.__name__, name), value
            elif inspect.isclass(value) and value.__module__ == module.__name__:
                for member_name, member in vars(value).items():
                    if isinstance(member, property):
                        member = member.fget
                    if inspect.isfunction(member) and (not member_name.startswith("_") or member_name == "__init__"):
                        yield "%s.%s.%s" % (module.__name__, name, member_name), member


class PublicFaceTest(unittest.TestCase):
    def test_every_public_function_and_method_is_annotated(self):
        seen = 0
        for name, function in _public_callables():
            seen += 1
            signature = inspect.signature(function)
            with self.subTest(name=name):
                if function.__name__ != "__init__":
                    self.assertIsNot(signature.return_annotation, inspect.Signature.empty)
                for parameter in list(signature.parameters.values())[1 if "." in function.__qualname__ else 0:]:
                    self.assertIsNot(parameter.annotation, inspect.Parameter.empty, parameter.name)
        self.assertGreater(seen, 40)

    def test_docstrings_stand_alone(self):
        # A label of docs/rules.md (E1..E8, "rule 23") only beside the document's name.
        for name, function in list(_public_callables()) + [(c.__name__, c) for c in vars(observees).values()
                                                           if inspect.isclass(c) and c.__module__ == "observees"]:
            with self.subTest(name=name):
                doc = inspect.getdoc(function) or ""
                if function.__name__ not in ("__init__", "__enter__", "__exit__", "__del__", "__str__"):
                    self.assertTrue(doc, "no docstring")
                if re.search(r"\bE[1-8]\b|\brules? \d+", doc):
                    self.assertIn("docs/", doc)
        self.assertRegex(observees.__doc__, r"busy_timeout_ms[\s\S]*StorageBusy")
        for option in ("pairing_code_length", "pairing_code_alphabet", "pairing_code_lifetime_seconds",
                       "pairing_code_max_active", "limiter", "default_per_page", "max_per_page",
                       "min_password_length", "password_hashing", "connections", "busy_timeout_ms", "schema",
                       "secret_key", "test_clock", "base_url", "rest", "max_parameter_bytes", "scheme"):
            self.assertIn(option, observees.__doc__)


class TypeErrorTest(unittest.TestCase):
    """A wrong Python type is the caller's bug: TypeError naming the argument, before the library is
    called, never json's or ctypes' own TypeError and never InvalidArgument."""

    def setUp(self):
        self.service = open_world()
        self.addCleanup(self.service.close)

    def test_wrong_types_raise_type_error_naming_the_argument_and_change_nothing(self):
        s = self.service
        calls = [
            ("pairing_code", lambda: s.add_observee(PARENT, ROOT, PARENT, pairing_code=b"ABCDEF")),
            ("access_token", lambda: s.add_observee(PARENT, ROOT, PARENT, access_token=7)),
            ("observer", lambda: s.list_observees(PARENT, ROOT, "10")),
            ("observer", lambda: s.list_observees(PARENT, ROOT, True)),
            ("observer", lambda: s.list_observees(PARENT, ROOT, 10.0)),
            ("acting_user", lambda: s.show_observee(None, ROOT, PARENT, STUDENT)),
            ("domain_root_account", lambda: s.create_pairing_code(STUDENT, "1", STUDENT)),
            ("student", lambda: s.add_observee_by_id(ADMIN, ROOT, PARENT, "20")),
            ("root_account_scope", lambda: s.remove_observee(PARENT, ROOT, PARENT, STUDENT, root_account_scope="all")),
            ("page", lambda: s.list_observers(STUDENT, ROOT, STUDENT, page="2")),
            ("include_avatar_url", lambda: s.list_observees(PARENT, ROOT, PARENT, include_avatar_url=1)),
            ("states", lambda: s.list_pairing_codes(STUDENT, ROOT, STUDENT, states="active")),
            ("state", lambda: s.list_pairing_codes(STUDENT, ROOT, STUDENT, states=[1])),
            ("states", lambda: s.list_pairing_codes(STUDENT, ROOT, STUDENT, states=5)),
            ("code_id", lambda: s.revoke_pairing_code(STUDENT, ROOT, STUDENT, "1")),
            ("course_id", lambda: s.enroll_user(ADMIN, ROOT, "100", STUDENT)),
            ("type", lambda: s.enroll_user(ADMIN, ROOT, 100, STUDENT, type=5)),
            ("name", lambda: s.register_observer(0, ROOT, b"Robin", "robin", "robin-password")),
            ("password", lambda: s.register_observer(0, ROOT, "Robin", "robin", 12345678)),
            ("fixture", lambda: s.load_fixture({"users": [{"id": 99, "name": b"Bytes"}]})),
            ("fixture", lambda: s.load_fixture(7)),
            ("fixture", lambda: s.reset(7)),
            ("path", lambda: s.load_fixture_file(7)),
            ("csv", lambda: s.import_user_observers(42, ROOT)),
            ("dry_run", lambda: s.import_user_observers("", ROOT, dry_run="yes")),
            ("root_account", lambda: s.export_user_observers(1.0)),
            ("body", lambda: s.rest("GET", "/api/v1/users/10/observees", body=42)),
            ("headers", lambda: s.rest("GET", "/", headers="Host: canvas.test")),
            ("header", lambda: s.rest("GET", "/", headers=[("Host", 5)])),
            ("headers", lambda: s.rest("GET", "/", headers=5)),
            ("method", lambda: s.rest(1, "/")),
            ("peer", lambda: s.rest("GET", "/", peer=("127.0.0.1", 80))),
            ("seconds", lambda: s.clock_advance(1.5)),
            ("iso_time", lambda: s.clock_set(b"2026-01-01T00:00:00Z")),
        ]
        for mention, call in calls:
            with self.subTest(mention=mention):
                with self.assertRaises(TypeError) as raised:
                    call()
                self.assertNotIsInstance(raised.exception, observees.ObserveesError)
                self.assertIn(mention, str(raised.exception))
                self.assertNotIn("ABCDEF", str(raised.exception))
        self.assertEqual(s.list_observees(PARENT, ROOT, PARENT)["total"], 1)
        self.assertEqual(s.list_pairing_codes(STUDENT, ROOT, STUDENT)["total"], 0)

    def test_a_bytes_value_in_a_fixture_is_named_as_the_fixture(self):
        with self.assertRaises(TypeError) as raised:
            self.service.load_fixture({"users": [{"id": 99, "name": b"Bytes"}]})
        self.assertTrue(str(raised.exception).startswith("fixture holds a value JSON cannot represent"))
        self.assertIsNone(raised.exception.__cause__)

    def test_service_options_and_path_of_the_wrong_type(self):
        for mention, call in (("options", lambda: observees.Service(":memory:", 5)),
                              ("options", lambda: observees.Service(":memory:", ["fastest"])),
                              ("options", lambda: observees.Service(":memory:", {"secret_key": b"k"})),
                              ("path", lambda: observees.Service(5))):
            with self.subTest(mention=mention):
                with self.assertRaises(TypeError) as raised:
                    call()
                self.assertIn(mention, str(raised.exception))

    def test_right_types_with_wrong_values_stay_invalid_argument(self):
        s = self.service
        for call in (lambda: s.list_observees(PARENT, ROOT, 0), lambda: s.list_observees(PARENT, ROOT, 2 ** 63),
                     lambda: s.add_observee(PARENT, ROOT, PARENT, pairing_code="bad\udcff"),
                     lambda: s.enroll_user(ADMIN, ROOT, 0, STUDENT), lambda: s.clock_set("tomorrow")):
            with self.assertRaises(observees.InvalidArgument):
                call()


_HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


class StorageBusyTest(unittest.TestCase):
    def test_a_write_lock_held_past_busy_timeout_is_storage_busy_and_a_retry_succeeds(self):
        self.assertFalse(issubclass(observees.StorageBusy, observees.InternalError))
        self.assertFalse(issubclass(observees.InternalError, observees.StorageBusy))
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "busy.db")
            with observees.Service(path, dict(FAST, busy_timeout_ms=50)) as service:
                service.load_fixture(WORLD)
                # Another process: SQLite's locks are per process, so a second connection in this one
                # (through another copy of SQLite) would not block the library's.
                holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, path], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True)
                try:
                    self.assertEqual(holder.stdout.readline().strip(), "locked")
                    with self.assertRaises(observees.StorageBusy) as raised:
                        service.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)
                    self.assertEqual(raised.exception.status, 13)
                    self.assertEqual(raised.exception.name, "unavailable")
                    self.assertEqual(service.list_observees(PARENT, ROOT, PARENT)["total"], 1)  # reads go on
                finally:
                    holder.communicate("\n", timeout=30)
                self.assertEqual(holder.returncode, 0)
                service.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)  # the same call, retried
                self.assertEqual(service.list_observees(PARENT, ROOT, PARENT)["total"], 2)


class NotFoundMessageTest(unittest.TestCase):
    def setUp(self):
        self.service = open_world()
        self.addCleanup(self.service.close)

    def test_not_found_names_what_the_call_looked_for(self):
        s = self.service
        cases = [
            ("observer 999", lambda: s.list_observees(ADMIN, ROOT, 999)),
            ("student 999", lambda: s.list_observers(ADMIN, ROOT, 999)),
            ("an active link from observer 10 to student 20", lambda: s.show_observee(PARENT, ROOT, PARENT, STUDENT)),
            ("an active link from observer 10 to student 20", lambda: s.show_observer(STUDENT, ROOT, STUDENT, PARENT)),
            ("observer 10 or student 999", lambda: s.add_observee_by_id(ADMIN, ROOT, PARENT, 999)),
            ("a link from observer 10 to student 20", lambda: s.remove_observee(PARENT, ROOT, PARENT, STUDENT)),
            ("student 999", lambda: s.create_pairing_code(ADMIN, ROOT, 999)),
            ("pairing code 12345 of student 20", lambda: s.revoke_pairing_code(STUDENT, ROOT, STUDENT, 12345)),
            ("course 999 or user 20", lambda: s.enroll_user(ADMIN, ROOT, 999, STUDENT)),
            ("root account 999", lambda: s.export_user_observers(999)),
        ]
        for resource, call in cases:
            with self.subTest(resource=resource):
                with self.assertRaises(observees.NotFound) as raised:
                    call()
                self.assertEqual(raised.exception.resource, resource)
                self.assertEqual(raised.exception.message,
                                 resource + " not found (The specified resource does not exist.)")
                self.assertIn(resource, str(raised.exception))

    def test_a_specific_library_message_is_kept(self):
        with self.assertRaises(observees.NotFound) as raised:
            self.service.load_fixture_file("/nonexistent/fixture.json")
        self.assertIn("cannot read fixture file /nonexistent/fixture.json", raised.exception.message)


if __name__ == "__main__":
    unittest.main()
