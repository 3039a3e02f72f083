/* The C ABI from real C (C99): every function, its good path and every kind of bad input (NULL
 * pointers, invalid UTF-8, malformed JSON, unknown keys, values out of range), checking that a
 * refused call returns its status with a message, leaves the out-parameters NULL and changes nothing.
 * Also the handle armor (OBS_MISUSE for closed and foreign handles). Run under valgrind by ctest, so a
 * leak or a memory error fails it too.
 *
 *   c_api_test DEMO_FIXTURE_PATH */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "observees.h"

/* ---- Checks -------------------------------------------------------------------------------------- */

static int g_checks;
static int g_failures;

#define CHECK(cond)                                                                                                  \
  do {                                                                                                               \
    ++g_checks;                                                                                                      \
    if (!(cond)) {                                                                                                   \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: \"%s\"\n", __FILE__, __LINE__, #cond, obs_last_error()); \
      ++g_failures;                                                                                                  \
    }                                                                                                                \
  } while (0)

#define CHECK_STATUS(expr, expected)                                                                            \
  do {                                                                                                          \
    obs_status got_ = (expr);                                                                                   \
    ++g_checks;                                                                                                 \
    if (got_ != (expected)) {                                                                                   \
      fprintf(stderr, "%s:%d: %s\n  returned %s, expected %s; last error: \"%s\"\n", __FILE__, __LINE__, #expr, \
              obs_status_name(got_), obs_status_name(expected), obs_last_error());                              \
      ++g_failures;                                                                                             \
    }                                                                                                           \
  } while (0)

/* A refused call: its status, and a message that mentions `mention` (NULL: any non-empty message). */
static void ExpectRefused(obs_status got, obs_status expected, const char* mention, const char* expr, const char* file,
                          int line) {
  const char* message = obs_last_error();
  ++g_checks;
  if (got != expected || message[0] == '\0' || (mention != NULL && strstr(message, mention) == NULL)) {
    fprintf(stderr, "%s:%d: %s\n  returned %s with \"%s\", expected %s mentioning \"%s\"\n", file, line, expr,
            obs_status_name(got), message, obs_status_name(expected), mention == NULL ? "" : mention);
    ++g_failures;
  }
}
#define CHECK_REFUSED(expr, expected, mention) ExpectRefused((expr), (expected), (mention), #expr, __FILE__, __LINE__)

#define CHECK_CONTAINS(text, needle)                                                                                  \
  do {                                                                                                                \
    const char* text_ = (text);                                                                                       \
    ++g_checks;                                                                                                       \
    if (text_ == NULL || strstr(text_, (needle)) == NULL) {                                                           \
      fprintf(stderr, "%s:%d: expected %s in: %s\n", __FILE__, __LINE__, (needle), text_ == NULL ? "(NULL)" : text_); \
      ++g_failures;                                                                                                   \
    }                                                                                                                 \
  } while (0)

/* ---- Data ---------------------------------------------------------------------------------------- */

enum { kAdmin = 1, kParent = 10, kOtherParent = 11, kStudent = 20, kAlex = 21, kStranger = 40 };
enum { kRoot = 1, kDistrict = 2 };

/* Root 1 (canvas.test) and 2 (district2.test) allow observer self-registration; Ada administers both;
 * Sam studies in both, Alex in root 1 only; Pat already observes Alex in root 1. */
static const char kFixture[] =
    "{\"accounts\": ["
    "  {\"id\": 1, \"name\": \"Canvas Demo\", \"domains\": [\"canvas.test\"], \"self_registration\": \"observer\","
    "   \"avatars\": true},"
    "  {\"id\": 2, \"name\": \"District\", \"domains\": [\"district2.test\"], \"self_registration\": \"observer\"},"
    "  {\"id\": 3, \"name\": \"Science\", \"parent_id\": 1}],"
    " \"users\": ["
    "  {\"id\": 1, \"name\": \"Ada Admin\", \"logins\": [{\"account_id\": 1, \"unique_id\": \"ada\","
    "   \"password\": \"ada-password\"}], \"tokens\": [\"token-ada\"]},"
    "  {\"id\": 10, \"name\": \"Pat Parent\", \"avatar_url\": \"/images/pat.png\","
    "   \"created_at\": \"2024-01-05T10:00:00Z\","
    "   \"logins\": [{\"account_id\": 1, \"unique_id\": \"pat\", \"password\": \"pat-password\"},"
    "              {\"account_id\": 2, \"unique_id\": \"pat\", \"password\": \"pat-password\"}],"
    "   \"tokens\": [\"token-pat\"]},"
    "  {\"id\": 11, \"name\": \"Quinn Parent\", \"logins\": [{\"account_id\": 1, \"unique_id\": \"quinn\","
    "   \"password\": \"quinn-password\"}], \"tokens\": [\"token-quinn\"]},"
    "  {\"id\": 20, \"name\": \"Sam Student\", \"logins\": [{\"account_id\": 1, \"unique_id\": \"sam\","
    "   \"password\": \"sam-password\"}], \"tokens\": [\"token-sam\"]},"
    "  {\"id\": 21, \"name\": \"Alex Student\", \"logins\": [{\"account_id\": 1, \"unique_id\": \"alex\","
    "   \"password\": \"alex-password\"}], \"tokens\": [\"token-alex\"]},"
    "  {\"id\": 40, \"name\": \"Stranger\", \"logins\": [{\"account_id\": 2, \"unique_id\": \"stranger\","
    "   \"password\": \"stranger-password\"}]}],"
    " \"admins\": [{\"user_id\": 1, \"account_id\": 1}, {\"user_id\": 1, \"account_id\": 2}],"
    " \"courses\": [{\"id\": 100, \"account_id\": 3, \"workflow_state\": \"available\"},"
    "               {\"id\": 200, \"account_id\": 2, \"workflow_state\": \"available\"}],"
    " \"enrollments\": ["
    "  {\"id\": 500, \"user_id\": 20, \"course_id\": 100, \"type\": \"StudentEnrollment\", \"workflow_state\": "
    "\"active\"},"
    "  {\"id\": 501, \"user_id\": 21, \"course_id\": 100, \"type\": \"StudentEnrollment\", \"workflow_state\": "
    "\"active\"},"
    "  {\"id\": 502, \"user_id\": 20, \"course_id\": 200, \"type\": \"StudentEnrollment\", \"workflow_state\": "
    "\"active\"}],"
    " \"links\": [{\"observer_id\": 10, \"student_id\": 21, \"root_account_id\": 1, \"workflow_state\": \"active\"}]}";

static const char kFast[] = "{\"password_hashing\": \"fastest\"}";
static const char kTestClockOptions[] =
    "{\"password_hashing\": \"fastest\", \"test_clock\": \"2026-01-01T00:00:00Z\", \"base_url\": "
    "\"https://canvas.test\"}";

/* Strings that are not UTF-8: a stray continuation byte, an overlong '/', a surrogate, a truncated
 * sequence, and a code point above U+10FFFF. */
static const char* const kBadUtf8[] = {"\x80", "\xc0\xaf", "\xed\xa0\x80", "abc\xe2\x82", "\xf4\x90\x80\x80", "\xff"};
#define BAD_UTF8_COUNT (sizeof kBadUtf8 / sizeof kBadUtf8[0])

static char g_dir[256];
static const char* g_demo_fixture;

static char* PathIn(const char* name) {
  size_t length = strlen(g_dir) + strlen(name) + 2;
  char* path = malloc(length);
  if (path == NULL) abort();
  snprintf(path, length, "%s/%s", g_dir, name);
  return path;
}

static int Exists(const char* path) {
  struct stat info;
  return stat(path, &info) == 0;
}

static obs_service* OpenSeeded(const char* options) {
  obs_service* service = NULL;
  CHECK_STATUS(obs_service_open(":memory:", options, &service), OBS_OK);
  if (service == NULL) {
    fprintf(stderr, "cannot open a service; giving up\n");
    exit(1);
  }
  CHECK_STATUS(obs_load_fixture(service, kFixture), OBS_OK);
  return service;
}

/* The total of a user's observee list, or -1. */
static long ObserveeTotal(obs_service* service, int64_t observer) {
  char* json = NULL;
  long total = -1;
  if (obs_list_observees(service, observer, kRoot, observer, 1, 100, 0, &json) == OBS_OK) {
    const char* at = strstr(json, "\"total\":");
    if (at != NULL) total = strtol(at + 8, NULL, 10);
  }
  obs_free(json);
  return total;
}

/* Copies the "code" of a PairingCode object into `out` (7 bytes at least). */
static void CodeOf(const char* json, char* out, size_t size) {
  const char* at = json == NULL ? NULL : strstr(json, "\"code\":\"");
  size_t n = 0;
  out[0] = '\0';
  if (at == NULL) return;
  at += 8;
  while (at[n] != '"' && at[n] != '\0' && n + 1 < size) {
    out[n] = at[n];
    ++n;
  }
  out[n] = '\0';
}

/* ---- Library ------------------------------------------------------------------------------------- */

static void TestLibrary(void) {
  CHECK(obs_version() == OBS_VERSION_NUMBER);
  CHECK(strcmp(obs_version_string(), OBS_VERSION_STRING) == 0);
  CHECK(OBS_VERSION_NUMBER == OBS_VERSION_MAJOR * 10000 + OBS_VERSION_MINOR * 100 + OBS_VERSION_PATCH);
  CHECK(strcmp(obs_last_error(), "") == 0);

  /* The stable numbering. */
  CHECK(OBS_OK == 0 && OBS_INVALID_ARGUMENT == 1 && OBS_NOT_FOUND == 2 && OBS_UNAUTHENTICATED == 3);
  CHECK(OBS_PERMISSION_DENIED == 4 && OBS_INVALID_CODE == 5 && OBS_TOO_MANY_ATTEMPTS == 6);
  CHECK(OBS_UNKNOWN_OBSERVEE == 7 && OBS_INVALID_CREDENTIALS == 8 && OBS_SELF_OBSERVATION == 9);
  CHECK(OBS_ALREADY_EXISTS == 10 && OBS_ABORTED == 11 && OBS_INTERNAL == 12 && OBS_UNAVAILABLE == 13);
  CHECK(strcmp(obs_status_name(OBS_OK), "ok") == 0);
  CHECK(strcmp(obs_status_name(OBS_INVALID_ARGUMENT), "invalid_argument") == 0);
  CHECK(strcmp(obs_status_name(OBS_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(obs_status_name(OBS_UNAUTHENTICATED), "unauthenticated") == 0);
  CHECK(strcmp(obs_status_name(OBS_PERMISSION_DENIED), "permission_denied") == 0);
  CHECK(strcmp(obs_status_name(OBS_INVALID_CODE), "invalid_code") == 0);
  CHECK(strcmp(obs_status_name(OBS_TOO_MANY_ATTEMPTS), "too_many_attempts") == 0);
  CHECK(strcmp(obs_status_name(OBS_UNKNOWN_OBSERVEE), "unknown_observee") == 0);
  CHECK(strcmp(obs_status_name(OBS_INVALID_CREDENTIALS), "invalid_credentials") == 0);
  CHECK(strcmp(obs_status_name(OBS_SELF_OBSERVATION), "self_observation") == 0);
  CHECK(strcmp(obs_status_name(OBS_ALREADY_EXISTS), "already_exists") == 0);
  CHECK(strcmp(obs_status_name(OBS_ABORTED), "aborted") == 0);
  CHECK(strcmp(obs_status_name(OBS_INTERNAL), "internal") == 0);
  CHECK(strcmp(obs_status_name(OBS_UNAVAILABLE), "unavailable") == 0);
  CHECK(strcmp(obs_status_name((obs_status)99), "unknown") == 0);
  CHECK(strcmp(obs_status_name((obs_status)-1), "unknown") == 0);

  obs_free(NULL);
}

/* ---- Open and close -------------------------------------------------------------------------------- */

static void TestOpenRefusesBadInput(void) {
  static const struct {
    const char* options;
    const char* mention;
  } kBad[] = {
      {"{", "options_json"},
      {"[]", "options_json"},
      {"\"fastest\"", "options_json"},
      {"{\"colour\": 1}", "\"colour\""},
      {"{\"limiter\": {\"enabled\": true, \"max_tries\": 3}}", "\"max_tries\""},
      {"{\"rest\": {\"port\": 80}}", "\"port\""},
      {"{\"pairing_code_length\": 3}", "pairing_code_length"},
      {"{\"pairing_code_length\": 11}", "pairing_code_length"},
      {"{\"pairing_code_length\": 6.5}", "pairing_code_length"},
      {"{\"pairing_code_length\": \"6\"}", "pairing_code_length"},
      {"{\"pairing_code_length\": 1e30}", "pairing_code_length"},
      {"{\"pairing_code_length\": 18446744073709551615}", "pairing_code_length"},
      {"{\"pairing_code_alphabet\": \"abc\"}", "pairing_code_alphabet"},
      {"{\"pairing_code_alphabet\": \"aabcdefghijk\"}", "pairing_code_alphabet"},
      {"{\"pairing_code_alphabet\": \"abcdefghij \"}", "pairing_code_alphabet"},
      {"{\"pairing_code_lifetime_seconds\": 59}", "pairing_code_lifetime_seconds"},
      {"{\"pairing_code_lifetime_seconds\": -1}", "pairing_code_lifetime_seconds"},
      {"{\"limiter\": {\"max_failures\": 0}}", "limiter.max_failures"},
      {"{\"limiter\": {\"max_failures\": 10001}}", "limiter.max_failures"},
      {"{\"limiter\": {\"window_seconds\": 0}}", "limiter.window_seconds"},
      {"{\"limiter\": {\"anonymous_max_failures\": 0}}", "limiter.anonymous_max_failures"},
      {"{\"limiter\": {\"anonymous_max_failures\": 1000001}}", "limiter.anonymous_max_failures"},
      {"{\"limiter\": {\"anonymous_window_seconds\": 0}}", "limiter.anonymous_window_seconds"},
      {"{\"limiter\": {\"token_max_failures\": 0}}", "limiter.token_max_failures"},
      {"{\"pairing_code_max_active\": 0}", "pairing_code_max_active"},
      {"{\"pairing_code_max_active\": 10001}", "pairing_code_max_active"},
      {"{\"limiter\": {\"enabled\": 1}}", "limiter.enabled"},
      {"{\"limiter\": []}", "limiter"},
      {"{\"default_per_page\": 0}", "default_per_page"},
      {"{\"max_per_page\": 10001}", "max_per_page"},
      {"{\"default_per_page\": 50, \"max_per_page\": 20}", "default_per_page"},
      {"{\"min_password_length\": 0}", "min_password_length"},
      {"{\"min_password_length\": 257}", "min_password_length"},
      {"{\"password_hashing\": \"slow\"}", "password_hashing"},
      {"{\"password_hashing\": null}", "password_hashing"},
      {"{\"connections\": 0}", "connections"},
      {"{\"connections\": 65}", "connections"},
      {"{\"busy_timeout_ms\": -1}", "busy_timeout_ms"},
      {"{\"secret_key\": 42}", "secret_key"},
      {"{\"secret_key\": \"a\\u0000b\"}", "secret_key"},
      {"{\"test_clock\": \"yesterday\"}", "test_clock"},
      {"{\"test_clock\": \"2026-02-30T00:00:00Z\"}", "test_clock"},
      {"{\"test_clock\": \"1969-12-31T23:59:59Z\"}", "test_clock"},
      {"{\"base_url\": false}", "base_url"},
      {"{\"rest\": {\"max_body_bytes\": 0}}", "rest.max_body_bytes"},
      {"{\"rest\": {\"scheme\": \"ftp\"}}", "rest.scheme"},
      {"{\"rest\": {\"default_root_account\": -3}}", "rest.default_root_account"},
  };
  char* never = PathIn("never.db");
  size_t i;
  obs_service* service = (obs_service*)&never; /* not NULL: a refusal must reset it */

  for (i = 0; i < sizeof kBad / sizeof kBad[0]; ++i) {
    service = (obs_service*)&never;
    CHECK_REFUSED(obs_service_open(never, kBad[i].options, &service), OBS_INVALID_ARGUMENT, kBad[i].mention);
    CHECK(service == NULL);
  }
  for (i = 0; i < BAD_UTF8_COUNT; ++i) {
    char options[64];
    snprintf(options, sizeof options, "{\"base_url\": \"%s\"}", kBadUtf8[i]);
    CHECK_REFUSED(obs_service_open(never, options, &service), OBS_INVALID_ARGUMENT, "UTF-8");
    CHECK_REFUSED(obs_service_open(kBadUtf8[i], NULL, &service), OBS_INVALID_ARGUMENT, "UTF-8");
    CHECK(service == NULL);
  }
  CHECK_REFUSED(obs_service_open(NULL, NULL, &service), OBS_INVALID_ARGUMENT, "path");
  CHECK_REFUSED(obs_service_open("", NULL, &service), OBS_INVALID_ARGUMENT, "path");
  CHECK_REFUSED(obs_service_open(":memory:", NULL, NULL), OBS_INVALID_ARGUMENT, "out_service");
  /* Nothing was created by any refusal. */
  CHECK(!Exists(never));
  /* A directory is not a database: an internal (storage) failure, reported, not thrown. */
  CHECK_REFUSED(obs_service_open(g_dir, kFast, &service), OBS_INTERNAL, NULL);
  CHECK(service == NULL);
  free(never);
}

static void TestOpenAndClose(void) {
  char* path = PathIn("observees.db");
  obs_service* service = NULL;
  obs_service* none = NULL;
  char* json = NULL;

  /* Close accepts NULL and a pointer to NULL. */
  obs_service_close(NULL);
  obs_service_close(&none);
  CHECK(none == NULL);

  CHECK_STATUS(obs_service_open(path, kFast, &service), OBS_OK);
  CHECK(strcmp(obs_last_error(), "") == 0);
  CHECK(service != NULL);
  CHECK(obs_disable_sqlite_memory_statistics() == 0); /* SQLite is in use now */
  CHECK(strcmp(obs_last_error(), "") == 0);
  CHECK_STATUS(obs_load_fixture(service, kFixture), OBS_OK);
  CHECK_STATUS(obs_add_observee_by_id(service, kAdmin, kRoot, kParent, kStudent, OBS_SCOPE_DOMAIN, &json), OBS_OK);
  obs_free(json);
  obs_service_close(&service);
  CHECK(service == NULL);
  CHECK(Exists(path));

  /* A file database keeps its links; defaults apply with NULL or "" options. */
  CHECK_STATUS(obs_service_open(path, "", &service), OBS_OK);
  CHECK(ObserveeTotal(service, kParent) == 2);
  obs_service_close(&service);
  CHECK_STATUS(obs_service_open(path, NULL, &service), OBS_OK);
  CHECK(ObserveeTotal(service, kParent) == 2);
  obs_service_close(&service);

  /* Every option at once. */
  CHECK_STATUS(obs_service_open(path,
                                "{\"pairing_code_length\": 8, \"pairing_code_alphabet\": \"ABCDEFGHJK\","
                                " \"pairing_code_lifetime_seconds\": 3600, \"pairing_code_max_active\": 5,"
                                " \"limiter\": {\"enabled\": false, \"max_failures\": 3, \"window_seconds\": 60,"
                                " \"anonymous_max_failures\": 50, \"anonymous_window_seconds\": 600,"
                                " \"token_max_failures\": 20},"
                                " \"default_per_page\": 1, \"max_per_page\": 50, \"min_password_length\": 10,"
                                " \"password_hashing\": \"fastest\", \"connections\": 2, \"busy_timeout_ms\": 500,"
                                " \"test_clock\": \"2030-06-01T12:00:00+02:00\", \"base_url\": \"https://canvas.test\","
                                " \"rest\": {\"default_root_account\": 1, \"max_parameter_bytes\": 100,"
                                " \"max_body_bytes\": 1000, \"scheme\": \"https\"}}",
                                &service),
               OBS_OK);
  CHECK_STATUS(obs_create_pairing_code(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"expires_at\":\"2030-06-01T11:00:00Z\"");
  {
    char code[16];
    size_t i;
    CodeOf(json, code, sizeof code);
    CHECK(strlen(code) == 8);
    for (i = 0; i < strlen(code); ++i) CHECK(strchr("ABCDEFGHJK", code[i]) != NULL);
  }
  obs_free(json);
  CHECK_STATUS(obs_list_observees(service, kParent, kRoot, kParent, 1, 0, 0, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"per_page\":1");
  CHECK_CONTAINS(json, "\"total\":2");
  obs_free(json);
  {
    int status = 0;
    char* headers = NULL;
    CHECK_STATUS(obs_rest_handle(service, "GET", "/api/v1/users/self/observees",
                                 "{\"Host\": \"canvas.test\", \"Authorization\": \"Bearer token-pat\"}", NULL, 0, NULL,
                                 &status, &headers, &json),
                 OBS_OK);
    CHECK(status == 200);
    CHECK_CONTAINS(headers, "<https://canvas.test/api/v1/users/self/observees?page=2&per_page=1>; rel=\\\"next\\\"");
    obs_free(headers);
    obs_free(json);
  }
  obs_service_close(&service);
  free(path);
}

/* ---- Fixtures ------------------------------------------------------------------------------------ */

static void TestFixtures(void) {
  obs_service* service = NULL;
  char* file = PathIn("fixture.json");
  char* missing = PathIn("missing.json");
  FILE* out;
  size_t i;

  CHECK_STATUS(obs_service_open(":memory:", kFast, &service), OBS_OK);
  CHECK_REFUSED(obs_load_fixture(NULL, kFixture), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_load_fixture(service, NULL), OBS_INVALID_ARGUMENT, "fixture_json");
  CHECK_REFUSED(obs_load_fixture(service, "{\"users\": ["), OBS_INVALID_ARGUMENT, NULL);
  CHECK_REFUSED(obs_load_fixture(service, "{\"pets\": []}"), OBS_INVALID_ARGUMENT, "pets");
  for (i = 0; i < BAD_UTF8_COUNT; ++i) {
    char fixture[128];
    snprintf(fixture, sizeof fixture, "{\"accounts\": [{\"id\": 1, \"name\": \"%s\"}]}", kBadUtf8[i]);
    CHECK_REFUSED(obs_load_fixture(service, fixture), OBS_INVALID_ARGUMENT, "UTF-8");
  }
  /* A fixture with one bad user writes nothing: user 10 stays unknown. */
  CHECK_REFUSED(
      obs_load_fixture(service,
                       "{\"accounts\": [{\"id\": 1, \"name\": \"A\"}],"
                       " \"users\": [{\"id\": 10, \"name\": \"Pat\"}, {\"id\": 11, \"name\": \"Q\", \"age\": 3}]}"),
      OBS_INVALID_ARGUMENT, "age");
  CHECK_STATUS(obs_load_fixture(service, kFixture), OBS_OK);
  CHECK_STATUS(obs_load_fixture(service, kFixture), OBS_OK); /* twice: nothing changes */
  CHECK(ObserveeTotal(service, kParent) == 1);

  CHECK_REFUSED(obs_load_fixture_file(NULL, g_demo_fixture), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_load_fixture_file(service, NULL), OBS_INVALID_ARGUMENT, "path");
  CHECK_REFUSED(obs_load_fixture_file(service, "\xff.json"), OBS_INVALID_ARGUMENT, "UTF-8");
  CHECK_REFUSED(obs_load_fixture_file(service, missing), OBS_NOT_FOUND, NULL);
  out = fopen(file, "w");
  CHECK(out != NULL);
  if (out != NULL) {
    fputs("{\"accounts\": [{\"id\": 1, \"name\": \"A\", \"colour\": \"red\"}]}", out);
    fclose(out);
  }
  CHECK_REFUSED(obs_load_fixture_file(service, file), OBS_INVALID_ARGUMENT, "colour");
  obs_service_close(&service);

  CHECK_STATUS(obs_service_open(":memory:", kFast, &service), OBS_OK);
  CHECK_STATUS(obs_load_fixture_file(service, g_demo_fixture), OBS_OK);
  CHECK(ObserveeTotal(service, kParent) == 1); /* the demo: Pat observes Alex */
  obs_service_close(&service);
  free(file);
  free(missing);
}

/* ---- Operations ---------------------------------------------------------------------------------- */

/* The bad inputs every operation shares: no service, no out-pointer, a negative acting user or
 * domain, a path id that is not positive. */
static void TestCommonRefusals(obs_service* service) {
  char* json = (char*)"not touched";

  CHECK_REFUSED(obs_list_observees(NULL, kParent, kRoot, kParent, 1, 0, 0, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK(json == NULL);
  CHECK_REFUSED(obs_list_observees(service, kParent, kRoot, kParent, 1, 0, 0, NULL), OBS_INVALID_ARGUMENT, "out_json");
  CHECK_REFUSED(obs_list_observees(service, -1, kRoot, kParent, 1, 0, 0, &json), OBS_INVALID_ARGUMENT, "acting_user");
  CHECK_REFUSED(obs_list_observees(service, kParent, -1, kParent, 1, 0, 0, &json), OBS_INVALID_ARGUMENT,
                "domain_root_account");
  CHECK_REFUSED(obs_list_observees(service, kParent, kRoot, 0, 1, 0, 0, &json), OBS_INVALID_ARGUMENT, "observer");
  CHECK_REFUSED(obs_list_observees(service, kParent, kRoot, kParent, 0, 0, 0, &json), OBS_INVALID_ARGUMENT, "page");
  CHECK_REFUSED(obs_list_observees(service, kParent, kRoot, kParent, 1, -1, 0, &json), OBS_INVALID_ARGUMENT,
                "per_page");
  CHECK_REFUSED(obs_list_observees(service, kParent, kRoot, kParent, 1, 0, 2u, &json), OBS_INVALID_ARGUMENT, "flags");
  CHECK(json == NULL);

  CHECK_REFUSED(obs_list_observers(NULL, kStudent, kRoot, kStudent, 1, 0, 0, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_list_observers(service, kStudent, kRoot, kStudent, 1, 0, 0, NULL), OBS_INVALID_ARGUMENT,
                "out_json");
  CHECK_REFUSED(obs_list_observers(service, kStudent, kRoot, -20, 1, 0, 0, &json), OBS_INVALID_ARGUMENT, "student");
  CHECK_REFUSED(obs_list_observers(service, kStudent, kRoot, kStudent, -5, 0, 0, &json), OBS_INVALID_ARGUMENT, "page");

  CHECK_REFUSED(obs_show_observee(NULL, kParent, kRoot, kParent, kAlex, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_show_observee(service, kParent, kRoot, kParent, kAlex, NULL), OBS_INVALID_ARGUMENT, "out_json");
  CHECK_REFUSED(obs_show_observee(service, -2, kRoot, kParent, kAlex, &json), OBS_INVALID_ARGUMENT, "acting_user");
  CHECK_REFUSED(obs_show_observee(service, kParent, kRoot, kParent, 0, &json), OBS_INVALID_ARGUMENT, "student");
  CHECK_REFUSED(obs_show_observer(NULL, kAlex, kRoot, kAlex, kParent, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_show_observer(service, kAlex, kRoot, kAlex, kParent, NULL), OBS_INVALID_ARGUMENT, "out_json");
  CHECK_REFUSED(obs_show_observer(service, kAlex, -7, kAlex, kParent, &json), OBS_INVALID_ARGUMENT,
                "domain_root_account");
  CHECK_REFUSED(obs_show_observer(service, kAlex, kRoot, kAlex, -1, &json), OBS_INVALID_ARGUMENT, "observer");

  CHECK_REFUSED(obs_add_observee_by_id(NULL, kAdmin, kRoot, kParent, kStudent, 0, &json), OBS_INVALID_ARGUMENT,
                "service");
  CHECK_REFUSED(obs_add_observee_by_id(service, kAdmin, kRoot, kParent, kStudent, 0, NULL), OBS_INVALID_ARGUMENT,
                "out_json");
  CHECK_REFUSED(obs_add_observee_by_id(service, kAdmin, kRoot, 0, kStudent, 0, &json), OBS_INVALID_ARGUMENT,
                "observer");
  CHECK_REFUSED(obs_add_observee_by_id(service, kAdmin, kRoot, kParent, kStudent, -2, &json), OBS_INVALID_ARGUMENT,
                "root_account_scope");
  CHECK_REFUSED(obs_add_observee_by_id(service, kAdmin, kRoot, kParent, kStudent, INT64_MIN, &json),
                OBS_INVALID_ARGUMENT, "root_account_scope");

  CHECK_REFUSED(obs_remove_observee(NULL, kParent, kRoot, kParent, kAlex, 0, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_remove_observee(service, kParent, kRoot, kParent, kAlex, 0, NULL), OBS_INVALID_ARGUMENT,
                "out_json");
  CHECK_REFUSED(obs_remove_observee(service, kParent, kRoot, kParent, 0, 0, &json), OBS_INVALID_ARGUMENT, "student");
  CHECK_REFUSED(obs_remove_observee(service, kParent, kRoot, kParent, kAlex, -9, &json), OBS_INVALID_ARGUMENT,
                "root_account_scope");

  CHECK_REFUSED(obs_create_pairing_code(NULL, kStudent, kRoot, kStudent, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_create_pairing_code(service, kStudent, kRoot, kStudent, NULL), OBS_INVALID_ARGUMENT, "out_json");
  CHECK_REFUSED(obs_create_pairing_code(service, INT64_MIN, kRoot, kStudent, &json), OBS_INVALID_ARGUMENT,
                "acting_user");
  CHECK_REFUSED(obs_create_pairing_code(service, kStudent, kRoot, 0, &json), OBS_INVALID_ARGUMENT, "student");
  CHECK(json == NULL);

  /* None of that changed anything. */
  CHECK(ObserveeTotal(service, kParent) == 1);
}

static void TestListsAndShows(obs_service* service) {
  char* json = NULL;

  CHECK_STATUS(obs_list_observees(service, kParent, kRoot, kParent, 1, 0, 0, &json), OBS_OK);
  CHECK(strcmp(obs_last_error(), "") == 0);
  CHECK_CONTAINS(json, "{\"users\":[{\"id\":21,\"name\":\"Alex Student\"");
  CHECK_CONTAINS(json, "\"observation_link_root_account_ids\":[1]");
  CHECK_CONTAINS(json, "\"page\":1,\"per_page\":10,\"total\":1}");
  obs_free(json);

  /* Avatars: only with the flag, made absolute with base_url. */
  CHECK_STATUS(obs_list_observers(service, kAlex, kRoot, kAlex, 1, 0, OBS_LIST_INCLUDE_AVATAR_URL, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"avatar_url\":\"https://canvas.test/images/pat.png\"");
  obs_free(json);
  CHECK_STATUS(obs_list_observers(service, kAlex, kRoot, kAlex, 1, 0, 0, &json), OBS_OK);
  CHECK(json != NULL && strstr(json, "avatar_url") == NULL);
  obs_free(json);

  /* Past the last page: no users, the same total; per_page is clamped. */
  CHECK_STATUS(obs_list_observees(service, kParent, kRoot, kParent, 5, 1000, 0, &json), OBS_OK);
  CHECK_CONTAINS(json, "{\"users\":[],\"page\":5,\"per_page\":100,\"total\":1}");
  obs_free(json);

  CHECK_STATUS(obs_show_observee(service, kParent, kRoot, kParent, kAlex, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"id\":21");
  obs_free(json);
  CHECK_STATUS(obs_show_observer(service, kAlex, kRoot, kAlex, kParent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"id\":10");
  CHECK_CONTAINS(json, "\"created_at\":\"2024-01-05T10:00:00Z\"");
  obs_free(json);

  /* The service's refusals come back with their codes and messages. */
  json = (char*)"not touched";
  CHECK_REFUSED(obs_list_observees(service, 0, kRoot, kParent, 1, 0, 0, &json), OBS_UNAUTHENTICATED, NULL);
  CHECK(json == NULL);
  CHECK_REFUSED(obs_list_observees(service, kParent, kRoot, 999, 1, 0, 0, &json), OBS_NOT_FOUND, NULL);
  CHECK_REFUSED(obs_list_observees(service, kAlex, kRoot, kParent, 1, 0, 0, &json), OBS_PERMISSION_DENIED, NULL);
  CHECK_REFUSED(obs_show_observee(service, kParent, kRoot, kParent, kStudent, &json), OBS_NOT_FOUND, NULL);
  CHECK_REFUSED(obs_show_observer(service, kStudent, kRoot, kStudent, kParent, &json), OBS_NOT_FOUND, NULL);
  CHECK(json == NULL);
}

static void TestAddObservee(obs_service* service) {
  char* json = NULL;
  char code[32];
  char request[128];
  size_t i;

  /* Bad requests: refused before the service sees them. */
  CHECK_REFUSED(obs_add_observee(NULL, kParent, kRoot, kParent, "{\"access_token\": \"token-sam\"}", 0, &json),
                OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"access_token\": \"token-sam\"}", 0, NULL),
                OBS_INVALID_ARGUMENT, "out_json");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, NULL, 0, &json), OBS_INVALID_ARGUMENT,
                "request_json");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"access_token\": ", 0, &json),
                OBS_INVALID_ARGUMENT, "JSON");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "[\"token-sam\"]", 0, &json), OBS_INVALID_ARGUMENT,
                "object");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"token\": \"token-sam\"}", 0, &json),
                OBS_INVALID_ARGUMENT, "\"token\"");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"access_token\": 7}", 0, &json),
                OBS_INVALID_ARGUMENT, "access_token");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"access_token\": \"token-sam\"}", -3, &json),
                OBS_INVALID_ARGUMENT, "root_account_scope");
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, -10, "{\"access_token\": \"token-sam\"}", 0, &json),
                OBS_INVALID_ARGUMENT, "observer");
  for (i = 0; i < BAD_UTF8_COUNT; ++i) {
    snprintf(request, sizeof request, "{\"pairing_code\": \"%s\"}", kBadUtf8[i]);
    CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, request, 0, &json), OBS_INVALID_ARGUMENT, "UTF-8");
  }
  /* No input at all: the service's 400 (D4). */
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{}", 0, &json), OBS_INVALID_ARGUMENT, NULL);
  CHECK(json == NULL);
  CHECK(ObserveeTotal(service, kParent) == 1);

  /* The service's outcomes; no message repeats a secret. */
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"access_token\": \"no-such-token\"}", 0, &json),
                OBS_UNKNOWN_OBSERVEE, NULL);
  CHECK(strstr(obs_last_error(), "no-such-token") == NULL);
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"access_token\": \"token-pat\"}", 0, &json),
                OBS_SELF_OBSERVATION, NULL);
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent,
                                 "{\"unique_id\": \"sam\", \"password\": \"wrong-password\"}", 0, &json),
                OBS_INVALID_CREDENTIALS, NULL);
  CHECK(strstr(obs_last_error(), "wrong-password") == NULL);
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, "{\"pairing_code\": \"ZZZZZZ\"}", 0, &json),
                OBS_INVALID_CODE, NULL);
  CHECK(strstr(obs_last_error(), "ZZZZZZ") == NULL);
  CHECK_REFUSED(obs_add_observee(service, 0, kRoot, kParent, "{\"access_token\": \"token-sam\"}", 0, &json),
                OBS_UNAUTHENTICATED, NULL);
  CHECK(json == NULL);
  CHECK(ObserveeTotal(service, kParent) == 1);

  /* A pairing code, once. */
  CHECK_STATUS(obs_create_pairing_code(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"user_id\":20");
  CHECK_CONTAINS(json, "\"workflow_state\":\"active\"");
  CodeOf(json, code, sizeof code);
  CHECK(strlen(code) == 6);
  obs_free(json);
  snprintf(request, sizeof request, "{\"pairing_code\": \"%s\"}", code);
  CHECK_STATUS(obs_add_observee(service, kParent, kRoot, kParent, request, OBS_SCOPE_DOMAIN, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"id\":20");
  CHECK_CONTAINS(json, "\"observation_link_root_account_ids\":[1]");
  obs_free(json);
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, request, 0, &json), OBS_INVALID_CODE, NULL);
  CHECK(ObserveeTotal(service, kParent) == 2);

  /* A token, in every shared root account; credentials. */
  CHECK_STATUS(
      obs_add_observee(service, kParent, kRoot, kParent, "{\"access_token\": \"token-sam\"}", OBS_SCOPE_ALL, &json),
      OBS_OK);
  CHECK_CONTAINS(json, "\"observation_link_root_account_ids\":[1,2]");
  obs_free(json);
  CHECK_STATUS(obs_add_observee(service, kOtherParent, kRoot, kOtherParent,
                                "{\"unique_id\": \"alex\", \"password\": \"alex-password\"}", kRoot, &json),
               OBS_OK);
  CHECK_CONTAINS(json, "\"id\":21");
  obs_free(json);
  /* A student sharing no root account with the observer is unknown (D2). */
  CHECK_REFUSED(
      obs_add_observee(service, kStranger, kDistrict, kStranger, "{\"access_token\": \"token-alex\"}", 0, &json),
      OBS_UNKNOWN_OBSERVEE, NULL);

  CHECK_STATUS(obs_list_observers(service, kAlex, kRoot, kAlex, 1, 1, 0, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"page\":1,\"per_page\":1,\"total\":2}");
  CHECK_CONTAINS(json, "\"id\":10");
  obs_free(json);
  CHECK_STATUS(obs_list_observers(service, kAlex, kRoot, kAlex, 2, 1, 0, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"id\":11");
  obs_free(json);
}

/* The first "id" of a JSON text, or 0. */
static int64_t FirstId(const char* json) {
  const char* at = json == NULL ? NULL : strstr(json, "\"id\":");
  return at == NULL ? 0 : (int64_t)strtoll(at + 5, NULL, 10);
}

/* The pairing-code lifecycle: list, revoke one, revoke all, and their refusals. */
static void TestPairingCodeLifecycle(void) {
  obs_service* service = OpenSeeded(kTestClockOptions);
  char* json = NULL;
  char code[32];
  char request[128];
  int64_t id;

  /* Bad inputs: refused before the service sees them. */
  CHECK_REFUSED(obs_list_pairing_codes(NULL, kStudent, kRoot, kStudent, 0, 1, 0, &json), OBS_INVALID_ARGUMENT,
                "service");
  CHECK_REFUSED(obs_list_pairing_codes(service, kStudent, kRoot, kStudent, 0, 1, 0, NULL), OBS_INVALID_ARGUMENT,
                "out_json");
  CHECK_REFUSED(obs_list_pairing_codes(service, kStudent, kRoot, -1, 0, 1, 0, &json), OBS_INVALID_ARGUMENT, "student");
  CHECK_REFUSED(obs_list_pairing_codes(service, kStudent, kRoot, kStudent, 16u, 1, 0, &json), OBS_INVALID_ARGUMENT,
                "states");
  CHECK_REFUSED(obs_list_pairing_codes(service, kStudent, kRoot, kStudent, 0, 0, 0, &json), OBS_INVALID_ARGUMENT,
                "page");
  CHECK_REFUSED(obs_list_pairing_codes(service, kStudent, kRoot, kStudent, 0, 1, -1, &json), OBS_INVALID_ARGUMENT,
                "per_page");
  CHECK_REFUSED(obs_list_pairing_codes(service, -1, kRoot, kStudent, 0, 1, 0, &json), OBS_INVALID_ARGUMENT,
                "acting_user");
  CHECK_REFUSED(obs_revoke_pairing_code(service, kStudent, kRoot, kStudent, 0, &json), OBS_INVALID_ARGUMENT, "code_id");
  CHECK_REFUSED(obs_revoke_pairing_code(service, kStudent, kRoot, 0, 1, &json), OBS_INVALID_ARGUMENT, "student");
  CHECK_REFUSED(obs_revoke_all_pairing_codes(service, kStudent, kRoot, kStudent, NULL), OBS_INVALID_ARGUMENT,
                "out_json");
  CHECK_REFUSED(obs_revoke_all_pairing_codes(NULL, kStudent, kRoot, kStudent, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK(json == NULL);

  /* The service's refusals. */
  CHECK_REFUSED(obs_list_pairing_codes(service, 0, kRoot, kStudent, 0, 1, 0, &json), OBS_UNAUTHENTICATED, NULL);
  CHECK_REFUSED(obs_list_pairing_codes(service, kParent, kRoot, kStudent, 0, 1, 0, &json), OBS_PERMISSION_DENIED, NULL);
  CHECK_REFUSED(obs_revoke_all_pairing_codes(service, kParent, kRoot, kStudent, &json), OBS_PERMISSION_DENIED, NULL);
  CHECK_REFUSED(obs_list_pairing_codes(service, kAdmin, kRoot, 9999, 0, 1, 0, &json), OBS_NOT_FOUND, NULL);
  CHECK(json == NULL);

  /* A code, listed in clear for the student and the administrator. */
  CHECK_STATUS(obs_create_pairing_code(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  CodeOf(json, code, sizeof code);
  obs_free(json);
  CHECK_STATUS(obs_list_pairing_codes(service, kStudent, kRoot, kStudent, 0, 1, 0, &json), OBS_OK);
  CHECK_CONTAINS(json, code);
  CHECK_CONTAINS(json, "\"state\":\"active\"");
  CHECK_CONTAINS(json, "\"page\":1,\"per_page\":10,\"total\":1}");
  id = FirstId(json);
  CHECK(id > 0);
  obs_free(json);
  CHECK_STATUS(obs_list_pairing_codes(service, kAdmin, kRoot, kStudent, OBS_CODE_ACTIVE, 1, 0, &json), OBS_OK);
  CHECK_CONTAINS(json, code);
  obs_free(json);

  /* Revoked once; again changes nothing; the code no longer redeems. */
  CHECK_STATUS(obs_revoke_pairing_code(service, kStudent, kRoot, kStudent, id, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"state\":\"revoked\"");
  CHECK_CONTAINS(json, "\"workflow_state\":\"deleted\"");
  CHECK_CONTAINS(json, "\"changed\":true");
  obs_free(json);
  CHECK_STATUS(obs_revoke_pairing_code(service, kAdmin, kRoot, kStudent, id, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"changed\":false");
  obs_free(json);
  snprintf(request, sizeof request, "{\"pairing_code\": \"%s\"}", code);
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, request, 0, &json), OBS_INVALID_CODE, NULL);
  CHECK(strstr(obs_last_error(), code) == NULL);
  CHECK_REFUSED(obs_revoke_pairing_code(service, kStudent, kRoot, kStudent, id + 1000, &json), OBS_NOT_FOUND, NULL);
  CHECK_REFUSED(obs_revoke_pairing_code(service, kAlex, kRoot, kAlex, id, &json), OBS_NOT_FOUND, NULL);
  CHECK(strstr(obs_last_error(), code) == NULL);

  /* Revoke all: the active ones only. */
  CHECK_STATUS(obs_create_pairing_code(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  obs_free(json);
  CHECK_STATUS(obs_create_pairing_code(service, kAdmin, kRoot, kStudent, &json), OBS_OK);
  obs_free(json);
  CHECK_STATUS(obs_revoke_all_pairing_codes(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  CHECK(json != NULL && strcmp(json, "{\"revoked\":2}") == 0);
  obs_free(json);
  CHECK_STATUS(obs_list_pairing_codes(service, kStudent, kRoot, kStudent, OBS_CODE_REVOKED, 1, 0, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"total\":3}");
  obs_free(json);

  /* Expiry is derived from the clock. */
  CHECK_STATUS(obs_create_pairing_code(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  obs_free(json);
  CHECK_STATUS(obs_clock_advance(service, 8 * 24 * 3600), OBS_OK);
  CHECK_STATUS(
      obs_list_pairing_codes(service, kStudent, kRoot, kStudent, OBS_CODE_EXPIRED | OBS_CODE_USED, 1, 0, &json),
      OBS_OK);
  CHECK_CONTAINS(json, "\"state\":\"expired\"");
  CHECK_CONTAINS(json, "\"total\":1}");
  obs_free(json);
  obs_service_close(&service);
}

static void TestAdminAndRemove(obs_service* service) {
  char* json = NULL;

  CHECK_REFUSED(obs_add_observee_by_id(service, kParent, kRoot, kParent, kAlex, OBS_SCOPE_DOMAIN, &json),
                OBS_PERMISSION_DENIED, NULL);
  CHECK_REFUSED(obs_add_observee_by_id(service, kAdmin, kRoot, kParent, 999, OBS_SCOPE_DOMAIN, &json), OBS_NOT_FOUND,
                NULL);
  CHECK_STATUS(obs_add_observee_by_id(service, kAdmin, kRoot, kOtherParent, kStudent, kRoot, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"id\":20");
  obs_free(json);

  /* D3: only root account 2's link goes. */
  CHECK_STATUS(obs_remove_observee(service, kParent, kRoot, kParent, kStudent, kDistrict, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"id\":20");
  obs_free(json);
  CHECK_STATUS(obs_show_observee(service, kParent, kRoot, kParent, kStudent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"observation_link_root_account_ids\":[1]");
  obs_free(json);
  CHECK_STATUS(obs_remove_observee(service, kParent, kRoot, kParent, kStudent, OBS_SCOPE_ALL, &json), OBS_OK);
  obs_free(json);
  CHECK_REFUSED(obs_remove_observee(service, kParent, kRoot, kParent, kStudent, OBS_SCOPE_ALL, &json), OBS_NOT_FOUND,
                NULL);
  CHECK(json == NULL);

  /* Codes: only for students, on a domain that allows it. */
  CHECK_REFUSED(obs_create_pairing_code(service, kParent, kRoot, kParent, &json), OBS_PERMISSION_DENIED, NULL);
  CHECK_REFUSED(obs_create_pairing_code(service, 0, kRoot, kStudent, &json), OBS_UNAUTHENTICATED, NULL);
  CHECK_REFUSED(obs_create_pairing_code(service, kStudent, kRoot, 999, &json), OBS_NOT_FOUND, NULL);
}

/* Linked observer enrollments: Quinn follows Sam into root 1's course when linked, and out again. */
static void TestEnrollments(obs_service* service) {
  char* json = NULL;

  CHECK_STATUS(obs_add_observee_by_id(service, kAdmin, kRoot, kOtherParent, kStudent, kRoot, &json), OBS_OK);
  obs_free(json);
  CHECK_STATUS(obs_list_enrollments(service, kOtherParent, kRoot, kOtherParent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"type\":\"ObserverEnrollment\"");
  CHECK_CONTAINS(json, "\"course_id\":100");
  CHECK_CONTAINS(json, "\"associated_user_id\":20");
  CHECK(strstr(json, "\"course_id\":200") == NULL); /* root 2's course: no link there */
  obs_free(json);

  CHECK_STATUS(obs_enroll_user(service, kAdmin, kRoot,
                               "{\"course_id\": 100, \"user_id\": 20, \"enrollment_state\": \"completed\"}", &json),
               OBS_OK);
  CHECK_CONTAINS(json, "\"enrollment_state\":\"completed\"");
  obs_free(json);
  CHECK_STATUS(obs_list_enrollments(service, kOtherParent, kRoot, kOtherParent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"enrollment_state\":\"completed\"");
  obs_free(json);
  CHECK_STATUS(obs_enroll_user(service, kAdmin, kRoot, "{\"course_id\": 100, \"user_id\": 20}", &json), OBS_OK);
  obs_free(json);

  CHECK_REFUSED(obs_list_enrollments(NULL, kAdmin, kRoot, kStudent, &json), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_list_enrollments(service, kAdmin, kRoot, kStudent, NULL), OBS_INVALID_ARGUMENT, "out_json");
  CHECK_REFUSED(obs_list_enrollments(service, kStranger, kRoot, kStudent, &json), OBS_PERMISSION_DENIED, NULL);
  CHECK_REFUSED(obs_list_enrollments(service, kAdmin, kRoot, -5, &json), OBS_INVALID_ARGUMENT, NULL);
  CHECK_REFUSED(obs_enroll_user(service, kParent, kRoot, "{\"course_id\": 100, \"user_id\": 20}", &json),
                OBS_PERMISSION_DENIED, NULL);
  CHECK_REFUSED(obs_enroll_user(service, kAdmin, kRoot, "{\"course_id\": 999, \"user_id\": 20}", &json), OBS_NOT_FOUND,
                NULL);
  CHECK_REFUSED(obs_enroll_user(service, kAdmin, kRoot, "{\"course_id\": 100}", &json), OBS_INVALID_ARGUMENT,
                "user_id");
  CHECK_REFUSED(obs_enroll_user(service, kAdmin, kRoot, "{\"course_id\": 100, \"user_id\": 20, \"colour\": 1}", &json),
                OBS_INVALID_ARGUMENT, "colour");
  CHECK_REFUSED(
      obs_enroll_user(service, kAdmin, kRoot, "{\"course_id\": 100, \"user_id\": 20, \"type\": \"X\"}", &json),
      OBS_INVALID_ARGUMENT, NULL);
  CHECK_REFUSED(obs_enroll_user(service, kAdmin, kRoot, "{not json", &json), OBS_INVALID_ARGUMENT, NULL);
  CHECK_REFUSED(obs_enroll_user(service, kAdmin, kRoot, NULL, &json), OBS_INVALID_ARGUMENT, NULL);
  CHECK(json == NULL);

  CHECK_STATUS(obs_remove_observee(service, kAdmin, kRoot, kOtherParent, kStudent, OBS_SCOPE_ALL, &json), OBS_OK);
  obs_free(json);
  CHECK_STATUS(obs_list_enrollments(service, kOtherParent, kRoot, kOtherParent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"enrollment_state\":\"deleted\"");
  obs_free(json);
}

static void TestRegisterObserver(obs_service* service) {
  char* json = NULL;
  char code[32];
  char request[512];

  CHECK_STATUS(obs_create_pairing_code(service, kAlex, kRoot, kAlex, &json), OBS_OK);
  CodeOf(json, code, sizeof code);
  obs_free(json);

  CHECK_REFUSED(obs_register_observer(NULL, 0, kRoot, "{}", &json), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot, "{}", NULL), OBS_INVALID_ARGUMENT, "out_json");
  CHECK_REFUSED(obs_register_observer(service, -1, kRoot, "{}", &json), OBS_INVALID_ARGUMENT, "acting_user");
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot, NULL, &json), OBS_INVALID_ARGUMENT, "request_json");
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot, "{\"name\": \"Robin\", \"email\": \"r@x\"}", &json),
                OBS_INVALID_ARGUMENT, "\"email\"");
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot, "{\"name\": [\"Robin\"]}", &json), OBS_INVALID_ARGUMENT,
                "name");
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot, "{\"name\": \"Rob\xc3\"}", &json), OBS_INVALID_ARGUMENT,
                "UTF-8");
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot, "{\"name\": \"Robin\"", &json), OBS_INVALID_ARGUMENT, "JSON");

  snprintf(request, sizeof request,
           "{\"name\": \"Robin Guardian\", \"unique_id\": \"pat\", \"password\": \"robin-password\","
           " \"pairing_code\": \"%s\", \"client_key\": \"127.0.0.1\"}",
           code);
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot, request, &json), OBS_ALREADY_EXISTS, NULL);
  CHECK_REFUSED(obs_register_observer(service, 0, kRoot,
                                      "{\"name\": \"Robin Guardian\", \"unique_id\": \"robin\","
                                      " \"password\": \"robin-password\", \"pairing_code\": \"NOPE00\"}",
                                      &json),
                OBS_INVALID_CODE, NULL);
  CHECK(json == NULL);

  snprintf(request, sizeof request,
           "{\"name\": \"Robin Guardian\", \"unique_id\": \"robin\", \"password\": \"robin-password\","
           " \"pairing_code\": \"%s\", \"short_name\": \"Robin\", \"sortable_name\": \"Guardian, Robin\","
           " \"initial_enrollment_type\": \"observer\"}",
           code);
  CHECK_STATUS(obs_register_observer(service, 0, kRoot, request, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"name\":\"Robin Guardian\"");
  CHECK_CONTAINS(json, "\"sortable_name\":\"Guardian, Robin\"");
  obs_free(json);
}

static void TestLimiter(void) {
  obs_service* service =
      OpenSeeded("{\"password_hashing\": \"fastest\", \"limiter\": {\"max_failures\": 2, \"window_seconds\": 900}}");
  char* json = NULL;
  char code[32];
  char request[64];

  CHECK_STATUS(obs_create_pairing_code(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  CodeOf(json, code, sizeof code);
  obs_free(json);
  CHECK_STATUS(obs_add_observee(service, kParent, kRoot, kParent, "{\"pairing_code\": \"bad001\"}", 0, &json),
               OBS_INVALID_CODE);
  CHECK_STATUS(obs_add_observee(service, kParent, kRoot, kParent, "{\"pairing_code\": \"bad002\"}", 0, &json),
               OBS_INVALID_CODE);
  snprintf(request, sizeof request, "{\"pairing_code\": \"%s\"}", code);
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, request, 0, &json), OBS_TOO_MANY_ATTEMPTS, NULL);
  CHECK(json == NULL);
  CHECK(ObserveeTotal(service, kParent) == 1);
  obs_service_close(&service);
}

/* ---- REST -------------------------------------------------------------------------------------- */

static void TestRest(obs_service* service) {
  int status = -1;
  char* headers = NULL;
  char* body = NULL;
  static const char kForm[] = "access_token=token-alex";
  static const char kNul[] = "pairing_code=ab\0cd";
  size_t i;

  /* Headers as pairs. */
  CHECK_STATUS(obs_rest_handle(service, "GET", "/api/v1/users/self/observees?per_page=1",
                               "[[\"Host\", \"canvas.test\"], [\"Authorization\", \"Bearer token-pat\"]]", NULL, 0,
                               "127.0.0.1", &status, &headers, &body),
               OBS_OK);
  CHECK(status == 200);
  CHECK_CONTAINS(headers, "[\"Content-Type\",\"application/json; charset=utf-8\"]");
  CHECK_CONTAINS(headers, "[\"Link\",\"<http://canvas.test/api/v1/users/self/observees?");
  CHECK_CONTAINS(body, "[{\"id\":");
  obs_free(headers);
  obs_free(body);

  /* Headers as an object; a form body; no peer. */
  CHECK_STATUS(obs_rest_handle(service, "POST", "/api/v1/users/10/observees",
                               "{\"Host\": \"canvas.test:8080\", \"Authorization\": \"Bearer token-quinn\","
                               " \"Content-Type\": \"application/x-www-form-urlencoded\"}",
                               kForm, strlen(kForm), NULL, &status, &headers, &body),
               OBS_OK);
  CHECK(status == 401 || status == 403);
  obs_free(headers);
  obs_free(body);
  CHECK_STATUS(obs_rest_handle(service, "POST", "/api/v1/users/self/observees",
                               "{\"Authorization\": \"Bearer token-pat\","
                               " \"Content-Type\": \"application/x-www-form-urlencoded\"}",
                               kForm, strlen(kForm), NULL, &status, &headers, &body),
               OBS_OK);
  CHECK(status == 200);
  CHECK_CONTAINS(body, "\"id\":21");
  obs_free(headers);
  obs_free(body);

  /* HTTP errors are responses, not failures: 404, 401 with WWW-Authenticate, 400 for a bad body. */
  CHECK_STATUS(obs_rest_handle(service, "GET", "/api/v1/nowhere", NULL, NULL, 0, NULL, &status, &headers, &body),
               OBS_OK);
  CHECK(status == 404);
  obs_free(headers);
  obs_free(body);
  CHECK_STATUS(obs_rest_handle(service, "GET", "/api/v1/users/self/observees", "{\"Authorization\": \"Bearer nope\"}",
                               NULL, 0, NULL, &status, &headers, &body),
               OBS_OK);
  CHECK(status == 401);
  CHECK_CONTAINS(headers, "WWW-Authenticate");
  obs_free(headers);
  obs_free(body);
  CHECK_STATUS(obs_rest_handle(service, "POST", "/api/v1/users/self/observees",
                               "{\"Authorization\": \"Bearer token-pat\", \"Content-Type\": \"application/json\"}",
                               "{\"pairing_code\": \"\xff\"}", strlen("{\"pairing_code\": \"\xff\"}"), NULL, &status,
                               &headers, &body),
               OBS_OK);
  CHECK(status == 400);
  obs_free(headers);
  obs_free(body);
  /* The body is bytes: an embedded NUL reaches the router, which refuses it. */
  CHECK_STATUS(
      obs_rest_handle(service, "POST", "/api/v1/users/self/observees", "{\"Authorization\": \"Bearer token-pat\"}",
                      kNul, sizeof kNul - 1, NULL, &status, &headers, &body),
      OBS_OK);
  CHECK(status == 400);
  obs_free(headers);
  obs_free(body);

  /* Bad calls: nothing is answered, out-parameters are reset. */
  status = 77;
  headers = (char*)"x";
  body = (char*)"y";
  CHECK_REFUSED(obs_rest_handle(NULL, "GET", "/", NULL, NULL, 0, NULL, &status, &headers, &body), OBS_INVALID_ARGUMENT,
                "service");
  CHECK(status == 0 && headers == NULL && body == NULL);
  CHECK_REFUSED(obs_rest_handle(service, NULL, "/", NULL, NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "method");
  CHECK_REFUSED(obs_rest_handle(service, "", "/", NULL, NULL, 0, NULL, &status, &headers, &body), OBS_INVALID_ARGUMENT,
                "method");
  CHECK_REFUSED(obs_rest_handle(service, "GET", NULL, NULL, NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "target");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", NULL, NULL, 3, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "body");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", NULL, NULL, 0, NULL, NULL, &headers, &body), OBS_INVALID_ARGUMENT,
                "out_status");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", NULL, NULL, 0, NULL, &status, NULL, &body), OBS_INVALID_ARGUMENT,
                "out_headers_json");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", NULL, NULL, 0, NULL, &status, &headers, NULL),
                OBS_INVALID_ARGUMENT, "out_body");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", "[[\"Host\"]]", NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "headers_json");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", "[[\"Host\", 1]]", NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "headers_json");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", "[\"Host: x\"]", NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "headers_json");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", "{\"Host\": null}", NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "headers_json");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", "\"Host\"", NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "headers_json");
  CHECK_REFUSED(obs_rest_handle(service, "GET", "/", "{\"Host\": ", NULL, 0, NULL, &status, &headers, &body),
                OBS_INVALID_ARGUMENT, "headers_json");
  for (i = 0; i < BAD_UTF8_COUNT; ++i) {
    char header[64];
    snprintf(header, sizeof header, "{\"Host\": \"%s\"}", kBadUtf8[i]);
    CHECK_REFUSED(obs_rest_handle(service, "GET", kBadUtf8[i], NULL, NULL, 0, NULL, &status, &headers, &body),
                  OBS_INVALID_ARGUMENT, "UTF-8");
    CHECK_REFUSED(obs_rest_handle(service, kBadUtf8[i], "/", NULL, NULL, 0, NULL, &status, &headers, &body),
                  OBS_INVALID_ARGUMENT, "UTF-8");
    CHECK_REFUSED(obs_rest_handle(service, "GET", "/", header, NULL, 0, NULL, &status, &headers, &body),
                  OBS_INVALID_ARGUMENT, "UTF-8");
    CHECK_REFUSED(obs_rest_handle(service, "GET", "/", NULL, NULL, 0, kBadUtf8[i], &status, &headers, &body),
                  OBS_INVALID_ARGUMENT, "UTF-8");
  }
  CHECK(status == 0 && headers == NULL && body == NULL);
}

/* ---- Clock ------------------------------------------------------------------------------------- */

static void TestClock(void) {
  obs_service* plain = OpenSeeded(kFast);
  obs_service* service = OpenSeeded(kTestClockOptions);
  char* json = NULL;
  char* now = NULL;
  char code[32];
  char request[64];

  /* Without a test clock: "now" is readable, not settable. */
  CHECK_STATUS(obs_clock_now(plain, &now), OBS_OK);
  CHECK(now != NULL && strlen(now) == 20 && now[19] == 'Z');
  obs_free(now);
  CHECK_REFUSED(obs_clock_set(plain, "2026-01-01T00:00:00Z"), OBS_INVALID_ARGUMENT, "the service has no test clock");
  CHECK_REFUSED(obs_clock_advance(plain, 60), OBS_INVALID_ARGUMENT, "the service has no test clock");
  obs_service_close(&plain);

  CHECK_REFUSED(obs_clock_now(NULL, &now), OBS_INVALID_ARGUMENT, "service");
  CHECK(now == NULL);
  CHECK_REFUSED(obs_clock_now(service, NULL), OBS_INVALID_ARGUMENT, "out_iso");
  CHECK_REFUSED(obs_clock_set(NULL, "2026-01-01T00:00:00Z"), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_clock_advance(NULL, 1), OBS_INVALID_ARGUMENT, "service");

  CHECK_STATUS(obs_clock_now(service, &now), OBS_OK);
  CHECK(now != NULL && strcmp(now, "2026-01-01T00:00:00Z") == 0);
  obs_free(now);

  /* A code expires after its lifetime (7 days), on the test clock. */
  CHECK_STATUS(obs_create_pairing_code(service, kStudent, kRoot, kStudent, &json), OBS_OK);
  CHECK_CONTAINS(json, "\"expires_at\":\"2026-01-08T00:00:00Z\"");
  CodeOf(json, code, sizeof code);
  obs_free(json);
  snprintf(request, sizeof request, "{\"pairing_code\": \"%s\"}", code);
  CHECK_STATUS(obs_clock_advance(service, 7 * 24 * 3600 + 1), OBS_OK);
  CHECK_REFUSED(obs_add_observee(service, kParent, kRoot, kParent, request, 0, &json), OBS_INVALID_CODE, NULL);
  /* Back in time, it works again (and only once). */
  CHECK_STATUS(obs_clock_set(service, "2026-01-07T23:59:59Z"), OBS_OK);
  CHECK_STATUS(obs_add_observee(service, kParent, kRoot, kParent, request, 0, &json), OBS_OK);
  obs_free(json);
  CHECK_STATUS(obs_clock_advance(service, -3600), OBS_OK);
  CHECK_STATUS(obs_clock_now(service, &now), OBS_OK);
  CHECK(now != NULL && strcmp(now, "2026-01-07T22:59:59Z") == 0);
  obs_free(now);
  CHECK_STATUS(obs_clock_set(service, "2026-03-01T12:00:00+01:00"), OBS_OK);
  CHECK_STATUS(obs_clock_now(service, &now), OBS_OK);
  CHECK(now != NULL && strcmp(now, "2026-03-01T11:00:00Z") == 0);
  obs_free(now);

  /* Bad times change nothing. */
  CHECK_REFUSED(obs_clock_set(service, NULL), OBS_INVALID_ARGUMENT, "iso_time");
  CHECK_REFUSED(obs_clock_set(service, "tomorrow"), OBS_INVALID_ARGUMENT, "iso_time");
  CHECK_REFUSED(obs_clock_set(service, "2026-13-01T00:00:00Z"), OBS_INVALID_ARGUMENT, "iso_time");
  CHECK_REFUSED(obs_clock_set(service, "1969-12-31T23:59:59Z"), OBS_INVALID_ARGUMENT, "iso_time");
  CHECK_REFUSED(obs_clock_set(service, "2026-01-01T00:00:00\xff"), OBS_INVALID_ARGUMENT, "UTF-8");
  CHECK_REFUSED(obs_clock_advance(service, INT64_MAX), OBS_INVALID_ARGUMENT, "seconds");
  CHECK_REFUSED(obs_clock_advance(service, INT64_MIN), OBS_INVALID_ARGUMENT, "seconds");
  CHECK_REFUSED(obs_clock_advance(service, -1800000000), OBS_INVALID_ARGUMENT, "seconds");
  CHECK_STATUS(obs_clock_now(service, &now), OBS_OK);
  CHECK(now != NULL && strcmp(now, "2026-03-01T11:00:00Z") == 0);
  obs_free(now);
  obs_service_close(&service);
}

/* ---- Threads ----------------------------------------------------------------------------------- */

struct Worker {
  obs_service* service;
  int failures;
  char message[128];
};

static void* Work(void* argument) {
  struct Worker* worker = argument;
  int i;
  for (i = 0; i < 20; ++i) {
    char* json = NULL;
    if (obs_list_observers(worker->service, kAlex, kRoot, kAlex, 1, 0, 0, &json) != OBS_OK) ++worker->failures;
    obs_free(json);
    if (obs_show_observee(worker->service, kParent, kRoot, kParent, 999, &json) != OBS_NOT_FOUND) ++worker->failures;
  }
  /* This thread's last error is its own. */
  snprintf(worker->message, sizeof worker->message, "%s", obs_last_error());
  return NULL;
}

static void TestThreads(void) {
  obs_service* service = OpenSeeded(kFast);
  struct Worker workers[4];
  pthread_t threads[4];
  char* json = NULL;
  int i;

  CHECK_REFUSED(obs_list_observees(service, kParent, kRoot, kParent, 0, 0, 0, &json), OBS_INVALID_ARGUMENT, "page");
  for (i = 0; i < 4; ++i) {
    workers[i].service = service;
    workers[i].failures = 0;
    workers[i].message[0] = '\0';
    CHECK(pthread_create(&threads[i], NULL, Work, &workers[i]) == 0);
  }
  for (i = 0; i < 4; ++i) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(workers[i].failures == 0);
    CHECK(workers[i].message[0] != '\0' && strstr(workers[i].message, "page") == NULL);
  }
  /* The other threads' failures did not touch this thread's message. */
  CHECK(strstr(obs_last_error(), "page") != NULL);
  obs_service_close(&service);
}

/* obs_service_reset: empty, or back to a fixture, in one step; a bad fixture changes nothing; the
 * test clock stays where it was. */
static void TestReset(void) {
  obs_service* service = OpenSeeded(kTestClockOptions);
  char* before = NULL;
  char* after = NULL;
  size_t i;

  CHECK(ObserveeTotal(service, kParent) == 1);
  CHECK_STATUS(obs_clock_advance(service, 3600), OBS_OK);
  CHECK_STATUS(obs_clock_now(service, &before), OBS_OK);
  CHECK_STATUS(obs_service_reset(service, NULL), OBS_OK);
  CHECK(ObserveeTotal(service, kParent) == -1); /* no such user any more */
  CHECK_STATUS(obs_clock_now(service, &after), OBS_OK);
  CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
  obs_free(before);
  obs_free(after);

  CHECK_STATUS(obs_service_reset(service, kFixture), OBS_OK);
  CHECK(ObserveeTotal(service, kParent) == 1);
  CHECK_STATUS(obs_service_reset(service, kFixture), OBS_OK); /* twice: the same */
  CHECK(ObserveeTotal(service, kParent) == 1);

  CHECK_REFUSED(obs_service_reset(NULL, NULL), OBS_INVALID_ARGUMENT, "service");
  CHECK_REFUSED(obs_service_reset(service, "{\"pets\": []}"), OBS_INVALID_ARGUMENT, "pets");
  CHECK_REFUSED(obs_service_reset(service, "{\"users\": ["), OBS_INVALID_ARGUMENT, NULL);
  for (i = 0; i < BAD_UTF8_COUNT; ++i) {
    char fixture[128];
    snprintf(fixture, sizeof fixture, "{\"accounts\": [{\"id\": 1, \"name\": \"%s\"}]}", kBadUtf8[i]);
    CHECK_REFUSED(obs_service_reset(service, fixture), OBS_INVALID_ARGUMENT, "UTF-8");
  }
  CHECK(ObserveeTotal(service, kParent) == 1); /* every refusal changed nothing */
  obs_service_close(&service);
}

/* ---- Handle armor (convention 11) ----------------------------------------------------------------- */

/* A call on a closed handle or on memory obs_service_open did not make answers OBS_MISUSE with a
 * message, leaves the out-parameters NULL and does nothing; closing it again does nothing. The closed
 * handle is used before any other close, so it is within the quarantine and this reads live memory:
 * valid under valgrind and ASan. */
static void ExpectMisuse(obs_service* handle, const char* mention) {
  char* json = (char*)"untouched";
  char* headers = (char*)"untouched";
  int http = -1;
  CHECK(obs_load_fixture(handle, "{}") == OBS_MISUSE);
  CHECK(strstr(obs_last_error(), mention) != NULL);
  CHECK(obs_service_reset(handle, NULL) == OBS_MISUSE);
  CHECK(obs_list_observees(handle, 1, 0, 1, 1, 10, 0, &json) == OBS_MISUSE);
  CHECK(json == NULL);
  CHECK(obs_clock_now(handle, &json) == OBS_MISUSE);
  CHECK(json == NULL);
  CHECK(obs_rest_handle(handle, "GET", "/api/v1/users/1/observees", "[]", "", 0, "127.0.0.1", &http, &headers, &json) ==
        OBS_MISUSE);
  CHECK(headers == NULL && json == NULL && http == 0);
  obs_service* again = handle;
  obs_service_close(&again); /* does nothing */
  CHECK(again == handle);
  CHECK(strstr(obs_last_error(), mention) != NULL);
}

static void TestHandleArmor(void) {
  obs_service* service = NULL;
  obs_service* stale;
  uint64_t garbage[64];

  CHECK(OBS_MISUSE == 14);
  CHECK(strcmp(obs_status_name(OBS_MISUSE), "misuse") == 0);

  /* A closed handle. */
  CHECK(obs_service_open(":memory:", "{\"password_hashing\": \"fastest\"}", &service) == OBS_OK);
  stale = service;
  obs_service_close(&service);
  CHECK(service == NULL);
  ExpectMisuse(stale, "closed");

  /* Memory the library did not make: allocated, aligned, and not a handle. */
  memset(garbage, 0xAB, sizeof garbage);
  ExpectMisuse((obs_service*)(void*)garbage, "not a handle");
  memset(garbage, 0, sizeof garbage);
  ExpectMisuse((obs_service*)(void*)garbage, "not a handle");

  /* A live handle still works after all that. */
  CHECK(obs_service_open(":memory:", "{\"password_hashing\": \"fastest\"}", &service) == OBS_OK);
  CHECK(obs_load_fixture(service, "{}") == OBS_OK);
  obs_service_close(&service);
}

/* SIS import and export of user_observers.csv: a report as JSON with the import's id, a dry run,
 * batch mode with its threshold, bad input and bad options refused. */
static void TestSisImport(void) {
  static const char kSisFixture[] =
      "{\"accounts\": [{\"id\": 1, \"name\": \"Root\"}, {\"id\": 3, \"name\": \"Sub\", \"parent_id\": 1}],"
      " \"users\": [{\"id\": 10, \"name\": \"Pat\", \"sis_user_id\": \"P-10\","
      "   \"logins\": [{\"account_id\": 1, \"unique_id\": \"pat\"}]},"
      "  {\"id\": 20, \"name\": \"Sam\", \"sis_user_id\": \"S-20\","
      "   \"logins\": [{\"account_id\": 1, \"unique_id\": \"sam\"}]}]}";
  static const char kCsv[] = "observer_id,student_id,status\nP-10,S-20,active\nP-10,NOPE,active\n";
  obs_service* service = NULL;
  char* json = NULL;
  char* csv = NULL;
  CHECK_STATUS(obs_service_open(":memory:", kFast, &service), OBS_OK);
  CHECK_STATUS(obs_load_fixture(service, kSisFixture), OBS_OK);

  CHECK_STATUS(obs_sis_import(service, 1, kCsv, strlen(kCsv), "{\"dry_run\": true}", &json), OBS_OK);
  CHECK_CONTAINS(json, "{\"id\":null,\"workflow_state\":\"imported_with_messages\",\"created\":1");
  CHECK_CONTAINS(json, "\"dry_run\":true,\"committed\":false");
  CHECK_CONTAINS(json, "[[3,\"A student referenced a non-existent user NOPE\"]]");
  obs_free(json);
  CHECK_STATUS(obs_sis_export(service, 1, &csv), OBS_OK);
  CHECK(csv != NULL && strcmp(csv, "observer_id,student_id,status\r\n") == 0);
  obs_free(csv);

  CHECK_STATUS(obs_sis_import(service, 1, kCsv, strlen(kCsv), NULL, &json), OBS_OK);
  CHECK_CONTAINS(json, "{\"id\":1,\"workflow_state\":\"imported_with_messages\",\"created\":1");
  CHECK_CONTAINS(json, "\"committed\":true");
  obs_free(json);
  CHECK_STATUS(obs_sis_export(service, 1, &csv), OBS_OK);
  CHECK(csv != NULL && strcmp(csv, "observer_id,student_id,status\r\nP-10,S-20,active\r\n") == 0);
  obs_free(csv);

  /* Batch mode. The link, removed by a row, is restored by data set "nightly" and so becomes its own;
   * an empty batch over a 50% threshold is aborted with Canvas's message; without one it removes it. */
  CHECK_STATUS(obs_sis_import(service, 1, "observer_id,student_id,status\nP-10,S-20,deleted\n", 48, NULL, &json),
               OBS_OK);
  CHECK_CONTAINS(json, "{\"id\":2,\"workflow_state\":\"imported\",\"created\":0,\"restored\":0,\"deleted\":1,");
  obs_free(json);
  CHECK_STATUS(
      obs_sis_import(service, 1, kCsv, strlen(kCsv),
                     "{\"batch_mode\": true, \"diffing_data_set_identifier\": \"nightly\", \"actor\": 10}", &json),
      OBS_OK);
  CHECK_CONTAINS(json, "\"restored\":1,");
  CHECK_CONTAINS(json, "\"batch_removals\":[]");
  obs_free(json);
  CHECK_STATUS(obs_sis_import(service, 1, "observer_id,student_id,status\n", 30,
                              "{\"batch_mode\": true, \"diffing_data_set_identifier\": \"nightly\", "
                              "\"change_threshold\": 50}",
                              &json),
               OBS_OK);
  CHECK_CONTAINS(json, "\"workflow_state\":\"aborted\"");
  CHECK_CONTAINS(json, "\"errors\":[[0,\"1 user_observers would be deleted and exceeds the set threshold of 50%\"]]");
  CHECK_CONTAINS(json, "\"committed\":false");
  obs_free(json);
  CHECK_STATUS(obs_sis_import(service, 1, "observer_id,student_id,status\n", 30,
                              "{\"batch_mode\": true, \"diffing_data_set_identifier\": \"nightly\"}", &json),
               OBS_OK);
  CHECK_CONTAINS(json, "\"deleted\":1,\"batch_deleted\":1,");
  CHECK_CONTAINS(json, "\"batch_removals\":[{\"id\":1,\"observer_id\":10,\"student_id\":20}]");
  obs_free(json);

  /* A malformed file: OBS_OK with the error in the report. */
  CHECK_STATUS(obs_sis_import(service, 1, "\xff", 1, "", &json), OBS_OK);
  CHECK_CONTAINS(json, "\"workflow_state\":\"failed_with_messages\"");
  CHECK_CONTAINS(json, "\"errors\":[[1,\"row 1: field 1 is not valid UTF-8\"]]");
  obs_free(json);
  CHECK_STATUS(obs_sis_import(service, 1, NULL, 0, NULL, &json), OBS_OK);
  CHECK_CONTAINS(json, "a header row is required");
  obs_free(json);

  json = (char*)1;
  CHECK_REFUSED(obs_sis_import(service, 1, NULL, 5, NULL, &json), OBS_INVALID_ARGUMENT, "csv");
  CHECK(json == NULL);
  {
    static const struct {
      const char* options;
      const char* mention;
    } kBad[] = {
        {"{\"flags\": 1}", "flags"},
        {"{\"dry_run\": 1}", "dry_run"},
        {"[]", "options_json"},
        {"{", "options_json"},
        {"{\"actor\": 0}", "actor"},
        {"{\"batch_mode\": true}", "diffing_data_set_identifier"},
        {"{\"diffing_data_set_identifier\": \"nightly\"}", "batch_mode"},
        {"{\"batch_mode\": true, \"diffing_data_set_identifier\": \"\"}", "diffing_data_set_identifier"},
        {"{\"batch_mode\": true, \"diffing_data_set_identifier\": 7}", "diffing_data_set_identifier"},
        {"{\"batch_mode\": true, \"diffing_data_set_identifier\": \"n\", \"change_threshold\": 0}", "change_threshold"},
        {"{\"batch_mode\": true, \"diffing_data_set_identifier\": \"n\", \"change_threshold\": 101}",
         "change_threshold"},
        {"{\"change_threshold\": 10}", "change_threshold"},
    };
    size_t i;
    for (i = 0; i < sizeof kBad / sizeof kBad[0]; ++i) {
      CHECK_REFUSED(obs_sis_import(service, 1, kCsv, strlen(kCsv), kBad[i].options, &json), OBS_INVALID_ARGUMENT,
                    kBad[i].mention);
      CHECK(json == NULL);
    }
  }
  CHECK_REFUSED(obs_sis_import(service, 0, kCsv, strlen(kCsv), NULL, &json), OBS_INVALID_ARGUMENT, "root_account");
  CHECK_REFUSED(obs_sis_import(service, 3, kCsv, strlen(kCsv), NULL, &json), OBS_INVALID_ARGUMENT, "root account");
  CHECK_STATUS(obs_sis_import(service, 999, kCsv, strlen(kCsv), NULL, &json), OBS_NOT_FOUND);
  CHECK_REFUSED(obs_sis_import(service, 1, kCsv, strlen(kCsv), NULL, NULL), OBS_INVALID_ARGUMENT, "out_report_json");
  CHECK_REFUSED(obs_sis_export(service, -1, &csv), OBS_INVALID_ARGUMENT, "root_account");
  CHECK(csv == NULL);
  CHECK_REFUSED(obs_sis_export(service, 1, NULL), OBS_INVALID_ARGUMENT, "out_csv");
  CHECK_STATUS(obs_sis_export(service, 999, &csv), OBS_NOT_FOUND);
  obs_service_close(&service);
  CHECK(obs_sis_export(service, 1, &csv) != OBS_OK);
}

int main(int argc, char** argv) {
  obs_service* service;
  char* db;

  if (argc != 2) {
    fprintf(stderr, "usage: %s DEMO_FIXTURE_PATH\n", argv[0]);
    return 2;
  }
  /* First thing, before any SQLite use: applied; once SQLite is in use, refused. */
  CHECK(obs_disable_sqlite_memory_statistics() == 1);
  g_demo_fixture = argv[1];
  snprintf(g_dir, sizeof g_dir, "%s/observees-c-api-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (mkdtemp(g_dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }

  TestLibrary();
  TestOpenRefusesBadInput();
  TestOpenAndClose();
  TestHandleArmor();
  TestFixtures();
  TestReset();

  service = OpenSeeded(kTestClockOptions);
  TestCommonRefusals(service);
  TestListsAndShows(service);
  TestAddObservee(service);
  TestAdminAndRemove(service);
  TestEnrollments(service);
  TestRegisterObserver(service);
  TestRest(service);
  obs_service_close(&service);
  CHECK(service == NULL);

  TestPairingCodeLifecycle();
  TestLimiter();
  TestClock();
  TestThreads();
  TestSisImport();

  /* Clean the temporary directory. */
  db = PathIn("observees.db");
  remove(db);
  free(db);
  {
    static const char* const kLeftovers[] = {"observees.db-wal", "observees.db-shm", "fixture.json"};
    size_t i;
    for (i = 0; i < sizeof kLeftovers / sizeof kLeftovers[0]; ++i) {
      char* path = PathIn(kLeftovers[i]);
      remove(path);
      free(path);
    }
  }
  rmdir(g_dir);

  printf("%d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
