// Authenticator: checks logins and resolves access tokens. A host LMS implements it over its own
// credentials; the SQLite default keeps Argon2id password hashes and hashed tokens. Implementations
// must be safe to call from many threads, compare secrets in constant time and never put a secret in
// a Status message.
#pragma once

#include <optional>
#include <string_view>

#include "observees/export.h"
#include "observees/status.h"
#include "observees/types.h"

namespace observees {

class OBSERVEES_EXPORT Authenticator {
 public:
  Authenticator() = default;
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;
  virtual ~Authenticator() = default;

  // The owner of the active login `unique_id` (case-insensitive) in `root_account`; nullopt if none.
  virtual Result<std::optional<UserId>> FindLogin(AccountId root_account, std::string_view unique_id) = 0;

  // The user whose active login in `root_account` has this unique_id and password. kInvalidCredentials
  // when nothing matches, the matches resolve to more than one user, or the check is throttled or
  // locked out (D5: never success).
  virtual Result<UserId> CheckPassword(AccountId root_account, std::string_view unique_id,
                                       std::string_view password) = 0;

  // The owner of an active, unexpired access token at `now`; nullopt if the token is unknown.
  virtual Result<std::optional<UserId>> UserForAccessToken(std::string_view token, Timestamp now) = 0;
};

}  // namespace observees
