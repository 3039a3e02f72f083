// OpenStorage: the backend a location string names (storage.h).
#include "observees/storage.h"

#include <utility>

#include "backend_dependencies.h"
#include "observees/fixture.h"
#include "observees/postgres.h"
#include "observees/random.h"
#include "fixture_plan.h"

namespace observees {
namespace {

constexpr std::string_view kPostgresUris[] = {"postgresql://", "postgres://"};  // libpq takes them whole
constexpr std::string_view kConninfoPrefix = "postgresql:";  // followed by key=value conninfo

bool IsPostgresUri(std::string_view location) {
  for (const std::string_view prefix : kPostgresUris) {
    if (location.starts_with(prefix)) return true;
  }
  return false;
}

template <typename Backend>
Storage StorageFrom(const Backend& backend, StorageKind kind) {
  Storage storage;
  storage.kind = kind;
  storage.directory = backend.directory;
  storage.authenticator = backend.authenticator;
  storage.links = backend.links;
  storage.enrollments = backend.enrollments;
  storage.load_fixture = [backend](std::string_view json_text) { return LoadFixture(backend, json_text); };
  return storage;
}

}  // namespace

bool IsPostgresLocation(std::string_view location) {
  return IsPostgresUri(location) || location.starts_with(kConninfoPrefix);
}

Storage StorageOf(const SqliteBackend& backend) { return StorageFrom(backend, StorageKind::kSqlite); }

Result<Storage> OpenStorage(const StorageOptions& options) {
  if (!IsPostgresLocation(options.location)) {
    SqliteOptions sqlite;
    sqlite.path = options.location;
    sqlite.connections = options.connections;
    sqlite.busy_timeout_ms = options.busy_timeout_ms;
    sqlite.password_hashing = options.password_hashing;
    sqlite.secret_key = options.secret_key;
    sqlite.clock = options.clock;
    Result<SqliteBackend> backend = OpenSqlite(sqlite);
    if (!backend.ok()) return backend.status();
    return StorageOf(*backend);
  }
  PostgresOptions postgres;
  postgres.conninfo =
      IsPostgresUri(options.location) ? options.location : options.location.substr(kConninfoPrefix.size());
  postgres.schema = options.postgres_schema;
  postgres.connections = options.connections;
  postgres.password_hashing = options.password_hashing;
  postgres.secret_key = options.secret_key;
  postgres.clock = options.clock;
  Result<PostgresBackend> backend = OpenPostgres(postgres);
  if (!backend.ok()) return backend.status();
  return StorageFrom(*backend, StorageKind::kPostgres);
}

Status LoadFixture(const Storage& storage, std::string_view json_text) {
  if (!storage.load_fixture) return InvalidArgument("fixture: the storage has no fixture loader");
  return storage.load_fixture(json_text);
}

Status LoadFixtureFile(const Storage& storage, const std::string& path) {
  return LoadFixtureFromFile(storage, path);
}

ServiceDependencies Storage::Dependencies(std::shared_ptr<Clock> clock) const {
  return DependenciesOf(*this, std::move(clock));
}

}  // namespace observees
