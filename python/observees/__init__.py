"""observees from Python: Canvas LMS's observer/observee rules through the library's C ABI (ctypes, no
compiler).

    import observees

    with observees.Service("observees.db", {"password_hashing": "fastest"}) as service:
        service.load_fixture_file("examples/data/demo.json")
        code = service.create_pairing_code(20, 1, 20)           # acting user, domain root account, student
        service.add_observee(10, 1, 10, pairing_code=code["code"])
        page = service.list_observees(10, 1, 10)                # {"users": [...], "page", "per_page", "total"}

Every operation takes the acting user (0: anonymous) and the domain root account (the root account whose
domain the request came through; 0: none) first, and returns Canvas's JSON as Python objects. User ids
must be positive. The numbered rules and endpoint labels the library follows are in the repository's
docs/rules.md.

Errors. A refused call raises the ObserveesError subclass of its status (NotFound, PermissionDenied,
InvalidCode, ...) with the library's message, which never holds a password, token or pairing code.
StorageBusy (a lock held past busy_timeout_ms, a PostgreSQL serialization failure, a server lost after
opening) is retryable: nothing changed and the same call may succeed later; InternalError is not. An argument of the wrong Python type
(b"..." for a pairing code, "10" for a user id) raises TypeError before anything is called; a value of
the right type that the library refuses (an id of 0, a malformed time) raises InvalidArgument, a
ValueError.

Service options (the `options` of Service, a dict or its JSON text; every key optional, an unknown key
or a value out of range is InvalidArgument naming it, and nothing is created):
    pairing_code_length            characters in a pairing code, 4..10 (6)
    pairing_code_alphabet          the characters codes are drawn from: printable ASCII, no repeats, at
                                   least 10 (A-Z, a-z, 0-9)
    pairing_code_lifetime_seconds  how long a code stays redeemable, >= 60 (604800: seven days)
    pairing_code_max_active        active codes a student may hold at once, 1..10000 (20)
    limiter                        the attempt limiter of failed code redemptions, token guesses and
                                   password checks, a dict: enabled (True); max_failures per caller
                                   and per login, 1..10000 (10), within window_seconds (900);
                                   anonymous_max_failures per root account, 1..1000000 (100), within
                                   anonymous_window_seconds (3600); token_max_failures per client
                                   within window_seconds, 1..1000000 (100). Past a limit the call
                                   raises TooManyAttempts.
    default_per_page, max_per_page list page sizes, 1..10000 (10, 100); the default may not exceed the max
    min_password_length            for self-registration, 1..256 (8)
    password_hashing               "interactive" (default), "moderate" or "fastest" (tests only)
    connections                    database connections, 1..64 (4)
    busy_timeout_ms                SQLite: how long a call waits for another writer's lock before it
                                   raises StorageBusy, >= 0 (10000)
    schema                         PostgreSQL: the schema holding the tables, created if missing
    table_prefix                   SQLite: a prefix for the tables' names (e.g. "obs_"), so that they can
                                   share a file with another program's tables (default: none)
    secret_key                     the key of the keyed hash of codes and tokens (default: one stored in
                                   the database)
    test_clock                     run on a test clock standing at this ISO-8601 time (see clock_set)
    base_url                       makes relative avatar URLs absolute, e.g. "https://canvas.test"
    rest                           the REST router of Service.rest, a dict: default_root_account,
                                   max_parameter_bytes (4096), max_body_bytes (65536), scheme ("http"
                                   or "https": how clients reach it, for the Link header's URLs)

The library is libobservees_c.so: the file named by $OBSERVEES_LIBRARY, else one next to this module,
else whatever ctypes.util.find_library("observees_c") finds on the system.

Threads: a Service may be used from many threads at once (ctypes releases the GIL during each call);
close() waits for calls in flight and is idempotent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import threading
from collections.abc import Iterable as _IterableABC
from typing import Any, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

__version__ = "0.1.0"  # the one source of the package's version (pyproject.toml reads it); the project's

__all__ = [
    "__version__", "CODE_STATES", "SCOPE_ALL", "SCOPE_DOMAIN", "Service", "RestResponse", "load_library",
    "library_version", "disable_sqlite_memory_statistics",
    "ObserveesError", "InvalidArgument", "NotFound", "Unauthenticated", "PermissionDenied", "InvalidCode",
    "TooManyAttempts", "UnknownObservee", "InvalidCredentials", "SelfObservation", "AlreadyExists", "Aborted",
    "InternalError", "StorageBusy", "Misuse",
]

# Root-account scopes (the root_account_scope arguments): the domain's root account, every root account,
# or else a positive root account id.
SCOPE_DOMAIN = 0
SCOPE_ALL = -1

_LIST_INCLUDE_AVATAR_URL = 1

# Pairing-code states, for list_pairing_codes.
CODE_STATES = ("active", "used", "expired", "revoked")
_CODE_STATE_BITS = {"active": 1, "used": 2, "expired": 4, "revoked": 8}
_INT64 = (-(2 ** 63), 2 ** 63 - 1)  # the C ABI's int64_t (ctypes would wrap a larger int silently)
_INT32 = (-(2 ** 31), 2 ** 31 - 1)

# What the library's answers decode to: Canvas's JSON as dicts, lists, str, int, float, bool and None.
Json = Any
JsonObject = Dict[str, Any]
# Text given to the library: str (encoded as UTF-8) or bytes (passed as they are).
Text = Union[str, bytes]
# A fixture, options or other JSON input: a dict (or list) to serialize, or JSON text.
JsonInput = Union[Mapping[str, Any], Sequence[Any], str, bytes]
Path = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


# ---- Errors ---------------------------------------------------------------------------------------------

class ObserveesError(Exception):
    """A refused call: `status` is the C ABI's obs_status number, `name` its stable name, `message` the
    library's message (never a secret)."""

    status: Optional[int] = None
    name: str = "unknown"

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return "%s: %s" % (self.name, self.message)


class InvalidArgument(ObserveesError, ValueError):
    """A malformed, missing or out-of-range value (Canvas: 400); nothing changed."""
    status, name = 1, "invalid_argument"


class NotFound(ObserveesError):
    """An unknown or deleted user, account, course, link or code (Canvas: 404). The message names what
    the call looked for; `resource` holds that description alone."""
    status, name = 2, "not_found"
    resource: Optional[str] = None


class Unauthenticated(ObserveesError):
    """No acting user where the operation needs one (Canvas: 401)."""
    status, name = 3, "unauthenticated"


class PermissionDenied(ObserveesError):
    """A known acting user who may not do this (Canvas: 403)."""
    status, name = 4, "permission_denied"


class InvalidCode(ObserveesError):
    """A pairing code that is unknown, expired, used or revoked."""
    status, name = 5, "invalid_code"


class TooManyAttempts(ObserveesError):
    """The attempt limiter refused the call (the "limiter" option); a correct try is refused too until
    old failures leave the window."""
    status, name = 6, "too_many_attempts"


class UnknownObservee(ObserveesError):
    """The token, login or shared root account naming the student was not found (Canvas: 422)."""
    status, name = 7, "unknown_observee"


class InvalidCredentials(ObserveesError):
    """A wrong password, or a throttled login check."""
    status, name = 8, "invalid_credentials"


class SelfObservation(ObserveesError):
    """Observer and student are the same user."""
    status, name = 9, "self_observation"


class AlreadyExists(ObserveesError):
    """A unique value is taken, e.g. a login at self-registration."""
    status, name = 10, "already_exists"


class Aborted(ObserveesError):
    """A concurrent change won a race; the same call may be retried."""
    status, name = 11, "aborted"


class InternalError(ObserveesError):
    """A storage or library failure that retrying will not cure; nothing was changed."""
    status, name = 12, "internal"


class StorageBusy(ObserveesError):
    """Storage was busy (another writer held the lock past busy_timeout_ms, or PostgreSQL refused a
    transaction that raced another) or the server was lost after opening; nothing changed and the same
    call may succeed later."""
    status, name = 13, "unavailable"


class Misuse(ObserveesError):
    """A closed or foreign service handle reached the C library; nothing was done."""
    status, name = 14, "misuse"


_ERRORS = {cls.status: cls for cls in (
    InvalidArgument, NotFound, Unauthenticated, PermissionDenied, InvalidCode, TooManyAttempts, UnknownObservee,
    InvalidCredentials, SelfObservation, AlreadyExists, Aborted, InternalError, StorageBusy, Misuse)}

# The body Canvas answers every 404 with, which the library uses as its message.
_CANVAS_NOT_FOUND = "The specified resource does not exist."


# ---- The library ----------------------------------------------------------------------------------------

class _Service(ctypes.Structure):
    """obs_service, opaque."""


_ServicePointer = ctypes.POINTER(_Service)
# char**: the answer lands in a c_char_p passed as it is (ctypes passes its address), whose .value copies
# the text; the same c_char_p given to obs_free passes the pointer it holds.
_OutString = ctypes.POINTER(ctypes.c_char_p)

_c_int64, _c_int32, _c_uint32 = ctypes.c_int64, ctypes.c_int32, ctypes.c_uint32
_c_str = ctypes.c_char_p
_Status = ctypes.c_int

# name: (restype, argtypes), exactly as observees.h declares them.
_PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
    "obs_version": (ctypes.c_uint32, []),
    "obs_version_string": (_c_str, []),
    "obs_status_name": (_c_str, [_Status]),
    "obs_last_error": (_c_str, []),
    "obs_free": (None, [ctypes.c_void_p]),
    "obs_disable_sqlite_memory_statistics": (ctypes.c_int, []),
    "obs_service_open": (_Status, [_c_str, _c_str, ctypes.POINTER(_ServicePointer)]),
    "obs_service_close": (None, [ctypes.POINTER(_ServicePointer)]),
    "obs_load_fixture": (_Status, [_ServicePointer, _c_str]),
    "obs_load_fixture_file": (_Status, [_ServicePointer, _c_str]),
    "obs_service_reset": (_Status, [_ServicePointer, _c_str]),
    "obs_list_observees": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_int32, _c_int32, _c_uint32,
                                     _OutString]),
    "obs_list_observers": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_int32, _c_int32, _c_uint32,
                                     _OutString]),
    "obs_add_observee": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_str, _c_int64, _OutString]),
    "obs_show_observee": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_int64, _OutString]),
    "obs_show_observer": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_int64, _OutString]),
    "obs_add_observee_by_id": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_int64, _c_int64,
                                         _OutString]),
    "obs_remove_observee": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_int64, _c_int64,
                                      _OutString]),
    "obs_create_pairing_code": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _OutString]),
    "obs_list_pairing_codes": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_uint32, _c_int32, _c_int32,
                                         _OutString]),
    "obs_revoke_pairing_code": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _c_int64, _OutString]),
    "obs_revoke_all_pairing_codes": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _OutString]),
    "obs_list_enrollments": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_int64, _OutString]),
    "obs_enroll_user": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_str, _OutString]),
    "obs_register_observer": (_Status, [_ServicePointer, _c_int64, _c_int64, _c_str, _OutString]),
    "obs_sis_import": (_Status, [_ServicePointer, _c_int64, ctypes.c_void_p, ctypes.c_size_t, _c_str, _OutString]),
    "obs_sis_export": (_Status, [_ServicePointer, _c_int64, _OutString]),
    "obs_rest_handle": (_Status, [_ServicePointer, _c_str, _c_str, _c_str, ctypes.c_void_p, ctypes.c_size_t, _c_str,
                                  ctypes.POINTER(ctypes.c_int), _OutString, _OutString]),
    "obs_clock_now": (_Status, [_ServicePointer, _OutString]),
    "obs_clock_set": (_Status, [_ServicePointer, _c_str]),
    "obs_clock_advance": (_Status, [_ServicePointer, _c_int64]),
}

_lib: Optional[ctypes.CDLL] = None
_lib_lock = threading.Lock()


def _candidates() -> Iterator[str]:
    configured = os.environ.get("OBSERVEES_LIBRARY")
    if configured:
        yield configured
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("libobservees_c.so", "libobservees_c.so.0", "libobservees_c.dylib", "observees_c.dll"):
        path = os.path.join(here, name)
        if os.path.exists(path):
            yield path
    found = ctypes.util.find_library("observees_c")
    if found:
        yield found


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads libobservees_c (from `path`, else $OBSERVEES_LIBRARY, else next to this module, else the
    system's) and declares its functions; returns the ctypes library. Called on first use; OSError when
    no library is found."""
    global _lib
    with _lib_lock:
        if _lib is not None and path is None:
            return _lib
        candidates = [path] if path else list(_candidates())
        if not candidates:
            raise OSError("libobservees_c not found: set OBSERVEES_LIBRARY to its path")
        library = ctypes.CDLL(candidates[0])
        for name, (restype, argtypes) in _PROTOTYPES.items():
            function = getattr(library, name)
            function.restype = restype
            function.argtypes = argtypes
        _lib = library
        return library


def _library() -> ctypes.CDLL:
    return _lib if _lib is not None else load_library()


def library_version() -> str:
    """The running C library's version, e.g. "0.1.0" (the package's own is __version__)."""
    return _library().obs_version_string().decode("ascii")


def disable_sqlite_memory_statistics() -> bool:
    """Turns off SQLite's process-wide allocation statistics, so that services read on several threads
    without one shared mutex. Call it before anything in the process uses SQLite (Python's own sqlite3
    module included); True when done, False when SQLite was already in use (nothing changed)."""
    return _library().obs_disable_sqlite_memory_statistics() == 1


# What a call looked for, for its NotFound: a format and its values, formatted only when raised.
Missing = Optional[Tuple[Any, ...]]


def _raise_for(lib: ctypes.CDLL, status: int, missing: Missing = None) -> None:
    """Raises the exception of a non-zero status with this thread's last error in `lib`. `missing`
    describes what the call looked for; a NotFound with Canvas's generic message says it instead."""
    if status == 0:
        return
    message = lib.obs_last_error().decode("utf-8", "replace")  # thread-local in C: this thread's
    cls = _ERRORS.get(status)
    if cls is None:
        raise ObserveesError(message, status)
    if cls is NotFound and missing is not None:
        resource = missing[0] % missing[1:]
        if message == _CANVAS_NOT_FOUND:
            message = "%s not found (%s)" % (resource, message)
        error = NotFound(message)
        error.resource = resource
        raise error
    raise cls(message)


def _take_string(lib: ctypes.CDLL, out: ctypes.c_char_p) -> Optional[str]:
    """The string `lib` answered in the out-parameter `out`, decoded, and freed; None for NULL."""
    data = out.value
    if data is None:
        return None
    lib.obs_free(out)
    return data.decode("utf-8")


_scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner behind json.loads, without its Python layers


def _type_name(value: object) -> str:
    return type(value).__name__


def _text(value: object, name: str, optional: bool = False, allow_bytes: bool = True,
          allow_path: bool = False) -> Optional[bytes]:
    """str (or, where allowed, bytes or an os.PathLike) for a `const char*`; TypeError for another type.
    A lone surrogate is passed on as such, for the library to refuse."""
    if value is None:
        if optional:
            return None
        raise InvalidArgument("%s is required" % name)
    if allow_path and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    elif not (allow_bytes and isinstance(value, bytes)):
        raise TypeError("%s must be %s, not %s" % (name, "str or bytes" if allow_bytes else "str", _type_name(value)))
    if b"\0" in value:
        raise InvalidArgument("%s must not contain NUL" % name)
    return value


def _json_text(value: object, name: str, optional: bool = False) -> Optional[bytes]:
    """A dict or list serialized, or JSON text as it is; TypeError for a value JSON cannot hold."""
    if value is None and optional:
        return None
    if isinstance(value, (dict, list, tuple)):
        try:
            value = json.dumps(value)
        except TypeError as error:  # e.g. bytes inside: say which argument, not json's internals
            raise TypeError("%s holds a value JSON cannot represent: %s" % (name, error)) from None
        except ValueError as error:  # a circular reference
            raise InvalidArgument("%s cannot be serialized: %s" % (name, error)) from None
    elif not isinstance(value, (str, bytes)):
        raise TypeError("%s must be a dict or JSON text, not %s" % (name, _type_name(value)))
    return _text(value, name)


def _string_fields(name: str, fields: Iterable[Tuple[str, object]]) -> Dict[str, str]:
    """The fields given (None: left out) of a request object, each a str; TypeError otherwise."""
    request = {}
    for key, value in fields:
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError("%s must be str, not %s" % (key, _type_name(value)))
        request[key] = value
    return request


def _integer(value: object, name: str, bounds: Tuple[int, int] = _INT64) -> int:
    """An int (bool is not one here) within `bounds`: TypeError for another type, InvalidArgument out of range."""
    if type(value) is int and bounds[0] <= value <= bounds[1]:  # the common case first
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be int, not %s" % (name, _type_name(value)))
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidArgument("%s is out of range" % name)
    return int(value)


def _integers(names: str, bounds: Tuple[int, int], *values: object) -> None:
    """_integer for several values at once, `names` theirs (space-separated): one loop on the common
    path, _integer's error for the first value that is not an int within `bounds`."""
    low, high = bounds
    for value in values:
        if type(value) is not int or not low <= value <= high:
            for name, value in zip(names.split(), values):
                _integer(value, name, bounds)


def _boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError("%s must be bool, not %s" % (name, _type_name(value)))
    return value


def _bytes(value: object, name: str, what: str) -> bytes:
    """str (UTF-8) or a bytes-like value, as bytes; TypeError otherwise."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError("%s must be %s, not %s" % (name, what, _type_name(value)))


class RestResponse(NamedTuple):
    """An HTTP answer: status (int), headers ([(name, value)]), body (str, JSON)."""

    status: int
    headers: List[Tuple[str, str]]
    body: str

    def json(self) -> Json:
        """The body decoded."""
        return json.loads(self.body)

    def header(self, name: str) -> Optional[str]:
        """The first header called `name` (case-insensitive), or None."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


# ---- The service ----------------------------------------------------------------------------------------

class Service:
    """A service on an SQLite file, ":memory:" (a private in-memory database), or a PostgreSQL database
    ("postgresql://...", or "postgresql:" followed by libpq key=value conninfo), created and migrated if
    needed. `options`: a dict or JSON text, as the module's docstring lists them. A file that cannot be
    opened, or a server that cannot be reached, raises InternalError (the message never repeats a
    connection string). A context manager; close() is idempotent."""

    def __init__(self, path: Path = ":memory:", options: Optional[Union[Mapping[str, Any], str, bytes]] = None) -> None:
        # The calls in flight, one entry each in _calls from before a call reads _handle until it returns
        # (list.append and pop are atomic: a call takes no lock). close() clears _handle and sets
        # _closing under _lock, then waits on _idle until _calls is empty; a call ending while _closing
        # is set notifies _idle.
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._calls: List[None] = []
        self._closing = False
        self._handle: Any = None
        self._lib = lib = _library()  # the library that opened the handle serves its calls
        if isinstance(options, list):
            raise TypeError("options must be a dict or JSON text, not list")
        handle = _ServicePointer()
        _raise_for(lib, lib.obs_service_open(_text(path, "path", allow_path=True),
                                             _json_text(options, "options", optional=True), ctypes.byref(handle)))
        self._handle = handle

    # -- lifetime --

    def close(self) -> None:
        """Closes the service after the calls in flight; later calls raise InvalidArgument."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            handle, self._handle = self._handle, None
            self._closing = True
            while self._calls:
                self._idle.wait()
        if handle:
            self._lib.obs_service_close(ctypes.byref(handle))

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._handle is None

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to report to
            pass

    def _call(self, function: str, *args: Any, missing: Missing = None, answer: Optional[str] = "json") -> Any:
        """Runs obs_<function>(handle, *args), counted in flight for close(), and raises for a refusal
        (`missing`: what a NotFound is about, a format and its values). `answer` "json" or "text": the
        function ends with a char** answer, passed here and returned decoded (compact JSON, one value)
        or as text (None for NULL), freed either way; None: it has none. The measured path, in one frame."""
        lib = self._lib
        out = _c_str() if answer else None
        calls = self._calls
        calls.append(None)  # before reading _handle: a close() that has not cleared it yet waits for this call
        try:
            handle = self._handle
            if handle is None:
                raise InvalidArgument("the service is closed")
            status = getattr(lib, function)(handle, *args, out) if out is not None else \
                getattr(lib, function)(handle, *args)
        finally:
            calls.pop()
            if self._closing:
                with self._lock:
                    self._idle.notify_all()
            data = out.value if out is not None else None
            if data is not None:
                lib.obs_free(out)
        if status:
            _raise_for(lib, status, missing)
        if answer != "json":
            return data.decode("utf-8") if data is not None else None
        if data is None:
            raise InternalError("the library answered nothing")
        text = data.decode("utf-8")
        try:
            value, end = _scan_json(text, 0)
        except StopIteration:
            end = -1
        if end != len(text):
            raise InternalError("the library answered malformed JSON")
        return value

    # -- fixtures --

    def load_fixture(self, fixture: JsonInput) -> None:
        """Seeds the database from a fixture (a dict, or JSON text; the format is the repository's
        docs/fixture.md). Checked whole first: a bad fixture raises InvalidArgument naming the bad key
        and changes nothing; loading one twice changes nothing."""
        self._call("obs_load_fixture", _json_text(fixture, "fixture"), answer=None)

    def load_fixture_file(self, path: Path) -> None:
        """load_fixture from a file; NotFound naming the file when it cannot be read."""
        self._call("obs_load_fixture_file", _text(path, "path", allow_path=True), answer=None)

    def reset(self, fixture: Optional[JsonInput] = None) -> None:
        """Empties every table (the schema and the hash key stay), then loads `fixture` (a dict, or
        JSON text) if given, in one transaction. A bad fixture changes nothing. The clock stays."""
        self._call("obs_service_reset", _json_text(fixture, "fixture", optional=True), answer=None)

    # -- the User Observees operations --

    def _list(self, function: str, acting_user: int, domain_root_account: int, subject: int, name: str,
              page: int, per_page: int, include_avatar_url: bool) -> JsonObject:
        _integers("acting_user domain_root_account " + name, _INT64, acting_user, domain_root_account, subject)
        _integers("page per_page", _INT32, page, per_page)
        flags = _LIST_INCLUDE_AVATAR_URL if _boolean(include_avatar_url, "include_avatar_url") else 0
        return self._call(function, acting_user, domain_root_account, subject, page, per_page, flags,
                            missing=("%s %d", name, subject))

    def list_observees(self, acting_user: int, domain_root_account: int, observer: int, page: int = 1,
                       per_page: int = 0, include_avatar_url: bool = False) -> JsonObject:
        """The students `observer` observes, by sortable name then id (Canvas's GET
        /users/:user_id/observees): {"users": [...], "page": N, "per_page": M, "total": T}, where total
        counts every page. `page` from 1; `per_page` 0 for the default, else clamped to max_per_page."""
        return self._list("obs_list_observees", acting_user, domain_root_account, observer, "observer", page,
                          per_page, include_avatar_url)

    def list_observers(self, acting_user: int, domain_root_account: int, student: int, page: int = 1,
                       per_page: int = 0, include_avatar_url: bool = False) -> JsonObject:
        """The observers of `student` (Canvas's GET /users/:user_id/observers), paged as list_observees."""
        return self._list("obs_list_observers", acting_user, domain_root_account, student, "student", page,
                          per_page, include_avatar_url)

    def add_observee(self, acting_user: int, domain_root_account: int, observer: int,
                     access_token: Optional[str] = None, pairing_code: Optional[str] = None,
                     unique_id: Optional[str] = None, password: Optional[str] = None,
                     root_account_scope: int = SCOPE_DOMAIN) -> JsonObject:
        """Links `observer` to the student named by an access token, a pairing code, or a login and
        password (Canvas's POST /users/:user_id/observees; the first given in that order decides);
        returns the student. UnknownObservee, InvalidCredentials, InvalidCode, SelfObservation or
        TooManyAttempts when the student cannot be named; InvalidArgument when nothing names one."""
        _integers("acting_user domain_root_account observer root_account_scope", _INT64, acting_user,
                  domain_root_account, observer, root_account_scope)
        request = _string_fields("request", (("access_token", access_token), ("pairing_code", pairing_code),
                                             ("unique_id", unique_id), ("password", password)))
        return self._call("obs_add_observee", acting_user, domain_root_account, observer,
                            _json_text(request, "request"), root_account_scope, missing=("observer %d", observer))

    def show_observee(self, acting_user: int, domain_root_account: int, observer: int, student: int) -> JsonObject:
        """One student `observer` observes (Canvas's GET /users/:user_id/observees/:observee_id);
        NotFound when the two share no active link."""
        _integers("acting_user domain_root_account observer student", _INT64, acting_user, domain_root_account,
                  observer, student)
        return self._call("obs_show_observee", acting_user, domain_root_account, observer, student,
                            missing=("an active link from observer %d to student %d", observer, student))

    def show_observer(self, acting_user: int, domain_root_account: int, student: int, observer: int) -> JsonObject:
        """One observer of `student` (Canvas's GET /users/:user_id/observers/:observer_id); NotFound when
        the two share no active link."""
        _integers("acting_user domain_root_account student observer", _INT64, acting_user, domain_root_account,
                  student, observer)
        return self._call("obs_show_observer", acting_user, domain_root_account, student, observer,
                            missing=("an active link from observer %d to student %d", observer, student))

    def add_observee_by_id(self, acting_user: int, domain_root_account: int, observer: int, student: int,
                           root_account_scope: int = SCOPE_DOMAIN) -> JsonObject:
        """An administrator links `observer` to `student` (Canvas's PUT
        /users/:user_id/observees/:observee_id); returns the student."""
        _integers("acting_user domain_root_account observer student root_account_scope", _INT64, acting_user,
                  domain_root_account, observer, student, root_account_scope)
        return self._call("obs_add_observee_by_id", acting_user, domain_root_account, observer, student,
                            root_account_scope, missing=("observer %d or student %d", observer, student))

    def remove_observee(self, acting_user: int, domain_root_account: int, observer: int, student: int,
                        root_account_scope: int = SCOPE_ALL) -> JsonObject:
        """Removes the links from `observer` to `student` that the caller may remove, only in the root
        account the scope names (every one for SCOPE_ALL or SCOPE_DOMAIN) (Canvas's DELETE
        /users/:user_id/observees/:observee_id); returns the student."""
        _integers("acting_user domain_root_account observer student root_account_scope", _INT64, acting_user,
                  domain_root_account, observer, student, root_account_scope)
        return self._call("obs_remove_observee", acting_user, domain_root_account, observer, student,
                            root_account_scope, missing=("a link from observer %d to student %d", observer, student))

    def create_pairing_code(self, acting_user: int, domain_root_account: int, student: int) -> JsonObject:
        """A new pairing code for `student` (Canvas's POST /users/:user_id/observer_pairing_codes):
        {"user_id", "code", "expires_at", "workflow_state"}."""
        _integers("acting_user domain_root_account student", _INT64, acting_user, domain_root_account, student)
        return self._call("obs_create_pairing_code", acting_user, domain_root_account, student,
                            missing=("student %d", student))

    def list_pairing_codes(self, acting_user: int, domain_root_account: int, student: int,
                           states: Optional[Iterable[str]] = None, page: int = 1, per_page: int = 0) -> JsonObject:
        """The student's codes in `states` (names among CODE_STATES; None: active only), newest first:
        {"codes": [...], "page": N, "per_page": M, "total": T}. A code is in clear for the student and
        administrators, masked for others."""
        if isinstance(states, (str, bytes)) or not (states is None or isinstance(states, _IterableABC)):
            raise TypeError("states must be a collection of state names, not %s" % _type_name(states))
        flags = 0
        for state in states or ():
            if not isinstance(state, str):
                raise TypeError("a state must be str, not %s" % _type_name(state))
            if state not in _CODE_STATE_BITS:
                raise InvalidArgument("unknown code state %r (expected one of %s)" % (state, ", ".join(CODE_STATES)))
            flags |= _CODE_STATE_BITS[state]
        _integers("acting_user domain_root_account student", _INT64, acting_user, domain_root_account, student)
        _integers("page per_page", _INT32, page, per_page)
        return self._call("obs_list_pairing_codes", acting_user, domain_root_account, student, flags, page,
                            per_page, missing=("student %d", student))

    def revoke_pairing_code(self, acting_user: int, domain_root_account: int, student: int,
                            code_id: int) -> JsonObject:
        """Revokes one active code (idempotent): the code object, its "state" and "changed" (whether this
        call revoked it). NotFound for a code that is not the student's."""
        _integers("acting_user domain_root_account student code_id", _INT64, acting_user, domain_root_account,
                  student, code_id)
        return self._call("obs_revoke_pairing_code", acting_user, domain_root_account, student, code_id,
                            missing=("pairing code %d of student %d", code_id, student))

    def revoke_all_pairing_codes(self, acting_user: int, domain_root_account: int, student: int) -> int:
        """Revokes every active code of the student's; returns how many."""
        _integers("acting_user domain_root_account student", _INT64, acting_user, domain_root_account, student)
        return self._call("obs_revoke_all_pairing_codes", acting_user, domain_root_account, student,
                            missing=("student %d", student))["revoked"]

    # -- enrollments and self-registration --

    def list_enrollments(self, acting_user: int, domain_root_account: int, user: int) -> List[JsonObject]:
        """The user's enrollments (Canvas Enrollment objects), observer enrollments included."""
        _integers("acting_user domain_root_account user", _INT64, acting_user, domain_root_account, user)
        return self._call("obs_list_enrollments", acting_user, domain_root_account, user,
                            missing=("user %d", user))

    def enroll_user(self, acting_user: int, domain_root_account: int, course_id: int, user_id: int,
                    type: str = "StudentEnrollment", enrollment_state: str = "active",
                    course_section_id: Optional[int] = None) -> JsonObject:
        """Enrolls a user, or changes the state of their enrollment (administrators); observers linked to
        a student follow them into the course. Returns the Enrollment."""
        _integers("acting_user domain_root_account course_id user_id", _INT64, acting_user, domain_root_account,
                  course_id, user_id)
        request: Dict[str, Any] = {"course_id": course_id, "user_id": user_id}
        request.update(_string_fields("request", (("type", type), ("enrollment_state", enrollment_state))))
        if course_section_id is not None:
            request["course_section_id"] = _integer(course_section_id, "course_section_id")
        return self._call("obs_enroll_user", acting_user, domain_root_account, _json_text(request, "request"),
                            missing=("course %d or user %d", course_id, user_id))

    def register_observer(self, acting_user: int, domain_root_account: int, name: str, unique_id: str,
                          password: str, pairing_code: Optional[str] = None, sortable_name: Optional[str] = None,
                          short_name: Optional[str] = None, initial_enrollment_type: Optional[str] = None,
                          client_key: Optional[str] = None) -> JsonObject:
        """Observer self-registration with a pairing code, in the domain root account; `acting_user` may
        be 0, `client_key` (e.g. the peer address) keys the attempt limiter for anonymous callers.
        Returns the new observer. PermissionDenied when the domain does not allow it; InvalidCode;
        InvalidArgument or AlreadyExists for the user's fields."""
        _integers("acting_user domain_root_account", _INT64, acting_user, domain_root_account)
        for key, value in (("name", name), ("unique_id", unique_id), ("password", password)):
            if value is None:
                raise InvalidArgument("%s is required" % key)
        request = _string_fields("request", (
            ("name", name), ("unique_id", unique_id), ("password", password), ("pairing_code", pairing_code),
            ("sortable_name", sortable_name), ("short_name", short_name),
            ("initial_enrollment_type", initial_enrollment_type), ("client_key", client_key)))
        return self._call("obs_register_observer", acting_user, domain_root_account, _json_text(request, "request"))

    # -- SIS import and export of user_observers.csv (the repository's docs/sis-import.md) --

    def import_user_observers(self, csv: Union[str, bytes, bytearray, "os.PathLike[str]"], root_account: int,
                              dry_run: bool = False, actor: Optional[int] = None, batch_mode: bool = False,
                              diffing_data_set_identifier: Optional[str] = None,
                              change_threshold: Optional[int] = None) -> JsonObject:
        """Imports user_observers.csv into `root_account`, all rows or none. `csv`: the file's text (str),
        its bytes, or an os.PathLike path to read. `dry_run`: report what would happen and write nothing.
        `actor`: the user running it (audit log, record). `batch_mode` with `diffing_data_set_identifier`
        removes the links that data set owns and the file leaves out; `change_threshold` (1-100, batch
        mode only) aborts a batch removing more than that percentage of them. Returns the report: {"id"
        (None for a dry run), "workflow_state", "created", "restored", "deleted", "batch_deleted",
        "unchanged", "rows", "warnings": [[row, message]], "errors": [[row, message]], "batch_removals":
        [{"id", "observer_id", "student_id"}], "dry_run", "committed"}; a malformed file comes back with
        "errors" and nothing imported. Raises Aborted when another import of the root account committed
        while this file was read (nothing written: run it again)."""
        if isinstance(csv, os.PathLike):
            with open(csv, "rb") as f:
                csv = f.read()
        data = _bytes(csv, "csv", "str, bytes or a path")
        root_account = _integer(root_account, "root_account")
        options: Dict[str, object] = {}
        if _boolean(dry_run, "dry_run"):
            options["dry_run"] = True
        if actor is not None:
            options["actor"] = _integer(actor, "actor")
        if _boolean(batch_mode, "batch_mode"):
            options["batch_mode"] = True
        if diffing_data_set_identifier is not None:
            if not isinstance(diffing_data_set_identifier, str):
                raise TypeError("diffing_data_set_identifier must be str, not %s"
                                % _type_name(diffing_data_set_identifier))
            options["diffing_data_set_identifier"] = diffing_data_set_identifier
        if change_threshold is not None:
            options["change_threshold"] = _integer(change_threshold, "change_threshold")
        return self._call("obs_sis_import", root_account, data or None, len(data), _json_text(options, "options"),
                          missing=("root account %d", root_account))

    def export_user_observers(self, root_account: int) -> str:
        """The active links of `root_account` as user_observers.csv text (CRLF line ends; a value a
        spreadsheet would run as a formula gets a leading ')."""
        root_account = _integer(root_account, "root_account")
        return self._call("obs_sis_export", root_account, missing=("root account %d", root_account),
                            answer="text") or ""

    # -- REST --

    def rest(self, method: Text, target: Text,
             headers: Optional[Union[Mapping[str, str], Iterable[Tuple[str, str]]]] = None,
             body: Union[str, bytes, bytearray] = b"", peer: Optional[Text] = None) -> RestResponse:
        """Answers one HTTP request as Canvas would (the eight endpoints under /api/v1 and POST /users).
        `target`: the path and query; `headers`: a dict or [(name, value)]; `body`: str or bytes, passed
        on unchanged (a body the router cannot decode is a 400 answer, not an exception); `peer`: the
        client's address. Any HTTP status comes back as a RestResponse."""
        if isinstance(headers, Mapping):
            headers = list(headers.items())
        headers_json = None
        if headers is not None:
            if isinstance(headers, (str, bytes)) or not isinstance(headers, _IterableABC):
                raise TypeError("headers must be a dict or (name, value) pairs, not %s" % _type_name(headers))
            pairs = []
            for pair in headers:
                if isinstance(pair, (str, bytes)) or not isinstance(pair, (tuple, list)):
                    raise TypeError("a header must be a (name, value) pair, not %s" % _type_name(pair))
                for part in pair:
                    if not isinstance(part, str):
                        raise TypeError("header names and values must be str, not %s" % _type_name(part))
                pairs.append(list(pair))
            headers_json = _json_text(pairs, "headers")
        data = _bytes(body, "body", "str or bytes")
        status = ctypes.c_int()
        out_headers = _c_str()
        out_body = _c_str()
        try:
            self._call("obs_rest_handle", _text(method, "method"), _text(target, "target"), headers_json,
                       data or None, len(data), _text(peer, "peer", optional=True), ctypes.byref(status),
                       out_headers, out_body, answer=None)
        finally:
            headers_text = _take_string(self._lib, out_headers)
            body_text = _take_string(self._lib, out_body)
        return RestResponse(status.value, [(name, value) for name, value in json.loads(headers_text or "[]")],
                            body_text or "")

    # -- clock --

    def clock_now(self) -> str:
        """The service's "now", e.g. "2026-01-01T00:00:00Z"."""
        return self._call("obs_clock_now", answer="text") or ""

    def clock_set(self, iso_time: str) -> None:
        """Only with the "test_clock" option (else InvalidArgument): sets "now" to an ISO-8601 time (UTC
        "Z" or an offset) within 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z."""
        self._call("obs_clock_set", _text(iso_time, "iso_time", allow_bytes=False), answer=None)

    def clock_advance(self, seconds: int) -> None:
        """Only with the "test_clock" option: moves "now" by `seconds` (negative: back), within the range
        clock_set accepts."""
        self._call("obs_clock_advance", _integer(seconds, "seconds"), answer=None)
