// PgEnrollments (the PostgreSQL EnrollmentStore) on the enrollment world's fixture
// (support/enrollment_world.h), with the links the fixture loaded: courses and enrollments read back,
// Enroll creating and changing enrollments, and rules 12-13 bringing linked observers along, checked
// by hand and against the SQLite store doing the same steps. OnLinkChanged needs the PostgreSQL link
// store's transaction and is tested with it once the backend is whole.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "observees/clock.h"
#include "observees/enrollment_store.h"
#include "observees/fixture.h"
#include "observees/storage.h"
#include "observees/timestamp.h"
#include "support/enrollment_world.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"

namespace observees::storage_test {
namespace {

using namespace std::chrono_literals;
using namespace observees::testing;

// The PostgreSQL backend on a schema of its own, loaded with the enrollment fixture at kT0.
struct PgEnrollmentStore {
  explicit PgEnrollmentStore(const std::string& conninfo) : schema(conninfo) {
    StorageOptions options = schema.Options();
    options.clock = std::make_shared<FakeClock>(kT0);
    backend = ValueOf(OpenStorage(options));
    RequireOk(LoadFixture(backend, EnrollmentFixture()));
  }
  EnrollmentStore& store() { return *backend.enrollments; }

  ScopedPostgresSchema schema;
  Storage backend;
};

EnrollmentRequest Request(std::int64_t course, UserId user, std::string state, std::string type = "StudentEnrollment",
                          std::optional<std::int64_t> section = std::nullopt) {
  return EnrollmentRequest{course, user, std::move(type), std::move(state), section};
}

// The observer's ObserverEnrollments following `student`, course -> state.
std::map<std::int64_t, std::string> Following(EnrollmentStore& store, UserId observer, UserId student) {
  std::map<std::int64_t, std::string> states;
  for (const Enrollment& e : ValueOf(store.EnrollmentsOf(observer))) {
    if (e.type == "ObserverEnrollment" && e.associated_user_id == student) {
      INFO("course " << e.course_id);
      CHECK(states.emplace(e.course_id, e.workflow_state).second);
    }
  }
  return states;
}

std::string Optional(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "-"; }
std::string Optional(const std::optional<Timestamp>& t) { return t ? Iso(*t) : "-"; }

// Every field, for comparing two stores' rows.
std::string Render(const std::vector<Enrollment>& enrollments) {
  std::ostringstream out;
  for (const Enrollment& e : enrollments) {
    out << e.id << " user " << e.user_id << " course " << e.course_id << " section " << Optional(e.course_section_id)
        << " " << e.type << " " << e.workflow_state << " of " << Optional(e.associated_user_id) << " root "
        << e.root_account_id << " " << Optional(e.start_at) << ".." << Optional(e.end_at) << " created "
        << Iso(e.created_at) << " updated " << Iso(e.updated_at) << "\n";
  }
  return out.str();
}

const Timestamp kLater = kT0 + 24h;

TEST_CASE("PgEnrollments finds courses", "[postgres][enrollments]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  const auto science = ValueOf(pg.store().FindCourse(kActiveCourse));
  REQUIRE(science.has_value());
  CHECK(science->id == kActiveCourse);
  CHECK(science->account_id == 3);
  CHECK(science->root_account_id == kDefault);
  CHECK(science->workflow_state == "available");
  const auto external = ValueOf(pg.store().FindCourse(kExtActiveCourse));
  REQUIRE(external.has_value());
  CHECK(external->root_account_id == kExternal);
  const auto deleted = ValueOf(pg.store().FindCourse(kDeletedCourse));
  REQUIRE(deleted.has_value());
  CHECK(deleted->workflow_state == "deleted");
  CHECK_FALSE(ValueOf(pg.store().FindCourse(kUnknownCourse)).has_value());
}

TEST_CASE("PgEnrollments lists a user's enrollments of every type and state by id", "[postgres][enrollments]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  const std::vector<Enrollment> sam = ValueOf(pg.store().EnrollmentsOf(kSam));
  REQUIRE(sam.size() == static_cast<std::size_t>(kSamEnrollmentCount));
  for (std::size_t i = 1; i < sam.size(); ++i) CHECK(sam[i - 1].id < sam[i].id);
  const Enrollment& first = sam.front();
  CHECK(first.id == kSamActiveEnrollment);
  CHECK(first.course_id == kActiveCourse);
  CHECK(first.course_section_id == std::optional<std::int64_t>(kSection100));
  CHECK(first.type == "StudentEnrollment");
  CHECK(first.workflow_state == "active");
  CHECK_FALSE(first.associated_user_id.has_value());
  CHECK(first.root_account_id == kDefault);
  CHECK(Optional(first.start_at) == "2026-01-05T00:00:00Z");
  CHECK(Optional(first.end_at) == "2026-06-30T00:00:00Z");
  CHECK(Iso(first.created_at) == "2025-12-01T00:00:00Z");

  const std::vector<Enrollment> rex = ValueOf(pg.store().EnrollmentsOf(kRex));
  REQUIRE(rex.size() == 3);
  CHECK(rex[0].associated_user_id == std::optional<UserId>(kSam));
  CHECK(ValueOf(pg.store().EnrollmentsOf(kTess)).empty());
}

TEST_CASE("PgEnrollments refuses unknown types, states, courses and users, writing nothing",
          "[postgres][enrollments]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  const auto bad_type = pg.store().Enroll(Request(kActiveCourse, kTess, "active", "PrincipalEnrollment"), kLater);
  CHECK(CodeName(bad_type.status()) == CodeName(StatusCode::kInvalidArgument));
  CHECK(bad_type.status().field() == "enrollment[type]");
  const auto bad_state = pg.store().Enroll(Request(kActiveCourse, kTess, "sleeping"), kLater);
  CHECK(CodeName(bad_state.status()) == CodeName(StatusCode::kInvalidArgument));
  CHECK(bad_state.status().field() == "enrollment[enrollment_state]");
  CHECK(CodeName(pg.store().Enroll(Request(kUnknownCourse, kTess, "active"), kLater).status()) ==
        CodeName(StatusCode::kNotFound));
  CHECK(CodeName(pg.store().Enroll(Request(kActiveCourse, 999, "active"), kLater).status()) ==
        CodeName(StatusCode::kNotFound));
  CHECK(ValueOf(pg.store().EnrollmentsOf(kTess)).empty());
}

TEST_CASE("PgEnrollments creates an enrollment, then changes the same one", "[postgres][enrollments]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  const Enrollment created =
      ValueOf(pg.store().Enroll(Request(kExtActiveCourse, kTess, "invited", "StudentEnrollment", 7201), kT0));
  CHECK(created.id > 6010);  // past every fixture id
  CHECK(created.user_id == kTess);
  CHECK(created.course_id == kExtActiveCourse);
  CHECK(created.course_section_id == std::optional<std::int64_t>(7201));
  CHECK(created.root_account_id == kExternal);
  CHECK(created.workflow_state == "invited");
  CHECK(created.created_at == kT0);
  CHECK(created.updated_at == kT0);

  const Enrollment changed =
      ValueOf(pg.store().Enroll(Request(kExtActiveCourse, kTess, "active", "StudentEnrollment", 7201), kLater));
  CHECK(changed.id == created.id);
  CHECK(changed.workflow_state == "active");
  CHECK(changed.created_at == kT0);
  CHECK(changed.updated_at == kLater);

  // Another section or type is another enrollment.
  const Enrollment other_section = ValueOf(pg.store().Enroll(Request(kExtActiveCourse, kTess, "active"), kLater));
  const Enrollment teaching =
      ValueOf(pg.store().Enroll(Request(kExtActiveCourse, kTess, "active", "TaEnrollment", 7201), kLater));
  CHECK(other_section.id != created.id);
  CHECK(teaching.id != created.id);
  CHECK(ValueOf(pg.store().EnrollmentsOf(kTess)).size() == 3);
}

TEST_CASE("a student enrolled later brings the observers the fixture linked in that root account (rule 12)",
          "[postgres][enrollments][rule12]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  // The fixture's links make no observer enrollments by themselves.
  REQUIRE(Following(pg.store(), kFay, kFinn).empty());

  const Enrollment student = ValueOf(pg.store().Enroll(Request(kInvitedCourse, kFinn, "invited"), kLater));
  CHECK(Following(pg.store(), kFay, kFinn) == std::map<std::int64_t, std::string>{{kInvitedCourse, "active"}});
  // Dee's deleted enrollment is another course's: untouched.
  CHECK(Following(pg.store(), kDee, kFinn) ==
        std::map<std::int64_t, std::string>{{kActiveCourse, "deleted"}, {kInvitedCourse, "active"}});
  for (const Enrollment& e : ValueOf(pg.store().EnrollmentsOf(kFay))) {
    CHECK(e.id != student.id);
    CHECK(e.root_account_id == kDefault);
    CHECK(e.created_at == kLater);
    CHECK_FALSE(e.course_section_id.has_value());
  }

  // Not in the other root account, not for other types, not for unfollowed states.
  RequireOk(pg.store().Enroll(Request(kExtActiveCourse, kFinn, "active"), kLater).status());
  RequireOk(pg.store().Enroll(Request(kPendingCourse, kFinn, "active", "TeacherEnrollment"), kLater).status());
  RequireOk(pg.store().Enroll(Request(kCompletedCourse, kFinn, "completed"), kLater).status());
  RequireOk(pg.store().Enroll(Request(kRejectedCourse, kFinn, "rejected"), kLater).status());
  CHECK(Following(pg.store(), kFay, kFinn) == std::map<std::int64_t, std::string>{{kInvitedCourse, "active"}});
}

TEST_CASE("a legacy link loaded by the fixture follows later enrollments in every root account",
          "[postgres][enrollments][rule12]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  RequireOk(pg.store().Enroll(Request(kInvitedCourse, kLina, "active"), kLater).status());
  RequireOk(pg.store().Enroll(Request(kExtInvitedCourse, kLina, "creation_pending"), kLater).status());
  CHECK(Following(pg.store(), kLee, kLina) ==
        std::map<std::int64_t, std::string>{{kInvitedCourse, "active"}, {kExtInvitedCourse, "creation_pending"}});
}

TEST_CASE("student enrollment changes reach following observers; a return to active brings them back (rule 13)",
          "[postgres][enrollments][rule13]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  RequireOk(pg.store().Enroll(Request(kInvitedCourse, kFinn, "active"), kLater).status());
  REQUIRE(Following(pg.store(), kFay, kFinn) == std::map<std::int64_t, std::string>{{kInvitedCourse, "active"}});

  // An ordinary change is copied.
  RequireOk(pg.store().Enroll(Request(kInvitedCourse, kFinn, "completed"), kLater + 1h).status());
  CHECK(Following(pg.store(), kFay, kFinn) == std::map<std::int64_t, std::string>{{kInvitedCourse, "completed"}});
  // Back to active from completed: the observers follow again.
  RequireOk(pg.store().Enroll(Request(kInvitedCourse, kFinn, "active"), kLater + 2h).status());
  CHECK(Following(pg.store(), kFay, kFinn) == std::map<std::int64_t, std::string>{{kInvitedCourse, "active"}});

  // Finn's fixture enrollment in 100: Fay had none there and Dee's is deleted. A change leaves Dee's
  // deleted; a return to active from inactive creates Fay's and revives Dee's.
  RequireOk(pg.store().Enroll(Request(kActiveCourse, kFinn, "inactive"), kLater + 3h).status());
  CHECK(Following(pg.store(), kDee, kFinn).at(kActiveCourse) == "deleted");
  CHECK_FALSE(Following(pg.store(), kFay, kFinn).contains(kActiveCourse));
  RequireOk(pg.store().Enroll(Request(kActiveCourse, kFinn, "active"), kLater + 4h).status());
  CHECK(Following(pg.store(), kFay, kFinn).at(kActiveCourse) == "active");
  CHECK(Following(pg.store(), kDee, kFinn).at(kActiveCourse) == "active");
  bool revived = false;
  for (const Enrollment& e : ValueOf(pg.store().EnrollmentsOf(kDee))) revived |= e.id == kDeeDeletedEnrollment;
  CHECK(revived);  // the same row, not a new one
}

TEST_CASE("PgEnrollments and SqliteEnrollments leave the same rows after the same enrollments",
          "[postgres][enrollments][rule12][rule13]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = std::make_shared<FakeClock>(kT0);
  const Storage sqlite = ValueOf(OpenStorage(options));
  RequireOk(LoadFixture(sqlite, EnrollmentFixture()));

  const std::vector<EnrollmentRequest> steps = {
      Request(kInvitedCourse, kFinn, "invited"),
      Request(kActiveCourse, kFinn, "deleted"),
      Request(kActiveCourse, kFinn, "invited"),
      Request(kInvitedCourse, kFinn, "inactive"),
      Request(kInvitedCourse, kFinn, "active"),
      Request(kExtActiveCourse, kLina, "active", "StudentEnrollment", kSection200),
      Request(kInvitedCourse, kLina, "completed"),
      Request(kInvitedCourse, kLina, "active"),
      Request(kPendingCourse, kLina, "active", "ObserverEnrollment"),
      Request(kActiveCourse, kTess, "creation_pending"),
      Request(kActiveCourse, kSam, "rejected", "StudentEnrollment", kSection100),
  };
  Timestamp now = kLater;
  for (const EnrollmentRequest& step : steps) {
    INFO("course " << step.course_id << " user " << step.user_id << " " << step.workflow_state);
    now += 1min;
    const Enrollment a = ValueOf(pg.store().Enroll(step, now));
    const Enrollment b = ValueOf(sqlite.enrollments->Enroll(step, now));
    CHECK(Render({a}) == Render({b}));
  }
  for (const UserId user : {kFinn, kFay, kDee, kLina, kLee, kTess, kSam, kRex}) {
    INFO("user " << user);
    CHECK(Render(ValueOf(pg.store().EnrollmentsOf(user))) == Render(ValueOf(sqlite.enrollments->EnrollmentsOf(user))));
  }
}

TEST_CASE("PgEnrollments refuses a link transaction that is not the PostgreSQL link store's",
          "[postgres][enrollments][hook]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  PgEnrollmentStore pg(*conninfo);
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  const Storage sqlite = ValueOf(OpenStorage(options));
  auto txn = ValueOf(sqlite.links->BeginWrite());
  const Link link{.id = 1, .student_id = kFinn, .observer_id = kFay, .root_account_id = kDefault};
  const Status status = pg.store().OnLinkChanged(*txn, link, LinkEvent::kCreated, kLater);
  CHECK(CodeName(status) == CodeName(StatusCode::kInternal));
  CHECK(Following(pg.store(), kFay, kFinn).empty());
}

}  // namespace
}  // namespace observees::storage_test
