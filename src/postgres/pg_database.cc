#include "postgres/pg_database.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "postgres/pg_schema.h"
#include "secrets.h"
#include "storage/database_meta.h"

namespace observees {
namespace {

using storage::StorageError;

StorageError::Kind KindOf(const std::string& sqlstate) {
  if (sqlstate == "23505") return StorageError::Kind::kUniqueViolation;
  // serialization_failure, deadlock_detected, lock_not_available, connection exceptions (class 08),
  // insufficient resources (53) and operator intervention (57: a restarting server): retry later.
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") return StorageError::Kind::kBusy;
  if (sqlstate.starts_with("08") || sqlstate.starts_with("53") || sqlstate.starts_with("57")) {
    return StorageError::Kind::kBusy;
  }
  return StorageError::Kind::kOther;
}

std::string Trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

// PostgreSQL's primary message and SQLSTATE; never PQresultErrorMessage, whose DETAIL line repeats
// row values (a hash, a unique_id).
PgError ErrorOf(const PGresult* result, PGconn* conn) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? primary : "";
  std::string sqlstate = state ? state : "";
  if (message.empty()) {
    // No server message: a client-side failure (connection lost). libpq's text names no values.
    message = Trimmed(conn ? PQerrorMessage(conn) : "no connection");
    if (conn != nullptr && PQstatus(conn) == CONNECTION_BAD && sqlstate.empty()) sqlstate = "08006";
  }
  return PgError(sqlstate, sqlstate.empty() ? message : sqlstate + " " + message);
}

// libpq's own failure to send (the connection is gone, or out of memory).
[[noreturn]] void FailToSend(PGconn* conn) {
  throw PgError("08006", "cannot send to PostgreSQL: " + Trimmed(PQerrorMessage(conn)));
}

bool ValidSchemaName(const std::string& schema) {
  if (schema.empty() || schema.size() > 63) return false;
  if (schema[0] >= '0' && schema[0] <= '9') return false;
  for (const char c : schema) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string Quoted(const std::string& schema) { return "\"" + schema + "\""; }

// The statement with sql.h's ?N placeholders as PostgreSQL's $N (outside quoted text).
std::string Placeholders(const char* sql) {
  std::string out;
  out.reserve(std::strlen(sql) + 8);
  char quote = 0;
  for (const char* p = sql; *p != '\0'; ++p) {
    const char c = *p;
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?' && p[1] >= '0' && p[1] <= '9') {
      out += '$';
      continue;
    }
    out += c;
  }
  return out;
}

// Opens a connection; the message of a failure is libpq's, which never holds the connection string.
PGconn* Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) throw PgError("", "out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    throw PgError("08001", "cannot connect: " + message);
  }
  // NOTICEs ("schema already exists, skipping") are not errors; libpq would print them to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

void Check(PGresult* result, PGconn* conn) {
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  PgError error = ErrorOf(result, conn);
  PQclear(result);
  throw error;
}

// Runs `sql` with the simple query protocol (no pipeline, no parameters), waiting.
void ExecSimple(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  Check(result, conn);
  PQclear(result);
}

// Every process opening the schema takes this lock while it creates and migrates it.
constexpr std::int64_t kMigrationLock = 0x6f6273657276;  // "observ"

constexpr char kReadVersionSql[] = "SELECT value FROM meta WHERE key = 'schema_version'";

// Creates the schema and applies the migrations past its version, one process at a time. Outside
// pipeline mode, before the connection's search_path can name the schema.
void Migrate(PGconn* conn, const std::string& schema) {
  ExecSimple(conn, "BEGIN");
  ExecSimple(conn, "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
  ExecSimple(conn, "CREATE SCHEMA IF NOT EXISTS " + Quoted(schema));
  ExecSimple(conn, "SET LOCAL search_path TO " + Quoted(schema));
  ExecSimple(conn, "CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value bytea NOT NULL)");
  const auto migrations = postgres_schema::Migrations();
  const int target = static_cast<int>(migrations.size());
  int current = 0;
  {
    PGresult* raw = PQexec(conn, kReadVersionSql);
    Check(raw, conn);
    const PgResult version(raw);
    if (version.rows() > 0) current = storage::ParseSchemaVersion(version.Bytes(0, 0));
  }
  storage::CheckSchemaVersion(current, target);  // a throw leaves the transaction to PQfinish: nothing written
  for (int v = current; v < target; ++v) ExecSimple(conn, migrations[static_cast<std::size_t>(v)]);
  if (current != target) {
    ExecSimple(conn, "INSERT INTO meta (key, value) VALUES ('schema_version', '" + std::to_string(target) +
                         "'::bytea) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  }
  ExecSimple(conn, "COMMIT");
}

thread_local PostgresDatabase::ReadPin* t_innermost_pin = nullptr;

}  // namespace

PgError::PgError(std::string sqlstate, const std::string& message)
    : StorageError(KindOf(sqlstate), message), sqlstate_(std::move(sqlstate)) {}

// ---- PgParams ----

void PgParams::AddText(std::string value) {
  values_.emplace_back(std::move(value));
  lengths_.push_back(0);
  formats_.push_back(0);
}

void PgParams::Add(storage::Blob value) {
  values_.emplace_back(std::string(value.bytes));
  lengths_.push_back(static_cast<int>(value.bytes.size()));
  formats_.push_back(1);
}

// PostgreSQL's array literal, read by PgDialect::kInIdArray1's CAST(... AS BIGINT[]).
void PgParams::Add(storage::IdArray value) {
  std::string array = "{";
  for (std::size_t i = 0; i < value.ids.size(); ++i) {
    if (i > 0) array += ',';
    array += std::to_string(value.ids[i]);
  }
  array += '}';
  AddText(std::move(array));
}

void PgParams::Add(std::nullopt_t) {
  values_.emplace_back(std::nullopt);
  lengths_.push_back(0);
  formats_.push_back(0);
}

std::vector<const char*> PgParams::Values() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

// ---- PgResult ----

std::int64_t PgResult::Int(int row, int column) const {
  if (IsNull(row, column)) throw PgError("", "unexpected NULL in an integer column");
  const char* text = PQgetvalue(result_.get(), row, column);
  const std::size_t length = static_cast<std::size_t>(PQgetlength(result_.get(), row, column));
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text, text + length, value);
  if (error != std::errc() || end != text + length) throw PgError("", "a column is not an integer");
  return value;
}

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::string PgResult::Bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (raw == nullptr) throw PgError("", "cannot decode a bytea column");
  std::string bytes(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return bytes;
}

std::int64_t PgResult::Affected() const {
  if (!result_) return 0;
  const char* text = PQcmdTuples(result_.get());
  std::int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

// ---- PgConnection ----

PgConnection::PgConnection(PGconn* conn, std::string schema) : conn_(conn), schema_(std::move(schema)) {
  try {
    SetUp();
  } catch (...) {
    PQfinish(conn_);
    throw;
  }
}

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::SetUp() {
  ExecSimple(conn_, "SET search_path TO " + Quoted(schema_));
  if (PQenterPipelineMode(conn_) != 1) FailToSend(conn_);
}

void PgConnection::Send(const char* sql, const PgParams& params, Pending kind) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "obs_" + std::to_string(next_serial_);
    if (PQsendPrepare(conn_, name.c_str(), Placeholders(sql).c_str(), 0, nullptr) != 1) FailToSend(conn_);
    pending_.push_back(Sent{Pending::kPrepare, next_serial_++, sql});
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = params.Values();
  if (PQsendQueryPrepared(conn_, it->second.c_str(), params.size(), values.data(), params.Lengths(), params.Formats(),
                          0) != 1) {
    FailToSend(conn_);
  }
  pending_.push_back(Sent{kind, next_serial_++, nullptr});
  statements_.fetch_add(1, std::memory_order_relaxed);
  if (trace_ != nullptr) trace_->push_back({PgTraceStep::Kind::kPrepared, Placeholders(sql), params});
  // Many statements sent and none read could fill both sides' socket buffers: read them now.
  constexpr std::size_t kMaxUnread = 256;
  if (pending_.size() >= kMaxUnread && kind == Pending::kChecked) Sync();
}

void PgConnection::SendUnprepared(const char* sql, Pending kind) {
  if (PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) FailToSend(conn_);
  pending_.push_back(Sent{kind, next_serial_++, nullptr});
  statements_.fetch_add(1, std::memory_order_relaxed);
  if (trace_ != nullptr) trace_->push_back({PgTraceStep::Kind::kPlain, sql, {}});
}

PgResult PgConnection::Wait(const char* sql, const PgParams& params) {
  for (auto it = prefetched_.begin(); it != prefetched_.end(); ++it) {
    if (it->sql != sql || it->params != params) continue;
    if (!it->result) {
      const std::uint64_t serial = it->serial;
      Sync();
      for (it = prefetched_.begin(); it != prefetched_.end() && it->serial != serial; ++it) {
      }
      if (it == prefetched_.end() || !it->result) throw PgError("", "a prefetched answer is missing");
    }
    PgResult result = std::move(*it->result);
    prefetched_.erase(it);
    return result;
  }
  Send(sql, params, Pending::kAnswer);
  Sync();
  if (!answer_) throw PgError("", "the answer is missing");
  PgResult result = std::move(*answer_);
  answer_.reset();
  return result;
}

void PgConnection::Sync() {
  if (PQpipelineSync(conn_) != 1) FailToSend(conn_);
  ++syncs_;
  round_trips_.fetch_add(1, std::memory_order_relaxed);
  if (trace_ != nullptr) trace_->push_back({PgTraceStep::Kind::kWaitedSync, {}, {}});
  std::optional<PgError> failure;
  while (syncs_ > 0) {
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) {
      // Between two statements' answers; nothing can come from a lost connection.
      if (PQstatus(conn_) == CONNECTION_BAD) {
        broken_ = true;
        throw ErrorOf(nullptr, conn_);
      }
      continue;
    }
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(raw);
      --syncs_;
      continue;
    }
    if (pending_.empty()) {
      PQclear(raw);
      broken_ = true;
      throw PgError("", "an answer came for no statement");
    }
    const Sent sent = pending_.front();
    pending_.pop_front();
    PgResult result(raw);
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok && !failure && sent.kind != Pending::kIgnored) {
      failure = status == PGRES_PIPELINE_ABORTED ? PgError("", "a statement was skipped after an earlier failure")
                                                 : ErrorOf(raw, conn_);
    }
    switch (sent.kind) {
      case Pending::kPrepare:
        if (!ok) prepared_.erase(sent.sql);
        break;
      case Pending::kChecked:
      case Pending::kIgnored: break;
      case Pending::kPrefetched:
        for (Prefetched& p : prefetched_) {
          if (p.serial == sent.serial && ok) p.result = result;
        }
        break;
      case Pending::kAnswer:
        if (ok) answer_ = result;
        break;
    }
  }
  if (failure) {
    // Prefetched answers after a failure were skipped: a later Query asks again.
    std::erase_if(prefetched_, [](const Prefetched& p) { return !p.result; });
    answer_.reset();
    throw *failure;
  }
}

void PgConnection::Begin(const char* mode) {
  const std::string sql = std::string("BEGIN ") + mode;
  SendUnprepared(sql.c_str(), Pending::kChecked);
  in_transaction_ = true;
}

void PgConnection::CommitAndWait() {
  prefetched_.clear();  // a transaction's reads ahead answer nothing after it
  SendUnprepared("COMMIT", Pending::kAnswer);
  Sync();
  // COMMIT of a transaction that failed earlier answers "ROLLBACK" without an error.
  const bool committed = answer_ && std::strcmp(PQcmdStatus(answer_->raw()), "COMMIT") == 0;
  answer_.reset();
  in_transaction_ = false;
  if (!committed) throw PgError("", "the transaction was rolled back");
}

void PgConnection::CommitLater() {
  prefetched_.clear();  // nobody took them: their answers are read and dropped
  SendUnprepared("COMMIT", Pending::kIgnored);
  if (PQpipelineSync(conn_) != 1) FailToSend(conn_);
  ++syncs_;
  if (trace_ != nullptr) trace_->push_back({PgTraceStep::Kind::kSync, {}, {}});
  in_transaction_ = false;
}

void PgConnection::RollbackLater() {
  prefetched_.clear();
  SendUnprepared("ROLLBACK", Pending::kIgnored);
  if (PQpipelineSync(conn_) != 1) FailToSend(conn_);
  ++syncs_;
  if (trace_ != nullptr) trace_->push_back({PgTraceStep::Kind::kSync, {}, {}});
  in_transaction_ = false;
}

void PgConnection::ExecScript(const std::string& sql) {
  if (syncs_ > 0 || !pending_.empty()) Sync();
  if (PQexitPipelineMode(conn_) != 1) FailToSend(conn_);
  try {
    ExecSimple(conn_, sql);
  } catch (...) {
    PQenterPipelineMode(conn_);
    throw;
  }
  if (PQenterPipelineMode(conn_) != 1) FailToSend(conn_);
}

bool PgConnection::EnsureHealthy() {
  prefetched_.clear();
  if (!broken_ && PQstatus(conn_) == CONNECTION_OK) {
    try {
      if (in_transaction_) RollbackLater();  // a transaction left open (a failed COMMIT or ROLLBACK)
      return true;
    } catch (const PgError&) {
      // falls through to the reset
    }
  }
  PQreset(conn_);
  prepared_.clear();
  pending_.clear();
  prefetched_.clear();
  answer_.reset();
  syncs_ = 0;
  in_transaction_ = false;
  broken_ = false;
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) PQexitPipelineMode(conn_);
  try {
    SetUp();
  } catch (const PgError&) {
    broken_ = true;
    return false;
  }
  return true;
}

// ---- PgDialect ----

void PgDialect::LockKey(PgConnection& conn, std::string_view space, std::string_view key) {
  static constexpr char kSql[] = "SELECT pg_advisory_xact_lock(?1)";
  const std::string hash = secrets::KeyedHash("observees-advisory-lock-key-0000", space, key);
  std::int64_t id = 0;
  std::memcpy(&id, hash.data(), sizeof id);
  conn.Queue(kSql, id);  // later statements run once the server holds it
}

void PgDialect::BeginBulkWrite(PgConnection& conn) { LockKey(conn, storage::lock_space::kFixture, "load"); }

void PgDialect::BeginReset(PgConnection& conn) {
  static constexpr char kSql[] =
      "LOCK TABLE accounts, account_domains, users, logins, access_tokens, admins, role_overrides, courses, "
      "enrollments, observation_links, pairing_codes, failed_attempts, audit_log, sis_imports IN EXCLUSIVE MODE";
  conn.Queue(kSql);
}

void PgDialect::AfterExplicitIds(PgConnection& conn, IdTable table) {
  // One statement per table: a table name cannot be a parameter.
  static constexpr char kUsersSql[] =
      "SELECT setval(s.seq, GREATEST((SELECT max(id) FROM users), pg_sequence_last_value(s.seq), 1)) "
      "FROM (SELECT pg_get_serial_sequence('users', 'id')::regclass AS seq) s";
  static constexpr char kEnrollmentsSql[] =
      "SELECT setval(s.seq, GREATEST((SELECT max(id) FROM enrollments), pg_sequence_last_value(s.seq), 1)) "
      "FROM (SELECT pg_get_serial_sequence('enrollments', 'id')::regclass AS seq) s";
  static constexpr char kLinksSql[] =
      "SELECT setval(s.seq, GREATEST((SELECT max(id) FROM observation_links), pg_sequence_last_value(s.seq), 1)) "
      "FROM (SELECT pg_get_serial_sequence('observation_links', 'id')::regclass AS seq) s";
  switch (table) {
    case IdTable::kUsers: return conn.Queue(kUsersSql);
    case IdTable::kEnrollments: return conn.Queue(kEnrollmentsSql);
    case IdTable::kLinks: return conn.Queue(kLinksSql);
  }
}

// ---- PostgresDatabase ----

Result<std::shared_ptr<PostgresDatabase>> PostgresDatabase::Open(const std::string& conninfo,
                                                                 const StorageOptions& options) {
  if (conninfo.empty()) return InvalidArgument("a PostgreSQL connection string is required", "location");
  if (!ValidSchemaName(options.schema)) {
    return InvalidArgument("schema must be 1-63 letters, digits or '_', not starting with a digit", "schema");
  }
  if (options.connections < 1 || options.connections > 64) {
    return InvalidArgument("connections must be between 1 and 64", "connections");
  }
  if (!secrets::Init()) return Internal("libsodium failed to initialise");

  std::shared_ptr<PostgresDatabase> db(new PostgresDatabase());
  db->password_hashing_ = options.password_hashing;
  db->clock_ = options.clock ? options.clock : SystemClock();
  db->max_writers_ = options.connections > 1 ? options.connections - 1 : 1;
  try {
    // The first connection creates the schema before search_path can name it.
    PGconn* first_raw = Connect(conninfo);
    try {
      Migrate(first_raw, options.schema);
    } catch (...) {
      PQfinish(first_raw);
      throw;
    }
    auto first = std::make_unique<PgConnection>(first_raw, options.schema);
    db->hash_key_ =
        options.secret_key.empty() ? storage::LoadOrCreateHashKey(*first) : secrets::DeriveKey(options.secret_key);
    db->box_key_ = secrets::KeyedHash(db->hash_key_, "pairing_code_box", "");
    db->idle_.push_back(std::move(first));
    for (int i = 1; i < options.connections; ++i) {
      db->idle_.push_back(std::make_unique<PgConnection>(Connect(conninfo), options.schema));
    }
  } catch (const std::exception& e) {
    return Internal(std::string("cannot open the PostgreSQL database: ") + e.what());
  }
  for (const auto& conn : db->idle_) db->all_.push_back(conn.get());
  return db;
}

PostgresDatabase::~PostgresDatabase() = default;

PostgresDatabase::Lease::~Lease() {
  if (conn_) owner_->Release(std::move(conn_));
}

PostgresDatabase::ReadPin::ReadPin(std::shared_ptr<PostgresDatabase> db)
    : db_(std::move(db)), lease_(db_->Acquire()), thread_(std::this_thread::get_id()) {
  lease_->Begin("ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  outer_ = t_innermost_pin;
  t_innermost_pin = this;
}

PostgresDatabase::ReadPin::~ReadPin() {
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
    lease_->CommitLater();
  } catch (...) {
    // The pool resets a connection that cannot end its transaction.
  }
}

PostgresDatabase::ReadPin* PostgresDatabase::PinOfThisThread() const {
  for (ReadPin* pin = t_innermost_pin; pin != nullptr; pin = pin->outer_) {
    if (pin->db_.get() == this) return pin;
  }
  return nullptr;
}

PgConnection* PostgresDatabase::PinnedConnection() const {
  ReadPin* pin = PinOfThisThread();
  return pin == nullptr ? nullptr : &pin->conn();
}

std::unique_ptr<ReadSnapshot> PostgresDatabase::PinForReads() {
  if (PinOfThisThread() != nullptr) return nullptr;
  try {
    return std::make_unique<ReadPin>(shared_from_this());
  } catch (...) {
    return nullptr;
  }
}

PostgresDatabase::Lease PostgresDatabase::Acquire() {
  if (ReadPin* pin = PinOfThisThread()) return Lease(&pin->conn());
  std::unique_lock lock(pool_mutex_);
  pool_cv_.wait(lock, [&] { return !idle_.empty(); });
  auto conn = std::move(idle_.back());
  idle_.pop_back();
  lock.unlock();
  if (!conn->EnsureHealthy()) {
    Release(std::move(conn));
    throw PgError("08006", "the connection to PostgreSQL is lost");
  }
  return Lease(this, std::move(conn));
}

void PostgresDatabase::Release(std::unique_ptr<PgConnection> conn) {
  {
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(std::move(conn));
  }
  pool_cv_.notify_all();
}

PostgresDatabase::WriteTransaction PostgresDatabase::BeginWrite() {
  if (PinOfThisThread() != nullptr) throw std::logic_error("a write began inside a read snapshot");
  {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return writers_ < max_writers_; });
    ++writers_;
  }
  try {
    Lease lease = Acquire();
    lease->Begin("");
    return WriteTransaction(this, std::move(lease));
  } catch (...) {
    EndWrite();
    throw;
  }
}

void PostgresDatabase::EndWrite() {
  {
    std::lock_guard lock(pool_mutex_);
    --writers_;
  }
  pool_cv_.notify_all();
}

PostgresDatabase::WriteTransaction::WriteTransaction(PostgresDatabase* owner, Lease lease)
    : owner_(owner), lease_(std::move(lease)) {}

PostgresDatabase::WriteTransaction::WriteTransaction(WriteTransaction&& other) noexcept
    : owner_(other.owner_), lease_(std::move(other.lease_)) {
  other.lease_.reset();
}

PgConnection& PostgresDatabase::WriteTransaction::conn() {
  if (!lease_) throw std::logic_error("write transaction used after it ended");
  return **lease_;
}

void PostgresDatabase::WriteTransaction::Commit() {
  conn().CommitAndWait();
  End();
}

void PostgresDatabase::WriteTransaction::End() {
  lease_.reset();
  owner_->EndWrite();
}

PostgresDatabase::WriteTransaction::~WriteTransaction() {
  if (!lease_) return;  // committed, or moved from
  try {
    if ((*lease_)->in_transaction()) (*lease_)->RollbackLater();
  } catch (...) {
    // The pool resets a connection that cannot roll back.
  }
  End();
}

std::string PostgresDatabase::HashCode(std::string_view code) const {
  return secrets::KeyedHash(hash_key_, secrets::kPairingCodePurpose, code);
}

std::string PostgresDatabase::HashToken(std::string_view token) const {
  return secrets::KeyedHash(hash_key_, secrets::kAccessTokenPurpose, token);
}

std::string PostgresDatabase::SealCode(std::string_view code) const { return secrets::Seal(box_key_, code); }

std::optional<std::string> PostgresDatabase::OpenCode(std::string_view box) const {
  return secrets::Open(box_key_, box);
}

void PostgresDatabase::TraceStatements(PgTrace* trace) {
  for (PgConnection* conn : all_) conn->set_trace(trace);
}

StorageStats PostgresDatabase::Stats() const {
  StorageStats stats;
  for (const PgConnection* conn : all_) {
    stats.round_trips += conn->round_trips();
    stats.statements += conn->statements();
  }
  return stats;
}

Status DropSchema(const std::string& conninfo, const std::string& schema) {
  if (!ValidSchemaName(schema)) return InvalidArgument("bad schema name", "schema");
  try {
    PGconn* conn = Connect(conninfo);
    try {
      ExecSimple(conn, "DROP SCHEMA IF EXISTS " + Quoted(schema) + " CASCADE");
    } catch (...) {
      PQfinish(conn);
      throw;
    }
    PQfinish(conn);
    return Status::Ok();
  } catch (const std::exception& e) {
    return Internal(std::string("storage failure in DropPostgresSchema: ") + e.what());
  }
}

}  // namespace observees
