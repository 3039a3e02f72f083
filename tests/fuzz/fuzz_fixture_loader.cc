// libFuzzer target: the fixture loader (LoadFixture) on arbitrary bytes, each input against a fresh
// in-memory database. The loader must answer a Status for anything (never crash, leak or trip UBSan),
// and a fixture it accepted must load a second time with no change (it is idempotent).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "observees/fixture.h"
#include "observees/storage.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace observees;
  if (size > 64 * 1024) return -1;  // keep inputs small: the loader's cost is per user and login
  StorageOptions options;
  options.location = ":memory:";
  options.password_hashing = PasswordHashing::kFastest;
  options.secret_key = "fuzz-secret-key-0123456789abcdef";
  Result<Storage> backend = OpenStorage(options);
  if (!backend.ok()) std::abort();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Status first = LoadFixture(*backend, text);
  if (first.ok()) {
    const Status again = LoadFixture(*backend, text);
    if (!again.ok()) std::abort();  // idempotence: an accepted fixture loads again
  }
  return 0;
}
