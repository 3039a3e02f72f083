#include "access_rules.h"

#include <algorithm>

namespace observees {
namespace {

bool Contains(const RootAccounts& roots, AccountId id) { return std::binary_search(roots.begin(), roots.end(), id); }

Status NoSuchResource() { return NotFound("The specified resource does not exist."); }

}  // namespace

Status AccessRules::RequireCaller(const Caller& caller) {
  if (!caller.user) return Unauthenticated("user authorization required");
  return Status::Ok();
}

Result<User> AccessRules::ActiveUser(UserId id) const {
  auto user = directory_.FindUser(id);
  if (!user.ok()) return user.status();
  if (!user->has_value() || (*user)->deleted) return NoSuchResource();
  return std::move(**user);
}

Result<RootAccounts> AccessRules::RootAccountsOf(UserId user) const {
  auto roots = directory_.RootAccountsOf(user);
  if (!roots.ok()) return roots.status();
  RootAccounts sorted = std::move(*roots);
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

Result<RootAccounts> AccessRules::CommonRootAccounts(std::initializer_list<UserId> users) const {
  std::optional<RootAccounts> common;
  for (const UserId user : users) {
    auto roots = RootAccountsOf(user);
    if (!roots.ok()) return roots.status();
    common = common ? Intersection(*common, *roots) : std::move(*roots);
  }
  return common.value_or(RootAccounts{});
}

RootAccounts AccessRules::Intersection(const RootAccounts& a, const RootAccounts& b) {
  RootAccounts both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  return both;
}

Result<RootAccounts> AccessRules::Narrow(RootAccounts roots, const RootAccountScope& scope,
                                         const Caller& caller) const {
  AccountId only = caller.domain_root_account;
  switch (scope.kind) {
    case RootAccountScope::Kind::kAll: return roots;
    case RootAccountScope::Kind::kDomain: break;
    case RootAccountScope::Kind::kAccount: {
      auto account = directory_.FindAccount(scope.account);
      if (!account.ok()) return account.status();
      if (!account->has_value()) return NoSuchResource();
      only = scope.account;
      break;
    }
  }
  if (Contains(roots, only)) return RootAccounts{only};
  return RootAccounts{};
}

Result<RootAccounts> AccessRules::ManagedRootsOf(UserId actor, UserId subject) const {
  auto managed = directory_.RootAccountsWithPermission(actor, subject, Permission::kManageUserObservers);
  if (!managed.ok()) return managed.status();
  RootAccounts sorted = std::move(*managed);
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

Result<RootAccounts> AccessRules::RequireManagePermission(const RootAccounts& roots, const RootAccounts& managed) {
  if (roots.empty()) return NoSuchResource();
  RootAccounts permitted = Intersection(roots, managed);
  if (permitted.empty()) return PermissionDenied("user not authorized to perform that action");
  return permitted;
}

Result<std::optional<RootAccounts>> AccessRules::SelfOrAdmin(const Caller& caller, UserId subject,
                                                             const std::optional<RootAccountScope>& scope) const {
  if (caller.user == subject) return std::optional<RootAccounts>();
  auto roots = RootAccountsOf(subject);
  if (!roots.ok()) return roots.status();
  RootAccounts in_scope = *roots;
  if (scope) {
    auto narrowed = Narrow(std::move(in_scope), *scope, caller);
    if (!narrowed.ok()) return narrowed.status();
    in_scope = std::move(*narrowed);
  }
  if (in_scope.empty()) return NoSuchResource();
  auto managed = ManagedRootsOf(*caller.user, subject);
  if (!managed.ok()) return managed.status();
  OBSERVEES_RETURN_IF_ERROR(RequireManagePermission(in_scope, *managed));
  return Visible(caller, subject, std::move(*managed));
}

Status AccessRules::MayGenerateCodesFor(const Caller& caller, UserId student) const {
  if (caller.user == student) return Status::Ok();
  auto may = directory_.HasPermissionInCoursesOf(*caller.user, student, Permission::kGenerateObserverPairingCode);
  if (!may.ok()) return may.status();
  if (!*may) return PermissionDenied("user not authorized to perform that action");
  return Status::Ok();
}

Result<bool> AccessRules::MaySeeCodesOf(const Caller& caller, UserId student, EnrollmentStore* enrollments) const {
  if (caller.user == student) return true;
  constexpr Permission kGenerate = Permission::kGenerateObserverPairingCode;
  if (enrollments == nullptr) {
    auto roots = directory_.RootAccountsWithPermission(*caller.user, student, kGenerate);
    if (!roots.ok()) return roots.status();
    return !roots->empty();
  }
  // Rule 23's courses (non-deleted, with a non-deleted enrollment of the student's), admin chain only.
  auto enrolled = enrollments->EnrollmentsOf(student);
  if (!enrolled.ok()) return enrolled.status();
  std::vector<std::int64_t> seen;
  for (const Enrollment& enrollment : *enrolled) {
    if (enrollment.workflow_state == "deleted") continue;
    if (std::find(seen.begin(), seen.end(), enrollment.course_id) != seen.end()) continue;
    seen.push_back(enrollment.course_id);
    auto course = enrollments->FindCourse(enrollment.course_id);
    if (!course.ok()) return course.status();
    if (!course->has_value() || (*course)->workflow_state == "deleted") continue;
    auto has = directory_.HasAccountChainPermission(*caller.user, (*course)->account_id, kGenerate);
    if (!has.ok()) return has.status();
    if (*has) return true;
  }
  return false;
}

std::optional<RootAccounts> AccessRules::Visible(const Caller& caller, UserId subject, RootAccounts managed) {
  if (caller.user == subject) return std::nullopt;
  return managed;
}

std::vector<AccountId> AccessRules::LinkRootAccountIds(const std::vector<Link>& links,
                                                       const std::optional<RootAccounts>& visible) {
  std::vector<AccountId> ids;
  for (const Link& link : links) {
    if (link.state != LinkState::kActive || !link.root_account_id) continue;
    const AccountId root = *link.root_account_id;
    if (visible && !Contains(*visible, root)) continue;
    if (std::find(ids.begin(), ids.end(), root) == ids.end()) ids.push_back(root);
  }
  return ids;
}

}  // namespace observees
