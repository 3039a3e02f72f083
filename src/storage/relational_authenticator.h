// RelationalAuthenticator: Authenticator over the logins (Argon2id password hashes) and access tokens
// (keyed hashes) tables, on any engine Db (engine.h). Secrets are compared in constant time and never
// reach a Status message. Thread-safe if Db is.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "observees/authenticator.h"
#include "secrets.h"
#include "storage/storage_guard.h"
#include "storage/unique_id.h"
#include "storage/values.h"

namespace observees::storage {

namespace authenticator_sql {

inline constexpr char kFindLogin[] =
    "SELECT l.user_id FROM logins l JOIN users u ON u.id = l.user_id "
    "WHERE l.account_id = ?1 AND l.unique_id_folded = ?2 AND l.workflow_state = 'active' "
    "AND u.workflow_state <> 'deleted' ORDER BY l.id LIMIT 1";
inline constexpr char kPasswordHashes[] =
    "SELECT l.user_id, l.password_hash FROM logins l JOIN users u ON u.id = l.user_id "
    "WHERE l.account_id = ?1 AND l.unique_id_folded = ?2 AND l.workflow_state = 'active' "
    "AND l.password_hash IS NOT NULL AND u.workflow_state <> 'deleted'";
inline constexpr char kTokenOwner[] =
    "SELECT t.user_id, t.token_hash FROM access_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.token_hash = ?1 AND t.workflow_state = 'active' AND (t.expires_at IS NULL OR t.expires_at > ?2) "
    "AND u.workflow_state <> 'deleted'";

}  // namespace authenticator_sql

template <typename Db>
class RelationalAuthenticator final : public Authenticator {
 public:
  explicit RelationalAuthenticator(std::shared_ptr<Db> db) : db_(std::move(db)) {}

  Result<std::optional<UserId>> FindLogin(AccountId root_account, std::string_view unique_id) override {
    return GuardStorage("FindLogin", [&]() -> Result<std::optional<UserId>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(authenticator_sql::kFindLogin, root_account, FoldUniqueId(unique_id));
      if (!row.Next()) return std::optional<UserId>();
      return std::optional<UserId>(row.Int(0));
    });
  }

  Result<UserId> CheckPassword(AccountId root_account, std::string_view unique_id, std::string_view password) override {
    return GuardStorage("CheckPassword", [&]() -> Result<UserId> {
      std::vector<std::pair<UserId, std::string>> candidates;
      {
        auto lease = db_->Acquire();
        auto rows = lease->Query(authenticator_sql::kPasswordHashes, root_account, FoldUniqueId(unique_id));
        while (rows.Next()) candidates.emplace_back(rows.Int(0), rows.Text(1));
      }
      // The connection is back in the pool: Argon2id runs without holding storage.
      std::set<UserId> matches;
      for (const auto& [user, hash] : candidates) {
        if (secrets::VerifyPassword(hash, password)) matches.insert(user);
      }
      if (matches.size() != 1) return Status(StatusCode::kInvalidCredentials, "Invalid credentials provided.");
      return *matches.begin();
    });
  }

  Result<std::optional<UserId>> UserForAccessToken(std::string_view token, Timestamp now) override {
    return GuardStorage("UserForAccessToken", [&]() -> Result<std::optional<UserId>> {
      const std::string hash = db_->HashToken(token);
      auto lease = db_->Acquire();
      auto row = lease->Query(authenticator_sql::kTokenOwner, Blob{hash}, now);
      if (!row.Next() || !secrets::ConstantTimeEquals(row.Bytes(1), hash)) return std::optional<UserId>();
      return std::optional<UserId>(row.Int(0));
    });
  }

 private:
  std::shared_ptr<Db> db_;
};

}  // namespace observees::storage
