// UserDirectory: what the service needs to know about users, accounts, permissions and enrollments.
// A host LMS implements it over its own tables; the SQLite default (sqlite.h) implements it over the
// fixture's. Implementations must be safe to call from many threads at once. Every method returns
// kInternal (never throws) when its storage fails.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observees/export.h"
#include "observees/status.h"
#include "observees/types.h"

namespace observees {

// Canvas permissions these rules consult. manage_students (enrolling users in courses) has no
// per-admin column in the fixture: AccountAdmin holds it, other roles through role overrides.
enum class Permission { kManageUserObservers, kGenerateObserverPairingCode, kManageStudents };

// A user created by observer self-registration, with one login in `root_account_id`.
struct NewUser {
  std::string name;
  std::string sortable_name;  // already defaulted by the service
  std::string short_name;
  AccountId root_account_id = 0;
  std::string unique_id;
  std::string password;  // in clear only in memory; the directory stores a password hash
};

class OBSERVEES_EXPORT UserDirectory {
 public:
  UserDirectory() = default;
  UserDirectory(const UserDirectory&) = delete;
  UserDirectory& operator=(const UserDirectory&) = delete;
  virtual ~UserDirectory() = default;

  // The user with this id, deleted or not; nullopt when there is none.
  virtual Result<std::optional<User>> FindUser(UserId id) = 0;
  // The non-deleted user with this SIS id; nullopt when there is none.
  virtual Result<std::optional<UserId>> FindUserBySisId(std::string_view sis_user_id) = 0;
  // The non-deleted user with this SIS id who has an active login in root account `root_account` (as
  // Canvas resolves a SIS import's ids through the root account's active pseudonyms); nullopt otherwise.
  virtual Result<std::optional<UserId>> FindUserBySisIdInRootAccount(std::string_view sis_user_id,
                                                                     AccountId root_account) = 0;
  // The users among `ids` that exist, in any order; unknown ids are skipped.
  virtual Result<std::vector<User>> FindUsers(std::span<const UserId> ids) = 0;

  virtual Result<std::optional<Account>> FindAccount(AccountId id) = 0;
  // Every root account's id, ascending.
  virtual Result<std::vector<AccountId>> RootAccountIds() = 0;
  // The root account whose domain list holds `host` (no port); nullopt when none does.
  virtual Result<std::optional<AccountId>> RootAccountForDomain(std::string_view host) = 0;

  // The root accounts a user is associated with (rule 27): through an active login, a non-deleted,
  // non-rejected enrollment (not student view) in a course under it, or an admin membership under it.
  // Ascending ids.
  virtual Result<std::vector<AccountId>> RootAccountsOf(UserId user) = 0;

  // Whether `actor` holds `permission` on the root account itself (manage_user_observers is a
  // root-account-only permission, rule 28).
  virtual Result<bool> HasRootAccountPermission(UserId actor, AccountId root_account, Permission permission) = 0;

  // The root accounts of `user` (RootAccountsOf) where `actor` holds `permission` on the root account
  // itself (HasRootAccountPermission), ascending. The default asks HasRootAccountPermission root by
  // root; a directory that pays per query (the library's own) answers in one.
  virtual Result<std::vector<AccountId>> RootAccountsWithPermission(UserId actor, UserId user, Permission permission);

  // Whether `actor` holds `permission` in any non-deleted course where `student` has a non-deleted
  // enrollment, through an admin membership on the course's account chain or a course enrollment whose
  // role an override enables (rule 23).
  virtual Result<bool> HasPermissionInCoursesOf(UserId actor, UserId student, Permission permission) = 0;

  // Whether `actor` holds `permission` through an admin membership on `account` or one of its
  // ancestors.
  virtual Result<bool> HasAccountChainPermission(UserId actor, AccountId account, Permission permission) = 0;

  // Rule 22a: a StudentEnrollment or StudentViewEnrollment not rejected, inactive or deleted.
  virtual Result<bool> HasStudentEnrollment(UserId user) = 0;

  // Whether include[]=avatar_url shows this user's avatar (the avatars service of their account).
  virtual Result<bool> AvatarsEnabledFor(UserId user) = 0;

  // Creates a user with one login. kAlreadyExists when the unique_id is taken in that root account
  // (case-insensitive). The error never repeats the password.
  virtual Result<UserId> CreateUser(const NewUser& user, Timestamp now) = 0;

  // Undoes CreateUser for a user that nothing refers to yet (self-registration that lost a race for
  // its pairing code). kNotFound when there is no such user.
  virtual Status DeleteNewUser(UserId user) = 0;
};

}  // namespace observees
