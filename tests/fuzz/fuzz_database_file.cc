// libFuzzer target: opening an SQLite database file whose PRAGMA user_version and meta rows are the
// input's (the checks of src/storage/database_meta.h). Each input rewrites a copy of one valid file
// (the current schema, one user with an access token and one pairing code), then OpenStorage must
// answer a Status, never crash, leak or trip UBSan; an open that succeeded must have left the file at
// this library's version with a 32-byte hash key. The meta value named 'schema_version' also goes
// through PostgreSQL's version parser. Input layout (shorter inputs read missing bytes as 0):
//   bytes 0-3  user_version, int32 little-endian
//   byte 4     flags: bit 0 deletes every meta row first, bit 1 deletes the access tokens and codes
//   then       meta rows, each: key length (1 byte), key, value length (2 bytes LE), value; a
//              truncated row takes what is left. A row replaces the one with the same key.
#include <sqlite3.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "observees/fixture.h"
#include "observees/storage.h"
#include "secrets.h"
#include "storage/database_meta.h"

namespace {

using namespace observees;

constexpr char kFixture[] = R"json({
  "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]}],
  "users": [{"id": 10, "name": "Pat Parent", "tokens": ["token-pat"]}, {"id": 11, "name": "Sam Student"}],
  "pairing_codes": [{"user_id": 11, "code": "Abc123", "expires_at": "2030-01-01T00:00:00Z"}]
})json";

StorageOptions Options(const std::string& path) {
  StorageOptions options;
  options.location = path;
  options.connections = 1;
  options.password_hashing = PasswordHashing::kFastest;
  return options;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The scratch file (on tmpfs when there is one) and the bytes of the valid file every input starts from.
struct Scratch {
  std::string path;
  std::string valid;
};

// Never destroyed, so the exit handler that removes the file can still name it.
const Scratch& TheScratch() {
  static const Scratch* const scratch = [] {
    const std::filesystem::path dir =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    auto* s = new Scratch;
    s->path = (dir / ("observees-fuzz-db-" + std::to_string(::getpid()) + ".db")).string();
    std::filesystem::remove(s->path);
    {
      Result<Storage> made = OpenStorage(Options(s->path));
      if (!made.ok() || !LoadFixture(*made, kFixture).ok()) std::abort();
    }  // the last connection's close checkpoints the WAL into the file
    s->valid = ReadAll(s->path);
    if (s->valid.empty()) std::abort();
    std::atexit([] {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(TheScratch().path + suffix);
    });
    return s;
  }();
  return *scratch;
}

void Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
}

// Reads a little-endian unsigned integer of `bytes` bytes, 0 past the end.
std::uint32_t Take(std::string_view& in, int bytes) {
  std::uint32_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    if (in.empty()) break;
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in.front())) << (8 * i);
    in.remove_prefix(1);
  }
  return value;
}

std::string_view TakeBytes(std::string_view& in, std::size_t n) {
  const std::string_view out = in.substr(0, n);
  in.remove_prefix(out.size());
  return out;
}

// Writes the input's version and meta rows into the scratch file.
void Craft(const std::string& path, std::string_view in) {
  const auto version = static_cast<std::int32_t>(Take(in, 4));
  const std::uint32_t flags = Take(in, 1);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) std::abort();
  Exec(db, ("PRAGMA user_version = " + std::to_string(version)).c_str());
  if ((flags & 1) != 0) Exec(db, "DELETE FROM meta");
  if ((flags & 2) != 0) Exec(db, "DELETE FROM access_tokens; DELETE FROM pairing_codes");
  sqlite3_stmt* put = nullptr;
  if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", -1, &put, nullptr) !=
      SQLITE_OK) {
    std::abort();
  }
  while (!in.empty()) {
    const std::string_view key = TakeBytes(in, Take(in, 1));
    const std::string_view value = TakeBytes(in, Take(in, 2));
    sqlite3_bind_text(put, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(put, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(put) != SQLITE_DONE) std::abort();
    sqlite3_reset(put);
    if (key == "schema_version") {
      try {
        (void)storage::ParseSchemaVersion(value);
      } catch (const storage::StorageError&) {
        // refused: the only way it may fail
      }
    }
  }
  sqlite3_finalize(put);
  if (sqlite3_close(db) != SQLITE_OK) std::abort();
}

// After an open that succeeded: the file is at this library's version and holds a 32-byte key.
void CheckOpened(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) std::abort();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT length(value) FROM meta WHERE key = 'hash_key'", -1, &stmt, nullptr) !=
          SQLITE_OK ||
      sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_int(stmt, 0) != static_cast<int>(secrets::kKeyBytes)) {
    std::abort();
  }
  sqlite3_finalize(stmt);
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK ||
      sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_int(stmt, 0) != StorageSchemaVersion(StorageKind::kSqlite)) {
    std::abort();
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return -1;
  const Scratch& scratch = TheScratch();
  std::filesystem::remove(scratch.path + "-wal");  // none is left by a clean close; never replay one
  std::filesystem::remove(scratch.path + "-shm");
  std::ofstream(scratch.path, std::ios::binary | std::ios::trunc) << scratch.valid;
  Craft(scratch.path, std::string_view(reinterpret_cast<const char*>(data), size));
  bool opened = false;
  {
    Result<Storage> storage = OpenStorage(Options(scratch.path));
    opened = storage.ok();
    if (!opened && storage.status().code() != StatusCode::kInternal) std::abort();
  }
  if (opened) CheckOpened(scratch.path);
  return 0;
}
