// PostgresDatabase: the PostgreSQL backend's connection pool, transactions, schema and at-rest key,
// over libpq. Internal to src/postgres/. Thread-safe; a Lease or WriteTransaction belongs to one thread.
//
// SQL lives in `static constexpr char kSql[]` constants beside the code that runs it, with $1, $2, ...
// parameters; each connection prepares a statement once, keyed by the constant's address. Parameters
// go as text (bytea as binary); a parameter whose type PostgreSQL cannot infer (e.g. `$1 IS NULL`)
// needs a cast in the SQL (`$1::bigint`). Results come back as text and are read through PgResult.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "observees/postgres.h"
#include "observees/status.h"
#include "storage_guard.h"

namespace observees {

// A failed libpq call. what() is the SQLSTATE and PostgreSQL's primary message only: never the DETAIL
// (which repeats row values, hashes included), a parameter or the connection string.
class PgError : public std::runtime_error {
 public:
  PgError(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool IsUniqueViolation() const { return sqlstate_ == "23505"; }

 private:
  std::string sqlstate_;
};

// Parameters $1, $2, ... in the order they are added.
class PgParams {
 public:
  PgParams& Int(std::int64_t value);
  PgParams& Text(std::string_view value);
  PgParams& Bytes(std::string_view value);  // bytea
  PgParams& Null();
  PgParams& OptionalInt(const std::optional<std::int64_t>& value) { return value ? Int(*value) : Null(); }
  PgParams& OptionalText(const std::optional<std::string>& value) { return value ? Text(*value) : Null(); }

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers for PQexecPrepared; valid while this object lives and is not changed.
  std::vector<const char*> Values() const;
  const int* Lengths() const { return lengths_.data(); }
  const int* Formats() const { return formats_.data(); }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A query's result (text format). Row and column indexes are 0-based.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool empty() const { return rows() == 0; }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::int64_t Int(int row, int column) const;  // throws PgError on NULL or a non-integer
  std::optional<std::int64_t> OptionalInt(int row, int column) const;
  std::string Text(int row, int column) const;
  std::optional<std::string> OptionalText(int row, int column) const;
  std::string Bytes(int row, int column) const;  // a bytea column's raw bytes
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t Affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One libpq connection with its prepared statements; search_path set to the backend's schema.
class PgConnection {
 public:
  PgConnection(PGconn* conn, std::string schema);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs the statement `sql` (prepared on first use on this connection). Throws PgError.
  PgResult Exec(const char* sql, const PgParams& params = {});
  // Runs `sql` (one or more statements, no parameters) unprepared. Throws PgError.
  void ExecScript(const std::string& sql);
  // Whether the connection is still usable; a broken one is reset (and its statements forgotten).
  bool EnsureHealthy();
  PGconn* raw() { return conn_; }

 private:
  PGconn* conn_;
  std::string schema_;
  std::unordered_map<const char*, std::string> prepared_;  // SQL address -> statement name
};

class PostgresDatabase {
 public:
  static Result<std::shared_ptr<PostgresDatabase>> Open(const PostgresOptions& options);
  ~PostgresDatabase();

  // A borrowed connection, returned to the pool on destruction.
  class Lease {
   public:
    Lease(PostgresDatabase* owner, std::unique_ptr<PgConnection> conn) : owner_(owner), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept : owner_(other.owner_), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() { return *conn_; }
    PgConnection* operator->() { return conn_.get(); }

   private:
    PostgresDatabase* owner_;
    std::unique_ptr<PgConnection> conn_;
  };

  // A READ COMMITTED transaction on its own connection. Rolls back on destruction unless committed;
  // Commit() returns the connection at once. At most connections - 1 write transactions are open at a
  // time in one process, so a reader always finds a connection. conn() only before Commit().
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
  // Throws PgError when BEGIN fails.
  WriteTransaction BeginWrite();

  // The keyed hashes that stand for pairing codes and access tokens at rest (32 raw bytes), and the
  // sealed copy of a code, exactly as SqliteDatabase's (the same key gives the same bytes).
  std::string HashCode(std::string_view code) const;
  std::string HashToken(std::string_view token) const;
  std::string SealCode(std::string_view code) const;
  std::optional<std::string> OpenCode(std::string_view box) const;
  PasswordHashing password_hashing() const { return password_hashing_; }
  Clock& clock() const { return *clock_; }

 private:
  PostgresDatabase() = default;
  void Release(std::unique_ptr<PgConnection> conn);
  void EndWrite();

  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int max_writers_ = 1;
  int writers_ = 0;  // guarded by pool_mutex_
  std::string hash_key_;
  std::string box_key_;
  PasswordHashing password_hashing_ = PasswordHashing::kInteractive;
  std::shared_ptr<Clock> clock_;
};

// The advisory-lock spaces of LockKey, in one place so no two rules share a lock by accident.
namespace lock_space {
inline constexpr std::string_view kPairingCode = "pairing_code";      // key: the code's hash (rule 17)
inline constexpr std::string_view kFailedAttempt = "failed_attempt";  // key: the limiter key (D6)
inline constexpr std::string_view kEnrollments = "enrollments";       // key: the student id (rules 10-13)
inline constexpr std::string_view kFixture = "fixture";               // key: "load" (one loader at a time)
}  // namespace lock_space

// Takes a transaction-scoped advisory lock on (`space`, a 64-bit hash of `key`): serialises writers
// of one logical key across every process using the database (limiter keys, code strings).
void LockKey(PgConnection& conn, std::string_view space, std::string_view key);

}  // namespace observees
