// The fixture loader: seeds the SQLite default backend (or the PostgreSQL one) from JSON in the format of DESIGN.md
// ("The fixture"). The whole fixture is validated before anything is written and then written in one
// transaction: a bad fixture changes nothing. Loading the same fixture twice changes nothing.
#pragma once

#include <string>
#include <string_view>

#include "observees/export.h"
#include "observees/postgres.h"
#include "observees/sqlite.h"
#include "observees/status.h"
#include "observees/storage.h"

namespace observees {

// kInvalidArgument naming the bad key or value as a path (e.g. `users[2].logins[0].account_id`),
// never repeating a password, token or code; kInternal when storage fails.
OBSERVEES_EXPORT Status LoadFixture(const SqliteBackend& backend, std::string_view json_text);

// The same, from a file; kNotFound when the file cannot be read.
OBSERVEES_EXPORT Status LoadFixtureFile(const SqliteBackend& backend, const std::string& path);

// The same for the PostgreSQL backend: the same checks, the same messages, one transaction.
OBSERVEES_EXPORT Status LoadFixture(const PostgresBackend& backend, std::string_view json_text);
OBSERVEES_EXPORT Status LoadFixtureFile(const PostgresBackend& backend, const std::string& path);

// The same for whichever backend `storage` is (its load_fixture).
OBSERVEES_EXPORT Status LoadFixture(const Storage& storage, std::string_view json_text);
OBSERVEES_EXPORT Status LoadFixtureFile(const Storage& storage, const std::string& path);

}  // namespace observees
