"""observees from Python: Canvas LMS's observer/observee rules through the C ABI (ctypes, no compiler).

    import observees

    with observees.Service("observees.db", {"password_hashing": "fastest"}) as service:
        service.load_fixture_file("examples/data/demo.json")
        code = service.create_pairing_code(20, 1, 20)           # acting user, domain root account, student
        service.add_observee(10, 1, 10, pairing_code=code["code"])
        page = service.list_observees(10, 1, 10)                # {"users": [...], "page", "per_page", "total"}

Every operation takes the acting user (0: anonymous) and the domain root account first, as the C
functions do, and returns Canvas's JSON as Python objects. A refused call raises the ObserveesError
subclass of its status (NotFound, PermissionDenied, InvalidCode, ...) with the library's message.

The library is libobservees_c.so: the file named by $OBSERVEES_LIBRARY, else one next to this module,
else whatever ctypes.util.find_library("observees_c") finds.

Threads: a Service may be used from many threads at once (ctypes releases the GIL during each call);
close() waits for calls in flight and is idempotent.
"""

import collections
import ctypes
import ctypes.util
import json
import os
import threading

__all__ = [
    "CODE_STATES", "SCOPE_ALL", "SCOPE_DOMAIN", "Service", "RestResponse", "load_library", "library_version",
    "ObserveesError", "InvalidArgument", "NotFound", "Unauthenticated", "PermissionDenied", "InvalidCode",
    "TooManyAttempts", "UnknownObservee", "InvalidCredentials", "SelfObservation", "AlreadyExists", "Aborted",
    "InternalError", "StorageBusy", "Misuse",
]

# Root-account scopes (observees.h, convention 9): the domain's root account, every root account, or an id.
SCOPE_DOMAIN = 0
SCOPE_ALL = -1

_LIST_INCLUDE_AVATAR_URL = 1

# Pairing-code states (observees.h OBS_CODE_*), for list_pairing_codes.
CODE_STATES = ("active", "used", "expired", "revoked")
_CODE_STATE_BITS = {"active": 1, "used": 2, "expired": 4, "revoked": 8}
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_INT32 = (-(2 ** 31), 2 ** 31 - 1)


# ---- Errors ---------------------------------------------------------------------------------------------

class ObserveesError(Exception):
    """A refused call: `status` is the C ABI's obs_status, `message` the library's message (never a secret)."""

    status = None
    name = "unknown"

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self):
        return "%s: %s" % (self.name, self.message)


class InvalidArgument(ObserveesError, ValueError):
    status, name = 1, "invalid_argument"


class NotFound(ObserveesError):
    status, name = 2, "not_found"


class Unauthenticated(ObserveesError):
    status, name = 3, "unauthenticated"


class PermissionDenied(ObserveesError):
    status, name = 4, "permission_denied"


class InvalidCode(ObserveesError):
    status, name = 5, "invalid_code"


class TooManyAttempts(ObserveesError):
    status, name = 6, "too_many_attempts"


class UnknownObservee(ObserveesError):
    status, name = 7, "unknown_observee"


class InvalidCredentials(ObserveesError):
    status, name = 8, "invalid_credentials"


class SelfObservation(ObserveesError):
    status, name = 9, "self_observation"


class AlreadyExists(ObserveesError):
    status, name = 10, "already_exists"


class Aborted(ObserveesError):
    status, name = 11, "aborted"


class InternalError(ObserveesError):
    status, name = 12, "internal"


class StorageBusy(ObserveesError):
    """Storage was busy or unreachable; nothing changed and the same call may succeed later."""
    status, name = 13, "unavailable"


class Misuse(ObserveesError):
    """A closed or foreign service handle (observees.h, convention 11); nothing was done."""
    status, name = 14, "misuse"


_ERRORS = {cls.status: cls for cls in (
    InvalidArgument, NotFound, Unauthenticated, PermissionDenied, InvalidCode, TooManyAttempts, UnknownObservee,
    InvalidCredentials, SelfObservation, AlreadyExists, Aborted, InternalError, StorageBusy, Misuse)}


# ---- The library ----------------------------------------------------------------------------------------

class _Service(ctypes.Structure):
    """obs_service, opaque."""


_ServicePointer = ctypes.POINTER(_Service)
_OutString = ctypes.POINTER(ctypes.c_void_p)  # char**: read as c_void_p, freed with obs_free

_c_int64, _c_int32, _c_uint32 = ctypes.c_int64, ctypes.c_int32, ctypes.c_uint32
_c_str = ctypes.c_char_p
_Status = ctypes.c_int

# name: (restype, argtypes), exactly as observees.h declares them.
_PROTOTYPES = {
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
    "obs_rest_handle": (_Status, [_ServicePointer, _c_str, _c_str, _c_str, ctypes.c_void_p, ctypes.c_size_t, _c_str,
                                  ctypes.POINTER(ctypes.c_int), _OutString, _OutString]),
    "obs_clock_now": (_Status, [_ServicePointer, _OutString]),
    "obs_clock_set": (_Status, [_ServicePointer, _c_str]),
    "obs_clock_advance": (_Status, [_ServicePointer, _c_int64]),
}

_lib = None
_lib_lock = threading.Lock()


def _candidates():
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


def load_library(path=None):
    """Loads libobservees_c (from `path`, else as the module's docstring says) and declares its functions.
    Called on first use; returns the ctypes library."""
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


def _library():
    return _lib if _lib is not None else load_library()


def library_version():
    """The running library's version, e.g. "0.1.0"."""
    return _library().obs_version_string().decode("ascii")


def disable_sqlite_memory_statistics():
    """Turns off SQLite's process-wide allocation statistics (observees.h), so that services read on
    several threads without one shared mutex. Call it before anything in the process uses SQLite
    (Python's own sqlite3 module included); True when done, False when SQLite was already in use."""
    return _library().obs_disable_sqlite_memory_statistics() == 1


def _raise_for(status):
    if status == 0:
        return
    lib = _library()
    message = lib.obs_last_error().decode("utf-8", "replace")  # thread-local in C: this thread's last call
    cls = _ERRORS.get(status)
    if cls is None:
        raise ObserveesError(message, status)
    raise cls(message)


def _take_string(pointer):
    """The library's string at `pointer` (a c_void_p), decoded, and freed; None for NULL."""
    address = pointer.value
    if not address:
        return None
    try:
        return ctypes.string_at(address).decode("utf-8")
    finally:
        _lib.obs_free(address)


_scan_json = json.JSONDecoder().scan_once  # the C scanner behind json.loads, without its Python layers


def _decode_json(text):
    """The library's JSON answer (compact, one value, no surrounding whitespace) as Python objects."""
    if text is None:
        raise InternalError("the library answered nothing")
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:
        end = -1
    if end != len(text):
        raise InternalError("the library answered malformed JSON")
    return value


def _text(value, name, optional=False):
    """str or bytes for a `const char*`. A lone surrogate is passed on as such, for the library to refuse."""
    if value is None:
        if optional:
            return None
        raise InvalidArgument("%s is required" % name)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    if not isinstance(value, bytes):
        raise InvalidArgument("%s must be a string" % name)
    if b"\0" in value:
        raise InvalidArgument("%s must not contain NUL" % name)
    return value


def _json_text(value, name, optional=False):
    if value is None and optional:
        return None
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return _text(value, name)


def _integer(value, name, bounds=_INT64):
    if type(value) is int and bounds[0] <= value <= bounds[1]:  # the common case first (bool is not int here)
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument("%s must be an integer" % name)
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidArgument("%s is out of range" % name)
    return value


RestResponse = collections.namedtuple("RestResponse", "status headers body")
RestResponse.__doc__ = "An HTTP answer: status (int), headers ([(name, value)]), body (str, JSON)."
RestResponse.json = lambda self: json.loads(self.body)
RestResponse.header = lambda self, name: next(
    (value for key, value in self.headers if key.lower() == name.lower()), None)


# ---- The service ----------------------------------------------------------------------------------------

class Service:
    """A service on an SQLite file or ":memory:"; `options` as obs_service_open takes them (a dict or JSON).
    A context manager; close() is idempotent."""

    def __init__(self, path=":memory:", options=None):
        lib = _library()
        # _lock guards _handle and _calls (the calls in flight); close() waits on _idle for _calls to be 0.
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._calls = 0
        self._closing = False
        self._handle = None
        handle = _ServicePointer()
        _raise_for(lib.obs_service_open(_text(path, "path"), _json_text(options, "options", optional=True),
                                        ctypes.byref(handle)))
        self._handle = handle

    # -- lifetime --

    def close(self):
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
            _library().obs_service_close(ctypes.byref(handle))

    @property
    def closed(self):
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to report to
            pass

    def _call(self, function, *args):
        """Runs obs_<function>(handle, *args), raising for a refusal. The measured path: a plain lock
        (the condition only when close() waits), the function looked up once per library."""
        lock = self._lock
        with lock:
            handle = self._handle
            if not handle:
                raise InvalidArgument("the service is closed")
            self._calls += 1
        try:
            status = getattr(_lib or _library(), function)(handle, *args)
        finally:
            with lock:
                self._calls -= 1
                if self._closing and not self._calls:
                    self._idle.notify_all()
        if status:
            _raise_for(status)

    def _json_call(self, function, *args):
        out = ctypes.c_void_p()
        try:
            self._call(function, *args, ctypes.byref(out))
        finally:
            text = _take_string(out)
        return _decode_json(text)

    @staticmethod
    def _context(acting_user, domain_root_account):
        return _integer(acting_user, "acting_user"), _integer(domain_root_account, "domain_root_account")

    # -- fixtures --

    def load_fixture(self, fixture):
        """Seeds the database from a fixture (a dict, or JSON text). A bad fixture changes nothing."""
        self._call("obs_load_fixture", _json_text(fixture, "fixture"))

    def load_fixture_file(self, path):
        self._call("obs_load_fixture_file", _text(path, "path"))

    def reset(self, fixture=None):
        """Empties every table (the schema and the hash key stay), then loads `fixture` (a dict, or
        JSON text) if given, in one transaction. A bad fixture changes nothing. The clock stays."""
        self._call("obs_service_reset", _json_text(fixture, "fixture", optional=True))

    # -- operations --

    def _list(self, function, acting_user, domain_root_account, subject, name, page, per_page, include_avatar_url):
        flags = _LIST_INCLUDE_AVATAR_URL if include_avatar_url else 0
        return self._json_call(function, *self._context(acting_user, domain_root_account), _integer(subject, name),
                               _integer(page, "page", _INT32), _integer(per_page, "per_page", _INT32), flags)

    def list_observees(self, acting_user, domain_root_account, observer, page=1, per_page=0,
                       include_avatar_url=False):
        """E1: {"users": [...], "page": N, "per_page": M, "total": T}. per_page 0: the default."""
        return self._list("obs_list_observees", acting_user, domain_root_account, observer, "observer", page,
                          per_page, include_avatar_url)

    def list_observers(self, acting_user, domain_root_account, student, page=1, per_page=0,
                       include_avatar_url=False):
        """E2: as list_observees, for the observers of `student`."""
        return self._list("obs_list_observers", acting_user, domain_root_account, student, "student", page,
                          per_page, include_avatar_url)

    def add_observee(self, acting_user, domain_root_account, observer, access_token=None, pairing_code=None,
                     unique_id=None, password=None, root_account_scope=SCOPE_DOMAIN):
        """E3: links `observer` to the student named by a token, a pairing code or a login; returns the student."""
        request = {key: value for key, value in (("access_token", access_token), ("pairing_code", pairing_code),
                                                 ("unique_id", unique_id), ("password", password))
                   if value is not None}
        return self._json_call("obs_add_observee", *self._context(acting_user, domain_root_account),
                               _integer(observer, "observer"), _json_text(request, "request"),
                               _integer(root_account_scope, "root_account_scope"))

    def show_observee(self, acting_user, domain_root_account, observer, student):
        """E4."""
        return self._json_call("obs_show_observee", *self._context(acting_user, domain_root_account),
                               _integer(observer, "observer"), _integer(student, "student"))

    def show_observer(self, acting_user, domain_root_account, student, observer):
        """E5."""
        return self._json_call("obs_show_observer", *self._context(acting_user, domain_root_account),
                               _integer(student, "student"), _integer(observer, "observer"))

    def add_observee_by_id(self, acting_user, domain_root_account, observer, student,
                           root_account_scope=SCOPE_DOMAIN):
        """E6 (administrators): returns the student."""
        return self._json_call("obs_add_observee_by_id", *self._context(acting_user, domain_root_account),
                               _integer(observer, "observer"), _integer(student, "student"),
                               _integer(root_account_scope, "root_account_scope"))

    def remove_observee(self, acting_user, domain_root_account, observer, student, root_account_scope=SCOPE_ALL):
        """E7: only in the root account the scope names (every one for SCOPE_ALL); returns the student."""
        return self._json_call("obs_remove_observee", *self._context(acting_user, domain_root_account),
                               _integer(observer, "observer"), _integer(student, "student"),
                               _integer(root_account_scope, "root_account_scope"))

    def create_pairing_code(self, acting_user, domain_root_account, student):
        """E8: {"user_id", "code", "expires_at", "workflow_state"}."""
        return self._json_call("obs_create_pairing_code", *self._context(acting_user, domain_root_account),
                               _integer(student, "student"))

    def list_pairing_codes(self, acting_user, domain_root_account, student, states=None, page=1, per_page=0):
        """The student's codes in `states` (names among CODE_STATES; None: active only), newest first:
        {"codes": [...], "page": N, "per_page": M, "total": T}."""
        flags = 0
        for state in states or ():
            if state not in _CODE_STATE_BITS:
                raise InvalidArgument("unknown code state %r (expected one of %s)" % (state, ", ".join(CODE_STATES)))
            flags |= _CODE_STATE_BITS[state]
        return self._json_call("obs_list_pairing_codes", *self._context(acting_user, domain_root_account),
                               _integer(student, "student"), flags, _integer(page, "page", _INT32),
                               _integer(per_page, "per_page", _INT32))

    def revoke_pairing_code(self, acting_user, domain_root_account, student, code_id):
        """Revokes one active code (idempotent): the code object, its "state" and "changed"."""
        return self._json_call("obs_revoke_pairing_code", *self._context(acting_user, domain_root_account),
                               _integer(student, "student"), _integer(code_id, "code_id"))

    def revoke_all_pairing_codes(self, acting_user, domain_root_account, student):
        """Revokes every active code of the student's; returns how many."""
        return self._json_call("obs_revoke_all_pairing_codes", *self._context(acting_user, domain_root_account),
                               _integer(student, "student"))["revoked"]

    def list_enrollments(self, acting_user, domain_root_account, user):
        """The user's enrollments (Canvas Enrollment objects), observer enrollments included."""
        return self._json_call("obs_list_enrollments", *self._context(acting_user, domain_root_account),
                               _integer(user, "user"))

    def enroll_user(self, acting_user, domain_root_account, course_id, user_id, type="StudentEnrollment",
                    enrollment_state="active", course_section_id=None):
        """Enrolls a user (administrators); linked observers follow a student. Returns the Enrollment."""
        request = {"course_id": course_id, "user_id": user_id, "type": type, "enrollment_state": enrollment_state}
        if course_section_id is not None:
            request["course_section_id"] = course_section_id
        return self._json_call("obs_enroll_user", *self._context(acting_user, domain_root_account),
                               _json_text(request, "request"))

    def register_observer(self, acting_user, domain_root_account, name, unique_id, password, pairing_code=None,
                          sortable_name=None, short_name=None, initial_enrollment_type=None, client_key=None):
        """Observer self-registration with a pairing code; `acting_user` may be 0. Returns the new observer."""
        request = {"name": name, "unique_id": unique_id, "password": password}
        for key, value in (("pairing_code", pairing_code), ("sortable_name", sortable_name),
                           ("short_name", short_name), ("initial_enrollment_type", initial_enrollment_type),
                           ("client_key", client_key)):
            if value is not None:
                request[key] = value
        return self._json_call("obs_register_observer", *self._context(acting_user, domain_root_account),
                               _json_text(request, "request"))

    # -- REST --

    def rest(self, method, target, headers=None, body=b"", peer=None):
        """Answers one HTTP request as Canvas would. `headers`: a dict or [(name, value)]; `body`: str or bytes."""
        if isinstance(headers, dict):
            headers = list(headers.items())
        headers_json = None if headers is None else _json_text([list(pair) for pair in headers], "headers")
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        if not isinstance(body, (bytes, bytearray)):
            raise InvalidArgument("body must be str or bytes")
        body = bytes(body)
        status = ctypes.c_int()
        out_headers = ctypes.c_void_p()
        out_body = ctypes.c_void_p()
        try:
            self._call("obs_rest_handle", _text(method, "method"), _text(target, "target"), headers_json,
                       body or None, len(body), _text(peer, "peer", optional=True), ctypes.byref(status),
                       ctypes.byref(out_headers), ctypes.byref(out_body))
        finally:
            headers_text = _take_string(out_headers)
            body_text = _take_string(out_body)
        return RestResponse(status.value, [tuple(pair) for pair in json.loads(headers_text)], body_text)

    # -- clock --

    def clock_now(self):
        """The service's "now", e.g. "2026-01-01T00:00:00Z"."""
        out = ctypes.c_void_p()
        try:
            self._call("obs_clock_now", ctypes.byref(out))
        finally:
            text = _take_string(out)
        return text

    def clock_set(self, iso_time):
        """Only with the "test_clock" option: sets "now"."""
        self._call("obs_clock_set", _text(iso_time, "iso_time"))

    def clock_advance(self, seconds):
        """Only with the "test_clock" option: moves "now" by `seconds` (negative: back)."""
        self._call("obs_clock_advance", _integer(seconds, "seconds"))


# -- SIS import and export of user_observers.csv (docs/sis-import.md) --
# One block on purpose (prototypes and methods together), so the module can move without merge pain.

SIS_DRY_RUN = 1

_PROTOTYPES.update({
    "obs_sis_import": (_Status, [_ServicePointer, _c_int64, ctypes.c_void_p, ctypes.c_size_t, _c_uint32,
                                 _OutString]),
    "obs_sis_export": (_Status, [_ServicePointer, _c_int64, _OutString]),
})


def _import_user_observers(self, csv, root_account, dry_run=False):
    """Imports user_observers.csv into `root_account`, all rows or none. `csv`: the file's text (str),
    its bytes, or an os.PathLike path to read. Returns the report: {"created", "restored", "deleted",
    "unchanged", "rows", "warnings": [[row, message]], "errors": [[row, message]], "dry_run",
    "committed"}; a malformed file comes back with "errors" and nothing imported."""
    if isinstance(csv, os.PathLike):
        with open(csv, "rb") as f:
            csv = f.read()
    elif isinstance(csv, str):
        csv = csv.encode("utf-8", "surrogatepass")
    if not isinstance(csv, (bytes, bytearray)):
        raise InvalidArgument("csv must be str, bytes or a path")
    csv = bytes(csv)
    return self._json_call("obs_sis_import", _integer(root_account, "root_account"), csv or None, len(csv),
                           SIS_DRY_RUN if dry_run else 0)


def _export_user_observers(self, root_account):
    """The active links of `root_account` as user_observers.csv text (formula-like values get a leading ')."""
    out = ctypes.c_void_p()
    try:
        self._call("obs_sis_export", _integer(root_account, "root_account"), ctypes.byref(out))
    finally:
        text = _take_string(out)
    return text


Service.import_user_observers = _import_user_observers
Service.export_user_observers = _export_user_observers
