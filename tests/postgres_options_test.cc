// The PostgreSQL backend's refusals that need no server: bad options, an unreachable server (whose
// error never repeats the connection string's password), and which locations OpenStorage sends to
// PostgreSQL.
#include <catch2/catch.hpp>
#include <string>

#include "observees/fixture.h"
#include "observees/storage.h"

namespace observees {
namespace {

constexpr char kSecret[] = "hunter2-secret";
// A socket directory that does not exist: libpq fails at once, without a network.
const std::string kUnreachable = std::string("postgresql://observer:") + kSecret + "@/observees?host=/nonexistent-dir";

TEST_CASE("OpenStorage refuses bad PostgreSQL options before it connects", "[postgres-options]") {
  StorageOptions options;
  options.location = kUnreachable;
  if (!PostgresAvailable()) {
    CHECK(OpenStorage(options).status().code() == StatusCode::kInvalidArgument);
    return;
  }
  SECTION("no connection string") {
    options.location = "postgresql:";
    CHECK(OpenStorage(options).status().field() == "location");
  }
  SECTION("schema names that are not plain identifiers") {
    for (const char* schema : {"", "1abc", "a-b", "a;DROP", "x\"y", "a b"}) {
      options.schema = schema;
      INFO(schema);
      CHECK(OpenStorage(options).status().field() == "schema");
    }
    options.schema = std::string(64, 'a');
    CHECK(OpenStorage(options).status().field() == "schema");
  }
  SECTION("pool sizes out of range") {
    for (const int connections : {0, -1, 65}) {
      options.connections = connections;
      CHECK(OpenStorage(options).status().field() == "connections");
    }
  }
}

TEST_CASE("an unreachable PostgreSQL server is kInternal and its message keeps the password out",
          "[postgres-options]") {
  if (!PostgresAvailable()) return;
  StorageOptions options;
  options.location = kUnreachable;
  const Status opened = OpenStorage(options).status();
  CHECK(opened.code() == StatusCode::kInternal);
  CHECK(opened.message().find("cannot open the PostgreSQL database") != std::string::npos);
  CHECK(opened.message().find(kSecret) == std::string::npos);
}

TEST_CASE("OpenStorage sends postgresql:// and postgres:// URLs and postgresql: conninfo to PostgreSQL",
          "[postgres-options]") {
  CHECK(IsPostgresLocation("postgresql://db/lms"));
  CHECK(IsPostgresLocation("postgres://db/lms"));
  CHECK(IsPostgresLocation("postgresql:host=/run/postgresql dbname=lms"));
  CHECK_FALSE(IsPostgresLocation(":memory:"));
  CHECK_FALSE(IsPostgresLocation("observees.db"));
  CHECK_FALSE(IsPostgresLocation("/var/lib/postgresql.db"));
  CHECK_FALSE(IsPostgresLocation("postgres.db"));

  StorageOptions storage;
  storage.location = ":memory:";
  const Result<Storage> sqlite = OpenStorage(storage);
  REQUIRE(sqlite.ok());
  CHECK(sqlite->kind == StorageKind::kSqlite);
  CHECK(sqlite->engine != nullptr);
  CHECK(LoadFixture(*sqlite, R"({"accounts": [{"id": 1, "name": "A"}]})").ok());
}

}  // namespace
}  // namespace observees
