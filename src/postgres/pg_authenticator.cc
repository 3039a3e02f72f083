#include "postgres/pg_authenticator.h"

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "secrets.h"
#include "unique_id.h"

namespace observees {
namespace {

Status InvalidCredentials() { return {StatusCode::kInvalidCredentials, "Invalid credentials provided."}; }

}  // namespace

Result<std::optional<UserId>> PgAuthenticator::FindLogin(AccountId root_account, std::string_view unique_id) {
  static constexpr char kSql[] = R"sql(
SELECT l.user_id FROM logins l JOIN users u ON u.id = l.user_id
WHERE l.account_id = $1 AND l.unique_id_folded = $2 AND l.workflow_state = 'active'
  AND u.workflow_state <> 'deleted'
ORDER BY l.id LIMIT 1)sql";
  return GuardStorage("FindLogin", [&]() -> Result<std::optional<UserId>> {
    auto lease = db_->Acquire();
    const PgResult r = lease->Exec(kSql, PgParams().Int(root_account).Text(FoldUniqueId(unique_id)));
    if (r.empty()) return std::optional<UserId>();
    return std::optional<UserId>(r.Int(0, 0));
  });
}

Result<UserId> PgAuthenticator::CheckPassword(AccountId root_account, std::string_view unique_id,
                                              std::string_view password) {
  static constexpr char kSql[] = R"sql(
SELECT l.user_id, l.password_hash FROM logins l JOIN users u ON u.id = l.user_id
WHERE l.account_id = $1 AND l.unique_id_folded = $2 AND l.workflow_state = 'active'
  AND l.password_hash IS NOT NULL AND u.workflow_state <> 'deleted')sql";
  return GuardStorage("CheckPassword", [&]() -> Result<UserId> {
    std::vector<std::pair<UserId, std::string>> candidates;
    {
      auto lease = db_->Acquire();
      const PgResult r = lease->Exec(kSql, PgParams().Int(root_account).Text(FoldUniqueId(unique_id)));
      for (int i = 0; i < r.rows(); ++i) candidates.emplace_back(r.Int(i, 0), r.Text(i, 1));
    }
    // The connection is back in the pool: Argon2id runs without holding storage.
    std::set<UserId> matches;
    for (const auto& [user, hash] : candidates) {
      if (secrets::VerifyPassword(hash, password)) matches.insert(user);
    }
    if (matches.size() != 1) return InvalidCredentials();
    return *matches.begin();
  });
}

Result<std::optional<UserId>> PgAuthenticator::UserForAccessToken(std::string_view token, Timestamp now) {
  static constexpr char kSql[] = R"sql(
SELECT t.user_id, t.token_hash FROM access_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.workflow_state = 'active' AND (t.expires_at IS NULL OR t.expires_at > $2)
  AND u.workflow_state <> 'deleted')sql";
  return GuardStorage("UserForAccessToken", [&]() -> Result<std::optional<UserId>> {
    const std::string hash = db_->HashToken(token);
    auto lease = db_->Acquire();
    const PgResult r =
        lease->Exec(kSql, PgParams().Bytes(hash).Int(static_cast<std::int64_t>(now.time_since_epoch().count())));
    if (r.empty()) return std::optional<UserId>();
    if (!secrets::ConstantTimeEquals(r.Bytes(0, 1), hash)) return std::optional<UserId>();
    return std::optional<UserId>(r.Int(0, 0));
  });
}

}  // namespace observees
