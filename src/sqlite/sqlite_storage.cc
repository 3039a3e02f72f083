// The SQLite engine's opener: the shared stores over one SqliteDatabase.
#include "sqlite/schema.h"
#include "sqlite/sqlite_database.h"
#include "storage/engine.h"
#include "storage/engine_openers.h"

namespace observees::storage {

Result<Storage> OpenSqliteStorage(const StorageOptions& options) {
  Result<std::shared_ptr<SqliteDatabase>> db = SqliteDatabase::Open(options);
  if (!db.ok()) return db.status();
  return AssembleStorage(std::move(*db), StorageKind::kSqlite);
}

int SqliteSchemaVersion() { return static_cast<int>(sqlite_schema::Migrations().size()); }

}  // namespace observees::storage
