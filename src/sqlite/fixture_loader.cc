// The fixture loader (observees/fixture.h) for SQLite: ParseFixture (fixture_parser.h) checks the JSON,
// ResolveFixture (fixture_plan.h) checks it against what the database already holds through this
// file's lookups, passwords are hashed with no lock held, and this file writes everything in one
// transaction, upserting by each record's key so that a second load of the same fixture changes nothing.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "fixture_plan.h"
#include "observees/fixture.h"
#include "sqlite/fixture_parser.h"
#include "sqlite/sqlite_database.h"
#include "unix_seconds.h"

namespace observees {
namespace {

// Binds NULL for an absent value; timestamps as Unix seconds, booleans as 0/1.
template <typename T>
void BindOptional(ScopedStatement& q, int index, const std::optional<T>& value) {
  if (!value) {
    q->bind(index);
  } else if constexpr (std::is_same_v<T, Timestamp>) {
    q->bind(index, ToSeconds(*value));
  } else if constexpr (std::is_same_v<T, bool>) {
    q->bind(index, *value ? 1 : 0);
  } else {
    q->bind(index, *value);
  }
}

void BindBlob(ScopedStatement& q, int index, const std::string& bytes) {
  q->bind(index, bytes.data(), static_cast<int>(bytes.size()));
}

// Single-row lookups of what the database already holds.
constexpr char kAccountParentSql[] = "SELECT parent_id FROM accounts WHERE id = ?1";
constexpr char kUserExistsSql[] = "SELECT 1 FROM users WHERE id = ?1";
constexpr char kCourseExistsSql[] = "SELECT 1 FROM courses WHERE id = ?1";
constexpr char kUserBySisSql[] = "SELECT id FROM users WHERE sis_user_id = ?1";
// A login's key is (account_id, unique_id_folded); a non-deleted row wins over deleted ones.
constexpr char kFindLoginSql[] =
    "SELECT id, password_hash FROM logins WHERE account_id = ?1 AND unique_id_folded = ?2 "
    "ORDER BY workflow_state = 'deleted', id DESC LIMIT 1";
constexpr char kFindLinkSql[] =
    "SELECT id FROM observation_links WHERE student_id = ?1 AND observer_id = ?2 AND root_account_id IS ?3 "
    "ORDER BY id LIMIT 1";
constexpr char kFindEnrollmentSql[] =
    "SELECT id FROM enrollments WHERE user_id = ?1 AND course_id = ?2 AND type = ?3 AND associated_user_id IS ?4 "
    "ORDER BY id LIMIT 1";
constexpr char kFindCodeSql[] =
    "SELECT id FROM pairing_codes WHERE user_id = ?1 AND code_hash = ?2 ORDER BY id DESC LIMIT 1";

// The id found by a single-row lookup keyed on its bound parameters.
std::optional<std::int64_t> FirstId(ScopedStatement& q) {
  if (!q->executeStep()) return std::nullopt;
  return q->getColumn(0).getInt64();
}

// FixtureLookup over one SQLite connection.
class SqliteFixtureLookup final : public FixtureLookup {
 public:
  explicit SqliteFixtureLookup(SqliteConnection& conn) : conn_(conn) {}

  std::optional<std::optional<AccountId>> AccountParent(AccountId id) override {
    ScopedStatement q(conn_, kAccountParentSql);
    q->bind(1, id);
    if (!q->executeStep()) return std::nullopt;
    return q->getColumn(0).isNull() ? std::optional<AccountId>() : q->getColumn(0).getInt64();
  }
  bool UserExists(UserId id) override { return Exists(kUserExistsSql, id); }
  bool CourseExists(std::int64_t id) override { return Exists(kCourseExistsSql, id); }
  std::optional<UserId> UserWithSisId(const std::string& sis_user_id) override {
    ScopedStatement q(conn_, kUserBySisSql);
    q->bind(1, sis_user_id);
    return FirstId(q);
  }
  std::optional<std::string> LoginPasswordHash(AccountId account, const std::string& unique_id_folded) override {
    ScopedStatement q(conn_, kFindLoginSql);
    q->bind(1, account);
    q->bind(2, unique_id_folded);
    if (!q->executeStep() || q->getColumn(1).isNull()) return std::nullopt;
    return q->getColumn(1).getString();
  }
  std::optional<LinkId> FindLink(UserId student, UserId observer, std::optional<AccountId> root) override {
    ScopedStatement q(conn_, kFindLinkSql);
    q->bind(1, student);
    q->bind(2, observer);
    BindOptional(q, 3, root);
    return FirstId(q);
  }

 private:
  bool Exists(const char* sql, std::int64_t id) {
    ScopedStatement q(conn_, sql);
    q->bind(1, id);
    return q->executeStep();
  }
  SqliteConnection& conn_;
};

void WriteAccounts(SqliteConnection& conn, const ParsedFixture& fixture, const FixturePlan& plan) {
  static constexpr char kUpsertSql[] = R"sql(
INSERT INTO accounts (id, name, parent_id, root_account_id, self_registration, avatars)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT(id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id,
  root_account_id = excluded.root_account_id, self_registration = excluded.self_registration,
  avatars = excluded.avatars)sql";
  static constexpr char kDeleteDomainsSql[] = "DELETE FROM account_domains WHERE account_id = ?1";
  static constexpr char kUpsertDomainSql[] =
      "INSERT INTO account_domains (domain, account_id) VALUES (?1, ?2) "
      "ON CONFLICT(domain) DO UPDATE SET account_id = excluded.account_id";
  for (const FixtureAccount& account : fixture.accounts) {
    ScopedStatement q(conn, kUpsertSql);
    q->bind(1, account.id);
    q->bind(2, account.name);
    BindOptional(q, 3, account.parent_id);
    q->bind(4, plan.account_roots.at(account.id));
    q->bind(5, account.self_registration);
    q->bind(6, account.avatars ? 1 : 0);
    q->exec();
  }
  // An account's domains become exactly the fixture's list.
  for (const FixtureAccount& account : fixture.accounts) {
    ScopedStatement q(conn, kDeleteDomainsSql);
    q->bind(1, account.id);
    q->exec();
  }
  for (const FixtureAccount& account : fixture.accounts) {
    for (const std::string& domain : account.domains) {
      ScopedStatement q(conn, kUpsertDomainSql);
      q->bind(1, domain);
      q->bind(2, account.id);
      q->exec();
    }
  }
}

void WriteUsers(SqliteConnection& conn, const ParsedFixture& fixture, const FixturePlan& plan, Timestamp now) {
  // Frees SIS ids that fixture users trade among themselves before any of them is written.
  static constexpr char kClearSisSql[] =
      "UPDATE users SET sis_user_id = NULL WHERE id = ?1 AND sis_user_id IS NOT NULL AND sis_user_id IS NOT ?2";
  static constexpr char kUpsertUserSql[] = R"sql(
INSERT INTO users (id, name, sortable_name, short_name, sis_user_id, avatar_url, pronouns, created_at, workflow_state)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, ?9), ?10)
ON CONFLICT(id) DO UPDATE SET name = excluded.name, sortable_name = excluded.sortable_name,
  short_name = excluded.short_name, sis_user_id = excluded.sis_user_id, avatar_url = excluded.avatar_url,
  pronouns = excluded.pronouns, created_at = COALESCE(?8, users.created_at),
  workflow_state = excluded.workflow_state)sql";
  static constexpr char kUpdateLoginSql[] =
      "UPDATE logins SET user_id = ?2, unique_id = ?3, password_hash = ?4, workflow_state = ?5 WHERE id = ?1";
  static constexpr char kInsertLoginSql[] =
      "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded, password_hash, workflow_state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

  for (const FixtureUser& user : fixture.users) {
    ScopedStatement q(conn, kClearSisSql);
    q->bind(1, user.id);
    BindOptional(q, 2, user.sis_user_id);
    q->exec();
  }
  std::size_t login_index = 0;
  for (const FixtureUser& user : fixture.users) {
    {
      ScopedStatement q(conn, kUpsertUserSql);
      q->bind(1, user.id);
      q->bind(2, user.name);
      q->bind(3, user.sortable_name);
      q->bind(4, user.short_name);
      BindOptional(q, 5, user.sis_user_id);
      BindOptional(q, 6, user.avatar_url);
      BindOptional(q, 7, user.pronouns);
      BindOptional(q, 8, user.created_at);
      q->bind(9, ToSeconds(now));
      q->bind(10, user.workflow_state);
      q->exec();
    }
    for (const FixtureLogin& login : user.logins) {
      const std::optional<std::string>& hash = plan.password_hashes[login_index++];
      std::optional<std::int64_t> existing;
      {
        ScopedStatement q(conn, kFindLoginSql);
        q->bind(1, login.account_id);
        q->bind(2, login.unique_id_folded);
        existing = FirstId(q);
      }
      if (existing) {
        ScopedStatement q(conn, kUpdateLoginSql);
        q->bind(1, *existing);
        q->bind(2, user.id);
        q->bind(3, login.unique_id);
        BindOptional(q, 4, hash);
        q->bind(5, login.workflow_state);
        q->exec();
      } else {
        ScopedStatement q(conn, kInsertLoginSql);
        q->bind(1, user.id);
        q->bind(2, login.account_id);
        q->bind(3, login.unique_id);
        q->bind(4, login.unique_id_folded);
        BindOptional(q, 5, hash);
        q->bind(6, login.workflow_state);
        q->exec();
      }
    }
  }
}

void WriteTokens(SqliteConnection& conn, const SqliteDatabase& db, const ParsedFixture& fixture) {
  static constexpr char kUpsertTokenSql[] = R"sql(
INSERT INTO access_tokens (user_id, token_hash, expires_at, workflow_state) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT(token_hash) DO UPDATE SET user_id = excluded.user_id, expires_at = excluded.expires_at,
  workflow_state = excluded.workflow_state)sql";
  for (const FixtureUser& user : fixture.users) {
    for (const FixtureToken& token : user.tokens) {
      ScopedStatement q(conn, kUpsertTokenSql);
      q->bind(1, user.id);
      BindBlob(q, 2, db.HashToken(token.token));
      BindOptional(q, 3, token.expires_at);
      q->bind(4, token.workflow_state);
      q->exec();
    }
  }
}

void WritePermissions(SqliteConnection& conn, const ParsedFixture& fixture) {
  static constexpr char kUpsertAdminSql[] = R"sql(
INSERT INTO admins (user_id, account_id, role, manage_user_observers, generate_observer_pairing_code, workflow_state)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT(user_id, account_id, role) DO UPDATE SET manage_user_observers = excluded.manage_user_observers,
  generate_observer_pairing_code = excluded.generate_observer_pairing_code,
  workflow_state = excluded.workflow_state)sql";
  static constexpr char kUpsertOverrideSql[] =
      "INSERT INTO role_overrides (account_id, role, permission, enabled) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(account_id, role, permission) DO UPDATE SET enabled = excluded.enabled";
  for (const FixtureAdmin& admin : fixture.admins) {
    ScopedStatement q(conn, kUpsertAdminSql);
    q->bind(1, admin.user_id);
    q->bind(2, admin.account_id);
    q->bind(3, admin.role);
    BindOptional(q, 4, admin.manage_user_observers);
    BindOptional(q, 5, admin.generate_observer_pairing_code);
    q->bind(6, admin.workflow_state);
    q->exec();
  }
  for (const FixtureRoleOverride& role_override : fixture.role_overrides) {
    ScopedStatement q(conn, kUpsertOverrideSql);
    q->bind(1, role_override.account_id);
    q->bind(2, role_override.role);
    q->bind(3, role_override.permission);
    q->bind(4, role_override.enabled ? 1 : 0);
    q->exec();
  }
}

void WriteCourses(SqliteConnection& conn, const ParsedFixture& fixture, Timestamp now) {
  static constexpr char kUpsertCourseSql[] = R"sql(
INSERT INTO courses (id, account_id, root_account_id, name, workflow_state)
VALUES (?1, ?2, (SELECT root_account_id FROM accounts WHERE id = ?2), ?3, ?4)
ON CONFLICT(id) DO UPDATE SET account_id = excluded.account_id, root_account_id = excluded.root_account_id,
  name = excluded.name, workflow_state = excluded.workflow_state)sql";
  // ?1 NULL inserts a new row. updated_at moves only when something changed.
  static constexpr char kUpsertEnrollmentSql[] = R"sql(
INSERT INTO enrollments (id, user_id, course_id, course_section_id, root_account_id, type, workflow_state,
                         associated_user_id, start_at, end_at, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, (SELECT root_account_id FROM courses WHERE id = ?3), ?5, ?6, ?7, ?8, ?9,
        COALESCE(?10, ?11), ?11)
ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, course_id = excluded.course_id,
  course_section_id = excluded.course_section_id, root_account_id = excluded.root_account_id, type = excluded.type,
  workflow_state = excluded.workflow_state, associated_user_id = excluded.associated_user_id,
  start_at = excluded.start_at, end_at = excluded.end_at, created_at = COALESCE(?10, enrollments.created_at),
  updated_at = CASE
    WHEN (enrollments.user_id, enrollments.course_id, enrollments.course_section_id, enrollments.type,
          enrollments.workflow_state, enrollments.associated_user_id, enrollments.start_at, enrollments.end_at)
      IS (excluded.user_id, excluded.course_id, excluded.course_section_id, excluded.type, excluded.workflow_state,
          excluded.associated_user_id, excluded.start_at, excluded.end_at)
    THEN enrollments.updated_at ELSE ?11 END)sql";

  for (const FixtureCourse& course : fixture.courses) {
    ScopedStatement q(conn, kUpsertCourseSql);
    q->bind(1, course.id);
    q->bind(2, course.account_id);
    q->bind(3, course.name);
    q->bind(4, course.workflow_state);
    q->exec();
  }
  // Enrollments with ids first, so that a new keyless row can never take an id the fixture names.
  for (const bool with_id : {true, false}) {
    for (const FixtureEnrollment& enrollment : fixture.enrollments) {
      if (enrollment.id.has_value() != with_id) continue;
      std::optional<std::int64_t> id = enrollment.id;
      if (!id) {
        ScopedStatement q(conn, kFindEnrollmentSql);
        q->bind(1, enrollment.user_id);
        q->bind(2, enrollment.course_id);
        q->bind(3, enrollment.type);
        BindOptional(q, 4, enrollment.associated_user_id);
        id = FirstId(q);
      }
      ScopedStatement q(conn, kUpsertEnrollmentSql);
      BindOptional(q, 1, id);
      q->bind(2, enrollment.user_id);
      q->bind(3, enrollment.course_id);
      BindOptional(q, 4, enrollment.course_section_id);
      q->bind(5, enrollment.type);
      q->bind(6, enrollment.workflow_state);
      BindOptional(q, 7, enrollment.associated_user_id);
      BindOptional(q, 8, enrollment.start_at);
      BindOptional(q, 9, enrollment.end_at);
      BindOptional(q, 10, enrollment.created_at);
      q->bind(11, ToSeconds(now));
      q->exec();
    }
  }
}

void WriteLinksAndCodes(SqliteConnection& conn, const SqliteDatabase& db, const ParsedFixture& fixture, Timestamp now) {
  // ?1 NULL inserts a new row; created_at is set on insert only, updated_at when something changed.
  static constexpr char kUpsertLinkSql[] = R"sql(
INSERT INTO observation_links (id, student_id, observer_id, root_account_id, workflow_state, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT(id) DO UPDATE SET student_id = excluded.student_id, observer_id = excluded.observer_id,
  root_account_id = excluded.root_account_id, workflow_state = excluded.workflow_state,
  updated_at = CASE
    WHEN (observation_links.student_id, observation_links.observer_id, observation_links.root_account_id,
          observation_links.workflow_state)
      IS (excluded.student_id, excluded.observer_id, excluded.root_account_id, excluded.workflow_state)
    THEN observation_links.updated_at ELSE ?6 END)sql";
  // An active fixture code is unused (and unrevoked) again.
  static constexpr char kUpdateCodeSql[] = R"sql(
UPDATE pairing_codes SET expires_at = ?2, workflow_state = ?3, created_at = COALESCE(?4, created_at),
  used_by = CASE WHEN ?3 = 'active' THEN NULL ELSE used_by END,
  used_at = CASE WHEN ?3 = 'active' THEN NULL ELSE used_at END,
  link_id = CASE WHEN ?3 = 'active' THEN NULL ELSE link_id END,
  revoked_by = CASE WHEN ?3 = 'active' THEN NULL ELSE revoked_by END,
  revoked_at = CASE WHEN ?3 = 'active' THEN NULL ELSE revoked_at END
WHERE id = ?1)sql";
  static constexpr char kInsertCodeSql[] =
      "INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state) "
      "VALUES (?1, ?2, COALESCE(?3, ?4), ?5, ?6)";

  for (const bool with_id : {true, false}) {
    for (const FixtureLink& link : fixture.links) {
      if (link.id.has_value() != with_id) continue;
      std::optional<std::int64_t> id = link.id;
      if (!id) {
        ScopedStatement q(conn, kFindLinkSql);
        q->bind(1, link.student_id);
        q->bind(2, link.observer_id);
        BindOptional(q, 3, link.root_account_id);
        id = FirstId(q);
      }
      ScopedStatement q(conn, kUpsertLinkSql);
      BindOptional(q, 1, id);
      q->bind(2, link.student_id);
      q->bind(3, link.observer_id);
      BindOptional(q, 4, link.root_account_id);
      q->bind(5, link.workflow_state);
      q->bind(6, ToSeconds(now));
      q->exec();
    }
  }
  for (const FixturePairingCode& code : fixture.pairing_codes) {
    const std::string hash = db.HashCode(code.code);
    std::optional<std::int64_t> existing;
    {
      ScopedStatement q(conn, kFindCodeSql);
      q->bind(1, code.user_id);
      BindBlob(q, 2, hash);
      existing = FirstId(q);
    }
    if (existing) {
      ScopedStatement q(conn, kUpdateCodeSql);
      q->bind(1, *existing);
      q->bind(2, ToSeconds(code.expires_at));
      q->bind(3, code.workflow_state);
      BindOptional(q, 4, code.created_at);
      q->exec();
    } else {
      ScopedStatement q(conn, kInsertCodeSql);
      q->bind(1, code.user_id);
      BindBlob(q, 2, hash);
      BindOptional(q, 3, code.created_at);
      q->bind(4, ToSeconds(now));
      q->bind(5, ToSeconds(code.expires_at));
      q->bind(6, code.workflow_state);
      q->exec();
    }
  }
}

// Re-derives root_account_id of accounts, courses and enrollments that the fixture moved (e.g. a
// database sub-account under a fixture account that changed parent). Changes nothing when consistent.
void PropagateRoots(SqliteConnection& conn) {
  static constexpr char kRootsSql[] =
      "UPDATE accounts SET root_account_id = id WHERE parent_id IS NULL AND root_account_id IS NOT id";
  static constexpr char kFromParentsSql[] = R"sql(
UPDATE accounts SET root_account_id = (SELECT p.root_account_id FROM accounts p WHERE p.id = accounts.parent_id)
WHERE parent_id IS NOT NULL
  AND root_account_id IS NOT (SELECT p.root_account_id FROM accounts p WHERE p.id = accounts.parent_id))sql";
  static constexpr char kCoursesSql[] = R"sql(
UPDATE courses SET root_account_id = (SELECT a.root_account_id FROM accounts a WHERE a.id = courses.account_id)
WHERE root_account_id IS NOT (SELECT a.root_account_id FROM accounts a WHERE a.id = courses.account_id))sql";
  static constexpr char kEnrollmentsSql[] = R"sql(
UPDATE enrollments SET root_account_id = (SELECT c.root_account_id FROM courses c WHERE c.id = enrollments.course_id)
WHERE root_account_id IS NOT (SELECT c.root_account_id FROM courses c WHERE c.id = enrollments.course_id))sql";
  // Each pass settles one more level of the tree; the fixture has no cycles, so this ends.
  constexpr int kMaxPasses = 1000;
  for (const char* sql : {kRootsSql, kFromParentsSql}) {
    for (int pass = 0; pass < kMaxPasses; ++pass) {
      ScopedStatement q(conn, sql);
      if (q->exec() == 0) break;
    }
  }
  for (const char* sql : {kCoursesSql, kEnrollmentsSql}) {
    ScopedStatement q(conn, sql);
    q->exec();
  }
}

Status Load(const SqliteBackend& backend, std::string_view json_text) {
  if (!backend.database) return InvalidArgument("fixture: the backend has no database");
  SqliteDatabase& db = *backend.database;
  Result<ParsedFixture> parsed = ParseFixture(json_text);
  if (!parsed.ok()) return parsed.status();
  const ParsedFixture& fixture = *parsed;
  const Timestamp now = db.clock().Now();

  FixturePlan plan;
  {
    auto lease = db.Acquire();
    SqliteFixtureLookup lookup(*lease);
    OBSERVEES_RETURN_IF_ERROR(ResolveFixture(fixture, lookup, plan));
  }
  OBSERVEES_RETURN_IF_ERROR(HashFixturePasswords(fixture, db.password_hashing(), plan));

  auto txn = db.BeginWrite();
  SqliteConnection& conn = txn.conn();
  // Records may name each other in any order; foreign keys are checked at COMMIT.
  conn.db().exec("PRAGMA defer_foreign_keys = ON");
  WriteAccounts(conn, fixture, plan);
  WriteUsers(conn, fixture, plan, now);
  WriteTokens(conn, db, fixture);
  WritePermissions(conn, fixture);
  WriteCourses(conn, fixture, now);
  WriteLinksAndCodes(conn, db, fixture, now);
  PropagateRoots(conn);
  txn.Commit();
  return Status::Ok();
}

}  // namespace

Status LoadFixture(const SqliteBackend& backend, std::string_view json_text) {
  return GuardStorage("LoadFixture", [&]() -> Status { return Load(backend, json_text); });
}

Status LoadFixtureFile(const SqliteBackend& backend, const std::string& path) {
  return LoadFixtureFromFile(backend, path);
}

}  // namespace observees
