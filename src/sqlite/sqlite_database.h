// The SQLite engine of the shared stores (src/storage/): a connection with its prepared statements
// (the driver), the dialect's fragments and hooks, and the database: connection pool, write
// serialisation, per-thread read snapshots, schema and at-rest key. Internal to src/sqlite/ and the
// stores. Thread-safe; a Lease, ReadPin or WriteTransaction belongs to one thread.
#pragma once

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <atomic>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "observees/link_store.h"
#include "observees/status.h"
#include "observees/storage.h"
#include "sqlite/table_prefix.h"
#include "storage/rows.h"
#include "storage/values.h"

namespace observees {

// The rows of one statement run, stepped by Next(). Resets the statement when destroyed, so no read
// snapshot outlives the call. Move-only; valid while its connection is.
class SqliteRows : public storage::RowReader<SqliteRows> {
 public:
  SqliteRows(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteRows(SqliteRows&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  SqliteRows& operator=(SqliteRows&&) = delete;
  ~SqliteRows() {
    if (stmt_ != nullptr) sqlite3_reset(stmt_);
  }

  // The next row; false past the last. Throws storage::StorageError.
  bool Next();

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::optional<std::int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Text(column);
  }
  std::string Bytes(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Binding one parameter (values.h lists what every driver binds). Throws storage::StorageError.
namespace sqlite_bind {
void Bind(sqlite3_stmt* stmt, int index, std::int64_t value);
void Bind(sqlite3_stmt* stmt, int index, std::string_view value);
void Bind(sqlite3_stmt* stmt, int index, storage::Blob value);
void Bind(sqlite3_stmt* stmt, int index, storage::IdArray value);
void Bind(sqlite3_stmt* stmt, int index, std::nullopt_t);
inline void Bind(sqlite3_stmt* stmt, int index, const std::string& value) {
  Bind(stmt, index, std::string_view(value));
}
inline void Bind(sqlite3_stmt* stmt, int index, const char* value) { Bind(stmt, index, std::string_view(value)); }
inline void Bind(sqlite3_stmt* stmt, int index, Timestamp value) { Bind(stmt, index, ToSeconds(value)); }
template <std::integral T>
void Bind(sqlite3_stmt* stmt, int index, T value) {
  Bind(stmt, index, static_cast<std::int64_t>(value));
}
template <typename T>
void Bind(sqlite3_stmt* stmt, int index, const std::optional<T>& value) {
  if (value) {
    Bind(stmt, index, *value);
  } else {
    Bind(stmt, index, std::nullopt);
  }
}
}  // namespace sqlite_bind

// One connection and its prepared statements, keyed by the SQL text's address (statements are
// constants beside the code that runs them: sql.h).
class SqliteConnection {
 public:
  // `prefix`: the statements' table names get it (table_prefix.h); null: they run as written.
  SqliteConnection(std::unique_ptr<SQLite::Database> db, std::shared_ptr<const sqlite_schema::TablePrefix> prefix)
      : db_(std::move(db)), prefix_(std::move(prefix)) {}
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs `sql` with `args` bound to ?1, ?2, ...; the rows are read through the answer. Throws
  // storage::StorageError.
  template <typename... Args>
  SqliteRows Query(const char* sql, const Args&... args) {
    sqlite3_stmt* stmt = Prepare(sql);
    int index = 0;
    (sqlite_bind::Bind(stmt, ++index, args), ...);
    statements_.fetch_add(1, std::memory_order_relaxed);
    return SqliteRows(handle(), stmt);
  }
  // Runs `sql` to its end; the rows it changed.
  template <typename... Args>
  std::int64_t Exec(const char* sql, const Args&... args) {
    SqliteRows rows = Query(sql, args...);
    while (rows.Next()) {
    }
    return sqlite3_changes64(handle());
  }
  // A statement whose answer the caller does not wait for (PostgreSQL sends it with the next one);
  // SQLite runs it now.
  template <typename... Args>
  void Queue(const char* sql, const Args&... args) {
    Exec(sql, args...);
  }
  // A read the caller will ask for soon (PostgreSQL sends it now, to save a round trip); SQLite, which
  // pays nothing per statement, runs it when asked.
  template <typename... Args>
  void Prefetch(const char* /*sql*/, const Args&... /*args*/) {}
  // Runs one or more statements without parameters (PRAGMAs, migrations). Throws.
  void ExecScript(const char* sql);

  // Resets every statement still stepping, so a connection going back to the pool holds no read
  // snapshot (a query abandoned by an exception would otherwise pin one).
  void ResetBusyStatements();
  SQLite::Database& db() { return *db_; }
  sqlite3* handle() const { return db_->getHandle(); }
  std::int64_t statements() const { return statements_.load(std::memory_order_relaxed); }

 private:
  // The cached statement for `sql`, reset and with its bindings cleared.
  sqlite3_stmt* Prepare(const char* sql);

  std::unique_ptr<SQLite::Database> db_;
  std::shared_ptr<const sqlite_schema::TablePrefix> prefix_;
  std::unordered_map<const char*, sqlite3_stmt*> prepared_;
  std::atomic<std::int64_t> statements_{0};  // touched by the thread holding the connection
};

// What SQLite does its own way (sql.h): its writers are serial (one in-process writer lock, then
// BEGIN IMMEDIATE), so there is nothing to lock per row or per key.
struct SqliteDialect {
  static constexpr char kForUpdate[] = "";
  // `<column><kInIdArray1>`: the column is one of the ids bound to ?1 (an IdArray).
  static constexpr char kInIdArray1[] = " IN (SELECT value FROM json_each(?1))";

  // A lock on (space, key) until the transaction ends, for rules that must hold across writers.
  static void LockKey(SqliteConnection&, std::string_view /*space*/, std::string_view /*key*/) {}
  // Before a bulk write whose rows name each other in any order (the fixture): foreign keys are
  // checked at COMMIT.
  static void BeginBulkWrite(SqliteConnection& conn) { conn.ExecScript("PRAGMA defer_foreign_keys = ON"); }
  // Before a reset empties every table (relational_reset.h): writers already take turns.
  static void BeginReset(SqliteConnection& conn) { BeginBulkWrite(conn); }
  // After rows were written with explicit ids: the next generated id must pass them (a rowid does).
  enum class IdTable { kUsers, kEnrollments, kLinks };
  static void AfterExplicitIds(SqliteConnection&, IdTable) {}
};

class SqliteDatabase : public std::enable_shared_from_this<SqliteDatabase> {
 public:
  using Connection = SqliteConnection;
  using Dialect = SqliteDialect;

  // kInvalidArgument for bad options; kInternal when the file cannot be opened, is not a database of
  // ours or fails the checks of storage/database_meta.h (the message names the path, never a secret).
  static Result<std::shared_ptr<SqliteDatabase>> Open(const StorageOptions& options);
  ~SqliteDatabase();

  // A borrowed connection, returned to the pool on destruction; or, on a thread with a ReadPin, that
  // pin's connection, which stays with the pin.
  class Lease {
   public:
    Lease(SqliteDatabase* owner, std::unique_ptr<SqliteConnection> conn)
        : owner_(owner), conn_(std::move(conn)), in_use_(conn_.get()) {}
    explicit Lease(SqliteConnection* pinned) : owner_(nullptr), in_use_(pinned) {}
    Lease(Lease&& other) noexcept : owner_(other.owner_), conn_(std::move(other.conn_)), in_use_(other.in_use_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    SqliteConnection& operator*() { return *in_use_; }
    SqliteConnection* operator->() { return in_use_; }

   private:
    SqliteDatabase* owner_;
    std::unique_ptr<SqliteConnection> conn_;  // null for a pinned connection
    SqliteConnection* in_use_;
  };

  // One pooled connection pinned to the calling thread in a read transaction: until the pin is
  // destroyed, Acquire() on this thread answers that connection, so the reads between share one
  // snapshot and take the file's locks once instead of once a statement. It keeps the database alive.
  // BeginWrite() on a pinned thread throws std::logic_error: a write would need a second connection
  // (none on ":memory:") and could not be seen through the pinned snapshot. Destroying a pin on
  // another thread than the one that made it aborts the process (its thread's list would dangle).
  class ReadPin final : public ReadSnapshot {
   public:
    // Throws storage::StorageError when the read transaction cannot begin; nothing is pinned then.
    explicit ReadPin(std::shared_ptr<SqliteDatabase> db);
    ~ReadPin() override;

   private:
    std::shared_ptr<SqliteDatabase> db_;  // before lease_: the connection goes back to a live pool
    Lease lease_;
    std::thread::id thread_;
    ReadPin* outer_ = nullptr;  // the next pin of the same thread (on another database)
    friend class SqliteDatabase;
  };

  // A BEGIN IMMEDIATE transaction holding the in-process writer lock. Rolls back on destruction
  // unless committed; Commit() gives the connection and the lock back at once, so the caller may read
  // again while the object lives (":memory:" has one connection). conn() only before Commit().
  class WriteTransaction {
   public:
    WriteTransaction(std::unique_lock<std::mutex> lock, Lease lease);
    WriteTransaction(WriteTransaction&&) = default;
    ~WriteTransaction();
    SqliteConnection& conn();  // throws std::logic_error after Commit()
    void Commit();             // throws storage::StorageError; on a throw the destructor rolls back

   private:
    std::unique_lock<std::mutex> lock_;
    std::optional<Lease> lease_;
  };

  Lease Acquire();
  // A ReadPin for the calling thread; nullptr when the thread already holds one on this database (that
  // one goes on), or when the read transaction cannot begin (every read then stands alone).
  std::unique_ptr<ReadSnapshot> PinForReads();
  // Throws storage::StorageError (busy) when the database stays locked past the busy timeout.
  WriteTransaction BeginWrite();

  // The keyed hashes that stand for pairing codes and access tokens at rest (32 raw bytes).
  std::string HashCode(std::string_view code) const;
  std::string HashToken(std::string_view token) const;
  // The encrypted copy of a pairing code kept so its student can see it again (key derived from the
  // hash key, purpose "pairing_code_box"), and its opening; nullopt for a box that does not open.
  std::string SealCode(std::string_view code) const;
  std::optional<std::string> OpenCode(std::string_view box) const;
  PasswordHashing password_hashing() const { return password_hashing_; }
  Clock& clock() const { return *clock_; }
  // Statements run on every connection so far.
  StorageStats Stats() const;
  // Pooled connections (1 for ":memory:").
  int pool_size() const { return static_cast<int>(all_.size()); }

 private:
  SqliteDatabase() = default;
  void Release(std::unique_ptr<SqliteConnection> conn);
  // The calling thread's pin on this database, if any.
  ReadPin* PinOfThisThread() const;

  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
  std::vector<const SqliteConnection*> all_;  // every pooled connection, for Stats(); fixed after Open
  std::mutex writer_mutex_;
  std::string hash_key_;
  std::string box_key_;
  PasswordHashing password_hashing_ = PasswordHashing::kInteractive;
  std::shared_ptr<Clock> clock_;
};

}  // namespace observees
