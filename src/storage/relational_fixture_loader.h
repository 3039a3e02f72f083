// The fixture loader (observees/fixture.h) on any engine Db (engine.h): ParseFixture
// (fixture_parser.h) checks the JSON, ResolveFixture (fixture_plan.h) checks it against what the
// database already holds through this file's lookups, passwords are hashed with no transaction open,
// and everything is written in one transaction, upserting by each record's key so that a second load of
// the same fixture changes nothing.
//
// Records are written in dependency order (accounts parents first, users and their logins, tokens,
// admins and overrides, courses, enrollments, links, codes), so foreign keys hold at each statement.
// Rows written with fixture ids are followed by Dialect::AfterExplicitIds before any row takes a
// generated id, and keyless rows are matched by their natural key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "observees/status.h"
#include "storage/fixture_parser.h"
#include "storage/fixture_plan.h"
#include "storage/storage_guard.h"
#include "storage/values.h"

namespace observees::storage {

namespace fixture_sql {

inline constexpr char kAccountParent[] = "SELECT parent_id FROM accounts WHERE id = ?1";
inline constexpr char kUserExists[] = "SELECT 1 FROM users WHERE id = ?1";
inline constexpr char kCourseExists[] = "SELECT 1 FROM courses WHERE id = ?1";
inline constexpr char kUserBySis[] = "SELECT id FROM users WHERE sis_user_id = ?1";
// A login's key is (account_id, unique_id_folded); a non-deleted row wins over deleted ones.
inline constexpr char kFindLogin[] =
    "SELECT id, password_hash FROM logins WHERE account_id = ?1 AND unique_id_folded = ?2 "
    "ORDER BY workflow_state = 'deleted', id DESC LIMIT 1";
inline constexpr char kFindLink[] =
    "SELECT id FROM observation_links WHERE student_id = ?1 AND observer_id = ?2 "
    "AND root_account_id IS NOT DISTINCT FROM CAST(?3 AS BIGINT) ORDER BY id LIMIT 1";
inline constexpr char kFindEnrollment[] =
    "SELECT id FROM enrollments WHERE user_id = ?1 AND course_id = ?2 AND type = ?3 "
    "AND associated_user_id IS NOT DISTINCT FROM CAST(?4 AS BIGINT) ORDER BY id LIMIT 1";
inline constexpr char kFindCode[] =
    "SELECT id FROM pairing_codes WHERE user_id = ?1 AND code_hash = ?2 ORDER BY id DESC LIMIT 1";

inline constexpr char kUpsertAccount[] =
    "INSERT INTO accounts (id, name, parent_id, root_account_id, self_registration, avatars) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, "
    "root_account_id = excluded.root_account_id, self_registration = excluded.self_registration, "
    "avatars = excluded.avatars";
inline constexpr char kDeleteDomains[] = "DELETE FROM account_domains WHERE account_id = ?1";
inline constexpr char kUpsertDomain[] =
    "INSERT INTO account_domains (domain, account_id) VALUES (?1, ?2) "
    "ON CONFLICT (domain) DO UPDATE SET account_id = excluded.account_id";

// Frees SIS ids that fixture users trade among themselves before any of them is written.
inline constexpr char kClearSis[] =
    "UPDATE users SET sis_user_id = NULL WHERE id = ?1 AND sis_user_id IS NOT NULL "
    "AND sis_user_id IS DISTINCT FROM CAST(?2 AS TEXT)";
// ?8 NULL: load time (?9) for a new user, unchanged for an existing one.
inline constexpr char kUpsertUser[] =
    "INSERT INTO users (id, name, sortable_name, short_name, sis_user_id, avatar_url, pronouns, created_at, "
    "workflow_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(CAST(?8 AS BIGINT), ?9), ?10) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, sortable_name = excluded.sortable_name, "
    "short_name = excluded.short_name, sis_user_id = excluded.sis_user_id, avatar_url = excluded.avatar_url, "
    "pronouns = excluded.pronouns, created_at = COALESCE(CAST(?8 AS BIGINT), users.created_at), "
    "workflow_state = excluded.workflow_state";
inline constexpr char kUpdateLogin[] =
    "UPDATE logins SET user_id = ?2, unique_id = ?3, password_hash = ?4, workflow_state = ?5 WHERE id = ?1";
inline constexpr char kInsertLogin[] =
    "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded, password_hash, workflow_state) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
inline constexpr char kUpsertToken[] =
    "INSERT INTO access_tokens (user_id, token_hash, expires_at, workflow_state) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, expires_at = excluded.expires_at, "
    "workflow_state = excluded.workflow_state";
inline constexpr char kUpsertAdmin[] =
    "INSERT INTO admins (user_id, account_id, role, manage_user_observers, generate_observer_pairing_code, "
    "workflow_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (user_id, account_id, role) DO UPDATE SET manage_user_observers = excluded.manage_user_observers, "
    "generate_observer_pairing_code = excluded.generate_observer_pairing_code, "
    "workflow_state = excluded.workflow_state";
inline constexpr char kUpsertOverride[] =
    "INSERT INTO role_overrides (account_id, role, permission, enabled) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (account_id, role, permission) DO UPDATE SET enabled = excluded.enabled";
inline constexpr char kUpsertCourse[] =
    "INSERT INTO courses (id, account_id, root_account_id, name, workflow_state) "
    "VALUES (?1, ?2, (SELECT root_account_id FROM accounts WHERE id = ?2), ?3, ?4) "
    "ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, root_account_id = excluded.root_account_id, "
    "name = excluded.name, workflow_state = excluded.workflow_state";

// A new enrollment takes a generated id. ?10 is now.
inline constexpr char kInsertEnrollment[] =
    "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
    "associated_user_id, start_at, end_at, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, (SELECT root_account_id FROM courses WHERE id = ?2), ?4, ?5, ?6, ?7, ?8, "
    "COALESCE(CAST(?9 AS BIGINT), ?10), ?10)";
// The enrollment with id ?11, inserted or updated; updated_at moves only when something changed.
inline constexpr char kUpsertEnrollment[] =
    "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
    "associated_user_id, start_at, end_at, created_at, updated_at, id) "
    "VALUES (?1, ?2, ?3, (SELECT root_account_id FROM courses WHERE id = ?2), ?4, ?5, ?6, ?7, ?8, "
    "COALESCE(CAST(?9 AS BIGINT), ?10), ?10, ?11) "
    "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, course_id = excluded.course_id, "
    "course_section_id = excluded.course_section_id, root_account_id = excluded.root_account_id, "
    "type = excluded.type, workflow_state = excluded.workflow_state, "
    "associated_user_id = excluded.associated_user_id, start_at = excluded.start_at, end_at = excluded.end_at, "
    "created_at = COALESCE(CAST(?9 AS BIGINT), enrollments.created_at), updated_at = CASE "
    "WHEN (enrollments.user_id, enrollments.course_id, enrollments.course_section_id, enrollments.type, "
    "enrollments.workflow_state, enrollments.associated_user_id, enrollments.start_at, enrollments.end_at) "
    "IS NOT DISTINCT FROM (excluded.user_id, excluded.course_id, excluded.course_section_id, excluded.type, "
    "excluded.workflow_state, excluded.associated_user_id, excluded.start_at, excluded.end_at) "
    "THEN enrollments.updated_at ELSE CAST(?10 AS BIGINT) END";

inline constexpr char kInsertLink[] =
    "INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
// The link with id ?6, inserted or updated; created_at is set on insert only, updated_at when
// something changed.
inline constexpr char kUpsertLink[] =
    "INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, created_at, "
    "updated_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) "
    "ON CONFLICT (id) DO UPDATE SET student_id = excluded.student_id, observer_id = excluded.observer_id, "
    "root_account_id = excluded.root_account_id, workflow_state = excluded.workflow_state, updated_at = CASE "
    "WHEN (observation_links.student_id, observation_links.observer_id, observation_links.root_account_id, "
    "observation_links.workflow_state) IS NOT DISTINCT FROM "
    "(excluded.student_id, excluded.observer_id, excluded.root_account_id, excluded.workflow_state) "
    "THEN observation_links.updated_at ELSE CAST(?5 AS BIGINT) END";

// An active fixture code is unused (and unrevoked) again.
inline constexpr char kUpdateCode[] =
    "UPDATE pairing_codes SET expires_at = ?2, workflow_state = ?3, created_at = COALESCE(CAST(?4 AS BIGINT), "
    "created_at), used_by = CASE WHEN ?3 = 'active' THEN NULL ELSE used_by END, "
    "used_at = CASE WHEN ?3 = 'active' THEN NULL ELSE used_at END, "
    "link_id = CASE WHEN ?3 = 'active' THEN NULL ELSE link_id END, "
    "revoked_by = CASE WHEN ?3 = 'active' THEN NULL ELSE revoked_by END, "
    "revoked_at = CASE WHEN ?3 = 'active' THEN NULL ELSE revoked_at END WHERE id = ?1";
inline constexpr char kInsertCode[] =
    "INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state) "
    "VALUES (?1, ?2, COALESCE(CAST(?3 AS BIGINT), ?4), ?5, ?6)";

// Re-derive root_account_id of accounts, courses and enrollments that the fixture moved (e.g. a
// database sub-account under a fixture account that changed parent). Change nothing when consistent.
inline constexpr char kRootsAreThemselves[] =
    "UPDATE accounts SET root_account_id = id WHERE parent_id IS NULL AND root_account_id IS DISTINCT FROM id";
inline constexpr char kRootsFromParents[] =
    "UPDATE accounts SET root_account_id = (SELECT p.root_account_id FROM accounts p WHERE p.id = accounts.parent_id) "
    "WHERE parent_id IS NOT NULL AND root_account_id IS DISTINCT FROM "
    "(SELECT p.root_account_id FROM accounts p WHERE p.id = accounts.parent_id)";
inline constexpr char kCourseRoots[] =
    "UPDATE courses SET root_account_id = (SELECT a.root_account_id FROM accounts a WHERE a.id = courses.account_id) "
    "WHERE root_account_id IS DISTINCT FROM (SELECT a.root_account_id FROM accounts a WHERE a.id = courses.account_id)";
inline constexpr char kEnrollmentRoots[] =
    "UPDATE enrollments SET root_account_id = "
    "(SELECT c.root_account_id FROM courses c WHERE c.id = enrollments.course_id) WHERE root_account_id IS DISTINCT "
    "FROM (SELECT c.root_account_id FROM courses c WHERE c.id = enrollments.course_id)";

}  // namespace fixture_sql

// FixtureLookup over one connection.
template <typename Connection>
class RelationalFixtureLookup final : public FixtureLookup {
 public:
  explicit RelationalFixtureLookup(Connection& conn) : conn_(conn) {}

  std::optional<std::optional<AccountId>> AccountParent(AccountId id) override {
    auto row = conn_.Query(fixture_sql::kAccountParent, id);
    if (!row.Next()) return std::nullopt;
    return row.OptionalInt(0);
  }
  bool UserExists(UserId id) override { return conn_.Query(fixture_sql::kUserExists, id).Next(); }
  bool CourseExists(std::int64_t id) override { return conn_.Query(fixture_sql::kCourseExists, id).Next(); }
  std::optional<UserId> UserWithSisId(const std::string& sis_user_id) override {
    return FirstId(conn_.Query(fixture_sql::kUserBySis, sis_user_id));
  }
  std::optional<std::string> LoginPasswordHash(AccountId account, const std::string& unique_id_folded) override {
    auto row = conn_.Query(fixture_sql::kFindLogin, account, unique_id_folded);
    if (!row.Next()) return std::nullopt;
    return row.OptionalText(1);
  }
  std::optional<LinkId> FindLink(UserId student, UserId observer, std::optional<AccountId> root) override {
    return FirstId(conn_.Query(fixture_sql::kFindLink, student, observer, root));
  }

  // The id in the first row's first column, if there is a row.
  template <typename Rows>
  static std::optional<std::int64_t> FirstId(Rows rows) {
    if (!rows.Next()) return std::nullopt;
    return rows.Int(0);
  }

 private:
  Connection& conn_;
};

template <typename Db>
class FixtureWriter {
 public:
  using Connection = typename Db::Connection;
  using Dialect = typename Db::Dialect;
  using Lookup = RelationalFixtureLookup<Connection>;

  FixtureWriter(const Db& db, Connection& conn, const ParsedFixture& fixture, const FixturePlan& plan, Timestamp now)
      : db_(db), conn_(conn), fixture_(fixture), plan_(plan), now_(now) {}

  void Write() {
    Dialect::BeginBulkWrite(conn_);
    Accounts();
    Users();
    Tokens();
    Permissions();
    Courses();
    Enrollments();
    Links();
    Codes();
    PropagateRoots();
  }

 private:
  void Accounts() {
    for (const std::size_t index : plan_.accounts_parents_first) {
      const FixtureAccount& account = fixture_.accounts[index];
      conn_.Queue(fixture_sql::kUpsertAccount, account.id, account.name, account.parent_id,
                  plan_.account_roots.at(account.id), account.self_registration, account.avatars);
    }
    // An account's domains become exactly the fixture's list.
    for (const FixtureAccount& account : fixture_.accounts) conn_.Queue(fixture_sql::kDeleteDomains, account.id);
    for (const FixtureAccount& account : fixture_.accounts) {
      for (const std::string& domain : account.domains) conn_.Queue(fixture_sql::kUpsertDomain, domain, account.id);
    }
  }

  void Users() {
    for (const FixtureUser& user : fixture_.users) conn_.Queue(fixture_sql::kClearSis, user.id, user.sis_user_id);
    std::size_t login_index = 0;
    for (const FixtureUser& user : fixture_.users) {
      conn_.Queue(fixture_sql::kUpsertUser, user.id, user.name, user.sortable_name, user.short_name, user.sis_user_id,
                  user.avatar_url, user.pronouns, user.created_at, now_, user.workflow_state);
      for (const FixtureLogin& login : user.logins) {
        const std::optional<std::string>& hash = plan_.password_hashes[login_index++];
        const auto existing =
            Lookup::FirstId(conn_.Query(fixture_sql::kFindLogin, login.account_id, login.unique_id_folded));
        if (existing) {
          conn_.Queue(fixture_sql::kUpdateLogin, *existing, user.id, login.unique_id, hash, login.workflow_state);
        } else {
          conn_.Queue(fixture_sql::kInsertLogin, user.id, login.account_id, login.unique_id, login.unique_id_folded,
                      hash, login.workflow_state);
        }
      }
    }
    // Every fixture user has an explicit id.
    Dialect::AfterExplicitIds(conn_, Dialect::IdTable::kUsers);
  }

  void Tokens() {
    for (const FixtureUser& user : fixture_.users) {
      for (const FixtureToken& token : user.tokens) {
        conn_.Queue(fixture_sql::kUpsertToken, user.id, Blob{db_.HashToken(token.token)}, token.expires_at,
                    token.workflow_state);
      }
    }
  }

  void Permissions() {
    for (const FixtureAdmin& admin : fixture_.admins) {
      conn_.Queue(fixture_sql::kUpsertAdmin, admin.user_id, admin.account_id, admin.role, admin.manage_user_observers,
                  admin.generate_observer_pairing_code, admin.workflow_state);
    }
    for (const FixtureRoleOverride& role_override : fixture_.role_overrides) {
      conn_.Queue(fixture_sql::kUpsertOverride, role_override.account_id, role_override.role, role_override.permission,
                  role_override.enabled);
    }
  }

  void Courses() {
    for (const FixtureCourse& course : fixture_.courses) {
      conn_.Queue(fixture_sql::kUpsertCourse, course.id, course.account_id, course.name, course.workflow_state);
    }
  }

  // Enrollments with ids first, and the identity moved past them, so that a new keyless row can never
  // take an id the fixture names.
  void Enrollments() {
    for (const FixtureEnrollment& e : fixture_.enrollments) {
      if (!e.id) continue;
      conn_.Queue(fixture_sql::kUpsertEnrollment, e.user_id, e.course_id, e.course_section_id, e.type, e.workflow_state,
                  e.associated_user_id, e.start_at, e.end_at, e.created_at, now_, *e.id);
    }
    Dialect::AfterExplicitIds(conn_, Dialect::IdTable::kEnrollments);
    for (const FixtureEnrollment& e : fixture_.enrollments) {
      if (e.id) continue;
      const auto existing = Lookup::FirstId(
          conn_.Query(fixture_sql::kFindEnrollment, e.user_id, e.course_id, e.type, e.associated_user_id));
      if (existing) {
        conn_.Queue(fixture_sql::kUpsertEnrollment, e.user_id, e.course_id, e.course_section_id, e.type,
                    e.workflow_state, e.associated_user_id, e.start_at, e.end_at, e.created_at, now_, *existing);
      } else {
        conn_.Queue(fixture_sql::kInsertEnrollment, e.user_id, e.course_id, e.course_section_id, e.type,
                    e.workflow_state, e.associated_user_id, e.start_at, e.end_at, e.created_at, now_);
      }
    }
  }

  void Links() {
    for (const FixtureLink& link : fixture_.links) {
      if (!link.id) continue;
      conn_.Queue(fixture_sql::kUpsertLink, link.student_id, link.observer_id, link.root_account_id,
                  link.workflow_state, now_, *link.id);
    }
    Dialect::AfterExplicitIds(conn_, Dialect::IdTable::kLinks);
    for (const FixtureLink& link : fixture_.links) {
      if (link.id) continue;
      const auto existing =
          Lookup::FirstId(conn_.Query(fixture_sql::kFindLink, link.student_id, link.observer_id, link.root_account_id));
      if (existing) {
        conn_.Queue(fixture_sql::kUpsertLink, link.student_id, link.observer_id, link.root_account_id,
                    link.workflow_state, now_, *existing);
      } else {
        conn_.Queue(fixture_sql::kInsertLink, link.student_id, link.observer_id, link.root_account_id,
                    link.workflow_state, now_);
      }
    }
  }

  void Codes() {
    for (const FixturePairingCode& code : fixture_.pairing_codes) {
      const std::string hash = db_.HashCode(code.code);
      Dialect::LockKey(conn_, lock_space::kPairingCode, hash);  // as InsertCode: rule 17's writers queue
      const auto existing = Lookup::FirstId(conn_.Query(fixture_sql::kFindCode, code.user_id, Blob{hash}));
      if (existing) {
        conn_.Queue(fixture_sql::kUpdateCode, *existing, code.expires_at, code.workflow_state, code.created_at);
      } else {
        conn_.Queue(fixture_sql::kInsertCode, code.user_id, Blob{hash}, code.created_at, now_, code.expires_at,
                    code.workflow_state);
      }
    }
  }

  void PropagateRoots() {
    conn_.Queue(fixture_sql::kRootsAreThemselves);
    // Each pass settles one more level of the tree; the fixture has no cycles, so this ends.
    constexpr int kMaxPasses = 1000;
    for (int pass = 0; pass < kMaxPasses; ++pass) {
      if (conn_.Exec(fixture_sql::kRootsFromParents) == 0) break;
    }
    conn_.Queue(fixture_sql::kCourseRoots);
    conn_.Queue(fixture_sql::kEnrollmentRoots);
  }

  const Db& db_;
  Connection& conn_;
  const ParsedFixture& fixture_;
  const FixturePlan& plan_;
  const Timestamp now_;
};

// Parses `json_text` into `fixture`, resolves it into `plan` through `resolve(fixture, plan)` (which
// holds a connection only while it runs), then hashes its passwords: what a FixtureWriter needs, with
// no transaction or connection held during the slow hashing.
template <typename Db, typename Resolve>
Status PrepareFixture(const Db& db, std::string_view json_text, Resolve&& resolve, ParsedFixture& fixture,
                      FixturePlan& plan) {
  Result<ParsedFixture> parsed = ParseFixture(json_text);
  if (!parsed.ok()) return parsed.status();
  fixture = std::move(*parsed);
  OBSERVEES_RETURN_IF_ERROR(resolve(fixture, plan));
  return HashFixturePasswords(fixture, db.password_hashing(), plan);
}

// Checks `json_text` entirely, then writes it in one transaction (fixture.h's contract).
template <typename Db>
Status LoadFixtureInto(Db& db, std::string_view json_text) {
  return GuardStorage("LoadFixture", [&]() -> Status {
    const Timestamp now = db.clock().Now();
    ParsedFixture fixture;
    FixturePlan plan;
    const auto resolve = [&db](const ParsedFixture& parsed, FixturePlan& out) {
      auto lease = db.Acquire();
      RelationalFixtureLookup<typename Db::Connection> lookup(*lease);
      return ResolveFixture(parsed, lookup, out);
    };
    OBSERVEES_RETURN_IF_ERROR(PrepareFixture(db, json_text, resolve, fixture, plan));
    auto txn = db.BeginWrite();
    FixtureWriter<Db>(db, txn.conn(), fixture, plan, now).Write();
    txn.Commit();
    return Status::Ok();
  });
}

}  // namespace observees::storage
