// libFuzzer target: the fixture loader (LoadFixture) on arbitrary bytes. The loader must answer a
// Status for anything (never crash, leak or trip UBSan), and a fixture it accepted must load a second
// time with no change (it is idempotent). Every input runs against the same in-memory database,
// emptied between inputs (every row of every table but meta deleted, so ids restart as in a fresh
// one): opening and migrating a database per input cost ~10x the load itself. Passwords are hashed
// with the cheapest Argon2id libsodium allows.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "observees/fixture.h"
#include "observees/storage.h"
#include "sqlite/sqlite_database.h"
#include "storage/engine.h"

namespace {

using namespace observees;

struct Fixture {
  Storage storage;
  std::string reset_sql;  // empties every table but meta
};

Fixture& TheFixture() {
  static Fixture* const fixture = [] {
    StorageOptions options;
    options.location = ":memory:";
    options.password_hashing = PasswordHashing::kFastest;
    options.secret_key = "fuzz-secret-key-0123456789abcdef";
    Result<Storage> opened = OpenStorage(options);
    if (!opened.ok()) std::abort();
    auto* made = new Fixture{std::move(*opened), ""};
    SqliteDatabase* db = storage::DatabaseOf<SqliteDatabase>(made->storage);
    if (db == nullptr) std::abort();
    auto lease = db->Acquire();
    std::string deletes;
    auto tables = lease->Query(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> 'meta'");
    while (tables.Next()) deletes += "DELETE FROM \"" + tables.Text(0) + "\";";
    if (deletes.empty()) std::abort();
    made->reset_sql = "PRAGMA foreign_keys = OFF; BEGIN; " + deletes + " COMMIT; PRAGMA foreign_keys = ON;";
    return made;
  }();
  return *fixture;
}

void Reset(Fixture& fixture) {
  auto lease = storage::DatabaseOf<SqliteDatabase>(fixture.storage)->Acquire();
  lease->ExecScript(fixture.reset_sql.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // keep inputs small: the loader's cost is per user and login
  Fixture& fixture = TheFixture();
  Reset(fixture);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Status first = LoadFixture(fixture.storage, text);
  if (first.ok()) {
    const Status again = LoadFixture(fixture.storage, text);
    if (!again.ok()) std::abort();  // idempotence: an accepted fixture loads again
  }
  return 0;
}
