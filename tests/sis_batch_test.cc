// SIS import records (SisImportRecord, the import's id in the audit log), imports of one root account
// never interleaving, and batch mode (docs/sis-import.md) on the test worlds: SQLite by default,
// PostgreSQL with OBSERVEES_TEST_BACKEND=postgres; plus the schema upgrade of both engines.
#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "observees/sis_import.h"
#include "observees/storage.h"
#include "secrets.h"
#include "sqlite/schema.h"
#include "support/forwarding_link_store.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"
#include "support/world.h"

#if OBSERVEES_TEST_WITH_LIBPQ
#include "postgres/pg_schema.h"
#include "support/pg_inspector.h"
#endif

namespace observees::testing {
namespace {

using storage_test::ValueOf;

// Root 1 "Default" (sub-account 3), root 2 "External". Observers P-50 Pam, P-51 Pia, P-52 Poe;
// students S-60 Sam, S-61 Sue, S-62 Sid, S-63 Sal, all with logins in root 1; X-70 Xia and X-71 Xan in
// root 2 only. Ada (5) administers root 1. One link made by a person: Pia observes Sid in root 1.
constexpr char kBatchFixture[] = R"json({
  "accounts": [
    {"id": 1, "name": "Default", "domains": ["canvas.test"]},
    {"id": 2, "name": "External", "domains": ["external.test"]},
    {"id": 3, "name": "Science", "parent_id": 1}
  ],
  "users": [
    {"id": 5, "name": "Ada Admin", "logins": [{"account_id": 1, "unique_id": "ada"}]},
    {"id": 50, "name": "Pam Parent", "sis_user_id": "P-50", "logins": [{"account_id": 1, "unique_id": "pam"}]},
    {"id": 51, "name": "Pia Parent", "sis_user_id": "P-51", "logins": [{"account_id": 1, "unique_id": "pia"}]},
    {"id": 52, "name": "Poe Parent", "sis_user_id": "P-52", "logins": [{"account_id": 1, "unique_id": "poe"}]},
    {"id": 60, "name": "Sam Student", "sis_user_id": "S-60", "logins": [{"account_id": 1, "unique_id": "sam"}]},
    {"id": 61, "name": "Sue Student", "sis_user_id": "S-61", "logins": [{"account_id": 1, "unique_id": "sue"}]},
    {"id": 62, "name": "Sid Student", "sis_user_id": "S-62", "logins": [{"account_id": 1, "unique_id": "sid"}]},
    {"id": 63, "name": "Sal Student", "sis_user_id": "S-63", "logins": [{"account_id": 1, "unique_id": "sal"}]},
    {"id": 70, "name": "Xia External", "sis_user_id": "X-70", "logins": [{"account_id": 2, "unique_id": "xia"}]},
    {"id": 71, "name": "Xan External", "sis_user_id": "X-71", "logins": [{"account_id": 2, "unique_id": "xan"}]}
  ],
  "admins": [{"user_id": 5, "account_id": 1, "role": "AccountAdmin"}],
  "links": [{"observer_id": 51, "student_id": 62, "root_account_id": 1, "workflow_state": "active"}]
})json";

constexpr UserId kPam = 50, kPia = 51, kPoe = 52, kSam = 60, kSue = 61, kSid = 62, kSal = 63, kXia = 70, kXan = 71;
constexpr char kHeader[] = "observer_id,student_id,status\n";

World BatchWorld() { return MakeWorld(kBatchFixture); }

SisImportOptions Plain(AccountId root = kDefault) {
  SisImportOptions options;
  options.root_account = root;
  options.actor = kAda;
  return options;
}

SisImportOptions Batch(std::string data_set, std::optional<int> threshold = std::nullopt, AccountId root = kDefault) {
  SisImportOptions options = Plain(root);
  options.batch_mode = true;
  options.diffing_data_set_identifier = std::move(data_set);
  options.change_threshold = threshold;
  return options;
}

SisImportOptions DryRun(SisImportOptions options) {
  options.dry_run = true;
  return options;
}

Result<SisImportReport> TryImport(const ObservationService& service, const std::string& rows,
                                  const SisImportOptions& options) {
  std::istringstream in(kHeader + rows);
  return service.ImportUserObservers(in, options);
}

SisImportReport Import(const World& w, const std::string& rows, const SisImportOptions& options = Plain()) {
  auto report = TryImport(*w.service, rows, options);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  return std::move(report).value();
}

SisImportRecord RecordOf(const World& w, std::int64_t id, AccountId root = kDefault) {
  auto record = ValueOf(w.backend.links->FindSisImport(root, id));
  REQUIRE(record.has_value());
  return *record;
}

std::vector<SisImportRecord> Records(const World& w, AccountId root = kDefault) {
  return ValueOf(w.backend.links->ListSisImports(root, 0, 100));
}

// The state of the pair's link in `root`: "active", "deleted" or "none".
std::string StateIn(const World& w, UserId student, UserId observer, AccountId root = kDefault) {
  for (const Link& link : w.LinksBetween(student, observer)) {
    if (link.root_account_id == root) return link.state == LinkState::kActive ? "active" : "deleted";
  }
  return "none";
}

std::vector<std::pair<UserId, UserId>> PairsOf(const std::vector<Link>& links) {
  std::vector<std::pair<UserId, UserId>> pairs;
  for (const Link& link : links) pairs.emplace_back(link.observer_id, link.student_id);
  return pairs;
}

// ---- The import record and the audit log ----------------------------------------------------------

TEST_CASE("sis import: every import but a dry run gets a record, and its audit entries carry its id",
          "[sis][sis_record]") {
  World w = BatchWorld();
  const std::int64_t mark = w.LastAuditId();
  w.clock->Advance(std::chrono::seconds(90));
  const SisImportReport report = Import(w, "P-50,S-60,active\nP-51,S-62,active\nP-50,S-61,active\nP-50,S-61,deleted\n");
  REQUIRE(report.id.has_value());
  CHECK(report.state == SisImportState::kImported);
  CHECK(report.committed);

  const SisImportRecord record = RecordOf(w, *report.id);
  CHECK(record.id == *report.id);
  CHECK(record.root_account_id == kDefault);
  CHECK(record.user_id == std::optional<UserId>(kAda));
  CHECK(record.state == SisImportState::kImported);
  CHECK(record.progress == 100);
  CHECK_FALSE(record.batch_mode);
  CHECK_FALSE(record.diffing_data_set_identifier.has_value());
  CHECK_FALSE(record.change_threshold.has_value());
  CHECK(record.rows == 4);
  CHECK(record.created == 2);
  CHECK(record.unchanged == 1);
  CHECK(record.deleted == 1);
  CHECK(record.batch_deleted == 0);
  CHECK(record.warning_count == 0);
  CHECK(record.error_count == 0);
  CHECK_FALSE(record.message.has_value());
  CHECK(record.created_at == w.Now());
  CHECK(record.ended_at == std::optional<Timestamp>(w.Now()));
  CHECK(record.updated_at == w.Now());

  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  REQUIRE(audit.size() == 3);  // Pam-Sam created, Pam-Sue created then removed
  for (const AuditEntry& entry : audit) CHECK(entry.sis_import_id == report.id);

  // A dry run: no id, no record, no audit entry.
  const std::size_t before = Records(w).size();
  const SisImportReport dry = Import(w, "P-52,S-63,active\n", DryRun(Plain()));
  CHECK_FALSE(dry.id.has_value());
  CHECK(dry.state == SisImportState::kImported);
  CHECK(Records(w).size() == before);

  // Warnings make it imported_with_messages; the list is newest first; another root sees none of them.
  const SisImportReport warned = Import(w, "P-50,NOPE,active\n");
  REQUIRE(warned.id.has_value());
  CHECK(*warned.id > *report.id);
  CHECK(warned.state == SisImportState::kImportedWithMessages);
  CHECK(RecordOf(w, *warned.id).warning_count == 1);
  const std::vector<SisImportRecord> listed = Records(w);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].id == *warned.id);
  CHECK(listed[1].id == *report.id);
  CHECK(ValueOf(w.backend.links->ListSisImports(kDefault, 1, 100)).size() == 1);
  CHECK(Records(w, kExternal).empty());
  CHECK_FALSE(ValueOf(w.backend.links->FindSisImport(kExternal, *report.id)).has_value());
}

TEST_CASE("sis import: a malformed file leaves a failed_with_messages record and no link change", "[sis][sis_record]") {
  World w = BatchWorld();
  std::istringstream in("observer_id,status\nP-50,active\n");
  auto report = w.service->ImportUserObservers(in, Plain());
  REQUIRE(report.ok());
  CHECK(report->state == SisImportState::kFailedWithMessages);
  CHECK_FALSE(report->committed);
  REQUIRE(report->id.has_value());
  const SisImportRecord record = RecordOf(w, *report->id);
  CHECK(record.state == SisImportState::kFailedWithMessages);
  CHECK(record.error_count == 1);
  CHECK(record.message == std::optional<std::string>("the header must name the observer_id and student_id columns"));
  CHECK(record.created == 0);
  CHECK(record.ended_at.has_value());
}

TEST_CASE("sis import: changes made otherwise carry no import id in the audit log", "[sis][sis_record]") {
  World w = BatchWorld();
  const std::int64_t mark = w.LastAuditId();
  REQUIRE(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kPoe, kSal, RootAccountScope::Domain())) == StatusCode::kOk);
  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].method == LinkMethod::kAdministrator);
  CHECK_FALSE(audit[0].sis_import_id.has_value());
}

// A LinkStore whose next write transaction first lets `before_write` run (once): another import
// committing after this one read its file.
class InterleavingLinkStore final : public ForwardingLinkStore {
 public:
  using ForwardingLinkStore::ForwardingLinkStore;
  std::function<void()> before_write;

  Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead) override {
    if (before_write) std::exchange(before_write, nullptr)();
    return base().BeginWrite(ahead);
  }
};

TEST_CASE(
    "sis import: an import whose file was read while another of its root committed is refused "
    "with kAborted and writes nothing",
    "[sis][sis_record]") {
  World w = BatchWorld();
  ServiceDependencies deps = w.backend.Dependencies(w.clock);
  auto store = std::make_shared<InterleavingLinkStore>(w.backend.links);
  deps.links = store;
  auto second = ValueOf(ObservationService::Create(std::move(deps)));
  std::optional<std::int64_t> first_id;
  store->before_write = [&] { first_id = Import(w, "P-50,S-60,active\n").id; };

  const std::int64_t mark = w.LastAuditId();
  const auto refused = TryImport(*second, "P-52,S-63,active\n", Plain());
  CHECK(OutcomeOf(refused) == StatusCode::kAborted);
  REQUIRE(first_id.has_value());
  const std::vector<SisImportRecord> records = Records(w);
  REQUIRE(records.size() == 1);  // the first import's only
  CHECK(records[0].id == *first_id);
  CHECK(StateIn(w, kSal, kPoe) == "none");
  for (const AuditEntry& entry : w.AuditAfter(mark)) CHECK(entry.sis_import_id == first_id);

  // Run again, it reads after the first and goes through; an import of another root never waits on it.
  auto again = TryImport(*second, "P-52,S-63,active\n", Plain());
  REQUIRE(again.ok());
  CHECK(again->created == 1);
  store->before_write = [&] { Import(w, "X-70,X-71,active\n", Plain(kExternal)); };
  CHECK(TryImport(*second, "P-52,S-60,active\n", Plain()).ok());
}

TEST_CASE("sis import: concurrent imports of one root account write one after the other",
          "[sis][sis_record][concurrency]") {
  // SQLite on a file (":memory:" has one connection, so nothing could overlap), or PostgreSQL.
  WorldOptions options;
  options.fixture_json = kBatchFixture;
  std::shared_ptr<storage_test::TempDir> dir;
  if (!WorldsOnPostgres()) {
    dir = std::make_shared<storage_test::TempDir>();
    options.db_path = (dir->path() / "concurrent.db").string();
  }
  World w = MakeWorld(options);
  const std::vector<std::string> files = {"P-50,S-60,active\nP-50,S-61,active\nP-50,S-62,active\nP-50,S-63,active\n",
                                          "P-51,S-60,active\nP-51,S-61,active\nP-51,S-63,active\n",
                                          "P-52,S-60,active\nP-52,S-61,active\nP-52,S-62,active\nP-52,S-63,active\n"};
  std::vector<Outcome> outcomes(files.size());
  std::vector<int> refusals(files.size(), 0);
  std::vector<std::int64_t> created(files.size(), 0);
  {
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < files.size(); ++i) {
      threads.emplace_back([&, i] {
        for (int attempt = 0; attempt < 100; ++attempt) {
          auto report = TryImport(*w.service, files[i], Plain());
          outcomes[i] = OutcomeOf(report);
          if (report.ok()) created[i] = report->created;
          if (outcomes[i] != StatusCode::kAborted) return;
          ++refusals[i];
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    INFO("import " << i << ": " << outcomes[i].message << " after " << refusals[i] << " refusals");
    CHECK(outcomes[i] == StatusCode::kOk);
  }
  CHECK(created == std::vector<std::int64_t>{4, 3, 4});
  const std::vector<SisImportRecord> records = Records(w);
  CHECK(records.size() == files.size());  // a refused attempt leaves no record
  // Each import's audit entries are one run of ids: no other import wrote between them.
  const std::vector<AuditEntry> audit = w.AuditAfter(0);
  std::vector<std::optional<std::int64_t>> runs;
  for (const AuditEntry& entry : audit) {
    if (runs.empty() || runs.back() != entry.sis_import_id) runs.push_back(entry.sis_import_id);
  }
  CHECK(runs.size() == files.size());
  CHECK(audit.size() == 11);
}

// A LinkStore whose first import transaction stops right after BeginSisImport until released.
class PausingLinkStore final : public ForwardingLinkStore {
 public:
  using ForwardingLinkStore::ForwardingLinkStore;
  std::promise<void> inside;   // set once the first import holds its record (and lock)
  std::promise<void> release;  // the paused import goes on once this is set

  Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead) override {
    return BeginWrapped<Txn>(ahead, this);
  }

 private:
  class Txn final : public ForwardingLinkTransaction {
   public:
    Txn(std::unique_ptr<LinkTransaction> base, PausingLinkStore* store)
        : ForwardingLinkTransaction(std::move(base)), store_(store) {}
    Result<std::optional<std::int64_t>> BeginSisImport(const SisImportRecord& record,
                                                       std::optional<std::int64_t> newest_seen) override {
      auto id = ForwardingLinkTransaction::BeginSisImport(record, newest_seen);
      if (!std::exchange(store_->paused_, true)) {
        store_->inside.set_value();
        store_->release.get_future().wait();
      }
      return id;
    }

   private:
    PausingLinkStore* store_;
  };

  bool paused_ = false;
};

TEST_CASE(
    "sis import: a second import of the root waits for the first one's transaction, then is refused "
    "because it read its file before the first committed",
    "[sis][sis_record][concurrency]") {
  WorldOptions options;
  options.fixture_json = kBatchFixture;
  std::shared_ptr<storage_test::TempDir> dir;
  if (!WorldsOnPostgres()) {  // a file, so the second import has a connection of its own
    dir = std::make_shared<storage_test::TempDir>();
    options.db_path = (dir->path() / "paused.db").string();
  }
  World w = MakeWorld(options);
  ServiceDependencies deps = w.backend.Dependencies(w.clock);
  auto store = std::make_shared<PausingLinkStore>(w.backend.links);
  deps.links = store;
  deps.enrollments = nullptr;  // it writes through the engine's own transaction, which the wrapper hides
  auto first_service = ValueOf(ObservationService::Create(std::move(deps)));
  // The second import opens the database again, as another process would: no writer limit of this
  // process's pool stands between the two, only the import lock.
  Storage second_backend;
  if (w.postgres_schema) {
    StorageOptions again = std::static_pointer_cast<storage_test::ScopedPostgresSchema>(w.postgres_schema)->Options(2);
    again.clock = w.clock;
    second_backend = ValueOf(OpenStorage(again));
  } else {
    second_backend = storage_test::OpenTestBackend(options.db_path, w.clock);
  }
  auto second_service = ValueOf(ObservationService::Create(second_backend.Dependencies(w.clock)));

  Outcome first, second;
  std::atomic<bool> second_done{false};
  std::thread first_thread([&] { first = OutcomeOf(TryImport(*first_service, "P-50,S-60,active\n", Plain())); });
  store->inside.get_future().wait();
  std::thread second_thread([&] {
    second = OutcomeOf(TryImport(*second_service, "P-52,S-63,active\n", Plain()));
    second_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const bool finished_early = second_done;
  store->release.set_value();
  first_thread.join();
  second_thread.join();
  CHECK_FALSE(finished_early);  // it waited on the first import's lock
  CHECK(first == StatusCode::kOk);
  CHECK(second == StatusCode::kAborted);
  CHECK(Records(w).size() == 1);
  CHECK(StateIn(w, kSam, kPam) == "active");
  CHECK(StateIn(w, kSal, kPoe) == "none");
}

// ---- Batch mode -------------------------------------------------------------------------------------

TEST_CASE("sis batch: the options are checked, and a bad one writes nothing", "[sis][sis_batch]") {
  World w = BatchWorld();
  const std::int64_t mark = w.LastAuditId();
  auto field_of = [&](const SisImportOptions& options) {
    const auto report = TryImport(*w.service, "P-50,S-60,active\n", options);
    CHECK(OutcomeOf(report) == StatusCode::kInvalidArgument);
    return report.status().field();
  };
  SisImportOptions no_data_set = Plain();
  no_data_set.batch_mode = true;
  CHECK(field_of(no_data_set) == "diffing_data_set_identifier");
  SisImportOptions no_batch = Plain();
  no_batch.diffing_data_set_identifier = "nightly";
  CHECK(field_of(no_batch) == "batch_mode");
  SisImportOptions threshold_alone = Plain();
  threshold_alone.change_threshold = 10;
  CHECK(field_of(threshold_alone) == "change_threshold");
  CHECK(field_of(Batch("nightly", 0)) == "change_threshold");
  CHECK(field_of(Batch("nightly", 101)) == "change_threshold");
  CHECK(field_of(Batch("")) == "diffing_data_set_identifier");
  CHECK(field_of(Batch(std::string(129, 'd'))) == "diffing_data_set_identifier");
  CHECK(field_of(Batch("bad \xFF utf-8")) == "diffing_data_set_identifier");
  CHECK(w.AuditAfter(mark).empty());
  CHECK(Records(w).empty());
  CHECK(TryImport(*w.service, "", Batch(std::string(128, 'd'), 100)).ok());
  CHECK(TryImport(*w.service, "", Batch("nightly", 1)).ok());
}

TEST_CASE(
    "sis batch: links the data set made that the file leaves out are removed; links people made "
    "never are",
    "[sis][sis_batch]") {
  World w = BatchWorld();
  const SisImportReport first = Import(w, "P-50,S-60,active\nP-50,S-61,active\nP-51,S-62,active\n", Batch("nightly"));
  CHECK(first.created == 2);
  CHECK(first.unchanged == 1);  // Pia-Sid, which a person made: touched, never owned
  CHECK(first.batch_deleted == 0);
  const SisImportRecord record = RecordOf(w, *first.id);
  CHECK(record.batch_mode);
  CHECK(record.diffing_data_set_identifier == std::optional<std::string>("nightly"));

  // A link an admin made, never named by the data set.
  REQUIRE(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kPoe, kSal, RootAccountScope::Domain())) == StatusCode::kOk);

  const std::int64_t mark = w.LastAuditId();
  const SisImportReport second = Import(w, "P-50,S-60,active\n", Batch("nightly"));
  CHECK(second.deleted == 1);
  CHECK(second.batch_deleted == 1);
  CHECK(second.unchanged == 1);
  CHECK(PairsOf(second.batch_removals) == std::vector<std::pair<UserId, UserId>>{{kPam, kSue}});
  CHECK(RecordOf(w, *second.id).batch_deleted == 1);
  CHECK(StateIn(w, kSue, kPam) == "deleted");
  CHECK(StateIn(w, kSam, kPam) == "active");
  CHECK(StateIn(w, kSid, kPia) == "active");
  CHECK(StateIn(w, kSal, kPoe) == "active");
  const std::vector<AuditEntry> removed = OfAction(w.AuditAfter(mark), AuditAction::kRemoved);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].method == LinkMethod::kSisImport);
  CHECK(removed[0].sis_import_id == second.id);
  CHECK(removed[0].observer_id == std::optional<UserId>(kPam));

  // Another data set, or an import that is not a batch, removes none of "nightly"'s links.
  CHECK(Import(w, "", Batch("weekly")).deleted == 0);
  CHECK(Import(w, "").deleted == 0);
  CHECK(StateIn(w, kSam, kPam) == "active");

  // Removed and restored by an administrator, the link is a person's now: the batch keeps it.
  REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kPam, kSam)) == StatusCode::kOk);
  REQUIRE(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kPam, kSam, RootAccountScope::Domain())) == StatusCode::kOk);
  const SisImportReport third = Import(w, "", Batch("nightly"));
  CHECK(third.batch_deleted == 0);
  CHECK(StateIn(w, kSam, kPam) == "active");
}

TEST_CASE("sis batch: a link the data set restored is its own; a deleted row is not a batch removal",
          "[sis][sis_batch]") {
  World w = BatchWorld();
  REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kPia, kSid)) == StatusCode::kOk);
  const SisImportReport restored = Import(w, "P-51,S-62,active\nP-50,S-60,active\n", Batch("nightly"));
  CHECK(restored.restored == 1);
  const SisImportReport next = Import(w, "P-50,S-60,deleted\n", Batch("nightly"));
  CHECK(next.deleted == 2);
  CHECK(next.batch_deleted == 1);  // Pia-Sid; Pam-Sam went by its own row
  CHECK(PairsOf(next.batch_removals) == std::vector<std::pair<UserId, UserId>>{{kPia, kSid}});
  CHECK(StateIn(w, kSid, kPia) == "deleted");
  CHECK(StateIn(w, kSam, kPam) == "deleted");
}

TEST_CASE("sis batch: a data set is per root account", "[sis][sis_batch]") {
  World w = BatchWorld();
  Import(w, "P-50,S-60,active\n", Batch("nightly"));
  Import(w, "X-70,X-71,active\n", Batch("nightly", std::nullopt, kExternal));
  const SisImportReport external = Import(w, "", Batch("nightly", std::nullopt, kExternal));
  CHECK(PairsOf(external.batch_removals) == std::vector<std::pair<UserId, UserId>>{{kXia, kXan}});
  CHECK(StateIn(w, kSam, kPam) == "active");
  CHECK(StateIn(w, kXan, kXia, kExternal) == "deleted");
}

TEST_CASE("sis batch: over change_threshold it is aborted, writes nothing but its record, and says why",
          "[sis][sis_batch]") {
  World w = BatchWorld();
  Import(w, "P-50,S-60,active\nP-50,S-61,active\nP-52,S-62,active\nP-52,S-63,active\n", Batch("nightly"));
  const std::int64_t mark = w.LastAuditId();
  // Leaves out 2 of the data set's 4 links (50%), and would create one.
  const std::string file = "P-50,S-60,active\nP-50,S-61,active\nP-51,S-60,active\n";

  const SisImportReport aborted = Import(w, file, Batch("nightly", 49));
  CHECK(aborted.state == SisImportState::kAborted);
  CHECK_FALSE(aborted.committed);
  CHECK(aborted.created == 0);
  CHECK(aborted.deleted == 0);
  CHECK(aborted.batch_deleted == 0);
  REQUIRE(aborted.errors.size() == 1);
  CHECK(aborted.errors[0].row == 0);
  CHECK(aborted.errors[0].message == "2 user_observers would be deleted and exceeds the set threshold of 49%");
  CHECK(PairsOf(aborted.batch_removals) == std::vector<std::pair<UserId, UserId>>{{kPoe, kSid}, {kPoe, kSal}});
  CHECK(w.AuditAfter(mark).empty());
  CHECK(StateIn(w, kSam, kPia) == "none");
  CHECK(StateIn(w, kSid, kPoe) == "active");
  const SisImportRecord record = RecordOf(w, *aborted.id);
  CHECK(record.state == SisImportState::kAborted);
  CHECK(record.change_threshold == std::optional<int>(49));
  CHECK(record.message == std::optional<std::string>(aborted.errors[0].message));
  CHECK(record.created == 0);

  // A dry run reports the same abort; at the threshold itself the batch goes through.
  const SisImportReport dry = Import(w, file, DryRun(Batch("nightly", 49)));
  CHECK(dry.state == SisImportState::kAborted);
  CHECK(dry.errors.size() == 1);
  const SisImportReport through = Import(w, file, Batch("nightly", 50));
  CHECK(through.state == SisImportState::kImported);
  CHECK(through.created == 1);
  CHECK(through.batch_deleted == 2);
  CHECK(StateIn(w, kSid, kPoe) == "deleted");
}

TEST_CASE("sis batch: a dry run reports what the batch would remove and writes nothing", "[sis][sis_batch]") {
  World w = BatchWorld();
  Import(w, "P-50,S-60,active\nP-50,S-61,active\n", Batch("nightly"));
  const std::int64_t mark = w.LastAuditId();
  const std::size_t records = Records(w).size();
  const SisImportReport dry = Import(w, "P-50,S-60,active\n", DryRun(Batch("nightly")));
  CHECK(dry.deleted == 1);
  CHECK(dry.batch_deleted == 1);
  CHECK(PairsOf(dry.batch_removals) == std::vector<std::pair<UserId, UserId>>{{kPam, kSue}});
  CHECK_FALSE(dry.committed);
  CHECK(w.AuditAfter(mark).empty());
  CHECK(Records(w).size() == records);
  CHECK(StateIn(w, kSue, kPam) == "active");
}

// ---- Schema upgrade ---------------------------------------------------------------------------------

TEST_CASE("a version-2 SQLite database is migrated to SIS imports: its links belong to no data set",
          "[sqlite][schema][sis_batch]") {
  storage_test::TempDir dir;
  const std::string path = (dir.path() / "v2.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(sqlite_schema::Migrations()[0]);
    db.exec(sqlite_schema::Migrations()[1]);
    const std::string key(secrets::kKeyBytes, 'k');
    SQLite::Statement meta(db, "INSERT INTO meta (key, value) VALUES ('hash_key', ?)");
    meta.bind(1, key.data(), static_cast<int>(key.size()));
    meta.exec();
    db.exec(
        "INSERT INTO observation_links (id, student_id, observer_id, root_account_id, workflow_state, "
        "created_at, updated_at) VALUES (900, 63, 50, 1, 'active', 1, 1)");
    db.exec(
        "INSERT INTO audit_log (at, actor_id, action, method, student_id, observer_id, root_account_id, "
        "link_id) VALUES (1, 5, 'created', 'administrator', 63, 50, 1, 900)");
    db.exec("PRAGMA user_version = 2");
  }
  WorldOptions options;
  options.db_path = path;
  options.fixture_json = kBatchFixture;
  World w = MakeWorld(options);
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA user_version").getInt() == StorageSchemaVersion(StorageKind::kSqlite));
    CHECK(StorageSchemaVersion(StorageKind::kSqlite) == 3);
    CHECK(db.execAndGet("SELECT sis_import_id IS NULL FROM observation_links WHERE id = 900").getInt() == 1);
  }
  const std::vector<AuditEntry> audit = w.AuditAfter(0);
  REQUIRE_FALSE(audit.empty());
  CHECK(audit[0].link_id == std::optional<LinkId>(900));
  CHECK_FALSE(audit[0].sis_import_id.has_value());
  const SisImportReport report = Import(w, "P-50,S-60,active\n", Batch("nightly"));
  CHECK(report.id.has_value());
  CHECK(Import(w, "", Batch("nightly")).batch_deleted == 1);  // Pam-Sam, not the old link
  CHECK(StateIn(w, kSal, kPam) == "active");
}

#if OBSERVEES_TEST_WITH_LIBPQ
TEST_CASE("a version-1 PostgreSQL schema is migrated to SIS imports: its links belong to no data set",
          "[postgres][schema][sis_batch]") {
  const auto conninfo = storage_test::TestPostgresConninfo();
  if (!conninfo) return;
  storage_test::ScopedPostgresSchema schema(*conninfo);
  {
    storage_test::PgInspector raw(*conninfo, schema.name());
    raw.Scalar("CREATE SCHEMA \"" + schema.name() + "\"");
    raw.Scalar("CREATE TABLE meta (key text PRIMARY KEY, value bytea NOT NULL)");
    raw.Scalar(postgres_schema::Migrations()[0]);
    raw.Scalar("INSERT INTO meta (key, value) VALUES ('schema_version', convert_to('1', 'UTF8'))");
    raw.Scalar(
        "INSERT INTO observation_links (id, student_id, observer_id, root_account_id, workflow_state, "
        "created_at, updated_at) VALUES (900, 63, 50, 1, 'active', 1, 1)");
    raw.Scalar(
        "INSERT INTO audit_log (at, actor_id, action, method, student_id, observer_id, root_account_id, "
        "link_id) VALUES (1, 5, 'created', 'administrator', 63, 50, 1, 900)");
  }
  StorageOptions options = schema.Options(1);
  auto clock = std::make_shared<FakeClock>(StartTime());
  options.clock = clock;
  const Storage backend = ValueOf(OpenStorage(options));
  REQUIRE(LoadFixture(backend, kBatchFixture).ok());
  storage_test::PgInspector after(*conninfo, schema.name());
  CHECK(after.Scalar("SELECT convert_from(value, 'UTF8') FROM meta WHERE key = 'schema_version'") ==
        std::optional<std::string>(std::to_string(StorageSchemaVersion(StorageKind::kPostgres))));
  CHECK(StorageSchemaVersion(StorageKind::kPostgres) == 2);
  CHECK(after.Scalar("SELECT sis_import_id FROM observation_links WHERE id = 900") == std::nullopt);

  const std::vector<AuditEntry> audit = ValueOf(backend.links->ReadAudit(0, 10));
  REQUIRE(audit.size() == 1);
  CHECK_FALSE(audit[0].sis_import_id.has_value());
  auto service = ValueOf(ObservationService::Create(backend.Dependencies(clock)));
  std::istringstream first(std::string(kHeader) + "P-50,S-60,active\n");
  REQUIRE(service->ImportUserObservers(first, Batch("nightly")).ok());
  std::istringstream empty(kHeader);
  const auto second = service->ImportUserObservers(empty, Batch("nightly"));
  REQUIRE(second.ok());
  CHECK(second->batch_deleted == 1);
  CHECK(after.Scalar("SELECT workflow_state FROM observation_links WHERE id = 900") ==
        std::optional<std::string>("active"));
}
#endif

}  // namespace
}  // namespace observees::testing
