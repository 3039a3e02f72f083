"""`pip install` of python/ into a fresh venv works offline, and the installed copy imports and runs: with
$OBSERVEES_LIBRARY, and with no variable when the library sits next to the package (as a wheel that
carries it installs it). Debian's python3-venv and python3-pip (scripts/lib/common.sh installs them)."""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import SOURCE_DIR, observees

_CHECK = """
import importlib.metadata, os, observees
with observees.Service(":memory:", {"password_hashing": "fastest"}) as service:
    now = service.clock_now()
plugin = [e.value for e in importlib.metadata.entry_points(group="pytest11") if e.name == "observees"]
print(os.path.realpath(observees.__file__))
print(observees.__version__, observees.library_version(), importlib.metadata.version("observees"))
print(os.path.exists(os.path.join(os.path.dirname(observees.__file__), "py.typed")), plugin, len(now))
"""


@unittest.skipIf(os.environ.get("OBSERVEES_TEST_BACKEND") == "postgres", "touches no storage: run once, on SQLite")
class PipInstallTest(unittest.TestCase):
    def test_pip_installs_the_package_into_a_venv(self):
        library = os.path.realpath(observees.load_library()._name)
        with tempfile.TemporaryDirectory() as directory:
            source = os.path.join(directory, "python")  # a copy: pip builds in the tree it is given
            shutil.copytree(os.path.join(SOURCE_DIR, "python"), source,
                            ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
            venv = os.path.join(directory, "venv")
            # The system's site-packages give the build its setuptools without the network.
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
            python = os.path.join(venv, "bin", "python")
            env = {key: value for key, value in os.environ.items()
                   if key not in ("OBSERVEES_LIBRARY", "PYTHONPATH", "PYTHONHOME")}
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation",
                            "--no-deps", "--no-cache-dir", "--disable-pip-version-check", source],
                           env=env, cwd=directory, check=True)

            def run(extra_env):
                return subprocess.run([python, "-c", _CHECK], env=dict(env, **extra_env), cwd=directory,
                                      capture_output=True, text=True, check=True).stdout.splitlines()

            where, versions, extras = run({"OBSERVEES_LIBRARY": library})
            installed = glob.glob(os.path.join(venv, "lib", "python3*", "site-packages", "observees"))
            self.assertEqual(len(installed), 1)
            self.assertEqual(where, os.path.join(os.path.realpath(installed[0]), "__init__.py"))
            self.assertEqual(versions.split(), [observees.__version__] * 3)
            self.assertEqual(extras, "True ['observees.pytest_plugin'] 20")

            os.symlink(library, os.path.join(installed[0], "libobservees_c.so"))
            self.assertEqual(run({})[1], versions)


if __name__ == "__main__":
    unittest.main()
