// Linked observer enrollments (docs/rules.md, rules 10-13, and rule 7f), EnrollUser and
// ListEnrollments, through ObservationService over the SQLite default. The world is
// support/enrollment_world.h's; every link below is made through the service unless a test says the
// fixture made it.
#include <catch2/catch.hpp>
#include <chrono>

#include "support/enrollment_world.h"

namespace observees::testing {
namespace {

using std::chrono::hours;

std::vector<std::int64_t> EnrollmentIds(const std::vector<Enrollment>& enrollments) {
  std::vector<std::int64_t> ids;
  for (const Enrollment& e : enrollments) ids.push_back(e.id);
  return ids;
}

// Course -> state of `enrollments`, for one course per enrollment.
CourseStates StatesIn(const std::vector<Enrollment>& enrollments) {
  CourseStates states;
  for (const Enrollment& e : enrollments) states[e.course_id] = e.workflow_state;
  return states;
}

std::vector<Enrollment> InRoot(const std::vector<Enrollment>& enrollments, AccountId root) {
  std::vector<Enrollment> kept;
  for (const Enrollment& e : enrollments) {
    if (e.root_account_id == root) kept.push_back(e);
  }
  return kept;
}

// A HookProbe in front of the world's enrollment store, with the service rebuilt over it.
std::shared_ptr<HookProbe> InstallProbe(World& w) {
  auto probe = std::make_shared<HookProbe>(w.backend.enrollments);
  ServiceDependencies deps = w.backend.Dependencies(w.clock);
  deps.enrollments = probe;
  ReplaceService(w, deps);
  return probe;
}

// ---------------------------------------------------------------------------------------------------
// Rule 10: a link created or restored enrolls the observer.

TEST_CASE(
    "linking an observer enrolls them in the student's active, invited, creation_pending and inactive "
    "courses of the link's root account, and nowhere else",
    "[enrollments][rule10]") {
  World w = MakeEnrollmentWorld();
  REQUIRE(StoredEnrollments(w, kPaula).empty());
  MustLink(w, kRootAdmin, kPaula, kSam);
  REQUIRE(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>{kDefault});
  // Not 104 (completed), 105 (rejected), 106 (deleted), 107 (teacher and student view), 200 and 201
  // (root 2); 101's invited becomes active.
  CHECK(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot1());
  CHECK(StoredEnrollments(w, kPaula).size() == 4);
}

TEST_CASE("an observer enrollment copies the student enrollment's course, section, root account and dates",
          "[enrollments][rule10]") {
  World w = MakeEnrollmentWorld();
  w.clock->Advance(hours(1));
  MustLink(w, kRootAdmin, kPaula, kSam);

  const std::optional<Enrollment> e = LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse);
  REQUIRE(e.has_value());
  CHECK(e->user_id == kPaula);
  CHECK(e->type == "ObserverEnrollment");
  CHECK(e->associated_user_id == std::optional<UserId>(kSam));
  CHECK(e->course_section_id == std::optional<std::int64_t>(kSection100));
  CHECK(e->root_account_id == kDefault);
  CHECK(e->workflow_state == "active");
  CHECK(e->start_at == std::optional<Timestamp>(At("2026-01-05T00:00:00Z")));
  CHECK(e->end_at == std::optional<Timestamp>(At("2026-06-30T00:00:00Z")));
  CHECK(e->created_at == w.Now());
  CHECK(e->updated_at == w.Now());

  // 101 is in the Arts sub-account: its root account is still 1; no section, no dates.
  const std::optional<Enrollment> arts = LinkedEnrollmentIn(w, kPaula, kSam, kInvitedCourse);
  REQUIRE(arts.has_value());
  CHECK(arts->root_account_id == kDefault);
  CHECK_FALSE(arts->course_section_id.has_value());
  CHECK_FALSE(arts->start_at.has_value());
  CHECK_FALSE(arts->end_at.has_value());
}

TEST_CASE("a student's invited enrollment gives the observer an active one", "[enrollments][rule10]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  REQUIRE(EnrollmentById(w, kSam, 5001)->workflow_state == "invited");
  const std::optional<Enrollment> e = LinkedEnrollmentIn(w, kPaula, kSam, kInvitedCourse);
  REQUIRE(e.has_value());
  CHECK(e->workflow_state == "active");
}

TEST_CASE("every way of making a link enrolls the observer", "[enrollments][rule10]") {
  World w = MakeEnrollmentWorld();
  SECTION("an access token") {
    REQUIRE(OutcomeOf(w.AddWithToken(kPaula, EnrollmentToken(kSam))) == StatusCode::kOk);
    CHECK(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot1());
  }
  SECTION("a pairing code") {
    REQUIRE(OutcomeOf(w.RedeemCode(kPaula, w.NewCode(kSam))) == StatusCode::kOk);
    CHECK(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot1());
  }
  SECTION("credentials") {
    REQUIRE(OutcomeOf(w.AddWithCredentials(kPaula, kSamLogin, kSamPassword)) == StatusCode::kOk);
    CHECK(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot1());
  }
  SECTION("an administrator by id") {
    MustLink(w, kRootAdmin, kPaula, kSam);
    CHECK(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot1());
  }
  SECTION("observer self-registration") {
    SelfRegistrationRequest request;
    request.name = "Nina New";
    request.unique_id = "nina";
    request.password = "pw-nina-new-secret";
    request.pairing_code = w.NewCode(kSam);
    Result<LinkedUser> registered = w.service->RegisterObserver(w.Anonymous(), request);
    REQUIRE(OutcomeOf(registered) == StatusCode::kOk);
    CHECK(FollowedStates(w, registered->user.id, kSam) == SamFollowedInRoot1());
  }
}

TEST_CASE("a link in the second root account enrolls the observer only in that root's courses",
          "[enrollments][rule10][root-accounts]") {
  World w = MakeEnrollmentWorld();
  SECTION("by an administrator on the second root's domain") {
    MustLink(w, kExtAdmin, kPaula, kSam, RootAccountScope::Domain(), kExternal);
  }
  SECTION("with the student's token on the second root's domain") {
    REQUIRE(OutcomeOf(w.AddWithToken(kPaula, EnrollmentToken(kSam), kExternal)) == StatusCode::kOk);
  }
  REQUIRE(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>{kExternal});
  CHECK(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot2());
  const std::optional<Enrollment> e = LinkedEnrollmentIn(w, kPaula, kSam, kExtActiveCourse);
  REQUIRE(e.has_value());
  CHECK(e->root_account_id == kExternal);
  CHECK(e->course_section_id == std::optional<std::int64_t>(kSection200));
}

TEST_CASE("links in every root account enroll the observer in each root's courses",
          "[enrollments][rule10][root-accounts]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kDualAdmin, kPaula, kSam, RootAccountScope::All());
  REQUIRE(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>({kDefault, kExternal}));
  CHECK(FollowedStates(w, kPaula, kSam) == Merged(SamFollowedInRoot1(), SamFollowedInRoot2()));
}

TEST_CASE("an observer with no active login in a root account is not enrolled in its courses",
          "[enrollments][rule10][root-accounts]") {
  World w = MakeEnrollmentWorld();
  // Nora belongs to root 2 through an admin membership only; Sue through a teacher enrollment and a
  // suspended login. Both links are made; only root 1's courses get observer enrollments.
  const UserId observer = GENERATE(kNora, kSue);
  INFO("observer " << observer);
  MustLink(w, kDualAdmin, observer, kSam, RootAccountScope::All());
  REQUIRE(w.ActiveLinkRoots(kSam, observer) == std::vector<AccountId>({kDefault, kExternal}));
  CHECK(FollowedStates(w, observer, kSam) == SamFollowedInRoot1());
}

TEST_CASE("restoring a removed link makes the same observer enrollments follow again", "[enrollments][rule10][rule7]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  const std::vector<Link> links = w.LinksBetween(kSam, kPaula);
  const std::vector<Enrollment> before = LinkedEnrollments(w, kPaula, kSam);
  REQUIRE(before.size() == 4);

  w.clock->Advance(hours(1));
  MustUnlink(w, kPaula, kPaula, kSam);
  for (const Enrollment& e : LinkedEnrollments(w, kPaula, kSam)) CHECK(e.workflow_state == "deleted");

  w.clock->Advance(hours(1));
  SECTION("restored by an administrator") { MustLink(w, kRootAdmin, kPaula, kSam); }
  SECTION("restored with the student's token") {
    REQUIRE(OutcomeOf(w.AddWithToken(kPaula, EnrollmentToken(kSam))) == StatusCode::kOk);
  }
  REQUIRE(w.LinksBetween(kSam, kPaula).size() == 1);
  CHECK(w.LinksBetween(kSam, kPaula)[0].id == links[0].id);
  const std::vector<Enrollment> after = LinkedEnrollments(w, kPaula, kSam);
  CHECK(EnrollmentIds(after) == EnrollmentIds(before));
  CHECK(StatesIn(after) == SamFollowedInRoot1());
  for (std::size_t i = 0; i < after.size() && i < before.size(); ++i) {
    CHECK(after[i].created_at == before[i].created_at);
    CHECK(after[i].updated_at == w.Now());
  }
}

TEST_CASE("linking reuses an observer's deleted or inactive enrollment and leaves a following one alone",
          "[enrollments][rule10]") {
  World w = MakeEnrollmentWorld();
  const std::optional<Enrollment> untouched_before = EnrollmentById(w, kRex, kRexActiveEnrollment);
  REQUIRE(untouched_before.has_value());
  w.clock->Advance(hours(1));
  MustLink(w, kRootAdmin, kRex, kSam);

  CHECK(FollowedStates(w, kRex, kSam) == SamFollowedInRoot1());
  CHECK(LinkedEnrollments(w, kRex, kSam).size() == 4);

  // 6000 was deleted: reused, with Sam's section, dates and state.
  const std::optional<Enrollment> reused = LinkedEnrollmentIn(w, kRex, kSam, kActiveCourse);
  REQUIRE(reused.has_value());
  CHECK(reused->id == kRexDeletedEnrollment);
  CHECK(reused->workflow_state == "active");
  CHECK(reused->start_at == std::optional<Timestamp>(At("2026-01-05T00:00:00Z")));
  CHECK(reused->end_at == std::optional<Timestamp>(At("2026-06-30T00:00:00Z")));
  CHECK(reused->updated_at == w.Now());

  // 6002 was inactive: reused with Sam's creation_pending.
  const std::optional<Enrollment> pending = LinkedEnrollmentIn(w, kRex, kSam, kPendingCourse);
  REQUIRE(pending.has_value());
  CHECK(pending->id == kRexInactiveEnrollment);
  CHECK(pending->workflow_state == "creation_pending");

  // 6001 was active: nothing copied onto it.
  const std::optional<Enrollment> untouched = LinkedEnrollmentIn(w, kRex, kSam, kInvitedCourse);
  REQUIRE(untouched.has_value());
  CHECK(untouched->id == kRexActiveEnrollment);
  CHECK(untouched->start_at == std::optional<Timestamp>(At("2025-01-01T00:00:00Z")));
  CHECK(untouched->updated_at == untouched_before->updated_at);

  // 103 had none: a new one.
  const std::optional<Enrollment> fresh = LinkedEnrollmentIn(w, kRex, kSam, kInactiveCourse);
  REQUIRE(fresh.has_value());
  CHECK(fresh->id > kRexInactiveEnrollment);
  CHECK(fresh->created_at == w.Now());
}

TEST_CASE("the fixture loader stores links and enrollments as given, without making observer enrollments",
          "[enrollments][rule10][fixture]") {
  World w = MakeEnrollmentWorld();
  // Fay's and Lee's links are active in the fixture and their students have active enrollments.
  REQUIRE(w.ActiveLinkRoots(kFinn, kFay) == std::vector<AccountId>{kDefault});
  REQUIRE(w.LinksBetween(kLina, kLee).size() == 1);
  CHECK(StoredEnrollments(w, kFay).empty());
  CHECK(StoredEnrollments(w, kLee).empty());

  // Loading the fixture again with one more link does not mirror it either.
  std::string fixture = EnrollmentFixture();
  const std::string links = R"("links": [)";
  const std::size_t at = fixture.find(links);
  REQUIRE(at != std::string::npos);
  fixture.insert(at + links.size(), R"({"observer_id": 60, "student_id": 50, "root_account_id": 1},)");
  const Status loaded = LoadFixture(w.backend, fixture);
  INFO("LoadFixture: " << loaded.ToString());
  REQUIRE(loaded.ok());
  REQUIRE(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>{kDefault});
  CHECK(StoredEnrollments(w, kPaula).empty());
}

// Rules 43.7 and 49: the API calls create_or_restore only for a root account without a non-deleted
// link, so adding a link that is already active (here one the fixture loaded without enrollments)
// changes nothing, its enrollments included.
TEST_CASE("adding a link that is already active changes nothing, enrollments included",
          "[enrollments][rule10][rule43]") {
  World w = MakeEnrollmentWorld();
  REQUIRE(w.ActiveLinkRoots(kFinn, kFay) == std::vector<AccountId>{kDefault});
  REQUIRE(StoredEnrollments(w, kFay).empty());
  MustLink(w, kRootAdmin, kFay, kFinn);
  CHECK(w.LinksBetween(kFinn, kFay).size() == 1);
  CHECK(StoredEnrollments(w, kFay).empty());
}

TEST_CASE("the enrollment hook hears of each created, restored and removed link with its root account",
          "[enrollments][rule10][rule11][hook]") {
  World w = MakeEnrollmentWorld();
  const std::shared_ptr<HookProbe> probe = InstallProbe(w);

  MustLink(w, kDualAdmin, kPaula, kSam, RootAccountScope::All());
  const std::vector<Link> links = w.LinksBetween(kSam, kPaula);
  REQUIRE(links.size() == 2);
  std::vector<HookProbe::Call> calls = probe->calls();
  REQUIRE(calls.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(calls[i].event == LinkEvent::kCreated);
    CHECK(calls[i].link.id == links[i].id);
    CHECK(calls[i].link.student_id == kSam);
    CHECK(calls[i].link.observer_id == kPaula);
  }
  CHECK(Sorted({*calls[0].link.root_account_id, *calls[1].link.root_account_id}) ==
        std::vector<AccountId>({kDefault, kExternal}));
  CHECK(FollowedStates(w, kPaula, kSam) == Merged(SamFollowedInRoot1(), SamFollowedInRoot2()));

  MustUnlink(w, kPaula, kPaula, kSam, RootAccountScope::Account(kDefault));
  calls = probe->calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[2].event == LinkEvent::kRemoved);
  CHECK(calls[2].link.root_account_id == std::optional<AccountId>(kDefault));

  MustLink(w, kRootAdmin, kPaula, kSam);
  calls = probe->calls();
  REQUIRE(calls.size() == 4);
  CHECK(calls[3].event == LinkEvent::kRestored);
  CHECK(calls[3].link.root_account_id == std::optional<AccountId>(kDefault));
  CHECK(calls[3].link.state == LinkState::kActive);
}

TEST_CASE("a failing enrollment hook rolls the link change back", "[enrollments][rule10][rule11][hook]") {
  World w = MakeEnrollmentWorld();
  const std::shared_ptr<HookProbe> probe = InstallProbe(w);

  SECTION("creating by id") {
    probe->FailOn(LinkEvent::kCreated);
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kRootAdmin), kPaula, kSam, RootAccountScope::Domain())) ==
          StatusCode::kInternal);
    CHECK(w.LinksBetween(kSam, kPaula).empty());
    CHECK(StoredEnrollments(w, kPaula).empty());
  }
  SECTION("creating with a pairing code: the code stays unused") {
    const std::string code = w.NewCode(kSam);
    probe->FailOn(LinkEvent::kCreated);
    CHECK(OutcomeOf(w.RedeemCode(kPaula, code)) == StatusCode::kInternal);
    CHECK(w.LinksBetween(kSam, kPaula).empty());
    CHECK(StoredEnrollments(w, kPaula).empty());
    CHECK(w.ActiveCode(code).has_value());
  }
  SECTION("removing") {
    MustLink(w, kRootAdmin, kPaula, kSam);
    probe->FailOn(LinkEvent::kRemoved);
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kPaula), kPaula, kSam)) == StatusCode::kInternal);
    CHECK(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>{kDefault});
    CHECK(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot1());
  }
  SECTION("restoring") {
    MustLink(w, kRootAdmin, kPaula, kSam);
    MustUnlink(w, kPaula, kPaula, kSam);
    probe->FailOn(LinkEvent::kRestored);
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kRootAdmin), kPaula, kSam, RootAccountScope::Domain())) ==
          StatusCode::kInternal);
    CHECK(w.ActiveLinkRoots(kSam, kPaula).empty());
    for (const Enrollment& e : LinkedEnrollments(w, kPaula, kSam)) CHECK(e.workflow_state == "deleted");
  }
}

TEST_CASE("the SQLite enrollment store refuses a link transaction that is not the SQLite link store's",
          "[enrollments][rule10][hook]") {
  World w = MakeEnrollmentWorld();
  ServiceDependencies deps = w.backend.Dependencies(w.clock);
  deps.links = std::make_shared<WrappedLinkStore>(w.backend.links);
  ReplaceService(w, deps);
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kRootAdmin), kPaula, kSam, RootAccountScope::Domain())) ==
        StatusCode::kInternal);
  CHECK(w.LinksBetween(kSam, kPaula).empty());
  CHECK(StoredEnrollments(w, kPaula).empty());
}

TEST_CASE("without an enrollment store links still work and the enrollment operations are not found",
          "[enrollments][hook]") {
  World w = MakeEnrollmentWorld();
  ServiceDependencies deps = w.backend.Dependencies(w.clock);
  deps.enrollments = nullptr;
  ReplaceService(w, deps);
  MustLink(w, kRootAdmin, kPaula, kSam);
  CHECK(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>{kDefault});
  CHECK(StoredEnrollments(w, kPaula).empty());
  CHECK(OutcomeOf(w.service->ListEnrollments(w.As(kSam), kSam)) == StatusCode::kNotFound);
  CHECK(OutcomeOf(w.service->EnrollUser(w.As(kRootAdmin), EnrollmentOf(kActiveCourse, kTess, "active"))) ==
        StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------------
// Rule 11: a removed link deletes the observer's enrollments for that student in its root account.

TEST_CASE("removing a link deletes the observer's enrollments for that student in the link's root account",
          "[enrollments][rule11]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  w.clock->Advance(hours(1));
  MustUnlink(w, kPaula, kPaula, kSam);
  const std::vector<Enrollment> after = LinkedEnrollments(w, kPaula, kSam);
  REQUIRE(after.size() == 4);
  for (const Enrollment& e : after) {
    CHECK(e.workflow_state == "deleted");
    CHECK(e.updated_at == w.Now());
  }
}

TEST_CASE(
    "a link in one root account only enrolls there, and removing it leaves the other root's "
    "observer enrollments untouched",
    "[enrollments][rule11][rule10][root-accounts]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);  // root 1
  REQUIRE(FollowedStates(w, kPaula, kSam) == SamFollowedInRoot1());
  MustLink(w, kExtAdmin, kPaula, kSam, RootAccountScope::Domain(), kExternal);  // root 2
  REQUIRE(FollowedStates(w, kPaula, kSam) == Merged(SamFollowedInRoot1(), SamFollowedInRoot2()));
  const std::vector<Enrollment> root2_before = InRoot(LinkedEnrollments(w, kPaula, kSam), kExternal);
  REQUIRE(root2_before.size() == 2);

  w.clock->Advance(hours(1));
  MustUnlink(w, kPaula, kPaula, kSam, RootAccountScope::Account(kDefault));
  CHECK(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>{kExternal});
  CHECK(FollowedStates(w, kPaula, kSam) == CourseStates{{kActiveCourse, "deleted"},
                                                        {kInvitedCourse, "deleted"},
                                                        {kPendingCourse, "deleted"},
                                                        {kInactiveCourse, "deleted"},
                                                        {kExtActiveCourse, "active"},
                                                        {kExtInvitedCourse, "active"}});
  const std::vector<Enrollment> root2_after = InRoot(LinkedEnrollments(w, kPaula, kSam), kExternal);
  REQUIRE(root2_after.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(root2_after[i].id == root2_before[i].id);
    CHECK(root2_after[i].updated_at == root2_before[i].updated_at);
  }
}

TEST_CASE("an administrator of one root account removes only that root's link and observer enrollments",
          "[enrollments][rule11][root-accounts]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kDualAdmin, kPaula, kSam, RootAccountScope::All());
  MustUnlink(w, kExtAdmin, kPaula, kSam, RootAccountScope::All(), kExternal);
  CHECK(w.ActiveLinkRoots(kSam, kPaula) == std::vector<AccountId>{kDefault});
  CHECK(FollowedStates(w, kPaula, kSam) ==
        Merged(SamFollowedInRoot1(), {{kExtActiveCourse, "deleted"}, {kExtInvitedCourse, "deleted"}}));
}

TEST_CASE("removing every link deletes the observer's enrollments for that student in every root account",
          "[enrollments][rule11][root-accounts]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kDualAdmin, kPaula, kSam, RootAccountScope::All());
  MustUnlink(w, kPaula, kPaula, kSam, RootAccountScope::All());
  CHECK(w.ActiveLinkRoots(kSam, kPaula).empty());
  const std::vector<Enrollment> after = LinkedEnrollments(w, kPaula, kSam);
  CHECK(after.size() == 6);
  for (const Enrollment& e : after) CHECK(e.workflow_state == "deleted");
}

TEST_CASE("removing a link leaves the observer's other enrollments and other observers alone",
          "[enrollments][rule11]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  MustLink(w, kRootAdmin, kPaula, kFinn);
  MustLink(w, kRootAdmin, kOscar, kSam);
  const Enrollment teaching =
      MustEnroll(w, kRootAdmin, EnrollmentOf(kCompletedCourse, kPaula, "active", "TeacherEnrollment"));

  MustUnlink(w, kPaula, kPaula, kSam);
  for (const Enrollment& e : LinkedEnrollments(w, kPaula, kSam)) CHECK(e.workflow_state == "deleted");
  CHECK(FollowedStates(w, kPaula, kFinn) == CourseStates{{kActiveCourse, "active"}});
  CHECK(FollowedStates(w, kOscar, kSam) == SamFollowedInRoot1());
  const std::optional<Enrollment> still = EnrollmentById(w, kPaula, teaching.id);
  REQUIRE(still.has_value());
  CHECK(still->workflow_state == "active");
}

// ---------------------------------------------------------------------------------------------------
// Rule 12: a student enrollment added later brings the observers linked in its root account.

TEST_CASE("a student enrolled after the link brings the observers linked in that course's root account",
          "[enrollments][rule12][root-accounts]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kTess);                                        // root 1
  MustLink(w, kExtAdmin, kOscar, kTess, RootAccountScope::Domain(), kExternal);  // root 2
  REQUIRE(StoredEnrollments(w, kPaula).empty());
  REQUIRE(StoredEnrollments(w, kOscar).empty());

  w.clock->Advance(hours(1));
  const Enrollment student =
      MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kTess, "active", "StudentEnrollment", kSection100));
  CHECK(FollowedStates(w, kPaula, kTess) == CourseStates{{kActiveCourse, "active"}});
  CHECK(StoredEnrollments(w, kOscar).empty());
  const std::optional<Enrollment> e = LinkedEnrollmentIn(w, kPaula, kTess, kActiveCourse);
  REQUIRE(e.has_value());
  CHECK(e->course_section_id == std::optional<std::int64_t>(kSection100));
  CHECK(e->root_account_id == kDefault);
  CHECK(e->created_at == w.Now());
  CHECK(e->id != student.id);

  MustEnroll(w, kExtAdmin, EnrollmentOf(kExtActiveCourse, kTess, "invited"), kExternal);
  CHECK(FollowedStates(w, kOscar, kTess) == CourseStates{{kExtActiveCourse, "active"}});
  CHECK(FollowedStates(w, kPaula, kTess) == CourseStates{{kActiveCourse, "active"}});
}

TEST_CASE(
    "a later student enrollment is followed in the active, invited, creation_pending and inactive "
    "states only, invited becoming active",
    "[enrollments][rule12]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kTess);
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kTess, "active"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInvitedCourse, kTess, "invited"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kPendingCourse, kTess, "creation_pending"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInactiveCourse, kTess, "inactive"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kCompletedCourse, kTess, "completed"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kRejectedCourse, kTess, "rejected"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kDeletedEnrollmentCourse, kTess, "deleted"));
  CHECK(FollowedStates(w, kPaula, kTess) == SamFollowedInRoot1());
}

TEST_CASE("a later enrollment of another type does not enroll observers", "[enrollments][rule12]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kTess);
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kTess, "active", "TeacherEnrollment"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInvitedCourse, kTess, "active", "TaEnrollment"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kPendingCourse, kTess, "active", "DesignerEnrollment"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInactiveCourse, kTess, "active", "StudentViewEnrollment"));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kCompletedCourse, kTess, "active", "ObserverEnrollment"));
  CHECK(StoredEnrollments(w, kTess).size() == 5);
  CHECK(StoredEnrollments(w, kPaula).empty());
}

TEST_CASE("an observer whose link was removed does not follow a later enrollment", "[enrollments][rule12]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kTess);
  MustUnlink(w, kPaula, kPaula, kTess);
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kTess, "active"));
  CHECK(StoredEnrollments(w, kPaula).empty());
}

TEST_CASE("a legacy link with no root account follows later enrollments in every root account",
          "[enrollments][rule12][root-accounts]") {
  World w = MakeEnrollmentWorld();
  REQUIRE(w.LinksBetween(kLina, kLee).size() == 1);
  REQUIRE_FALSE(w.LinksBetween(kLina, kLee)[0].root_account_id.has_value());
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInvitedCourse, kLina, "active"));
  MustEnroll(w, kExtAdmin, EnrollmentOf(kExtInvitedCourse, kLina, "active"), kExternal);
  CHECK(FollowedStates(w, kLee, kLina) == CourseStates{{kInvitedCourse, "active"}, {kExtInvitedCourse, "active"}});
}

TEST_CASE("a link the fixture loaded is followed by later enrollments", "[enrollments][rule12][fixture]") {
  World w = MakeEnrollmentWorld();
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInvitedCourse, kFinn, "active"));
  CHECK(FollowedStates(w, kFay, kFinn) == CourseStates{{kInvitedCourse, "active"}});
  // Dee's deleted enrollment in 100 is another course's: untouched.
  CHECK(FollowedStates(w, kDee, kFinn) == CourseStates{{kActiveCourse, "deleted"}, {kInvitedCourse, "active"}});
}

TEST_CASE("a later enrollment gives no observer enrollment where the observer has no active login",
          "[enrollments][rule12][root-accounts]") {
  World w = MakeEnrollmentWorld();
  const UserId observer = GENERATE(kNora, kSue);
  INFO("observer " << observer);
  MustLink(w, kDualAdmin, observer, kTess, RootAccountScope::All());
  REQUIRE(w.ActiveLinkRoots(kTess, observer) == std::vector<AccountId>({kDefault, kExternal}));
  MustEnroll(w, kExtAdmin, EnrollmentOf(kExtActiveCourse, kTess, "active"), kExternal);
  CHECK(LinkedEnrollments(w, observer, kTess).empty());
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kTess, "active"));
  CHECK(FollowedStates(w, observer, kTess) == CourseStates{{kActiveCourse, "active"}});
}

TEST_CASE("a student enrolled in a second section of a course is followed in that section too",
          "[enrollments][rule12]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  const Enrollment second =
      MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "active", "StudentEnrollment", 7101));
  CHECK(second.id != kSamActiveEnrollment);
  std::vector<std::optional<std::int64_t>> sections;
  for (const Enrollment& e : LinkedEnrollments(w, kPaula, kSam)) {
    if (e.course_id == kActiveCourse) sections.push_back(e.course_section_id);
  }
  CHECK(sections == std::vector<std::optional<std::int64_t>>{kSection100, 7101});

  // A change of one section's enrollment reaches only that section's observer enrollment.
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "completed", "StudentEnrollment", 7101));
  for (const Enrollment& e : LinkedEnrollments(w, kPaula, kSam)) {
    if (e.course_id != kActiveCourse) continue;
    CHECK(e.workflow_state == (e.course_section_id == std::optional<std::int64_t>(7101) ? "completed" : "active"));
  }
}

// ---------------------------------------------------------------------------------------------------
// Rule 13: a student enrollment returning to an active state; ordinary updates.

TEST_CASE("a student enrollment made active again after being inactive reactivates the same observer enrollment",
          "[enrollments][rule13]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  const std::optional<Enrollment> before = LinkedEnrollmentIn(w, kPaula, kSam, kInactiveCourse);
  REQUIRE(before.has_value());
  REQUIRE(before->workflow_state == "inactive");
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInactiveCourse, kSam, "active"));
  const std::optional<Enrollment> after = LinkedEnrollmentIn(w, kPaula, kSam, kInactiveCourse);
  REQUIRE(after.has_value());
  CHECK(after->id == before->id);
  CHECK(after->workflow_state == "active");
}

TEST_CASE("a student enrollment made active again after being deleted brings the observer back",
          "[enrollments][rule13]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  SECTION("deleted before the link: a new observer enrollment") {
    REQUIRE_FALSE(LinkedEnrollmentIn(w, kPaula, kSam, kDeletedEnrollmentCourse).has_value());
    MustEnroll(w, kRootAdmin, EnrollmentOf(kDeletedEnrollmentCourse, kSam, "active"));
    const std::optional<Enrollment> e = LinkedEnrollmentIn(w, kPaula, kSam, kDeletedEnrollmentCourse);
    REQUIRE(e.has_value());
    CHECK(e->workflow_state == "active");
  }
  SECTION("deleted after the link: the observer's enrollment is deleted with it, then restored") {
    const std::optional<Enrollment> before = LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse);
    REQUIRE(before.has_value());
    MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "deleted", "StudentEnrollment", kSection100));
    CHECK(LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse)->workflow_state == "deleted");
    MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "active", "StudentEnrollment", kSection100));
    const std::optional<Enrollment> after = LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse);
    REQUIRE(after.has_value());
    CHECK(after->id == before->id);
    CHECK(after->workflow_state == "active");
  }
}

TEST_CASE("a completed student enrollment made invited again gives the observer an active enrollment",
          "[enrollments][rule13]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  REQUIRE_FALSE(LinkedEnrollmentIn(w, kPaula, kSam, kCompletedCourse).has_value());
  MustEnroll(w, kRootAdmin, EnrollmentOf(kCompletedCourse, kSam, "invited"));
  const std::optional<Enrollment> e = LinkedEnrollmentIn(w, kPaula, kSam, kCompletedCourse);
  REQUIRE(e.has_value());
  CHECK(e->workflow_state == "active");
}

TEST_CASE("an ordinary change of a student enrollment's state is copied to the observer's", "[enrollments][rule13]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  MustLink(w, kRootAdmin, kOscar, kSam);
  const std::optional<Enrollment> before = LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse);
  REQUIRE(before.has_value());
  SECTION("active to completed") {
    MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "completed", "StudentEnrollment", kSection100));
    CHECK(LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse)->workflow_state == "completed");
    CHECK(LinkedEnrollmentIn(w, kOscar, kSam, kActiveCourse)->workflow_state == "completed");
  }
  SECTION("active to inactive") {
    MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "inactive", "StudentEnrollment", kSection100));
    CHECK(LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse)->workflow_state == "inactive");
  }
  SECTION("creation_pending to active") {
    MustEnroll(w, kRootAdmin, EnrollmentOf(kPendingCourse, kSam, "active"));
    CHECK(LinkedEnrollmentIn(w, kPaula, kSam, kPendingCourse)->workflow_state == "active");
  }
  CHECK(LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse)->id == before->id);
  CHECK(LinkedEnrollments(w, kPaula, kSam).size() == 4);
}

// Canvas's update_linked_enrollments copies the student's state onto the observer's enrollment when
// it is not deleted, so a completed observer enrollment follows its student back to active.
TEST_CASE("a completed student enrollment made active again makes the observer's active again",
          "[enrollments][rule13]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  const std::optional<Enrollment> before = LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse);
  REQUIRE(before.has_value());
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "completed", "StudentEnrollment", kSection100));
  REQUIRE(LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse)->workflow_state == "completed");
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "active", "StudentEnrollment", kSection100));
  const std::optional<Enrollment> after = LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse);
  REQUIRE(after.has_value());
  CHECK(after->id == before->id);
  CHECK(after->workflow_state == "active");
}

TEST_CASE("an observer enrollment deleted with its link is not revived by changes to the student's enrollment",
          "[enrollments][rule13][rule11]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  MustUnlink(w, kPaula, kPaula, kSam);
  // An ordinary update, then returns to active: no active link, nothing comes back.
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "completed", "StudentEnrollment", kSection100));
  CHECK(LinkedEnrollmentIn(w, kPaula, kSam, kActiveCourse)->workflow_state == "deleted");
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "active", "StudentEnrollment", kSection100));
  MustEnroll(w, kRootAdmin, EnrollmentOf(kInactiveCourse, kSam, "active"));
  CHECK(FollowedStates(w, kPaula, kSam) == CourseStates{{kActiveCourse, "deleted"},
                                                        {kInvitedCourse, "deleted"},
                                                        {kPendingCourse, "deleted"},
                                                        {kInactiveCourse, "deleted"}});
}

TEST_CASE(
    "with an active link, a deleted observer enrollment stays deleted through ordinary updates and "
    "comes back when the student returns to active",
    "[enrollments][rule13]") {
  World w = MakeEnrollmentWorld();
  // Dee's link to Finn is active, her enrollment 6010 for Finn's course 100 deleted (fixture state).
  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kFinn, "inactive"));
  CHECK(EnrollmentById(w, kDee, kDeeDeletedEnrollment)->workflow_state == "deleted");
  CHECK(StoredEnrollments(w, kFay).empty());  // an ordinary update creates nothing

  MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kFinn, "active"));
  CHECK(FollowedStates(w, kDee, kFinn) == CourseStates{{kActiveCourse, "active"}});
  CHECK(LinkedEnrollmentIn(w, kDee, kFinn, kActiveCourse)->id == kDeeDeletedEnrollment);
  CHECK(FollowedStates(w, kFay, kFinn) == CourseStates{{kActiveCourse, "active"}});
}

// Rule 13 names inactive, deleted and completed only (as Canvas's restorable states do).
TEST_CASE("a rejected student enrollment made active later does not enroll observers", "[enrollments][rule13]") {
  World w = MakeEnrollmentWorld();
  MustLink(w, kRootAdmin, kPaula, kSam);
  const Enrollment accepted = MustEnroll(w, kRootAdmin, EnrollmentOf(kRejectedCourse, kSam, "active"));
  CHECK(accepted.id == 5005);
  CHECK(accepted.workflow_state == "active");
  CHECK_FALSE(LinkedEnrollmentIn(w, kPaula, kSam, kRejectedCourse).has_value());
}

// ---------------------------------------------------------------------------------------------------
// EnrollUser and ListEnrollments.

TEST_CASE("EnrollUser creates the user's enrollment and returns it", "[enrollments][enroll]") {
  World w = MakeEnrollmentWorld();
  w.clock->Advance(hours(1));
  const Enrollment e =
      MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kTess, "invited", "TeacherEnrollment", kSection100));
  CHECK(e.id > 0);
  CHECK(e.user_id == kTess);
  CHECK(e.course_id == kActiveCourse);
  CHECK(e.course_section_id == std::optional<std::int64_t>(kSection100));
  CHECK(e.type == "TeacherEnrollment");
  CHECK(e.workflow_state == "invited");
  CHECK_FALSE(e.associated_user_id.has_value());
  CHECK(e.root_account_id == kDefault);
  CHECK_FALSE(e.start_at.has_value());
  CHECK(e.created_at == w.Now());
  CHECK(e.updated_at == w.Now());
  const std::vector<Enrollment> stored = StoredEnrollments(w, kTess);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].id == e.id);
  CHECK(stored[0].workflow_state == "invited");

  const Enrollment ext = MustEnroll(w, kExtAdmin, EnrollmentOf(kExtActiveCourse, kTess, "active"), kExternal);
  CHECK(ext.root_account_id == kExternal);
  CHECK(ext.type == "StudentEnrollment");
}

TEST_CASE("EnrollUser changes the state of an existing enrollment and keeps its id", "[enrollments][enroll]") {
  World w = MakeEnrollmentWorld();
  const std::optional<Enrollment> before = EnrollmentById(w, kSam, kSamActiveEnrollment);
  REQUIRE(before.has_value());
  w.clock->Advance(hours(1));
  const Enrollment e =
      MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "completed", "StudentEnrollment", kSection100));
  CHECK(e.id == kSamActiveEnrollment);
  CHECK(e.workflow_state == "completed");
  CHECK(e.course_section_id == std::optional<std::int64_t>(kSection100));
  CHECK(e.start_at == before->start_at);
  CHECK(e.created_at == At("2025-12-01T00:00:00Z"));
  CHECK(e.updated_at == w.Now());
  CHECK(StoredEnrollments(w, kSam).size() == kSamEnrollmentCount);

  // Another type, or another section, is another enrollment.
  const Enrollment teacher = MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "active", "TaEnrollment"));
  CHECK(teacher.id != kSamActiveEnrollment);
  const Enrollment other_section =
      MustEnroll(w, kRootAdmin, EnrollmentOf(kActiveCourse, kSam, "active", "StudentEnrollment", 7101));
  CHECK(other_section.id != kSamActiveEnrollment);
  CHECK(StoredEnrollments(w, kSam).size() == kSamEnrollmentCount + 2);
  CHECK(EnrollmentById(w, kSam, kSamActiveEnrollment)->workflow_state == "completed");
}

TEST_CASE("EnrollUser needs manage_students through an admin membership on the course's account chain",
          "[enrollments][enroll][permissions]") {
  World w = MakeEnrollmentWorld();
  struct Case {
    UserId actor;
    std::int64_t course;
    AccountId domain;
    StatusCode expected;
  };
  const Case c = GENERATE(values<Case>({
      {kRootAdmin, kActiveCourse, kDefault, StatusCode::kOk},
      {kScienceAdmin, kActiveCourse, kDefault, StatusCode::kOk},                 // Science course
      {kScienceAdmin, kInvitedCourse, kDefault, StatusCode::kPermissionDenied},  // Arts course
      {kRegistrar, kInvitedCourse, kDefault, StatusCode::kOk},                   // role override on root 1
      {kHelpdesk, kActiveCourse, kDefault, StatusCode::kPermissionDenied},
      {kArtsAdmin, kInvitedCourse, kDefault, StatusCode::kPermissionDenied},  // override takes it away on Arts
      {kTeacher, kActiveCourse, kDefault, StatusCode::kPermissionDenied},     // a course role is not enough
      {kExtAdmin, kActiveCourse, kExternal, StatusCode::kPermissionDenied},
      {kExtAdmin, kExtActiveCourse, kExternal, StatusCode::kOk},
      {kDualAdmin, kExtActiveCourse, kDefault, StatusCode::kOk},
      {kTess, kActiveCourse, kDefault, StatusCode::kPermissionDenied},  // not even for themselves
      {kPaula, kActiveCourse, kDefault, StatusCode::kPermissionDenied},
  }));
  INFO("actor " << c.actor << ", course " << c.course);
  Result<Enrollment> e = w.service->EnrollUser(w.As(c.actor, c.domain), EnrollmentOf(c.course, kTess, "active"));
  CHECK(OutcomeOf(e) == c.expected);
  CHECK(StoredEnrollments(w, kTess).size() == (c.expected == StatusCode::kOk ? 1u : 0u));
}

TEST_CASE("EnrollUser refuses unknown courses and users, bad types and states, and anonymous callers",
          "[enrollments][enroll]") {
  World w = MakeEnrollmentWorld();
  const Caller admin = w.As(kRootAdmin);
  SECTION("unknown course") {
    CHECK(OutcomeOf(w.service->EnrollUser(admin, EnrollmentOf(kUnknownCourse, kTess, "active"))) ==
          StatusCode::kNotFound);
  }
  SECTION("deleted course") {
    CHECK(OutcomeOf(w.service->EnrollUser(admin, EnrollmentOf(kDeletedCourse, kTess, "active"))) ==
          StatusCode::kNotFound);
  }
  SECTION("unknown user") {
    CHECK(OutcomeOf(w.service->EnrollUser(admin, EnrollmentOf(kActiveCourse, kUnknownUser, "active"))) ==
          StatusCode::kNotFound);
  }
  SECTION("deleted user") {
    CHECK(OutcomeOf(w.service->EnrollUser(admin, EnrollmentOf(kActiveCourse, kGus, "active"))) ==
          StatusCode::kNotFound);
    CHECK(StoredEnrollments(w, kGus).empty());
  }
  SECTION("unknown type") {
    Result<Enrollment> e =
        w.service->EnrollUser(admin, EnrollmentOf(kActiveCourse, kTess, "active", "PrincipalEnrollment"));
    CHECK(OutcomeOf(e) == StatusCode::kInvalidArgument);
    CHECK(OutcomeOf(e).field == "enrollment[type]");
  }
  SECTION("unknown state") {
    Result<Enrollment> e = w.service->EnrollUser(admin, EnrollmentOf(kActiveCourse, kTess, "graduated"));
    CHECK(OutcomeOf(e) == StatusCode::kInvalidArgument);
    CHECK(OutcomeOf(e).field == "enrollment[enrollment_state]");
  }
  SECTION("anonymous") {
    CHECK(OutcomeOf(w.service->EnrollUser(w.Anonymous(), EnrollmentOf(kActiveCourse, kTess, "active"))) ==
          StatusCode::kUnauthenticated);
  }
  CHECK(StoredEnrollments(w, kTess).empty());
}

TEST_CASE("a user lists their own enrollments of every type and state, by id", "[enrollments][list]") {
  World w = MakeEnrollmentWorld();
  Result<std::vector<Enrollment>> list = w.service->ListEnrollments(w.As(kSam), kSam);
  REQUIRE(OutcomeOf(list) == StatusCode::kOk);
  CHECK(EnrollmentIds(*list) ==
        std::vector<std::int64_t>{5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010});
  std::vector<std::string> states;
  for (const Enrollment& e : *list) states.push_back(e.workflow_state);
  CHECK(states == std::vector<std::string>{"active", "invited", "creation_pending", "inactive", "completed", "rejected",
                                           "deleted", "active", "active", "active", "invited"});

  // An observer's list shows their linked enrollments.
  MustLink(w, kRootAdmin, kPaula, kSam);
  Result<std::vector<Enrollment>> observer = w.service->ListEnrollments(w.As(kPaula), kPaula);
  REQUIRE(OutcomeOf(observer) == StatusCode::kOk);
  CHECK(StatesIn(*observer) == SamFollowedInRoot1());
  for (const Enrollment& e : *observer) CHECK(e.associated_user_id == std::optional<UserId>(kSam));
}

TEST_CASE("listing someone else's enrollments needs manage_students on one of their root accounts",
          "[enrollments][list][permissions]") {
  World w = MakeEnrollmentWorld();
  struct Case {
    UserId actor;
    UserId user;
    StatusCode expected;
  };
  const Case c = GENERATE(values<Case>({
      {kRootAdmin, kSam, StatusCode::kOk},
      {kExtAdmin, kSam, StatusCode::kOk},                 // Sam belongs to root 2 too
      {kExtAdmin, kFinn, StatusCode::kPermissionDenied},  // Finn is root 1's only
      {kDualAdmin, kFinn, StatusCode::kOk},
      {kRegistrar, kSam, StatusCode::kOk},  // role override on root 1
      {kHelpdesk, kSam, StatusCode::kPermissionDenied},
      {kScienceAdmin, kSam, StatusCode::kPermissionDenied},  // a sub-account admin
      {kTeacher, kSam, StatusCode::kPermissionDenied},
      {kPaula, kSam, StatusCode::kPermissionDenied},
      {kSam, kPaula, StatusCode::kPermissionDenied},
  }));
  INFO("actor " << c.actor << ", user " << c.user);
  Result<std::vector<Enrollment>> list = w.service->ListEnrollments(w.As(c.actor), c.user);
  CHECK(OutcomeOf(list) == c.expected);
  if (list.ok()) CHECK(EnrollmentIds(*list) == EnrollmentIds(StoredEnrollments(w, c.user)));
}

TEST_CASE("listing enrollments of an unknown or deleted user is not found, and anonymous callers are refused",
          "[enrollments][list]") {
  World w = MakeEnrollmentWorld();
  CHECK(OutcomeOf(w.service->ListEnrollments(w.As(kRootAdmin), kUnknownUser)) == StatusCode::kNotFound);
  CHECK(OutcomeOf(w.service->ListEnrollments(w.As(kRootAdmin), kGus)) == StatusCode::kNotFound);
  CHECK(OutcomeOf(w.service->ListEnrollments(w.Anonymous(), kSam)) == StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace observees::testing
