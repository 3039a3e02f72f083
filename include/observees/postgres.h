// The PostgreSQL backend: the same tables and rules as the SQLite default (sqlite.h), on the database
// an LMS already runs, so that many application servers can share one set of links. It implements
// UserDirectory, Authenticator, LinkStore and EnrollmentStore over libpq.
//
// Connection model: a pool of `connections` libpq connections; a call borrows one for its duration.
// Writes are READ COMMITTED transactions whose atomic rules hold across processes: a code is consumed
// by a conditional UPDATE (row lock), a link is created with INSERT ... ON CONFLICT or restored under
// its row lock, and the attempt limiter and code uniqueness take transaction-scoped advisory locks.
// Every object here is safe to use from many threads at once.
//
// Built only when libpq was found at configure time (OBSERVEES_WITH_POSTGRES); otherwise OpenPostgres
// answers kInvalidArgument saying so, and PostgresAvailable() is false.
#pragma once

#include <memory>
#include <string>

#include "observees/authenticator.h"
#include "observees/clock.h"
#include "observees/enrollment_store.h"
#include "observees/export.h"
#include "observees/link_store.h"
#include "observees/observation_service.h"
#include "observees/sqlite.h"  // PasswordHashing
#include "observees/status.h"
#include "observees/user_directory.h"

namespace observees {

struct PostgresOptions {
  // A libpq connection string: a URI ("postgresql://user@host:5432/db") or key=value pairs
  // ("host=/run/postgresql dbname=lms"). Required. Never repeated in an error (it may hold a password).
  std::string conninfo;
  // The schema holding the tables, created if missing; several independent stores can share one
  // database under different schemas. Letters, digits and '_', at most 63 bytes. Default "observees".
  std::string schema = "observees";
  // Pooled connections, 1..64. Default 4.
  int connections = 4;
  PasswordHashing password_hashing = PasswordHashing::kInteractive;
  // As SqliteOptions::secret_key: empty keeps a random key in the database (table meta); set it to keep
  // the key of the at-rest hashes and sealed codes out of the database. Every server sharing one
  // database must use the same value.
  std::string secret_key;
  // Where "now" comes from for defaults such as a fixture user's created_at. Default: SystemClock().
  std::shared_ptr<Clock> clock;
};

class PostgresDatabase;  // the shared connection pool; opaque

struct PostgresBackend {
  std::shared_ptr<PostgresDatabase> database;
  std::shared_ptr<UserDirectory> directory;
  std::shared_ptr<Authenticator> authenticator;
  std::shared_ptr<LinkStore> links;
  std::shared_ptr<EnrollmentStore> enrollments;  // linked observer enrollments (rules 10-13)

  // The interfaces plus `clock` (default: SystemClock()) and SecureRandom(), for
  // ObservationService::Create.
  ServiceDependencies Dependencies(std::shared_ptr<Clock> clock = nullptr) const;
};

// Whether this build has the PostgreSQL backend.
OBSERVEES_EXPORT bool PostgresAvailable();

// Connects, creates the schema if needed and migrates it forward (one process at a time, under an
// advisory lock). kInvalidArgument for bad options; kInternal when the server cannot be reached or
// the schema is newer than this library (the message never repeats the connection string).
OBSERVEES_EXPORT Result<PostgresBackend> OpenPostgres(const PostgresOptions& options);

// The schema version this library writes (the meta table's schema_version).
OBSERVEES_EXPORT int PostgresSchemaVersion();

// Drops `schema` and everything in it. For tests and tools; kInternal on failure.
OBSERVEES_EXPORT Status DropPostgresSchema(const std::string& conninfo, const std::string& schema);

}  // namespace observees
