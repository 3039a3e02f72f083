// secrets.h's libsodium calls: a refusal (a key past libsodium's limits) throws CryptoFailure, which the
// engines turn into kInternal, instead of hashing with an unset state or reading past a short key.
#include <catch2/catch.hpp>
#include <string>

#include "secrets.h"

namespace observees {
namespace {

TEST_CASE("KeyedHash takes keys up to 64 bytes and refuses longer ones", "[secrets][meta]") {
  CHECK(secrets::KeyedHash(std::string(64, 'k'), "purpose", "secret").size() == 32);
  CHECK(secrets::KeyedHash(std::string(64, 'k'), "purpose", "secret") !=
        secrets::KeyedHash(std::string(63, 'k'), "purpose", "secret"));
  for (const std::size_t length : {std::size_t{65}, std::size_t{1000}}) {
    INFO(length << "-byte key");
    CHECK_THROWS_AS(secrets::KeyedHash(std::string(length, 'k'), "purpose", "secret"), secrets::CryptoFailure);
  }
}

TEST_CASE("Seal refuses a key that is not 32 bytes; Open answers nullopt for one", "[secrets][meta]") {
  const std::string key(secrets::kKeyBytes, 'k');
  CHECK(secrets::Open(key, secrets::Seal(key, "Abc123")) == std::optional<std::string>("Abc123"));
  for (const std::size_t length : {std::size_t{0}, std::size_t{31}, std::size_t{33}}) {
    INFO(length << "-byte key");
    CHECK_THROWS_AS(secrets::Seal(std::string(length, 'k'), "Abc123"), secrets::CryptoFailure);
    CHECK_FALSE(secrets::Open(std::string(length, 'k'), secrets::Seal(key, "Abc123")).has_value());
  }
}

}  // namespace
}  // namespace observees
