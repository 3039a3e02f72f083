// SqliteDatabase: the SQLite default backend's connection pool, write serialisation, schema and
// at-rest key. Internal to src/sqlite/. Thread-safe; a Lease or WriteTransaction belongs to one thread.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "observees/link_store.h"
#include "observees/sqlite.h"
#include "observees/status.h"
#include "storage_guard.h"

namespace observees {

// One connection and its prepared statements, keyed by the SQL text's address (SQL lives in
// `static constexpr char kSql[]` constants beside the code that runs it).
class SqliteConnection {
 public:
  explicit SqliteConnection(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

  // The cached statement for `sql`, reset and with its bindings cleared.
  SQLite::Statement& Prepare(const char* sql);
  SQLite::Database& db() { return *db_; }
  // Resets every statement still stepping, so a connection going back to the pool holds no read
  // snapshot (a query abandoned by an exception would otherwise pin one).
  void ResetBusyStatements();

 private:
  std::unique_ptr<SQLite::Database> db_;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> statements_;
};

// A cached statement that is reset when the scope ends, so no read snapshot outlives the call.
class ScopedStatement {
 public:
  ScopedStatement(SqliteConnection& conn, const char* sql) : stmt_(conn.Prepare(sql)) {}
  ~ScopedStatement() { stmt_.tryReset(); }
  ScopedStatement(const ScopedStatement&) = delete;
  ScopedStatement& operator=(const ScopedStatement&) = delete;
  SQLite::Statement* operator->() { return &stmt_; }
  SQLite::Statement& operator*() { return stmt_; }

 private:
  SQLite::Statement& stmt_;
};

class SqliteDatabase : public std::enable_shared_from_this<SqliteDatabase> {
 public:
  static Result<std::shared_ptr<SqliteDatabase>> Open(const SqliteOptions& options);
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
    // Throws SQLite::Exception when the read transaction cannot begin; nothing is pinned then.
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
    void Commit();  // throws SQLite::Exception; on a throw the destructor rolls back

   private:
    std::unique_lock<std::mutex> lock_;
    std::optional<Lease> lease_;
  };

  Lease Acquire();
  // A ReadPin for the calling thread; nullptr when the thread already holds one on this database (that
  // one goes on), or when the read transaction cannot begin (every read then stands alone).
  std::unique_ptr<ReadPin> PinForReads();
  // Throws SQLite::Exception when the database stays locked past the busy timeout.
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

 private:
  SqliteDatabase() = default;
  void Release(std::unique_ptr<SqliteConnection> conn);
  // The calling thread's pin on this database, if any.
  ReadPin* PinOfThisThread() const;

  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
  std::mutex writer_mutex_;
  std::string hash_key_;
  std::string box_key_;
  PasswordHashing password_hashing_ = PasswordHashing::kInteractive;
  std::shared_ptr<Clock> clock_;
};

}  // namespace observees
