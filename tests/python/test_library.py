"""The module's binding of the library: loading, versions, every prototype declared, status codes."""

import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import ALEX, HEADER, PARENT, ROOT, STUDENT, observees, open_world


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

    def test_only_the_static_strings_are_returned_as_c_char_p(self):
        # A char* return read as c_char_p is copied and its pointer lost: only for strings never freed.
        returned = {name for name, (restype, _) in observees._PROTOTYPES.items() if restype is ctypes.c_char_p}
        self.assertEqual(returned, {"obs_version_string", "obs_status_name", "obs_last_error"})

    def test_every_answer_is_freed_once_by_the_pointer_the_library_returned(self):
        lib = observees.load_library()
        answered, freed = [], []
        real_free = lib.obs_free

        def recording(name):
            real = getattr(lib, name)

            def call(*args):
                status = real(*args)
                for out in args[-outs[name]:]:  # the char** out-parameters, c_char_p objects
                    answered.append(ctypes.cast(out, ctypes.c_void_p).value)
                return status
            return real, call

        outs = {"obs_show_observee": 1, "obs_list_observees": 1, "obs_rest_handle": 2}
        saved = {}
        try:
            for name in outs:
                saved[name], wrapper = recording(name)
                setattr(lib, name, wrapper)
            lib.obs_free = lambda pointer: (freed.append(ctypes.cast(pointer, ctypes.c_void_p).value),
                                            real_free(pointer))
            with open_world() as s:
                self.assertEqual(s.list_observees(PARENT, ROOT, PARENT)["total"], 1)
                self.assertEqual(s.show_observee(PARENT, ROOT, PARENT, ALEX)["id"], ALEX)
                with self.assertRaises(observees.NotFound):  # no answer: the out-parameter stays NULL
                    s.show_observee(PARENT, ROOT, PARENT, STUDENT)
                self.assertEqual(s.rest("GET", "/api/v1/users/self/observees",
                                        {"Authorization": "Bearer token-pat", "Host": "canvas.test"}).status, 200)
        finally:
            for name, real in saved.items():
                setattr(lib, name, real)
            lib.obs_free = real_free
        self.assertEqual(len(answered), 5)
        self.assertIsNone(answered[2])
        answers = [address for address in answered if address is not None]
        self.assertTrue(all(answers))
        self.assertEqual(sorted(freed), sorted(answers))

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
