// The SQLite default backend: one database file (or a private in-memory database) holding the
// directory tables of the fixture format and the link tables, behind UserDirectory, Authenticator and
// LinkStore (and EnrollmentStore).
//
// Connection model: a small pool of connections in WAL mode; a call borrows one for its duration, so
// reads run in parallel. Writes run in BEGIN IMMEDIATE transactions, queued behind one in-process
// mutex and, across processes, SQLite's busy timeout. ":memory:" uses a single connection. Every
// object here is safe to use from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

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

struct SqliteOptions {
  // A file path, or ":memory:" (or empty) for a private in-memory database. Default ":memory:".
  std::string path = ":memory:";
  // Pooled connections for a file database, 1..64. Default 4.
  int connections = 4;
  // How long a writer waits for another process's lock, in milliseconds. Default 10000.
  int busy_timeout_ms = 10000;
  // Bytes of a file database each connection reads through a memory map (SQLite's mmap_size) rather
  // than read(2) into its page cache; 0 turns the map off. Default 256 MiB: a large database's
  // random index walks cost ~25% less. An I/O error on the mapped file arrives as SIGBUS, not as an
  // error status.
  std::int64_t mmap_bytes = std::int64_t{256} << 20;
  PasswordHashing password_hashing = PasswordHashing::kInteractive;
  // Key of the keyed hashes that stand for pairing codes and access tokens at rest, and (through a
  // purpose-separated derivation) of the encrypted copy of each pairing code kept so the student and
  // administrators can list it. Empty (default): a random key made when the database is created and
  // kept in it, so the encrypted copies protect nothing against a reader of the file; set it to keep
  // the key out of the database file. Codes sealed under one key do not open under another: they
  // list masked.
  std::string secret_key;
  // Where "now" comes from for defaults such as a fixture user's created_at. Default: SystemClock().
  std::shared_ptr<Clock> clock;
};

class SqliteDatabase;  // the shared connection pool; opaque

struct SqliteBackend {
  std::shared_ptr<SqliteDatabase> database;
  std::shared_ptr<UserDirectory> directory;
  std::shared_ptr<Authenticator> authenticator;
  std::shared_ptr<LinkStore> links;
  std::shared_ptr<EnrollmentStore> enrollments;  // linked observer enrollments (rules 10-13)

  // The interfaces plus `clock` (default: SystemClock()) and SecureRandom(), for
  // ObservationService::Create.
  ServiceDependencies Dependencies(std::shared_ptr<Clock> clock = nullptr) const;
};

// Opens (creating if needed) and migrates the database to the current schema version.
// kInvalidArgument for bad options; kInternal when the file cannot be opened or is not a database of
// ours (the message names the path, never a secret).
OBSERVEES_EXPORT Result<SqliteBackend> OpenSqlite(const SqliteOptions& options);

// The schema version this library writes (PRAGMA user_version).
OBSERVEES_EXPORT int SqliteSchemaVersion();

// Turns off SQLite's allocation statistics for the whole process (SQLITE_CONFIG_MEMSTATUS). Debian's
// SQLite keeps them on, and then every SQLite allocation takes one process-wide mutex: reads on two
// threads then reach ~1.5x the throughput of one instead of ~2x (bench/). A process-wide setting
// the library never changes by itself: call it first thing in main, before any thread uses SQLite
// (sqlite3_config is not thread-safe). False when SQLite was already in use, changing nothing;
// sqlite3_memory_used() answers 0 afterwards.
OBSERVEES_EXPORT bool DisableSqliteMemoryStatistics();

}  // namespace observees
