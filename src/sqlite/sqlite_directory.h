// SqliteDirectory: UserDirectory over the SQLite default database's directory tables (accounts,
// account_domains, users, logins, admins, role_overrides, courses, enrollments). Thread-safe per
// sqlite.h's connection model; every method returns kInternal, never throws, when storage fails.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observees/user_directory.h"
#include "sqlite/sqlite_database.h"

namespace observees {

class SqliteDirectory final : public UserDirectory {
 public:
  explicit SqliteDirectory(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  Result<std::optional<User>> FindUser(UserId id) override;
  Result<std::optional<UserId>> FindUserBySisId(std::string_view sis_user_id) override;
  Result<std::vector<User>> FindUsers(std::span<const UserId> ids) override;

  Result<std::optional<Account>> FindAccount(AccountId id) override;
  Result<std::vector<AccountId>> RootAccountIds() override;
  // Hosts compare case-insensitively (ASCII); the answer is the root of the account holding the domain.
  Result<std::optional<AccountId>> RootAccountForDomain(std::string_view host) override;

  Result<std::vector<AccountId>> RootAccountsOf(UserId user) override;

  // Permissions of an admin row: its explicit column when set, else the nearest role override for its
  // role from its account upward, else the role's default (on for AccountAdmin only). Enrollment roles
  // in a course hold a permission only through a role override on the course's account chain.
  Result<bool> HasRootAccountPermission(UserId actor, AccountId root_account, Permission permission) override;
  Result<bool> HasPermissionInCoursesOf(UserId actor, UserId student, Permission permission) override;

  Result<bool> HasAccountChainPermission(UserId actor, AccountId account, Permission permission) override;
  Result<bool> HasStudentEnrollment(UserId user) override;
  Result<bool> AvatarsEnabledFor(UserId user) override;

  // kNotFound when `root_account_id` is not a root account; kAlreadyExists (field
  // "pseudonym[unique_id]") when a non-deleted login holds the unique_id there (ASCII case-insensitive);
  // kInvalidArgument for an empty unique_id.
  Result<UserId> CreateUser(const NewUser& user, Timestamp now) override;
  Status DeleteNewUser(UserId user) override;

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace observees
