"""The module's binding of the library: loading, versions, every prototype declared, status codes."""

import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import HEADER, observees


class LibraryTest(unittest.TestCase):
    def test_the_library_reports_the_headers_version(self):
        with open(HEADER, encoding="utf-8") as header:
            text = header.read()
        version = re.search(r'#define OBS_VERSION_STRING "([0-9.]+)"', text).group(1)
        self.assertEqual(observees.library_version(), version)
        major, minor, patch = (int(part) for part in version.split("."))
        self.assertEqual(observees.load_library().obs_version(), major * 10000 + minor * 100 + patch)

    def test_every_function_of_the_header_has_its_prototype_declared(self):
        with open(HEADER, encoding="utf-8") as header:
            declared = set(re.findall(r"OBS_API [^;(]*?\b(obs_\w+)\(", header.read()))
        self.assertGreaterEqual(len(declared), 22)
        self.assertEqual(declared, set(observees._PROTOTYPES))
        lib = observees.load_library()
        for name in declared:
            function = getattr(lib, name)
            self.assertIsNotNone(function.argtypes, name)
            restype, argtypes = observees._PROTOTYPES[name]
            self.assertEqual(function.restype, restype, name)
            self.assertEqual(function.argtypes, argtypes, name)

    def test_returned_strings_are_taken_as_pointers_so_they_can_be_freed(self):
        for name, (_, argtypes) in observees._PROTOTYPES.items():
            for argtype in argtypes:
                self.assertIsNot(argtype, ctypes.POINTER(ctypes.c_char_p), name)

    def test_status_codes_map_to_exception_classes_by_their_stable_values(self):
        lib = observees.load_library()
        expected = {
            1: observees.InvalidArgument, 2: observees.NotFound, 3: observees.Unauthenticated,
            4: observees.PermissionDenied, 5: observees.InvalidCode, 6: observees.TooManyAttempts,
            7: observees.UnknownObservee, 8: observees.InvalidCredentials, 9: observees.SelfObservation,
            10: observees.AlreadyExists, 11: observees.Aborted, 12: observees.InternalError,
            13: observees.StorageBusy, 14: observees.Misuse,
        }
        self.assertEqual(lib.obs_status_name(0), b"ok")
        for status, cls in expected.items():
            self.assertTrue(issubclass(cls, observees.ObserveesError))
            self.assertEqual(cls.status, status)
            self.assertEqual(lib.obs_status_name(status).decode(), cls.name)
        self.assertEqual(lib.obs_status_name(99), b"unknown")
        self.assertTrue(issubclass(observees.InvalidArgument, ValueError))

    def test_an_error_carries_its_status_and_message(self):
        with self.assertRaises(observees.InvalidArgument) as raised:
            observees.Service(":memory:", {"colour": "red"})
        self.assertEqual(raised.exception.status, 1)
        self.assertIn('"colour"', raised.exception.message)
        self.assertIn("invalid_argument", str(raised.exception))

    def test_sqlite_statistics_go_off_only_before_sqlite_is_used(self):
        # In a fresh process: whether this one has used SQLite yet depends on the tests run before.
        script = ("import observees\n"
                  "first = observees.disable_sqlite_memory_statistics()\n"
                  "observees.Service(':memory:').close()\n"
                  "print(first, observees.disable_sqlite_memory_statistics())\n")
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(observees.__file__)))
        env = dict(os.environ, PYTHONPATH=package_parent)
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                             check=True).stdout
        self.assertEqual(out.split(), ["True", "False"])

    def test_a_library_that_does_not_exist_is_an_os_error(self):
        with self.assertRaises(OSError):
            observees.load_library("/nonexistent/libobservees_c.so")
        observees.load_library()  # the real one again

    def test_without_the_variable_the_library_is_found_next_to_the_module(self):
        with tempfile.TemporaryDirectory() as directory:
            package = os.path.join(directory, "observees")  # a copy of the package, the library inside it
            os.mkdir(package)
            shutil.copy(observees.__file__, package)
            os.symlink(os.path.realpath(observees.load_library()._name), os.path.join(package, "libobservees_c.so"))
            env = {key: value for key, value in os.environ.items() if key not in ("OBSERVEES_LIBRARY", "PYTHONPATH")}
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            out = subprocess.run([sys.executable, "-c", "import observees; print(observees.library_version())"],
                                 cwd=directory, env=env, capture_output=True, text=True, check=True).stdout
            self.assertEqual(out.strip(), observees.library_version())


if __name__ == "__main__":
    unittest.main()
