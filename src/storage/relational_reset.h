// The reset (observees/fixture.h, ResetStorage) on any engine Db (engine.h): every table but meta
// emptied (the schema, the schema version and the stored hash key stay), then optionally a fixture
// written, all in one write transaction, so concurrent callers see the data before or after, never
// between. The fixture is parsed, resolved as against an empty database and its passwords hashed
// before the transaction opens: a bad fixture changes nothing.
//
// kDeletes empties every table but meta, children before parents, so that foreign keys hold at each
// DELETE on PostgreSQL; a test fills every table of the schema and checks that each ends empty. Db::Dialect::BeginReset
// makes other writers wait for the reset (SQLite's writers already take turns). SQLite's ids start again at 1;
// PostgreSQL's identities keep counting.
#pragma once

#include <optional>
#include <string_view>

#include "observees/status.h"
#include "storage/fixture_plan.h"
#include "storage/relational_fixture_loader.h"
#include "storage/storage_guard.h"

namespace observees::storage {

namespace reset_sql {

// One DELETE per table: a table name cannot be a parameter.
inline constexpr const char* kDeletes[] = {"DELETE FROM audit_log",
                                           "DELETE FROM sis_imports",
                                           "DELETE FROM failed_attempts",
                                           "DELETE FROM pairing_codes",
                                           "DELETE FROM observation_links",
                                           "DELETE FROM enrollments",
                                           "DELETE FROM courses",
                                           "DELETE FROM role_overrides",
                                           "DELETE FROM admins",
                                           "DELETE FROM access_tokens",
                                           "DELETE FROM logins",
                                           "DELETE FROM users",
                                           "DELETE FROM account_domains",
                                           "DELETE FROM accounts"};

}  // namespace reset_sql

// What an empty database holds: nothing. The fixture is resolved against it.
class EmptyFixtureLookup final : public FixtureLookup {
 public:
  std::optional<std::optional<AccountId>> AccountParent(AccountId) override { return std::nullopt; }
  bool UserExists(UserId) override { return false; }
  bool CourseExists(std::int64_t) override { return false; }
  std::optional<UserId> UserWithSisId(const std::string&) override { return std::nullopt; }
  std::optional<std::string> LoginPasswordHash(AccountId, const std::string&) override { return std::nullopt; }
  std::optional<LinkId> FindLink(UserId, UserId, std::optional<AccountId>) override { return std::nullopt; }
};

template <typename Db>
Status ResetInto(Db& db, std::optional<std::string_view> fixture_json) {
  return GuardStorage("Reset", [&]() -> Status {
    const Timestamp now = db.clock().Now();
    ParsedFixture fixture;
    FixturePlan plan;
    if (fixture_json) {
      const auto resolve = [](const ParsedFixture& parsed, FixturePlan& out) {
        EmptyFixtureLookup empty;
        return ResolveFixture(parsed, empty, out);
      };
      OBSERVEES_RETURN_IF_ERROR(PrepareFixture(db, *fixture_json, resolve, fixture, plan));
    }
    auto txn = db.BeginWrite();
    Db::Dialect::BeginReset(txn.conn());
    for (const char* sql : reset_sql::kDeletes) txn.conn().Queue(sql);
    if (fixture_json) FixtureWriter<Db>(db, txn.conn(), fixture, plan, now).Write();
    txn.Commit();
    return Status::Ok();
  });
}

}  // namespace observees::storage
