// The fixture loader's first half: parses a fixture's JSON text (docs/fixture.md) into plain
// structs and checks everything that can be checked without storage: keys, types, enum values, ids,
// timestamps, duplicates and self-observation. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observees/status.h"
#include "observees/types.h"

namespace observees {

// Every struct keeps `path`, the JSON path of its object (e.g. "users[2].logins[0]"), so that later
// checks can name it. Enum values are kept as the schema's text. Optional fields left out of the
// fixture stay empty; defaults that need no storage are already applied.

struct FixtureAccount {
  std::string path;
  AccountId id = 0;
  std::string name;
  std::optional<AccountId> parent_id;  // none: a root account
  std::string self_registration = "none";
  bool avatars = false;
  std::vector<std::string> domains;  // lowercased
};

struct FixtureLogin {
  std::string path;
  AccountId account_id = 0;
  std::string unique_id;
  std::string unique_id_folded;
  std::optional<std::string> password;  // a secret: never in a message
  std::string workflow_state = "active";
};

struct FixtureToken {
  std::string path;
  std::string token;  // a secret: never in a message
  std::optional<Timestamp> expires_at;
  std::string workflow_state = "active";
};

struct FixtureUser {
  std::string path;
  UserId id = 0;
  std::string name;
  std::string sortable_name;  // defaulted from name
  std::string short_name;     // defaulted to name
  std::optional<std::string> sis_user_id;
  std::optional<std::string> avatar_url;
  std::optional<std::string> pronouns;
  std::optional<Timestamp> created_at;  // none: load time for a new user, unchanged for an existing one
  std::string workflow_state = "registered";
  std::vector<FixtureLogin> logins;
  std::vector<FixtureToken> tokens;
};

struct FixtureAdmin {
  std::string path;
  UserId user_id = 0;
  AccountId account_id = 0;
  std::string role = "AccountAdmin";
  std::optional<bool> manage_user_observers;  // none: the role's default
  std::optional<bool> generate_observer_pairing_code;
  std::string workflow_state = "active";
};

struct FixtureRoleOverride {
  std::string path;
  AccountId account_id = 0;
  std::string role;
  std::string permission;
  bool enabled = true;
};

struct FixtureCourse {
  std::string path;
  std::int64_t id = 0;
  AccountId account_id = 0;
  std::string name;
  std::string workflow_state = "available";
};

struct FixtureEnrollment {
  std::string path;
  std::optional<std::int64_t> id;  // none: keyed by (user_id, course_id, type, associated_user_id)
  UserId user_id = 0;
  std::int64_t course_id = 0;
  std::optional<std::int64_t> course_section_id;
  std::string type = "StudentEnrollment";
  std::string workflow_state = "active";
  std::optional<UserId> associated_user_id;
  std::optional<Timestamp> start_at;
  std::optional<Timestamp> end_at;
  std::optional<Timestamp> created_at;
};

struct FixtureLink {
  std::string path;
  std::optional<LinkId> id;  // none: keyed by (student_id, observer_id, root_account_id)
  UserId observer_id = 0;
  UserId student_id = 0;
  std::optional<AccountId> root_account_id;  // none: a legacy link matching every root (D9)
  std::string workflow_state = "active";
};

struct FixturePairingCode {
  std::string path;
  UserId user_id = 0;
  std::string code;  // a secret: never in a message
  Timestamp expires_at{};
  std::optional<Timestamp> created_at;
  std::string workflow_state = "active";
};

struct ParsedFixture {
  std::vector<FixtureAccount> accounts;
  std::vector<FixtureUser> users;
  std::vector<FixtureAdmin> admins;
  std::vector<FixtureRoleOverride> role_overrides;
  std::vector<FixtureCourse> courses;
  std::vector<FixtureEnrollment> enrollments;
  std::vector<FixtureLink> links;
  std::vector<FixturePairingCode> pairing_codes;
};

// kInvalidArgument "fixture: PATH: PROBLEM" with the Status field set to PATH (e.g. "fixture:
// users[2].logins[0].colour: unknown key"). References to other records are not checked here.
Result<ParsedFixture> ParseFixture(std::string_view json_text);

// The error every fixture check reports: kInvalidArgument "fixture: PATH: PROBLEM", field PATH.
Status FixtureError(const std::string& path, const std::string& problem);
// kInvalidArgument: `what` (the fixture, or a file naming its path) is over kMaxFixtureBytes.
Status FixtureTooLarge(const std::string& what);

}  // namespace observees
