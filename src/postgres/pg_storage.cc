// The PostgreSQL engine's opener and entry points: the shared stores over one PostgresDatabase.
#include "postgres/pg_database.h"
#include "postgres/pg_schema.h"
#include "storage/engine.h"
#include "storage/engine_openers.h"

namespace observees {

namespace storage {

Result<Storage> OpenPostgresStorage(const std::string& conninfo, const StorageOptions& options) {
  Result<std::shared_ptr<PostgresDatabase>> db = PostgresDatabase::Open(conninfo, options);
  if (!db.ok()) return db.status();
  return AssembleStorage(std::move(*db), StorageKind::kPostgres);
}

int PostgresSchemaVersion() { return static_cast<int>(postgres_schema::Migrations().size()); }

}  // namespace storage

bool PostgresAvailable() { return true; }

Status DropPostgresSchema(const std::string& conninfo, const std::string& schema) {
  return DropSchema(conninfo, schema);
}

}  // namespace observees
