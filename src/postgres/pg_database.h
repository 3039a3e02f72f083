// The PostgreSQL engine of the shared stores (src/storage/), over libpq: a connection in pipeline mode
// with its prepared statements (the driver), the dialect's fragments and hooks, and the database:
// connection pool, transactions, per-thread read snapshots, schema and at-rest key. Internal to
// src/postgres/ and the stores. Thread-safe; a Lease, ReadPin or WriteTransaction belongs to one thread.
//
// Round trips. Every connection stays in libpq's pipeline mode: a statement is sent at once, and the
// client waits for the server only when it needs an answer. Query() waits (one round trip, which also
// brings the answers of everything sent before it); Queue() sends a statement whose answer nobody
// waits for (checked at the next wait: a failure fails that wait, and the transaction rolls back);
// Prefetch() sends a read whose answer a later identical Query() takes without waiting again. BEGIN is
// sent with the first statement of a transaction; a read snapshot's COMMIT is sent and never waited for
// (its answer is read on the connection's next use). Parameters go as text (bytea as binary), results
// come back as text.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <deque>
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
#include "storage/rows.h"
#include "storage/unix_seconds.h"
#include "storage/values.h"

namespace observees {

// A failed libpq call (storage::StorageError: busy for serialization and lock failures and a lost
// connection, unique_violation for 23505). what() is the SQLSTATE and PostgreSQL's primary message only:
// never the DETAIL (which repeats row values, hashes included), a parameter or the connection string.
class PgError : public storage::StorageError {
 public:
  PgError(std::string sqlstate, const std::string& message);
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// Parameters $1, $2, ... in the order they are added (values.h lists what binds).
class PgParams {
 public:
  void Add(std::int64_t value) { AddText(std::to_string(value)); }
  void Add(std::string_view value) { AddText(std::string(value)); }
  void Add(const std::string& value) { AddText(value); }
  void Add(const char* value) { AddText(value); }
  void Add(storage::Blob value);
  void Add(storage::IdArray value);
  void Add(std::nullopt_t);
  void Add(Timestamp value) { Add(ToSeconds(value)); }
  template <std::integral T>
  void Add(T value) {
    Add(static_cast<std::int64_t>(value));
  }
  template <typename T>
  void Add(const std::optional<T>& value) {
    if (value) {
      Add(*value);
    } else {
      Add(std::nullopt);
    }
  }

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers for PQsendQueryPrepared; valid while this object lives and is not changed.
  std::vector<const char*> Values() const;
  const int* Lengths() const { return lengths_.data(); }
  const int* Formats() const { return formats_.data(); }
  friend bool operator==(const PgParams&, const PgParams&) = default;

 private:
  void AddText(std::string value);
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// What connections sent, in order, for a tool that replays it (the bench's raw libpq baseline): each
// statement as sent ($N placeholders) with its parameters, and each sync point.
struct PgTraceStep {
  enum class Kind {
    kPrepared,    // a prepared statement (prepared once per connection beforehand)
    kPlain,       // a statement without parameters: BEGIN, COMMIT, ...
    kWaitedSync,  // a sync point the connection waited for: one round trip
    kSync,        // a sync point whose answers the next waited one reads
  };
  Kind kind;
  std::string sql;
  PgParams params;
};
using PgTrace = std::vector<PgTraceStep>;

// A query's result (text format). Row and column indexes are 0-based.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::int64_t Int(int row, int column) const;  // throws PgError on NULL or a non-integer
  std::string Text(int row, int column) const;
  std::string Bytes(int row, int column) const;  // a bytea column's raw bytes
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t Affected() const;
  PGresult* raw() const { return result_.get(); }

 private:
  std::shared_ptr<PGresult> result_;
};

// The rows of one statement's result, stepped by Next().
class PgRows : public storage::RowReader<PgRows> {
 public:
  explicit PgRows(PgResult result) : result_(std::move(result)) {}
  bool Next() { return ++row_ < result_.rows(); }
  bool IsNull(int column) const { return result_.IsNull(row_, column); }
  std::int64_t Int(int column) const { return result_.Int(row_, column); }
  std::optional<std::int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  std::string Text(int column) const { return result_.Text(row_, column); }
  std::optional<std::string> OptionalText(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Text(column);
  }
  std::string Bytes(int column) const { return result_.Bytes(row_, column); }
  std::int64_t Affected() const { return result_.Affected(); }

 private:
  PgResult result_;
  int row_ = -1;
};

// One libpq connection in pipeline mode, with its prepared statements; search_path set to the
// database's schema. Every call throws PgError.
class PgConnection {
 public:
  // Takes a connected `conn` (not yet in pipeline mode), sets its search_path and enters pipeline mode.
  PgConnection(PGconn* conn, std::string schema);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` with `args` bound to ?1, ?2, ... and waits for its rows (and for everything sent before).
  template <typename... Args>
  PgRows Query(const char* sql, const Args&... args) {
    return PgRows(Wait(sql, ParamsOf(args...)));
  }
  // Runs `sql` and waits; the rows it changed.
  template <typename... Args>
  std::int64_t Exec(const char* sql, const Args&... args) {
    return Wait(sql, ParamsOf(args...)).Affected();
  }
  // Sends `sql` without waiting; its failure surfaces at the next wait.
  template <typename... Args>
  void Queue(const char* sql, const Args&... args) {
    Send(sql, ParamsOf(args...), Pending::kChecked);
  }
  // Sends the read `sql` now; the next Query() of the same statement and arguments answers from it.
  template <typename... Args>
  void Prefetch(const char* sql, const Args&... args) {
    PgParams params = ParamsOf(args...);
    Send(sql, params, Pending::kPrefetched);
    prefetched_.push_back(Prefetched{sql, std::move(params), pending_.back().serial, std::nullopt});
  }

  // Transaction control, sent without waiting: BEGIN with `mode` ("" or e.g. "ISOLATION LEVEL
  // REPEATABLE READ READ ONLY"), and the COMMIT / ROLLBACK that ends it. CommitAndWait() waits for the
  // COMMIT's answer (a write's outcome); Commit's answer is read on the connection's next use.
  void Begin(const char* mode);
  void CommitAndWait();
  void CommitLater();
  void RollbackLater();
  bool in_transaction() const { return in_transaction_; }

  // Runs `sql` (one or more statements, no parameters) outside pipeline mode, waiting. For the schema.
  void ExecScript(const std::string& sql);
  // Whether the connection is usable: pending answers read, no transaction left open; a broken one is
  // reset (and its statements forgotten). False when it cannot be.
  bool EnsureHealthy();
  PGconn* raw() { return conn_; }
  std::int64_t round_trips() const { return round_trips_.load(std::memory_order_relaxed); }
  std::int64_t statements() const { return statements_.load(std::memory_order_relaxed); }
  // Appends what this connection sends to `trace` from now on; nullptr stops. Not thread-safe.
  void set_trace(PgTrace* trace) { trace_ = trace; }

 private:
  enum class Pending {
    kPrepare,     // a statement being prepared: a failure forgets it
    kChecked,     // a failure fails the next wait
    kIgnored,     // a read snapshot's COMMIT: nobody needs its answer
    kPrefetched,  // kept for a later Query
    kAnswer,      // the answer the current wait returns
  };
  struct Sent {
    Pending kind;
    std::uint64_t serial;
    const char* sql;  // kPrepare: the statement's key in prepared_
  };
  struct Prefetched {
    const char* sql;
    PgParams params;
    std::uint64_t serial;
    std::optional<PgResult> result;  // set once read
  };

  template <typename... Args>
  static PgParams ParamsOf(const Args&... args) {
    PgParams params;
    (params.Add(args), ...);
    return params;
  }
  // Sends one statement (preparing it first on this connection if needed).
  void Send(const char* sql, const PgParams& params, Pending kind);
  void SendUnprepared(const char* sql, Pending kind);
  // The answer of `sql` with `params`: a prefetched one, or sent now; then waits for it.
  PgResult Wait(const char* sql, const PgParams& params);
  // Marks a sync point and reads every answer sent before it. Throws the first failure among the
  // checked statements, after reading up to the sync point.
  void Sync();
  void SetUp();  // search_path, pipeline mode

  PGconn* conn_;
  std::string schema_;
  std::unordered_map<const char*, std::string> prepared_;  // SQL address -> statement name
  std::deque<Sent> pending_;                               // sent, answer not read yet, in order
  std::vector<Prefetched> prefetched_;                     // sent or read, not yet taken by a Query
  std::optional<PgResult> answer_;                         // the kAnswer result of the last Sync
  std::uint64_t next_serial_ = 0;
  int syncs_ = 0;  // sync points sent whose PIPELINE_SYNC is not read yet
  bool in_transaction_ = false;
  bool broken_ = false;                       // a wait failed mid-way: the pipeline state is unknown
  std::atomic<std::int64_t> round_trips_{0};  // touched by the thread holding the connection
  std::atomic<std::int64_t> statements_{0};
  PgTrace* trace_ = nullptr;
};

// What PostgreSQL does its own way (sql.h): concurrent writers, so rules that need one writer at a time
// take row locks (kForUpdate) or transaction-scoped advisory locks (LockKey).
class PgDialect {
 public:
  static constexpr char kForUpdate[] = " FOR UPDATE";
  // `<column><kInIdArray1>`: the column is one of the ids bound to ?1 (an IdArray).
  static constexpr char kInIdArray1[] = " = ANY(CAST(?1 AS BIGINT[]))";

  // A transaction-scoped advisory lock on (`space`, a 64-bit hash of `key`): serialises writers of one
  // logical key across every process using the database (limiter keys, code strings, a student's
  // enrollments). Spaces are storage::lock_space's.
  static void LockKey(PgConnection& conn, std::string_view space, std::string_view key);
  // Before a bulk write (the fixture): loaders in every process sharing the database take turns, so
  // that their find-then-insert of keyless records cannot both insert. The writer orders rows so that
  // foreign keys hold at each statement.
  static void BeginBulkWrite(PgConnection& conn);
  // Before a reset empties every table (relational_reset.h): an EXCLUSIVE lock on each table, so that
  // writers in every process wait for the reset to commit while readers keep their snapshot.
  static void BeginReset(PgConnection& conn);
  // After rows were written with explicit ids: moves the table's identity past them (never
  // backwards), so that a generated id cannot collide with one the fixture named.
  enum class IdTable { kUsers, kEnrollments, kLinks };
  static void AfterExplicitIds(PgConnection& conn, IdTable table);
};

class PostgresDatabase : public std::enable_shared_from_this<PostgresDatabase> {
 public:
  using Connection = PgConnection;
  using Dialect = PgDialect;

  // Connects, creates the schema if needed and migrates it forward under an advisory lock.
  // kInvalidArgument for bad options; kInternal when the server cannot be reached or the schema fails
  // the checks of storage/database_meta.h (the message never repeats the connection string).
  static Result<std::shared_ptr<PostgresDatabase>> Open(const std::string& conninfo, const StorageOptions& options);
  ~PostgresDatabase();

  // A borrowed connection, returned to the pool on destruction; or, on a thread with a ReadPin, that
  // pin's connection, which stays with the pin.
  class Lease {
   public:
    Lease(PostgresDatabase* owner, std::unique_ptr<PgConnection> conn)
        : owner_(owner), conn_(std::move(conn)), in_use_(conn_.get()) {}
    explicit Lease(PgConnection* pinned) : owner_(nullptr), in_use_(pinned) {}
    Lease(Lease&& other) noexcept : owner_(other.owner_), conn_(std::move(other.conn_)), in_use_(other.in_use_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() { return *in_use_; }
    PgConnection* operator->() { return in_use_; }

   private:
    PostgresDatabase* owner_;
    std::unique_ptr<PgConnection> conn_;  // null for a pinned connection
    PgConnection* in_use_;
  };

  // One pooled connection pinned to the calling thread in a REPEATABLE READ, READ ONLY transaction:
  // until the pin is destroyed, Acquire() on this thread answers that connection, so the reads between
  // see one snapshot. BEGIN goes with the first read; the COMMIT is not waited for. BeginWrite() on a
  // pinned thread throws std::logic_error. Destroying a pin on another thread aborts the process.
  class ReadPin final : public ReadSnapshot {
   public:
    explicit ReadPin(std::shared_ptr<PostgresDatabase> db);
    ~ReadPin() override;
    PgConnection& conn() { return *lease_; }

   private:
    std::shared_ptr<PostgresDatabase> db_;
    Lease lease_;
    std::thread::id thread_;
    ReadPin* outer_ = nullptr;
    friend class PostgresDatabase;
  };

  // A READ COMMITTED transaction on its own connection. Rolls back on destruction unless committed;
  // Commit() waits for the COMMIT (and for everything queued before it) and returns the connection at
  // once. At most connections - 1 write transactions are open at a time in one process, so a reader
  // always finds a connection. conn() only before Commit().
  class WriteTransaction {
   public:
    WriteTransaction(PostgresDatabase* owner, Lease lease);
    WriteTransaction(WriteTransaction&& other) noexcept;
    WriteTransaction& operator=(WriteTransaction&&) = delete;
    ~WriteTransaction();
    PgConnection& conn();  // throws std::logic_error after Commit()
    void Commit();         // throws PgError; on a throw the destructor rolls back

   private:
    void End();
    PostgresDatabase* owner_;
    std::optional<Lease> lease_;
  };

  Lease Acquire();
  // A ReadPin for the calling thread; nullptr when the thread already holds one on this database.
  std::unique_ptr<ReadSnapshot> PinForReads();
  // The calling thread's pinned connection, if any.
  PgConnection* PinnedConnection() const;
  WriteTransaction BeginWrite();

  // The keyed hashes that stand for pairing codes and access tokens at rest (32 raw bytes), and the
  // sealed copy of a code, exactly as SqliteDatabase's (the same key gives the same bytes).
  std::string HashCode(std::string_view code) const;
  std::string HashToken(std::string_view token) const;
  std::string SealCode(std::string_view code) const;
  std::optional<std::string> OpenCode(std::string_view box) const;
  PasswordHashing password_hashing() const { return password_hashing_; }
  Clock& clock() const { return *clock_; }
  StorageStats Stats() const;
  // Sets every pooled connection's trace (PgConnection::set_trace); for a single-threaded tool only.
  void TraceStatements(PgTrace* trace);

 private:
  PostgresDatabase() = default;
  void Release(std::unique_ptr<PgConnection> conn);
  void EndWrite();
  ReadPin* PinOfThisThread() const;

  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::vector<PgConnection*> all_;  // every pooled connection, for Stats(); fixed after Open
  int max_writers_ = 1;
  int writers_ = 0;  // guarded by pool_mutex_
  std::string hash_key_;
  std::string box_key_;
  PasswordHashing password_hashing_ = PasswordHashing::kInteractive;
  std::shared_ptr<Clock> clock_;
};

// Drops `schema` and everything in it (DropPostgresSchema).
Status DropSchema(const std::string& conninfo, const std::string& schema);

}  // namespace observees
