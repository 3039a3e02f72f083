// The UserDirectory and Authenticator contract suites (support/directory_contract.h) on every engine:
// the SQLite default in memory and on a pooled file, and PostgreSQL when a test server is set.
#include "support/directory_contract.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "observees/fixture.h"
#include "observees/storage.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

Storage Seeded(const StorageOptions& options, std::string_view fixture) {
  Storage storage = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(storage, std::string(fixture)));
  return storage;
}

StorageOptions InMemory() {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  return options;
}

TEST_CASE("the SQLite directory in memory keeps the UserDirectory contract", "[contract][sqlite]") {
  RunUserDirectoryContract([](std::string_view fixture) { return Seeded(InMemory(), fixture).directory; });
}

TEST_CASE("the SQLite authenticator in memory keeps the Authenticator contract", "[contract][sqlite]") {
  RunAuthenticatorContract([](std::string_view fixture) { return Seeded(InMemory(), fixture).authenticator; });
}

TEST_CASE("the SQLite directory and authenticator on a pooled file keep their contracts", "[contract][sqlite]") {
  TempDir dir;
  int opened = 0;
  const auto on_file = [&](std::string_view fixture) {
    StorageOptions options = InMemory();
    options.location = dir.File("directory-" + std::to_string(++opened) + ".db");
    options.connections = 4;
    return Seeded(options, fixture);
  };
  RunUserDirectoryContract([&](std::string_view fixture) { return on_file(fixture).directory; });
  RunAuthenticatorContract([&](std::string_view fixture) { return on_file(fixture).authenticator; });
}

TEST_CASE("the PostgreSQL directory and authenticator keep their contracts", "[postgres][contract]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  // Declared before the suites' stores, so each schema outlives the store opened on it.
  std::vector<std::unique_ptr<ScopedPostgresSchema>> schemas;
  const auto on_postgres = [&](std::string_view fixture) {
    schemas.push_back(std::make_unique<ScopedPostgresSchema>(*conninfo));
    return Seeded(schemas.back()->Options(2), fixture);
  };
  RunUserDirectoryContract([&](std::string_view fixture) { return on_postgres(fixture).directory; });
  RunAuthenticatorContract([&](std::string_view fixture) { return on_postgres(fixture).authenticator; });
}

}  // namespace
}  // namespace observees::storage_test
