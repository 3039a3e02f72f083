// PgAuthenticator: Authenticator over the PostgreSQL backend's logins (Argon2id password hashes) and
// access_tokens (keyed hashes), with SqliteAuthenticator's rules. Thread-safe; no method holds a
// connection while a password hash is being checked.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "observees/authenticator.h"
#include "postgres/pg_database.h"

namespace observees {

class PgAuthenticator final : public Authenticator {
 public:
  explicit PgAuthenticator(std::shared_ptr<PostgresDatabase> db) : db_(std::move(db)) {}

  Result<std::optional<UserId>> FindLogin(AccountId root_account, std::string_view unique_id) override;
  Result<UserId> CheckPassword(AccountId root_account, std::string_view unique_id, std::string_view password) override;
  Result<std::optional<UserId>> UserForAccessToken(std::string_view token, Timestamp now) override;

 private:
  std::shared_ptr<PostgresDatabase> db_;
};

}  // namespace observees
