"""python/ is a real package: it registers the plugin as a pytest11 entry point, and it is typed (py.typed).
Its version (observees.__version__, the project's) and `pip install` into a venv: tests/python."""

import os
import tomllib

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE_DIR = os.path.join(SOURCE_DIR, "python")


def _pyproject():
    with open(os.path.join(PACKAGE_DIR, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)


def test_the_plugin_is_a_pytest11_entry_point_and_the_package_is_typed():
    project = _pyproject()
    assert project["project"]["name"] == "observees"
    assert project["project"]["entry-points"]["pytest11"] == {"observees": "observees.pytest_plugin"}
    assert os.path.exists(os.path.join(PACKAGE_DIR, "observees", "py.typed"))
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["observees"]
