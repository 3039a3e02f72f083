// observees/secret_hash.h: the keyed hash an integrator's own store keeps for codes and tokens is the
// one the library's SQLite store keeps (so the two can share a database), per kind and per key, and
// refuses a wrong key without repeating it.
#include "observees/secret_hash.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <string>

#include "support/storage_test_util.h"
#include "support/temp_dir.h"
#include "support/world.h"

namespace observees::testing {
namespace {

TEST_CASE("SecretHash: 32 bytes, deterministic, apart per kind and per key; a wrong key is refused", "[secrets]") {
  const std::string key = storage_test::ValueOf(DeriveSecretHashKey("integrator key"));
  REQUIRE(key.size() == 32);
  const std::string code = storage_test::ValueOf(SecretHash(key, SecretKind::kPairingCode, "Abc123"));
  CHECK(code.size() == 32);
  CHECK(storage_test::ValueOf(SecretHash(key, SecretKind::kPairingCode, "Abc123")) == code);
  CHECK(storage_test::ValueOf(SecretHash(key, SecretKind::kAccessToken, "Abc123")) != code);
  CHECK(storage_test::ValueOf(SecretHash(key, SecretKind::kPairingCode, "Abc124")) != code);
  const std::string other = storage_test::ValueOf(DeriveSecretHashKey("another key"));
  CHECK(storage_test::ValueOf(SecretHash(other, SecretKind::kPairingCode, "Abc123")) != code);
  CHECK(SecretEquals(code, storage_test::ValueOf(SecretHash(key, SecretKind::kPairingCode, "Abc123"))));
  CHECK_FALSE(SecretEquals(code, other));
  CHECK_FALSE(SecretEquals(code, code.substr(1)));

  for (const std::string& bad : {std::string(), std::string(31, 'k'), std::string(33, 'k')}) {
    const Status refused = SecretHash(bad, SecretKind::kAccessToken, "tok-secret-value").status();
    CHECK(refused.code() == StatusCode::kInvalidArgument);
    CHECK(refused.message().find("tok-secret-value") == std::string::npos);
  }
  CHECK(DeriveSecretHashKey("").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("SecretHash is what the SQLite store keeps for a token and a code under the same secret_key", "[secrets]") {
  storage_test::TempDir dir;
  const std::string path = dir.File("observees.db");
  StorageOptions options = storage_test::FileOptions(path);
  options.secret_key = "integrator key";
  std::string code;
  {
    Storage storage = storage_test::ValueOf(OpenStorage(options));
    REQUIRE(LoadFixture(storage, kStandardFixture).ok());
    auto service = storage_test::ValueOf(ObservationService::Create(storage.Dependencies(options.clock)));
    code = storage_test::ValueOf(service->CreatePairingCode(Caller{kChild, kDefault, "192.0.2.1"}, kChild)).code;
  }
  const std::string key = storage_test::ValueOf(DeriveSecretHashKey("integrator key"));
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement token(db, "SELECT count(*) FROM access_tokens WHERE user_id = ?1 AND token_hash = ?2");
  const std::string token_hash = storage_test::ValueOf(SecretHash(key, SecretKind::kAccessToken, kPatToken));
  token.bind(1, static_cast<std::int64_t>(kPat));
  token.bind(2, token_hash.data(), static_cast<int>(token_hash.size()));
  REQUIRE(token.executeStep());
  CHECK(token.getColumn(0).getInt() == 1);
  SQLite::Statement stored(db, "SELECT count(*) FROM pairing_codes WHERE user_id = ?1 AND code_hash = ?2");
  const std::string code_hash = storage_test::ValueOf(SecretHash(key, SecretKind::kPairingCode, code));
  stored.bind(1, static_cast<std::int64_t>(kChild));
  stored.bind(2, code_hash.data(), static_cast<int>(code_hash.size()));
  REQUIRE(stored.executeStep());
  CHECK(stored.getColumn(0).getInt() == 1);
}

}  // namespace
}  // namespace observees::testing
