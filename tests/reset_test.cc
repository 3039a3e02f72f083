// ResetStorage (fixture.h): every table but meta emptied, optionally a fixture loaded again, in one
// transaction; a bad fixture changes nothing; concurrent readers see before or after, never between.
// Runs on SQLite, and on PostgreSQL with OBSERVEES_TEST_BACKEND=postgres (support/world.h).
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "observees/fixture.h"
#include "observees/storage.h"
#include "postgres/pg_database.h"
#include "sqlite/sqlite_database.h"
#include "storage/engine.h"
#include "support/temp_dir.h"
#include "support/world.h"

namespace observees::testing {
namespace {

// Every table of the schema, and a count of each: a statement is cached by its text's address, so
// each count is a constant. A new table fails "the schema has exactly these tables" until added here.
struct TableCount {
  const char* table;
  const char* sql;
};
constexpr TableCount kTables[] = {
    {"access_tokens", "SELECT count(*) FROM access_tokens"},
    {"account_domains", "SELECT count(*) FROM account_domains"},
    {"accounts", "SELECT count(*) FROM accounts"},
    {"admins", "SELECT count(*) FROM admins"},
    {"audit_log", "SELECT count(*) FROM audit_log"},
    {"courses", "SELECT count(*) FROM courses"},
    {"enrollments", "SELECT count(*) FROM enrollments"},
    {"failed_attempts", "SELECT count(*) FROM failed_attempts"},
    {"logins", "SELECT count(*) FROM logins"},
    {"meta", "SELECT count(*) FROM meta"},
    {"observation_links", "SELECT count(*) FROM observation_links"},
    {"pairing_codes", "SELECT count(*) FROM pairing_codes"},
    {"role_overrides", "SELECT count(*) FROM role_overrides"},
    {"sis_imports", "SELECT count(*) FROM sis_imports"},
    {"users", "SELECT count(*) FROM users"},
};
constexpr char kSqliteTablesSql[] =
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
constexpr char kPgTablesSql[] =
    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() "
    "ORDER BY table_name";

template <typename Db>
std::map<std::string, std::int64_t> CountsOn(Db& db, const char* tables_sql) {
  auto lease = db.Acquire();
  std::vector<std::string> names;
  // A prefixed world (OBSERVEES_TEST_TABLE_PREFIX) shares its file with foreign tables: its own are
  // those under the prefix, named here without it (the counts' statements get it back).
  const char* prefix = std::getenv("OBSERVEES_TEST_TABLE_PREFIX");
  const std::string_view own = prefix != nullptr && tables_sql == kSqliteTablesSql ? prefix : "";
  for (auto rows = lease->Query(tables_sql); rows.Next();) {
    const std::string name = rows.Text(0);
    if (name.starts_with(own)) names.push_back(name.substr(own.size()));
  }
  std::vector<std::string> expected;
  for (const TableCount& t : kTables) expected.push_back(t.table);
  INFO("the schema has exactly these tables");
  REQUIRE(names == expected);
  std::map<std::string, std::int64_t> counts;
  for (const TableCount& t : kTables) {
    auto rows = lease->Query(t.sql);
    REQUIRE(rows.Next());
    counts[t.table] = rows.Int(0);
  }
  return counts;
}

std::map<std::string, std::int64_t> RowCounts(const Storage& storage) {
  if (auto* db = storage::DatabaseOf<SqliteDatabase>(storage)) return CountsOn(*db, kSqliteTablesSql);
  auto* pg = storage::DatabaseOf<PostgresDatabase>(storage);
  REQUIRE(pg != nullptr);
  return CountsOn(*pg, kPgTablesSql);
}

TEST_CASE("a reset empties every table but meta, and the store works on", "[reset]") {
  World w = MakeWorld();
  // Fill the tables the fixture leaves empty: a link and audit entries, a failed attempt.
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, "Wrong1")) == StatusCode::kInvalidCode);
  std::istringstream csv("observer_id,student_id,status\n");
  SisImportOptions import;
  import.root_account = kDefault;
  REQUIRE(w.service->ImportUserObservers(csv, import).ok());  // an import record
  const auto before = RowCounts(w.backend);
  for (const auto& [table, count] : before) {
    INFO(table << " must hold rows before the reset, or the test proves nothing about it");
    CHECK(count > 0);
  }

  REQUIRE(ResetStorage(w.backend).ok());
  const auto after = RowCounts(w.backend);
  for (const auto& [table, count] : after) {
    INFO(table);
    CHECK(count == (table == "meta" ? before.at("meta") : 0));
  }
  const auto gone = w.backend.directory->FindUser(kQuinn);
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());

  // The same hash key: the fixture's tokens and codes work again after it is loaded once more.
  REQUIRE(LoadFixture(w.backend, kStandardFixture).ok());
  CHECK(w.ActiveCode(kActiveCode).has_value());
  CHECK(OutcomeOf(w.AddWithToken(kPat, kChildToken)) == StatusCode::kOk);
}

TEST_CASE("a reset with a fixture is the fixture alone", "[reset]") {
  World w = MakeWorld();
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
  REQUIRE_FALSE(w.ActiveCode(kActiveCode).has_value());
  const std::string made = w.NewCode(kChild);

  REQUIRE(ResetStorage(w.backend, std::string_view(kStandardFixture)).ok());
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
  CHECK(w.ActiveCode(kActiveCode).has_value());  // used before the reset, as the fixture says now
  CHECK_FALSE(w.ActiveCode(made).has_value());
  CHECK(w.AuditAfter(0).empty());
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);

  // Idempotent: a second reset to the same fixture leaves the same counts.
  REQUIRE(ResetStorage(w.backend, std::string_view(kStandardFixture)).ok());
  const auto once = RowCounts(w.backend);
  REQUIRE(ResetStorage(w.backend, std::string_view(kStandardFixture)).ok());
  CHECK(RowCounts(w.backend) == once);
}

TEST_CASE("a reset with a bad fixture changes nothing", "[reset]") {
  World w = MakeWorld();
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
  const auto before = RowCounts(w.backend);
  for (const char* bad : {"{", R"({"users": [{"id": "x"}]})", R"({"nope": 1})",
                          // valid on top of the database, not alone: the account is not in it
                          R"({"users": [{"id": 90, "name": "N", "logins": [{"account_id": 1, "unique_id": "n"}]}]})"}) {
    INFO(bad);
    const Status status = ResetStorage(w.backend, std::string_view(bad));
    CHECK(OutcomeOf(status) == StatusCode::kInvalidArgument);
    CHECK(RowCounts(w.backend) == before);
  }
}

TEST_CASE("concurrent readers see the data before or after a reset, never between", "[reset][concurrency]") {
  // On SQLite a file, so that the reader has its own connection (":memory:" has one).
  storage_test::TempDir dir;
  WorldOptions options;
  if (!WorldsOnPostgres()) options.db_path = dir.File("reset.db");
  World w = MakeWorld(options);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> missing{0};
  std::thread reader([&] {
    while (!done.load()) {
      // The fixture's student and their active code are there before and after every reset.
      auto user = w.backend.directory->FindUser(kChild);
      if (!user.ok() || !user->has_value()) missing.fetch_add(1);
      auto links = w.backend.links->ActiveLinksOfStudent(kChild);
      if (!links.ok()) missing.fetch_add(1);
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < 20; ++i) {
    REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
    REQUIRE(ResetStorage(w.backend, std::string_view(kStandardFixture)).ok());
  }
  done.store(true);
  reader.join();
  CHECK(reads.load() > 0);
  CHECK(missing.load() == 0);
}

}  // namespace
}  // namespace observees::testing
