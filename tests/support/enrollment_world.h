// A test world for linked observer enrollments (docs/rules.md, rules 10-13): its own fixture
// (EnrollmentFixture()), readers for who is enrolled where, and two wrappers that let a test watch or
// break the service's link-change hook. Single-threaded test helpers over the library's thread-safe
// objects.
//
// Accounts: 1 "Default" (root, canvas.test, observer self-registration), 2 "External" (root,
// external.test), 3 "Science" and 4 "Arts" (sub-accounts of 1). Courses: 100, 102-107 and 108 (deleted)
// in Science, 101 in Arts, 200 and 201 in External. Role overrides: "Registrar" gets manage_students on
// 1; AccountAdmin loses it on Arts (4). Section ids are plain numbers (7100, 7200).
//
// | id | who               | why                                                                      |
// |----|-------------------|--------------------------------------------------------------------------|
// |  5 | Ada Admin         | AccountAdmin of root 1                                                   |
// |  6 | Ezra External     | AccountAdmin of root 2                                                   |
// |  7 | Sandra Science    | AccountAdmin of sub-account 3 (Science)                                  |
// |  8 | Rhea Registrar    | "Registrar" on root 1: manage_students through a role override            |
// |  9 | Hal Helpdesk      | "Helpdesk" on root 1: no permissions                                     |
// | 10 | Dana Dual         | AccountAdmin of roots 1 and 2                                            |
// | 11 | Arlo Arts         | AccountAdmin of sub-account 4 (Arts), where the override takes it away   |
// | 20 | Terry Teacher     | teacher of course 100                                                    |
// | 50 | Sam Student       | logins in 1 and 2; one student enrollment in every state (table below)   |
// | 51 | Tess Transfer     | logins in 1 and 2, no enrollments: the student enrolled "later"          |
// | 52 | Lina Legacy       | student in 100 and 200; Lee's legacy (NULL root) link                    |
// | 53 | Finn Fixture      | student in 100; linked to Fay and Dee by the fixture                     |
// | 60 | Paula Parent      | logins in 1 and 2, no links: the usual observer                          |
// | 61 | Oscar Other       | logins in 1 and 2, no links: a second observer                           |
// | 62 | Nora Nologin      | login in 1; in 2 only an admin membership ("Helpdesk" on 2), no login    |
// | 63 | Sue Suspended     | login in 1; a suspended login and a teacher enrollment (201) in 2        |
// | 64 | Fay Fixture       | observes Finn in 1 by a fixture link, no enrollments                     |
// | 65 | Lee Legacy        | logins in 1 and 2; observes Lina by a link with no root account          |
// | 66 | Rex Reuse         | login in 1; old observer enrollments for Sam (6000-6002, below)          |
// | 67 | Dee Deleted       | login in 1; observes Finn (fixture link); her enrollment 6010 is deleted |
// | 68 | Gus Gone          | a deleted user (login in 1)                                              |
//
// Sam's enrollments: 5000 course 100 active (section 7100, 2026-01-05 to 2026-06-30), 5001 101 invited,
// 5002 102 creation_pending, 5003 103 inactive, 5004 104 completed, 5005 105 rejected, 5006 106 deleted,
// 5007 107 TeacherEnrollment, 5008 107 StudentViewEnrollment, 5009 200 active (section 7200), 5010 201
// invited. Rex's observer enrollments for Sam: 6000 course 100 section 7100 deleted, 6001 101 active
// (start 2025-01-01, created 2025-01-01), 6002 102 inactive. Every user has the token EnrollmentToken(id).
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "observees/enrollment_store.h"
#include "observees/link_store.h"
#include "observees/types.h"
#include "support/forwarding_link_store.h"
#include "support/rest_client.h"
#include "support/world.h"

namespace observees::testing {

// The cast (see the table above).
inline constexpr UserId kRootAdmin = 5;
inline constexpr UserId kExtAdmin = 6;
inline constexpr UserId kScienceAdmin = 7;
inline constexpr UserId kRegistrar = 8;
inline constexpr UserId kHelpdesk = 9;
inline constexpr UserId kDualAdmin = 10;
inline constexpr UserId kArtsAdmin = 11;
inline constexpr UserId kTeacher = 20;
inline constexpr UserId kSam = 50;
inline constexpr UserId kTess = 51;
inline constexpr UserId kLina = 52;
inline constexpr UserId kFinn = 53;
inline constexpr UserId kPaula = 60;
inline constexpr UserId kOscar = 61;
inline constexpr UserId kNora = 62;
inline constexpr UserId kSue = 63;
inline constexpr UserId kFay = 64;
inline constexpr UserId kLee = 65;
inline constexpr UserId kRex = 66;
inline constexpr UserId kDee = 67;
inline constexpr UserId kGus = 68;

// Courses, by what Sam's enrollment there is.
inline constexpr std::int64_t kActiveCourse = 100;   // Science; also Lina's and Finn's
inline constexpr std::int64_t kInvitedCourse = 101;  // Arts
inline constexpr std::int64_t kPendingCourse = 102;
inline constexpr std::int64_t kInactiveCourse = 103;
inline constexpr std::int64_t kCompletedCourse = 104;
inline constexpr std::int64_t kRejectedCourse = 105;
inline constexpr std::int64_t kDeletedEnrollmentCourse = 106;
inline constexpr std::int64_t kStaffCourse = 107;      // Sam as teacher and student view
inline constexpr std::int64_t kDeletedCourse = 108;    // the course itself is deleted
inline constexpr std::int64_t kExtActiveCourse = 200;  // External; also Lina's
inline constexpr std::int64_t kExtInvitedCourse = 201;
inline constexpr std::int64_t kUnknownCourse = 999;
inline constexpr std::int64_t kSection100 = 7100;
inline constexpr std::int64_t kSection200 = 7200;

// Enrollment ids of the fixture.
inline constexpr std::int64_t kSamActiveEnrollment = 5000;
inline constexpr std::int64_t kRexDeletedEnrollment = 6000;
inline constexpr std::int64_t kRexActiveEnrollment = 6001;
inline constexpr std::int64_t kRexInactiveEnrollment = 6002;
inline constexpr std::int64_t kDeeDeletedEnrollment = 6010;
inline constexpr int kSamEnrollmentCount = 11;

inline constexpr char kSamLogin[] = "sam";
inline constexpr char kSamPassword[] = "pw-sam-50-secret";
inline constexpr char kSamSisId[] = "sis-sam";
inline constexpr char kTessSisId[] = "sis-tess";

std::string EnrollmentFixture();
std::string EnrollmentToken(UserId user);  // every user of the fixture has one

World MakeEnrollmentWorld();
RestWorld MakeEnrollmentRestWorld();

// Course id -> state of an observer's enrollments: what rules 10-13 produce.
using CourseStates = std::map<std::int64_t, std::string>;

// Sam's followed enrollments (rule 10) as his observer sees them, per root account.
CourseStates SamFollowedInRoot1();  // 100 active, 101 active (invited), 102 creation_pending, 103 inactive
CourseStates SamFollowedInRoot2();  // 200 active, 201 active (invited)
CourseStates Merged(CourseStates a, const CourseStates& b);

// Every enrollment of `user`, ascending id (EnrollmentStore::EnrollmentsOf; REQUIREs the read).
std::vector<Enrollment> StoredEnrollments(const World& w, UserId user);
// The observer's ObserverEnrollments associated with `student`, ascending id.
std::vector<Enrollment> LinkedEnrollments(const World& w, UserId observer, UserId student);
// Course -> state of those (REQUIREs at most one per course).
CourseStates FollowedStates(const World& w, UserId observer, UserId student);
std::optional<Enrollment> LinkedEnrollmentIn(const World& w, UserId observer, UserId student, std::int64_t course);
std::optional<Enrollment> EnrollmentById(const World& w, UserId user, std::int64_t id);

EnrollmentRequest EnrollmentOf(std::int64_t course, UserId user, std::string state,
                               std::string type = "StudentEnrollment",
                               std::optional<std::int64_t> section = std::nullopt);
// EnrollUser as `actor` on `domain`, REQUIREing success.
Enrollment MustEnroll(const World& w, UserId actor, const EnrollmentRequest& request, AccountId domain = kDefault);
// AddObserveeById as `admin`, REQUIREing success.
void MustLink(const World& w, UserId admin, UserId observer, UserId student,
              RootAccountScope scope = RootAccountScope::Domain(), AccountId domain = kDefault);
// RemoveObservee as `actor`, REQUIREing success.
void MustUnlink(const World& w, UserId actor, UserId observer, UserId student,
                RootAccountScope scope = RootAccountScope::All(), AccountId domain = kDefault);

// Recreates w.service over `deps` (e.g. with a wrapped enrollment or link store).
void ReplaceService(World& w, ServiceDependencies deps);

// An EnrollmentStore that forwards to another and records every OnLinkChanged call; told to, it makes
// one event fail (after forwarding, so the link's transaction holds the enrollment writes too).
class HookProbe final : public EnrollmentStore {
 public:
  struct Call {
    LinkEvent event;
    Link link;
  };

  explicit HookProbe(std::shared_ptr<EnrollmentStore> inner) : inner_(std::move(inner)) {}

  void FailOn(std::optional<LinkEvent> event);
  std::vector<Call> calls() const;

  Status OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) override;
  Result<std::optional<Course>> FindCourse(std::int64_t course_id) override { return inner_->FindCourse(course_id); }
  Result<std::vector<Enrollment>> EnrollmentsOf(UserId user) override { return inner_->EnrollmentsOf(user); }
  Result<Enrollment> Enroll(const EnrollmentRequest& request, Timestamp now) override {
    return inner_->Enroll(request, now);
  }

 private:
  std::shared_ptr<EnrollmentStore> inner_;
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  std::optional<LinkEvent> fail_on_;
};

// A LinkStore that forwards to another but hands out its own LinkTransaction wrappers (so a store that
// needs the SQLite link store's own transaction cannot find it).
class WrappedLinkStore final : public ForwardingLinkStore {
 public:
  using ForwardingLinkStore::ForwardingLinkStore;
  Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead) override;
};

}  // namespace observees::testing

namespace Catch {
template <>
struct StringMaker<observees::Enrollment> {
  static std::string convert(const observees::Enrollment& e);
};
// A CourseStates entry, so a failed comparison of two CourseStates prints them.
template <>
struct StringMaker<std::pair<const std::int64_t, std::string>> {
  static std::string convert(const std::pair<const std::int64_t, std::string>& entry);
};
template <>
struct StringMaker<observees::LinkEvent> {
  static std::string convert(observees::LinkEvent event);
};
}  // namespace Catch
