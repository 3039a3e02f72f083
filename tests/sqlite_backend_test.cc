// The SQLite engine's file handling (storage.h): schema version, reopening, refusing files
// that are not ours, option checks, WAL and foreign keys. Files are inspected with SQLiteCpp directly.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/storage.h"
#include "sqlite/sqlite_database.h"
#include "storage/engine.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

using namespace std::chrono_literals;

int UserVersion(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("PRAGMA user_version").getInt();
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr char kSmallFixture[] = R"json({
  "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]}],
  "users": [
    {"id": 10, "name": "Pat Parent", "logins": [{"account_id": 1, "unique_id": "pat", "password": "pat-password"}],
     "tokens": ["token-pat"]},
    {"id": 11, "name": "Sam Student", "logins": [{"account_id": 1, "unique_id": "sam"}]}]
})json";

TEST_CASE("a new database file is created at the current schema version", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.File("new.db");
  REQUIRE_FALSE(std::filesystem::exists(path));
  {
    const Storage backend = ValueOf(OpenStorage(FileOptions(path)));
    CHECK(storage::DatabaseOf<SqliteDatabase>(backend) != nullptr);
    CHECK(backend.directory != nullptr);
    CHECK(backend.authenticator != nullptr);
    CHECK(backend.links != nullptr);
  }
  CHECK(std::filesystem::exists(path));
  CHECK(StorageSchemaVersion(StorageKind::kSqlite) >= 1);
  CHECK(UserVersion(path) == StorageSchemaVersion(StorageKind::kSqlite));
}

TEST_CASE("reopening a database file keeps its data", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.File("reopen.db");
  LinkId link = 0;
  {
    const Storage backend = ValueOf(OpenStorage(FileOptions(path)));
    RequireOk(LoadFixture(backend, kSmallFixture));
    auto txn = ValueOf(backend.links->BeginWrite());
    link = ValueOf(txn->CreateOrRestoreLink(11, 10, 1, kT0)).link.id;
    REQUIRE(ValueOf(txn->InsertCode(11, "Re0pen", kT0 + 24h, kT0)).has_value());
    RequireOk(txn->Commit());
  }
  const Storage reopened = ValueOf(OpenStorage(FileOptions(path)));
  const auto pat = ValueOf(reopened.directory->FindUser(10));
  REQUIRE(pat.has_value());
  CHECK(pat->name == "Pat Parent");
  const auto links = ValueOf(reopened.links->LinksBetween(11, 10));
  REQUIRE(links.size() == 1);
  CHECK(links[0].id == link);
  // The at-rest key survived too: codes, tokens and passwords still match their hashes.
  const auto code = ValueOf(reopened.links->FindActiveCode("Re0pen", kT0));
  REQUIRE(code.has_value());
  CHECK(code->user_id == 11);
  CHECK(ValueOf(reopened.authenticator->UserForAccessToken("token-pat", kT0)) == 10);
  CHECK(ValueOf(reopened.authenticator->CheckPassword(1, "pat", "pat-password")) == 10);
  CHECK(UserVersion(path) == StorageSchemaVersion(StorageKind::kSqlite));
}

TEST_CASE("a database file from a newer schema version is refused", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.File("newer.db");
  { ValueOf(OpenStorage(FileOptions(path))); }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 999");
  }
  const auto reopened = OpenStorage(FileOptions(path));
  INFO(reopened.status().ToString());
  CHECK(CodeName(reopened.status()) == CodeName(StatusCode::kInternal));
  CHECK(Contains(reopened.status().message(), path));
  CHECK(UserVersion(path) == 999);  // left as it was
}

TEST_CASE("a file that is not a database is refused, not crashed on", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.File("notes.db");
  std::string junk;
  while (junk.size() < 8192) junk += "these are someone's notes, not an SQLite database\n";
  std::ofstream(path, std::ios::binary) << junk;

  const auto opened = OpenStorage(FileOptions(path));
  INFO(opened.status().ToString());
  CHECK(CodeName(opened.status()) == CodeName(StatusCode::kInternal));
  CHECK(Contains(opened.status().message(), path));
  CHECK(ReadFileBytes(path) == junk);  // not overwritten
}

TEST_CASE("a path that cannot be a database file is refused with kInternal", "[sqlite]") {
  TempDir dir;
  SECTION("a directory") {
    CHECK(CodeName(OpenStorage(FileOptions(dir.path().string())).status()) == CodeName(StatusCode::kInternal));
  }
  SECTION("a file in a folder that does not exist") {
    CHECK(CodeName(OpenStorage(FileOptions(dir.File("missing/folder/x.db"))).status()) ==
          CodeName(StatusCode::kInternal));
  }
}

TEST_CASE("connection counts outside 1..64 are refused with kInvalidArgument", "[sqlite]") {
  TempDir dir;
  for (int connections : {0, -1, 65}) {
    INFO("connections = " << connections);
    StorageOptions options = FileOptions(dir.File("bad-" + std::to_string(connections + 10) + ".db"));
    options.connections = connections;
    CHECK(CodeName(OpenStorage(options).status()) == CodeName(StatusCode::kInvalidArgument));
  }
  for (int connections : {1, 64}) {
    INFO("connections = " << connections);
    StorageOptions options = FileOptions(dir.File("good-" + std::to_string(connections) + ".db"));
    options.connections = connections;
    CHECK(OpenStorage(options).ok());
  }
}

TEST_CASE("a negative mmap size is refused with kInvalidArgument; zero turns the map off", "[sqlite]") {
  TempDir dir;
  StorageOptions refused = FileOptions(dir.File("mmap-bad.db"));
  refused.mmap_bytes = -1;
  CHECK(CodeName(OpenStorage(refused).status()) == CodeName(StatusCode::kInvalidArgument));
  StorageOptions off = FileOptions(dir.File("mmap-off.db"));
  off.mmap_bytes = 0;
  const Storage backend = ValueOf(OpenStorage(off));
  CHECK(ValueOf(backend.links->LinksBetween(1, 2)).empty());
}

TEST_CASE("a file database runs in WAL mode", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.File("wal.db");
  const Storage backend = ValueOf(OpenStorage(FileOptions(path)));
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
}

TEST_CASE("every pooled connection enforces foreign keys", "[sqlite]") {
  TempDir dir;
  StorageOptions options = FileOptions(dir.File("fk.db"));
  options.connections = 4;
  const Storage backend = ValueOf(OpenStorage(options));
  SqliteDatabase* db = storage::DatabaseOf<SqliteDatabase>(backend);
  REQUIRE(db != nullptr);
  REQUIRE(db->pool_size() == options.connections);
  // Borrow every connection at once (the pool holds exactly `connections`), then check each.
  std::vector<SqliteDatabase::Lease> leases;
  leases.reserve(static_cast<std::size_t>(options.connections));
  for (int i = 0; i < options.connections; ++i) leases.push_back(db->Acquire());
  for (auto& lease : leases) CHECK(lease->db().execAndGet("PRAGMA foreign_keys").getInt() == 1);
}

TEST_CASE("the in-memory database enforces foreign keys", "[sqlite]") {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  const Storage backend = ValueOf(OpenStorage(options));
  auto lease = storage::DatabaseOf<SqliteDatabase>(backend)->Acquire();
  CHECK(lease->db().execAndGet("PRAGMA foreign_keys").getInt() == 1);
}

TEST_CASE("a user cannot be created in a root account that does not exist", "[sqlite]") {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  const Storage backend = ValueOf(OpenStorage(options));
  NewUser user;
  user.name = "Nora New";
  user.sortable_name = "New, Nora";
  user.short_name = "Nora New";
  user.root_account_id = 999;
  user.unique_id = "nora";
  user.password = "nora-password-1";
  const auto created = backend.directory->CreateUser(user, kT0);
  CHECK_FALSE(created.ok());
  CHECK_FALSE(Contains(created.status().ToString(), user.password));
  CHECK_FALSE(ValueOf(backend.authenticator->FindLogin(999, "nora")).has_value());
}

TEST_CASE("an empty path means a private in-memory database", "[sqlite]") {
  StorageOptions options;
  options.location = "";
  options.password_hashing = PasswordHashing::kFastest;
  const Storage first = ValueOf(OpenStorage(options));
  const Storage second = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(first, kSmallFixture));
  CHECK(ValueOf(first.directory->FindUser(10)).has_value());
  CHECK_FALSE(ValueOf(second.directory->FindUser(10)).has_value());
}

}  // namespace
}  // namespace observees::storage_test
