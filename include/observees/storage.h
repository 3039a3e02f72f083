// Storage: either backend behind one handle, chosen by a location string, for programs that take the
// database from their command line or configuration (observees-server's --db, the C ABI's open, the
// tests): "postgresql://..." or "postgres://..." (or "postgresql:" followed by key=value conninfo) opens
// the PostgreSQL backend; anything else is an SQLite path, ":memory:" included.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "observees/authenticator.h"
#include "observees/clock.h"
#include "observees/enrollment_store.h"
#include "observees/export.h"
#include "observees/link_store.h"
#include "observees/observation_service.h"
#include "observees/sqlite.h"
#include "observees/status.h"
#include "observees/user_directory.h"

namespace observees {

enum class StorageKind { kSqlite, kPostgres };

struct StorageOptions {
  std::string location = ":memory:";
  int connections = 4;
  PasswordHashing password_hashing = PasswordHashing::kInteractive;
  std::string secret_key;
  std::shared_ptr<Clock> clock;
  int busy_timeout_ms = 10000;                // SQLite only (SqliteOptions::busy_timeout_ms)
  std::string postgres_schema = "observees";  // PostgreSQL only (PostgresOptions::schema)
};

struct Storage {
  StorageKind kind = StorageKind::kSqlite;
  std::shared_ptr<UserDirectory> directory;
  std::shared_ptr<Authenticator> authenticator;
  std::shared_ptr<LinkStore> links;
  std::shared_ptr<EnrollmentStore> enrollments;
  // The fixture loader of fixture.h for this backend; keeps the backend's database alive.
  std::function<Status(std::string_view json_text)> load_fixture;

  ServiceDependencies Dependencies(std::shared_ptr<Clock> clock = nullptr) const;
};

// Whether `location` names a PostgreSQL database (see above).
OBSERVEES_EXPORT bool IsPostgresLocation(std::string_view location);

// Opens the backend `options.location` names. Errors as OpenSqlite's and OpenPostgres's; a PostgreSQL
// location in a build without the backend is kInvalidArgument. Never repeats the location of a
// PostgreSQL database (it may hold a password).
OBSERVEES_EXPORT Result<Storage> OpenStorage(const StorageOptions& options);

// The same interfaces over an open backend.
OBSERVEES_EXPORT Storage StorageOf(const SqliteBackend& backend);

}  // namespace observees
