// A test world for ObservationService: a FakeClock, the SQLite default backend (in memory unless a
// path is given) seeded from a fixture, and the service over them. Single-threaded test helper; the
// objects it holds are the library's own and thread-safe as their headers say.
//
// The standard fixture's cast (kStandardFixture). Accounts: 1 "Default" (root, canvas.test,
// self_registration observer, avatars on), 2 "External" (root, external.test, self_registration none),
// 3 "Science" and 4 "Arts" (sub-accounts of 1). Courses: 100 in Science, 101 in Arts, 102 (unpublished)
// and 103 (deleted) in Science, 200 in External.
// Account 4 has a role override enabling generate_observer_pairing_code for TeacherEnrollment.
//
// | id | who                         | why                                                           |
// |----|-----------------------------|---------------------------------------------------------------|
// |  5 | Ada Admin                   | AccountAdmin of root 1 (both permissions)                     |
// |  6 | Ezra External               | AccountAdmin of root 2 only                                   |
// |  7 | Nico Noperm                 | AccountAdmin of root 1 with manage_user_observers turned off  |
// |  8 | Sandra Science              | AccountAdmin of sub-account 3 only                            |
// |  9 | Dana Dual                   | AccountAdmin of roots 1 and 2                                 |
// | 10 | Pat Parent                  | observes 11 and 12 in root 1; login pat, token                |
// | 11 | Child Smith                 | student, course 100; login child, tokens (one expired),       |
// |    |                             | avatar, fixture codes                                         |
// | 12 | Another Smith               | student, course 101 (Arts); login another                     |
// | 13 | Bo Both                     | student in both roots (courses 100, 200; logins bo, bo.ext)   |
// | 14 | Olivia Observer             | both roots; observes 13 in 1 and 2, and 17 in 2               |
// | 15 | Dan Deleted                 | a deleted user (login and enrollment in root 1, token)        |
// | 16 | Quinn Quiet                 | observer in root 1 with no links (the usual adder)            |
// | 17 | Xena Xavier                 | student of root 2 only; avatar (avatars off there); token     |
// | 18 | Ian Inactive                | only an inactive student enrollment (rule 22)                 |
// | 19 | Rita Rejected               | only a rejected student enrollment (rule 22)                  |
// | 20 | Terry Teacher               | teacher of course 100 (no override: no codes)                 |
// | 21 | Tina Teacher                | teacher of course 101 (Arts override: may make codes)         |
// | 22 | Gina Gone                   | observer whose link to 11 is deleted                          |
// | 23 | Yuri Yonder                 | observer in root 2 only; observes 17 there                    |
// | 24 | Mona Mom                    | observer of 12 in root 1 (sorts before Pat)                   |
// | 25 | Nell Nowhere                | belongs to no root account                                    |
// | 26 | Walt Wanderer               | observer with logins in both roots, no links                  |
// | 27 | Carl Completed              | only a completed student enrollment (counts for rule 22)      |
// | 28 | Cora Custom                 | custom role on root 1 with manage_user_observers on           |
// | 29 | Hal Helpdesk                | custom role on root 1 with no permissions                     |
// | 30 | Una Unpublished             | student only in unpublished course 102 (Science): counts      |
// | 31 | Dora Deadcourse             | student in deleted course 103 (Science) and in 101 (Arts)     |
// | 40 | Cole Collator               | observes 41-46 (collation and pagination)                     |
// | 41 | "Zed Élan"    ("Élan, Zed")   | accent: sorts before "Ellis" though é > l in bytes          |
// | 42 | "Amy Ellis"   ("Ellis, Amy")  |                                                             |
// | 43 | "zack adams"  ("adams, zack") | lower case: sorts before "Adams, Zoe"                       |
// | 44 | "Zoe Adams"   ("Adams, Zoe")  |                                                             |
// | 45 | "élodie Abe"  ("Abe, élodie") | equal to 46 at primary strength: the lower id comes first   |
// | 46 | "Elodie Abe"  ("Abe, Elodie") |                                                             |
//
// Fixture pairing codes (all for 11 unless said): "Activ1" active until 2026-06-01, "Expir3" expired,
// "Used99" deleted, "XenaC0" active, for 17 (root 2).
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/link_store.h"
#include "observees/observation_service.h"
#include "observees/random.h"
#include "observees/service_options.h"
#include "observees/status.h"
#include "observees/storage.h"
#include "observees/types.h"

namespace observees::testing {

// Accounts of the standard fixture.
inline constexpr AccountId kDefault = 1;
inline constexpr AccountId kExternal = 2;
inline constexpr AccountId kScience = 3;
inline constexpr AccountId kArts = 4;

// The cast (see the table above).
inline constexpr UserId kAda = 5;
inline constexpr UserId kEzra = 6;
inline constexpr UserId kNico = 7;
inline constexpr UserId kSandra = 8;
inline constexpr UserId kDana = 9;
inline constexpr UserId kPat = 10;
inline constexpr UserId kChild = 11;
inline constexpr UserId kAnother = 12;
inline constexpr UserId kBo = 13;
inline constexpr UserId kOlivia = 14;
inline constexpr UserId kDeleted = 15;
inline constexpr UserId kQuinn = 16;
inline constexpr UserId kXena = 17;
inline constexpr UserId kIan = 18;
inline constexpr UserId kRita = 19;
inline constexpr UserId kTerry = 20;
inline constexpr UserId kTina = 21;
inline constexpr UserId kGina = 22;
inline constexpr UserId kYuri = 23;
inline constexpr UserId kMona = 24;
inline constexpr UserId kNell = 25;
inline constexpr UserId kWalt = 26;
inline constexpr UserId kCarl = 27;
inline constexpr UserId kCora = 28;
inline constexpr UserId kHal = 29;
inline constexpr UserId kUna = 30;
inline constexpr UserId kDora = 31;
inline constexpr UserId kCole = 40;
inline constexpr UserId kElan = 41;
inline constexpr UserId kEllis = 42;
inline constexpr UserId kZackLower = 43;
inline constexpr UserId kZoe = 44;
inline constexpr UserId kElodieAccent = 45;
inline constexpr UserId kElodie = 46;
inline constexpr UserId kUnknownUser = 9999;
inline constexpr AccountId kUnknownAccount = 999;

// Secrets of the standard fixture.
inline constexpr char kPatLogin[] = "pat";
inline constexpr char kPatPassword[] = "pw-pat-10-secret";
inline constexpr char kPatToken[] = "tok-pat-10-secret";
inline constexpr char kChildLogin[] = "child";
inline constexpr char kChildPassword[] = "pw-child-11-secret";
inline constexpr char kChildToken[] = "tok-child-11-secret";
inline constexpr char kChildExpiredToken[] = "tok-child-expired-secret";  // expired 2025-06-01
inline constexpr char kAnotherLogin[] = "another";
inline constexpr char kAnotherPassword[] = "pw-another-12-secret";
inline constexpr char kBoLogin[] = "bo";
inline constexpr char kBoExtLogin[] = "bo.ext";
inline constexpr char kBoPassword[] = "pw-bo-13-secret";
inline constexpr char kBoToken[] = "tok-bo-13-secret";
inline constexpr char kDeletedToken[] = "tok-dan-15-secret";
inline constexpr char kQuinnPassword[] = "pw-quinn-16-secret";
inline constexpr char kQuinnToken[] = "tok-quinn-16-secret";
inline constexpr char kXenaLogin[] = "xena";
inline constexpr char kXenaPassword[] = "pw-xena-17-secret";
inline constexpr char kXenaToken[] = "tok-xena-17-secret";
inline constexpr char kActiveCode[] = "Activ1";   // 11's, active until 2026-06-01
inline constexpr char kExpiredCode[] = "Expir3";  // 11's, expired before the clock starts
inline constexpr char kUsedCode[] = "Used99";     // 11's, deleted (used)
inline constexpr char kXenaCode[] = "XenaC0";     // 17's (root 2 only), active

// Every password, token and code string of the standard fixture.
const std::vector<std::string>& StandardSecrets();

// 2026-01-01T00:00:00Z: where every world's FakeClock starts.
Timestamp StartTime();
Timestamp At(std::string_view iso8601);  // REQUIREs a valid timestamp

extern const char kStandardFixture[];

// The standard fixture with Default's self_registration set to `setting` ("none", "observer", "all").
std::string StandardFixtureWithSelfRegistration(std::string_view setting);

struct WorldOptions {
  std::string fixture_json = kStandardFixture;
  ServiceOptions service;
  std::shared_ptr<RandomSource> random;  // null: SecureRandom()
  std::string db_path = ":memory:";
  std::function<void(const std::string&)> warn;  // ServiceDependencies::warn
};

class TempDir;

struct World {
  std::shared_ptr<TempDir> temp_dir;      // set when the database is a temporary file; outlives the rest
  std::shared_ptr<void> postgres_schema;  // set when the world is on PostgreSQL; dropped after the rest
  std::shared_ptr<FakeClock> clock;
  Storage backend;
  std::shared_ptr<ObservationService> service;  // shared, so a rest::Router can hold it too

  Caller As(UserId user, AccountId domain = kDefault) const;
  Caller Anonymous(AccountId domain = kDefault) const;
  Timestamp Now() const { return clock->Now(); }

  // Every link between the two, deleted ones included (REQUIREs the read).
  std::vector<Link> LinksBetween(UserId student, UserId observer) const;
  // The root accounts of their active links, ascending (nullopt roots left out).
  std::vector<AccountId> ActiveLinkRoots(UserId student, UserId observer) const;
  // The audit log after entry `after` (REQUIREs the read); LastAuditId() marks the current end.
  std::vector<AuditEntry> AuditAfter(std::int64_t after) const;
  std::int64_t LastAuditId() const;

  // A fresh code for `student`, made by the student themselves on `domain` (REQUIREs success).
  std::string NewCode(UserId student, AccountId domain = kDefault) const;
  // Whether `code` is active now (LinkStore::FindActiveCode).
  std::optional<PairingCodeRecord> ActiveCode(std::string_view code) const;

  // E3 shortcuts: `observer` acting for themselves on `domain`.
  Result<LinkedUser> RedeemCode(UserId observer, std::string code, AccountId domain = kDefault,
                                RootAccountScope scope = RootAccountScope::Domain()) const;
  Result<LinkedUser> AddWithToken(UserId observer, std::string token, AccountId domain = kDefault,
                                  RootAccountScope scope = RootAccountScope::Domain()) const;
  Result<LinkedUser> AddWithCredentials(UserId observer, std::string unique_id, std::string password,
                                        AccountId domain = kDefault,
                                        RootAccountScope scope = RootAccountScope::Domain()) const;
};

// Opens ":memory:" (or options.db_path) with PasswordHashing::kFastest and a FakeClock at
// StartTime(), loads the fixture and creates the service. REQUIREs every step. With the environment
// variable OBSERVEES_TEST_FILE_DB set (non-empty), ":memory:" worlds use a file in a fresh temporary
// directory instead, so the whole suite can also run over the pooled file database. With
// OBSERVEES_TEST_BACKEND=postgres (and OBSERVEES_TEST_POSTGRES, support/postgres_test_util.h), they
// use PostgreSQL instead, each world on a private schema: the same tests, the other backend. With
// OBSERVEES_TEST_TABLE_PREFIX (SQLite), ":memory:" worlds use a file that another program's tables
// already hold under the library's plain names (MakeForeignTables) and the library's under that
// prefix: a statement that missed the prefix fails.
bool WorldsOnPostgres();
World MakeWorld(std::string_view fixture_json = kStandardFixture, ServiceOptions options = {});
World MakeWorld(const WorldOptions& options);

// AddObserveeRequest builders.
AddObserveeRequest TokenRequest(std::string token, RootAccountScope scope = RootAccountScope::Domain());
AddObserveeRequest CodeRequest(std::string code, RootAccountScope scope = RootAccountScope::Domain());
AddObserveeRequest CredentialsRequest(std::string unique_id, std::string password,
                                      RootAccountScope scope = RootAccountScope::Domain());

// The entries of `entries` with this action, in order.
std::vector<AuditEntry> OfAction(const std::vector<AuditEntry>& entries, AuditAction action);

// Ids of a page's users, in order.
std::vector<UserId> IdsOf(const UserPage& page);
std::vector<AccountId> Sorted(std::vector<AccountId> ids);

// The outcome of a call, for CHECK(OutcomeOf(r) == StatusCode::kNotFound): prints the code's name and
// the message when a check fails.
struct Outcome {
  StatusCode code = StatusCode::kOk;
  std::string message;
  std::string field;
};
inline bool operator==(const Outcome& o, StatusCode c) { return o.code == c; }
inline bool operator!=(const Outcome& o, StatusCode c) { return o.code != c; }
inline Outcome OutcomeOf(const Status& s) { return {s.code(), s.message(), s.field()}; }
template <typename T>
Outcome OutcomeOf(const Result<T>& r) {
  if (r.ok()) return {};
  return OutcomeOf(r.status());
}

// CHECKs that neither the message nor the field of `status` contains a fixture secret or any of `extra`.
void CheckNoSecrets(const Status& status, std::initializer_list<std::string_view> extra = {});
template <typename T>
void CheckNoSecrets(const Result<T>& r, std::initializer_list<std::string_view> extra = {}) {
  if (!r.ok()) CheckNoSecrets(r.status(), extra);
}

// A RandomSource that hands out scripted bytes first, then SecureRandom()'s, and logs every byte it
// hands out, so a test can replay what one code generation consumed. Thread-safe.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(std::vector<std::uint8_t> script = {});
  void Fill(std::span<std::uint8_t> out) override;
  // Appends to the script.
  void Push(std::span<const std::uint8_t> bytes);
  // The bytes handed out since the last call, and clears the log.
  std::vector<std::uint8_t> TakeLog();
  std::size_t scripted_remaining() const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::uint8_t> script_;
  std::vector<std::uint8_t> log_;
  std::shared_ptr<RandomSource> fallback_;
};

// A private directory under the system temp directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // The bytes of every regular file in the directory (e.g. a database and its -wal file).
  std::string AllBytes() const;

 private:
  std::filesystem::path path_;
};

}  // namespace observees::testing

namespace Catch {
template <>
struct StringMaker<observees::StatusCode> {
  static std::string convert(observees::StatusCode code);
};
template <>
struct StringMaker<observees::testing::Outcome> {
  static std::string convert(const observees::testing::Outcome& outcome);
};
template <>
struct StringMaker<observees::Timestamp> {
  static std::string convert(observees::Timestamp t);
};
}  // namespace Catch
