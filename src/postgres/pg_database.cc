#include "postgres/pg_database.h"

#include <sodium.h>

#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#include "postgres/pg_schema.h"
#include "secrets.h"

namespace observees {
namespace {

// PostgreSQL's primary message and SQLSTATE; never PQresultErrorMessage, whose DETAIL line repeats
// row values (a hash, a unique_id).
PgError ErrorOf(const PGresult* result, PGconn* conn) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? primary : "";
  if (message.empty()) {
    // No server message: a client-side failure (connection lost). libpq's text names no values.
    message = conn ? PQerrorMessage(conn) : "no connection";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  }
  const std::string sqlstate = state ? state : "";
  return PgError(sqlstate, sqlstate.empty() ? message : sqlstate + " " + message);
}

void Check(PGresult* result, PGconn* conn) {
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  PgError error = ErrorOf(result, conn);
  PQclear(result);
  throw error;
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

// Opens a connection; the message of a failure is libpq's, minus the connection string it never holds.
PGconn* Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) throw PgError("", "out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    throw PgError("", "cannot connect: " + message);
  }
  // NOTICEs ("schema already exists, skipping") are not errors; libpq would print them to stderr.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return conn;
}

// Every process opening the schema takes this lock while it creates and migrates it.
constexpr std::int64_t kMigrationLock = 0x6f6273657276;  // "observ"

constexpr char kReadVersionSql[] = "SELECT value FROM meta WHERE key = 'schema_version'";
constexpr char kReadKeySql[] = "SELECT value FROM meta WHERE key = 'hash_key'";
constexpr char kWriteKeySql[] =
    "INSERT INTO meta (key, value) VALUES ('hash_key', $1) ON CONFLICT (key) DO NOTHING";

// Creates the schema and applies the migrations past its version, one process at a time.
void Migrate(PgConnection& conn, const std::string& schema) {
  conn.ExecScript("BEGIN");
  conn.ExecScript("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
  conn.ExecScript("CREATE SCHEMA IF NOT EXISTS " + Quoted(schema));
  conn.ExecScript("CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value bytea NOT NULL)");
  const auto migrations = postgres_schema::Migrations();
  const int target = static_cast<int>(migrations.size());
  int current = 0;
  {
    PgResult version = conn.Exec(kReadVersionSql);
    if (!version.empty()) current = std::stoi(version.Bytes(0, 0));
  }
  if (current > target) {
    conn.ExecScript("ROLLBACK");
    throw PgError("", "database schema version " + std::to_string(current) + " is newer than this library's " +
                          std::to_string(target));
  }
  for (int v = current; v < target; ++v) conn.ExecScript(migrations[static_cast<std::size_t>(v)]);
  if (current != target) {
    conn.ExecScript("INSERT INTO meta (key, value) VALUES ('schema_version', '" + std::to_string(target) +
                    "'::bytea) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  }
  conn.ExecScript("COMMIT");
}

// The stored random key, made by whichever process gets there first.
std::string LoadOrCreateKey(PgConnection& conn) {
  const std::string fresh = secrets::RandomKey();
  conn.Exec(kWriteKeySql, PgParams().Bytes(fresh));
  PgResult stored = conn.Exec(kReadKeySql);
  if (stored.empty()) throw PgError("", "the hash key is missing from meta");
  return stored.Bytes(0, 0);
}

}  // namespace

// ---- PgParams ----

PgParams& PgParams::Int(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

PgParams& PgParams::Text(std::string_view value) {
  values_.emplace_back(std::string(value));
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

PgParams& PgParams::Bytes(std::string_view value) {
  values_.emplace_back(std::string(value));
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(1);
  return *this;
}

PgParams& PgParams::Null() {
  values_.emplace_back(std::nullopt);
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
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

std::optional<std::int64_t> PgResult::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::optional<std::string> PgResult::OptionalText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column);
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
  const char* text = PQcmdTuples(result_.get());
  std::int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

// ---- PgConnection ----

PgConnection::PgConnection(PGconn* conn, std::string schema) : conn_(conn), schema_(std::move(schema)) {
  ExecScript("SET search_path TO " + Quoted(schema_));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

PgResult PgConnection::Exec(const char* sql, const PgParams& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "obs_" + std::to_string(prepared_.size());
    PGresult* prepared = PQprepare(conn_, name.c_str(), sql, 0, nullptr);
    Check(prepared, conn_);
    PQclear(prepared);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = params.Values();
  PGresult* result = PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(), params.Lengths(),
                                    params.Formats(), 0);
  Check(result, conn_);
  return PgResult(result);
}

void PgConnection::ExecScript(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  Check(result, conn_);
  PQclear(result);
}

bool PgConnection::EnsureHealthy() {
  if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE) return true;
  if (PQstatus(conn_) == CONNECTION_OK) {
    // A transaction left open (a failed COMMIT or ROLLBACK): end it so the next user starts clean.
    PGresult* result = PQexec(conn_, "ROLLBACK");
    PQclear(result);
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return true;
  }
  PQreset(conn_);
  prepared_.clear();
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  try {
    ExecScript("SET search_path TO " + Quoted(schema_));
  } catch (const PgError&) {
    return false;
  }
  return true;
}

// ---- PostgresDatabase ----

Result<std::shared_ptr<PostgresDatabase>> PostgresDatabase::Open(const PostgresOptions& options) {
  if (options.conninfo.empty()) return InvalidArgument("a PostgreSQL connection string is required", "conninfo");
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
    auto first = std::make_unique<PgConnection>(Connect(options.conninfo), options.schema);
    Migrate(*first, options.schema);
    db->hash_key_ = options.secret_key.empty() ? LoadOrCreateKey(*first) : secrets::DeriveKey(options.secret_key);
    db->box_key_ = secrets::KeyedHash(db->hash_key_, "pairing_code_box", "");
    db->idle_.push_back(std::move(first));
    for (int i = 1; i < options.connections; ++i) {
      db->idle_.push_back(std::make_unique<PgConnection>(Connect(options.conninfo), options.schema));
    }
  } catch (const std::exception& e) {
    return Internal(std::string("cannot open the PostgreSQL database: ") + e.what());
  }
  return db;
}

PostgresDatabase::~PostgresDatabase() = default;

PostgresDatabase::Lease::~Lease() {
  if (conn_) owner_->Release(std::move(conn_));
}

PostgresDatabase::Lease PostgresDatabase::Acquire() {
  std::unique_lock lock(pool_mutex_);
  pool_cv_.wait(lock, [&] { return !idle_.empty(); });
  auto conn = std::move(idle_.back());
  idle_.pop_back();
  lock.unlock();
  if (!conn->EnsureHealthy()) {
    Release(std::move(conn));
    throw PgError("", "the connection to PostgreSQL is lost");
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
  {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return writers_ < max_writers_; });
    ++writers_;
  }
  try {
    Lease lease = Acquire();
    lease->ExecScript("BEGIN");
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
  conn().ExecScript("COMMIT");
  End();
}

void PostgresDatabase::WriteTransaction::End() {
  lease_.reset();
  owner_->EndWrite();
}

PostgresDatabase::WriteTransaction::~WriteTransaction() {
  if (!lease_) return;  // committed, or moved from
  try {
    (*lease_)->ExecScript("ROLLBACK");
  } catch (...) {
    // A failed COMMIT already ended the transaction; the pool resets a broken connection.
  }
  End();
}

std::string PostgresDatabase::HashCode(std::string_view code) const {
  return secrets::KeyedHash(hash_key_, "pairing_code", code);
}

std::string PostgresDatabase::HashToken(std::string_view token) const {
  return secrets::KeyedHash(hash_key_, "access_token", token);
}

std::string PostgresDatabase::SealCode(std::string_view code) const { return secrets::Seal(box_key_, code); }

std::optional<std::string> PostgresDatabase::OpenCode(std::string_view box) const {
  return secrets::Open(box_key_, box);
}

void LockKey(PgConnection& conn, std::string_view space, std::string_view key) {
  static constexpr char kSql[] = "SELECT pg_advisory_xact_lock($1)";
  const std::string hash = secrets::KeyedHash("observees-advisory-lock-key-0000", space, key);
  std::int64_t id = 0;
  std::memcpy(&id, hash.data(), sizeof id);
  conn.Exec(kSql, PgParams().Int(id));
}

Status DropPostgresSchema(const std::string& conninfo, const std::string& schema) {
  if (!ValidSchemaName(schema)) return InvalidArgument("bad schema name", "schema");
  return GuardStorage("DropPostgresSchema", [&]() -> Status {
    PgConnection conn(Connect(conninfo), "public");
    conn.ExecScript("DROP SCHEMA IF EXISTS " + Quoted(schema) + " CASCADE");
    return Status::Ok();
  });
}

int PostgresSchemaVersion() { return static_cast<int>(postgres_schema::Migrations().size()); }

bool PostgresAvailable() { return true; }

}  // namespace observees
