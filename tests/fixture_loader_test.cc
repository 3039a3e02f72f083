// The fixture loader (fixture.h, docs/fixture.md): the documented example loads, a second
// load changes nothing, a bad fixture is refused whole with a message naming the bad path and never
// a secret, secrets are stored only as hashes, and legacy NULL-root links (D9) match every root
// account. Database files are read directly with SQLiteCpp to see what was really written.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/storage.h"
#include "support/fixture_cases.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

using namespace std::chrono_literals;

Timestamp At(int y, unsigned m, unsigned d, std::chrono::seconds time_of_day = 0s) {
  return Timestamp{std::chrono::sys_days{std::chrono::year{y} / m / d}} + time_of_day;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A backend on a file in `dir` whose clock is `clock`.
struct FileBackend {
  FileBackend(const TempDir& dir, std::shared_ptr<FakeClock> c) : path(dir.File("fixture.db")), clock(std::move(c)) {
    backend = OpenTestBackend(path, clock);
  }
  std::string path;
  std::shared_ptr<FakeClock> clock;
  Storage backend;
};

TEST_CASE("the docs/fixture.md example fixture loads", "[fixture]") {
  auto clock = std::make_shared<FakeClock>(kT0);
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = clock;
  const Storage backend = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(backend, kDesignExample));
  UserDirectory& directory = *backend.directory;

  SECTION("accounts, their domains and settings") {
    const auto root = ValueOf(directory.FindAccount(1));
    REQUIRE(root.has_value());
    CHECK(root->name == "Default");
    CHECK_FALSE(root->parent_id.has_value());
    CHECK(root->root_account_id == 1);
    CHECK(root->self_registration == SelfRegistration::kObserver);
    CHECK(root->avatars);

    const auto external = ValueOf(directory.FindAccount(2));
    REQUIRE(external.has_value());
    CHECK(external->self_registration == SelfRegistration::kNone);
    CHECK_FALSE(external->avatars);

    const auto science = ValueOf(directory.FindAccount(3));
    REQUIRE(science.has_value());
    CHECK(science->parent_id == 1);
    CHECK(science->root_account_id == 1);

    CHECK(ValueOf(directory.RootAccountForDomain("canvas.test")) == 1);
    CHECK(ValueOf(directory.RootAccountForDomain("external.test")) == 2);
    CHECK_FALSE(ValueOf(directory.RootAccountForDomain("elsewhere.test")).has_value());
  }

  SECTION("users with their given fields and with defaults") {
    const auto pat = ValueOf(directory.FindUser(10));
    REQUIRE(pat.has_value());
    CHECK(pat->name == "Pat Parent");
    CHECK(pat->sortable_name == "Parent, Pat");
    CHECK(pat->short_name == "Pat");
    CHECK(pat->sis_user_id == "P-10");
    CHECK(pat->avatar_url == "/images/pat.png");
    CHECK(Iso(pat->created_at) == "2024-01-05T10:00:00Z");
    CHECK_FALSE(pat->deleted);
    CHECK(ValueOf(directory.FindUserBySisId("P-10")) == 10);

    const auto sam = ValueOf(directory.FindUser(11));
    REQUIRE(sam.has_value());
    CHECK(sam->sortable_name == "Student, Sam");
    CHECK(sam->short_name == "Sam Student");
    CHECK(Iso(sam->created_at) == Iso(kT0));
  }

  SECTION("logins, passwords and tokens") {
    CHECK(ValueOf(backend.authenticator->FindLogin(1, "pat")) == 10);
    CHECK(ValueOf(backend.authenticator->CheckPassword(1, "pat", "secret-pat")) == 10);
    CHECK(CodeName(backend.authenticator->CheckPassword(1, "pat", "secret-pot").status()) ==
          CodeName(StatusCode::kInvalidCredentials));
    CHECK(ValueOf(backend.authenticator->UserForAccessToken("token-pat", kT0)) == 10);
    CHECK_FALSE(ValueOf(backend.authenticator->UserForAccessToken("token-pot", kT0)).has_value());
  }

  SECTION("memberships, permissions and enrollments") {
    CHECK(ValueOf(directory.RootAccountsOf(10)) == std::vector<AccountId>{1});
    CHECK(ValueOf(directory.RootAccountsOf(5)) == std::vector<AccountId>{1});
    CHECK(ValueOf(directory.RootAccountsOf(11)) == std::vector<AccountId>{1});
    CHECK(ValueOf(directory.HasRootAccountPermission(5, 1, Permission::kManageUserObservers)));
    CHECK_FALSE(ValueOf(directory.HasRootAccountPermission(10, 1, Permission::kManageUserObservers)));
    CHECK(ValueOf(directory.HasPermissionInCoursesOf(5, 11, Permission::kGenerateObserverPairingCode)));
    CHECK(ValueOf(directory.HasStudentEnrollment(11)));
    CHECK_FALSE(ValueOf(directory.HasStudentEnrollment(10)));
    CHECK(ValueOf(directory.AvatarsEnabledFor(10)));
  }

  SECTION("links and pairing codes") {
    const auto links = ValueOf(backend.links->LinksBetween(11, 10));
    REQUIRE(links.size() == 1);
    CHECK(links[0].state == LinkState::kActive);
    CHECK(links[0].root_account_id == 1);
    // The example's code expired on 2020-01-01: it was active only before then.
    CHECK_FALSE(ValueOf(backend.links->FindActiveCode("Ab3dE9", kT0)).has_value());
    const auto before_expiry = ValueOf(backend.links->FindActiveCode("Ab3dE9", At(2019, 12, 31, 23h + 59min + 59s)));
    REQUIRE(before_expiry.has_value());
    CHECK(before_expiry->user_id == 11);
    CHECK(Iso(before_expiry->expires_at) == "2020-01-01T00:00:00Z");
  }
}

TEST_CASE("deleted links and codes in a fixture load as deleted", "[fixture][rule8][rule16]") {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  const Storage backend = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(backend, R"json({
    "accounts": [{"id": 1, "name": "Default"}],
    "users": [{"id": 10, "name": "Pat Parent", "logins": [{"account_id": 1, "unique_id": "pat"}]},
              {"id": 11, "name": "Sam Student", "logins": [{"account_id": 1, "unique_id": "sam"}]}],
    "links": [{"observer_id": 10, "student_id": 11, "root_account_id": 1, "workflow_state": "deleted"}],
    "pairing_codes": [{"user_id": 11, "code": "Gone42", "expires_at": "2030-01-01T00:00:00Z", "workflow_state": "deleted"}]
  })json"));
  const auto links = ValueOf(backend.links->LinksBetween(11, 10));
  REQUIRE(links.size() == 1);
  CHECK(links[0].state == LinkState::kDeleted);
  CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).empty());
  CHECK_FALSE(ValueOf(backend.links->FindActiveCode("Gone42", kT0)).has_value());
}

TEST_CASE("loading the same fixture twice changes nothing", "[fixture]") {
  TempDir dir;
  FileBackend file(dir, std::make_shared<FakeClock>(kT0));
  RequireOk(LoadFixture(file.backend, kDesignExample));
  const TableDump first = DumpTables(file.path);
  std::size_t rows = 0;
  for (const auto& [table, table_rows] : first) rows += table_rows.size();
  REQUIRE(rows > 0);

  // A later "now": a loader that rewrote defaulted created_at values would show it.
  file.clock->Advance(std::chrono::hours(30));
  RequireOk(LoadFixture(file.backend, kDesignExample));
  CHECK(DiffDumps(first, DumpTables(file.path)) == "");

  const auto sam = ValueOf(file.backend.directory->FindUser(11));
  REQUIRE(sam.has_value());
  CHECK(Iso(sam->created_at) == Iso(kT0));
  CHECK(ValueOf(file.backend.links->LinksBetween(11, 10)).size() == 1);
  CHECK(ValueOf(file.backend.authenticator->CheckPassword(1, "pat", "secret-pat")) == 10);
}

TEST_CASE("a bad fixture is refused whole, naming the bad path, and writes nothing", "[fixture]") {
  TempDir dir;
  FileBackend file(dir, std::make_shared<FakeClock>(kT0));
  RequireOk(LoadFixture(file.backend, kDesignExample));
  const TableDump before = DumpTables(file.path);

  for (const BadFixture& bad : kBadFixtures) {
    DYNAMIC_SECTION(bad.what) {
      const Status status = LoadFixture(file.backend, bad.json);
      INFO(status.ToString());
      CHECK(CodeName(status) == CodeName(StatusCode::kInvalidArgument));
      CHECK(Contains(status.message(), bad.path));
      CHECK(DiffDumps(before, DumpTables(file.path)) == "");
    }
  }
}

TEST_CASE("a bad fixture on an empty database leaves it empty", "[fixture]") {
  TempDir dir;
  FileBackend file(dir, std::make_shared<FakeClock>(kT0));
  const TableDump before = DumpTables(file.path);
  const Status status = LoadFixture(file.backend, kBadLoginAfterValidParts);
  CHECK(CodeName(status) == CodeName(StatusCode::kInvalidArgument));
  CHECK(DiffDumps(before, DumpTables(file.path)) == "");
  CHECK_FALSE(ValueOf(file.backend.directory->FindAccount(7)).has_value());
  CHECK_FALSE(ValueOf(file.backend.directory->FindUser(40)).has_value());
}

TEST_CASE("malformed JSON is refused with kInvalidArgument", "[fixture]") {
  TempDir dir;
  FileBackend file(dir, std::make_shared<FakeClock>(kT0));
  const TableDump before = DumpTables(file.path);
  for (const char* text : {"", "{", "{\"users\": [}", "{\"users\": [{\"id\": 40,}]}", "not json", "[1, 2]", "42"}) {
    DYNAMIC_SECTION("text: " << text) {
      const Status status = LoadFixture(file.backend, text);
      INFO(status.ToString());
      CHECK(CodeName(status) == CodeName(StatusCode::kInvalidArgument));
      CHECK(DiffDumps(before, DumpTables(file.path)) == "");
    }
  }
}

TEST_CASE("fixture errors never repeat a password, token or code", "[fixture][D7]") {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  const Storage backend = ValueOf(OpenStorage(options));

  for (const SecretLeakCase& c : SecretLeakCases()) {
    DYNAMIC_SECTION(c.what) {
      const Status status = LoadFixture(backend, c.json);
      if (c.must_fail) {
        CHECK(CodeName(status) == CodeName(StatusCode::kInvalidArgument));
      }
      CheckNoSecretIn(status);
    }
  }
}

TEST_CASE("fixture passwords, tokens and codes are stored only as hashes", "[fixture][D7]") {
  TempDir dir;
  const std::string path = dir.File("secrets.db");
  const std::string fixture = std::string(R"({
    "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]}],
    "users": [
      {"id": 40, "name": "Nora New", "logins": [{"account_id": 1, "unique_id": "nora", "password": ")") +
                              kSecretPassword + R"("}], "tokens": [")" + kSecretToken + R"("]},
      {"id": 41, "name": "Otto Other", "logins": [{"account_id": 1, "unique_id": "otto"}]}],
    "pairing_codes": [{"user_id": 40, "code": ")" +
                              kSecretCode + R"(", "expires_at": "2030-01-01T00:00:00Z"}]
  })";
  {
    const Storage backend = OpenTestBackend(path, std::make_shared<FakeClock>(kT0));
    RequireOk(LoadFixture(backend, fixture));
    // The hashes work: each secret still identifies its owner.
    CHECK(ValueOf(backend.authenticator->CheckPassword(1, "nora", kSecretPassword)) == 40);
    CHECK(ValueOf(backend.authenticator->UserForAccessToken(kSecretToken, kT0)) == 40);
    const auto code = ValueOf(backend.links->FindActiveCode(kSecretCode, kT0));
    REQUIRE(code.has_value());
    CHECK(code->user_id == 40);

    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement hashes(db, "SELECT password_hash FROM logins WHERE password_hash IS NOT NULL");
    int hashed = 0;
    while (hashes.executeStep()) {
      ++hashed;
      CHECK(hashes.getColumn(0).getString().rfind("$argon2id$", 0) == 0);
    }
    CHECK(hashed == 1);
  }
  // Closed: every connection is gone and the WAL checkpointed (read it anyway if it is still there).
  const std::string bytes = ReadDatabaseBytes(path);
  REQUIRE_FALSE(bytes.empty());
  CHECK_FALSE(Contains(bytes, kSecretPassword));
  CHECK_FALSE(Contains(bytes, kSecretToken));
  CHECK_FALSE(Contains(bytes, kSecretCode));
  CHECK(Contains(bytes, "Nora New"));  // the reading works: what is not secret is there
}

TEST_CASE("LoadFixtureFile reads a file, and a missing file is kNotFound", "[fixture]") {
  TempDir dir;
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = std::make_shared<FakeClock>(kT0);
  const Storage backend = ValueOf(OpenStorage(options));

  SECTION("a missing file") {
    const Status status = LoadFixtureFile(backend, dir.File("no-such-fixture.json"));
    CHECK(CodeName(status) == CodeName(StatusCode::kNotFound));
  }
  SECTION("a file holding the example") {
    const std::string path = dir.File("example.json");
    std::ofstream(path) << kDesignExample;
    RequireOk(LoadFixtureFile(backend, path));
    const auto pat = ValueOf(backend.directory->FindUser(10));
    REQUIRE(pat.has_value());
    CHECK(pat->name == "Pat Parent");
  }
  SECTION("a file holding malformed JSON") {
    const std::string path = dir.File("broken.json");
    std::ofstream(path) << "{\"users\": [";
    CHECK(CodeName(LoadFixtureFile(backend, path)) == CodeName(StatusCode::kInvalidArgument));
  }
  SECTION("an endless device and a text over kMaxFixtureBytes are refused, naming the limit") {
    const Status endless = LoadFixtureFile(backend, "/dev/zero");
    CHECK(CodeName(endless) == CodeName(StatusCode::kInvalidArgument));
    CHECK(Contains(endless.message(), "/dev/zero is larger than the limit of 64 MiB"));
    const Status text = LoadFixture(backend, std::string(kMaxFixtureBytes + 1, ' '));
    CHECK(CodeName(text) == CodeName(StatusCode::kInvalidArgument));
    CHECK(Contains(text.message(), "64 MiB"));
  }
}

TEST_CASE("a legacy link with a NULL root account matches every root account", "[fixture][D9]") {
  auto clock = std::make_shared<FakeClock>(kT0);
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = clock;
  const Storage backend = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(backend, R"json({
    "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]},
                 {"id": 2, "name": "External", "domains": ["external.test"]}],
    "users": [
      {"id": 5, "name": "Ada Admin", "logins": [{"account_id": 1, "unique_id": "ada"}]},
      {"id": 10, "name": "Pat Parent", "logins": [{"account_id": 1, "unique_id": "pat"}, {"account_id": 2, "unique_id": "pat"}]},
      {"id": 11, "name": "Sam Student", "logins": [{"account_id": 1, "unique_id": "sam"}, {"account_id": 2, "unique_id": "sam"}]}],
    "admins": [{"user_id": 5, "account_id": 1}],
    "links": [{"observer_id": 10, "student_id": 11, "root_account_id": null}]
  })json"));

  const auto loaded = ValueOf(backend.links->LinksBetween(11, 10));
  REQUIRE(loaded.size() == 1);
  const LinkId legacy = loaded[0].id;
  CHECK_FALSE(loaded[0].root_account_id.has_value());
  CHECK(loaded[0].state == LinkState::kActive);

  SECTION("the service shows it through either root account's domain") {
    const auto service = ValueOf(ObservationService::Create(backend.Dependencies(clock)));
    for (AccountId domain : {AccountId{1}, AccountId{2}}) {
      INFO("domain root account " << domain);
      const auto shown = service->ShowObservee(Caller{10, domain, {}}, 10, 11);
      INFO(shown.status().ToString());
      REQUIRE(shown.ok());
      CHECK(shown->user.id == 11);
      const auto observer = service->ShowObserver(Caller{11, domain, {}}, 11, 10);
      INFO(observer.status().ToString());
      CHECK(observer.ok());
    }
    const auto listed = ValueOf(service->ListObservees(Caller{10, 1, {}}, 10, ListOptions{}));
    REQUIRE(listed.users.size() == 1);
    CHECK(listed.users[0].user.id == 11);
  }

  SECTION("adding the link in root account 1 finds the legacy link instead of inserting") {
    const auto service = ValueOf(ObservationService::Create(backend.Dependencies(clock)));
    const auto added = service->AddObserveeById(Caller{5, 1, {}}, 10, 11, RootAccountScope::Account(1));
    INFO(added.status().ToString());
    REQUIRE(added.ok());
    const auto links = ValueOf(backend.links->LinksBetween(11, 10));
    REQUIRE(links.size() == 1);
    CHECK(links[0].id == legacy);
  }

  SECTION("create-or-restore in the store finds it for any root account") {
    for (AccountId root : {AccountId{1}, AccountId{2}, AccountId{3}}) {
      INFO("root account " << root);
      auto txn = ValueOf(backend.links->BeginWrite());
      const LinkChange change = ValueOf(txn->CreateOrRestoreLink(11, 10, root, kT0));
      RequireOk(txn->Commit());
      CHECK(change.kind == LinkChange::Kind::kUnchanged);
      CHECK(change.link.id == legacy);
    }
    CHECK(ValueOf(backend.links->LinksBetween(11, 10)).size() == 1);
  }

  SECTION("once removed, create-or-restore brings it back with its old id (rule 7b-c)") {
    {
      auto txn = ValueOf(backend.links->BeginWrite());
      REQUIRE(ValueOf(txn->RemoveLink(legacy, kT0)));
      RequireOk(txn->Commit());
    }
    LinkChange change;
    {
      auto txn = ValueOf(backend.links->BeginWrite());
      change = ValueOf(txn->CreateOrRestoreLink(11, 10, 1, kT0 + 1h));
      RequireOk(txn->Commit());
    }
    CHECK(change.kind == LinkChange::Kind::kRestored);
    CHECK(change.link.id == legacy);
    CHECK(ValueOf(backend.links->LinksBetween(11, 10)).size() == 1);
  }
}

}  // namespace
}  // namespace observees::storage_test
