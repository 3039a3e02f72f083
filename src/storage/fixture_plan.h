// The backend-neutral part of the fixture loaders (fixture.h): checks a parsed fixture
// (fixture_parser.h) against what the database already holds, through a backend's FixtureLookup, and
// plans what writing needs (account roots and write order, password hashes); reads fixture files.
// No SQL here. Pure functions over their arguments; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "observees/status.h"
#include "observees/storage.h"  // PasswordHashing
#include "observees/types.h"
#include "storage/fixture_parser.h"

namespace observees {

// Read-only single-row lookups of what the database already holds, implemented by each backend.
// Storage failures throw (the loader's GuardStorage turns them into kInternal).
class FixtureLookup {
 public:
  FixtureLookup() = default;
  FixtureLookup(const FixtureLookup&) = delete;
  FixtureLookup& operator=(const FixtureLookup&) = delete;
  virtual ~FixtureLookup() = default;

  // nullopt: no such account. Otherwise its parent (nullopt for a root account).
  virtual std::optional<std::optional<AccountId>> AccountParent(AccountId id) = 0;
  virtual bool UserExists(UserId id) = 0;
  virtual bool CourseExists(std::int64_t id) = 0;
  // The user holding `sis_user_id`, if any.
  virtual std::optional<UserId> UserWithSisId(const std::string& sis_user_id) = 0;
  // The stored password hash of the login keyed (account, unique_id_folded), a non-deleted row winning
  // over deleted ones; nullopt when there is no such login or it has no password.
  virtual std::optional<std::string> LoginPasswordHash(AccountId account, const std::string& unique_id_folded) = 0;
  // The id of the link keyed (student, observer, root); root nullopt is the legacy NULL-root link.
  virtual std::optional<LinkId> FindLink(UserId student, UserId observer, std::optional<AccountId> root) = 0;
};

// What writing needs beyond the parsed fixture, computed before the write transaction.
struct FixturePlan {
  std::map<AccountId, AccountId> account_roots;             // per fixture account
  std::vector<std::size_t> accounts_parents_first;          // indexes into accounts, each after its parent
  std::vector<std::optional<std::string>> stored_hashes;    // per login, users then logins in order
  std::vector<std::optional<std::string>> password_hashes;  // per login: what to store
};

// Checks every reference of the fixture against the fixture and the database: kInvalidArgument
// "fixture: PATH: PROBLEM" (fixture_parser.h's FixtureError) for the first bad one, never naming a
// secret. Fills account_roots, accounts_parents_first and stored_hashes.
Status ResolveFixture(const ParsedFixture& fixture, FixtureLookup& lookup, FixturePlan& plan);

// Fills password_hashes after ResolveFixture: a stored hash that already verifies the fixture's
// password is kept (so a second load changes nothing), others are hashed anew at `cost`. Call with no
// connection or lock held: Argon2id is slow on purpose.
Status HashFixturePasswords(const ParsedFixture& fixture, PasswordHashing cost, FixturePlan& plan);

// The text of the fixture file at `path`; kNotFound naming the path when it cannot be read.
Result<std::string> ReadFixtureFile(const std::string& path);

}  // namespace observees
