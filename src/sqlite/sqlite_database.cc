#include "sqlite/sqlite_database.h"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

#include "secrets.h"
#include "sqlite/schema.h"

namespace observees {

SQLite::Statement& SqliteConnection::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(*db_, sql)).first;
  } else {
    it->second->reset();
    it->second->clearBindings();
  }
  return *it->second;
}

void SqliteConnection::ResetBusyStatements() {
  sqlite3* handle = db_->getHandle();
  for (sqlite3_stmt* stmt = sqlite3_next_stmt(handle, nullptr); stmt != nullptr;
       stmt = sqlite3_next_stmt(handle, stmt)) {
    if (sqlite3_stmt_busy(stmt) != 0) sqlite3_reset(stmt);
  }
}

namespace {

constexpr char kReadKeySql[] = "SELECT value FROM meta WHERE key = 'hash_key'";
constexpr char kWriteKeySql[] = "INSERT INTO meta (key, value) VALUES ('hash_key', ?)";

bool IsMemory(const std::string& path) { return path.empty() || path == ":memory:"; }

std::unique_ptr<SqliteConnection> Connect(const std::string& path, int busy_timeout_ms, std::int64_t mmap_bytes) {
  auto db = std::make_unique<SQLite::Database>(IsMemory(path) ? std::string(":memory:") : path,
                                               SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
                                               busy_timeout_ms);
  db->exec("PRAGMA foreign_keys = ON");
  // WAL's NORMAL still survives a process crash; only a power loss may undo the last commits. It is a
  // per-connection setting, so every pooled connection needs it (FULL syncs on every commit: ~4 ms).
  if (!IsMemory(path)) db->exec("PRAGMA synchronous = NORMAL");
  if (!IsMemory(path)) db->exec("PRAGMA mmap_size = " + std::to_string(mmap_bytes));
  return std::make_unique<SqliteConnection>(std::move(db));
}

// Applies the migrations past the file's version in one transaction. Refuses a newer file.
void Migrate(SQLite::Database& db) {
  SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
  const auto migrations = sqlite_schema::Migrations();
  const int current = db.execAndGet("PRAGMA user_version").getInt();
  const int target = static_cast<int>(migrations.size());
  if (current > target) {
    throw std::runtime_error("database schema version " + std::to_string(current) + " is newer than this library's " +
                             std::to_string(target));
  }
  for (int v = current; v < target; ++v) db.exec(migrations[static_cast<std::size_t>(v)]);
  if (current != target) db.exec("PRAGMA user_version = " + std::to_string(target));
  txn.commit();
}

std::string LoadOrCreateKey(SqliteConnection& conn) {
  SQLite::Transaction txn(conn.db(), SQLite::TransactionBehavior::IMMEDIATE);
  auto& read = conn.Prepare(kReadKeySql);
  if (read.executeStep()) {
    const auto column = read.getColumn(0);
    std::string key(static_cast<const char*>(column.getBlob()), static_cast<std::size_t>(column.getBytes()));
    read.reset();
    return key;
  }
  read.reset();
  std::string key = secrets::RandomKey();
  auto& write = conn.Prepare(kWriteKeySql);
  write.bind(1, key.data(), static_cast<int>(key.size()));
  write.exec();
  txn.commit();
  return key;
}

}  // namespace

int SqliteSchemaVersion() { return static_cast<int>(sqlite_schema::Migrations().size()); }

bool DisableSqliteMemoryStatistics() { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }

Result<std::shared_ptr<SqliteDatabase>> SqliteDatabase::Open(const SqliteOptions& options) {
  if (options.connections < 1 || options.connections > 64) {
    return InvalidArgument("connections must be between 1 and 64", "connections");
  }
  if (options.busy_timeout_ms < 0) return InvalidArgument("busy_timeout_ms must not be negative", "busy_timeout_ms");
  if (options.mmap_bytes < 0) return InvalidArgument("mmap_bytes must not be negative", "mmap_bytes");
  if (!secrets::Init()) return Internal("libsodium failed to initialise");

  std::shared_ptr<SqliteDatabase> db(new SqliteDatabase());
  db->password_hashing_ = options.password_hashing;
  db->clock_ = options.clock ? options.clock : SystemClock();
  const std::string where = IsMemory(options.path) ? std::string(":memory:") : options.path;
  try {
    auto first = Connect(options.path, options.busy_timeout_ms, options.mmap_bytes);
    if (!IsMemory(options.path)) {
      first->db().exec("PRAGMA journal_mode = WAL");
    }
    Migrate(first->db());
    db->hash_key_ = options.secret_key.empty() ? LoadOrCreateKey(*first) : secrets::DeriveKey(options.secret_key);
    db->box_key_ = secrets::KeyedHash(db->hash_key_, "pairing_code_box", "");
    db->idle_.push_back(std::move(first));
    const int pool = IsMemory(options.path) ? 1 : options.connections;
    for (int i = 1; i < pool; ++i) {
      db->idle_.push_back(Connect(options.path, options.busy_timeout_ms, options.mmap_bytes));
    }
  } catch (const std::exception& e) {
    return Internal("cannot open SQLite database " + where + ": " + e.what());
  }
  return db;
}

SqliteDatabase::~SqliteDatabase() = default;

SqliteDatabase::Lease::~Lease() {
  if (conn_) owner_->Release(std::move(conn_));
}

namespace {
// This thread's ReadPins, innermost first, linked through outer_ (each on another database).
thread_local SqliteDatabase::ReadPin* t_innermost_pin = nullptr;
constexpr char kReadBeginSql[] = "BEGIN";
constexpr char kCommitSql[] = "COMMIT";  // a pin's and a write transaction's: one cached statement
}  // namespace

SqliteDatabase::ReadPin::ReadPin(std::shared_ptr<SqliteDatabase> db)
    : db_(std::move(db)), lease_(db_->Acquire()), thread_(std::this_thread::get_id()) {
  lease_->Prepare(kReadBeginSql).exec();  // a throw here releases the lease, with nothing linked
  outer_ = t_innermost_pin;
  t_innermost_pin = this;
}

SqliteDatabase::ReadPin::~ReadPin() {
  if (thread_ != std::this_thread::get_id()) {
    std::fputs("observees: a ReadSnapshot was destroyed on another thread than the one that began it\n", stderr);
    std::abort();
  }
  for (ReadPin** link = &t_innermost_pin; *link != nullptr; link = &(*link)->outer_) {
    if (*link == this) {
      *link = outer_;
      break;
    }
  }
  try {
    lease_->ResetBusyStatements();
    lease_->Prepare(kCommitSql).exec();
  } catch (...) {
    // Release() ends whatever transaction is left before the connection goes back to the pool.
  }
}

SqliteDatabase::ReadPin* SqliteDatabase::PinOfThisThread() const {
  for (ReadPin* pin = t_innermost_pin; pin != nullptr; pin = pin->outer_) {
    if (pin->db_.get() == this) return pin;
  }
  return nullptr;
}

std::unique_ptr<SqliteDatabase::ReadPin> SqliteDatabase::PinForReads() {
  if (PinOfThisThread() != nullptr) return nullptr;
  try {
    return std::make_unique<ReadPin>(shared_from_this());
  } catch (...) {
    return nullptr;
  }
}

SqliteDatabase::Lease SqliteDatabase::Acquire() {
  if (ReadPin* pin = PinOfThisThread()) return Lease(&*pin->lease_);
  std::unique_lock lock(pool_mutex_);
  pool_cv_.wait(lock, [&] { return !idle_.empty(); });
  auto conn = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(conn));
}

void SqliteDatabase::Release(std::unique_ptr<SqliteConnection> conn) {
  conn->ResetBusyStatements();
  // A connection goes back idle outside any transaction, whatever failed before (a pin's COMMIT, say).
  sqlite3* handle = conn->db().getHandle();
  if (sqlite3_get_autocommit(handle) == 0) sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
  {
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(std::move(conn));
  }
  pool_cv_.notify_one();
}

SqliteDatabase::WriteTransaction SqliteDatabase::BeginWrite() {
  if (PinOfThisThread() != nullptr) throw std::logic_error("a write began inside a read snapshot");
  // Take the writer lock before a connection, so waiting writers do not hold connections readers need.
  std::unique_lock lock(writer_mutex_);
  Lease lease = Acquire();
  static constexpr char kBeginSql[] = "BEGIN IMMEDIATE";
  lease->Prepare(kBeginSql).exec();  // cached, as every statement: sqlite3_exec would compile it each time
  return WriteTransaction(std::move(lock), std::move(lease));
}

SqliteDatabase::WriteTransaction::WriteTransaction(std::unique_lock<std::mutex> lock, Lease lease)
    : lock_(std::move(lock)), lease_(std::move(lease)) {}

SqliteConnection& SqliteDatabase::WriteTransaction::conn() {
  if (!lease_) throw std::logic_error("write transaction used after it ended");
  return **lease_;
}

void SqliteDatabase::WriteTransaction::Commit() {
  (*lease_)->Prepare(kCommitSql).exec();
  lease_.reset();
  lock_.unlock();
}

// Not committed: the lease goes back to the pool, and Release() rolls the transaction back, under the
// writer lock still (lease_ is destroyed before lock_).
SqliteDatabase::WriteTransaction::~WriteTransaction() = default;

std::string SqliteDatabase::HashCode(std::string_view code) const {
  return secrets::KeyedHash(hash_key_, "pairing_code", code);
}

std::string SqliteDatabase::HashToken(std::string_view token) const {
  return secrets::KeyedHash(hash_key_, "access_token", token);
}

std::string SqliteDatabase::SealCode(std::string_view code) const { return secrets::Seal(box_key_, code); }

std::optional<std::string> SqliteDatabase::OpenCode(std::string_view box) const { return secrets::Open(box_key_, box); }


}  // namespace observees
