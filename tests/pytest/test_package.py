"""python/ is a real package: its version is the project's, it registers the plugin as a pytest11 entry
point, and it is typed (py.typed)."""

import os
import re
import tomllib

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE_DIR = os.path.join(SOURCE_DIR, "python")


def _pyproject():
    with open(os.path.join(PACKAGE_DIR, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)


def test_the_version_is_the_projects():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
        cmake_version = re.search(r"project\(observees VERSION (\S+)", f.read()).group(1)
    assert _pyproject()["project"]["version"] == cmake_version


def test_the_plugin_is_a_pytest11_entry_point_and_the_package_is_typed():
    project = _pyproject()
    assert project["project"]["name"] == "observees"
    assert project["project"]["entry-points"]["pytest11"] == {"observees": "observees.pytest_plugin"}
    assert os.path.exists(os.path.join(PACKAGE_DIR, "observees", "py.typed"))
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["observees"]
