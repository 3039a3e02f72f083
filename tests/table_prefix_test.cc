// StorageOptions::table_prefix (SQLite, src/sqlite/table_prefix.h): the rewrite of statements, and a
// store living in a file another program owns, beside that program's tables of the same plain names,
// whose rows and PRAGMA user_version it never touches. (The whole suite also runs on such files:
// ctest's observees_prefixed_tests, OBSERVEES_TEST_TABLE_PREFIX.)
#include "sqlite/table_prefix.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <string>

#include "sqlite/schema.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"
#include "support/world.h"

namespace observees::testing {
namespace {

using sqlite_schema::TablePrefix;

TEST_CASE("table prefix: the library's table and index names get it, nothing else does", "[table_prefix]") {
  const TablePrefix p("obs_", sqlite_schema::Migrations());
  CHECK(p.Rewrite("SELECT u.id FROM users u JOIN logins l ON l.user_id = u.id WHERE u.name = 'users'") ==
        "SELECT u.id FROM obs_users u JOIN obs_logins l ON l.user_id = u.id WHERE u.name = 'users'");
  CHECK(p.Rewrite("DELETE FROM Audit_Log -- from audit_log\n") == "DELETE FROM obs_Audit_Log -- from audit_log\n");
  CHECK(p.Rewrite("CREATE INDEX logins_user ON logins(user_id)") ==
        "CREATE INDEX obs_logins_user ON obs_logins(user_id)");
  CHECK(p.Rewrite("SELECT \"users\", [meta], `courses`, ?1, :users, 'it''s users' /* meta */ FROM meta") ==
        "SELECT \"users\", [meta], `courses`, ?1, :users, 'it''s users' /* meta */ FROM obs_meta");
  CHECK(p.Rewrite("INSERT INTO enrollments (user_id) VALUES (1e5)") ==
        "INSERT INTO obs_enrollments (user_id) VALUES (1e5)");
  CHECK(p.Rewrite("PRAGMA foreign_keys = ON") == "PRAGMA foreign_keys = ON");
  CHECK(p.Rewrite("") == "");
}

TEST_CASE("table prefix: letters, digits and '_', starting with a letter, at most 32", "[table_prefix]") {
  CHECK(TablePrefix::Check("obs_").ok());
  CHECK(TablePrefix::Check("Observees2_").ok());
  for (const char* bad :
       {"", "1obs", "_obs", "obs-", "obs.", "obs ", "ob\"s", "o\xc3\xa9s", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    INFO(bad);
    const Status status = TablePrefix::Check(bad);
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.field() == "table_prefix");
  }
}

TEST_CASE("table prefix: the store lives beside another program's tables of the same names and leaves them be",
          "[table_prefix]") {
  storage_test::TempDir dir;
  const std::string path = dir.File("lms.db");
  storage_test::MakeForeignTables(path);
  StorageOptions options = storage_test::FileOptions(path);
  options.table_prefix = "obs_";
  {
    Storage storage = storage_test::ValueOf(OpenStorage(options));
    REQUIRE(LoadFixture(storage, kStandardFixture).ok());
    auto service = storage_test::ValueOf(ObservationService::Create(storage.Dependencies(options.clock)));
    const Caller ada{kAda, kDefault, "192.0.2.1"};
    REQUIRE(service->AddObserveeById(ada, kQuinn, kChild, RootAccountScope::Domain()).ok());
    const auto listed = service->ListObservees(Caller{kQuinn, kDefault, "192.0.2.1"}, kQuinn, {});
    REQUIRE(listed.ok());
    CHECK(listed->users.size() == 1);
  }
  CHECK(storage_test::ForeignTablesIntact(path));
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT value FROM obs_meta WHERE key = 'schema_version'").getString() ==
        std::to_string(StorageSchemaVersion(StorageKind::kSqlite)));
  CHECK(db.execAndGet("SELECT count(*) FROM obs_observation_links WHERE workflow_state = 'active'").getInt() >= 1);
  CHECK(
      db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'obs_logins_user' AND type = 'index'").getInt() ==
      1);

  // Opened again, it finds its version and its data; without the prefix the file is the other
  // program's (its user_version 7 is no version of ours), and nothing is written.
  {
    Storage again = storage_test::ValueOf(OpenStorage(options));
    auto service = storage_test::ValueOf(ObservationService::Create(again.Dependencies(options.clock)));
    const auto listed = service->ListObservees(Caller{kQuinn, kDefault, "192.0.2.1"}, kQuinn, {});
    REQUIRE(listed.ok());
    CHECK(listed->users.size() == 1);
  }
  StorageOptions plain = options;
  plain.table_prefix.clear();
  CHECK(OpenStorage(plain).status().code() == StatusCode::kInternal);
  CHECK(storage_test::ForeignTablesIntact(path));
}

TEST_CASE("table prefix: refused when malformed, and on PostgreSQL, which has schema instead", "[table_prefix]") {
  StorageOptions options;
  options.table_prefix = "obs-";
  CHECK(OpenStorage(options).status().code() == StatusCode::kInvalidArgument);
  options.table_prefix = "obs_";
  options.location = "postgresql://localhost/none";
  const Status refused = OpenStorage(options).status();
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(refused.field() == "table_prefix");
}

}  // namespace
}  // namespace observees::testing
