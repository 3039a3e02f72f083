// The REST router's routes and path ids: the nine routes, 404 for anything else (another method, a
// trailing slash, a .json suffix), and the id forms self / a positive int64 / sis_user_id:X.
#include <catch2/catch.hpp>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

TEST_CASE("Router::Create refuses a null service, directory or authenticator", "[rest][create]") {
  World w = MakeWorld(RestFixture());
  CHECK(rest::Router::Create(nullptr, w.backend.directory, w.backend.authenticator).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(rest::Router::Create(w.service, nullptr, w.backend.authenticator).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(rest::Router::Create(w.service, w.backend.directory, nullptr).status().code() == StatusCode::kInvalidArgument);
  CHECK(rest::Router::Create(w.service, w.backend.directory, w.backend.authenticator).ok());
}

TEST_CASE("every route answers its method with a JSON success", "[rest][routes]") {
  RestWorld r = MakeRestWorld();
  CHECK(StatusOf(r.Send(Get(Api("self", "observees")).As(kPat))) == 200);                                 // E1
  CHECK(StatusOf(r.Send(Get(Api("self", "observers")).As(kChild))) == 200);                               // E2
  CHECK(StatusOf(r.Send(Post(Api("self", "observees")).As(kQuinn).Form("pairing_code=Activ1"))) == 200);  // E3
  CHECK(StatusOf(r.Send(Get(Api("self", "observees/11")).As(kPat))) == 200);                              // E4
  CHECK(StatusOf(r.Send(Get(Api("self", "observers/10")).As(kChild))) == 200);                            // E5
  CHECK(StatusOf(r.Send(Put(Api(kMona, "observees/11")).As(kAda))) == 200);                               // E6
  CHECK(StatusOf(r.Send(Delete(Api("self", "observees/12")).As(kPat))) == 200);                           // E7
  CHECK(StatusOf(r.Send(Post(Api("self", "observer_pairing_codes")).As(kChild))) == 200);                 // E8
  const std::string code = r.w.NewCode(kChild);
  CHECK(StatusOf(r.Send(Post("/users").Form(FormBody({{"user[name]", "Fran Fresh"},
                                                      {"pseudonym[unique_id]", "fran"},
                                                      {"pseudonym[password]", "pw-fran-new-secret"},
                                                      {"pairing_code[code]", code}})))) == 200);
}

TEST_CASE("a known path with another method is 404", "[rest][routes][rule59]") {
  RestWorld r = MakeRestWorld();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"PUT", Api("self", "observees")},
      {"DELETE", Api("self", "observees")},
      {"PATCH", Api("self", "observees")},
      {"POST", Api("self", "observees/11")},
      {"PATCH", Api("self", "observees/11")},
      {"POST", Api("self", "observers")},
      {"DELETE", Api("self", "observers")},
      {"PUT", Api("self", "observers/10")},
      {"DELETE", Api("self", "observers/10")},
      {"POST", Api("self", "observers/10")},
      {"PUT", Api("self", "observer_pairing_codes")},  // GET and DELETE: the lifecycle extension
      {"PATCH", Api("self", "observer_pairing_codes")},
      {"GET", Api("self", "observer_pairing_codes/1")},
      {"POST", Api("self", "observer_pairing_codes/1")},
      {"GET", "/users"},
      {"PUT", "/users"},
      {"DELETE", "/users"},
      {"HEAD", Api("self", "observees")},
      {"OPTIONS", Api("self", "observees")},
      {"get", Api("self", "observees")},
  };
  for (const auto& [method, target] : cases) {
    INFO(method << " " << target);
    const rest::Response response = r.Send(Req(method, target).As(kPat));
    CHECK(StatusOf(response) == 404);
    CHECK(response.body == kNotFoundBody);
  }
}

TEST_CASE("unknown paths are 404 with Canvas's not-found body", "[rest][routes][rule59]") {
  RestWorld r = MakeRestWorld();
  for (const std::string target :
       {"/", "/api", "/api/v1", "/api/v1/users", "/api/v1/users/self", "/api/v2/users/self/observees",
        "/api/v1/users/self/observee", "/api/v1/users/self/observees/11/extra", "/api/v1/users/self/observers/10/x",
        "/API/V1/users/self/observees", "/api/v1/accounts/1/observees", "/users/self/observees",
        "/api/v1/users/self/observees/11/observees", "/api/v1/users/self/observer_pairing_codes/1"}) {
    INFO("GET " << target);
    const rest::Response response = r.Send(Get(target).As(kPat));
    CHECK(StatusOf(response) == 404);
    CHECK(response.body == kNotFoundBody);
  }
}

TEST_CASE("an unknown path is 404 even without credentials", "[rest][routes][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get("/api/v1/nothing/here"));
  CHECK(StatusOf(response) == 404);
  CHECK(response.body == kNotFoundBody);
}

TEST_CASE("a trailing slash is not accepted", "[rest][routes]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Get(Api("self", "observees/")).As(kPat)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observers/")).As(kChild)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observees/11/")).As(kPat)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observers/10/")).As(kChild)).body == kNotFoundBody);
  CHECK(r.Send(Post(Api("self", "observer_pairing_codes/")).As(kChild)).body == kNotFoundBody);
  CHECK(StatusOf(r.Send(Get(Api("self", "observees?page=1")).As(kPat))) == 200);
  CHECK(r.Send(Get(Api("self", "observees/?page=1")).As(kPat)).body == kNotFoundBody);
  CHECK(r.Send(Post("/users/").Form("user[name]=x")).body == kNotFoundBody);
}

TEST_CASE("a trailing slash is an unknown route whatever the credentials", "[rest][routes][auth]") {
  RestWorld r = MakeRestWorld();
  // Like every other unknown path (and like .json), it is 404 before any token is looked at.
  for (const Req& request : {Get(Api("self", "observees/")), Get(Api("10", "observees/")), Put(Api("16", "observees/")),
                             Delete(Api("10", "observees/")), Get(Api("11", "observers/"))}) {
    INFO(request.request().method << " " << request.request().target);
    CHECK(r.Send(request).body == kNotFoundBody);
    CHECK(r.Send(Req(request).Bearer("tok-nobody-secret")).body == kNotFoundBody);
    CHECK(r.Send(Req(request).As(kAda)).body == kNotFoundBody);
  }
  CHECK(r.Send(Get(Api("self", "observees.json")).Bearer("tok-nobody-secret")).body == kNotFoundBody);
}

TEST_CASE("a .json suffix is not accepted", "[rest][routes]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Get(Api("self", "observees.json")).As(kPat)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observers.json")).As(kChild)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observees/11.json")).As(kPat)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observers/10.json")).As(kChild)).body == kNotFoundBody);
  CHECK(r.Send(Post(Api("self", "observer_pairing_codes.json")).As(kChild)).body == kNotFoundBody);
  CHECK(r.Send(Post("/users.json").Form("user[name]=x")).body == kNotFoundBody);
  CHECK(r.Send(Get("/api/v1/users/10.json/observees").As(kPat)).body == kNotFoundBody);
}

TEST_CASE("self names the caller", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  const rest::Response by_self = r.Send(Get(Api("self", "observees")).As(kPat));
  const rest::Response by_id = r.Send(Get(Api(kPat, "observees")).As(kPat));
  REQUIRE(StatusOf(by_self) == 200);
  REQUIRE(StatusOf(by_id) == 200);
  CHECK(by_self.body == by_id.body);
  CHECK(IdsIn(by_self) == std::vector<UserId>{kAnother, kChild});
  // The same token means another user for Another Smith.
  CHECK(IdsIn(r.Send(Get(Api("self", "observers")).As(kAnother))) == std::vector<UserId>{kMona, kPat});
}

TEST_CASE("self in the second position is the caller too", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api(kPat, "observees/self")).As(kChild));
  // Child is not Pat and holds no admin right: 403, whatever the second id.
  CHECK(StatusOf(response) == 403);
  const rest::Response own = r.Send(Get(Api(kPat, "observees/self")).As(kPat));
  // Pat does not observe Pat: no link.
  CHECK(StatusOf(own) == 404);
  const rest::Response student = r.Send(Get(Api(kChild, "observers/self")).As(kPat));
  // The subject of show-observer is the student (Child); Pat is not Child nor an admin.
  CHECK(StatusOf(student) == 403);
}

TEST_CASE("an anonymous self is 404", "[rest][ids][auth]") {
  RestWorld r = MakeRestWorld();
  for (const Req& request :
       {Get(Api("self", "observees")), Get(Api("self", "observers")), Get(Api("self", "observees/11")),
        Post(Api("self", "observees")).Form("pairing_code=x"), Put(Api("self", "observees/11")),
        Delete(Api("self", "observees/11")), Post(Api("self", "observer_pairing_codes"))}) {
    INFO(request.request().method << " " << request.request().target);
    const rest::Response response = r.Send(request);
    CHECK(StatusOf(response) == 404);
    CHECK(response.body == kNotFoundBody);
  }
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("numeric ids must be positive decimal int64 values", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  CHECK(StatusOf(r.Send(Get(Api("10", "observees")).As(kPat))) == 200);
  for (const std::string id :
       {"abc", "-1", "0", "-0", "99999999999999999999999", "9223372036854775808", "18446744073709551616", "1.5", "1e3",
        "0x10", "+10", "10abc", "%2010", "10%20", "", "sis_login_id:pat", "SELF", "Self"}) {
    INFO("id: '" << id << "'");
    const rest::Response response = r.Send(Get("/api/v1/users/" + id + "/observees").As(kPat));
    CHECK(StatusOf(response) == 404);
    CHECK(response.body == kNotFoundBody);
  }
}

TEST_CASE("the largest int64 id is a well-formed id of no one", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get("/api/v1/users/9223372036854775807/observees").As(kAda));
  CHECK(StatusOf(response) == 404);
  CHECK(response.body == kNotFoundBody);
  const rest::Response second = r.Send(Get(Api("self", "observees/9223372036854775807")).As(kPat));
  CHECK(StatusOf(second) == 404);
}

TEST_CASE("bad ids in the second position are 404 too", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  for (const std::string id : {"abc", "-11", "0", "99999999999999999999999", "11.0", "sis_user_id:nobody"}) {
    INFO("id: " << id);
    CHECK(r.Send(Get(Api("self", "observees/" + id)).As(kPat)).body == kNotFoundBody);
    CHECK(r.Send(Get(Api("self", "observers/" + id)).As(kChild)).body == kNotFoundBody);
    CHECK(r.Send(Put(Api(kQuinn, "observees/" + id)).As(kAda)).body == kNotFoundBody);
    CHECK(r.Send(Delete(Api("self", "observees/" + id)).As(kPat)).body == kNotFoundBody);
  }
  CHECK(r.w.ActiveLinkRoots(kChild, kPat) == std::vector<AccountId>{kDefault});
}

TEST_CASE("sis_user_id:X names the user with that SIS id", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  const rest::Response shown = r.Send(Get(Api("self", "observees/sis_user_id:sis-child")).As(kPat));
  REQUIRE(StatusOf(shown) == 200);
  CHECK(BodyJson(shown).as_object().at("id") == boost::json::value(kChild));
  const rest::Response observers = r.Send(Get(Api("sis_user_id:sis-child", "observers")).As(kChild));
  REQUIRE(StatusOf(observers) == 200);
  CHECK(IdsIn(observers) == std::vector<UserId>{kPat});
}

TEST_CASE("sis_user_id:X is percent-decoded", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  // "sis-child" with its letters escaped.
  const rest::Response escaped = r.Send(Get(Api("self", "observees/sis_user_id:%73is%2Dchild")).As(kPat));
  REQUIRE(StatusOf(escaped) == 200);
  CHECK(BodyJson(escaped).as_object().at("id") == boost::json::value(kChild));
  // Pat's SIS id "pat/10 x" holds a slash and a space.
  const rest::Response slash = r.Send(Get(Api("sis_user_id:pat%2F10%20x", "observees")).As(kPat));
  REQUIRE(StatusOf(slash) == 200);
  CHECK(IdsIn(slash) == std::vector<UserId>{kAnother, kChild});
}

TEST_CASE("an unknown sis_user_id is 404", "[rest][ids]") {
  RestWorld r = MakeRestWorld();
  for (const std::string id : {"sis_user_id:nobody", "sis_user_id:", "sis_user_id:pat/10 x"}) {
    INFO("id: " << id);
    const rest::Response response = r.Send(Get(Api(id, "observers")).As(kChild));
    CHECK(StatusOf(response) == 404);
    CHECK(response.body == kNotFoundBody);
  }
}

TEST_CASE("a deleted or unknown user in the path is 404", "[rest][ids][rule26]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Get(Api(kDeleted, "observees")).As(kAda)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api(kUnknownUser, "observees")).As(kAda)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api(kUnknownUser, "observers")).As(kAda)).body == kNotFoundBody);
  CHECK(r.Send(Post(Api(kUnknownUser, "observer_pairing_codes")).As(kAda)).body == kNotFoundBody);
}

}  // namespace
}  // namespace observees::testing
