// The SQLite default backend's schema: one migration per version, applied in order on open and
// recorded in PRAGMA user_version. Never edit a released migration; add the next one.
#pragma once

#include <span>

namespace observees::sqlite_schema {

// kMigrations[i] takes the schema from version i to version i + 1.
std::span<const char* const> Migrations();

}  // namespace observees::sqlite_schema
