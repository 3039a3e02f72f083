"""pytest plugin: a seeded ``observees-server --harness`` for tests of apps built on the API.

Registered as the ``pytest11`` entry point ``observees`` (installed package), or loaded with
``pytest -p observees.pytest_plugin``. Fixtures:

``observees_server`` (session)
    Starts ``observees-server --harness`` on a free loopback port (``--listen 127.0.0.1:0``, the port
    read from its first line of output) on an in-memory database seeded with the fixture file, and
    stops it when the session ends. Yields a :class:`HarnessServer`.
``observees`` (function)
    The same server, reset to the fixture and with the clock back at its start time before the test.

Configuration (an environment variable wins over the ini option):

``OBSERVEES_SERVER`` / ini ``observees_server``
    the binary (default: ``observees-server`` on ``PATH``);
``OBSERVEES_FIXTURE`` / ini ``observees_fixture``
    the fixture file (docs/fixture.md); none: an empty database. A relative ini path is relative to
    the ini file.

The server is its own process group, stopped with SIGTERM then SIGKILL by the session's finalizer (which
pytest runs after a failure or Ctrl-C too), by ``atexit``, and by the kernel when the pytest process
dies (``PR_SET_PDEATHSIG``, Linux): nothing is left running.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import re
import select
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from typing import IO, Any, Dict, Iterable, Mapping, Optional, Tuple, Union

import pytest

__all__ = ["HarnessServer", "HarnessError"]

_LISTENING = re.compile(r"^listening on (http://[^\s]+:(\d+))\s*$")
_PR_SET_PDEATHSIG = 1


class HarnessError(Exception):
    """The server could not start, or a harness route answered an error."""


def _die_with_parent() -> None:
    # In the child before exec: the kernel sends SIGKILL if the pytest process dies first.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class HarnessServer:
    """One running ``observees-server --harness``.

    ``base_url`` is ``http://127.0.0.1:PORT``; ``request()`` sends any API request; ``reset()``,
    ``now()``, ``set_clock()``, ``advance()``, ``audit()`` and ``load_fixture()`` drive the harness
    routes (docs/harness.md); ``token(name)`` is a fixture user's first access token.
    """

    def __init__(self, binary: str, fixture_path: Optional[str] = None, extra_args: Iterable[str] = (),
                 start_timeout: float = 30.0) -> None:
        """Starts `binary` on an in-memory database seeded with `fixture_path` (if given) plus
        `extra_args`; HarnessError when it does not print its address within `start_timeout` seconds."""
        self.binary = binary
        self.fixture_path = fixture_path
        self._fixture: Optional[Dict[str, Any]] = None
        if fixture_path is not None:
            with open(fixture_path, encoding="utf-8") as f:
                self._fixture = json.load(f)
        args = [binary, "--db", ":memory:", "--listen", "127.0.0.1:0", "--harness", "--fast-password-hashing"]
        if fixture_path is not None:
            args += ["--seed", fixture_path]
        args += list(extra_args)
        self._log: IO[bytes] = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=self._log, start_new_session=True,
                                             preexec_fn=_die_with_parent)
        except OSError as e:
            self._log.close()
            raise HarnessError("cannot start %s: %s (set OBSERVEES_SERVER)" % (binary, e)) from e
        atexit.register(self.stop)
        try:
            self.base_url = self._wait_until_listening(start_timeout)
        except BaseException:
            self.stop()
            raise
        self.start_time = self.now()

    @property
    def pid(self) -> int:
        """The server's process id (also its process group's)."""
        return self._process.pid

    def _wait_until_listening(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        line = b""
        out = self._process.stdout
        assert out is not None
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                raise HarnessError("observees-server did not start within %gs:\n%s" % (timeout, self.log()))
            chunk = os.read(out.fileno(), 1)
            if not chunk:
                raise HarnessError("observees-server exited before listening:\n%s" % self.log())
            line += chunk
        match = _LISTENING.match(line.decode("utf-8", "replace"))
        if not match:
            raise HarnessError("unexpected first line from observees-server: %r" % line)
        return match.group(1)

    def log(self) -> str:
        """What the server has written to standard error (one line per request; never a secret)."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def running(self) -> bool:
        """Whether the server process is still alive."""
        return self._process.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the server's process group, SIGKILL after `grace` seconds; idempotent."""
        if self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
                self._process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
            except ProcessLookupError:
                pass
        if self._process.stdout is not None:
            self._process.stdout.close()
        if not self._log.closed:
            self._log.close()
        atexit.unregister(self.stop)

    # -- HTTP --

    def request(self, method: str, path: str, body: Union[Mapping[str, Any], list, str, bytes, None] = None,
                token: Optional[str] = None, headers: Optional[Mapping[str, str]] = None,
                timeout: float = 30.0) -> Tuple[int, Any]:
        """Sends one request; returns (status, parsed JSON body or None). A dict body goes as JSON, a
        str as it is (set Content-Type in `headers`); `token` adds a bearer Authorization header."""
        all_headers = dict(headers or {})
        data: Optional[bytes] = None
        if isinstance(body, (Mapping, list)):
            data = json.dumps(body if isinstance(body, list) else dict(body)).encode("utf-8")
            all_headers.setdefault("Content-Type", "application/json")
        elif body is not None:
            data = body.encode("utf-8") if isinstance(body, str) else body
        if token is not None:
            all_headers["Authorization"] = "Bearer " + token
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        return status, (json.loads(text) if text else None)

    def _harness(self, method: str, route: str, body: Optional[Mapping[str, Any]] = None) -> Any:
        status, answer = self.request(method, "/__observees/" + route, body)
        if status != 200:
            raise HarnessError("%s /__observees/%s: %d %s" % (method, route, status, answer))
        return answer

    # -- the harness routes --

    def reset(self) -> None:
        """Back to the fixture (or empty), in one step. The clock stays."""
        self._harness("POST", "reset")

    def now(self) -> str:
        """The server's time, "YYYY-MM-DDTHH:MM:SSZ"."""
        return str(self._harness("GET", "clock")["now"])

    def set_clock(self, iso_time: str) -> str:
        """Sets the server's clock to an ISO-8601 time; returns it as the server now reads it."""
        return str(self._harness("PUT", "clock", {"now": iso_time})["now"])

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> str:
        """Moves the clock forward (negative: back); returns the new time."""
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        if total != int(total):
            raise ValueError("advance() moves the clock by whole seconds")
        return str(self._harness("PUT", "clock", {"advance_seconds": int(total)})["now"])

    def audit(self, since: int = 0) -> Any:
        """The audit entries after id `since` (docs/harness.md)."""
        return self._harness("GET", "audit?since=%d" % since)

    def load_fixture(self, fixture: Union[Mapping[str, Any], str]) -> None:
        """Loads a fixture (a dict, or JSON text) on top; a reset drops it again."""
        self._harness("POST", "fixture", json.loads(fixture) if isinstance(fixture, str) else fixture)

    def token(self, name: Union[str, int]) -> str:
        """The first access token of the fixture user whose name, login (unique_id) or id is `name`."""
        for user in (self._fixture or {}).get("users", []):
            logins = [login.get("unique_id") for login in user.get("logins", [])]
            if name == user.get("id") or name == user.get("name") or name in logins:
                tokens = user.get("tokens", [])
                if tokens:
                    first = tokens[0]
                    return first if isinstance(first, str) else str(first["token"])
        raise KeyError("no user named %r with a token in %s" % (name, self.fixture_path))


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini options observees_server and observees_fixture."""
    parser.addini("observees_server", "observees-server binary (env OBSERVEES_SERVER wins)", default="")
    parser.addini("observees_fixture", "fixture file the server is seeded with (env OBSERVEES_FIXTURE wins)",
                  default="")


def _setting(config: pytest.Config, env: str, ini: str) -> Optional[str]:
    value = os.environ.get(env)
    if value:
        return value
    value = str(config.getini(ini))
    if value and config.inipath is not None and not os.path.isabs(value):
        value = os.path.join(os.path.dirname(str(config.inipath)), value)
    return value or None


@pytest.fixture(scope="session")
def observees_server(request: pytest.FixtureRequest) -> HarnessServer:
    """The session's observees-server --harness (see the module's docstring)."""
    config = request.config
    binary = _setting(config, "OBSERVEES_SERVER", "observees_server") or "observees-server"
    server = HarnessServer(binary, _setting(config, "OBSERVEES_FIXTURE", "observees_fixture"))
    request.addfinalizer(server.stop)
    return server


@pytest.fixture
def observees(observees_server: HarnessServer) -> HarnessServer:
    """The session's server, reset to its fixture with the clock at its start time."""
    observees_server.reset()
    observees_server.set_clock(observees_server.start_time)
    return observees_server
