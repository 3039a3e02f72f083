// SCAFFOLD: replaced by the real implementation before landing.
#include "postgres/pg_authenticator.h"

namespace observees {


Result<std::optional<UserId>> PgAuthenticator::FindLogin(AccountId, std::string_view) { return Internal("PgAuthenticator::FindLogin: not implemented yet"); }
Result<UserId> PgAuthenticator::CheckPassword(AccountId, std::string_view, std::string_view) { return Internal("PgAuthenticator::CheckPassword: not implemented yet"); }
Result<std::optional<UserId>> PgAuthenticator::UserForAccessToken(std::string_view, Timestamp) { return Internal("PgAuthenticator::UserForAccessToken: not implemented yet"); }

}  // namespace observees
