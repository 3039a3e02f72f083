// Storage: the library's own implementation of UserDirectory, Authenticator, LinkStore and
// EnrollmentStore, on one of two engines chosen by a location string, with one options type and one
// opener for both:
//   - SQLite, the default: a file path, or ":memory:" (also the empty string) for a private in-memory
//     database. A small pool of connections in WAL mode; reads run in parallel, writes are BEGIN
//     IMMEDIATE transactions queued behind one in-process mutex and, across processes, SQLite's busy
//     timeout. ":memory:" uses one connection.
//   - PostgreSQL: "postgresql://..." or "postgres://..." (a libpq URI), or "postgresql:" followed by
//     key=value conninfo ("postgresql:host=/run/postgresql dbname=lms"). A pool of libpq connections;
//     writes are READ COMMITTED transactions whose rules hold across processes (row locks, ON CONFLICT,
//     transaction-scoped advisory locks), reads of one call share a REPEATABLE READ snapshot.
// Both engines keep the same tables, run the same statements (src/storage/) and answer alike.
// Every object here is safe to use from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "observees/authenticator.h"
#include "observees/clock.h"
#include "observees/enrollment_store.h"
#include "observees/export.h"
#include "observees/link_store.h"
#include "observees/observation_service.h"
#include "observees/status.h"
#include "observees/user_directory.h"

namespace observees {

// Cost of the Argon2id password hash.
enum class PasswordHashing {
  kInteractive,  // libsodium's interactive limits (64 MiB): the default
  kModerate,     // 256 MiB
  kFastest,      // the minimum libsodium allows; for tests and benchmarks only
};

enum class StorageKind { kSqlite, kPostgres };

struct StorageOptions {
  // Which engine and database (see above). Default ":memory:". A PostgreSQL location is never repeated
  // in an error or a log line (it may hold a password).
  std::string location = ":memory:";
  // Pooled connections, 1..64. Default 4. (SQLite's ":memory:" always has one.)
  int connections = 4;
  PasswordHashing password_hashing = PasswordHashing::kInteractive;
  // Key of the keyed hashes that stand for pairing codes and access tokens at rest, and (through a
  // purpose-separated derivation) of the encrypted copy of each pairing code kept so the student and
  // administrators can list it. Empty (default): a random key made when the database is created and
  // kept in it, so the encrypted copies protect nothing against a reader of the database; set it to
  // keep the key out of the database. Codes sealed under one key do not open under another: they list
  // masked. Every process sharing one database must use the same value.
  std::string secret_key;
  // Where "now" comes from for defaults such as a fixture user's created_at. Default: SystemClock().
  std::shared_ptr<Clock> clock;

  // SQLite only: a prefix for the library's table and index names (e.g. "obs_": obs_users, obs_meta,
  // ...), so that they can live in a database file another program owns, beside its own tables (the
  // schema version is then kept in the prefixed meta table, not in the file's PRAGMA user_version).
  // 1 to 32 ASCII letters, digits and '_', starting with a letter; every process opening the file must
  // give the same. Empty (default): plain names. PostgreSQL keeps its tables apart with `schema`
  // instead, and refuses a prefix (kInvalidArgument).
  std::string table_prefix;
  // SQLite only: how long a writer waits for another process's lock, in milliseconds. Default 10000.
  int busy_timeout_ms = 10000;
  // SQLite only: bytes of a file database each connection reads through a memory map (SQLite's
  // mmap_size) rather than read(2) into its page cache; 0 turns the map off. Default 256 MiB: a large
  // database's random index walks cost ~25% less. An I/O error on the mapped file arrives as SIGBUS,
  // not as an error status.
  std::int64_t mmap_bytes = std::int64_t{256} << 20;

  // PostgreSQL only: the schema holding the tables, created if missing; several independent stores
  // can share one database under different schemas. Letters, digits and '_', not starting with a
  // digit, at most 63 bytes. Default "observees".
  std::string schema = "observees";
};

// What an open store has done, for monitoring and benchmarks. Counters only grow.
struct StorageStats {
  std::int64_t round_trips = 0;  // PostgreSQL: waits for the server (0 on SQLite, which is in-process)
  std::int64_t statements = 0;   // statements run
};

namespace internal {
class StorageEngine;  // the open database behind a Storage; opaque
}  // namespace internal

struct Storage {
  StorageKind kind = StorageKind::kSqlite;
  std::shared_ptr<UserDirectory> directory;
  std::shared_ptr<Authenticator> authenticator;
  std::shared_ptr<LinkStore> links;
  std::shared_ptr<EnrollmentStore> enrollments;     // linked observer enrollments (rules 10-13)
  std::shared_ptr<internal::StorageEngine> engine;  // keeps the database open; used by LoadFixture

  // The four interfaces plus `clock` (default: SystemClock()) and SecureRandom(), for
  // ObservationService::Create.
  OBSERVEES_EXPORT ServiceDependencies Dependencies(std::shared_ptr<Clock> clock = nullptr) const;
  // Counters since the store was opened; all zero for a Storage without an engine.
  OBSERVEES_EXPORT StorageStats Stats() const;
};

// Whether `location` names a PostgreSQL database (see above).
OBSERVEES_EXPORT bool IsPostgresLocation(std::string_view location);

// Opens (creating if needed) and migrates the database `options.location` names to the current
// schema version (PostgreSQL: one process at a time, under an advisory lock, so servers may start
// together). kInvalidArgument for bad options, or a PostgreSQL location in a build without the
// PostgreSQL backend; kInternal when the database cannot be opened, is not one of ours, has a schema
// version this library does not know (negative, or newer than this library), a stored hash key that
// is not 32 bytes, or no stored key while it holds access tokens or pairing codes (with `secret_key`
// empty; a database without any gets a fresh key). Nothing is written then. The message names an
// SQLite path, never a PostgreSQL location.
OBSERVEES_EXPORT Result<Storage> OpenStorage(const StorageOptions& options);

// The schema version this library writes on `kind` (SQLite's PRAGMA user_version, PostgreSQL's meta
// table).
OBSERVEES_EXPORT int StorageSchemaVersion(StorageKind kind);

// Whether this build has the PostgreSQL backend (libpq found at configure time: OBSERVEES_WITH_POSTGRES).
OBSERVEES_EXPORT bool PostgresAvailable();

// Drops PostgreSQL schema `schema` and everything in it. For tests and tools; kInvalidArgument for a
// bad name or a build without PostgreSQL, kInternal on failure.
OBSERVEES_EXPORT Status DropPostgresSchema(const std::string& conninfo, const std::string& schema);

// Turns off SQLite's allocation statistics for the whole process (SQLITE_CONFIG_MEMSTATUS). Debian's
// SQLite keeps them on, and then every SQLite allocation takes one process-wide mutex: reads on two
// threads then reach ~1.5x the throughput of one instead of ~2x (bench/). A process-wide setting
// the library never changes by itself: call it first thing in main, before any thread uses SQLite
// (sqlite3_config is not thread-safe). False when SQLite was already in use, changing nothing;
// sqlite3_memory_used() answers 0 afterwards.
OBSERVEES_EXPORT bool DisableSqliteMemoryStatistics();

}  // namespace observees
