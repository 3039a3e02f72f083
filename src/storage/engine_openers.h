// The engines' openers, each defined beside its engine (src/sqlite/sqlite_storage.cc,
// src/postgres/pg_storage.cc, or src/postgres/pg_unavailable.cc in a build without libpq).
#pragma once

#include <string>

#include "observees/storage.h"

namespace observees::storage {

Result<Storage> OpenSqliteStorage(const StorageOptions& options);
int SqliteSchemaVersion();

// `conninfo`: the location as libpq takes it.
Result<Storage> OpenPostgresStorage(const std::string& conninfo, const StorageOptions& options);
int PostgresSchemaVersion();

}  // namespace observees::storage
