// The checks both engines make when they open a database (src/storage/database_meta.h): a schema
// version this library does not know, a stored hash key of the wrong length, and a missing key in a
// database that holds credentials are refused with kInternal, changing nothing; a missing key in a
// credential-free database is made afresh. SQLite files are crafted with SQLiteCpp, PostgreSQL schemas
// through PgInspector.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/storage.h"
#include "secrets.h"
#include "support/pg_inspector.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr char kTokenFixture[] = R"json({
  "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]}],
  "users": [{"id": 10, "name": "Pat Parent", "tokens": ["token-pat"]}, {"id": 11, "name": "Sam Student"}]
})json";
constexpr char kCodeFixture[] = R"json({
  "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]}],
  "users": [{"id": 11, "name": "Sam Student"}],
  "pairing_codes": [{"user_id": 11, "code": "Abc123", "expires_at": "2030-01-01T00:00:00Z"}]
})json";
constexpr char kNoCredentialFixture[] = R"json({
  "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]}],
  "users": [{"id": 11, "name": "Sam Student"}]
})json";

// Versions no SQLite file of ours has: negative ones (which once indexed outside the migration list)
// and the ones past this library's.
std::vector<int> UnknownVersions(int newest) { return {-1, -2, -3, -100, INT_MIN, newest + 1, newest + 100, INT_MAX}; }

// A database file at the current version holding `fixture`.
void MakeFile(const std::string& path, const char* fixture) {
  const Storage backend = ValueOf(OpenStorage(FileOptions(path)));
  RequireOk(LoadFixture(backend, fixture));
}

void SetHashKey(const std::string& path, const std::string& key) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  SQLite::Statement update(db, "UPDATE meta SET value = ? WHERE key = 'hash_key'");
  update.bind(1, key.data(), static_cast<int>(key.size()));
  REQUIRE(update.exec() == 1);
}

void DeleteHashKey(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  REQUIRE(db.exec("DELETE FROM meta WHERE key = 'hash_key'") == 1);
}

TEST_CASE("an SQLite file whose user_version this library does not know is refused, unchanged", "[sqlite][meta]") {
  const int newest = StorageSchemaVersion(StorageKind::kSqlite);
  for (const int version : UnknownVersions(newest)) {
    INFO("user_version = " << version);
    TempDir dir;
    const std::string path = dir.File("versioned.db");
    MakeFile(path, kTokenFixture);
    { SQLite::Database(path, SQLite::OPEN_READWRITE).exec("PRAGMA user_version = " + std::to_string(version)); }
    const TableDump before = DumpTables(path);

    const Status opened = OpenStorage(FileOptions(path)).status();
    INFO(opened.ToString());
    CHECK(CodeName(opened) == CodeName(StatusCode::kInternal));
    CHECK(Contains(opened.message(), path));
    CHECK(Contains(opened.message(), "schema version " + std::to_string(version)));
    CHECK(DiffDumps(before, DumpTables(path)).empty());
    CHECK(SQLite::Database(path, SQLite::OPEN_READONLY).execAndGet("PRAGMA user_version").getInt() == version);
  }
}

TEST_CASE("an SQLite file whose meta.hash_key is not 32 bytes is refused, unchanged", "[sqlite][meta]") {
  for (const std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{16}, std::size_t{31}, std::size_t{33},
                                   std::size_t{64}, std::size_t{65}, std::size_t{1000}}) {
    INFO("hash_key of " << length << " bytes");
    TempDir dir;
    const std::string path = dir.File("key.db");
    MakeFile(path, kTokenFixture);
    const std::string key(length, 'K');
    SetHashKey(path, key);
    const TableDump before = DumpTables(path);

    const Status opened = OpenStorage(FileOptions(path)).status();
    INFO(opened.ToString());
    CHECK(CodeName(opened) == CodeName(StatusCode::kInternal));
    CHECK(Contains(opened.message(), path));
    CHECK(Contains(opened.message(), "hash_key is " + std::to_string(length) + " bytes"));
    if (length > 0) CHECK_FALSE(Contains(opened.message(), key));
    CHECK(DiffDumps(before, DumpTables(path)).empty());
  }
}

TEST_CASE("an SQLite file holding credentials but no meta.hash_key is refused, not given a new key", "[sqlite][meta]") {
  for (const char* fixture : {kTokenFixture, kCodeFixture}) {
    INFO(fixture);
    TempDir dir;
    const std::string path = dir.File("keyless.db");
    MakeFile(path, fixture);
    DeleteHashKey(path);
    const TableDump before = DumpTables(path);

    const Status opened = OpenStorage(FileOptions(path)).status();
    INFO(opened.ToString());
    CHECK(CodeName(opened) == CodeName(StatusCode::kInternal));
    CHECK(Contains(opened.message(), "hash_key is missing"));
    CHECK(DiffDumps(before, DumpTables(path)).empty());  // no key was made
  }
}

TEST_CASE("an SQLite file without credentials and without meta.hash_key gets a fresh key", "[sqlite][meta]") {
  TempDir dir;
  const std::string path = dir.File("fresh.db");
  MakeFile(path, kNoCredentialFixture);
  DeleteHashKey(path);
  {
    const Storage backend = ValueOf(OpenStorage(FileOptions(path)));
    RequireOk(LoadFixture(backend, kTokenFixture));
    CHECK(ValueOf(backend.authenticator->UserForAccessToken("token-pat", kT0)) == 10);
  }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT length(value) FROM meta WHERE key = 'hash_key'").getInt() ==
        static_cast<int>(secrets::kKeyBytes));
  // The key stays: the token still matches after a reopen.
  const Storage reopened = ValueOf(OpenStorage(FileOptions(path)));
  CHECK(ValueOf(reopened.authenticator->UserForAccessToken("token-pat", kT0)) == 10);
}

// ---- PostgreSQL: the schema version and the key live in the schema's meta table ----

// A schema at the current version holding `fixture`, and an inspector on it.
struct PgSchema {
  PgSchema(const std::string& conninfo, const char* fixture) : schema(conninfo) {
    {
      const Storage backend = ValueOf(OpenStorage(Options()));
      RequireOk(LoadFixture(backend, fixture));
    }
    inspector = std::make_unique<PgInspector>(conninfo, schema.name());
  }
  StorageOptions Options() const {
    StorageOptions options = schema.Options(1);
    options.clock = std::make_shared<FakeClock>(kT0);
    return options;
  }
  Status Reopen() const { return OpenStorage(Options()).status(); }

  ScopedPostgresSchema schema;
  std::unique_ptr<PgInspector> inspector;
};

TEST_CASE("a PostgreSQL schema whose schema_version this library does not know is refused, unchanged",
          "[postgres][meta]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  const int newest = StorageSchemaVersion(StorageKind::kPostgres);
  std::vector<std::string> versions;
  for (const int version : UnknownVersions(newest)) versions.push_back(std::to_string(version));
  for (const char* text : {"", "abc", "1x", " 1", "99999999999"}) versions.emplace_back(text);
  for (const std::string& version : versions) {
    INFO("schema_version = '" << version << "'");
    PgSchema store(*conninfo, kTokenFixture);
    store.inspector->Scalar("UPDATE meta SET value = convert_to('" + version +
                            "', 'UTF8') WHERE key = 'schema_version'");
    const TableDump before = store.inspector->Dump();

    const Status opened = store.Reopen();
    INFO(opened.ToString());
    CHECK(CodeName(opened) == CodeName(StatusCode::kInternal));
    CHECK(Contains(opened.message(), "schema version"));
    CHECK(DiffDumps(before, store.inspector->Dump()).empty());
  }
}

TEST_CASE("a PostgreSQL schema whose meta.hash_key is not 32 bytes is refused, unchanged", "[postgres][meta]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  for (const int length : {0, 1, 31, 33, 64, 65, 1000}) {
    INFO("hash_key of " << length << " bytes");
    PgSchema store(*conninfo, kTokenFixture);
    store.inspector->Scalar("UPDATE meta SET value = convert_to(repeat('K', " + std::to_string(length) +
                            "), 'UTF8') WHERE key = 'hash_key'");
    const TableDump before = store.inspector->Dump();

    const Status opened = store.Reopen();
    INFO(opened.ToString());
    CHECK(CodeName(opened) == CodeName(StatusCode::kInternal));
    CHECK(Contains(opened.message(), "hash_key is " + std::to_string(length) + " bytes"));
    CHECK(DiffDumps(before, store.inspector->Dump()).empty());
  }
}

TEST_CASE("a PostgreSQL schema holding credentials but no meta.hash_key is refused, not given a new key",
          "[postgres][meta]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  for (const char* fixture : {kTokenFixture, kCodeFixture}) {
    INFO(fixture);
    PgSchema store(*conninfo, fixture);
    store.inspector->Scalar("DELETE FROM meta WHERE key = 'hash_key'");
    const TableDump before = store.inspector->Dump();

    const Status opened = store.Reopen();
    INFO(opened.ToString());
    CHECK(CodeName(opened) == CodeName(StatusCode::kInternal));
    CHECK(Contains(opened.message(), "hash_key is missing"));
    CHECK(DiffDumps(before, store.inspector->Dump()).empty());
  }
}

TEST_CASE("a PostgreSQL schema without credentials and without meta.hash_key gets a fresh key", "[postgres][meta]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgSchema store(*conninfo, kNoCredentialFixture);
  store.inspector->Scalar("DELETE FROM meta WHERE key = 'hash_key'");
  {
    const Storage backend = ValueOf(OpenStorage(store.Options()));
    RequireOk(LoadFixture(backend, kTokenFixture));
    CHECK(ValueOf(backend.authenticator->UserForAccessToken("token-pat", kT0)) == 10);
  }
  CHECK(store.inspector->Scalar("SELECT length(value) FROM meta WHERE key = 'hash_key'") ==
        std::to_string(secrets::kKeyBytes));
  const Storage reopened = ValueOf(OpenStorage(store.Options()));
  CHECK(ValueOf(reopened.authenticator->UserForAccessToken("token-pat", kT0)) == 10);
}

}  // namespace
}  // namespace observees::storage_test
