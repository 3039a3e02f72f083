/* observees.h: the C ABI of observees, Canvas LMS's observer/observee rules as an embeddable library.
 * Plain C (C99 or later; C++11 or later). Everything a C or Python (ctypes) program needs: a service on an
 * SQLite file or ":memory:", the fixture loader, every service operation, the REST router and a test
 * clock. Link with libobservees_c (CMake: observees::observees_c; pkg-config: observees).
 *
 * Conventions
 *  1. Handles are opaque. obs_service_open creates an obs_service; obs_service_close destroys it. A
 *     close function takes the address of the handle, accepts NULL (and a pointer to NULL), and sets
 *     the handle to NULL. No struct layout is part of this header.
 *  2. Every function that can fail returns an obs_status. OBS_OK is 0. The values are those of the C++
 *     observees::StatusCode and never change; new codes are only ever appended.
 *  3. Strings in are NUL-terminated UTF-8 `const char*`, borrowed for the duration of the call. Input
 *     that is not valid UTF-8, malformed JSON, an unknown JSON key, a NULL pointer where one is
 *     required and a value out of range all return OBS_INVALID_ARGUMENT and change nothing.
 *  4. Results come out through `char** out_*` parameters as NUL-terminated UTF-8 JSON (Canvas's shapes)
 *     allocated by the library: the caller frees each with obs_free. On failure every out-pointer is
 *     set to NULL (and out_status to 0), so freeing it is always safe.
 *  5. Errors: obs_last_error() returns a message about the calling thread's last failed obs_ call, or
 *     "" after a success. It is thread-local, owned by the library, and valid until the next obs_ call
 *     on the same thread (obs_last_error, obs_free, obs_status_name and the version functions leave it
 *     alone). It never contains a password, token or pairing code.
 *  6. No C++ exception crosses this boundary; an unexpected failure (out of memory, a bug, a storage
 *     error) is OBS_INTERNAL. No function aborts the process.
 *  7. Threads: an obs_service is thread-safe; any number of threads may call any function on one
 *     handle at once, except obs_service_close, which must not race with another call on that handle.
 *  8. Acting context: service operations take `acting_user` (the authenticated user's id; 0 for an
 *     anonymous caller) and `domain_root_account` (the root account whose domain the request came
 *     through; 0 for none). User ids in paths must be positive.
 *  9. Root-account scope (`root_account_scope` arguments): OBS_SCOPE_DOMAIN (0) for the domain root
 *     account, OBS_SCOPE_ALL (-1) for every root account, or a positive root account id.
 * 10. Versions: OBS_VERSION_* say which header a program was compiled with; obs_version() says which
 *     library it runs with. Binary compatibility holds within one SOVERSION (the major version).
 * 11. Handle armor: every function taking an obs_service first reads a magic number the library
 *     writes at open and overwrites at close, and answers OBS_MISUSE (changing nothing) for a handle
 *     that was closed or that obs_service_open did not make; obs_service_close on such a handle does
 *     nothing (obs_last_error says why). A closed handle's memory is kept, emptied, until 64 later
 *     closes have happened, so within that window the check reads live memory; after it, and for a
 *     pointer into unmapped or reused memory, a call is undefined behaviour the library cannot
 *     detect. The armor is a diagnostic in every build, not a licence to use closed handles.
 */
#ifndef OBSERVEES_C_H_
#define OBSERVEES_C_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && defined(OBSERVEES_C_BUILDING)
#define OBS_API __declspec(dllexport)
#elif defined(_WIN32)
#define OBS_API __declspec(dllimport)
#elif defined(__GNUC__)
#define OBS_API __attribute__((visibility("default")))
#else
#define OBS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define OBS_VERSION_MAJOR 0
#define OBS_VERSION_MINOR 1
#define OBS_VERSION_PATCH 0
#define OBS_VERSION_STRING "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, as obs_version() returns it. */
#define OBS_VERSION_NUMBER (OBS_VERSION_MAJOR * 10000 + OBS_VERSION_MINOR * 100 + OBS_VERSION_PATCH)

/* Stable status codes (observees::StatusCode). Never renumbered. */
typedef enum obs_status {
  OBS_OK = 0,
  OBS_INVALID_ARGUMENT = 1,    /* malformed, missing or out-of-range input (Canvas: 400) */
  OBS_NOT_FOUND = 2,           /* unknown or deleted user, account or link (404) */
  OBS_UNAUTHENTICATED = 3,     /* no caller where one is required (401) */
  OBS_PERMISSION_DENIED = 4,   /* a known caller who may not act (403) */
  OBS_INVALID_CODE = 5,        /* pairing code unknown, expired, used or revoked (422 / 400) */
  OBS_TOO_MANY_ATTEMPTS = 6,   /* the attempt limiter refused the call (429) */
  OBS_UNKNOWN_OBSERVEE = 7,    /* token, login or shared root account not found (422) */
  OBS_INVALID_CREDENTIALS = 8, /* wrong password, or a throttled login check (401) */
  OBS_SELF_OBSERVATION = 9,    /* observer and student are the same user (422) */
  OBS_ALREADY_EXISTS = 10,     /* a unique value is taken, e.g. a login at self-registration */
  OBS_ABORTED = 11,            /* a concurrent change won a race; the caller may retry */
  OBS_INTERNAL = 12,           /* a storage or library failure; nothing was changed */
  OBS_UNAVAILABLE = 13,        /* storage busy or unreachable; nothing was changed; retry later (503) */
  OBS_MISUSE = 14              /* a closed or foreign handle (convention 11); nothing was done. C only */
} obs_status;

/* Root-account scopes (convention 9). */
#define OBS_SCOPE_DOMAIN INT64_C(0)
#define OBS_SCOPE_ALL INT64_C(-1)

/* Flags of the list operations. Unknown bits are OBS_INVALID_ARGUMENT. */
#define OBS_LIST_INCLUDE_AVATAR_URL 1u /* Canvas's include[]=avatar_url */

/* States of obs_list_pairing_codes (a bit set; 0 means active only). Unknown bits are
 * OBS_INVALID_ARGUMENT. */
#define OBS_CODE_ACTIVE 1u
#define OBS_CODE_USED 2u
#define OBS_CODE_EXPIRED 4u
#define OBS_CODE_REVOKED 8u

typedef struct obs_service obs_service;

/* ---- Library -------------------------------------------------------------------------------- */

/* The library's version as OBS_VERSION_NUMBER computes it, and as "MAJOR.MINOR.PATCH" (static). */
OBS_API uint32_t obs_version(void);
OBS_API const char* obs_version_string(void);

/* The short stable name of a status, e.g. "not_found"; "unknown" for a value outside the enum.
 * Static storage: never freed. */
OBS_API const char* obs_status_name(obs_status status);

/* Convention 5. Never NULL. */
OBS_API const char* obs_last_error(void);

/* Frees a string (or any pointer) the library returned. NULL is a no-op. */
OBS_API void obs_free(void* pointer);

/* Turns off SQLite's allocation statistics for the whole process (DisableSqliteMemoryStatistics in
 * sqlite.h): with them on, every SQLite allocation takes one process-wide mutex, and reads on several
 * threads scale poorly. A process-wide setting the library never changes by itself: call it before
 * anything in the process uses SQLite, from one thread. 1 when done; 0 when SQLite was already in use,
 * changing nothing. Leaves the calling thread's last error alone. */
OBS_API int obs_disable_sqlite_memory_statistics(void);

/* ---- Service handle ------------------------------------------------------------------------- */

/* Opens (creating and migrating if needed) the SQLite database at `path` (":memory:" for a private
 * in-memory one), or the PostgreSQL database a `path` of "postgresql://..." (or "postgres://...", or
 * "postgresql:" followed by libpq key=value conninfo) names, and a service over it. `options_json` may be NULL or ""
 * for the defaults, or an object whose keys are all optional:
 *   {"pairing_code_length": 6, "pairing_code_alphabet": "A..Za..z0..9",
 *    "pairing_code_lifetime_seconds": 604800, "pairing_code_max_active": 20,
 *    "limiter": {"enabled": true, "max_failures": 10, "window_seconds": 900,
 *                "anonymous_max_failures": 100, "anonymous_window_seconds": 3600,
 *                "token_max_failures": 100},
 *    "default_per_page": 10, "max_per_page": 100, "min_password_length": 8,
 *    "password_hashing": "interactive" | "moderate" | "fastest",
 *    "connections": 4, "busy_timeout_ms": 10000, "schema": "observees", "table_prefix": "obs_",
 *    "secret_key": "...",
 *    "test_clock": "2026-01-01T00:00:00Z",
 *    "base_url": "https://canvas.test",
 *    "rest": {"default_root_account": 1, "max_parameter_bytes": 4096, "max_body_bytes": 65536,
 *             "scheme": "http" | "https"}}
 * `busy_timeout_ms` is SQLite's, `schema` PostgreSQL's (the schema holding the tables, created if
 * missing); `table_prefix` SQLite's (the tables' names start with it, so they can share a file with
 * another program's; default none: storage.h); `test_clock` runs the service on a test clock standing at that time (see
 * obs_clock_set); `base_url` makes relative avatar URLs absolute in the operations' JSON (default: left relative);
 * `rest` configures the router of obs_rest_handle (`scheme`: how clients reach it, for the Link
 * header's URLs; default "http"). An unknown key or a value out of range is OBS_INVALID_ARGUMENT
 * naming it; a file that cannot be opened or is not an observees database, or a PostgreSQL server
 * that cannot be reached (the message never repeats the connection string), is OBS_INTERNAL. On
 * success *out_service is the new handle; on failure it is NULL. */
OBS_API obs_status obs_service_open(const char* path, const char* options_json, obs_service** out_service);

/* Destroys the handle (convention 1); a closed or foreign handle is left alone (convention 11).
 * Closing with calls in flight on the handle is undefined. */
OBS_API void obs_service_close(obs_service** service);

/* Seeds the database from a fixture (docs/fixture.md), given as JSON text or as a file path.
 * Validated whole before anything is written, so a bad fixture changes nothing; loading one twice
 * changes nothing. OBS_INVALID_ARGUMENT naming the bad key; OBS_NOT_FOUND for a file that cannot be
 * read. */
OBS_API obs_status obs_load_fixture(obs_service* service, const char* fixture_json);
OBS_API obs_status obs_load_fixture_file(obs_service* service, const char* path);

/* For test harnesses: empties every table (users, links, codes, the audit log, ...; the schema and
 * the stored hash key stay), then loads `fixture_json_or_null` when it is not NULL, in one
 * transaction: concurrent calls see the data before or after, never between. The fixture is checked
 * whole first, as against an empty database; a bad one is OBS_INVALID_ARGUMENT and changes nothing.
 * The clock is left alone (see obs_clock_set). */
OBS_API obs_status obs_service_reset(obs_service* service, const char* fixture_json_or_null);

/* ---- Operations (Canvas's User Observees API) ------------------------------------------------ */
/* Every operation: OBS_UNAUTHENTICATED for an anonymous caller (except obs_register_observer),
 * OBS_NOT_FOUND for an unknown or deleted user, OBS_PERMISSION_DENIED for a caller who may not act.
 * A user is returned as Canvas's User object with observation_link_root_account_ids. */

/* E1 / E2: the students `observer` observes, the observers of `student`, by sortable name then id.
 * `page` is 1-based (>= 1); `per_page` 0 means the default, otherwise 1.. (clamped to max_per_page);
 * `flags` is 0 or OBS_LIST_INCLUDE_AVATAR_URL. Out: {"users": [...], "page": N, "per_page": M,
 * "total": T}, where total counts the users of every page. */
OBS_API obs_status obs_list_observees(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                      int64_t observer, int32_t page, int32_t per_page, uint32_t flags,
                                      char** out_json);
OBS_API obs_status obs_list_observers(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                      int64_t student, int32_t page, int32_t per_page, uint32_t flags, char** out_json);

/* E3: links `observer` to the student named by `request_json`, an object with one of
 *   {"access_token": "..."}, {"pairing_code": "..."}, {"unique_id": "...", "password": "..."}
 * (a present key selects its branch even when empty; precedence access_token > pairing_code >
 * unique_id/password). OBS_UNKNOWN_OBSERVEE, OBS_INVALID_CREDENTIALS, OBS_INVALID_CODE,
 * OBS_SELF_OBSERVATION, OBS_TOO_MANY_ATTEMPTS; OBS_INVALID_ARGUMENT when none is given.
 * Out: the student. */
OBS_API obs_status obs_add_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                    int64_t observer, const char* request_json, int64_t root_account_scope,
                                    char** out_json);

/* E4 / E5: OBS_NOT_FOUND when the two share no active link. Out: the observee / the observer. */
OBS_API obs_status obs_show_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                     int64_t observer, int64_t student, char** out_json);
OBS_API obs_status obs_show_observer(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                     int64_t student, int64_t observer, char** out_json);

/* E6: an administrator links `observer` to `student`. Out: the student. */
OBS_API obs_status obs_add_observee_by_id(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                          int64_t observer, int64_t student, int64_t root_account_scope,
                                          char** out_json);

/* E7: removes the links the caller may remove; only in the root account the scope names, every root
 * account for OBS_SCOPE_DOMAIN or OBS_SCOPE_ALL. Out: the student. */
OBS_API obs_status obs_remove_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                       int64_t observer, int64_t student, int64_t root_account_scope, char** out_json);

/* E8: a new pairing code for `student`. Out: {"user_id", "code", "expires_at", "workflow_state"}. */
OBS_API obs_status obs_create_pairing_code(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                           int64_t student, char** out_json);

/* Pairing-code lifecycle (an extension of Canvas's API), for the student or a caller who may generate
 * codes for them; OBS_NOT_FOUND for an unknown student. A code object is
 * {"id", "user_id", "code", "state", "workflow_state", "created_at", "expires_at", "used_at", "used_by",
 *  "link_id", "revoked_at", "revoked_by"}: "state" is active, used, expired or revoked; "code" is in
 * clear for the student and administrators, masked ("Ab****") for others.
 * obs_list_pairing_codes: the codes in `states` (OBS_CODE_* bits; 0: active only), newest first;
 * `page` >= 1, `per_page` as obs_list_observees. Out: {"codes": [...], "page", "per_page", "total"}.
 * obs_revoke_pairing_code: revokes one active code (idempotent). Out: the code object plus "changed"
 * (whether this call revoked it; a used or expired code is left as it is). OBS_NOT_FOUND for a code
 * that is not the student's; `code_id` must be positive.
 * obs_revoke_all_pairing_codes: revokes every active code. Out: {"revoked": N}. */
OBS_API obs_status obs_list_pairing_codes(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                          int64_t student, uint32_t states, int32_t page, int32_t per_page,
                                          char** out_json);
OBS_API obs_status obs_revoke_pairing_code(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                           int64_t student, int64_t code_id, char** out_json);
OBS_API obs_status obs_revoke_all_pairing_codes(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                                int64_t student, char** out_json);

/* Enrollments (linked observer enrollments, rules 10-13). Out: a JSON array of Canvas Enrollment
 * objects ({"id", "user_id", "course_id", "course_section_id", "type", "role", "enrollment_state",
 * "associated_user_id", "root_account_id", "start_at", "end_at", "created_at", "updated_at"}), for the
 * user or an administrator holding manage_students in one of the user's root accounts. */
OBS_API obs_status obs_list_enrollments(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                        int64_t user, char** out_json);

/* Enrolls a user or changes the state of their enrollment; observers linked to a student follow them
 * into the course. Administrators with manage_students on the course's account chain only.
 * `request_json`: {"course_id": N, "user_id": N, "type": "StudentEnrollment" (default),
 * "enrollment_state": "active" (default; or invited, inactive, completed, deleted, ...),
 * "course_section_id": N (optional)}. OBS_NOT_FOUND for an unknown course or user. Out: the Enrollment. */
OBS_API obs_status obs_enroll_user(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                   const char* request_json, char** out_json);

/* Observer self-registration with a pairing code, in the domain root account; `acting_user` may be 0.
 * `request_json`: {"name": "...", "unique_id": "...", "password": "...", "pairing_code": "...",
 * "sortable_name": "...", "short_name": "...", "initial_enrollment_type": "observer",
 * "client_key": "..." (keys the attempt limiter for anonymous callers, e.g. the peer address)}.
 * OBS_PERMISSION_DENIED when the domain does not allow it; OBS_INVALID_CODE; OBS_INVALID_ARGUMENT /
 * OBS_ALREADY_EXISTS for the user's fields. Out: the new observer. */
OBS_API obs_status obs_register_observer(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                         const char* request_json, char** out_json);

/* ---- SIS import and export (docs/sis-import.md) ------------------------------------------- */

/* Imports Canvas's user_observers.csv: `csv` holds `csv_len` bytes (NULL allowed when 0; any bytes,
 * checked as the file's UTF-8), in root account `root_account` (positive), all rows in one transaction.
 * A trusted host operation (no acting user: the host decides who may import). `options_json` is NULL,
 * "" or an object of:
 *   "dry_run": bool                  report what the import would do and write nothing (default false)
 *   "actor": N                       the user running it, for the audit log and the record (default none)
 *   "batch_mode": bool               remove the links the data set owns that the file leaves out
 *   "diffing_data_set_identifier": "..."  the data set (1 to 128 bytes); required with batch_mode, and
 *                                    only taken with it
 *   "change_threshold": N            1 to 100, with batch_mode only: a batch that would remove more than
 *                                    N percent of the data set's links is aborted (docs/sis-import.md)
 * OBS_NOT_FOUND for an unknown root account, OBS_INVALID_ARGUMENT for a sub-account or a bad option;
 * OBS_ABORTED when another import of the root account committed while this file was read (nothing
 * written: run it again). A malformed file is OBS_OK with errors in the report, and nothing imported.
 * Out: {"id": N or null (a dry run), "workflow_state": "imported" | "imported_with_messages" |
 * "aborted" | "failed_with_messages", "created": N, "restored": N, "deleted": N, "batch_deleted": N,
 * "unchanged": N, "rows": N, "warnings": [[row, "message"], ...], "errors": [[row, "message"], ...],
 * "batch_removals": [{"id": N, "observer_id": N, "student_id": N}, ...], "dry_run": bool,
 * "committed": bool}; rows as Canvas numbers them (header = 1), row 0 for a batch's abort. */
OBS_API obs_status obs_sis_import(obs_service* service, int64_t root_account, const char* csv, size_t csv_len,
                                  const char* options_json, char** out_report_json);

/* The active links of `root_account` as user_observers.csv (CRLF line ends; values a spreadsheet would
 * run as a formula get a leading '). Out: the CSV text. */
OBS_API obs_status obs_sis_export(obs_service* service, int64_t root_account, char** out_csv);

/* ---- REST router ---------------------------------------------------------------------------- */

/* Answers one HTTP request as Canvas would (the eight endpoints under /api/v1 and POST /users).
 * `method` ("GET", ...) and `target` (origin-form path and query) are required; `headers_json` is NULL,
 * an array of [name, value] pairs ([["Host","canvas.test"],["Authorization","Bearer ..."]]) or an
 * object ({"Host": "canvas.test"}); `body` holds `body_len` bytes (NULL allowed when 0) passed to the
 * router unchanged, which answers 400 for a body it cannot decode; `peer` (NULL: "") is the client's
 * address. Out: the HTTP status, the response headers as [[name, value], ...], and the body (JSON).
 * OBS_OK whenever a response was produced, whatever its HTTP status. */
OBS_API obs_status obs_rest_handle(obs_service* service, const char* method, const char* target,
                                   const char* headers_json, const char* body, size_t body_len, const char* peer,
                                   int* out_status, char** out_headers_json, char** out_body);

/* ---- Clock ---------------------------------------------------------------------------------- */

/* The service's "now" as "YYYY-MM-DDTHH:MM:SSZ" (any service). */
OBS_API obs_status obs_clock_now(obs_service* service, char** out_iso);

/* Only for a service opened with "test_clock" (else OBS_INVALID_ARGUMENT "the service has no test
 * clock"): set "now" to an ISO-8601 time (UTC "Z" or an offset), or move it by `seconds` (negative
 * moves it back). The result must lie within 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z. */
OBS_API obs_status obs_clock_set(obs_service* service, const char* iso_time);
OBS_API obs_status obs_clock_advance(obs_service* service, int64_t seconds);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OBSERVEES_C_H_ */
