// Who may act for whom, and in which root accounts: Canvas's rules 26-30 and 42 in one place, over a
// UserDirectory. Stateless apart from the directory; thread-safe if the directory is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "observees/enrollment_store.h"
#include "observees/observation_service.h"
#include "observees/user_directory.h"

namespace observees {

using RootAccounts = std::vector<AccountId>;  // ascending ids

class AccessRules {
 public:
  explicit AccessRules(UserDirectory& directory) : directory_(directory) {}

  // kUnauthenticated for an anonymous caller (rule 31).
  static Status RequireCaller(const Caller& caller);

  // The non-deleted user with this id; kNotFound otherwise (rule 26).
  Result<User> ActiveUser(UserId id) const;

  // Rule 27: the root accounts `user` is associated with.
  Result<RootAccounts> RootAccountsOf(UserId user) const;
  // Rule 27: the root accounts every one of `users` is associated with.
  Result<RootAccounts> CommonRootAccounts(std::initializer_list<UserId> users) const;
  static RootAccounts Intersection(const RootAccounts& a, const RootAccounts& b);

  // Rule 27's narrowing by the root_account_id parameter: the domain root account, all, or one account
  // (kNotFound when that account does not exist).
  Result<RootAccounts> Narrow(RootAccounts roots, const RootAccountScope& scope, const Caller& caller) const;

  // The root accounts of `subject` where `actor` holds manage_user_observers (rule 28).
  Result<RootAccounts> ManagedRootsOf(UserId actor, UserId subject) const;

  // Rule 29 over rule 28, from permissions already asked: kNotFound when `roots` is empty,
  // kPermissionDenied when `managed` (the roots where the caller holds the permission, a superset of
  // those of `roots` it holds it in) has none of them; otherwise the permitted subset of `roots`.
  static Result<RootAccounts> RequireManagePermission(const RootAccounts& roots, const RootAccounts& managed);

  // Rule 30, the before-action of E1-E5 and E7 (the subject themselves, or an administrator with
  // manage_user_observers in one of the subject's root accounts, narrowed by `scope` when given), and
  // rule 42's filter for the same subject (Visible), each root's permission asked once: kNotFound or
  // kPermissionDenied, else the filter.
  Result<std::optional<RootAccounts>> SelfOrAdmin(const Caller& caller, UserId subject,
                                                  const std::optional<RootAccountScope>& scope) const;

  // Rule 23: the student themselves, or a holder of generate_observer_pairing_code in one of the
  // student's courses; kPermissionDenied otherwise.
  Status MayGenerateCodesFor(const Caller& caller, UserId student) const;

  // Who sees a student's codes in clear in a listing: the student, or a caller holding
  // generate_observer_pairing_code through an admin membership over one of the student's courses (with
  // `enrollments`) or on one of the student's root accounts (without). A role override in a course
  // does not count.
  Result<bool> MaySeeCodesOf(const Caller& caller, UserId student, EnrollmentStore* enrollments) const;

  // Rule 42's filter: nullopt when the caller is the subject (every link counts), else `managed`, the
  // root accounts of the subject where the caller holds manage_user_observers.
  static std::optional<RootAccounts> Visible(const Caller& caller, UserId subject, RootAccounts managed);

  // Rule 42: the root accounts of the non-deleted `links`, in link order, without repeats, restricted to
  // `visible` when given (legacy NULL-root links drop out then, and are never listed).
  static std::vector<AccountId> LinkRootAccountIds(const std::vector<Link>& links,
                                                   const std::optional<RootAccounts>& visible);

 private:
  UserDirectory& directory_;
};

}  // namespace observees
