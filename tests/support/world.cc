#include "support/world.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <utility>

#include "observees/timestamp.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"

namespace observees::testing {

// The cast is documented in world.h. Keep the two in step.
const char kStandardFixture[] = R"json(
{
  "accounts": [
    {"id": 1, "name": "Default", "domains": ["canvas.test"], "self_registration": "observer", "avatars": true},
    {"id": 2, "name": "External", "domains": ["external.test"], "self_registration": "none"},
    {"id": 3, "name": "Science", "parent_id": 1},
    {"id": 4, "name": "Arts", "parent_id": 1}
  ],
  "users": [
    {"id": 5, "name": "Ada Admin", "logins": [{"account_id": 1, "unique_id": "ada", "password": "pw-ada-5-secret"}]},
    {"id": 6, "name": "Ezra External", "logins": [{"account_id": 2, "unique_id": "ezra", "password": "pw-ezra-6-secret"}]},
    {"id": 7, "name": "Nico Noperm", "logins": [{"account_id": 1, "unique_id": "nico", "password": "pw-nico-7-secret"}]},
    {"id": 8, "name": "Sandra Science"},
    {"id": 9, "name": "Dana Dual"},
    {"id": 10, "name": "Pat Parent", "created_at": "2024-01-05T10:00:00Z",
     "logins": [{"account_id": 1, "unique_id": "pat", "password": "pw-pat-10-secret"}],
     "tokens": ["tok-pat-10-secret"]},
    {"id": 11, "name": "Child Smith", "created_at": "2024-02-01T08:30:00Z", "sis_user_id": "sis-child",
     "avatar_url": "/images/child.png",
     "logins": [{"account_id": 1, "unique_id": "child", "password": "pw-child-11-secret"}],
     "tokens": ["tok-child-11-secret", {"token": "tok-child-expired-secret", "expires_at": "2025-06-01T00:00:00Z"}]},
    {"id": 12, "name": "Another Smith",
     "logins": [{"account_id": 1, "unique_id": "another", "password": "pw-another-12-secret"}]},
    {"id": 13, "name": "Bo Both",
     "logins": [{"account_id": 1, "unique_id": "bo", "password": "pw-bo-13-secret"},
                {"account_id": 2, "unique_id": "bo.ext", "password": "pw-bo-13-secret"}],
     "tokens": ["tok-bo-13-secret"]},
    {"id": 14, "name": "Olivia Observer",
     "logins": [{"account_id": 1, "unique_id": "olivia", "password": "pw-olivia-14-secret"},
                {"account_id": 2, "unique_id": "olivia.ext", "password": "pw-olivia-14-secret"}]},
    {"id": 15, "name": "Dan Deleted", "workflow_state": "deleted",
     "logins": [{"account_id": 1, "unique_id": "dan", "password": "pw-dan-15-secret"}],
     "tokens": ["tok-dan-15-secret"]},
    {"id": 16, "name": "Quinn Quiet",
     "logins": [{"account_id": 1, "unique_id": "quinn", "password": "pw-quinn-16-secret"}],
     "tokens": ["tok-quinn-16-secret"]},
    {"id": 17, "name": "Xena Xavier", "avatar_url": "/images/xena.png",
     "logins": [{"account_id": 2, "unique_id": "xena", "password": "pw-xena-17-secret"}],
     "tokens": ["tok-xena-17-secret"]},
    {"id": 18, "name": "Ian Inactive",
     "logins": [{"account_id": 1, "unique_id": "ian", "password": "pw-ian-18-secret"}]},
    {"id": 19, "name": "Rita Rejected",
     "logins": [{"account_id": 1, "unique_id": "rita", "password": "pw-rita-19-secret"}]},
    {"id": 20, "name": "Terry Teacher",
     "logins": [{"account_id": 1, "unique_id": "terry", "password": "pw-terry-20-secret"}]},
    {"id": 21, "name": "Tina Teacher",
     "logins": [{"account_id": 1, "unique_id": "tina", "password": "pw-tina-21-secret"}]},
    {"id": 22, "name": "Gina Gone",
     "logins": [{"account_id": 1, "unique_id": "gina", "password": "pw-gina-22-secret"}]},
    {"id": 23, "name": "Yuri Yonder",
     "logins": [{"account_id": 2, "unique_id": "yuri", "password": "pw-yuri-23-secret"}]},
    {"id": 24, "name": "Mona Mom",
     "logins": [{"account_id": 1, "unique_id": "mona", "password": "pw-mona-24-secret"}]},
    {"id": 25, "name": "Nell Nowhere"},
    {"id": 26, "name": "Walt Wanderer",
     "logins": [{"account_id": 1, "unique_id": "walt", "password": "pw-walt-26-secret"},
                {"account_id": 2, "unique_id": "walt.ext", "password": "pw-walt-26-secret"}]},
    {"id": 27, "name": "Carl Completed",
     "logins": [{"account_id": 1, "unique_id": "carl", "password": "pw-carl-27-secret"}]},
    {"id": 28, "name": "Cora Custom"},
    {"id": 29, "name": "Hal Helpdesk"},
    {"id": 30, "name": "Una Unpublished",
     "logins": [{"account_id": 1, "unique_id": "una", "password": "pw-una-30-secret"}]},
    {"id": 31, "name": "Dora Deadcourse",
     "logins": [{"account_id": 1, "unique_id": "dora", "password": "pw-dora-31-secret"}]},
    {"id": 40, "name": "Cole Collator",
     "logins": [{"account_id": 1, "unique_id": "cole", "password": "pw-cole-40-secret"}]},
    {"id": 41, "name": "Zed \u00c9lan", "sortable_name": "\u00c9lan, Zed"},
    {"id": 42, "name": "Amy Ellis", "sortable_name": "Ellis, Amy"},
    {"id": 43, "name": "zack adams", "sortable_name": "adams, zack"},
    {"id": 44, "name": "Zoe Adams", "sortable_name": "Adams, Zoe"},
    {"id": 45, "name": "\u00e9lodie Abe", "sortable_name": "Abe, \u00e9lodie"},
    {"id": 46, "name": "Elodie Abe", "sortable_name": "Abe, Elodie"}
  ],
  "admins": [
    {"user_id": 5, "account_id": 1, "role": "AccountAdmin"},
    {"user_id": 6, "account_id": 2, "role": "AccountAdmin"},
    {"user_id": 7, "account_id": 1, "role": "AccountAdmin", "permissions": {"manage_user_observers": false}},
    {"user_id": 8, "account_id": 3, "role": "AccountAdmin"},
    {"user_id": 9, "account_id": 1, "role": "AccountAdmin"},
    {"user_id": 9, "account_id": 2, "role": "AccountAdmin"},
    {"user_id": 28, "account_id": 1, "role": "ObserverManager", "permissions": {"manage_user_observers": true}},
    {"user_id": 29, "account_id": 1, "role": "Helpdesk"}
  ],
  "role_overrides": [
    {"account_id": 4, "role": "TeacherEnrollment", "permission": "generate_observer_pairing_code", "enabled": true}
  ],
  "courses": [
    {"id": 100, "account_id": 3, "workflow_state": "available"},
    {"id": 101, "account_id": 4, "workflow_state": "available"},
    {"id": 102, "account_id": 3, "workflow_state": "unpublished"},
    {"id": 103, "account_id": 3, "workflow_state": "deleted"},
    {"id": 200, "account_id": 2, "workflow_state": "available"}
  ],
  "enrollments": [
    {"id": 500, "user_id": 11, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 501, "user_id": 12, "course_id": 101, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 502, "user_id": 13, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 503, "user_id": 13, "course_id": 200, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 504, "user_id": 15, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 505, "user_id": 17, "course_id": 200, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 506, "user_id": 18, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "inactive"},
    {"id": 507, "user_id": 19, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "rejected"},
    {"id": 508, "user_id": 20, "course_id": 100, "type": "TeacherEnrollment", "workflow_state": "active"},
    {"id": 509, "user_id": 21, "course_id": 101, "type": "TeacherEnrollment", "workflow_state": "active"},
    {"id": 510, "user_id": 27, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "completed"},
    {"id": 511, "user_id": 30, "course_id": 102, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 512, "user_id": 31, "course_id": 103, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 513, "user_id": 31, "course_id": 101, "type": "StudentEnrollment", "workflow_state": "active"}
  ],
  "links": [
    {"observer_id": 10, "student_id": 11, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 10, "student_id": 12, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 14, "student_id": 13, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 14, "student_id": 13, "root_account_id": 2, "workflow_state": "active"},
    {"observer_id": 14, "student_id": 17, "root_account_id": 2, "workflow_state": "active"},
    {"observer_id": 22, "student_id": 11, "root_account_id": 1, "workflow_state": "deleted"},
    {"observer_id": 23, "student_id": 17, "root_account_id": 2, "workflow_state": "active"},
    {"observer_id": 24, "student_id": 12, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 40, "student_id": 41, "root_account_id": 1},
    {"observer_id": 40, "student_id": 42, "root_account_id": 1},
    {"observer_id": 40, "student_id": 43, "root_account_id": 1},
    {"observer_id": 40, "student_id": 44, "root_account_id": 1},
    {"observer_id": 40, "student_id": 45, "root_account_id": 1},
    {"observer_id": 40, "student_id": 46, "root_account_id": 1}
  ],
  "pairing_codes": [
    {"user_id": 11, "code": "Activ1", "expires_at": "2026-06-01T00:00:00Z", "workflow_state": "active"},
    {"user_id": 11, "code": "Expir3", "expires_at": "2025-12-31T23:59:59Z", "workflow_state": "active"},
    {"user_id": 11, "code": "Used99", "expires_at": "2026-06-01T00:00:00Z", "workflow_state": "deleted"},
    {"user_id": 17, "code": "XenaC0", "expires_at": "2026-06-01T00:00:00Z", "workflow_state": "active"}
  ]
}
)json";

const std::vector<std::string>& StandardSecrets() {
  static const std::vector<std::string> kSecrets = {"pw-ada-5-secret",
                                                    "pw-ezra-6-secret",
                                                    "pw-nico-7-secret",
                                                    "pw-pat-10-secret",
                                                    "tok-pat-10-secret",
                                                    "pw-child-11-secret",
                                                    "tok-child-11-secret",
                                                    "tok-child-expired-secret",
                                                    "pw-another-12-secret",
                                                    "pw-bo-13-secret",
                                                    "tok-bo-13-secret",
                                                    "pw-olivia-14-secret",
                                                    "pw-dan-15-secret",
                                                    "tok-dan-15-secret",
                                                    "pw-quinn-16-secret",
                                                    "tok-quinn-16-secret",
                                                    "pw-xena-17-secret",
                                                    "tok-xena-17-secret",
                                                    "pw-ian-18-secret",
                                                    "pw-rita-19-secret",
                                                    "pw-terry-20-secret",
                                                    "pw-tina-21-secret",
                                                    "pw-gina-22-secret",
                                                    "pw-yuri-23-secret",
                                                    "pw-mona-24-secret",
                                                    "pw-walt-26-secret",
                                                    "pw-carl-27-secret",
                                                    "pw-una-30-secret",
                                                    "pw-dora-31-secret",
                                                    "pw-cole-40-secret",
                                                    "Activ1",
                                                    "Expir3",
                                                    "Used99",
                                                    "XenaC0"};
  return kSecrets;
}

std::string StandardFixtureWithSelfRegistration(std::string_view setting) {
  std::string fixture = kStandardFixture;
  const std::string from = R"("self_registration": "observer")";
  const std::size_t at = fixture.find(from);
  REQUIRE(at != std::string::npos);
  fixture.replace(at, from.size(), R"("self_registration": ")" + std::string(setting) + "\"");
  return fixture;
}

Timestamp StartTime() { return Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1)); }

Timestamp At(std::string_view iso8601) {
  const std::optional<Timestamp> t = ParseTimestamp(iso8601);
  REQUIRE(t.has_value());
  return *t;
}

World MakeWorld(std::string_view fixture_json, ServiceOptions options) {
  WorldOptions world_options;
  world_options.fixture_json = std::string(fixture_json);
  world_options.service = std::move(options);
  return MakeWorld(world_options);
}

bool WorldsOnPostgres() {
  const char* backend = std::getenv("OBSERVEES_TEST_BACKEND");
  return backend != nullptr && std::string_view(backend) == "postgres";
}

namespace {

bool IsMemory(const std::string& path) { return path.empty() || path == ":memory:"; }

// The world's storage: PostgreSQL on a private schema when WorldsOnPostgres(), else SQLite (a temporary
// file instead of ":memory:" when OBSERVEES_TEST_FILE_DB is set).
Storage OpenWorldStorage(World& world, const WorldOptions& options) {
  StorageOptions storage;
  storage.location = options.db_path;
  storage.password_hashing = PasswordHashing::kFastest;
  storage.clock = world.clock;
  if (WorldsOnPostgres() && IsMemory(options.db_path)) {
    const std::optional<std::string> conninfo = storage_test::TestPostgresConninfo();
    REQUIRE(conninfo.has_value());
    auto schema = std::make_shared<storage_test::ScopedPostgresSchema>(*conninfo);
    storage.location = "postgresql:" + *conninfo;
    storage.schema = schema->name();
    storage.connections = 2;  // a reader always finds a connection while one write transaction is open
    world.postgres_schema = schema;
  } else {
    const char* file_db = std::getenv("OBSERVEES_TEST_FILE_DB");
    const char* prefix = std::getenv("OBSERVEES_TEST_TABLE_PREFIX");
    const bool prefixed = prefix != nullptr && *prefix != '\0' && IsMemory(options.db_path);
    if ((file_db != nullptr && *file_db != '\0' && IsMemory(options.db_path)) || prefixed) {
      world.temp_dir = std::make_shared<TempDir>();
      storage.location = (world.temp_dir->path() / "observees.db").string();
    }
    if (prefixed) {
      storage.table_prefix = prefix;
      storage_test::MakeForeignTables(storage.location);
    }
  }
  Result<Storage> opened = OpenStorage(storage);
  INFO("OpenStorage: " << opened.status().ToString());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

}  // namespace

World MakeWorld(const WorldOptions& options) {
  World world;
  world.clock = std::make_shared<FakeClock>(StartTime());
  world.backend = OpenWorldStorage(world, options);

  const Status loaded = LoadFixture(world.backend, options.fixture_json);
  INFO("LoadFixture: " << loaded.ToString());
  REQUIRE(loaded.ok());

  ServiceDependencies deps = world.backend.Dependencies(world.clock);
  deps.warn = options.warn;
  if (options.random) deps.random = options.random;
  Result<std::unique_ptr<ObservationService>> service = ObservationService::Create(deps, options.service);
  INFO("ObservationService::Create: " << service.status().ToString());
  REQUIRE(service.ok());
  world.service = std::move(service).value();
  return world;
}

Caller World::As(UserId user, AccountId domain) const {
  Caller caller;
  caller.user = user;
  caller.domain_root_account = domain;
  return caller;
}

Caller World::Anonymous(AccountId domain) const {
  Caller caller;
  caller.domain_root_account = domain;
  caller.client_key = "192.0.2.1";
  return caller;
}

std::vector<Link> World::LinksBetween(UserId student, UserId observer) const {
  Result<std::vector<Link>> links = backend.links->LinksBetween(student, observer);
  INFO("LinksBetween: " << links.status().ToString());
  REQUIRE(links.ok());
  return links.value();
}

std::vector<AccountId> World::ActiveLinkRoots(UserId student, UserId observer) const {
  std::vector<AccountId> roots;
  for (const Link& link : LinksBetween(student, observer)) {
    if (link.state == LinkState::kActive && link.root_account_id) roots.push_back(*link.root_account_id);
  }
  std::sort(roots.begin(), roots.end());
  return roots;
}

std::vector<AuditEntry> World::AuditAfter(std::int64_t after) const {
  Result<std::vector<AuditEntry>> entries = backend.links->ReadAudit(after, 100000);
  INFO("ReadAudit: " << entries.status().ToString());
  REQUIRE(entries.ok());
  return entries.value();
}

std::int64_t World::LastAuditId() const {
  const std::vector<AuditEntry> entries = AuditAfter(0);
  return entries.empty() ? 0 : entries.back().id;
}

std::string World::NewCode(UserId student, AccountId domain) const {
  Result<PairingCode> code = service->CreatePairingCode(As(student, domain), student);
  INFO("CreatePairingCode: " << code.status().ToString());
  REQUIRE(code.ok());
  return code->code;
}

std::optional<PairingCodeRecord> World::ActiveCode(std::string_view code) const {
  Result<std::optional<PairingCodeRecord>> found = backend.links->FindActiveCode(code, Now());
  INFO("FindActiveCode: " << found.status().ToString());
  REQUIRE(found.ok());
  return found.value();
}

Result<LinkedUser> World::RedeemCode(UserId observer, std::string code, AccountId domain,
                                     RootAccountScope scope) const {
  return service->AddObservee(As(observer, domain), observer, CodeRequest(std::move(code), scope));
}

Result<LinkedUser> World::AddWithToken(UserId observer, std::string token, AccountId domain,
                                       RootAccountScope scope) const {
  return service->AddObservee(As(observer, domain), observer, TokenRequest(std::move(token), scope));
}

Result<LinkedUser> World::AddWithCredentials(UserId observer, std::string unique_id, std::string password,
                                             AccountId domain, RootAccountScope scope) const {
  return service->AddObservee(As(observer, domain), observer,
                              CredentialsRequest(std::move(unique_id), std::move(password), scope));
}

AddObserveeRequest TokenRequest(std::string token, RootAccountScope scope) {
  AddObserveeRequest request;
  request.access_token = std::move(token);
  request.scope = scope;
  return request;
}

AddObserveeRequest CodeRequest(std::string code, RootAccountScope scope) {
  AddObserveeRequest request;
  request.pairing_code = std::move(code);
  request.scope = scope;
  return request;
}

AddObserveeRequest CredentialsRequest(std::string unique_id, std::string password, RootAccountScope scope) {
  AddObserveeRequest request;
  request.unique_id = std::move(unique_id);
  request.password = std::move(password);
  request.scope = scope;
  return request;
}

std::vector<AuditEntry> OfAction(const std::vector<AuditEntry>& entries, AuditAction action) {
  std::vector<AuditEntry> out;
  for (const AuditEntry& entry : entries) {
    if (entry.action == action) out.push_back(entry);
  }
  return out;
}

std::vector<UserId> IdsOf(const UserPage& page) {
  std::vector<UserId> ids;
  for (const LinkedUser& user : page.users) ids.push_back(user.user.id);
  return ids;
}

std::vector<AccountId> Sorted(std::vector<AccountId> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

void CheckNoSecrets(const Status& status, std::initializer_list<std::string_view> extra) {
  std::vector<std::string> secrets = StandardSecrets();
  for (std::string_view s : extra) {
    if (!s.empty()) secrets.emplace_back(s);
  }
  for (const std::string& secret : secrets) {
    INFO("status: " << status.ToString() << " field: " << status.field() << " secret: " << secret);
    CHECK(status.message().find(secret) == std::string::npos);
    CHECK(status.field().find(secret) == std::string::npos);
  }
}

// ScriptedRandom

ScriptedRandom::ScriptedRandom(std::vector<std::uint8_t> script)
    : script_(script.begin(), script.end()), fallback_(SecureRandom()) {}

void ScriptedRandom::Fill(std::span<std::uint8_t> out) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t i = 0;
  for (; i < out.size() && !script_.empty(); ++i) {
    out[i] = script_.front();
    script_.pop_front();
  }
  if (i < out.size()) fallback_->Fill(out.subspan(i));
  log_.insert(log_.end(), out.begin(), out.end());
}

void ScriptedRandom::Push(std::span<const std::uint8_t> bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  script_.insert(script_.end(), bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> ScriptedRandom::TakeLog() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(log_, {});
}

std::size_t ScriptedRandom::scripted_remaining() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return script_.size();
}

// TempDir

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  const std::string name =
      "observees-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(rd());
  path_ = std::filesystem::temp_directory_path() / name;
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::AllBytes() const {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(path_)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

}  // namespace observees::testing

namespace Catch {

std::string StringMaker<observees::StatusCode>::convert(observees::StatusCode code) {
  return std::string(observees::StatusCodeName(code));
}

std::string StringMaker<observees::testing::Outcome>::convert(const observees::testing::Outcome& outcome) {
  std::string s(observees::StatusCodeName(outcome.code));
  if (!outcome.message.empty()) s += " (" + outcome.message + ")";
  return s;
}

std::string StringMaker<observees::Timestamp>::convert(observees::Timestamp t) { return observees::FormatTimestamp(t); }

}  // namespace Catch
