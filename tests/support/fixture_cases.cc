#include "support/fixture_cases.h"

#include <catch2/catch.hpp>

namespace observees::storage_test {

std::vector<SecretLeakCase> SecretLeakCases() {
  const std::string password = kSecretPassword;
  const std::string token = kSecretToken;
  const std::string code = kSecretCode;
  return {
      {"a login in an unknown account, beside a password and a token",
       R"({"users": [{"id": 40, "name": "Nora", "tokens": [")" + token +
           R"("], "logins": [{"account_id": 99, "unique_id": "nora", "password": ")" + password + R"("}]}]})",
       true},
      {"an unknown key beside a password",
       R"({"accounts": [{"id": 1}], "users": [{"id": 40, "name": "Nora", "logins": [{"account_id": 1, "unique_id": "nora", "password": ")" +
           password + R"(", "pasword": ")" + password + R"("}]}]})",
       true},
      {"a password of the wrong type",
       R"({"accounts": [{"id": 1}], "users": [{"id": 40, "name": "Nora", "logins": [{"account_id": 1, "unique_id": "nora", "password": [")" +
           password + R"("]}]}]})",
       true},
      {"a token list that is a string", R"({"users": [{"id": 40, "name": "Nora", "tokens": ")" + token + R"("}]})",
       true},
      {"a login given as a bare password",
       R"({"users": [{"id": 40, "name": "Nora", "logins": [")" + password + R"("]}]})", true},
      {"a token object with a bad expires_at",
       R"({"users": [{"id": 40, "name": "Nora", "tokens": [{"token": ")" + token + R"(", "expires_at": "later"}]}]})",
       true},
      {"a code given as a bare string",
       R"({"users": [{"id": 40, "name": "Nora"}], "pairing_codes": [")" + code + R"("]})", true},
      {"a bad entry after a token", R"({"users": [{"id": 40, "name": "Nora", "tokens": [")" + token + R"(", 42]}]})",
       true},
      {"a code with a bad expires_at",
       R"({"users": [{"id": 40, "name": "Nora"}], "pairing_codes": [{"user_id": 40, "code": ")" + code +
           R"(", "expires_at": "soon"}]})",
       true},
      {"a code for an unknown user",
       R"({"pairing_codes": [{"user_id": 999, "code": ")" + code + R"(", "expires_at": "2030-01-01T00:00:00Z"}]})",
       true},
      {"a code of the wrong type",
       R"({"users": [{"id": 40, "name": "Nora"}], "pairing_codes": [{"user_id": 40, "code": {"c": ")" + code +
           R"("}, "expires_at": "2030-01-01T00:00:00Z"}]})",
       true},
      {"malformed JSON cut after a password",
       R"({"accounts": [{"id": 1}], "users": [{"id": 40, "logins": [{"account_id": 1, "unique_id": "nora", "password": ")" +
           password + R"(")",
       true},
      {"one token for two users (refused or not, never echoed)",
       R"({"users": [{"id": 40, "name": "Nora", "tokens": [")" + token +
           R"("]}, {"id": 41, "name": "Otto", "tokens": [")" + token + R"("]}]})",
       false},
      {"an over-long code (refused or not, never echoed)",
       R"({"users": [{"id": 40, "name": "Nora"}], "pairing_codes": [{"user_id": 40, "code": ")" + code +
           R"(-much-too-long!", "expires_at": "2030-01-01T00:00:00Z"}]})",
       false},
  };
}

void CheckNoSecretIn(const Status& status) {
  INFO(status.ToString());
  for (const std::string secret : {kSecretPassword, kSecretToken, kSecretCode}) {
    CHECK(status.message().find(secret) == std::string::npos);
    CHECK(status.field().find(secret) == std::string::npos);
    CHECK(status.ToString().find(secret) == std::string::npos);
  }
}

}  // namespace observees::storage_test
