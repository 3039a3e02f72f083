"""The observees pytest plugin (python/observees/pytest_plugin.py): the fixtures start a seeded
observees-server --harness and drive it, and the server is gone when the session ends, whether the
tests passed, failed or were interrupted. Needs OBSERVEES_SERVER and OBSERVEES_FIXTURE (ctest sets
them) and the plugin loaded with -p observees.pytest_plugin."""

import os
import sys

import pytest

import observees
from observees.pytest_plugin import HarnessError, HarnessServer


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_server_is_seeded_and_driven(observees):
    assert observees.base_url.startswith("http://127.0.0.1:")
    status, users = observees.request("GET", "/api/v1/users/self/observees", token=observees.token("pat"))
    assert status == 200 and [u["id"] for u in users] == [21]
    assert observees.token("Pat Parent") == observees.token(10) == "demo-parent-token"
    with pytest.raises(KeyError):
        observees.token("nobody")
    before = observees.now()
    after = observees.advance(days=7, seconds=1)
    assert after > before and after.endswith("Z")
    assert observees.set_clock("2030-01-01T00:00:00Z") == "2030-01-01T00:00:00Z"
    observees.load_fixture({"users": [{"id": 77, "name": "Extra", "tokens": ["extra-token"]}]})
    assert observees.request("GET", "/api/v1/users/self/observees", token="extra-token")[0] == 200
    observees.reset()
    assert observees.request("GET", "/api/v1/users/self/observees", token="extra-token")[0] == 401
    with pytest.raises(HarnessError):
        observees.set_clock("not a time")


def test_the_function_fixture_resets_and_rewinds(observees):
    # Runs after the test above moved the clock and loaded a user: neither shows here.
    assert observees.now() == observees.start_time
    assert observees.request("GET", "/api/v1/users/self/observees", token="extra-token")[0] == 401


def test_a_missing_binary_is_a_clear_error(tmp_path):
    with pytest.raises(HarnessError, match="OBSERVEES_SERVER"):
        HarnessServer(str(tmp_path / "no-such-server"))


INNER = """
import os
def test_inner(observees):
    with open(os.environ["PID_FILE"], "w") as f:
        f.write(str(observees.pid))
    {ending}
"""


@pytest.mark.parametrize("ending", ["assert False, 'a failing test'", "raise KeyboardInterrupt"])
def test_nothing_is_left_running(pytester, tmp_path, monkeypatch, ending):
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("PID_FILE", str(pid_file))
    # The inner session runs elsewhere: the package's folder as an absolute path.
    monkeypatch.setenv("PYTHONPATH", os.path.dirname(os.path.dirname(os.path.abspath(observees.__file__))))
    pytester.makepyfile(INNER.format(ending=ending))
    result = pytester.runpytest_subprocess("-p", "observees.pytest_plugin", "-p", "no:cacheprovider")
    assert result.ret != 0
    pid = int(pid_file.read_text())
    assert not _alive(pid)


if __name__ == "__main__":
    sys.exit(pytest.main(sys.argv))
