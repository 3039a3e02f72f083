#include "sqlite/sqlite_database.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

#include "secrets.h"
#include "sqlite/schema.h"
#include "storage/database_meta.h"

namespace observees {
namespace {

using storage::StorageError;

// SQLite's failure as the drivers' one error type: busy and locked are retryable, a unique index
// refusal is told apart; the message is SQLite's, which names columns, never bound values.
[[noreturn]] void Fail(sqlite3* db, int rc) {
  const int primary = rc & 0xff;
  StorageError::Kind kind = StorageError::Kind::kOther;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) kind = StorageError::Kind::kBusy;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) kind = StorageError::Kind::kUniqueViolation;
  throw StorageError(kind, std::string(sqlite3_errstr(rc)) + ": " + (db != nullptr ? sqlite3_errmsg(db) : ""));
}

void CheckBind(sqlite3_stmt* stmt, int rc) {
  if (rc != SQLITE_OK) Fail(sqlite3_db_handle(stmt), rc);
}

}  // namespace

// ---- SqliteRows ----

bool SqliteRows::Next() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fail(db_, rc);
}

std::string SqliteRows::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(size));
}

std::string SqliteRows::Bytes(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return bytes == nullptr ? std::string() : std::string(bytes, static_cast<std::size_t>(size));
}

// ---- Binding ----

namespace sqlite_bind {

void Bind(sqlite3_stmt* stmt, int index, std::int64_t value) {
  CheckBind(stmt, sqlite3_bind_int64(stmt, index, value));
}

void Bind(sqlite3_stmt* stmt, int index, std::string_view value) {
  CheckBind(stmt, sqlite3_bind_text64(stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Bind(sqlite3_stmt* stmt, int index, storage::Blob value) {
  CheckBind(stmt, sqlite3_bind_blob64(stmt, index, value.bytes.data(), value.bytes.size(), SQLITE_TRANSIENT));
}

// A JSON array, read by json_each (SqliteDialect::kInIdArray1): the ids travel as one bound text,
// never as SQL.
void Bind(sqlite3_stmt* stmt, int index, storage::IdArray value) {
  std::string array = "[";
  for (std::size_t i = 0; i < value.ids.size(); ++i) {
    if (i > 0) array += ',';
    array += std::to_string(value.ids[i]);
  }
  array += ']';
  Bind(stmt, index, std::string_view(array));
}

void Bind(sqlite3_stmt* stmt, int index, std::nullopt_t) { CheckBind(stmt, sqlite3_bind_null(stmt, index)); }

}  // namespace sqlite_bind

// ---- SqliteConnection ----

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : prepared_) sqlite3_finalize(stmt);
}

sqlite3_stmt* SqliteConnection::Prepare(const char* sql) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  const std::string prefixed = prefix_ ? prefix_->Rewrite(sql) : std::string();
  const int rc =
      sqlite3_prepare_v3(handle(), prefix_ ? prefixed.c_str() : sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) Fail(handle(), rc);
  prepared_.emplace(sql, stmt);
  return stmt;
}

void SqliteConnection::ExecScript(const char* sql) {
  const std::string prefixed = prefix_ ? prefix_->Rewrite(sql) : std::string();
  const int rc = sqlite3_exec(handle(), prefix_ ? prefixed.c_str() : sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) Fail(handle(), rc);
}

void SqliteConnection::ResetBusyStatements() {
  sqlite3* db = handle();
  for (sqlite3_stmt* stmt = sqlite3_next_stmt(db, nullptr); stmt != nullptr; stmt = sqlite3_next_stmt(db, stmt)) {
    if (sqlite3_stmt_busy(stmt) != 0) sqlite3_reset(stmt);
  }
}

// ---- SqliteDatabase ----

namespace {

bool IsMemory(const std::string& path) { return path.empty() || path == ":memory:"; }

std::unique_ptr<SqliteConnection> Connect(const StorageOptions& options,
                                          const std::shared_ptr<const sqlite_schema::TablePrefix>& prefix) {
  const std::string& path = options.location;
  auto db = std::make_unique<SQLite::Database>(IsMemory(path) ? std::string(":memory:") : path,
                                               SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
                                               options.busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(std::move(db), prefix);
  conn->ExecScript("PRAGMA foreign_keys = ON");
  if (!IsMemory(path)) {
    // WAL's NORMAL still survives a process crash; only a power loss may undo the last commits. It is
    // a per-connection setting, so every pooled connection needs it (FULL syncs on every commit: ~4 ms).
    conn->ExecScript("PRAGMA synchronous = NORMAL");
    conn->ExecScript(("PRAGMA mmap_size = " + std::to_string(options.mmap_bytes)).c_str());
  }
  return conn;
}

// The schema version of a prefixed store (table_prefix.h): its meta row 'schema_version'; 0 while the
// prefixed meta table does not exist.
int PrefixedVersion(SQLite::Database& db, const sqlite_schema::TablePrefix& prefix) {
  SQLite::Statement exists(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  exists.bind(1, prefix.prefix() + "meta");
  if (!exists.executeStep()) return 0;
  SQLite::Statement version(db, prefix.Rewrite("SELECT value FROM meta WHERE key = 'schema_version'"));
  // A prefixed meta without the row was made by version 1's script before its row was written: none.
  return version.executeStep() ? storage::ParseSchemaVersion(version.getColumn(0).getString()) : 0;
}

// Applies the migrations past the store's version in one transaction. Refuses a version this library
// does not know (storage::CheckSchemaVersion), writing nothing. The version: PRAGMA user_version, or
// with a prefix the prefixed meta's row (table_prefix.h).
void Migrate(SQLite::Database& db, const sqlite_schema::TablePrefix* prefix) {
  SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
  const auto migrations = sqlite_schema::Migrations();
  const int current = prefix ? PrefixedVersion(db, *prefix) : db.execAndGet("PRAGMA user_version").getInt();
  const int target = static_cast<int>(migrations.size());
  storage::CheckSchemaVersion(current, target);
  for (int v = current; v < target; ++v) {
    const char* script = migrations[static_cast<std::size_t>(v)];
    db.exec(prefix ? prefix->Rewrite(script) : std::string(script));
  }
  if (current != target && prefix) {
    SQLite::Statement write(db, prefix->Rewrite("INSERT INTO meta (key, value) VALUES ('schema_version', ?1) "
                                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    write.bind(1, std::to_string(target));
    write.exec();
  } else if (current != target) {
    db.exec("PRAGMA user_version = " + std::to_string(target));
  }
  txn.commit();
}

// storage::LoadOrCreateHashKey in one transaction: no other process writes between the checks.
std::string LoadOrCreateKey(SqliteConnection& conn) {
  SQLite::Transaction txn(conn.db(), SQLite::TransactionBehavior::IMMEDIATE);
  std::string key = storage::LoadOrCreateHashKey(conn);
  txn.commit();
  return key;
}

// This thread's ReadPins, innermost first, linked through outer_ (each on another database).
thread_local SqliteDatabase::ReadPin* t_innermost_pin = nullptr;
constexpr char kReadBeginSql[] = "BEGIN";
constexpr char kCommitSql[] = "COMMIT";  // a pin's and a write transaction's: one cached statement
constexpr char kBeginWriteSql[] = "BEGIN IMMEDIATE";

}  // namespace

bool DisableSqliteMemoryStatistics() { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }

Result<std::shared_ptr<SqliteDatabase>> SqliteDatabase::Open(const StorageOptions& options) {
  if (options.connections < 1 || options.connections > 64) {
    return InvalidArgument("connections must be between 1 and 64", "connections");
  }
  if (options.busy_timeout_ms < 0) return InvalidArgument("busy_timeout_ms must not be negative", "busy_timeout_ms");
  if (options.mmap_bytes < 0) return InvalidArgument("mmap_bytes must not be negative", "mmap_bytes");
  if (!secrets::Init()) return Internal("libsodium failed to initialise");

  std::shared_ptr<const sqlite_schema::TablePrefix> prefix;
  if (!options.table_prefix.empty()) {
    OBSERVEES_RETURN_IF_ERROR(sqlite_schema::TablePrefix::Check(options.table_prefix));
    prefix = std::make_shared<const sqlite_schema::TablePrefix>(options.table_prefix, sqlite_schema::Migrations());
  }

  std::shared_ptr<SqliteDatabase> db(new SqliteDatabase());
  db->password_hashing_ = options.password_hashing;
  db->clock_ = options.clock ? options.clock : SystemClock();
  const bool memory = IsMemory(options.location);
  const std::string where = memory ? std::string(":memory:") : options.location;
  try {
    auto first = Connect(options, prefix);
    if (!memory) first->ExecScript("PRAGMA journal_mode = WAL");
    Migrate(first->db(), prefix.get());
    db->hash_key_ = options.secret_key.empty() ? LoadOrCreateKey(*first) : secrets::DeriveKey(options.secret_key);
    db->box_key_ = secrets::KeyedHash(db->hash_key_, "pairing_code_box", "");
    db->idle_.push_back(std::move(first));
    const int pool = memory ? 1 : options.connections;
    for (int i = 1; i < pool; ++i) db->idle_.push_back(Connect(options, prefix));
  } catch (const std::exception& e) {
    return Internal("cannot open SQLite database " + where + ": " + e.what());
  }
  for (const auto& conn : db->idle_) db->all_.push_back(conn.get());
  return db;
}

SqliteDatabase::~SqliteDatabase() = default;

SqliteDatabase::Lease::~Lease() {
  if (conn_) owner_->Release(std::move(conn_));
}

SqliteDatabase::ReadPin::ReadPin(std::shared_ptr<SqliteDatabase> db)
    : db_(std::move(db)), lease_(db_->Acquire()), thread_(std::this_thread::get_id()) {
  lease_->Exec(kReadBeginSql);  // a throw here releases the lease, with nothing linked
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
    lease_->Exec(kCommitSql);
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

std::unique_ptr<ReadSnapshot> SqliteDatabase::PinForReads() {
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
  sqlite3* handle = conn->handle();
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
  lease->Exec(kBeginWriteSql);  // cached, as every statement: sqlite3_exec would compile it each time
  return WriteTransaction(std::move(lock), std::move(lease));
}

SqliteDatabase::WriteTransaction::WriteTransaction(std::unique_lock<std::mutex> lock, Lease lease)
    : lock_(std::move(lock)), lease_(std::move(lease)) {}

SqliteConnection& SqliteDatabase::WriteTransaction::conn() {
  if (!lease_) throw std::logic_error("write transaction used after it ended");
  return **lease_;
}

void SqliteDatabase::WriteTransaction::Commit() {
  (*lease_)->Exec(kCommitSql);
  lease_.reset();
  lock_.unlock();
}

// Not committed: the lease goes back to the pool, and Release() rolls the transaction back, under the
// writer lock still (lease_ is destroyed before lock_).
SqliteDatabase::WriteTransaction::~WriteTransaction() = default;

std::string SqliteDatabase::HashCode(std::string_view code) const {
  return secrets::KeyedHash(hash_key_, secrets::kPairingCodePurpose, code);
}

std::string SqliteDatabase::HashToken(std::string_view token) const {
  return secrets::KeyedHash(hash_key_, secrets::kAccessTokenPurpose, token);
}

std::string SqliteDatabase::SealCode(std::string_view code) const { return secrets::Seal(box_key_, code); }

std::optional<std::string> SqliteDatabase::OpenCode(std::string_view box) const { return secrets::Open(box_key_, box); }

StorageStats SqliteDatabase::Stats() const {
  StorageStats stats;
  for (const SqliteConnection* conn : all_) stats.statements += conn->statements();
  return stats;
}

}  // namespace observees
