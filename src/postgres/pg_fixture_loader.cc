// The fixture loader (observees/fixture.h) for PostgreSQL: ParseFixture (fixture_parser.h) checks the
// JSON, ResolveFixture (fixture_plan.h) checks it against what the database already holds through this
// file's lookups, passwords are hashed with no transaction open, and this file writes everything in one
// transaction, upserting by each record's key exactly as the SQLite loader does, so that a second load
// of the same fixture changes nothing.
//
// Foreign keys are checked per statement here (SQLite defers them), so records are written in
// dependency order: accounts parents first, then users and their logins, tokens, admins and overrides,
// courses, enrollments. Fixture ids written into identity columns (users, enrollments, links) are
// followed by moving the column's sequence past them, before any row takes an id from it.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "fixture_plan.h"
#include "observees/fixture.h"
#include "postgres/pg_database.h"
#include "sqlite/fixture_parser.h"
#include "unix_seconds.h"

namespace observees {
namespace {

std::optional<std::int64_t> OptionalFlag(const std::optional<bool>& flag) {
  if (!flag) return std::nullopt;
  return *flag ? 1 : 0;
}

// The id in the first row's first column, if there is a row.
std::optional<std::int64_t> FirstId(const PgResult& result) {
  if (result.empty()) return std::nullopt;
  return result.Int(0, 0);
}

// Single-row lookups of what the database already holds.
constexpr char kAccountParentSql[] = "SELECT parent_id FROM accounts WHERE id = $1";
constexpr char kUserExistsSql[] = "SELECT 1 FROM users WHERE id = $1";
constexpr char kCourseExistsSql[] = "SELECT 1 FROM courses WHERE id = $1";
constexpr char kUserBySisSql[] = "SELECT id FROM users WHERE sis_user_id = $1";
// A login's key is (account_id, unique_id_folded); a non-deleted row wins over deleted ones.
constexpr char kFindLoginSql[] =
    "SELECT id, password_hash FROM logins WHERE account_id = $1 AND unique_id_folded = $2 "
    "ORDER BY workflow_state = 'deleted', id DESC LIMIT 1";
constexpr char kFindLinkSql[] =
    "SELECT id FROM observation_links WHERE student_id = $1 AND observer_id = $2 "
    "AND root_account_id IS NOT DISTINCT FROM $3::bigint ORDER BY id LIMIT 1";
constexpr char kFindEnrollmentSql[] =
    "SELECT id FROM enrollments WHERE user_id = $1 AND course_id = $2 AND type = $3 "
    "AND associated_user_id IS NOT DISTINCT FROM $4::bigint ORDER BY id LIMIT 1";
constexpr char kFindCodeSql[] =
    "SELECT id FROM pairing_codes WHERE user_id = $1 AND code_hash = $2 ORDER BY id DESC LIMIT 1";

std::optional<LinkId> FindLinkId(PgConnection& conn, UserId student, UserId observer, std::optional<AccountId> root) {
  return FirstId(conn.Exec(kFindLinkSql, PgParams().Int(student).Int(observer).OptionalInt(root)));
}

// FixtureLookup over one connection.
class PgFixtureLookup final : public FixtureLookup {
 public:
  explicit PgFixtureLookup(PgConnection& conn) : conn_(conn) {}

  std::optional<std::optional<AccountId>> AccountParent(AccountId id) override {
    const PgResult result = conn_.Exec(kAccountParentSql, PgParams().Int(id));
    if (result.empty()) return std::nullopt;
    return result.OptionalInt(0, 0);
  }
  bool UserExists(UserId id) override { return !conn_.Exec(kUserExistsSql, PgParams().Int(id)).empty(); }
  bool CourseExists(std::int64_t id) override { return !conn_.Exec(kCourseExistsSql, PgParams().Int(id)).empty(); }
  std::optional<UserId> UserWithSisId(const std::string& sis_user_id) override {
    return FirstId(conn_.Exec(kUserBySisSql, PgParams().Text(sis_user_id)));
  }
  std::optional<std::string> LoginPasswordHash(AccountId account, const std::string& unique_id_folded) override {
    const PgResult result = conn_.Exec(kFindLoginSql, PgParams().Int(account).Text(unique_id_folded));
    if (result.empty()) return std::nullopt;
    return result.OptionalText(0, 1);
  }
  std::optional<LinkId> FindLink(UserId student, UserId observer, std::optional<AccountId> root) override {
    return FindLinkId(conn_, student, observer, root);
  }

 private:
  PgConnection& conn_;
};

// Moves an identity column's sequence past the largest id in its table (never backwards), so that
// rows inserted without an id after fixture ids were written explicitly cannot collide with them.
// One statement per table: a table name cannot be a parameter.
constexpr char kAdvanceUsersSql[] =
    "SELECT setval(s.seq, GREATEST((SELECT max(id) FROM users), pg_sequence_last_value(s.seq), 1)) "
    "FROM (SELECT pg_get_serial_sequence('users', 'id')::regclass AS seq) s";
constexpr char kAdvanceEnrollmentsSql[] =
    "SELECT setval(s.seq, GREATEST((SELECT max(id) FROM enrollments), pg_sequence_last_value(s.seq), 1)) "
    "FROM (SELECT pg_get_serial_sequence('enrollments', 'id')::regclass AS seq) s";
constexpr char kAdvanceLinksSql[] =
    "SELECT setval(s.seq, GREATEST((SELECT max(id) FROM observation_links), pg_sequence_last_value(s.seq), 1)) "
    "FROM (SELECT pg_get_serial_sequence('observation_links', 'id')::regclass AS seq) s";

void AdvanceSequence(PgConnection& conn, const char* sql) { conn.Exec(sql); }

void WriteAccounts(PgConnection& conn, const ParsedFixture& fixture, const FixturePlan& plan) {
  static constexpr char kUpsertSql[] = R"sql(
INSERT INTO accounts (id, name, parent_id, root_account_id, self_registration, avatars)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id,
  root_account_id = excluded.root_account_id, self_registration = excluded.self_registration,
  avatars = excluded.avatars)sql";
  static constexpr char kDeleteDomainsSql[] = "DELETE FROM account_domains WHERE account_id = $1";
  static constexpr char kUpsertDomainSql[] =
      "INSERT INTO account_domains (domain, account_id) VALUES ($1, $2) "
      "ON CONFLICT (domain) DO UPDATE SET account_id = excluded.account_id";
  for (const std::size_t index : plan.accounts_parents_first) {
    const FixtureAccount& account = fixture.accounts[index];
    conn.Exec(kUpsertSql, PgParams()
                              .Int(account.id)
                              .Text(account.name)
                              .OptionalInt(account.parent_id)
                              .Int(plan.account_roots.at(account.id))
                              .Text(account.self_registration)
                              .Int(account.avatars ? 1 : 0));
  }
  // An account's domains become exactly the fixture's list.
  for (const FixtureAccount& account : fixture.accounts) conn.Exec(kDeleteDomainsSql, PgParams().Int(account.id));
  for (const FixtureAccount& account : fixture.accounts) {
    for (const std::string& domain : account.domains) {
      conn.Exec(kUpsertDomainSql, PgParams().Text(domain).Int(account.id));
    }
  }
}

void WriteLogin(PgConnection& conn, UserId user, const FixtureLogin& login, const std::optional<std::string>& hash) {
  static constexpr char kUpdateLoginSql[] =
      "UPDATE logins SET user_id = $2, unique_id = $3, password_hash = $4, workflow_state = $5 WHERE id = $1";
  static constexpr char kInsertLoginSql[] =
      "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded, password_hash, workflow_state) "
      "VALUES ($1, $2, $3, $4, $5, $6)";
  const auto existing =
      FirstId(conn.Exec(kFindLoginSql, PgParams().Int(login.account_id).Text(login.unique_id_folded)));
  if (existing) {
    conn.Exec(kUpdateLoginSql,
              PgParams().Int(*existing).Int(user).Text(login.unique_id).OptionalText(hash).Text(login.workflow_state));
  } else {
    conn.Exec(kInsertLoginSql, PgParams()
                                   .Int(user)
                                   .Int(login.account_id)
                                   .Text(login.unique_id)
                                   .Text(login.unique_id_folded)
                                   .OptionalText(hash)
                                   .Text(login.workflow_state));
  }
}

void WriteUsers(PgConnection& conn, const ParsedFixture& fixture, const FixturePlan& plan, Timestamp now) {
  // Frees SIS ids that fixture users trade among themselves before any of them is written.
  static constexpr char kClearSisSql[] =
      "UPDATE users SET sis_user_id = NULL WHERE id = $1 AND sis_user_id IS NOT NULL "
      "AND sis_user_id IS DISTINCT FROM $2::text";
  static constexpr char kUpsertUserSql[] = R"sql(
INSERT INTO users (id, name, sortable_name, short_name, sis_user_id, avatar_url, pronouns, created_at, workflow_state)
VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::bigint, $9::bigint), $10)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, sortable_name = excluded.sortable_name,
  short_name = excluded.short_name, sis_user_id = excluded.sis_user_id, avatar_url = excluded.avatar_url,
  pronouns = excluded.pronouns, created_at = COALESCE($8::bigint, users.created_at),
  workflow_state = excluded.workflow_state)sql";

  for (const FixtureUser& user : fixture.users) {
    conn.Exec(kClearSisSql, PgParams().Int(user.id).OptionalText(user.sis_user_id));
  }
  std::size_t login_index = 0;
  for (const FixtureUser& user : fixture.users) {
    conn.Exec(kUpsertUserSql, PgParams()
                                  .Int(user.id)
                                  .Text(user.name)
                                  .Text(user.sortable_name)
                                  .Text(user.short_name)
                                  .OptionalText(user.sis_user_id)
                                  .OptionalText(user.avatar_url)
                                  .OptionalText(user.pronouns)
                                  .OptionalInt(OptionalSeconds(user.created_at))
                                  .Int(ToSeconds(now))
                                  .Text(user.workflow_state));
    for (const FixtureLogin& login : user.logins) {
      WriteLogin(conn, user.id, login, plan.password_hashes[login_index++]);
    }
  }
  // Every fixture user has an explicit id.
  AdvanceSequence(conn, kAdvanceUsersSql);
}

void WriteTokens(PgConnection& conn, const PostgresDatabase& db, const ParsedFixture& fixture) {
  static constexpr char kUpsertTokenSql[] = R"sql(
INSERT INTO access_tokens (user_id, token_hash, expires_at, workflow_state) VALUES ($1, $2, $3, $4)
ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, expires_at = excluded.expires_at,
  workflow_state = excluded.workflow_state)sql";
  for (const FixtureUser& user : fixture.users) {
    for (const FixtureToken& token : user.tokens) {
      conn.Exec(kUpsertTokenSql, PgParams()
                                     .Int(user.id)
                                     .Bytes(db.HashToken(token.token))
                                     .OptionalInt(OptionalSeconds(token.expires_at))
                                     .Text(token.workflow_state));
    }
  }
}

void WritePermissions(PgConnection& conn, const ParsedFixture& fixture) {
  static constexpr char kUpsertAdminSql[] = R"sql(
INSERT INTO admins (user_id, account_id, role, manage_user_observers, generate_observer_pairing_code, workflow_state)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (user_id, account_id, role) DO UPDATE SET manage_user_observers = excluded.manage_user_observers,
  generate_observer_pairing_code = excluded.generate_observer_pairing_code,
  workflow_state = excluded.workflow_state)sql";
  static constexpr char kUpsertOverrideSql[] =
      "INSERT INTO role_overrides (account_id, role, permission, enabled) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (account_id, role, permission) DO UPDATE SET enabled = excluded.enabled";
  for (const FixtureAdmin& admin : fixture.admins) {
    conn.Exec(kUpsertAdminSql, PgParams()
                                   .Int(admin.user_id)
                                   .Int(admin.account_id)
                                   .Text(admin.role)
                                   .OptionalInt(OptionalFlag(admin.manage_user_observers))
                                   .OptionalInt(OptionalFlag(admin.generate_observer_pairing_code))
                                   .Text(admin.workflow_state));
  }
  for (const FixtureRoleOverride& role_override : fixture.role_overrides) {
    conn.Exec(kUpsertOverrideSql, PgParams()
                                      .Int(role_override.account_id)
                                      .Text(role_override.role)
                                      .Text(role_override.permission)
                                      .Int(role_override.enabled ? 1 : 0));
  }
}

void WriteCourses(PgConnection& conn, const ParsedFixture& fixture) {
  static constexpr char kUpsertCourseSql[] = R"sql(
INSERT INTO courses (id, account_id, root_account_id, name, workflow_state)
VALUES ($1, $2, (SELECT root_account_id FROM accounts WHERE id = $2), $3, $4)
ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, root_account_id = excluded.root_account_id,
  name = excluded.name, workflow_state = excluded.workflow_state)sql";
  for (const FixtureCourse& course : fixture.courses) {
    conn.Exec(kUpsertCourseSql,
              PgParams().Int(course.id).Int(course.account_id).Text(course.name).Text(course.workflow_state));
  }
}

// $1..$10 of both enrollment statements below.
PgParams EnrollmentParams(const FixtureEnrollment& enrollment, Timestamp now) {
  PgParams params;
  params.Int(enrollment.user_id)
      .Int(enrollment.course_id)
      .OptionalInt(enrollment.course_section_id)
      .Text(enrollment.type)
      .Text(enrollment.workflow_state)
      .OptionalInt(enrollment.associated_user_id)
      .OptionalInt(OptionalSeconds(enrollment.start_at))
      .OptionalInt(OptionalSeconds(enrollment.end_at))
      .OptionalInt(OptionalSeconds(enrollment.created_at))
      .Int(ToSeconds(now));
  return params;
}

void WriteEnrollments(PgConnection& conn, const ParsedFixture& fixture, Timestamp now) {
  // A new row takes its id from the identity. $10 is now.
  static constexpr char kInsertEnrollmentSql[] = R"sql(
INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state,
                         associated_user_id, start_at, end_at, created_at, updated_at)
VALUES ($1, $2, $3, (SELECT root_account_id FROM courses WHERE id = $2), $4, $5, $6, $7, $8,
        COALESCE($9::bigint, $10::bigint), $10))sql";
  // The row with id $11, inserted or updated. updated_at moves only when something changed.
  static constexpr char kUpsertEnrollmentSql[] = R"sql(
INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state,
                         associated_user_id, start_at, end_at, created_at, updated_at, id)
VALUES ($1, $2, $3, (SELECT root_account_id FROM courses WHERE id = $2), $4, $5, $6, $7, $8,
        COALESCE($9::bigint, $10::bigint), $10, $11)
ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, course_id = excluded.course_id,
  course_section_id = excluded.course_section_id, root_account_id = excluded.root_account_id, type = excluded.type,
  workflow_state = excluded.workflow_state, associated_user_id = excluded.associated_user_id,
  start_at = excluded.start_at, end_at = excluded.end_at, created_at = COALESCE($9::bigint, enrollments.created_at),
  updated_at = CASE
    WHEN (enrollments.user_id, enrollments.course_id, enrollments.course_section_id, enrollments.type,
          enrollments.workflow_state, enrollments.associated_user_id, enrollments.start_at, enrollments.end_at)
      IS NOT DISTINCT FROM
         (excluded.user_id, excluded.course_id, excluded.course_section_id, excluded.type, excluded.workflow_state,
          excluded.associated_user_id, excluded.start_at, excluded.end_at)
    THEN enrollments.updated_at ELSE $10::bigint END)sql";

  // Enrollments with ids first, and the identity moved past them, so that a new keyless row can
  // never take an id the fixture names.
  for (const FixtureEnrollment& enrollment : fixture.enrollments) {
    if (enrollment.id) conn.Exec(kUpsertEnrollmentSql, EnrollmentParams(enrollment, now).Int(*enrollment.id));
  }
  AdvanceSequence(conn, kAdvanceEnrollmentsSql);
  for (const FixtureEnrollment& enrollment : fixture.enrollments) {
    if (enrollment.id) continue;
    const auto existing = FirstId(conn.Exec(kFindEnrollmentSql, PgParams()
                                                                    .Int(enrollment.user_id)
                                                                    .Int(enrollment.course_id)
                                                                    .Text(enrollment.type)
                                                                    .OptionalInt(enrollment.associated_user_id)));
    PgParams params = EnrollmentParams(enrollment, now);
    if (existing) {
      conn.Exec(kUpsertEnrollmentSql, params.Int(*existing));
    } else {
      conn.Exec(kInsertEnrollmentSql, params);
    }
  }
}

// $1..$5 of both link statements below.
PgParams LinkParams(const FixtureLink& link, Timestamp now) {
  PgParams params;
  params.Int(link.student_id)
      .Int(link.observer_id)
      .OptionalInt(link.root_account_id)
      .Text(link.workflow_state)
      .Int(ToSeconds(now));
  return params;
}

void WriteLinks(PgConnection& conn, const ParsedFixture& fixture, Timestamp now) {
  static constexpr char kInsertLinkSql[] =
      "INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $5)";
  // The link with id $6, inserted or updated; created_at is set on insert only, updated_at when
  // something changed.
  static constexpr char kUpsertLinkSql[] = R"sql(
INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, created_at, updated_at, id)
VALUES ($1, $2, $3, $4, $5, $5, $6)
ON CONFLICT (id) DO UPDATE SET student_id = excluded.student_id, observer_id = excluded.observer_id,
  root_account_id = excluded.root_account_id, workflow_state = excluded.workflow_state,
  updated_at = CASE
    WHEN (observation_links.student_id, observation_links.observer_id, observation_links.root_account_id,
          observation_links.workflow_state)
      IS NOT DISTINCT FROM (excluded.student_id, excluded.observer_id, excluded.root_account_id, excluded.workflow_state)
    THEN observation_links.updated_at ELSE $5::bigint END)sql";

  for (const FixtureLink& link : fixture.links) {
    if (link.id) conn.Exec(kUpsertLinkSql, LinkParams(link, now).Int(*link.id));
  }
  AdvanceSequence(conn, kAdvanceLinksSql);
  for (const FixtureLink& link : fixture.links) {
    if (link.id) continue;
    const auto existing = FindLinkId(conn, link.student_id, link.observer_id, link.root_account_id);
    PgParams params = LinkParams(link, now);
    if (existing) {
      conn.Exec(kUpsertLinkSql, params.Int(*existing));
    } else {
      conn.Exec(kInsertLinkSql, params);
    }
  }
}

void WriteCodes(PgConnection& conn, const PostgresDatabase& db, const ParsedFixture& fixture, Timestamp now) {
  // An active fixture code is unused (and unrevoked) again.
  static constexpr char kUpdateCodeSql[] = R"sql(
UPDATE pairing_codes SET expires_at = $2, workflow_state = $3, created_at = COALESCE($4::bigint, created_at),
  used_by = CASE WHEN $3::text = 'active' THEN NULL ELSE used_by END,
  used_at = CASE WHEN $3::text = 'active' THEN NULL ELSE used_at END,
  link_id = CASE WHEN $3::text = 'active' THEN NULL ELSE link_id END,
  revoked_by = CASE WHEN $3::text = 'active' THEN NULL ELSE revoked_by END,
  revoked_at = CASE WHEN $3::text = 'active' THEN NULL ELSE revoked_at END
WHERE id = $1)sql";
  static constexpr char kInsertCodeSql[] =
      "INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state) "
      "VALUES ($1, $2, COALESCE($3::bigint, $4::bigint), $5, $6)";
  for (const FixturePairingCode& code : fixture.pairing_codes) {
    const std::string hash = db.HashCode(code.code);
    LockKey(conn, lock_space::kPairingCode, hash);  // as PgLinkStore's InsertCode: rule 17's writers queue
    const auto existing = FirstId(conn.Exec(kFindCodeSql, PgParams().Int(code.user_id).Bytes(hash)));
    if (existing) {
      conn.Exec(kUpdateCodeSql, PgParams()
                                    .Int(*existing)
                                    .Int(ToSeconds(code.expires_at))
                                    .Text(code.workflow_state)
                                    .OptionalInt(OptionalSeconds(code.created_at)));
    } else {
      conn.Exec(kInsertCodeSql, PgParams()
                                    .Int(code.user_id)
                                    .Bytes(hash)
                                    .OptionalInt(OptionalSeconds(code.created_at))
                                    .Int(ToSeconds(now))
                                    .Int(ToSeconds(code.expires_at))
                                    .Text(code.workflow_state));
    }
  }
}

// Re-derives root_account_id of accounts, courses and enrollments that the fixture moved (e.g. a
// database sub-account under a fixture account that changed parent). Changes nothing when consistent.
void PropagateRoots(PgConnection& conn) {
  static constexpr char kRootsSql[] =
      "UPDATE accounts SET root_account_id = id WHERE parent_id IS NULL AND root_account_id IS DISTINCT FROM id";
  static constexpr char kFromParentsSql[] =
      "UPDATE accounts a SET root_account_id = p.root_account_id FROM accounts p "
      "WHERE p.id = a.parent_id AND a.root_account_id IS DISTINCT FROM p.root_account_id";
  static constexpr char kCoursesSql[] =
      "UPDATE courses c SET root_account_id = a.root_account_id FROM accounts a "
      "WHERE a.id = c.account_id AND c.root_account_id IS DISTINCT FROM a.root_account_id";
  static constexpr char kEnrollmentsSql[] =
      "UPDATE enrollments e SET root_account_id = c.root_account_id FROM courses c "
      "WHERE c.id = e.course_id AND e.root_account_id IS DISTINCT FROM c.root_account_id";
  conn.Exec(kRootsSql);
  // Each pass settles one more level of the tree; the fixture has no cycles, so this ends.
  constexpr int kMaxPasses = 1000;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (conn.Exec(kFromParentsSql).Affected() == 0) break;
  }
  conn.Exec(kCoursesSql);
  conn.Exec(kEnrollmentsSql);
}

Status Load(const PostgresBackend& backend, std::string_view json_text) {
  if (!backend.database) return InvalidArgument("fixture: the backend has no database");
  PostgresDatabase& db = *backend.database;
  Result<ParsedFixture> parsed = ParseFixture(json_text);
  if (!parsed.ok()) return parsed.status();
  const ParsedFixture& fixture = *parsed;
  const Timestamp now = db.clock().Now();

  FixturePlan plan;
  {
    auto lease = db.Acquire();
    PgFixtureLookup lookup(*lease);
    OBSERVEES_RETURN_IF_ERROR(ResolveFixture(fixture, lookup, plan));
  }
  OBSERVEES_RETURN_IF_ERROR(HashFixturePasswords(fixture, db.password_hashing(), plan));

  auto txn = db.BeginWrite();
  PgConnection& conn = txn.conn();
  // Loaders in every process sharing the database take turns, so that their find-then-insert of
  // keyless records (logins, enrollments, links, codes) cannot both insert.
  LockKey(conn, lock_space::kFixture, "load");
  WriteAccounts(conn, fixture, plan);
  WriteUsers(conn, fixture, plan, now);
  WriteTokens(conn, db, fixture);
  WritePermissions(conn, fixture);
  WriteCourses(conn, fixture);
  WriteEnrollments(conn, fixture, now);
  WriteLinks(conn, fixture, now);
  WriteCodes(conn, db, fixture, now);
  PropagateRoots(conn);
  txn.Commit();
  return Status::Ok();
}

}  // namespace

Status LoadFixture(const PostgresBackend& backend, std::string_view json_text) {
  return GuardStorage("LoadFixture", [&]() -> Status { return Load(backend, json_text); });
}

Status LoadFixtureFile(const PostgresBackend& backend, const std::string& path) {
  return LoadFixtureFromFile(backend, path);
}

}  // namespace observees
