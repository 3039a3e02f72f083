// Linked observer enrollments over HTTP: GET /api/v1/users/:user_id/enrollments, POST
// /api/v1/courses/:course_id/enrollments, and rules 10-13 driven through the REST router with the
// observee endpoints. The world is support/enrollment_world.h's.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "observees/canvas_json.h"
#include "support/enrollment_world.h"

namespace observees::testing {
namespace {

namespace json = boost::json;

Req& With(Req& request, UserId user) { return request.Bearer(EnrollmentToken(user)); }

rest::Response Send(const RestWorld& r, Req request, std::optional<UserId> user) {
  if (user) With(request, *user);
  return r.Send(request);
}

// GET /users/self/enrollments?per_page=100 as `user`.
rest::Response OwnEnrollments(const RestWorld& r, UserId user) {
  return Send(r, Get(Api("self", "enrollments?per_page=100")), user);
}

rest::Response Enroll(const RestWorld& r, UserId actor, std::int64_t course, std::string form) {
  return Send(r, Post("/api/v1/courses/" + std::to_string(course) + "/enrollments").Form(std::move(form)), actor);
}

const json::array& ArrayOf(const json::value& body) {
  REQUIRE(body.is_array());
  return body.as_array();
}

std::int64_t Int(const json::value& object, std::string_view key) {
  REQUIRE(object.is_object());
  REQUIRE(object.as_object().contains(key));
  return object.as_object().at(key).to_number<std::int64_t>();
}

std::string Text(const json::value& object, std::string_view key) {
  REQUIRE(object.is_object());
  REQUIRE(object.as_object().contains(key));
  REQUIRE(object.as_object().at(key).is_string());
  return std::string(object.as_object().at(key).as_string());
}

std::vector<std::int64_t> IdsOfBody(const rest::Response& response) {
  const json::value body = BodyJson(response);
  std::vector<std::int64_t> ids;
  for (const json::value& e : ArrayOf(body)) ids.push_back(Int(e, "id"));
  return ids;
}

// Course -> enrollment_state of the ObserverEnrollments for `student` in a list body.
CourseStates ObserverStatesIn(const rest::Response& response, UserId student) {
  const json::value body = BodyJson(response);
  CourseStates states;
  for (const json::value& e : ArrayOf(body)) {
    if (Text(e, "type") != "ObserverEnrollment") continue;
    if (!e.as_object().at("associated_user_id").is_int64() || Int(e, "associated_user_id") != student) continue;
    REQUIRE(states.emplace(Int(e, "course_id"), Text(e, "enrollment_state")).second);
  }
  return states;
}

std::string ListUrl(int page, int per_page) {
  return "http://canvas.test/api/v1/users/self/enrollments?page=" + std::to_string(page) +
         "&per_page=" + std::to_string(per_page);
}

std::string Entry(const std::string& url, std::string_view rel) {
  return "<" + url + ">; rel=\"" + std::string(rel) + "\"";
}

// ---------------------------------------------------------------------------------------------------
// GET /users/:user_id/enrollments

TEST_CASE("GET /users/self/enrollments answers Canvas's enrollment objects", "[enrollments][rest][list]") {
  RestWorld r = MakeEnrollmentRestWorld();
  const rest::Response response = OwnEnrollments(r, kSam);
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsOfBody(response) ==
        std::vector<std::int64_t>{5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010});
  const json::value body = BodyJson(response);
  CHECK(json::serialize(ArrayOf(body).at(0)) ==
        R"({"id":5000,"user_id":50,"course_id":100,"course_section_id":7100,"type":"StudentEnrollment",)"
        R"("role":"StudentEnrollment","enrollment_state":"active","associated_user_id":null,"root_account_id":1,)"
        R"("start_at":"2026-01-05T00:00:00Z","end_at":"2026-06-30T00:00:00Z","created_at":"2025-12-01T00:00:00Z",)"
        R"("updated_at":"2026-01-01T00:00:00Z"})");
  // Every enrollment is the JSON layer's rendering of the stored one.
  const std::vector<Enrollment> stored = StoredEnrollments(r.w, kSam);
  REQUIRE(ArrayOf(body).size() == stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    CHECK(json::serialize(ArrayOf(body).at(i)) == json::serialize(EnrollmentJson(stored[i])));
  }
}

TEST_CASE("GET enrollments is paginated like the observee lists", "[enrollments][rest][list][pagination]") {
  RestWorld r = MakeEnrollmentRestWorld();
  SECTION("the default page holds ten") {
    const rest::Response response = Send(r, Get(Api("self", "enrollments")), kSam);
    REQUIRE(StatusOf(response) == 200);
    CHECK(IdsOfBody(response).size() == 10);
    CHECK(response.Find("Link") ==
          std::optional<std::string>(Entry(ListUrl(1, 10), "current") + "," + Entry(ListUrl(2, 10), "next") + "," +
                                     Entry(ListUrl(1, 10), "first") + "," + Entry(ListUrl(2, 10), "last")));
  }
  SECTION("a first page") {
    const rest::Response response = Send(r, Get(Api("self", "enrollments?per_page=4")), kSam);
    REQUIRE(StatusOf(response) == 200);
    CHECK(IdsOfBody(response) == std::vector<std::int64_t>{5000, 5001, 5002, 5003});
    CHECK(response.Find("Link") ==
          std::optional<std::string>(Entry(ListUrl(1, 4), "current") + "," + Entry(ListUrl(2, 4), "next") + "," +
                                     Entry(ListUrl(1, 4), "first") + "," + Entry(ListUrl(3, 4), "last")));
  }
  SECTION("the last page") {
    const rest::Response response = Send(r, Get(Api("self", "enrollments?page=3&per_page=4")), kSam);
    REQUIRE(StatusOf(response) == 200);
    CHECK(IdsOfBody(response) == std::vector<std::int64_t>{5008, 5009, 5010});
    CHECK(response.Find("Link") ==
          std::optional<std::string>(Entry(ListUrl(3, 4), "current") + "," + Entry(ListUrl(2, 4), "prev") + "," +
                                     Entry(ListUrl(1, 4), "first") + "," + Entry(ListUrl(3, 4), "last")));
  }
  SECTION("past the end") {
    const rest::Response response = Send(r, Get(Api("self", "enrollments?page=4&per_page=4")), kSam);
    REQUIRE(StatusOf(response) == 200);
    CHECK(response.body == "[]");
  }
  SECTION("a bad page") {
    const rest::Response response = Send(r, Get(Api("self", "enrollments?page=0")), kSam);
    CHECK(StatusOf(response) == 400);
    CHECK(response.body == kBadPageBody);
  }
}

TEST_CASE("GET another user's enrollments needs an administrator of a shared root account",
          "[enrollments][rest][list][permissions]") {
  RestWorld r = MakeEnrollmentRestWorld();
  struct Case {
    std::optional<UserId> actor;
    std::string user;
    std::string host;
    int status;
    const char* body;  // null: a list
  };
  const Case c = GENERATE(values<Case>({
      {kRootAdmin, "50", "canvas.test", 200, nullptr},
      {kRootAdmin, "sis_user_id:sis-sam", "canvas.test", 200, nullptr},
      {kExtAdmin, "50", "external.test", 200, nullptr},  // Sam belongs to root 2 too
      {kRegistrar, "50", "canvas.test", 200, nullptr},
      {kSam, "self", "canvas.test", 200, nullptr},
      {kExtAdmin, "53", "external.test", 403, kUnauthorizedBody},  // Finn is root 1's only
      {kScienceAdmin, "50", "canvas.test", 403, kUnauthorizedBody},
      {kPaula, "50", "canvas.test", 403, kUnauthorizedBody},
      {kRootAdmin, "9999", "canvas.test", 404, kNotFoundBody},
      {kRootAdmin, "68", "canvas.test", 404, kNotFoundBody},  // a deleted user
      {std::nullopt, "50", "canvas.test", 401, kUnauthenticatedBody},
  }));
  INFO("user " << c.user << " on " << c.host);
  const rest::Response response = Send(r, Get(Api(c.user, "enrollments?per_page=100")).Host(c.host), c.actor);
  CHECK(StatusOf(response) == c.status);
  if (c.body != nullptr) {
    CHECK(response.body == c.body);
  } else if (response.status == 200) {
    CHECK(IdsOfBody(response).size() == kSamEnrollmentCount);
  }
  if (c.status == 401) CHECK(response.Find("WWW-Authenticate") == std::optional<std::string>(kWwwAuthenticate));
}

// ---------------------------------------------------------------------------------------------------
// POST /courses/:course_id/enrollments

TEST_CASE("POST /courses/:course_id/enrollments enrolls a user and answers the enrollment",
          "[enrollments][rest][enroll]") {
  RestWorld r = MakeEnrollmentRestWorld();
  const rest::Response response = Enroll(r, kRootAdmin, kActiveCourse,
                                         FormBody({{"enrollment[user_id]", "51"},
                                                   {"enrollment[type]", "TeacherEnrollment"},
                                                   {"enrollment[enrollment_state]", "active"},
                                                   {"enrollment[course_section_id]", "7100"}}));
  REQUIRE(StatusOf(response) == 200);
  const std::vector<Enrollment> stored = StoredEnrollments(r.w, kTess);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].type == "TeacherEnrollment");
  CHECK(stored[0].workflow_state == "active");
  CHECK(stored[0].course_section_id == std::optional<std::int64_t>(kSection100));
  CHECK(
      response.body ==
      R"({"id":)" + std::to_string(stored[0].id) +
          R"(,"user_id":51,"course_id":100,"course_section_id":7100,"type":"TeacherEnrollment",)"
          R"("role":"TeacherEnrollment","enrollment_state":"active","associated_user_id":null,"root_account_id":1,)"
          R"("start_at":null,"end_at":null,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"})");
}

TEST_CASE("POST enrollments defaults to an invited StudentEnrollment with no section", "[enrollments][rest][enroll]") {
  RestWorld r = MakeEnrollmentRestWorld();
  const rest::Response response = Enroll(r, kRootAdmin, kActiveCourse, "enrollment%5Buser_id%5D=51");
  REQUIRE(StatusOf(response) == 200);
  const json::value body = BodyJson(response);
  CHECK(Text(body, "type") == "StudentEnrollment");
  CHECK(Text(body, "enrollment_state") == "invited");
  CHECK(body.as_object().at("course_section_id").is_null());
}

TEST_CASE("POST enrollments changes an existing enrollment's state and keeps its id", "[enrollments][rest][enroll]") {
  RestWorld r = MakeEnrollmentRestWorld();
  const rest::Response response = Enroll(r, kRootAdmin, kActiveCourse,
                                         FormBody({{"enrollment[user_id]", "50"},
                                                   {"enrollment[enrollment_state]", "completed"},
                                                   {"enrollment[course_section_id]", "7100"}}));
  REQUIRE(StatusOf(response) == 200);
  CHECK(Int(BodyJson(response), "id") == kSamActiveEnrollment);
  CHECK(Text(BodyJson(response), "enrollment_state") == "completed");
  CHECK(EnrollmentById(r.w, kSam, kSamActiveEnrollment)->workflow_state == "completed");
}

TEST_CASE("POST enrollments names the user by self, id or sis_user_id, in a form or a JSON body",
          "[enrollments][rest][enroll]") {
  RestWorld r = MakeEnrollmentRestWorld();
  SECTION("self") {
    const rest::Response response =
        Enroll(r, kRootAdmin, kActiveCourse,
               FormBody({{"enrollment[user_id]", "self"}, {"enrollment[type]", "TeacherEnrollment"}}));
    REQUIRE(StatusOf(response) == 200);
    CHECK(Int(BodyJson(response), "user_id") == kRootAdmin);
  }
  SECTION("sis_user_id") {
    const rest::Response response = Enroll(
        r, kRootAdmin, kActiveCourse, FormBody({{"enrollment[user_id]", std::string("sis_user_id:") + kTessSisId}}));
    REQUIRE(StatusOf(response) == 200);
    CHECK(Int(BodyJson(response), "user_id") == kTess);
  }
  SECTION("a JSON body") {
    const rest::Response response =
        Send(r,
             Post("/api/v1/courses/100/enrollments")
                 .Json(R"({"enrollment": {"user_id": 51, "enrollment_state": "active", "course_section_id": 7100}})"),
             kRootAdmin);
    REQUIRE(StatusOf(response) == 200);
    CHECK(Int(BodyJson(response), "user_id") == kTess);
    CHECK(Text(BodyJson(response), "enrollment_state") == "active");
    CHECK(Int(BodyJson(response), "course_section_id") == kSection100);
  }
}

TEST_CASE("POST enrollments answers Canvas's errors and enrolls no one", "[enrollments][rest][enroll]") {
  RestWorld r = MakeEnrollmentRestWorld();
  struct Case {
    std::optional<UserId> actor;
    std::string course;
    std::string form;
    int status;
    const char* body;  // null: any {"errors":[...]} body
  };
  const Case c = GENERATE(values<Case>({
      {kRootAdmin, "100", "enrollment%5Btype%5D=StudentEnrollment", 400, nullptr},  // no user_id
      {kRootAdmin, "100", "enrollment%5Buser_id%5D=51&enrollment%5Bcourse_section_id%5D=x", 400, nullptr},
      {kRootAdmin, "100", "enrollment%5Buser_id%5D=51&enrollment%5Btype%5D=PrincipalEnrollment", 400, nullptr},
      {kRootAdmin, "100", "enrollment%5Buser_id%5D=51&enrollment%5Benrollment_state%5D=graduated", 400, nullptr},
      {kRootAdmin, "999", "enrollment%5Buser_id%5D=51", 404, kNotFoundBody},
      {kRootAdmin, "abc", "enrollment%5Buser_id%5D=51", 404, kNotFoundBody},
      {kRootAdmin, "108", "enrollment%5Buser_id%5D=51", 404, kNotFoundBody},  // a deleted course
      {kRootAdmin, "100", "enrollment%5Buser_id%5D=9999", 404, kNotFoundBody},
      {kRootAdmin, "100", "enrollment%5Buser_id%5D=sis_user_id%3Anobody", 404, kNotFoundBody},
      {kPaula, "100", "enrollment%5Buser_id%5D=51", 403, kUnauthorizedBody},
      {kScienceAdmin, "101", "enrollment%5Buser_id%5D=51", 403, kUnauthorizedBody},
      {kTeacher, "100", "enrollment%5Buser_id%5D=51", 403, kUnauthorizedBody},
      {std::nullopt, "100", "enrollment%5Buser_id%5D=51", 401, kUnauthenticatedBody},
  }));
  INFO("course " << c.course << " form " << c.form);
  const rest::Response response = Send(r, Post("/api/v1/courses/" + c.course + "/enrollments").Form(c.form), c.actor);
  CHECK(StatusOf(response) == c.status);
  if (c.body != nullptr) {
    CHECK(response.body == c.body);
  } else {
    CHECK_FALSE(ErrorMessage(response).empty());
  }
  CHECK(StoredEnrollments(r.w, kTess).empty());
}

// ---------------------------------------------------------------------------------------------------
// Rules 10-13 over HTTP.

TEST_CASE(
    "over HTTP, a parent follows a student enrolled after the link, loses the enrollment with the link "
    "and gets the same one back when the link returns",
    "[enrollments][rest][rule12][rule11][rule10]") {
  RestWorld r = MakeEnrollmentRestWorld();
  REQUIRE(StatusOf(Send(r, Put(Api(kPaula, "observees/51")), kRootAdmin)) == 200);
  REQUIRE(StatusOf(OwnEnrollments(r, kPaula)) == 200);
  CHECK(OwnEnrollments(r, kPaula).body == "[]");

  const rest::Response enrolled = Enroll(r, kRootAdmin, kActiveCourse, FormBody({{"enrollment[user_id]", "51"}}));
  REQUIRE(StatusOf(enrolled) == 200);
  CHECK(Text(BodyJson(enrolled), "enrollment_state") == "invited");

  const rest::Response following = OwnEnrollments(r, kPaula);
  REQUIRE(StatusOf(following) == 200);
  const json::value list = BodyJson(following);
  REQUIRE(ArrayOf(list).size() == 1);
  const json::value& e = ArrayOf(list).at(0);
  CHECK(Int(e, "user_id") == kPaula);
  CHECK(Int(e, "course_id") == kActiveCourse);
  CHECK(Text(e, "type") == "ObserverEnrollment");
  CHECK(Int(e, "associated_user_id") == kTess);
  CHECK(Text(e, "enrollment_state") == "active");  // the student's invited
  CHECK(Int(e, "root_account_id") == kDefault);
  const std::int64_t id = Int(e, "id");

  REQUIRE(StatusOf(Send(r, Delete(Api("self", "observees/51")), kPaula)) == 200);
  const rest::Response removed = OwnEnrollments(r, kPaula);
  CHECK(IdsOfBody(removed) == std::vector<std::int64_t>{id});
  CHECK(ObserverStatesIn(removed, kTess) == CourseStates{{kActiveCourse, "deleted"}});

  REQUIRE(StatusOf(Send(r, Put(Api(kPaula, "observees/51")), kRootAdmin)) == 200);
  const rest::Response restored = OwnEnrollments(r, kPaula);
  CHECK(IdsOfBody(restored) == std::vector<std::int64_t>{id});
  CHECK(ObserverStatesIn(restored, kTess) == CourseStates{{kActiveCourse, "active"}});
}

TEST_CASE("over HTTP, a link made with a student's token enrolls the observer in the domain root account's courses",
          "[enrollments][rest][rule10][root-accounts]") {
  RestWorld r = MakeEnrollmentRestWorld();
  SECTION("on the first root's domain") {
    const rest::Response added =
        Send(r, Post(Api("self", "observees")).Form(FormBody({{"access_token", EnrollmentToken(kSam)}})), kPaula);
    REQUIRE(StatusOf(added) == 200);
    CHECK(ObserverStatesIn(OwnEnrollments(r, kPaula), kSam) == SamFollowedInRoot1());
  }
  SECTION("on the second root's domain") {
    const rest::Response added = Send(
        r,
        Post(Api("self", "observees")).Host("external.test").Form(FormBody({{"access_token", EnrollmentToken(kSam)}})),
        kPaula);
    REQUIRE(StatusOf(added) == 200);
    CHECK(ObserverStatesIn(OwnEnrollments(r, kPaula), kSam) == SamFollowedInRoot2());
  }
}

TEST_CASE("over HTTP, removing the link in one root account leaves the other root's observer enrollments",
          "[enrollments][rest][rule11][root-accounts]") {
  RestWorld r = MakeEnrollmentRestWorld();
  REQUIRE(StatusOf(Send(r, Put(Api(kPaula, "observees/50?root_account_id=all")), kDualAdmin)) == 200);
  REQUIRE(ObserverStatesIn(OwnEnrollments(r, kPaula), kSam) == Merged(SamFollowedInRoot1(), SamFollowedInRoot2()));
  REQUIRE(StatusOf(Send(r, Delete(Api("self", "observees/50?root_account_id=1")), kPaula)) == 200);
  CHECK(ObserverStatesIn(OwnEnrollments(r, kPaula), kSam) == CourseStates{{kActiveCourse, "deleted"},
                                                                          {kInvitedCourse, "deleted"},
                                                                          {kPendingCourse, "deleted"},
                                                                          {kInactiveCourse, "deleted"},
                                                                          {kExtActiveCourse, "active"},
                                                                          {kExtInvitedCourse, "active"}});
}

TEST_CASE("over HTTP, an observer without a login in a root account gets no enrollments there",
          "[enrollments][rest][rule10][root-accounts]") {
  RestWorld r = MakeEnrollmentRestWorld();
  REQUIRE(StatusOf(Send(r, Put(Api(kNora, "observees/50?root_account_id=all")), kDualAdmin)) == 200);
  CHECK(r.w.ActiveLinkRoots(kSam, kNora) == std::vector<AccountId>({kDefault, kExternal}));
  CHECK(ObserverStatesIn(OwnEnrollments(r, kNora), kSam) == SamFollowedInRoot1());
}

TEST_CASE(
    "over HTTP, a student enrollment returning to active brings the observer's back, and one deleted "
    "with the link stays deleted",
    "[enrollments][rest][rule13]") {
  RestWorld r = MakeEnrollmentRestWorld();
  REQUIRE(StatusOf(Send(r, Put(Api(kPaula, "observees/50")), kRootAdmin)) == 200);
  const std::optional<Enrollment> inactive = LinkedEnrollmentIn(r.w, kPaula, kSam, kInactiveCourse);
  REQUIRE(inactive.has_value());
  REQUIRE(inactive->workflow_state == "inactive");

  REQUIRE(StatusOf(Enroll(r, kRootAdmin, kInactiveCourse,
                          FormBody({{"enrollment[user_id]", "50"}, {"enrollment[enrollment_state]", "active"}}))) ==
          200);
  CHECK(ObserverStatesIn(OwnEnrollments(r, kPaula), kSam).at(kInactiveCourse) == "active");
  CHECK(LinkedEnrollmentIn(r.w, kPaula, kSam, kInactiveCourse)->id == inactive->id);

  REQUIRE(StatusOf(Send(r, Delete(Api("self", "observees/50")), kPaula)) == 200);
  REQUIRE(StatusOf(Enroll(r, kRootAdmin, kActiveCourse,
                          FormBody({{"enrollment[user_id]", "50"},
                                    {"enrollment[enrollment_state]", "completed"},
                                    {"enrollment[course_section_id]", "7100"}}))) == 200);
  CHECK(ObserverStatesIn(OwnEnrollments(r, kPaula), kSam).at(kActiveCourse) == "deleted");
}

}  // namespace
}  // namespace observees::testing
