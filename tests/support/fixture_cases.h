// Fixture cases that every backend's loader is tested with (tests/fixture_loader_test.cc for SQLite,
// tests/postgres_fixture_test.cc for PostgreSQL): docs/fixture.md's example, bad fixtures naming the path
// their message must hold, and fixtures that must never echo their secrets. Plain data.
#pragma once

#include <string>
#include <vector>

#include "observees/status.h"

namespace observees::storage_test {

// docs/fixture.md's example, verbatim. Users 5 and 11 (whom admins[0], enrollments[0], links[0] and
// pairing_codes[0] name) give only a name, so they exercise the defaults of sortable_name, short_name
// and created_at.
inline constexpr char kDesignExample[] = R"json({
  "accounts": [
    {"id": 1, "name": "Default", "domains": ["canvas.test"], "self_registration": "observer", "avatars": true},
    {"id": 2, "name": "External", "domains": ["external.test"]},
    {"id": 3, "name": "Science", "parent_id": 1}
  ],
  "users": [
    {"id": 10, "name": "Pat Parent", "sortable_name": "Parent, Pat", "short_name": "Pat",
     "sis_user_id": "P-10", "avatar_url": "/images/pat.png", "created_at": "2024-01-05T10:00:00Z",
     "logins": [{"account_id": 1, "unique_id": "pat", "password": "secret-pat"}],
     "tokens": ["token-pat"]},
    {"id": 5, "name": "Ada Admin"},
    {"id": 11, "name": "Sam Student"}
  ],
  "admins": [
    {"user_id": 5, "account_id": 1, "role": "AccountAdmin",
     "permissions": {"manage_user_observers": true, "generate_observer_pairing_code": true}}
  ],
  "role_overrides": [
    {"account_id": 1, "role": "TeacherEnrollment", "permission": "generate_observer_pairing_code", "enabled": true}
  ],
  "courses": [{"id": 100, "account_id": 3, "workflow_state": "available"}],
  "enrollments": [
    {"id": 500, "user_id": 11, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"}
  ],
  "links": [{"observer_id": 10, "student_id": 11, "root_account_id": 1, "workflow_state": "active"}],
  "pairing_codes": [{"user_id": 11, "code": "Ab3dE9", "expires_at": "2020-01-01T00:00:00Z", "workflow_state": "active"}]
})json";

struct BadFixture {
  const char* what;
  const char* path;  // must appear in the message
  const char* json;
};

// Valid new data (account 7, user 40 with a login) and then a login in an unknown account.
inline constexpr char kBadLoginAfterValidParts[] = R"json({"accounts": [{"id": 7, "name": "Later"}],
    "users": [{"id": 40, "name": "Nora New", "logins": [{"account_id": 7, "unique_id": "nora"}]},
              {"id": 41, "name": "Otto Other", "logins": [{"account_id": 99, "unique_id": "otto"}]}]})json";

// Each starts with valid new data (account 7, user 40) before the bad part.
inline const BadFixture kBadFixtures[] = {
    {"an unknown key", "users[0].colour",
     R"json({"accounts": [{"id": 7, "name": "Later"}],
             "users": [{"id": 40, "name": "Nora New", "colour": "blue"}]})json"},
    {"an unknown top-level key", "widgets",
     R"json({"accounts": [{"id": 7, "name": "Later"}], "users": [{"id": 40, "name": "Nora New"}], "widgets": []})json"},
    {"a string where an integer belongs", "accounts[1].id",
     R"json({"accounts": [{"id": 7, "name": "Later"}, {"id": "eight", "name": "Eight"}]})json"},
    {"an array where a string belongs", "users[1].name",
     R"json({"accounts": [{"id": 7, "name": "Later"}],
             "users": [{"id": 40, "name": "Nora New"}, {"id": 41, "name": ["Not", "a", "string"]}]})json"},
    {"a missing id", "users[1].id", R"json({"users": [{"id": 40, "name": "Nora New"}, {"name": "No Id"}]})json"},
    {"a login in an unknown account", "users[1].logins[0].account_id", kBadLoginAfterValidParts},
    {"a course in an unknown account", "courses[0].account_id",
     R"json({"accounts": [{"id": 7, "name": "Later"}], "courses": [{"id": 700, "account_id": 99}]})json"},
    {"an unknown parent account", "accounts[1].parent_id",
     R"json({"accounts": [{"id": 7, "name": "Later"}, {"id": 8, "name": "Orphan", "parent_id": 99}]})json"},
    {"a link to an unknown user", "links[0].student_id",
     R"json({"accounts": [{"id": 7, "name": "Later"}],
             "users": [{"id": 40, "name": "Nora New", "logins": [{"account_id": 7, "unique_id": "nora"}]}],
             "links": [{"observer_id": 40, "student_id": 999, "root_account_id": 7}]})json"},
    {"a bad self_registration", "accounts[1].self_registration",
     R"json({"accounts": [{"id": 7, "name": "Later"}, {"id": 8, "name": "Eight", "self_registration": "sometimes"}]})json"},
    {"a bad enrollment type", "enrollments[0].type",
     R"json({"accounts": [{"id": 7, "name": "Later"}],
             "users": [{"id": 40, "name": "Nora New"}],
             "courses": [{"id": 700, "account_id": 7}],
             "enrollments": [{"id": 7000, "user_id": 40, "course_id": 700, "type": "PrincipalEnrollment",
                              "workflow_state": "active"}]})json"},
    {"a bad course workflow_state", "courses[0].workflow_state",
     R"json({"accounts": [{"id": 7, "name": "Later"}], "courses": [{"id": 700, "account_id": 7, "workflow_state": "archived"}]})json"},
    {"a bad created_at", "users[1].created_at",
     R"json({"users": [{"id": 40, "name": "Nora New", "created_at": "2024-01-05T10:00:00Z"},
                       {"id": 41, "name": "Otto Other", "created_at": "yesterday"}]})json"},
    {"an out-of-range expires_at", "pairing_codes[0].expires_at",
     R"json({"users": [{"id": 40, "name": "Nora New"}],
             "pairing_codes": [{"user_id": 40, "code": "Nw3Cd5", "expires_at": "2030-13-01T00:00:00Z"}]})json"},
    {"a duplicate user id", "users[1]",
     R"json({"users": [{"id": 40, "name": "Nora New"}, {"id": 40, "name": "Nora Again"}]})json"},
    {"a duplicate account id", "accounts[1]",
     R"json({"accounts": [{"id": 7, "name": "Later"}, {"id": 7, "name": "Later Again"}]})json"},
    {"a link observing oneself", "links[1]",
     R"json({"accounts": [{"id": 7, "name": "Later"}],
             "users": [{"id": 40, "name": "Nora New", "logins": [{"account_id": 7, "unique_id": "nora"}]},
                       {"id": 41, "name": "Otto Other", "logins": [{"account_id": 7, "unique_id": "otto"}]}],
             "links": [{"observer_id": 40, "student_id": 41, "root_account_id": 7},
                       {"observer_id": 40, "student_id": 40, "root_account_id": 7}]})json"},
};

// Distinctive secrets: if any shows up in a message or a file, it was leaked.
inline constexpr char kSecretPassword[] = "pw-Vx93-hunter2-SECRET";
inline constexpr char kSecretToken[] = "tok-Ju72-SECRET-bearer";
inline constexpr char kSecretCode[] = "Hq4Zt8";

// A fixture holding kSecretPassword, kSecretToken or kSecretCode next to something wrong (or
// questionable, when must_fail is false): whatever the loader answers must not repeat the secret.
struct SecretLeakCase {
  const char* what;
  std::string json;
  bool must_fail;
};
std::vector<SecretLeakCase> SecretLeakCases();

// CHECKs that none of the three secrets appears in the status's message, field or text.
void CheckNoSecretIn(const Status& status);

}  // namespace observees::storage_test
