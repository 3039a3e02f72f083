// OpenStorage and Storage's own functions: the engine a location names, and what works on any.
#include <utility>

#include "observees/fixture.h"
#include "observees/random.h"
#include "observees/storage.h"
#include "storage/engine.h"
#include "storage/engine_openers.h"
#include "storage/fixture_plan.h"

namespace observees {
namespace {

constexpr std::string_view kPostgresUris[] = {"postgresql://", "postgres://"};  // libpq takes them whole
constexpr std::string_view kConninfoPrefix = "postgresql:";                     // followed by key=value conninfo

bool IsPostgresUri(std::string_view location) {
  for (const std::string_view prefix : kPostgresUris) {
    if (location.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

bool IsPostgresLocation(std::string_view location) {
  return IsPostgresUri(location) || location.starts_with(kConninfoPrefix);
}

Result<Storage> OpenStorage(const StorageOptions& options) {
  if (!IsPostgresLocation(options.location)) return storage::OpenSqliteStorage(options);
  if (!options.table_prefix.empty()) {
    return InvalidArgument("table_prefix is SQLite's; on PostgreSQL keep the tables apart with schema", "table_prefix");
  }
  const std::string conninfo =
      IsPostgresUri(options.location) ? options.location : options.location.substr(kConninfoPrefix.size());
  return storage::OpenPostgresStorage(conninfo, options);
}

int StorageSchemaVersion(StorageKind kind) {
  return kind == StorageKind::kSqlite ? storage::SqliteSchemaVersion() : storage::PostgresSchemaVersion();
}

Status LoadFixture(const Storage& storage, std::string_view json_text) {
  if (!storage.engine) return InvalidArgument("fixture: the storage is not open");
  return storage.engine->LoadFixture(json_text);
}

Status ResetStorage(const Storage& storage, std::optional<std::string_view> fixture_json) {
  if (!storage.engine) return InvalidArgument("reset: the storage is not open");
  return storage.engine->Reset(fixture_json);
}

Status LoadFixtureFile(const Storage& storage, const std::string& path) {
  return GuardStorage("LoadFixtureFile", [&]() -> Status {
    Result<std::string> text = ReadFixtureFile(path);
    if (!text.ok()) return text.status();
    return LoadFixture(storage, *text);
  });
}

ServiceDependencies Storage::Dependencies(std::shared_ptr<Clock> clock) const {
  ServiceDependencies deps;
  deps.directory = directory;
  deps.authenticator = authenticator;
  deps.links = links;
  deps.enrollments = enrollments;
  deps.clock = clock ? std::move(clock) : SystemClock();
  deps.random = SecureRandom();
  return deps;
}

StorageStats Storage::Stats() const { return engine ? engine->Stats() : StorageStats{}; }

}  // namespace observees
