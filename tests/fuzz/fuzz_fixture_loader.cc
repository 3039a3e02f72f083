// libFuzzer target: the fixture loader (LoadFixture) on arbitrary bytes. The loader must answer a
// Status for anything (never crash, leak or trip UBSan), and a fixture it accepted must load a second
// time with no change (it is idempotent). Every input runs against the same in-memory database,
// emptied between inputs by ResetStorage (every table but meta, so ids restart as in a fresh one):
// opening and migrating a database per input cost ~10x the load itself. Passwords are hashed
// with the cheapest Argon2id libsodium allows.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "observees/fixture.h"
#include "observees/storage.h"

namespace {

using namespace observees;

// One in-memory database for every input, emptied before each by ResetStorage.
Storage& TheStorage() {
  static Storage* const storage = [] {
    StorageOptions options;
    options.location = ":memory:";
    options.password_hashing = PasswordHashing::kFastest;
    options.secret_key = "fuzz-secret-key-0123456789abcdef";
    Result<Storage> opened = OpenStorage(options);
    if (!opened.ok()) std::abort();
    return new Storage(std::move(*opened));
  }();
  return *storage;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // keep inputs small: the loader's cost is per user and login
  Storage& storage = TheStorage();
  if (!ResetStorage(storage).ok()) std::abort();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Status first = LoadFixture(storage, text);
  if (first.ok()) {
    const Status again = LoadFixture(storage, text);
    if (!again.ok()) std::abort();  // idempotence: an accepted fixture loads again
  }
  return 0;
}
