#include "storage/fixture_plan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>
#include <utility>

#include "observees/fixture.h"
#include "secrets.h"

namespace observees {
namespace {

std::string AccountText(AccountId id) { return "account " + std::to_string(id); }

// The accounts of the fixture and of the database as one tree: fixture records win.
class AccountTree {
 public:
  AccountTree(FixtureLookup& lookup, const ParsedFixture& fixture) : lookup_(lookup) {
    for (const FixtureAccount& account : fixture.accounts) parents_[account.id] = account.parent_id;
  }

  // nullopt: no such account. Otherwise its parent (nullopt for a root account).
  std::optional<std::optional<AccountId>> Parent(AccountId id) {
    if (const auto it = parents_.find(id); it != parents_.end()) return it->second;
    const auto parent = lookup_.AccountParent(id);
    if (parent) parents_[id] = *parent;
    return parent;
  }

  // kInvalidArgument at `path` unless account `id` exists (and is a root account when `root` is set).
  Status Check(AccountId id, const std::string& path, bool root) {
    const auto parent = Parent(id);
    if (!parent) return FixtureError(path, AccountText(id) + " exists neither in the fixture nor in the database");
    if (root && *parent) {
      return FixtureError(path,
                          AccountText(id) + " is not a root account (its parent is " + std::to_string(**parent) + ")");
    }
    return Status::Ok();
  }

  struct Ancestry {
    AccountId root = 0;
    std::size_t depth = 0;  // steps from the account up to its root
  };

  // The root reached from `account` through parent_id; kInvalidArgument at `path` for a cycle or a
  // missing ancestor.
  Result<Ancestry> Root(AccountId account, const std::string& path) {
    std::set<AccountId> visited;
    std::string chain = std::to_string(account);
    AccountId current = account;
    std::size_t depth = 0;
    while (true) {
      visited.insert(current);
      const auto parent = Parent(current);
      if (!parent)
        return FixtureError(path, AccountText(current) + " exists neither in the fixture nor in the database");
      if (!*parent) return Ancestry{current, depth};
      chain += " -> " + std::to_string(**parent);
      if (visited.contains(**parent)) return FixtureError(path, "parent cycle: " + chain);
      current = **parent;
      ++depth;
    }
  }

 private:
  FixtureLookup& lookup_;
  std::map<AccountId, std::optional<AccountId>> parents_;
};

// Existence of users or courses, in the fixture or in the database.
class Known {
 public:
  using Exists = bool (FixtureLookup::*)(std::int64_t);
  Known(FixtureLookup& lookup, Exists exists, std::string noun)
      : lookup_(lookup), exists_(exists), noun_(std::move(noun)) {}
  void Add(std::int64_t id) { known_.insert(id); }

  Status Check(std::int64_t id, const std::string& path) {
    if (known_.contains(id)) return Status::Ok();
    if (!(lookup_.*exists_)(id)) {
      return FixtureError(path,
                          noun_ + " " + std::to_string(id) + " exists neither in the fixture nor in the database");
    }
    known_.insert(id);
    return Status::Ok();
  }

 private:
  FixtureLookup& lookup_;
  Exists exists_;
  std::string noun_;
  std::set<std::int64_t> known_;
};

// Roots, a parents-first write order and the domain rule for the fixture's accounts.
Status ResolveAccounts(const ParsedFixture& fixture, AccountTree& accounts, FixturePlan& plan) {
  for (const FixtureAccount& account : fixture.accounts) {
    if (account.parent_id)
      OBSERVEES_RETURN_IF_ERROR(accounts.Check(*account.parent_id, account.path + ".parent_id", false));
  }
  std::vector<std::size_t> depths;
  for (const FixtureAccount& account : fixture.accounts) {
    auto ancestry = accounts.Root(account.id, account.path + (account.parent_id ? ".parent_id" : ".id"));
    if (!ancestry.ok()) return ancestry.status();
    plan.account_roots[account.id] = ancestry->root;
    depths.push_back(ancestry->depth);
    if (!account.domains.empty() && account.parent_id) {
      return FixtureError(account.path + ".domains", "only root accounts have domains; " + AccountText(account.id) +
                                                         " has parent " + std::to_string(*account.parent_id));
    }
  }
  // A parent is one level nearer its root than its child, so ordering by depth puts it first.
  plan.accounts_parents_first.resize(fixture.accounts.size());
  for (std::size_t i = 0; i < plan.accounts_parents_first.size(); ++i) plan.accounts_parents_first[i] = i;
  std::stable_sort(plan.accounts_parents_first.begin(), plan.accounts_parents_first.end(),
                   [&](std::size_t a, std::size_t b) { return depths[a] < depths[b]; });
  return Status::Ok();
}

// SIS ids held by users outside the fixture, and the stored hash of every fixture login.
Status ResolveUsers(const ParsedFixture& fixture, FixtureLookup& lookup, AccountTree& accounts, FixturePlan& plan) {
  std::set<UserId> fixture_users;
  for (const FixtureUser& user : fixture.users) fixture_users.insert(user.id);
  for (const FixtureUser& user : fixture.users) {
    if (user.sis_user_id) {
      const auto holder = lookup.UserWithSisId(*user.sis_user_id);
      if (holder && *holder != user.id && !fixture_users.contains(*holder)) {
        return FixtureError(user.path + ".sis_user_id",
                            "\"" + *user.sis_user_id + "\" already belongs to user " + std::to_string(*holder));
      }
    }
    for (const FixtureLogin& login : user.logins) {
      OBSERVEES_RETURN_IF_ERROR(accounts.Check(login.account_id, login.path + ".account_id", true));
      plan.stored_hashes.push_back(lookup.LoginPasswordHash(login.account_id, login.unique_id_folded));
    }
  }
  return Status::Ok();
}

Status ResolveLinks(const ParsedFixture& fixture, FixtureLookup& lookup, AccountTree& accounts, Known& users) {
  for (const FixtureLink& link : fixture.links) {
    OBSERVEES_RETURN_IF_ERROR(users.Check(link.observer_id, link.path + ".observer_id"));
    OBSERVEES_RETURN_IF_ERROR(users.Check(link.student_id, link.path + ".student_id"));
    if (link.root_account_id) {
      OBSERVEES_RETURN_IF_ERROR(accounts.Check(*link.root_account_id, link.path + ".root_account_id", true));
    }
    if (link.id) {
      const auto existing = lookup.FindLink(link.student_id, link.observer_id, link.root_account_id);
      if (existing && *existing != *link.id) {
        return FixtureError(link.path + ".id", "the database already holds this link (observer " +
                                                   std::to_string(link.observer_id) + ", student " +
                                                   std::to_string(link.student_id) + ") with id " +
                                                   std::to_string(*existing));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status ResolveFixture(const ParsedFixture& fixture, FixtureLookup& lookup, FixturePlan& plan) {
  AccountTree accounts(lookup, fixture);
  Known users(lookup, &FixtureLookup::UserExists, "user");
  Known courses(lookup, &FixtureLookup::CourseExists, "course");
  for (const FixtureUser& user : fixture.users) users.Add(user.id);
  for (const FixtureCourse& course : fixture.courses) courses.Add(course.id);

  OBSERVEES_RETURN_IF_ERROR(ResolveAccounts(fixture, accounts, plan));
  OBSERVEES_RETURN_IF_ERROR(ResolveUsers(fixture, lookup, accounts, plan));
  for (const FixtureAdmin& admin : fixture.admins) {
    OBSERVEES_RETURN_IF_ERROR(users.Check(admin.user_id, admin.path + ".user_id"));
    OBSERVEES_RETURN_IF_ERROR(accounts.Check(admin.account_id, admin.path + ".account_id", false));
  }
  for (const FixtureRoleOverride& role_override : fixture.role_overrides) {
    OBSERVEES_RETURN_IF_ERROR(accounts.Check(role_override.account_id, role_override.path + ".account_id", false));
  }
  for (const FixtureCourse& course : fixture.courses) {
    OBSERVEES_RETURN_IF_ERROR(accounts.Check(course.account_id, course.path + ".account_id", false));
  }
  for (const FixtureEnrollment& enrollment : fixture.enrollments) {
    OBSERVEES_RETURN_IF_ERROR(users.Check(enrollment.user_id, enrollment.path + ".user_id"));
    OBSERVEES_RETURN_IF_ERROR(courses.Check(enrollment.course_id, enrollment.path + ".course_id"));
    if (enrollment.associated_user_id) {
      OBSERVEES_RETURN_IF_ERROR(users.Check(*enrollment.associated_user_id, enrollment.path + ".associated_user_id"));
    }
  }
  OBSERVEES_RETURN_IF_ERROR(ResolveLinks(fixture, lookup, accounts, users));
  for (const FixturePairingCode& code : fixture.pairing_codes) {
    OBSERVEES_RETURN_IF_ERROR(users.Check(code.user_id, code.path + ".user_id"));
  }
  return Status::Ok();
}

Status HashFixturePasswords(const ParsedFixture& fixture, PasswordHashing cost, FixturePlan& plan) {
  std::size_t index = 0;
  for (const FixtureUser& user : fixture.users) {
    for (const FixtureLogin& login : user.logins) {
      const std::optional<std::string>& stored = plan.stored_hashes[index++];
      if (!login.password) {
        plan.password_hashes.emplace_back();
      } else if (stored && secrets::VerifyPassword(*stored, *login.password)) {
        plan.password_hashes.push_back(stored);
      } else {
        Result<std::string> hash = secrets::HashPassword(*login.password, cost);
        if (!hash.ok()) return hash.status();
        plan.password_hashes.push_back(std::move(*hash));
      }
    }
  }
  return Status::Ok();
}

Result<std::string> ReadFixtureFile(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec)) return NotFound("cannot read fixture file " + path);
  std::string text;
  char chunk[64 * 1024];
  while (in && text.size() <= kMaxFixtureBytes) {  // bounded: a device such as /dev/zero never ends
    in.read(chunk, sizeof(chunk));
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return NotFound("cannot read fixture file " + path);
  if (text.size() > kMaxFixtureBytes) return FixtureTooLarge("file " + path);
  return text;
}

}  // namespace observees
