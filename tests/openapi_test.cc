// docs/openapi.json against the REST router: the document's routes are exactly the table the router
// matches (src/rest/routes.h), every answer the router gives on each route (success, the usual errors,
// the limiters, a busy or broken store) is one the document lists for it, with the headers it marks
// required and a body of its schema, and every status it lists for a route is one of those answers.
// The harness routes are checked against observees-server in tests/e2e/openapi_harness_test.cc.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "observees/authenticator.h"
#include "observees/observation_service.h"
#include "rest/routes.h"
#include "support/openapi_document.h"
#include "support/rest_client.h"

namespace observees::testing {
namespace {

namespace json = boost::json;

const OpenApiDocument& Document() {
  static const OpenApiDocument document(std::string(OBSERVEES_SOURCE_DIR) + "/docs/openapi.json");
  return document;
}

std::string Name(std::string_view method, std::string_view path) {
  return std::string(method) + " " + std::string(path);
}

// The path template with each {name} replaced by values[name] (REQUIREs a value for each).
std::string Fill(std::string_view path, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t at = 0;
  while (at < path.size()) {
    const std::size_t open = path.find('{', at);
    if (open == std::string_view::npos) {
      out.append(path.substr(at));
      break;
    }
    const std::size_t close = path.find('}', open);
    REQUIRE(close != std::string_view::npos);
    out.append(path.substr(at, open - at));
    const auto value = values.find(std::string(path.substr(open + 1, close - open - 1)));
    REQUIRE(value != values.end());
    out.append(value->second);
    at = close + 1;
  }
  return out;
}

// One request on a route and the status the router must give it.
struct Probe {
  std::string what;
  Req request;
  int expected;
};

// The answers every route gives before its own work: no caller, bad tokens (the second from one client
// past the bearer-token limit of 1 the test sets), bad parameters, an oversized body, and an
// unknown id in the path.
std::vector<Probe> CommonProbes(const rest::RouteSpec& route, int client) {
  const std::string method(route.method);
  const std::map<std::string, std::string> known = {
      {"user_id", "10"}, {"observee_id", "11"}, {"observer_id", "10"}, {"code_id", "1"}, {"course_id", "100"}};
  std::map<std::string, std::string> unknown = known;
  unknown[route.endpoint == rest::Endpoint::kEnrollUser ? "course_id" : "user_id"] = "9999";
  const std::string target = Fill(route.path, known);
  const std::string peer = "198.51.100." + std::to_string(client);
  const bool anonymous_allowed = route.endpoint == rest::Endpoint::kRegisterObserver;
  // The least a request needs to reach the service (and its caller and path checks).
  const std::string minimal = route.endpoint == rest::Endpoint::kAddObservee  ? "pairing_code=Nope00"
                              : route.endpoint == rest::Endpoint::kEnrollUser ? "enrollment%5Buser_id%5D=16"
                                                                              : "";
  std::vector<Probe> probes = {
      // Self-registration takes anonymous callers: with no fields it is the sign-up form's 400.
      {"no caller", Req(method, target).Form(minimal), anonymous_allowed ? 400 : 401},
      {"a token that resolves to nobody", Req(method, target).Bearer("tok-nobody-secret").Peer(peer), 401},
      {"a second bad token from that client", Req(method, target).Bearer("tok-nobody-secret").Peer(peer), 429},
      {"another authorization scheme", Req(method, target).Header("Authorization", "Basic cGF0OnB3"), 401},
      {"invalid UTF-8 in the query", Req(method, target + "?include[]=%C3%28").As(kAda), 400},
      {"malformed JSON", Req(method, target).As(kAda).Json(R"({"observee":)"), 400},
      {"a body over 64 KiB", Req(method, target).As(kAda).Form("x=" + std::string(70000, 'a')), 413},
  };
  if (route.endpoint != rest::Endpoint::kRegisterObserver) {
    probes.push_back({"an unknown id in the path", Req(method, Fill(route.path, unknown)).As(kAda).Form(minimal), 404});
  }
  return probes;
}

// The id of the first code in `student`'s lifecycle listing (REQUIREs one).
std::string FirstCodeId(const RestWorld& r, UserId student) {
  const rest::Response listing = r.Send(Get(Api(student, "observer_pairing_codes")).As(student));
  REQUIRE(StatusOf(listing) == 200);
  const json::value body = BodyJson(listing);
  REQUIRE(body.is_array());
  REQUIRE_FALSE(body.as_array().empty());
  return std::to_string(body.as_array().front().at("id").to_number<std::int64_t>());
}

std::string Registration(std::string_view login, const std::string& code) {
  return FormBody({{"user[name]", "Fran Fresh"},
                   {"pseudonym[unique_id]", login},
                   {"pseudonym[password]", "pw-fran-new-secret"},
                   {"pairing_code[code]", code}});
}

// Each route's own answers, run in order on a fresh world: at least one 200, then its errors.
std::vector<Probe> RouteProbes(rest::Endpoint endpoint, const RestWorld& r) {
  using rest::Endpoint;
  switch (endpoint) {
    case Endpoint::kListObservees:
      return {
          {"the observer's own list with avatars", Get(Api("self", "observees?include[]=avatar_url")).As(kPat), 200},
          {"page two of one", Get(Api(kPat, "observees?page=2&per_page=1")).As(kPat), 200},
          {"page zero", Get(Api("self", "observees?page=0")).As(kPat), 400},
          {"another observer's list", Get(Api(kMona, "observees")).As(kPat), 403}};
    case Endpoint::kListObservers:
      return {
          {"the student's own list with avatars", Get(Api("self", "observers?include[]=avatar_url")).As(kChild), 200},
          {"page zero", Get(Api("self", "observers?page=0")).As(kChild), 400},
          {"someone else's observers", Get(Api(kChild, "observers")).As(kQuinn), 403}};
    case Endpoint::kAddObservee: {
      std::vector<Probe> probes = {
          {"a pairing code in a form", Post(Api("self", "observees")).As(kQuinn).Form("pairing_code=Activ1"), 200},
          {"no input", Post(Api("self", "observees")).As(kQuinn).Form("x=1"), 400},
          {"a wrong password in a multipart body",
           Post(Api("self", "observees"))
               .As(kWalt)
               .Header("Content-Type", "multipart/form-data; boundary=XyZ")
               .RawBody("--XyZ\r\nContent-Disposition: form-data; name=\"observee[unique_id]\"\r\n\r\nchild\r\n"
                        "--XyZ\r\nContent-Disposition: form-data; name=\"observee[password]\"\r\n\r\nwrong-pw\r\n"
                        "--XyZ--\r\n"),
           401},
          {"an unknown code in a JSON body",
           Post(Api("self", "observees")).As(kWalt).Json(R"({"pairing_code": "Nope00"})"), 422},
          {"the student's own code",
           Post(Api("self", "observees")).As(kChild).Form("pairing_code=" + r.w.NewCode(kChild)), 422},
          {"an unknown root account",
           Post(Api("self", "observees?root_account_id=999")).As(kMona).Form("pairing_code=" + r.w.NewCode(kChild)),
           404},
          {"another user's links", Post(Api(kMona, "observees")).As(kPat).Form("pairing_code=XenaC0"), 403},
      };
      // Walt has spent two failures above; the caller's budget is 10.
      for (int i = 0; i < 8; ++i) {
        probes.push_back({"a wrong code",
                          Post(Api("self", "observees")).As(kWalt).Form("pairing_code=Bad00" + std::to_string(i)),
                          422});
      }
      probes.push_back(
          {"past the caller's budget", Post(Api("self", "observees")).As(kWalt).Form("pairing_code=Bad0x"), 429});
      return probes;
    }
    case Endpoint::kShowObservee:
      return {{"a linked student", Get(Api("self", "observees/11")).As(kPat), 200},
              {"no link", Get(Api("self", "observees/16")).As(kPat), 404},
              {"another observer's student", Get(Api(kMona, "observees/12")).As(kPat), 403}};
    case Endpoint::kShowObserver:
      return {{"a linked observer", Get(Api("self", "observers/10")).As(kChild), 200},
              {"no link", Get(Api("self", "observers/16")).As(kChild), 404},
              {"someone else's observer", Get(Api(kChild, "observers/10")).As(kQuinn), 403}};
    case Endpoint::kAddObserveeById:
      return {{"an administrator links", Put(Api(kMona, "observees/11")).As(kAda), 200},
              {"every shared root account", Put(Api(kOlivia, "observees/13?root_account_id=all")).As(kDana), 200},
              {"not an administrator", Put(Api("self", "observees/13")).As(kPat), 403},
              {"oneself", Put(Api(kQuinn, "observees/16")).As(kAda), 422},
              {"an unknown root account", Put(Api(kMona, "observees/11?root_account_id=999")).As(kAda), 404}};
    case Endpoint::kRemoveObservee:
      return {{"the observer's own link", Delete(Api("self", "observees/12")).As(kPat), 200},
              {"already removed", Delete(Api("self", "observees/12")).As(kPat), 404},
              {"not an administrator", Delete(Api(kMona, "observees/12")).As(kPat), 403}};
    case Endpoint::kCreatePairingCode:
      return {{"the student's own code", Post(Api("self", "observer_pairing_codes")).As(kChild), 200},
              {"an observer for the student", Post(Api(kChild, "observer_pairing_codes")).As(kPat), 403}};
    case Endpoint::kListPairingCodes:
      return {{"the student's codes", Get(Api("self", "observer_pairing_codes?state[]=active&state[]=used")).As(kChild),
               200},
              {"every state, to an administrator",
               Get(Api(kChild, "observer_pairing_codes?state=active&state=used&state=expired&state=revoked")).As(kAda),
               200},
              {"an unknown state", Get(Api("self", "observer_pairing_codes?state[]=lost")).As(kChild), 400},
              {"an observer", Get(Api(kChild, "observer_pairing_codes")).As(kPat), 403}};
    case Endpoint::kRevokePairingCode: {
      const std::string code = FirstCodeId(r, kChild);
      return {{"a code of the student", Delete(Api("self", "observer_pairing_codes/" + code)).As(kChild), 200},
              {"the same code again", Delete(Api("self", "observer_pairing_codes/" + code)).As(kChild), 200},
              {"an unknown code", Delete(Api("self", "observer_pairing_codes/999999")).As(kChild), 404},
              {"not a code id", Delete(Api("self", "observer_pairing_codes/abc")).As(kChild), 404},
              {"an observer", Delete(Api(kChild, "observer_pairing_codes/" + code)).As(kPat), 403}};
    }
    case Endpoint::kRevokeAllPairingCodes:
      return {{"the student's codes", Delete(Api("self", "observer_pairing_codes")).As(kChild), 200},
              {"an observer", Delete(Api(kChild, "observer_pairing_codes")).As(kPat), 403}};
    case Endpoint::kRegisterObserver:
      return {{"a new observer with a code", Post("/users").Form(Registration("fran", r.w.NewCode(kChild))), 200},
              {"in a JSON body",
               Post("/users").Json(R"({"user": {"name": "Gil Fresh"}, "pseudonym": {"unique_id": "gil", "password": )"
                                   R"("pw-gil-new-secret"}, "pairing_code": {"code": ")" +
                                   r.w.NewCode(kChild) + R"("}})"),
               200},
              {"a taken login", Post("/users").Form(Registration("fran", r.w.NewCode(kChild))), 400},
              {"an unknown code", Post("/users").Form(Registration("hal2", "Nope00")), 400},
              {"a domain without self-registration",
               Post("/users").Host("external.test").Form(Registration("ivy", "XenaC0")), 403}};
    case Endpoint::kListEnrollments:
      return {{"the user's own enrollments", Get(Api("self", "enrollments")).As(kChild), 200},
              {"an administrator", Get(Api(kChild, "enrollments?per_page=1&page=2")).As(kAda), 200},
              {"a bad page", Get(Api("self", "enrollments?page=x")).As(kChild), 400},
              {"another user", Get(Api(kChild, "enrollments")).As(kPat), 403}};
    case Endpoint::kEnrollUser:
      return {
          {"an administrator enrolls a user",
           Post("/api/v1/courses/100/enrollments").As(kAda).Form("enrollment%5Buser_id%5D=16"), 200},
          {"in a JSON body",
           Post("/api/v1/courses/100/enrollments")
               .As(kAda)
               .Json(R"({"enrollment": {"user_id": 26, "type": "TeacherEnrollment", "enrollment_state": "active"}})"),
           200},
          {"no user", Post("/api/v1/courses/100/enrollments").As(kAda).Form("enrollment%5Btype%5D=StudentEnrollment"),
           400},
          {"an unknown user", Post("/api/v1/courses/100/enrollments").As(kAda).Form("enrollment%5Buser_id%5D=9999"),
           404},
          {"not an administrator", Post("/api/v1/courses/100/enrollments").As(kPat).Form("enrollment%5Buser_id%5D=16"),
           403}};
  }
  FAIL("no probes for an endpoint");
  return {};
}

// An Authenticator whose token lookups fail with `failure`, as a busy or broken store's do; logins
// go to `base`.
class FailingTokens final : public Authenticator {
 public:
  FailingTokens(std::shared_ptr<Authenticator> base, Status failure) : base_(std::move(base)), failure_(failure) {}
  Result<std::optional<UserId>> FindLogin(AccountId root_account, std::string_view unique_id) override {
    return base_->FindLogin(root_account, unique_id);
  }
  Result<UserId> CheckPassword(AccountId root_account, std::string_view unique_id, std::string_view password) override {
    return base_->CheckPassword(root_account, unique_id, password);
  }
  Result<std::optional<UserId>> UserForAccessToken(std::string_view, Timestamp) override { return failure_; }

 private:
  std::shared_ptr<Authenticator> base_;
  Status failure_;
};

// A router over `r`'s storage whose token lookups fail with `failure`.
std::unique_ptr<rest::Router> FailingRouter(const RestWorld& r, const Status& failure) {
  ServiceDependencies deps = r.w.backend.Dependencies(r.w.clock);
  deps.authenticator = std::make_shared<FailingTokens>(deps.authenticator, failure);
  auto service = ObservationService::Create(deps);
  REQUIRE(service.ok());
  auto router = rest::Router::Create(std::shared_ptr<const ObservationService>(std::move(*service)),
                                     r.w.backend.directory, deps.authenticator);
  REQUIRE(router.ok());
  return std::move(*router);
}

std::vector<std::pair<std::string, std::string>> HeadersOf(const rest::Response& response) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const rest::Header& header : response.headers) headers.emplace_back(header.name, header.value);
  return headers;
}

TEST_CASE("docs/openapi.json documents exactly the routes the router matches", "[openapi][rest][routes]") {
  std::set<std::string> documented;
  for (const OpenApiOperation& operation : Document().operations()) {
    if (!operation.harness_only) CHECK(documented.insert(Name(operation.method, operation.path)).second);
  }
  std::set<std::string> routed;
  for (const rest::RouteSpec& route : rest::kRoutes) CHECK(routed.insert(Name(route.method, route.path)).second);
  for (const std::string& route : routed) {
    INFO("the router answers " << route);
    CHECK(documented.contains(route));
  }
  for (const std::string& operation : documented) {
    INFO("the document lists " << operation);
    CHECK(routed.contains(operation));
  }
  CHECK(routed.size() == rest::kRoutes.size());
}

TEST_CASE("docs/openapi.json marks exactly the /__observees/ operations harness-only", "[openapi]") {
  int harness = 0;
  for (const OpenApiOperation& operation : Document().operations()) {
    INFO(operation.method << " " << operation.path);
    const bool under_prefix = operation.path.starts_with("/__observees/");
    CHECK(operation.harness_only == under_prefix);
    if (!operation.harness_only) continue;
    ++harness;
    const json::array& tags = operation.spec->at("tags").as_array();
    CHECK(std::find(tags.begin(), tags.end(), json::value("Harness")) != tags.end());
    CHECK(operation.spec->at("security").as_array().empty());  // no token: loopback and --harness only
  }
  CHECK(harness > 0);
}

TEST_CASE("every {name} of a documented path is a documented path parameter", "[openapi]") {
  for (const OpenApiOperation& operation : Document().operations()) {
    std::set<std::string> declared;
    auto collect = [&](const json::value* parameters) {
      if (parameters == nullptr) return;
      for (const json::value& parameter_ref : parameters->as_array()) {
        const json::value& parameter = Document().Resolve(parameter_ref);
        if (parameter.at("in") == "path") declared.insert(std::string(parameter.at("name").as_string()));
      }
    };
    collect(Document().root().at("paths").at(operation.path).as_object().if_contains("parameters"));
    collect(operation.spec->if_contains("parameters"));
    std::set<std::string> named;
    for (std::size_t open = operation.path.find('{'); open != std::string::npos;
         open = operation.path.find('{', open + 1)) {
      named.insert(operation.path.substr(open + 1, operation.path.find('}', open) - open - 1));
    }
    INFO(operation.method << " " << operation.path);
    CHECK(declared == named);
  }
}

TEST_CASE("every answer the router gives on a route is one docs/openapi.json lists for it", "[openapi][rest]") {
  int client = 0;
  for (const rest::RouteSpec& route : rest::kRoutes) {
    const OpenApiOperation& operation = Document().Find(route.method, route.path);
    RestWorldOptions options;
    options.service.limiter.token_max_failures = 1;
    const RestWorld r = MakeRestWorld(options);
    std::vector<Probe> probes = RouteProbes(route.endpoint, r);
    REQUIRE_FALSE(probes.empty());
    CHECK(probes.front().expected == 200);
    for (Probe& probe : CommonProbes(route, ++client)) probes.push_back(std::move(probe));
    std::set<int> seen;
    auto send = [&](const rest::Router& router, const std::string& what, const Req& request, int expected) {
      INFO(Name(route.method, route.path) << ": " << what << " (" << request.request().method << " "
                                          << request.request().target.substr(0, 200) << ")");
      REQUIRE(request.request().method == route.method);
      const rest::Response response = router.Handle(request);
      CHECK(StatusOf(response) == expected);
      Document().CheckAnswer(operation, response.status, HeadersOf(response), response.body);
      seen.insert(response.status);
    };
    for (const Probe& probe : probes) send(*r.router, probe.what, probe.request, probe.expected);
    const Req any_call = Req(std::string(route.method), Fill(route.path, {{"user_id", "10"},
                                                                          {"observee_id", "11"},
                                                                          {"observer_id", "10"},
                                                                          {"code_id", "1"},
                                                                          {"course_id", "100"}}))
                             .As(kPat);
    send(*FailingRouter(r, Status(StatusCode::kUnavailable, "busy")), "a busy store", any_call, 503);
    send(*FailingRouter(r, Internal("broken")), "a broken store", any_call, 500);
    // Every status the document lists for the route is one the router gives there.
    for (const int status : Document().Statuses(operation)) {
      INFO(Name(route.method, route.path) << " lists " << status << ", which no probe produced");
      CHECK(seen.contains(status));
    }
  }
}

TEST_CASE("the document's schemas refuse what the router never writes", "[openapi]") {
  // The body check is only as good as its refusals: an extra key, a missing one, a wrong type.
  const json::value user = json::parse(R"({"id": 1, "name": "A", "created_at": "2026-01-01T00:00:00Z",
      "sortable_name": "A", "short_name": "A", "observation_link_root_account_ids": [1]})");
  const json::value schema = json::parse(R"({"$ref": "#/components/schemas/User"})");
  CHECK_FALSE(Document().Mismatch(schema, user).has_value());
  json::value extra = user;
  extra.as_object()["login_id"] = "a";
  CHECK(Document().Mismatch(schema, extra).has_value());
  json::value missing = user;
  missing.as_object().erase("short_name");
  CHECK(Document().Mismatch(schema, missing).has_value());
  json::value wrong = user;
  wrong.as_object()["observation_link_root_account_ids"] = json::array{"1"};
  CHECK(Document().Mismatch(schema, wrong).has_value());
  json::value null_name = user;
  null_name.as_object()["name"] = nullptr;
  CHECK(Document().Mismatch(schema, null_name).has_value());
}

}  // namespace
}  // namespace observees::testing
