// The PostgreSQL backend's schema: the tables of the SQLite default (src/sqlite/schema.cc) in
// PostgreSQL's types, as forward migrations. Version N is the first N entries; the current version is
// recorded in meta ('schema_version'). Internal to src/postgres/.
#pragma once

#include <span>

namespace observees::postgres_schema {

std::span<const char* const> Migrations();

}  // namespace observees::postgres_schema
