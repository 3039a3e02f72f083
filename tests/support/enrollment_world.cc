#include "support/enrollment_world.h"

#include <sstream>
#include <utility>

#include "observees/timestamp.h"

namespace observees::testing {

// The cast is documented in enrollment_world.h. Keep the two in step.
namespace {

constexpr char kFixture[] = R"json(
{
  "accounts": [
    {"id": 1, "name": "Default", "domains": ["canvas.test"], "self_registration": "observer"},
    {"id": 2, "name": "External", "domains": ["external.test"], "self_registration": "none"},
    {"id": 3, "name": "Science", "parent_id": 1},
    {"id": 4, "name": "Arts", "parent_id": 1}
  ],
  "users": [
    {"id": 5, "name": "Ada Admin", "tokens": ["tok-enr-5-secret"],
     "logins": [{"account_id": 1, "unique_id": "ada", "password": "pw-ada-5-secret"}]},
    {"id": 6, "name": "Ezra External", "tokens": ["tok-enr-6-secret"],
     "logins": [{"account_id": 2, "unique_id": "ezra", "password": "pw-ezra-6-secret"}]},
    {"id": 7, "name": "Sandra Science", "tokens": ["tok-enr-7-secret"],
     "logins": [{"account_id": 1, "unique_id": "sandra", "password": "pw-sandra-7-secret"}]},
    {"id": 8, "name": "Rhea Registrar", "tokens": ["tok-enr-8-secret"],
     "logins": [{"account_id": 1, "unique_id": "rhea", "password": "pw-rhea-8-secret"}]},
    {"id": 9, "name": "Hal Helpdesk", "tokens": ["tok-enr-9-secret"],
     "logins": [{"account_id": 1, "unique_id": "hal", "password": "pw-hal-9-secret"}]},
    {"id": 10, "name": "Dana Dual", "tokens": ["tok-enr-10-secret"],
     "logins": [{"account_id": 1, "unique_id": "dana", "password": "pw-dana-10-secret"}]},
    {"id": 11, "name": "Arlo Arts", "tokens": ["tok-enr-11-secret"],
     "logins": [{"account_id": 1, "unique_id": "arlo", "password": "pw-arlo-11-secret"}]},
    {"id": 20, "name": "Terry Teacher", "tokens": ["tok-enr-20-secret"],
     "logins": [{"account_id": 1, "unique_id": "terry", "password": "pw-terry-20-secret"}]},
    {"id": 50, "name": "Sam Student", "sis_user_id": "sis-sam", "tokens": ["tok-enr-50-secret"],
     "logins": [{"account_id": 1, "unique_id": "sam", "password": "pw-sam-50-secret"},
                {"account_id": 2, "unique_id": "sam.ext", "password": "pw-sam-50-secret"}]},
    {"id": 51, "name": "Tess Transfer", "sis_user_id": "sis-tess", "tokens": ["tok-enr-51-secret"],
     "logins": [{"account_id": 1, "unique_id": "tess", "password": "pw-tess-51-secret"},
                {"account_id": 2, "unique_id": "tess.ext", "password": "pw-tess-51-secret"}]},
    {"id": 52, "name": "Lina Legacy", "tokens": ["tok-enr-52-secret"],
     "logins": [{"account_id": 1, "unique_id": "lina", "password": "pw-lina-52-secret"}]},
    {"id": 53, "name": "Finn Fixture", "tokens": ["tok-enr-53-secret"],
     "logins": [{"account_id": 1, "unique_id": "finn", "password": "pw-finn-53-secret"}]},
    {"id": 60, "name": "Paula Parent", "tokens": ["tok-enr-60-secret"],
     "logins": [{"account_id": 1, "unique_id": "paula", "password": "pw-paula-60-secret"},
                {"account_id": 2, "unique_id": "paula.ext", "password": "pw-paula-60-secret"}]},
    {"id": 61, "name": "Oscar Other", "tokens": ["tok-enr-61-secret"],
     "logins": [{"account_id": 1, "unique_id": "oscar", "password": "pw-oscar-61-secret"},
                {"account_id": 2, "unique_id": "oscar.ext", "password": "pw-oscar-61-secret"}]},
    {"id": 62, "name": "Nora Nologin", "tokens": ["tok-enr-62-secret"],
     "logins": [{"account_id": 1, "unique_id": "nora", "password": "pw-nora-62-secret"}]},
    {"id": 63, "name": "Sue Suspended", "tokens": ["tok-enr-63-secret"],
     "logins": [{"account_id": 1, "unique_id": "sue", "password": "pw-sue-63-secret"},
                {"account_id": 2, "unique_id": "sue.ext", "password": "pw-sue-63-secret", "workflow_state": "suspended"}]},
    {"id": 64, "name": "Fay Fixture", "tokens": ["tok-enr-64-secret"],
     "logins": [{"account_id": 1, "unique_id": "fay", "password": "pw-fay-64-secret"}]},
    {"id": 65, "name": "Lee Legacy", "tokens": ["tok-enr-65-secret"],
     "logins": [{"account_id": 1, "unique_id": "lee", "password": "pw-lee-65-secret"},
                {"account_id": 2, "unique_id": "lee.ext", "password": "pw-lee-65-secret"}]},
    {"id": 66, "name": "Rex Reuse", "tokens": ["tok-enr-66-secret"],
     "logins": [{"account_id": 1, "unique_id": "rex", "password": "pw-rex-66-secret"}]},
    {"id": 67, "name": "Dee Deleted", "tokens": ["tok-enr-67-secret"],
     "logins": [{"account_id": 1, "unique_id": "dee", "password": "pw-dee-67-secret"}]},
    {"id": 68, "name": "Gus Gone", "workflow_state": "deleted", "tokens": ["tok-enr-68-secret"],
     "logins": [{"account_id": 1, "unique_id": "gus", "password": "pw-gus-68-secret"}]}
  ],
  "admins": [
    {"user_id": 5, "account_id": 1, "role": "AccountAdmin"},
    {"user_id": 6, "account_id": 2, "role": "AccountAdmin"},
    {"user_id": 7, "account_id": 3, "role": "AccountAdmin"},
    {"user_id": 8, "account_id": 1, "role": "Registrar"},
    {"user_id": 9, "account_id": 1, "role": "Helpdesk"},
    {"user_id": 10, "account_id": 1, "role": "AccountAdmin"},
    {"user_id": 10, "account_id": 2, "role": "AccountAdmin"},
    {"user_id": 11, "account_id": 4, "role": "AccountAdmin"},
    {"user_id": 62, "account_id": 2, "role": "Helpdesk"}
  ],
  "role_overrides": [
    {"account_id": 1, "role": "Registrar", "permission": "manage_students", "enabled": true},
    {"account_id": 4, "role": "AccountAdmin", "permission": "manage_students", "enabled": false}
  ],
  "courses": [
    {"id": 100, "account_id": 3, "workflow_state": "available"},
    {"id": 101, "account_id": 4, "workflow_state": "available"},
    {"id": 102, "account_id": 3, "workflow_state": "available"},
    {"id": 103, "account_id": 3, "workflow_state": "available"},
    {"id": 104, "account_id": 3, "workflow_state": "available"},
    {"id": 105, "account_id": 3, "workflow_state": "available"},
    {"id": 106, "account_id": 3, "workflow_state": "available"},
    {"id": 107, "account_id": 3, "workflow_state": "available"},
    {"id": 108, "account_id": 3, "workflow_state": "deleted"},
    {"id": 200, "account_id": 2, "workflow_state": "available"},
    {"id": 201, "account_id": 2, "workflow_state": "available"}
  ],
  "enrollments": [
    {"id": 5000, "user_id": 50, "course_id": 100, "course_section_id": 7100, "type": "StudentEnrollment",
     "workflow_state": "active", "start_at": "2026-01-05T00:00:00Z", "end_at": "2026-06-30T00:00:00Z",
     "created_at": "2025-12-01T00:00:00Z"},
    {"id": 5001, "user_id": 50, "course_id": 101, "type": "StudentEnrollment", "workflow_state": "invited"},
    {"id": 5002, "user_id": 50, "course_id": 102, "type": "StudentEnrollment", "workflow_state": "creation_pending"},
    {"id": 5003, "user_id": 50, "course_id": 103, "type": "StudentEnrollment", "workflow_state": "inactive"},
    {"id": 5004, "user_id": 50, "course_id": 104, "type": "StudentEnrollment", "workflow_state": "completed"},
    {"id": 5005, "user_id": 50, "course_id": 105, "type": "StudentEnrollment", "workflow_state": "rejected"},
    {"id": 5006, "user_id": 50, "course_id": 106, "type": "StudentEnrollment", "workflow_state": "deleted"},
    {"id": 5007, "user_id": 50, "course_id": 107, "type": "TeacherEnrollment", "workflow_state": "active"},
    {"id": 5008, "user_id": 50, "course_id": 107, "type": "StudentViewEnrollment", "workflow_state": "active"},
    {"id": 5009, "user_id": 50, "course_id": 200, "course_section_id": 7200, "type": "StudentEnrollment",
     "workflow_state": "active"},
    {"id": 5010, "user_id": 50, "course_id": 201, "type": "StudentEnrollment", "workflow_state": "invited"},
    {"id": 5020, "user_id": 52, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 5021, "user_id": 52, "course_id": 200, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 5030, "user_id": 53, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"},
    {"id": 5040, "user_id": 63, "course_id": 201, "type": "TeacherEnrollment", "workflow_state": "active"},
    {"id": 5050, "user_id": 20, "course_id": 100, "type": "TeacherEnrollment", "workflow_state": "active"},
    {"id": 6000, "user_id": 66, "course_id": 100, "course_section_id": 7100, "type": "ObserverEnrollment",
     "workflow_state": "deleted", "associated_user_id": 50},
    {"id": 6001, "user_id": 66, "course_id": 101, "type": "ObserverEnrollment", "workflow_state": "active",
     "associated_user_id": 50, "start_at": "2025-01-01T00:00:00Z", "created_at": "2025-01-01T00:00:00Z"},
    {"id": 6002, "user_id": 66, "course_id": 102, "type": "ObserverEnrollment", "workflow_state": "inactive",
     "associated_user_id": 50},
    {"id": 6010, "user_id": 67, "course_id": 100, "type": "ObserverEnrollment", "workflow_state": "deleted",
     "associated_user_id": 53}
  ],
  "links": [
    {"observer_id": 64, "student_id": 53, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 67, "student_id": 53, "root_account_id": 1, "workflow_state": "active"},
    {"observer_id": 65, "student_id": 52}
  ]
}
)json";

}  // namespace

std::string EnrollmentFixture() { return kFixture; }

std::string EnrollmentToken(UserId user) { return "tok-enr-" + std::to_string(user) + "-secret"; }

World MakeEnrollmentWorld() { return MakeWorld(EnrollmentFixture()); }

RestWorld MakeEnrollmentRestWorld() {
  RestWorldOptions options;
  options.fixture_json = EnrollmentFixture();
  return MakeRestWorld(options);
}

CourseStates SamFollowedInRoot1() {
  return {{kActiveCourse, "active"},
          {kInvitedCourse, "active"},
          {kPendingCourse, "creation_pending"},
          {kInactiveCourse, "inactive"}};
}

CourseStates SamFollowedInRoot2() { return {{kExtActiveCourse, "active"}, {kExtInvitedCourse, "active"}}; }

CourseStates Merged(CourseStates a, const CourseStates& b) {
  a.insert(b.begin(), b.end());
  return a;
}

std::vector<Enrollment> StoredEnrollments(const World& w, UserId user) {
  Result<std::vector<Enrollment>> enrollments = w.backend.enrollments->EnrollmentsOf(user);
  INFO("EnrollmentsOf: " << enrollments.status().ToString());
  REQUIRE(enrollments.ok());
  return enrollments.value();
}

std::vector<Enrollment> LinkedEnrollments(const World& w, UserId observer, UserId student) {
  std::vector<Enrollment> linked;
  for (Enrollment& e : StoredEnrollments(w, observer)) {
    if (e.type == "ObserverEnrollment" && e.associated_user_id == std::optional<UserId>(student)) {
      linked.push_back(std::move(e));
    }
  }
  return linked;
}

CourseStates FollowedStates(const World& w, UserId observer, UserId student) {
  CourseStates states;
  for (const Enrollment& e : LinkedEnrollments(w, observer, student)) {
    INFO("observer " << observer << " has two enrollments for " << student << " in course " << e.course_id);
    REQUIRE(states.emplace(e.course_id, e.workflow_state).second);
  }
  return states;
}

std::optional<Enrollment> LinkedEnrollmentIn(const World& w, UserId observer, UserId student, std::int64_t course) {
  std::optional<Enrollment> found;
  for (Enrollment& e : LinkedEnrollments(w, observer, student)) {
    if (e.course_id != course) continue;
    REQUIRE_FALSE(found.has_value());
    found = std::move(e);
  }
  return found;
}

std::optional<Enrollment> EnrollmentById(const World& w, UserId user, std::int64_t id) {
  for (Enrollment& e : StoredEnrollments(w, user)) {
    if (e.id == id) return std::move(e);
  }
  return std::nullopt;
}

EnrollmentRequest EnrollmentOf(std::int64_t course, UserId user, std::string state, std::string type,
                               std::optional<std::int64_t> section) {
  EnrollmentRequest request;
  request.course_id = course;
  request.user_id = user;
  request.type = std::move(type);
  request.workflow_state = std::move(state);
  request.course_section_id = section;
  return request;
}

Enrollment MustEnroll(const World& w, UserId actor, const EnrollmentRequest& request, AccountId domain) {
  Result<Enrollment> enrollment = w.service->EnrollUser(w.As(actor, domain), request);
  INFO("EnrollUser(course " << request.course_id << ", user " << request.user_id << ", " << request.type << ", "
                            << request.workflow_state << "): " << enrollment.status().ToString());
  REQUIRE(enrollment.ok());
  return enrollment.value();
}

void MustLink(const World& w, UserId admin, UserId observer, UserId student, RootAccountScope scope, AccountId domain) {
  Result<LinkedUser> linked = w.service->AddObserveeById(w.As(admin, domain), observer, student, scope);
  INFO("AddObserveeById(" << observer << ", " << student << "): " << linked.status().ToString());
  REQUIRE(linked.ok());
}

void MustUnlink(const World& w, UserId actor, UserId observer, UserId student, RootAccountScope scope,
                AccountId domain) {
  Result<LinkedUser> removed = w.service->RemoveObservee(w.As(actor, domain), observer, student, scope);
  INFO("RemoveObservee(" << observer << ", " << student << "): " << removed.status().ToString());
  REQUIRE(removed.ok());
}

void ReplaceService(World& w, ServiceDependencies deps) {
  Result<std::unique_ptr<ObservationService>> service = ObservationService::Create(std::move(deps));
  INFO("ObservationService::Create: " << service.status().ToString());
  REQUIRE(service.ok());
  w.service = std::move(service).value();
}

// HookProbe

void HookProbe::FailOn(std::optional<LinkEvent> event) {
  std::lock_guard<std::mutex> lock(mutex_);
  fail_on_ = event;
}

std::vector<HookProbe::Call> HookProbe::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

Status HookProbe::OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) {
  std::optional<LinkEvent> fail_on;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(Call{event, link});
    fail_on = fail_on_;
  }
  OBSERVEES_RETURN_IF_ERROR(inner_->OnLinkChanged(txn, link, event, now));
  if (fail_on == event) return Internal("injected enrollment hook failure");
  return Status::Ok();
}

// WrappedLinkStore

namespace {

// A transaction of its own type in front of the store's.
class WrappedTransaction final : public ForwardingLinkTransaction {
 public:
  using ForwardingLinkTransaction::ForwardingLinkTransaction;
};

}  // namespace

Result<std::unique_ptr<LinkTransaction>> WrappedLinkStore::BeginWrite(const WriteAhead& ahead) {
  auto txn = base().BeginWrite(ahead);
  if (!txn.ok()) return txn.status();
  return std::unique_ptr<LinkTransaction>(std::make_unique<WrappedTransaction>(std::move(txn).value()));
}

}  // namespace observees::testing

namespace Catch {

std::string StringMaker<observees::Enrollment>::convert(const observees::Enrollment& e) {
  std::ostringstream out;
  out << "{id " << e.id << ", user " << e.user_id << ", course " << e.course_id << ", section ";
  if (e.course_section_id) {
    out << *e.course_section_id;
  } else {
    out << "null";
  }
  out << ", " << e.type << ", " << e.workflow_state << ", associated ";
  if (e.associated_user_id) {
    out << *e.associated_user_id;
  } else {
    out << "null";
  }
  out << ", root " << e.root_account_id << "}";
  return out.str();
}

std::string StringMaker<std::pair<const std::int64_t, std::string>>::convert(
    const std::pair<const std::int64_t, std::string>& entry) {
  return std::to_string(entry.first) + ": " + entry.second;
}

std::string StringMaker<observees::LinkEvent>::convert(observees::LinkEvent event) {
  switch (event) {
    case observees::LinkEvent::kCreated: return "kCreated";
    case observees::LinkEvent::kRestored: return "kRestored";
    case observees::LinkEvent::kRemoved: return "kRemoved";
  }
  return "?";
}

}  // namespace Catch
