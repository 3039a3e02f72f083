// PgDirectory and PgAuthenticator against the SQLite default: the standard fixture in both backends,
// every UserDirectory and Authenticator method asked the same questions, the same answers expected (a
// differential test); then CreateUser, DeleteNewUser and concurrent CreateUser races on PostgreSQL.
#include <catch2/catch.hpp>

#if OBSERVEES_TEST_WITH_LIBPQ

#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/storage.h"
#include "observees/timestamp.h"
#include "postgres/pg_database.h"
#include "storage/engine.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"
#include "support/world.h"

namespace observees::storage_test {
namespace {

using namespace observees::testing;
using namespace std::chrono_literals;

// ---- The two backends ----

Storage OpenSeededSqlite(const std::string& fixture) {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = std::make_shared<FakeClock>(StartTime());
  Storage backend = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(backend, fixture));
  return backend;
}

Storage OpenSeededPostgres(const ScopedPostgresSchema& schema, const std::string& fixture, int connections) {
  StorageOptions options = schema.Options(connections);
  options.clock = std::make_shared<FakeClock>(StartTime());
  Storage backend = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(backend, fixture));
  return backend;
}

// ---- Answers as text ----

std::string Show(bool b) { return b ? "true" : "false"; }
std::string Show(std::int64_t v) { return std::to_string(v); }
std::string Show(const User& u) {
  return "User{" + std::to_string(u.id) + "," + u.name + "," + u.sortable_name + "," + u.short_name + "," +
         FormatTimestamp(u.created_at) + "," + u.sis_user_id.value_or("-") + "," + u.avatar_url.value_or("-") + "," +
         u.pronouns.value_or("-") + "," + Show(u.deleted) + "}";
}
std::string Show(const Account& a) {
  return "Account{" + std::to_string(a.id) + "," + a.name + "," + (a.parent_id ? std::to_string(*a.parent_id) : "-") +
         "," + std::to_string(a.root_account_id) + "," + std::to_string(static_cast<int>(a.self_registration)) + "," +
         Show(a.avatars) + "}";
}
template <typename T>
std::string Show(const std::optional<T>& v) {
  return v ? Show(*v) : "none";
}
template <typename T>
std::string Show(const std::vector<T>& v) {
  std::string out = "[";
  for (const T& item : v) out += Show(item) + ";";
  return out + "]";
}

std::string Describe(const Status& s) {
  if (s.ok()) return "ok";
  return std::string(StatusCodeName(s.code())) + ": " + s.message() + " [" + s.field() + "]";
}
template <typename T>
std::string Describe(const Result<T>& r) {
  return r.ok() ? "ok " + Show(*r) : Describe(r.status());
}

// Compares the two backends' answers to one call and counts the comparisons.
class Differ {
 public:
  template <typename Answer>
  void Same(const std::string& call, const Answer& sqlite, const Answer& postgres) {
    INFO(call);
    const std::string expected = Describe(sqlite);
    const std::string actual = Describe(postgres);
    CHECK(actual == expected);
    CHECK(actual.rfind("internal:", 0) != 0);  // neither backend failed
    ++checks_;
  }
  int checks() const { return checks_; }

 private:
  int checks_ = 0;
};

std::string Args(std::initializer_list<std::string> args) {
  std::string out = "(";
  for (const std::string& a : args) out += (out.size() > 1 ? ", " : "") + a;
  return out + ")";
}
std::string S(std::int64_t v) { return std::to_string(v); }
std::string S(Permission p) { return std::to_string(static_cast<int>(p)); }

// The inputs: everyone in the cast and some who are not, every account and some that are not.
const std::vector<UserId> kUsers = {0,          -1,       kAda,          kEzra,   kNico,       kSandra, kDana, kPat,
                                    kChild,     kAnother, kBo,           kOlivia, kDeleted,    kQuinn,  kXena, kIan,
                                    kRita,      kTerry,   kTina,         kGina,   kYuri,       kMona,   kNell, kWalt,
                                    kCarl,      kCora,    kHal,          kUna,    kDora,       kCole,   kElan, kEllis,
                                    kZackLower, kZoe,     kElodieAccent, kElodie, kUnknownUser};
const std::vector<AccountId> kAccounts = {0, kDefault, kExternal, kScience, kArts, kUnknownAccount};
const std::vector<Permission> kPermissions = {Permission::kManageUserObservers,
                                              Permission::kGenerateObserverPairingCode, Permission::kManageStudents};

// Case variants of a login: as written, upper case, mixed, and with a stray space (no match).
std::vector<std::string> LoginVariants(const std::string& login) {
  std::string upper = login;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string mixed = login;
  if (!mixed.empty()) mixed[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[0])));
  return {login, upper, mixed, login + " "};
}

struct LoginCase {
  AccountId account;
  std::string unique_id;
  std::string password;
};
// Every login of the standard fixture with its password.
const std::vector<LoginCase> kLogins = {
    {1, "ada", "pw-ada-5-secret"},
    {2, "ezra", "pw-ezra-6-secret"},
    {1, "nico", "pw-nico-7-secret"},
    {1, "pat", kPatPassword},
    {1, "child", kChildPassword},
    {1, "another", kAnotherPassword},
    {1, "bo", kBoPassword},
    {2, "bo.ext", kBoPassword},
    {1, "olivia", "pw-olivia-14-secret"},
    {2, "olivia.ext", "pw-olivia-14-secret"},
    {1, "dan", "pw-dan-15-secret"},
    {1, "quinn", kQuinnPassword},
    {2, "xena", kXenaPassword},
    {1, "ian", "pw-ian-18-secret"},
    {1, "rita", "pw-rita-19-secret"},
    {1, "terry", "pw-terry-20-secret"},
    {1, "tina", "pw-tina-21-secret"},
    {1, "gina", "pw-gina-22-secret"},
    {2, "yuri", "pw-yuri-23-secret"},
    {1, "mona", "pw-mona-24-secret"},
    {1, "walt", "pw-walt-26-secret"},
    {2, "walt.ext", "pw-walt-26-secret"},
    {1, "carl", "pw-carl-27-secret"},
    {1, "una", "pw-una-30-secret"},
    {1, "dora", "pw-dora-31-secret"},
    {1, "cole", "pw-cole-40-secret"},
    {1, "nobody", "pw-nobody"},
};

void CompareUsers(Differ& d, UserDirectory& s, UserDirectory& p) {
  for (UserId u : kUsers) {
    d.Same("FindUser" + Args({S(u)}), s.FindUser(u), p.FindUser(u));
    d.Same("RootAccountsOf" + Args({S(u)}), s.RootAccountsOf(u), p.RootAccountsOf(u));
    d.Same("HasStudentEnrollment" + Args({S(u)}), s.HasStudentEnrollment(u), p.HasStudentEnrollment(u));
    d.Same("AvatarsEnabledFor" + Args({S(u)}), s.AvatarsEnabledFor(u), p.AvatarsEnabledFor(u));
  }
  for (const std::string sis : {"sis-child", "SIS-CHILD", "", "sis-nobody"}) {
    d.Same("FindUserBySisId" + Args({sis}), s.FindUserBySisId(sis), p.FindUserBySisId(sis));
  }
  const std::vector<std::vector<UserId>> id_sets = {
      {}, kUsers, {kChild}, {kUnknownUser}, {kElodie, kAda, kElodie, kDeleted}, {kCole, kElan, kEllis, kZoe}};
  for (const std::vector<UserId>& ids : id_sets) {
    d.Same("FindUsers" + Show(ids), s.FindUsers(ids), p.FindUsers(ids));
  }
}

void CompareAccounts(Differ& d, UserDirectory& s, UserDirectory& p) {
  d.Same(std::string("RootAccountIds()"), s.RootAccountIds(), p.RootAccountIds());
  for (AccountId a : kAccounts) d.Same("FindAccount" + Args({S(a)}), s.FindAccount(a), p.FindAccount(a));
  for (const std::string host :
       {"canvas.test", "CANVAS.Test", "external.test", "External.TEST", "nowhere.test", "", "canvas.test:443"}) {
    d.Same("RootAccountForDomain" + Args({host}), s.RootAccountForDomain(host), p.RootAccountForDomain(host));
  }
}

void ComparePermissions(Differ& d, UserDirectory& s, UserDirectory& p) {
  for (Permission perm : kPermissions) {
    for (UserId actor : kUsers) {
      for (AccountId a : kAccounts) {
        d.Same("HasRootAccountPermission" + Args({S(actor), S(a), S(perm)}), s.HasRootAccountPermission(actor, a, perm),
               p.HasRootAccountPermission(actor, a, perm));
        d.Same("HasAccountChainPermission" + Args({S(actor), S(a), S(perm)}),
               s.HasAccountChainPermission(actor, a, perm), p.HasAccountChainPermission(actor, a, perm));
      }
      for (UserId student : kUsers) {
        d.Same("HasPermissionInCoursesOf" + Args({S(actor), S(student), S(perm)}),
               s.HasPermissionInCoursesOf(actor, student, perm), p.HasPermissionInCoursesOf(actor, student, perm));
      }
    }
  }
}

void CompareLogins(Differ& d, Authenticator& s, Authenticator& p) {
  for (const LoginCase& login : kLogins) {
    for (AccountId a : kAccounts) {
      for (const std::string& variant : LoginVariants(login.unique_id)) {
        d.Same("FindLogin" + Args({S(a), variant}), s.FindLogin(a, variant), p.FindLogin(a, variant));
      }
    }
    // Passwords: right, wrong, right with the login's case changed, and right in the wrong account.
    const AccountId other = login.account == kDefault ? kExternal : kDefault;
    const std::vector<LoginCase> attempts = {login,
                                             {login.account, login.unique_id, login.password + "x"},
                                             {login.account, LoginVariants(login.unique_id)[1], login.password},
                                             {other, login.unique_id, login.password},
                                             {login.account, login.unique_id, ""}};
    for (const LoginCase& attempt : attempts) {
      const Result<UserId> sqlite = s.CheckPassword(attempt.account, attempt.unique_id, attempt.password);
      const Result<UserId> postgres = p.CheckPassword(attempt.account, attempt.unique_id, attempt.password);
      d.Same("CheckPassword" + Args({S(attempt.account), attempt.unique_id, "<password>"}), sqlite, postgres);
      CheckNoSecrets(postgres, {attempt.password});
    }
  }
}

void CompareTokens(Differ& d, Authenticator& s, Authenticator& p) {
  const std::vector<std::string> tokens = {kPatToken,          kChildToken, kChildExpiredToken, kBoToken, kDeletedToken,
                                           kQuinnToken,        kXenaToken,  "tok-unknown",      "",       kPatPassword,
                                           "TOK-PAT-10-SECRET"};
  // Before and after the expired token's expiry (2025-06-01), at it, and at the worlds' start.
  const std::vector<Timestamp> times = {At("2025-01-01T00:00:00Z"), At("2025-06-01T00:00:00Z"),
                                        At("2025-05-31T23:59:59Z"), StartTime()};
  for (const std::string& token : tokens) {
    for (Timestamp now : times) {
      const auto sqlite = s.UserForAccessToken(token, now);
      const auto postgres = p.UserForAccessToken(token, now);
      d.Same("UserForAccessToken" + Args({"<token " + std::to_string(token.size()) + ">", FormatTimestamp(now)}),
             sqlite, postgres);
      CheckNoSecrets(postgres, {token});
    }
  }
}

TEST_CASE("PgDirectory and PgAuthenticator answer every question as the SQLite default does", "[postgres]") {
  auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  ScopedPostgresSchema schema(*conninfo);
  const Storage sqlite = OpenSeededSqlite(kStandardFixture);
  const Storage pg = OpenSeededPostgres(schema, kStandardFixture, 4);

  // Spot checks, so that two backends agreeing on a wrong answer would still fail.
  CHECK(ValueOf(pg.directory->HasRootAccountPermission(kAda, kDefault, Permission::kManageUserObservers)));
  CHECK_FALSE(ValueOf(pg.directory->HasRootAccountPermission(kNico, kDefault, Permission::kManageUserObservers)));
  CHECK(ValueOf(pg.directory->HasPermissionInCoursesOf(kTina, kAnother, Permission::kGenerateObserverPairingCode)));
  CHECK_FALSE(
      ValueOf(pg.directory->HasPermissionInCoursesOf(kTerry, kChild, Permission::kGenerateObserverPairingCode)));
  CHECK(ValueOf(pg.directory->RootAccountsOf(kBo)) == std::vector<AccountId>{kDefault, kExternal});
  CHECK(ValueOf(pg.authenticator->CheckPassword(kDefault, "PAT", kPatPassword)) == kPat);
  CHECK(ValueOf(pg.authenticator->UserForAccessToken(kPatToken, StartTime())) == kPat);
  CHECK_FALSE(ValueOf(pg.authenticator->UserForAccessToken(kChildExpiredToken, StartTime())).has_value());

  Differ d;
  CompareUsers(d, *sqlite.directory, *pg.directory);
  CompareAccounts(d, *sqlite.directory, *pg.directory);
  ComparePermissions(d, *sqlite.directory, *pg.directory);
  CompareLogins(d, *sqlite.authenticator, *pg.authenticator);
  CompareTokens(d, *sqlite.authenticator, *pg.authenticator);
  INFO("differential checks: " << d.checks());
  CHECK(d.checks() > 5000);
}

// ---- CreateUser and DeleteNewUser ----

NewUser Registration(std::string unique_id, AccountId root = kDefault) {
  NewUser user;
  user.name = "Reggie Registered";
  user.sortable_name = "Registered, Reggie";
  user.short_name = "Reggie";
  user.root_account_id = root;
  user.unique_id = std::move(unique_id);
  user.password = "pw-reggie-secret";
  return user;
}

TEST_CASE("PgDirectory::CreateUser and DeleteNewUser answer as the SQLite default does", "[postgres]") {
  auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  ScopedPostgresSchema schema(*conninfo);
  const Storage sqlite = OpenSeededSqlite(kStandardFixture);
  const Storage pg = OpenSeededPostgres(schema, kStandardFixture, 4);
  Differ d;
  const Timestamp now = StartTime();

  // Refusals: taken (any case, a deleted user's login too), not a root account, no such account, empty.
  for (const NewUser& refused :
       {Registration("pat"), Registration("PAT"), Registration("Dan"), Registration("bo.ext", kExternal),
        Registration("new", kScience), Registration("new", kUnknownAccount), Registration("")}) {
    const Result<UserId> s = sqlite.directory->CreateUser(refused, now);
    const Result<UserId> p = pg.directory->CreateUser(refused, now);
    d.Same("CreateUser" + Args({refused.unique_id, S(refused.root_account_id)}), s, p);
    CHECK_FALSE(p.ok());
    CheckNoSecrets(p, {refused.password});
  }
  CHECK(OutcomeOf(pg.directory->CreateUser(Registration("Pat"), now)) == StatusCode::kAlreadyExists);
  CHECK(pg.directory->CreateUser(Registration("Pat"), now).status().field() == "pseudonym[unique_id]");

  // A new user: the same id (the identity continues after the fixture), user and login readable.
  const Result<UserId> s_id = sqlite.directory->CreateUser(Registration("Reggie@Example.com"), now);
  const Result<UserId> p_id = pg.directory->CreateUser(Registration("Reggie@Example.com"), now);
  d.Same(std::string("CreateUser(Reggie@Example.com)"), s_id, p_id);
  REQUIRE(p_id.ok());
  d.Same(std::string("FindUser(new)"), sqlite.directory->FindUser(*s_id), pg.directory->FindUser(*p_id));
  d.Same(std::string("RootAccountsOf(new)"), sqlite.directory->RootAccountsOf(*s_id),
         pg.directory->RootAccountsOf(*p_id));
  d.Same(std::string("FindLogin(new)"), sqlite.authenticator->FindLogin(kDefault, "reggie@example.com"),
         pg.authenticator->FindLogin(kDefault, "reggie@example.com"));
  CHECK(ValueOf(pg.authenticator->CheckPassword(kDefault, "REGGIE@example.com", "pw-reggie-secret")) == *p_id);
  // The same unique_id in the other root account is free.
  d.Same(std::string("CreateUser(reggie@example.com, 2)"),
         sqlite.directory->CreateUser(Registration("reggie@example.com", kExternal), now),
         pg.directory->CreateUser(Registration("reggie@example.com", kExternal), now));
  d.Same(std::string("CreateUser(REGGIE@EXAMPLE.COM) again"),
         sqlite.directory->CreateUser(Registration("REGGIE@EXAMPLE.COM"), now),
         pg.directory->CreateUser(Registration("REGGIE@EXAMPLE.COM"), now));

  // DeleteNewUser: gone with its login, the unique_id free again; a second delete is kNotFound.
  d.Same(std::string("DeleteNewUser(new)"), sqlite.directory->DeleteNewUser(*s_id), pg.directory->DeleteNewUser(*p_id));
  d.Same(std::string("FindUser(deleted new)"), sqlite.directory->FindUser(*s_id), pg.directory->FindUser(*p_id));
  d.Same(std::string("FindLogin(deleted new)"), sqlite.authenticator->FindLogin(kDefault, "reggie@example.com"),
         pg.authenticator->FindLogin(kDefault, "reggie@example.com"));
  d.Same(std::string("DeleteNewUser(new) again"), sqlite.directory->DeleteNewUser(*s_id),
         pg.directory->DeleteNewUser(*p_id));
  d.Same(std::string("DeleteNewUser(unknown)"), sqlite.directory->DeleteNewUser(kUnknownUser),
         pg.directory->DeleteNewUser(kUnknownUser));
  CHECK(OutcomeOf(pg.directory->DeleteNewUser(*p_id)) == StatusCode::kNotFound);
  CHECK(pg.directory->CreateUser(Registration("reggie@example.com"), now).ok());
}

// ---- Races ----

TEST_CASE("of concurrent PgDirectory::CreateUser calls for one unique_id exactly one wins", "[postgres]") {
  auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  ScopedPostgresSchema schema(*conninfo);
  const Storage pg = OpenSeededPostgres(schema, kStandardFixture, 9);
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  for (int round = 0; round < kRounds; ++round) {
    const std::string unique_id = "racer" + std::to_string(round);
    std::vector<Result<UserId>> results(kThreads, Result<UserId>(Internal("not run")));
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        // Each thread spells the unique_id differently: the folded key is what collides.
        std::string spelled = unique_id;
        if (i % 2 == 1) spelled[0] = 'R';
        start.arrive_and_wait();
        results[static_cast<std::size_t>(i)] = pg.directory->CreateUser(Registration(spelled), StartTime());
      });
    }
    for (std::thread& t : threads) t.join();
    int wins = 0;
    for (const Result<UserId>& r : results) {
      INFO(Describe(r));
      if (r.ok()) {
        ++wins;
      } else {
        CHECK(OutcomeOf(r) == StatusCode::kAlreadyExists);
        CHECK(r.status().field() == "pseudonym[unique_id]");
      }
    }
    CHECK(wins == 1);
    CHECK(ValueOf(pg.authenticator->FindLogin(kDefault, unique_id)).has_value());
  }
}

// Waits until `blocker`'s backend blocks another session (one waiting on its row locks).
void WaitUntilBlocking(PostgresDatabase& db, std::int64_t blocker) {
  static constexpr char kSql[] =
      "SELECT count(*) FROM pg_stat_activity WHERE CAST(?1 AS INTEGER) = ANY(pg_blocking_pids(pid))";
  for (int i = 0; i < 500; ++i) {
    auto lease = db.Acquire();
    auto count = lease->Query(kSql, blocker);
    if (count.Next() && count.Int(0) > 0) return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("CreateUser never waited on the open transaction");
}

TEST_CASE("PgDirectory::CreateUser that loses the unique index race answers kAlreadyExists", "[postgres]") {
  auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  ScopedPostgresSchema schema(*conninfo);
  const Storage pg = OpenSeededPostgres(schema, kStandardFixture, 4);
  static constexpr char kPidSql[] = "SELECT pg_backend_pid()";
  static constexpr char kInsertLoginSql[] =
      "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded, workflow_state) "
      "VALUES (?1, ?2, ?3, ?4, 'active')";

  // An uncommitted login for "contested": CreateUser's check cannot see it, its INSERT must wait.
  PostgresDatabase& db = *storage::DatabaseOf<PostgresDatabase>(pg);
  auto txn = db.BeginWrite();
  auto pid = txn.conn().Query(kPidSql);
  REQUIRE(pid.Next());
  const std::int64_t blocker = pid.Int(0);
  txn.conn().Exec(kInsertLoginSql, kQuinn, kDefault, "Contested", "contested");

  Result<UserId> result = Internal("not run");
  std::thread creator([&] { result = pg.directory->CreateUser(Registration("CONTESTED"), StartTime()); });
  WaitUntilBlocking(db, blocker);
  txn.Commit();
  creator.join();

  INFO(Describe(result));
  CHECK(OutcomeOf(result) == StatusCode::kAlreadyExists);
  CHECK(result.status().field() == "pseudonym[unique_id]");
  CheckNoSecrets(result, {"pw-reggie-secret"});
  // The loser's user row rolled back with its transaction: only the fixture's users and none new.
  CHECK(ValueOf(pg.authenticator->FindLogin(kDefault, "contested")) == std::optional<UserId>(kQuinn));
  CHECK_FALSE(ValueOf(pg.directory->FindUser(kElodie + 1)).has_value());
}

}  // namespace
}  // namespace observees::storage_test

#endif  // OBSERVEES_TEST_WITH_LIBPQ
