// The fixture loader on PostgreSQL (fixture.h): the standard fixture and docs/fixture.md's example load, a
// second load changes nothing, a bad fixture is refused whole naming its path and never a secret,
// secrets are stored only as hashes (the same bytes as SQLite's under the same key), fixture ids in
// identity columns leave the sequences past them, and accounts load in any order. The schema is read
// behind the library's back through libpq (PgInspector) to see what was really written.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/storage.h"
#include "support/fixture_cases.h"
#include "support/pg_inspector.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"
#include "support/world.h"

namespace observees::storage_test {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string Seconds(Timestamp t) { return std::to_string(t.time_since_epoch().count()); }

// A PostgreSQL backend on a schema of its own, with a FakeClock at kT0 and an inspector on the schema.
struct PgStore {
  explicit PgStore(const std::string& conninfo, std::string secret_key = "")
      : schema(conninfo), clock(std::make_shared<FakeClock>(kT0)) {
    StorageOptions options = schema.Options();
    options.clock = clock;
    options.secret_key = std::move(secret_key);
    backend = ValueOf(OpenStorage(options));
    inspector = std::make_unique<PgInspector>(conninfo, schema.name());
  }
  TableDump Dump() { return inspector->Dump(); }
  std::string Scalar(const std::string& sql) { return inspector->Scalar(sql).value_or("NULL"); }

  ScopedPostgresSchema schema;
  std::shared_ptr<FakeClock> clock;
  Storage backend;
  std::unique_ptr<PgInspector> inspector;
};

std::size_t TotalRows(const TableDump& dump) {
  std::size_t rows = 0;
  for (const auto& [table, table_rows] : dump) rows += table_rows.size();
  return rows;
}

TEST_CASE("the standard fixture loads into PostgreSQL", "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  RequireOk(LoadFixture(store.backend, testing::kStandardFixture));

  CHECK(store.Scalar("SELECT root_account_id FROM accounts WHERE id = 4") == "1");
  CHECK(store.Scalar("SELECT string_agg(domain || '=' || account_id, ',' ORDER BY domain) FROM account_domains") ==
        "canvas.test=1,external.test=2");
  CHECK(store.Scalar("SELECT root_account_id FROM courses WHERE id = 200") == "2");
  CHECK(store.Scalar("SELECT root_account_id FROM enrollments WHERE id = 503") == "2");
  CHECK(store.Scalar("SELECT count(*) FROM enrollments") == "14");
  CHECK(store.Scalar("SELECT count(*) FROM observation_links") == "14");
  CHECK(store.Scalar("SELECT count(*) FROM observation_links WHERE workflow_state = 'deleted'") == "1");
  CHECK(store.Scalar("SELECT count(*) FROM pairing_codes") == "4");
  CHECK(store.Scalar("SELECT sortable_name FROM users WHERE id = 11") == "Smith, Child");
  CHECK(store.Scalar("SELECT created_at || '|' || sis_user_id FROM users WHERE id = 11") == "1706776200|sis-child");
  CHECK(store.Scalar("SELECT created_at FROM users WHERE id = 5") == Seconds(kT0));  // defaulted to load time
  CHECK(store.Scalar("SELECT count(*) FROM logins WHERE password_hash IS NOT NULL") != "0");
  CHECK(store.Scalar("SELECT count(*) FROM logins WHERE password_hash NOT LIKE '$argon2id$%'") == "0");
  CHECK(store.Scalar("SELECT count(*) FROM access_tokens WHERE length(token_hash) <> 32") == "0");
}

TEST_CASE("docs/fixture.md's example loads into PostgreSQL field by field", "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  RequireOk(LoadFixture(store.backend, kDesignExample));

  CHECK(store.Scalar("SELECT name || '|' || root_account_id || '|' || self_registration || '|' || avatars "
                     "FROM accounts WHERE id = 1") == "Default|1|observer|1");
  CHECK(store.Scalar("SELECT parent_id || '|' || root_account_id FROM accounts WHERE id = 3") == "1|1");
  CHECK(store.Scalar("SELECT concat_ws('|', sortable_name, short_name, sis_user_id, avatar_url, created_at) "
                     "FROM users WHERE id = 10") == "Parent, Pat|Pat|P-10|/images/pat.png|1704448800");
  CHECK(store.Scalar("SELECT sortable_name || '|' || short_name FROM users WHERE id = 11") ==
        "Student, Sam|Sam Student");
  CHECK(store.Scalar("SELECT concat_ws('|', user_id, unique_id, unique_id_folded, workflow_state) FROM logins") ==
        "10|pat|pat|active");
  CHECK(store.Scalar("SELECT concat_ws('|', role, manage_user_observers, generate_observer_pairing_code) "
                     "FROM admins WHERE user_id = 5") == "AccountAdmin|1|1");
  CHECK(store.Scalar("SELECT enabled FROM role_overrides WHERE account_id = 1") == "1");
  CHECK(store.Scalar("SELECT root_account_id || '|' || workflow_state FROM courses WHERE id = 100") == "1|available");
  CHECK(store.Scalar("SELECT concat_ws('|', user_id, root_account_id, type, workflow_state, created_at, updated_at) "
                     "FROM enrollments WHERE id = 500") ==
        "11|1|StudentEnrollment|active|" + Seconds(kT0) + "|" + Seconds(kT0));
  CHECK(store.Scalar("SELECT concat_ws('|', observer_id, student_id, root_account_id, workflow_state, created_at) "
                     "FROM observation_links") == "10|11|1|active|" + Seconds(kT0));
  CHECK(store.Scalar("SELECT concat_ws('|', user_id, expires_at, workflow_state, created_at) FROM pairing_codes") ==
        "11|1577836800|active|" + Seconds(kT0));
}

TEST_CASE("loading the same fixture twice into PostgreSQL changes nothing", "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  for (const char* fixture : {testing::kStandardFixture, kDesignExample}) {
    INFO(std::string(fixture).substr(0, 60));
    RequireOk(LoadFixture(store.backend, fixture));
    const TableDump first = store.Dump();
    REQUIRE(TotalRows(first) > 0);
    // A later "now": a loader that rewrote defaulted created_at or updated_at values would show it.
    store.clock->Advance(30h);
    RequireOk(LoadFixture(store.backend, fixture));
    CHECK(DiffDumps(first, store.Dump()) == "");
  }
}

TEST_CASE("a bad fixture is refused whole by PostgreSQL, naming the bad path, and writes nothing",
          "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  RequireOk(LoadFixture(store.backend, kDesignExample));
  const TableDump before = store.Dump();

  // Checks against what the database holds, beyond the shared cases.
  const BadFixture kAgainstDatabase[] = {
      {"a link id the database holds under another key", "links[0].id",
       R"json({"links": [{"id": 999, "observer_id": 10, "student_id": 11, "root_account_id": 1}]})json"},
      {"a SIS id held by a user outside the fixture", "users[0].sis_user_id",
       R"json({"users": [{"id": 41, "name": "Otto Other", "sis_user_id": "P-10"}]})json"},
      {"a login in a sub-account", "users[0].logins[0].account_id",
       R"json({"users": [{"id": 41, "name": "Otto Other", "logins": [{"account_id": 3, "unique_id": "otto"}]}]})json"},
      {"a parent cycle through the database's accounts", "accounts[0].parent_id",
       R"json({"accounts": [{"id": 1, "name": "Default", "parent_id": 3}]})json"},
      {"an enrollment in an unknown course", "enrollments[0].course_id",
       R"json({"enrollments": [{"user_id": 11, "course_id": 999}]})json"},
  };
  std::vector<BadFixture> cases(std::begin(kBadFixtures), std::end(kBadFixtures));
  cases.insert(cases.end(), std::begin(kAgainstDatabase), std::end(kAgainstDatabase));
  for (const BadFixture& bad : cases) {
    INFO(bad.what);
    const Status status = LoadFixture(store.backend, bad.json);
    INFO(status.ToString());
    CHECK(CodeName(status) == CodeName(StatusCode::kInvalidArgument));
    CHECK(Contains(status.message(), bad.path));
    CHECK(status.field().rfind(bad.path, 0) == 0);
    CHECK(DiffDumps(before, store.Dump()) == "");
  }
}

TEST_CASE("a bad fixture on an empty PostgreSQL schema leaves it empty, and malformed JSON is refused",
          "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  const TableDump before = store.Dump();
  CHECK(CodeName(LoadFixture(store.backend, kBadLoginAfterValidParts)) == CodeName(StatusCode::kInvalidArgument));
  CHECK(DiffDumps(before, store.Dump()) == "");
  for (const char* text : {"", "{", "{\"users\": [}", "{\"users\": [{\"id\": 40,}]}", "not json", "[1, 2]", "42"}) {
    INFO("text: " << text);
    CHECK(CodeName(LoadFixture(store.backend, text)) == CodeName(StatusCode::kInvalidArgument));
  }
  CHECK(DiffDumps(before, store.Dump()) == "");
}

TEST_CASE("PostgreSQL fixture errors never repeat a password, token or code", "[postgres][fixture][D7]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  for (const SecretLeakCase& c : SecretLeakCases()) {
    INFO(c.what);
    const TableDump before = store.Dump();
    const Status status = LoadFixture(store.backend, c.json);
    if (c.must_fail) {
      CHECK(CodeName(status) == CodeName(StatusCode::kInvalidArgument));
      CHECK(DiffDumps(before, store.Dump()) == "");
    }
    CheckNoSecretIn(status);
  }
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

const std::string kSecretsFixture = std::string(R"({
    "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"]}],
    "users": [
      {"id": 40, "name": "Nora New", "logins": [{"account_id": 1, "unique_id": "nora", "password": ")") +
                                    kSecretPassword + R"("}], "tokens": [")" + kSecretToken + R"("]},
      {"id": 41, "name": "Otto Other", "logins": [{"account_id": 1, "unique_id": "otto"}]}],
    "pairing_codes": [{"user_id": 40, "code": ")" +
                                    kSecretCode + R"(", "expires_at": "2030-01-01T00:00:00Z"}]
  })";

TEST_CASE("PostgreSQL stores fixture passwords, tokens and codes only as hashes", "[postgres][fixture][D7]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  RequireOk(LoadFixture(store.backend, testing::kStandardFixture));
  RequireOk(LoadFixture(store.backend, kSecretsFixture));

  std::string everything;
  for (const auto& [table, rows] : store.Dump()) {
    for (const std::string& row : rows) everything += table + ": " + row + "\n";
  }
  CHECK(Contains(everything, "Nora New"));  // the reading works: what is not secret is there
  std::vector<std::string> secrets = {kSecretPassword, kSecretToken, kSecretCode};
  secrets.insert(secrets.end(), testing::StandardSecrets().begin(), testing::StandardSecrets().end());
  for (const std::string& secret : secrets) {
    INFO("secret " << secret);
    CHECK_FALSE(Contains(everything, secret));
    CHECK_FALSE(Contains(everything, Hex(secret)));  // bytea is dumped as hex
  }
  CHECK(store.Scalar("SELECT password_hash FROM logins WHERE unique_id = 'nora'").rfind("$argon2id$", 0) == 0);
  CHECK(store.Scalar("SELECT count(*) FROM logins WHERE unique_id = 'otto' AND password_hash IS NULL") == "1");
}

TEST_CASE("with the same secret_key, PostgreSQL stores a fixture's token and code hashes as SQLite does",
          "[postgres][fixture][D7]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  const std::string key = "a shared at-rest key for both backends";
  PgStore store(*conninfo, key);
  RequireOk(LoadFixture(store.backend, kSecretsFixture));

  TempDir dir;
  StorageOptions options;
  options.location = dir.File("same-key.db");
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = store.clock;
  options.secret_key = key;
  {
    const Storage sqlite = ValueOf(OpenStorage(options));
    RequireOk(LoadFixture(sqlite, kSecretsFixture));
  }
  SQLite::Database db(options.location, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT lower(hex(token_hash)) FROM access_tokens").getString() ==
        store.Scalar("SELECT encode(token_hash, 'hex') FROM access_tokens"));
  CHECK(db.execAndGet("SELECT lower(hex(code_hash)) FROM pairing_codes").getString() ==
        store.Scalar("SELECT encode(code_hash, 'hex') FROM pairing_codes"));
}

TEST_CASE("fixture ids in PostgreSQL identity columns leave later inserts room", "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  // Low explicit ids, then keyless rows in the same load: these take ids from the identity.
  constexpr char kLowIds[] = R"json({
    "accounts": [{"id": 1, "name": "Default"}],
    "users": [{"id": 1, "name": "Ann One", "logins": [{"account_id": 1, "unique_id": "ann"}]},
              {"id": 2, "name": "Ben Two", "logins": [{"account_id": 1, "unique_id": "ben"}]}],
    "courses": [{"id": 1, "account_id": 1}],
    "enrollments": [{"id": 1, "user_id": 1, "course_id": 1},
                    {"user_id": 2, "course_id": 1}],
    "links": [{"id": 1, "observer_id": 2, "student_id": 1, "root_account_id": 1},
              {"observer_id": 1, "student_id": 2, "root_account_id": 1}]
  })json";
  RequireOk(LoadFixture(store.backend, kLowIds));
  CHECK(store.Scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM enrollments") == "1,2");
  CHECK(store.Scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM observation_links") == "1,2");
  const TableDump loaded = store.Dump();
  RequireOk(LoadFixture(store.backend, kLowIds));
  CHECK(DiffDumps(loaded, store.Dump()) == "");

  // Another client inserting without ids gets fresh ones.
  CHECK(store.Scalar("INSERT INTO users (name, sortable_name, short_name, created_at) "
                     "VALUES ('New', 'New', 'New', 0) RETURNING id") == "3");
  CHECK(store.Scalar("INSERT INTO enrollments (user_id, course_id, root_account_id, type, workflow_state, "
                     "created_at, updated_at) VALUES (3, 1, 1, 'StudentEnrollment', 'active', 0, 0) RETURNING id") ==
        "3");
  CHECK(store.Scalar("INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, "
                     "created_at, updated_at) VALUES (3, 1, 1, 'active', 0, 0) RETURNING id") == "3");

  // A later fixture with higher ids moves the sequences past them; they never move back.
  RequireOk(LoadFixture(store.backend, R"json({"users": [{"id": 50, "name": "Fay Fifty"}],
    "enrollments": [{"id": 60, "user_id": 50, "course_id": 1}],
    "links": [{"id": 70, "observer_id": 50, "student_id": 1, "root_account_id": 1}]})json"));
  RequireOk(LoadFixture(store.backend, kLowIds));
  CHECK(store.Scalar("INSERT INTO users (name, sortable_name, short_name, created_at) "
                     "VALUES ('Next', 'Next', 'Next', 0) RETURNING id") == "51");
  CHECK(store.Scalar("INSERT INTO enrollments (user_id, course_id, root_account_id, type, workflow_state, "
                     "created_at, updated_at) VALUES (3, 1, 1, 'TeacherEnrollment', 'active', 0, 0) RETURNING id") ==
        "61");
  CHECK(store.Scalar("INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, "
                     "created_at, updated_at) VALUES (3, 2, 1, 'active', 0, 0) RETURNING id") == "71");
}

TEST_CASE("PostgreSQL loads accounts listed before their parents, and re-roots what a fixture moves",
          "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  RequireOk(LoadFixture(store.backend, R"json({
    "accounts": [{"id": 5, "name": "Leaf", "parent_id": 4}, {"id": 4, "name": "Middle", "parent_id": 1},
                 {"id": 1, "name": "Root", "domains": ["root.test"]}],
    "users": [{"id": 10, "name": "Sue Student", "logins": [{"account_id": 1, "unique_id": "sue"}]}],
    "courses": [{"id": 9, "account_id": 5}],
    "enrollments": [{"user_id": 10, "course_id": 9}]
  })json"));
  CHECK(store.Scalar("SELECT string_agg(id || ':' || root_account_id, ',' ORDER BY id) FROM accounts") ==
        "1:1,4:1,5:1");
  CHECK(store.Scalar("SELECT root_account_id FROM enrollments") == "1");

  // Account 4 moves under a new root 2: account 5, course 9 and its enrollment follow, though the
  // second fixture names none of them.
  RequireOk(LoadFixture(store.backend, R"json({
    "accounts": [{"id": 4, "name": "Middle", "parent_id": 2}, {"id": 2, "name": "Second"}]
  })json"));
  CHECK(store.Scalar("SELECT string_agg(id || ':' || root_account_id, ',' ORDER BY id) FROM accounts") ==
        "1:1,2:2,4:2,5:2");
  CHECK(store.Scalar("SELECT root_account_id FROM courses WHERE id = 9") == "2");
  CHECK(store.Scalar("SELECT root_account_id FROM enrollments") == "2");
}

TEST_CASE("PostgreSQL fixture users may trade SIS ids", "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  RequireOk(LoadFixture(store.backend, R"json({"users": [{"id": 10, "name": "Ann", "sis_user_id": "A"},
                                                         {"id": 11, "name": "Ben", "sis_user_id": "B"}]})json"));
  RequireOk(LoadFixture(store.backend, R"json({"users": [{"id": 10, "name": "Ann", "sis_user_id": "B"},
                                                         {"id": 11, "name": "Ben", "sis_user_id": "A"}]})json"));
  CHECK(store.Scalar("SELECT string_agg(id || ':' || sis_user_id, ',' ORDER BY id) FROM users") == "10:B,11:A");
}

TEST_CASE("LoadFixtureFile on PostgreSQL reads a file, and a missing file is kNotFound", "[postgres][fixture]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgStore store(*conninfo);
  TempDir dir;
  CHECK(CodeName(LoadFixtureFile(store.backend, dir.File("no-such-fixture.json"))) == CodeName(StatusCode::kNotFound));
  const std::string path = dir.File("example.json");
  std::ofstream(path) << kDesignExample;
  RequireOk(LoadFixtureFile(store.backend, path));
  CHECK(store.Scalar("SELECT name FROM users WHERE id = 10") == "Pat Parent");
}

}  // namespace
}  // namespace observees::storage_test
