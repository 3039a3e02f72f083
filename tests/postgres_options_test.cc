// The PostgreSQL backend's refusals that need no server: bad options, an unreachable server (whose
// error never repeats the connection string's password), and which locations OpenStorage sends to
// PostgreSQL.
#include <catch2/catch.hpp>

#include <string>

#include "observees/postgres.h"
#include "observees/storage.h"

namespace observees {
namespace {

constexpr char kSecret[] = "hunter2-secret";
// A socket directory that does not exist: libpq fails at once, without a network.
const std::string kUnreachable = std::string("postgresql://observer:") + kSecret + "@/observees?host=/nonexistent-dir";

TEST_CASE("OpenPostgres refuses bad options before it connects", "[postgres-options]") {
  if (!PostgresAvailable()) {
    CHECK(OpenPostgres({}).status().code() == StatusCode::kInvalidArgument);
    return;
  }
  PostgresOptions options;
  options.conninfo = kUnreachable;
  SECTION("no connection string") {
    options.conninfo.clear();
    CHECK(OpenPostgres(options).status().field() == "conninfo");
  }
  SECTION("schema names that are not plain identifiers") {
    for (const char* schema : {"", "1abc", "a-b", "a;DROP", "x\"y", "a b"}) {
      options.schema = schema;
      INFO(schema);
      CHECK(OpenPostgres(options).status().field() == "schema");
    }
    options.schema = std::string(64, 'a');
    CHECK(OpenPostgres(options).status().field() == "schema");
  }
  SECTION("pool sizes out of range") {
    for (const int connections : {0, -1, 65}) {
      options.connections = connections;
      CHECK(OpenPostgres(options).status().field() == "connections");
    }
  }
}

TEST_CASE("an unreachable PostgreSQL server is kInternal and its message keeps the password out",
          "[postgres-options]") {
  if (!PostgresAvailable()) return;
  PostgresOptions options;
  options.conninfo = kUnreachable;
  const Status opened = OpenPostgres(options).status();
  CHECK(opened.code() == StatusCode::kInternal);
  CHECK(opened.message().find("cannot open the PostgreSQL database") != std::string::npos);
  CHECK(opened.message().find(kSecret) == std::string::npos);

  StorageOptions storage;
  storage.location = kUnreachable;
  const Status through_storage = OpenStorage(storage).status();
  CHECK(through_storage.code() == StatusCode::kInternal);
  CHECK(through_storage.message().find(kSecret) == std::string::npos);
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
  CHECK(sqlite->load_fixture != nullptr);
}

}  // namespace
}  // namespace observees
