// SqliteAuthenticator: Authenticator over the SQLite default database's logins (Argon2id password
// hashes) and access_tokens (keyed hashes). Thread-safe per sqlite.h's connection model; no method
// throws or holds a connection while a password hash is being checked.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "observees/authenticator.h"
#include "sqlite/sqlite_database.h"

namespace observees {

class SqliteAuthenticator final : public Authenticator {
 public:
  explicit SqliteAuthenticator(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  // Logins match on unique_id folded to ASCII lowercase; logins of deleted users do not count.
  Result<std::optional<UserId>> FindLogin(AccountId root_account, std::string_view unique_id) override;
  // kInvalidCredentials "Invalid credentials provided." unless the password verifies for active logins
  // of exactly one user.
  Result<UserId> CheckPassword(AccountId root_account, std::string_view unique_id, std::string_view password) override;
  Result<std::optional<UserId>> UserForAccessToken(std::string_view token, Timestamp now) override;

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace observees
