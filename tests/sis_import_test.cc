// SIS import of user_observers.csv (ObservationService::ImportUserObservers, docs/sis-import.md) on
// the test worlds: SQLite by default, PostgreSQL with OBSERVEES_TEST_BACKEND=postgres.
#include "observees/sis_import.h"

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sis/user_observers_export.h"
#include "support/forwarding_link_store.h"
#include "support/storage_test_util.h"
#include "support/world.h"

namespace observees::testing {
namespace {

using storage_test::ValueOf;

// Root 1 "Default" (with sub-account 3), root 2 "External". SIS ids: P-10 Pat, S-11 Sam (student in
// course 100), S-12 Sue, X-13 Xavier (login in root 2 only), D-14 Dan (deleted user), U-15 Una (her only
// login suspended), G-16 Gil (his link to Sam deleted), O-17 Olga (observes Sue), "=1+2,"x"" Eve (a
// formula). Nora (18) has no SIS id. Links: Gil-Sam deleted, Olga-Sue,
// Olga-Sam (a legacy NULL-root link), Nora-Sam, Eve-Sue.
constexpr char kSisFixture[] = R"json({
  "accounts": [
    {"id": 1, "name": "Default", "domains": ["canvas.test"]},
    {"id": 2, "name": "External", "domains": ["external.test"]},
    {"id": 3, "name": "Science", "parent_id": 1}
  ],
  "users": [
    {"id": 5, "name": "Ada Admin", "logins": [{"account_id": 1, "unique_id": "ada", "password": "pw-ada-5-secret"}]},
    {"id": 10, "name": "Pat Parent", "sis_user_id": "P-10", "logins": [{"account_id": 1, "unique_id": "pat"}]},
    {"id": 11, "name": "Sam Student", "sis_user_id": "S-11", "logins": [{"account_id": 1, "unique_id": "sam"}]},
    {"id": 12, "name": "Sue Student", "sis_user_id": "S-12", "logins": [{"account_id": 1, "unique_id": "sue"}]},
    {"id": 13, "name": "Xavier External", "sis_user_id": "X-13", "logins": [{"account_id": 2, "unique_id": "xav"}]},
    {"id": 14, "name": "Dan Deleted", "sis_user_id": "D-14", "workflow_state": "deleted",
     "logins": [{"account_id": 1, "unique_id": "dan"}]},
    {"id": 15, "name": "Una Suspended", "sis_user_id": "U-15",
     "logins": [{"account_id": 1, "unique_id": "una", "workflow_state": "suspended"}]},
    {"id": 16, "name": "Gil Gone", "sis_user_id": "G-16", "logins": [{"account_id": 1, "unique_id": "gil"}]},
    {"id": 17, "name": "Olga Observer", "sis_user_id": "O-17", "logins": [{"account_id": 1, "unique_id": "olga"}]},
    {"id": 18, "name": "Nora Nosis", "logins": [{"account_id": 1, "unique_id": "nora"}]},
    {"id": 20, "name": "Eve Formula", "sis_user_id": "=1+2,\"x\"", "logins": [{"account_id": 1, "unique_id": "eve"}]}
  ],
  "courses": [{"id": 100, "account_id": 1, "workflow_state": "available"}],
  "enrollments": [
    {"id": 500, "user_id": 11, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"}
  ],
  "links": [
    {"observer_id": 16, "student_id": 11, "root_account_id": 1, "workflow_state": "deleted"},
    {"observer_id": 17, "student_id": 12, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 17, "student_id": 11},
    {"observer_id": 18, "student_id": 11, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 20, "student_id": 12, "root_account_id": 1, "workflow_state": "active"}
  ]
})json";

constexpr UserId kSam = 11, kSue = 12, kGil = 16, kOlga = 17;

World SisWorld() { return MakeWorld(kSisFixture); }

SisImportReport Import(const World& w, const std::string& csv, bool dry_run = false, AccountId root = kDefault) {
  std::istringstream in(csv);
  SisImportOptions options;
  options.root_account = root;
  options.dry_run = dry_run;
  options.actor = kAda;
  auto report = w.service->ImportUserObservers(in, options);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  return std::move(report).value();
}

using Messages = std::vector<std::pair<std::int64_t, std::string>>;
Messages WarningsOf(const SisImportReport& report) {
  Messages out;
  for (const auto& w : report.warnings) out.emplace_back(w.row, w.message);
  return out;
}

// The link's state in root 1: "active", "deleted" or "none".
std::string StateIn(const World& w, UserId student, UserId observer) {
  for (const Link& link : w.LinksBetween(student, observer)) {
    if (link.root_account_id == kDefault) return link.state == LinkState::kActive ? "active" : "deleted";
  }
  return "none";
}

TEST_CASE("sis import: active rows create and restore links, any case, columns in any order", "[sis]") {
  World w = SisWorld();
  const LinkId gil_link = w.LinksBetween(kSam, kGil).at(0).id;
  const std::int64_t mark = w.LastAuditId();
  const SisImportReport report =
      Import(w, "Status,extra,STUDENT_ID,Observer_Id\nACTIVE,x,S-11,P-10\nActive,y,S-11,G-16\nactive,z,S-12,O-17\n");
  CHECK(report.warnings.empty());
  CHECK(report.errors.empty());
  CHECK(report.created == 1);
  CHECK(report.restored == 1);
  CHECK(report.unchanged == 1);
  CHECK(report.deleted == 0);
  CHECK(report.rows == 3);
  CHECK(report.committed);
  CHECK(StateIn(w, kSam, kPat) == "active");
  // A restored link keeps its id (rule 7, as for add-by-id).
  const std::vector<Link> gil = w.LinksBetween(kSam, kGil);
  REQUIRE(gil.size() == 1);
  CHECK(gil[0].id == gil_link);
  CHECK(gil[0].state == LinkState::kActive);

  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  REQUIRE(audit.size() == 2);  // the unchanged link is not audited
  CHECK(audit[0].action == AuditAction::kCreated);
  CHECK(audit[0].observer_id == std::optional<UserId>(kPat));
  CHECK(audit[1].action == AuditAction::kRestored);
  CHECK(audit[1].link_id == std::optional<LinkId>(gil_link));
  for (const AuditEntry& entry : audit) {
    CHECK(entry.method == LinkMethod::kSisImport);
    CHECK(entry.actor == std::optional<UserId>(kAda));
    CHECK(entry.root_account_id == std::optional<AccountId>(kDefault));
  }
}

TEST_CASE("sis import: linked observer enrollments follow the links", "[sis]") {
  World w = SisWorld();
  auto observer_enrollments = [&](UserId observer) {
    std::vector<std::string> states;
    for (const Enrollment& e : ValueOf(w.backend.enrollments->EnrollmentsOf(observer))) {
      if (e.type == "ObserverEnrollment" && e.associated_user_id == kSam) states.push_back(e.workflow_state);
    }
    return states;
  };
  CHECK(observer_enrollments(kPat).empty());
  Import(w, "observer_id,student_id,status\nP-10,S-11,active\n");
  CHECK(observer_enrollments(kPat) == std::vector<std::string>{"active"});
  Import(w, "observer_id,student_id,status\nP-10,S-11,deleted\n");
  CHECK(observer_enrollments(kPat) == std::vector<std::string>{"deleted"});
}

TEST_CASE("sis import: deleted rows remove links; re-importing changes nothing", "[sis]") {
  World w = SisWorld();
  const std::string file = "observer_id,student_id,status\nO-17,S-12,deleted\nP-10,S-11,active\n";
  const std::int64_t mark = w.LastAuditId();
  const SisImportReport first = Import(w, file);
  CHECK(first.deleted == 1);
  CHECK(first.created == 1);
  CHECK(StateIn(w, kSue, kOlga) == "deleted");
  const std::vector<AuditEntry> removed = OfAction(w.AuditAfter(mark), AuditAction::kRemoved);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].method == LinkMethod::kSisImport);
  CHECK(removed[0].observer_id == std::optional<UserId>(kOlga));

  const std::int64_t mark2 = w.LastAuditId();
  const SisImportReport again = Import(w, file);
  CHECK(again.created == 0);
  CHECK(again.deleted == 0);
  CHECK(again.unchanged == 1);
  CHECK(WarningsOf(again) == Messages{{2, "Can't delete a non-existent observer for observer: O-17, student: S-12"}});
  CHECK(w.AuditAfter(mark2).empty());
}

TEST_CASE("sis import: rows act in file order on the same pair", "[sis]") {
  World w = SisWorld();
  const SisImportReport report = Import(
      w, "observer_id,student_id,status\nP-10,S-11,active\nP-10,S-11,deleted\nP-10,S-11,deleted\nP-10,S-11,active\n");
  CHECK(report.created == 1);
  CHECK(report.deleted == 1);
  CHECK(report.restored == 1);
  CHECK(WarningsOf(report) == Messages{{4, "Can't delete a non-existent observer for observer: P-10, student: S-11"}});
  const std::vector<Link> links = w.LinksBetween(kSam, kPat);
  REQUIRE(links.size() == 1);
  CHECK(links[0].state == LinkState::kActive);
}

TEST_CASE("sis import: every refusal is a warning with Canvas's text and row, and the rest imports", "[sis]") {
  World w = SisWorld();
  const SisImportReport report = Import(w,
                                        "observer_id,student_id,status\n"
                                        ",S-11,active\n"                // 2
                                        "P-10,,active\n"                // 3
                                        "P-10,P-10,active\n"            // 4
                                        "P-10,S-11,maybe\n"             // 5
                                        "P-10,S-11,\n"                  // 6
                                        "NOPE,S-11,active\n"            // 7
                                        "P-10,NOPE,active\n"            // 8
                                        "X-13,S-11,active\n"            // 9: login in root 2 only
                                        "D-14,S-11,active\n"            // 10: a deleted user
                                        "U-15,S-11,active\n"            // 11: only a suspended login
                                        "P-10,S-12,deleted\n"           // 12: no such link
                                        "P-10,S-11\n"                   // 13: ragged
                                        ",,\n"                          // 14: blank: skipped silently
                                        "\"P-10 \",\" S-11\",active\n"  // 15: stripped, imported
                                        "O-17,S-11,active\n");          // 16: imported
  CHECK(WarningsOf(report) == Messages{{2, "No observer_id given for a user observer"},
                                       {3, "No user_id given for a user observer"},
                                       {4, "Can't observe yourself user P-10"},
                                       {5, "Improper status \"maybe\" for a user_observer"},
                                       {6, "Improper status \"\" for a user_observer"},
                                       {7, "An observer referenced a non-existent user NOPE"},
                                       {8, "A student referenced a non-existent user NOPE"},
                                       {9, "An observer referenced a non-existent user X-13"},
                                       {10, "An observer referenced a non-existent user D-14"},
                                       {11, "An observer referenced a non-existent user U-15"},
                                       {12, "Can't delete a non-existent observer for observer: P-10, student: S-12"},
                                       {13, "The row has 2 fields but the header has 3; the row was skipped"}});
  CHECK(report.rows == 15);
  CHECK(report.created == 1);
  CHECK(report.unchanged == 1);  // Olga's legacy NULL-root link with Sam counts as the root's
  CHECK(report.committed);
  CHECK(StateIn(w, kSam, kPat) == "active");
}

TEST_CASE("sis import: a file without a status column has a bad status on every row", "[sis]") {
  World w = SisWorld();
  // Only one user per SIS id exists, so the "same user" check is reached through the id strings here.
  const SisImportReport report = Import(w, "observer_id,student_id\nP-10,S-11\n");
  CHECK(WarningsOf(report) == Messages{{2, "Improper status \"\" for a user_observer"}});
  CHECK(report.created == 0);
}

TEST_CASE("sis import: a dry run reports the same and writes nothing", "[sis]") {
  World w = SisWorld();
  const std::string file =
      "observer_id,student_id,status\nP-10,S-11,active\nG-16,S-11,active\nO-17,S-12,deleted\nNOPE,S-11,active\n";
  const std::int64_t mark = w.LastAuditId();
  const SisImportReport dry = Import(w, file, /*dry_run=*/true);
  CHECK(dry.dry_run);
  CHECK_FALSE(dry.committed);
  CHECK(w.AuditAfter(mark).empty());
  CHECK(StateIn(w, kSam, kPat) == "none");
  CHECK(StateIn(w, kSam, kGil) == "deleted");
  CHECK(StateIn(w, kSue, kOlga) == "active");

  const SisImportReport real = Import(w, file);
  CHECK(real.committed);
  CHECK(dry.created == real.created);
  CHECK(dry.restored == real.restored);
  CHECK(dry.deleted == real.deleted);
  CHECK(dry.unchanged == real.unchanged);
  CHECK(WarningsOf(dry) == WarningsOf(real));
  CHECK(real.created == 1);
  CHECK(real.restored == 1);
  CHECK(real.deleted == 1);
}

TEST_CASE("sis import: a malformed file is an error and imports nothing", "[sis]") {
  World w = SisWorld();
  const std::int64_t mark = w.LastAuditId();
  auto error_of = [&](const std::string& file) {
    const SisImportReport report = Import(w, file);
    CHECK_FALSE(report.committed);
    CHECK(report.created == 0);
    REQUIRE(report.errors.size() == 1);
    return std::make_pair(report.errors[0].row, report.errors[0].message);
  };
  CHECK(error_of("") == std::make_pair(std::int64_t{1}, std::string("the file is empty: a header row is required")));
  CHECK(error_of("observer_id,status\nP-10,active\n") ==
        std::make_pair(std::int64_t{1}, std::string("the header must name the observer_id and student_id columns")));
  // A good row before a bad one is not imported either.
  CHECK(error_of("observer_id,student_id,status\nP-10,S-11,active\nP-10,\xFF,active\n") ==
        std::make_pair(std::int64_t{3}, std::string("row 3: field 2 is not valid UTF-8")));
  CHECK(error_of("observer_id,student_id,status\nP-10,S-11,active\n\"P-10,S-11,active\n").first == 3);
  CHECK(w.AuditAfter(mark).empty());
  CHECK(StateIn(w, kSam, kPat) == "none");
}

TEST_CASE("sis import: the caps on the file are errors", "[sis]") {
  World w = SisWorld();
  std::istringstream in("observer_id,student_id,status\n" + std::string(100, 'x') + ",S-11,active\n");
  SisImportOptions options;
  options.root_account = kDefault;
  options.max_field_bytes = 64;
  auto report = w.service->ImportUserObservers(in, options);
  REQUIRE(report.ok());
  REQUIRE(report->errors.size() == 1);
  CHECK(report->errors[0].message == "row 2: a field is longer than 64 bytes");
}

TEST_CASE("sis import: the account must be a known root account", "[sis]") {
  World w = SisWorld();
  SisImportOptions options;
  std::istringstream in("observer_id,student_id,status\n");
  options.root_account = kUnknownAccount;
  CHECK(OutcomeOf(w.service->ImportUserObservers(in, options)) == StatusCode::kNotFound);
  options.root_account = kScience;
  CHECK(OutcomeOf(w.service->ImportUserObservers(in, options)) == StatusCode::kInvalidArgument);
}

TEST_CASE("sis import: SIS ids resolve only through active logins of the import's root account", "[sis]") {
  World w = SisWorld();
  // In root 2, Xavier resolves and Pat (login in root 1 only) does not.
  const SisImportReport report = Import(w, "observer_id,student_id,status\nX-13,P-10,active\n", false, kExternal);
  CHECK(WarningsOf(report) == Messages{{2, "A student referenced a non-existent user P-10"}});
  CHECK(ValueOf(w.backend.directory->FindUserBySisIdInRootAccount("X-13", kExternal)) == std::optional<UserId>(13));
  CHECK_FALSE(ValueOf(w.backend.directory->FindUserBySisIdInRootAccount("X-13", kDefault)).has_value());
  CHECK_FALSE(ValueOf(w.backend.directory->FindUserBySisIdInRootAccount("U-15", kDefault)).has_value());
  CHECK_FALSE(ValueOf(w.backend.directory->FindUserBySisIdInRootAccount("D-14", kDefault)).has_value());
}

TEST_CASE("sis import: deleted removes a legacy NULL-root link too", "[sis]") {
  World w = SisWorld();
  const SisImportReport report = Import(w, "observer_id,student_id,status\nO-17,S-11,deleted\n");
  CHECK(report.deleted == 1);
  const std::vector<Link> links = w.LinksBetween(kSam, kOlga);
  REQUIRE(links.size() == 1);
  CHECK_FALSE(links[0].root_account_id.has_value());
  CHECK(links[0].state == LinkState::kDeleted);
}

std::string Export(const World& w, AccountId root, SisExportReport* report = nullptr) {
  std::ostringstream out;
  auto exported = w.service->ExportUserObservers(out, root);
  INFO(exported.status().ToString());
  REQUIRE(exported.ok());
  if (report != nullptr) *report = *exported;
  return out.str();
}

TEST_CASE("sis export: a root account's active links in the import's format, formulas defused", "[sis]") {
  World w = SisWorld();
  SisExportReport report;
  // Olga-Sue and Eve-Sue; Gil-Sam is deleted, Olga-Sam has no root, Nora has no SIS id.
  CHECK(Export(w, kDefault, &report) ==
        "observer_id,student_id,status\r\nO-17,S-12,active\r\n\"'=1+2,\"\"x\"\"\",S-12,active\r\n");
  CHECK(report.rows == 2);
  CHECK(report.skipped == 1);
  CHECK(Export(w, kExternal) == "observer_id,student_id,status\r\n");

  // An export re-imports as unchanged (the defused value aside, which names nobody).
  const SisImportReport again = Import(w, Export(w, kDefault));
  CHECK(again.unchanged == 1);
  CHECK(WarningsOf(again) == Messages{{3, "An observer referenced a non-existent user '=1+2,\"x\""}});

  std::ostringstream out;
  CHECK(OutcomeOf(w.service->ExportUserObservers(out, kUnknownAccount)) == StatusCode::kNotFound);
  CHECK(OutcomeOf(w.service->ExportUserObservers(out, kScience)) == StatusCode::kInvalidArgument);
}

TEST_CASE("sis export: CsvField defuses formulas and quotes as RFC 4180", "[sis]") {
  CHECK(sis::CsvField("plain") == "plain");
  CHECK(sis::CsvField("") == "");
  CHECK(sis::CsvField("a,b") == "\"a,b\"");
  CHECK(sis::CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(sis::CsvField("two\nlines") == "\"two\nlines\"");
  for (const char* formula : {"=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\tx", "\rx"}) {
    const std::string field = sis::CsvField(formula);
    CHECK(field.rfind("\"'", 0) == 0);
  }
  CHECK(sis::CsvField("=1") == "\"'=1\"");
}

// A LinkStore whose transactions fail the `fail_at`-th CreateOrRestoreLink (1-based).
class FailingLinkStore final : public ForwardingLinkStore {
 public:
  FailingLinkStore(std::shared_ptr<LinkStore> base, int fail_at)
      : ForwardingLinkStore(std::move(base)), fail_at_(fail_at) {}

  Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead) override {
    return BeginWrapped<Txn>(ahead, this);
  }

 private:
  class Txn final : public ForwardingLinkTransaction {
   public:
    Txn(std::unique_ptr<LinkTransaction> base, FailingLinkStore* store)
        : ForwardingLinkTransaction(std::move(base)), store_(store) {}
    Result<LinkChange> CreateOrRestoreLink(UserId student, UserId observer, AccountId root, Timestamp now,
                                           std::optional<std::int64_t> sis_import = std::nullopt) override {
      if (++store_->calls_ == store_->fail_at_) return Internal("injected fault: the link write failed");
      return ForwardingLinkTransaction::CreateOrRestoreLink(student, observer, root, now, sis_import);
    }

   private:
    FailingLinkStore* store_;
  };

  int fail_at_;
  int calls_ = 0;
};

TEST_CASE("sis import: a failure mid-import leaves nothing of it", "[sis][fault]") {
  World w = SisWorld();
  ServiceDependencies deps = w.backend.Dependencies(w.clock);
  deps.links = std::make_shared<FailingLinkStore>(w.backend.links, 3);
  // The enrollment mirror writes through the store's own transaction, which the wrapper hides.
  deps.enrollments = nullptr;
  auto service = ValueOf(ObservationService::Create(std::move(deps)));
  const std::int64_t mark = w.LastAuditId();
  std::istringstream in(
      "observer_id,student_id,status\nO-17,S-12,deleted\nP-10,S-11,active\nG-16,S-11,active\n"
      "P-10,S-12,active\n");
  SisImportOptions options;
  options.root_account = kDefault;
  auto report = service->ImportUserObservers(in, options);
  CHECK(OutcomeOf(report) == StatusCode::kInternal);
  CHECK(w.AuditAfter(mark).empty());
  CHECK(StateIn(w, kSue, kOlga) == "active");
  CHECK(StateIn(w, kSam, kPat) == "none");
  CHECK(StateIn(w, kSam, kGil) == "deleted");
  CHECK(StateIn(w, kSue, kPat) == "none");
}

TEST_CASE("sis import: a large file streams through in one transaction", "[sis]") {
  World w = SisWorld();
  std::string file = "observer_id,student_id,status\n";
  for (int i = 0; i < 700; ++i) file += (i % 2 == 0 ? "P-10,S-11,active\n" : "P-10,S-11,deleted\n");
  const SisImportReport report = Import(w, file);
  CHECK(report.created == 1);
  CHECK(report.restored == 349);
  CHECK(report.deleted == 350);
  CHECK(report.warnings.empty());
  CHECK(StateIn(w, kSam, kPat) == "deleted");
}

}  // namespace
}  // namespace observees::testing
