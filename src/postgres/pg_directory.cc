// SCAFFOLD: replaced by the real implementation before landing.
#include "postgres/pg_directory.h"

namespace observees {


Result<std::optional<User>> PgDirectory::FindUser(UserId) { return Internal("PgDirectory::FindUser: not implemented yet"); }
Result<std::optional<UserId>> PgDirectory::FindUserBySisId(std::string_view) { return Internal("PgDirectory::FindUserBySisId: not implemented yet"); }
Result<std::vector<User>> PgDirectory::FindUsers(std::span<const UserId>) { return Internal("PgDirectory::FindUsers: not implemented yet"); }
Result<std::optional<Account>> PgDirectory::FindAccount(AccountId) { return Internal("PgDirectory::FindAccount: not implemented yet"); }
Result<std::vector<AccountId>> PgDirectory::RootAccountIds() { return Internal("PgDirectory::RootAccountIds: not implemented yet"); }
Result<std::optional<AccountId>> PgDirectory::RootAccountForDomain(std::string_view) { return Internal("PgDirectory::RootAccountForDomain: not implemented yet"); }
Result<std::vector<AccountId>> PgDirectory::RootAccountsOf(UserId) { return Internal("PgDirectory::RootAccountsOf: not implemented yet"); }
Result<bool> PgDirectory::HasRootAccountPermission(UserId, AccountId, Permission) { return Internal("PgDirectory::HasRootAccountPermission: not implemented yet"); }
Result<bool> PgDirectory::HasPermissionInCoursesOf(UserId, UserId, Permission) { return Internal("PgDirectory::HasPermissionInCoursesOf: not implemented yet"); }
Result<bool> PgDirectory::HasAccountChainPermission(UserId, AccountId, Permission) { return Internal("PgDirectory::HasAccountChainPermission: not implemented yet"); }
Result<bool> PgDirectory::HasStudentEnrollment(UserId) { return Internal("PgDirectory::HasStudentEnrollment: not implemented yet"); }
Result<bool> PgDirectory::AvatarsEnabledFor(UserId) { return Internal("PgDirectory::AvatarsEnabledFor: not implemented yet"); }
Result<UserId> PgDirectory::CreateUser(const NewUser&, Timestamp) { return Internal("PgDirectory::CreateUser: not implemented yet"); }
Status PgDirectory::DeleteNewUser(UserId) { return Internal("PgDirectory::DeleteNewUser: not implemented yet"); }

}  // namespace observees
