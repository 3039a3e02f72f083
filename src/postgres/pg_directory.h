// PgDirectory: UserDirectory over the PostgreSQL backend's directory tables (the SQLite default's, same
// names and columns), with the same rules as SqliteDirectory (sqlite/sqlite_directory.h documents
// them). Thread-safe per postgres.h's connection model; storage failures are kInternal, never a throw.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observees/user_directory.h"
#include "postgres/pg_database.h"

namespace observees {

class PgDirectory final : public UserDirectory {
 public:
  explicit PgDirectory(std::shared_ptr<PostgresDatabase> db) : db_(std::move(db)) {}

  Result<std::optional<User>> FindUser(UserId id) override;
  Result<std::optional<UserId>> FindUserBySisId(std::string_view sis_user_id) override;
  Result<std::vector<User>> FindUsers(std::span<const UserId> ids) override;
  Result<std::optional<Account>> FindAccount(AccountId id) override;
  Result<std::vector<AccountId>> RootAccountIds() override;
  Result<std::optional<AccountId>> RootAccountForDomain(std::string_view host) override;
  Result<std::vector<AccountId>> RootAccountsOf(UserId user) override;
  Result<bool> HasRootAccountPermission(UserId actor, AccountId root_account, Permission permission) override;
  Result<bool> HasPermissionInCoursesOf(UserId actor, UserId student, Permission permission) override;
  Result<bool> HasAccountChainPermission(UserId actor, AccountId account, Permission permission) override;
  Result<bool> HasStudentEnrollment(UserId user) override;
  Result<bool> AvatarsEnabledFor(UserId user) override;
  Result<UserId> CreateUser(const NewUser& user, Timestamp now) override;
  Status DeleteNewUser(UserId user) override;

 private:
  std::shared_ptr<PostgresDatabase> db_;
};

}  // namespace observees
