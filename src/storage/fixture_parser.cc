#include "storage/fixture_parser.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <utility>

#include "observees/fixture.h"
#include "observees/timestamp.h"
#include "sortable_name.h"
#include "storage/unique_id.h"

namespace observees {
namespace {

namespace json = boost::json;

// A bad non-secret value is echoed in the message, cut to this many characters.
constexpr std::size_t kMaxEcho = 60;
constexpr std::size_t kMaxCodeLength = 10;

constexpr std::array<std::string_view, 3> kSelfRegistrations = {"none", "observer", "all"};
constexpr std::array<std::string_view, 2> kUserStates = {"registered", "deleted"};
constexpr std::array<std::string_view, 3> kLoginStates = {"active", "suspended", "deleted"};
constexpr std::array<std::string_view, 2> kActiveOrDeleted = {"active", "deleted"};
constexpr std::array<std::string_view, 3> kPermissions = {"manage_user_observers", "generate_observer_pairing_code",
                                                          "manage_students"};
// "claimed" and "created" are Canvas's names for unpublished courses; they are stored as "unpublished".
constexpr std::array<std::string_view, 6> kCourseStates = {"available", "unpublished", "completed",
                                                           "deleted",   "claimed",     "created"};
constexpr std::array<std::string_view, 6> kEnrollmentTypes = {"StudentEnrollment",  "StudentViewEnrollment",
                                                              "TeacherEnrollment",  "TaEnrollment",
                                                              "ObserverEnrollment", "DesignerEnrollment"};
constexpr std::array<std::string_view, 7> kEnrollmentStates = {"active",   "invited", "inactive",        "completed",
                                                               "rejected", "deleted", "creation_pending"};

// The value itself, for fields that never hold a secret (ids, enum values, timestamps, domains).
std::string Quote(const json::value& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  std::string text = json::serialize(value);
  if (text.size() > kMaxEcho) text = text.substr(0, kMaxEcho) + "...";
  return text;
}

// Only the kind of a value of unexpected type: it may be a secret put in the wrong place.
std::string Describe(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: return "a string";
    case json::kind::object: return "an object";
    case json::kind::array: return "an array";
    case json::kind::null: return "null";
    default: return Quote(value);  // a number or a boolean
  }
}

std::string Member(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Element(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

// A positive integer id, or an error naming `path` and the value.
Status ReadId(const json::value& value, const std::string& path, std::int64_t& out) {
  if (value.is_int64() && value.get_int64() > 0) {
    out = value.get_int64();
    return Status::Ok();
  }
  return FixtureError(path, "expected a positive integer id, got " + Quote(value));
}

// The fields of one JSON object, each named by its path.
class Fields {
 public:
  // kInvalidArgument unless `value` is an object whose keys are all in `allowed`.
  static Result<Fields> Open(const json::value& value, std::string path,
                             std::initializer_list<std::string_view> allowed) {
    if (!value.is_object()) return FixtureError(path, "expected an object, got " + Describe(value));
    const json::object& object = value.get_object();
    for (const auto& entry : object) {
      if (std::find(allowed.begin(), allowed.end(), entry.key()) == allowed.end()) {
        return FixtureError(Member(path, entry.key()), "unknown key");
      }
    }
    return Fields(object, std::move(path));
  }

  const std::string& path() const { return path_; }
  std::string Path(std::string_view key) const { return Member(path_, key); }

  // The value of `key`; nullptr when absent or null.
  const json::value* Get(std::string_view key) const {
    const json::value* value = object_->if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
  }

  Status Id(std::string_view key, std::optional<std::int64_t>& out) const {
    const json::value* value = Get(key);
    if (value == nullptr) return Status::Ok();
    std::int64_t id = 0;
    OBSERVEES_RETURN_IF_ERROR(ReadId(*value, Path(key), id));
    out = id;
    return Status::Ok();
  }

  Status RequiredId(std::string_view key, std::int64_t& out) const {
    const json::value* value = Get(key);
    if (value == nullptr) return FixtureError(Path(key), "required");
    return ReadId(*value, Path(key), out);
  }

  Status Text(std::string_view key, std::optional<std::string>& out, bool non_empty = false) const {
    const json::value* value = Get(key);
    if (value == nullptr) return Status::Ok();
    if (!value->is_string() || (non_empty && value->get_string().empty())) {
      return FixtureError(Path(key), std::string(non_empty ? "expected a non-empty string" : "expected a string") +
                                         ", got " + Describe(*value));
    }
    out = std::string(value->get_string());
    return Status::Ok();
  }

  Status RequiredText(std::string_view key, std::string& out) const {
    std::optional<std::string> text;
    OBSERVEES_RETURN_IF_ERROR(Text(key, text, /*non_empty=*/true));
    if (!text) return FixtureError(Path(key), "required");
    out = std::move(*text);
    return Status::Ok();
  }

  // A string that must never be echoed (password, token, code). `what` names it in the message.
  Status Secret(std::string_view key, std::string_view what, std::optional<std::string>& out) const {
    const json::value* value = Get(key);
    if (value == nullptr) return Status::Ok();
    if (!value->is_string()) return FixtureError(Path(key), std::string(what) + " must be a string");
    out = std::string(value->get_string());
    return Status::Ok();
  }

  Status Bool(std::string_view key, std::optional<bool>& out) const {
    const json::value* value = Get(key);
    if (value == nullptr) return Status::Ok();
    if (!value->is_bool()) return FixtureError(Path(key), "expected true or false, got " + Describe(*value));
    out = value->get_bool();
    return Status::Ok();
  }

  Status Time(std::string_view key, std::optional<Timestamp>& out) const {
    const json::value* value = Get(key);
    if (value == nullptr) return Status::Ok();
    std::optional<Timestamp> parsed;
    if (value->is_string()) parsed = ParseTimestamp(value->get_string());
    if (!parsed) {
      return FixtureError(Path(key),
                          "invalid timestamp " + Quote(*value) + " (expected e.g. \"2024-01-05T10:00:00Z\")");
    }
    out = parsed;
    return Status::Ok();
  }

  // One of `allowed`; `out` keeps its default when the key is absent.
  Status Enum(std::string_view key, std::span<const std::string_view> allowed, std::string& out) const {
    const json::value* value = Get(key);
    if (value == nullptr) return Status::Ok();
    if (!value->is_string() ||
        std::find(allowed.begin(), allowed.end(), std::string_view(value->get_string())) == allowed.end()) {
      return FixtureError(Path(key),
                          "unknown value " + Quote(*value) + " (expected one of: " + JoinNames(allowed) + ")");
    }
    out = std::string(value->get_string());
    return Status::Ok();
  }

  // The array under `key`; nullptr when absent.
  Result<const json::array*> Array(std::string_view key) const {
    const json::value* value = Get(key);
    if (value == nullptr) return static_cast<const json::array*>(nullptr);
    if (!value->is_array()) return FixtureError(Path(key), "expected an array, got " + Describe(*value));
    return &value->get_array();
  }

 private:
  Fields(const json::object& object, std::string path) : object_(&object), path_(std::move(path)) {}

  const json::object* object_;
  std::string path_;
};

// Remembers where each key was first seen, to report duplicates.
template <typename Key>
class Seen {
 public:
  // kInvalidArgument at `path` when `key` was seen before.
  Status Add(const Key& key, const std::string& path, const std::string& what) {
    const auto [it, inserted] = first_.emplace(key, path);
    if (inserted) return Status::Ok();
    return FixtureError(path, "duplicate " + what + " (also at " + it->second + ")");
  }

 private:
  std::map<Key, std::string> first_;
};

bool IsCodeCharacter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

Result<FixtureAccount> ParseAccount(const json::value& value, std::string path) {
  auto fields =
      Fields::Open(value, std::move(path), {"id", "name", "parent_id", "domains", "self_registration", "avatars"});
  if (!fields.ok()) return fields.status();
  FixtureAccount account;
  account.path = fields->path();
  std::optional<std::string> name;
  std::optional<bool> avatars;
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("id", account.id));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("name", name));
  OBSERVEES_RETURN_IF_ERROR(fields->Id("parent_id", account.parent_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("self_registration", kSelfRegistrations, account.self_registration));
  OBSERVEES_RETURN_IF_ERROR(fields->Bool("avatars", avatars));
  account.name = name.value_or("");
  account.avatars = avatars.value_or(false);
  auto domains = fields->Array("domains");
  if (!domains.ok()) return domains.status();
  if (*domains != nullptr) {
    for (std::size_t i = 0; i < (*domains)->size(); ++i) {
      const json::value& domain = (**domains)[i];
      if (!domain.is_string() || domain.get_string().empty()) {
        return FixtureError(Element(fields->Path("domains"), i),
                            "expected a non-empty host name, got " + Quote(domain));
      }
      account.domains.push_back(FoldUniqueId(domain.get_string()));
    }
  }
  return account;
}

Result<FixtureLogin> ParseLogin(const json::value& value, std::string path) {
  auto fields = Fields::Open(value, std::move(path), {"account_id", "unique_id", "password", "workflow_state"});
  if (!fields.ok()) return fields.status();
  FixtureLogin login;
  login.path = fields->path();
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("account_id", login.account_id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredText("unique_id", login.unique_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Secret("password", "password", login.password));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kLoginStates, login.workflow_state));
  login.unique_id_folded = FoldUniqueId(login.unique_id);
  return login;
}

Result<FixtureToken> ParseToken(const json::value& value, std::string path) {
  FixtureToken token;
  token.path = path;
  if (value.is_string()) {
    token.token = std::string(value.get_string());
  } else if (value.is_object()) {
    auto fields = Fields::Open(value, std::move(path), {"token", "expires_at", "workflow_state"});
    if (!fields.ok()) return fields.status();
    std::optional<std::string> text;
    OBSERVEES_RETURN_IF_ERROR(fields->Secret("token", "token", text));
    if (!text || text->empty()) return FixtureError(fields->Path("token"), "token must be a non-empty string");
    token.token = std::move(*text);
    OBSERVEES_RETURN_IF_ERROR(fields->Time("expires_at", token.expires_at));
    OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kActiveOrDeleted, token.workflow_state));
  }
  if (token.token.empty()) return FixtureError(token.path, "token must be a non-empty string");
  return token;
}

Result<FixtureUser> ParseUser(const json::value& value, std::string path) {
  auto fields = Fields::Open(value, std::move(path),
                             {"id", "name", "sortable_name", "short_name", "sis_user_id", "avatar_url", "pronouns",
                              "created_at", "workflow_state", "logins", "tokens"});
  if (!fields.ok()) return fields.status();
  FixtureUser user;
  user.path = fields->path();
  std::optional<std::string> name, sortable_name, short_name;
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("id", user.id));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("name", name));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("sortable_name", sortable_name));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("short_name", short_name));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("sis_user_id", user.sis_user_id, /*non_empty=*/true));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("avatar_url", user.avatar_url));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("pronouns", user.pronouns));
  OBSERVEES_RETURN_IF_ERROR(fields->Time("created_at", user.created_at));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kUserStates, user.workflow_state));
  user.name = name.value_or("");
  user.sortable_name = sortable_name ? *sortable_name : DefaultSortableName(user.name);
  user.short_name = short_name.value_or(user.name);

  auto logins = fields->Array("logins");
  if (!logins.ok()) return logins.status();
  for (std::size_t i = 0; *logins != nullptr && i < (*logins)->size(); ++i) {
    auto login = ParseLogin((**logins)[i], Element(fields->Path("logins"), i));
    if (!login.ok()) return login.status();
    user.logins.push_back(std::move(*login));
  }
  auto tokens = fields->Array("tokens");
  if (!tokens.ok()) return tokens.status();
  for (std::size_t i = 0; *tokens != nullptr && i < (*tokens)->size(); ++i) {
    auto token = ParseToken((**tokens)[i], Element(fields->Path("tokens"), i));
    if (!token.ok()) return token.status();
    user.tokens.push_back(std::move(*token));
  }
  return user;
}

Result<FixtureAdmin> ParseAdmin(const json::value& value, std::string path) {
  auto fields =
      Fields::Open(value, std::move(path), {"user_id", "account_id", "role", "permissions", "workflow_state"});
  if (!fields.ok()) return fields.status();
  FixtureAdmin admin;
  admin.path = fields->path();
  std::optional<std::string> role;
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("user_id", admin.user_id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("account_id", admin.account_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("role", role, /*non_empty=*/true));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kActiveOrDeleted, admin.workflow_state));
  if (role) admin.role = std::move(*role);
  if (const json::value* permissions = fields->Get("permissions")) {
    auto granted = Fields::Open(*permissions, fields->Path("permissions"),
                                {"manage_user_observers", "generate_observer_pairing_code"});
    if (!granted.ok()) return granted.status();
    OBSERVEES_RETURN_IF_ERROR(granted->Bool("manage_user_observers", admin.manage_user_observers));
    OBSERVEES_RETURN_IF_ERROR(granted->Bool("generate_observer_pairing_code", admin.generate_observer_pairing_code));
  }
  return admin;
}

Result<FixtureRoleOverride> ParseRoleOverride(const json::value& value, std::string path) {
  auto fields = Fields::Open(value, std::move(path), {"account_id", "role", "permission", "enabled"});
  if (!fields.ok()) return fields.status();
  FixtureRoleOverride role_override;
  role_override.path = fields->path();
  std::optional<bool> enabled;
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("account_id", role_override.account_id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredText("role", role_override.role));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredText("permission", role_override.permission));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("permission", kPermissions, role_override.permission));
  OBSERVEES_RETURN_IF_ERROR(fields->Bool("enabled", enabled));
  role_override.enabled = enabled.value_or(true);
  return role_override;
}

Result<FixtureCourse> ParseCourse(const json::value& value, std::string path) {
  auto fields = Fields::Open(value, std::move(path), {"id", "account_id", "name", "workflow_state"});
  if (!fields.ok()) return fields.status();
  FixtureCourse course;
  course.path = fields->path();
  std::optional<std::string> name;
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("id", course.id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("account_id", course.account_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Text("name", name));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kCourseStates, course.workflow_state));
  course.name = name.value_or("");
  if (course.workflow_state == "claimed" || course.workflow_state == "created") course.workflow_state = "unpublished";
  return course;
}

Result<FixtureEnrollment> ParseEnrollment(const json::value& value, std::string path) {
  auto fields = Fields::Open(value, std::move(path),
                             {"id", "user_id", "course_id", "course_section_id", "type", "workflow_state",
                              "associated_user_id", "start_at", "end_at", "created_at"});
  if (!fields.ok()) return fields.status();
  FixtureEnrollment enrollment;
  enrollment.path = fields->path();
  OBSERVEES_RETURN_IF_ERROR(fields->Id("id", enrollment.id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("user_id", enrollment.user_id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("course_id", enrollment.course_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Id("course_section_id", enrollment.course_section_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("type", kEnrollmentTypes, enrollment.type));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kEnrollmentStates, enrollment.workflow_state));
  OBSERVEES_RETURN_IF_ERROR(fields->Id("associated_user_id", enrollment.associated_user_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Time("start_at", enrollment.start_at));
  OBSERVEES_RETURN_IF_ERROR(fields->Time("end_at", enrollment.end_at));
  OBSERVEES_RETURN_IF_ERROR(fields->Time("created_at", enrollment.created_at));
  return enrollment;
}

Result<FixtureLink> ParseLink(const json::value& value, std::string path) {
  auto fields =
      Fields::Open(value, std::move(path), {"id", "observer_id", "student_id", "root_account_id", "workflow_state"});
  if (!fields.ok()) return fields.status();
  FixtureLink link;
  link.path = fields->path();
  OBSERVEES_RETURN_IF_ERROR(fields->Id("id", link.id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("observer_id", link.observer_id));
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("student_id", link.student_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Id("root_account_id", link.root_account_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kActiveOrDeleted, link.workflow_state));
  if (link.observer_id == link.student_id) {
    return FixtureError(fields->Path("student_id"), "user " + std::to_string(link.student_id) +
                                                        " cannot observe themselves (observer_id equals student_id)");
  }
  return link;
}

Result<FixturePairingCode> ParsePairingCode(const json::value& value, std::string path) {
  auto fields = Fields::Open(value, std::move(path), {"user_id", "code", "expires_at", "created_at", "workflow_state"});
  if (!fields.ok()) return fields.status();
  FixturePairingCode code;
  code.path = fields->path();
  std::optional<std::string> text;
  std::optional<Timestamp> expires_at;
  OBSERVEES_RETURN_IF_ERROR(fields->RequiredId("user_id", code.user_id));
  OBSERVEES_RETURN_IF_ERROR(fields->Secret("code", "code", text));
  if (!text) return FixtureError(fields->Path("code"), "required");
  if (text->empty() || text->size() > kMaxCodeLength || !std::all_of(text->begin(), text->end(), IsCodeCharacter)) {
    return FixtureError(fields->Path("code"), "code must be 1 to 10 characters of [A-Za-z0-9]");
  }
  code.code = std::move(*text);
  OBSERVEES_RETURN_IF_ERROR(fields->Time("expires_at", expires_at));
  if (!expires_at) return FixtureError(fields->Path("expires_at"), "required");
  code.expires_at = *expires_at;
  OBSERVEES_RETURN_IF_ERROR(fields->Time("created_at", code.created_at));
  OBSERVEES_RETURN_IF_ERROR(fields->Enum("workflow_state", kActiveOrDeleted, code.workflow_state));
  return code;
}

// Parses every element of the top-level array `key` with `parse`.
template <typename T, typename Parse>
Status ParseSection(const Fields& top, std::string_view key, Parse parse, std::vector<T>& out) {
  auto array = top.Array(key);
  if (!array.ok()) return array.status();
  for (std::size_t i = 0; *array != nullptr && i < (*array)->size(); ++i) {
    Result<T> item = parse((**array)[i], Element(std::string(key), i));
    if (!item.ok()) return item.status();
    out.push_back(std::move(*item));
  }
  return Status::Ok();
}

// The checks across records that need no storage: duplicate ids and duplicate natural keys.
Status CheckDuplicates(const ParsedFixture& fixture) {
  Seen<std::int64_t> accounts, users, courses, enrollment_ids, link_ids;
  Seen<std::string> domains, sis_ids, tokens, active_codes;
  Seen<std::pair<AccountId, std::string>> logins;
  Seen<std::tuple<UserId, AccountId, std::string>> admins;
  Seen<std::tuple<AccountId, std::string, std::string>> overrides;
  Seen<std::tuple<UserId, std::int64_t, std::string, std::optional<UserId>>> enrollment_keys;
  Seen<std::tuple<UserId, UserId, std::optional<AccountId>>> link_keys;
  Seen<std::pair<UserId, std::string>> codes;

  for (const FixtureAccount& a : fixture.accounts) {
    OBSERVEES_RETURN_IF_ERROR(accounts.Add(a.id, a.path + ".id", "account id " + std::to_string(a.id)));
    for (std::size_t i = 0; i < a.domains.size(); ++i) {
      OBSERVEES_RETURN_IF_ERROR(
          domains.Add(a.domains[i], Element(a.path + ".domains", i), "domain \"" + a.domains[i] + "\""));
    }
  }
  for (const FixtureUser& u : fixture.users) {
    OBSERVEES_RETURN_IF_ERROR(users.Add(u.id, u.path + ".id", "user id " + std::to_string(u.id)));
    if (u.sis_user_id) {
      OBSERVEES_RETURN_IF_ERROR(
          sis_ids.Add(*u.sis_user_id, u.path + ".sis_user_id", "sis_user_id \"" + *u.sis_user_id + "\""));
    }
    for (const FixtureLogin& l : u.logins) {
      OBSERVEES_RETURN_IF_ERROR(logins.Add({l.account_id, l.unique_id_folded}, l.path + ".unique_id",
                                           "login \"" + l.unique_id + "\" in account " + std::to_string(l.account_id)));
    }
    for (const FixtureToken& t : u.tokens) OBSERVEES_RETURN_IF_ERROR(tokens.Add(t.token, t.path, "token"));
  }
  for (const FixtureAdmin& a : fixture.admins) {
    OBSERVEES_RETURN_IF_ERROR(admins.Add({a.user_id, a.account_id, a.role}, a.path,
                                         "admin (user " + std::to_string(a.user_id) + ", account " +
                                             std::to_string(a.account_id) + ", role " + a.role + ")"));
  }
  for (const FixtureRoleOverride& o : fixture.role_overrides) {
    OBSERVEES_RETURN_IF_ERROR(overrides.Add(
        {o.account_id, o.role, o.permission}, o.path,
        "role override (account " + std::to_string(o.account_id) + ", role " + o.role + ", " + o.permission + ")"));
  }
  for (const FixtureCourse& c : fixture.courses) {
    OBSERVEES_RETURN_IF_ERROR(courses.Add(c.id, c.path + ".id", "course id " + std::to_string(c.id)));
  }
  for (const FixtureEnrollment& e : fixture.enrollments) {
    if (e.id) {
      OBSERVEES_RETURN_IF_ERROR(enrollment_ids.Add(*e.id, e.path + ".id", "enrollment id " + std::to_string(*e.id)));
    } else {
      OBSERVEES_RETURN_IF_ERROR(enrollment_keys.Add({e.user_id, e.course_id, e.type, e.associated_user_id}, e.path,
                                                    "enrollment (user " + std::to_string(e.user_id) + ", course " +
                                                        std::to_string(e.course_id) + ", " + e.type + ")"));
    }
  }
  for (const FixtureLink& l : fixture.links) {
    if (l.id) OBSERVEES_RETURN_IF_ERROR(link_ids.Add(*l.id, l.path + ".id", "link id " + std::to_string(*l.id)));
    const std::string root = l.root_account_id ? std::to_string(*l.root_account_id) : std::string("null");
    OBSERVEES_RETURN_IF_ERROR(link_keys.Add({l.student_id, l.observer_id, l.root_account_id}, l.path,
                                            "link (observer " + std::to_string(l.observer_id) + ", student " +
                                                std::to_string(l.student_id) + ", root account " + root + ")"));
  }
  for (const FixturePairingCode& c : fixture.pairing_codes) {
    OBSERVEES_RETURN_IF_ERROR(
        codes.Add({c.user_id, c.code}, c.path + ".code", "code for user " + std::to_string(c.user_id)));
    if (c.workflow_state == "active") {
      OBSERVEES_RETURN_IF_ERROR(active_codes.Add(c.code, c.path + ".code", "active code"));
    }
  }
  return Status::Ok();
}

}  // namespace

Status FixtureTooLarge(const std::string& what) {
  return InvalidArgument("fixture: " + what + " is larger than the limit of " + std::to_string(kMaxFixtureBytes >> 20) +
                         " MiB");
}

Status FixtureError(const std::string& path, const std::string& problem) {
  return InvalidArgument("fixture: " + path + ": " + problem, path);
}

Result<ParsedFixture> ParseFixture(std::string_view json_text) {
  if (json_text.size() > kMaxFixtureBytes) return FixtureTooLarge("the fixture");
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(json_text.data(), json_text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    // Line and column of the first byte the parser could not take.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < consumed && i < json_text.size(); ++i) {
      if (json_text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return InvalidArgument("fixture: invalid JSON at line " + std::to_string(line) + ", column " +
                           std::to_string(column) + ": " + ec.message());
  }
  const json::value root = parser.release();
  if (!root.is_object()) return InvalidArgument("fixture: the top level must be a JSON object");

  auto top = Fields::Open(
      root, "", {"accounts", "users", "admins", "role_overrides", "courses", "enrollments", "links", "pairing_codes"});
  if (!top.ok()) return top.status();
  ParsedFixture fixture;
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "accounts", ParseAccount, fixture.accounts));
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "users", ParseUser, fixture.users));
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "admins", ParseAdmin, fixture.admins));
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "role_overrides", ParseRoleOverride, fixture.role_overrides));
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "courses", ParseCourse, fixture.courses));
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "enrollments", ParseEnrollment, fixture.enrollments));
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "links", ParseLink, fixture.links));
  OBSERVEES_RETURN_IF_ERROR(ParseSection(*top, "pairing_codes", ParsePairingCode, fixture.pairing_codes));
  OBSERVEES_RETURN_IF_ERROR(CheckDuplicates(fixture));
  return fixture;
}

}  // namespace observees
