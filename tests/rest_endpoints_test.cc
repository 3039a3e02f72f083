// The REST router's endpoints E1-E8 and POST /users: each success path (status and exact body) and
// each error body, as docs/rules.md section 3 and canvas_json.h give them.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "observees/canvas_json.h"
#include "support/rest_client.h"

namespace observees::testing {
namespace {

namespace json = boost::json;

constexpr char kChildJson[] =
    R"({"id":11,"name":"Child Smith","created_at":"2024-02-01T08:30:00Z","sortable_name":"Smith, Child",)"
    R"("short_name":"Child Smith","observation_link_root_account_ids":[1]})";
constexpr char kPatJson[] =
    R"({"id":10,"name":"Pat Parent","created_at":"2024-01-05T10:00:00Z","sortable_name":"Parent, Pat",)"
    R"("short_name":"Pat Parent","observation_link_root_account_ids":[1]})";

// The User JSON of `user` as `observer`'s (or `student`'s) link partner, through the service.
std::string ExpectedList(const Result<UserPage>& page, std::string_view base = kBaseUrl) {
  REQUIRE(page.ok());
  return json::serialize(UsersJson(page->users, base));
}

// observation_link_root_account_ids of a User object body.
std::vector<AccountId> LinkRootIds(const rest::Response& response) {
  const json::value body = BodyJson(response);
  REQUIRE(body.is_object());
  REQUIRE(body.as_object().contains("observation_link_root_account_ids"));
  std::vector<AccountId> ids;
  for (const json::value& id : body.as_object().at("observation_link_root_account_ids").as_array()) {
    ids.push_back(id.to_number<AccountId>());
  }
  return ids;
}

ListOptions WithAvatars() {
  ListOptions options;
  options.include_avatar_url = true;
  return options;
}

std::string FranForm(std::string_view code) {
  return FormBody({{"user[name]", "Fran Fresh"},
                   {"pseudonym[unique_id]", "fran"},
                   {"pseudonym[password]", "pw-fran-new-secret"},
                   {"pairing_code[code]", code}});
}

// ---- E1: list observees ----

TEST_CASE("E1 lists the caller's observees as an array of User objects", "[rest][E1][rule32][rule33]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees")).As(kPat));
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kAnother, kChild});
  CHECK(response.body == ExpectedList(r.w.service->ListObservees(r.w.As(kPat), kPat, ListOptions{})));
  CHECK(response.body.find(kChildJson) != std::string::npos);
  CHECK(response.Find("Link").has_value());
}

TEST_CASE("E1 for a user without observees is an empty array", "[rest][E1]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees")).As(kQuinn));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == "[]");
}

TEST_CASE("E1 by an admin for another user", "[rest][E1][rule30]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api(kPat, "observees")).As(kAda));
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kAnother, kChild});
  CHECK(response.body == ExpectedList(r.w.service->ListObservees(r.w.As(kAda), kPat, ListOptions{})));
}

TEST_CASE("E1 errors: 403 for a user without rights, 404 for unknown or deleted users", "[rest][E1][rule29]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Get(Api(kPat, "observees")).As(kQuinn)).body == kUnauthorizedBody);
  const rest::Response nico = r.Send(Get(Api(kPat, "observees")).As(kNico));
  CHECK(StatusOf(nico) == 403);
  CHECK(nico.body == kUnauthorizedBody);
  CHECK(StatusOf(r.Send(Get(Api(kUnknownUser, "observees")).As(kAda))) == 404);
  CHECK(r.Send(Get(Api(kDeleted, "observees")).As(kAda)).body == kNotFoundBody);
}

TEST_CASE("E1 with include[]=avatar_url gives absolute avatar URLs", "[rest][E1][rule35]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees") + "?include[]=avatar_url").As(kPat));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == ExpectedList(r.w.service->ListObservees(r.w.As(kPat), kPat, WithAvatars())));
  const json::array users = BodyJson(response).as_array();
  REQUIRE(users.size() == 2);
  CHECK(users[1].as_object().at("avatar_url") == json::value("http://canvas.test/images/child.png"));
  // Another Smith has no avatar of their own: Canvas's fallback, made absolute.
  CHECK(users[0].as_object().at("avatar_url") == json::value("http://canvas.test/images/messages/avatar-50.png"));
}

TEST_CASE("avatar URLs are made absolute with the request's scheme and Host, port included", "[rest][E1][rule35]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(
      Get(Api("self", "observees") + "?include%5B%5D=avatar_url").As(kPat).Scheme("https").Host("canvas.test:8443"));
  REQUIRE(StatusOf(response) == 200);
  const json::array users = BodyJson(response).as_array();
  REQUIRE(users.size() == 2);
  CHECK(users[1].as_object().at("avatar_url") == json::value("https://canvas.test:8443/images/child.png"));
}

TEST_CASE("without include[]=avatar_url there is no avatar_url", "[rest][E1][rule35]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees") + "?include[]=other").As(kPat));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body.find("avatar_url") == std::string::npos);
}

// ---- E2: list observers ----

TEST_CASE("E2 lists a student's observers", "[rest][E2][rule38]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observers")).As(kAnother));
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kMona, kPat});
  CHECK(response.body == ExpectedList(r.w.service->ListObservers(r.w.As(kAnother), kAnother, ListOptions{})));
  const rest::Response child = r.Send(Get(Api("self", "observers")).As(kChild));
  REQUIRE(StatusOf(child) == 200);
  CHECK(child.body == std::string("[") + kPatJson + "]");  // Gina's deleted link is left out
}

TEST_CASE("E2 with avatars, by an admin, and its errors", "[rest][E2][rule35][rule38]") {
  RestWorld r = MakeRestWorld();
  const rest::Response avatars = r.Send(Get(Api(kChild, "observers") + "?include[]=avatar_url").As(kAda));
  REQUIRE(StatusOf(avatars) == 200);
  CHECK(avatars.body == ExpectedList(r.w.service->ListObservers(r.w.As(kAda), kChild, WithAvatars())));
  CHECK(BodyJson(avatars).as_array()[0].as_object().at("avatar_url") ==
        json::value("http://canvas.test/images/messages/avatar-50.png"));
  CHECK(r.Send(Get(Api(kChild, "observers")).As(kPat)).body == kUnauthorizedBody);
  CHECK(r.Send(Get(Api(kUnknownUser, "observers")).As(kAda)).body == kNotFoundBody);
}

// ---- E3: add observee ----

TEST_CASE("E3 with the student's access token links and returns the student", "[rest][E3][rule43]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Post(Api("self", "observees")).As(kQuinn).Form(FormBody({{"access_token", kChildToken}})));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == kChildJson);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
}

TEST_CASE("E3 with a pairing code links and consumes the code", "[rest][E3][rule43][rule19]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Post(Api("self", "observees")).As(kQuinn).Form("pairing_code=Activ1"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == kChildJson);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  CHECK_FALSE(r.w.ActiveCode(kActiveCode).has_value());
  // Single use.
  const rest::Response again = r.Send(Post(Api("self", "observees")).As(kWalt).Form("pairing_code=Activ1"));
  CHECK(StatusOf(again) == 422);
  CHECK(again.body == kInvalidCodeBody);
}

TEST_CASE("E3 with the student's credentials links the student", "[rest][E3][rule43]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Post(Api("self", "observees"))
                 .As(kQuinn)
                 .Form(FormBody({{"observee[unique_id]", kChildLogin}, {"observee[password]", kChildPassword}})));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == kChildJson);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
}

TEST_CASE("E3 by an admin for another observer", "[rest][E3][rule30]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Post(Api(kQuinn, "observees")).As(kAda).Form(FormBody({{"access_token", kChildToken}})));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == kChildJson);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  const rest::Response refused =
      r.Send(Post(Api(kMona, "observees")).As(kNico).Form(FormBody({{"access_token", kChildToken}})));
  CHECK(StatusOf(refused) == 403);
  CHECK(refused.body == kUnauthorizedBody);
  CHECK(r.w.LinksBetween(kChild, kMona).empty());
}

TEST_CASE("E3 error bodies", "[rest][E3][3.3]") {
  RestWorld r = MakeRestWorld();
  const auto post = [&](const std::string& form) {
    return r.Send(Post(Api("self", "observees")).As(kQuinn).Form(form));
  };
  SECTION("an unknown token is 422 Unknown observee") {
    const rest::Response response = post("access_token=tok-nobody-secret");
    CHECK(StatusOf(response) == 422);
    CHECK(response.body == kUnknownObserveeBody);
    CheckNoSecretsIn(response, {"tok-nobody-secret"});
  }
  SECTION("an unknown code is 422 Invalid pairing code") {
    const rest::Response response = post("pairing_code=Nope12");
    CHECK(StatusOf(response) == 422);
    CHECK(response.body == kInvalidCodeBody);
    CheckNoSecretsIn(response, {"Nope12"});
  }
  SECTION("expired and used codes are 422 Invalid pairing code") {
    CHECK(post(std::string("pairing_code=") + kExpiredCode).body == kInvalidCodeBody);
    CHECK(post(std::string("pairing_code=") + kUsedCode).body == kInvalidCodeBody);
  }
  SECTION("an unknown login is 422 Unknown observee") {
    const rest::Response response =
        post(FormBody({{"observee[unique_id]", "nobody"}, {"observee[password]", "pw-nobody-secret"}}));
    CHECK(StatusOf(response) == 422);
    CHECK(response.body == kUnknownObserveeBody);
  }
  SECTION("a wrong password is 401 Invalid credentials, with no WWW-Authenticate") {
    const rest::Response response =
        post(FormBody({{"observee[unique_id]", kChildLogin}, {"observee[password]", "pw-wrong-secret"}}));
    CHECK(StatusOf(response) == 401);
    CHECK(response.body == kInvalidCredentialsBody);
    CHECK_FALSE(response.Find("WWW-Authenticate").has_value());
    CheckNoSecretsIn(response, {"pw-wrong-secret"});
  }
  SECTION("self-observation is 422 with the observer_id error") {
    const rest::Response response = post(FormBody({{"access_token", kQuinnToken}}));
    CHECK(StatusOf(response) == 422);
    CHECK(BodyJson(response) == boost::json::parse(kSelfObservationBody));
  }
  SECTION("no token, code or credentials is 400 naming the three inputs (D4)") {
    for (const std::string form : {"", "root_account_id=all", "unrelated=1"}) {
      INFO("form: " << form);
      const rest::Response response = post(form);
      CHECK(StatusOf(response) == 400);
      const std::string message = ErrorMessage(response);
      CHECK(message.find("access_token") != std::string::npos);
      CHECK(message.find("pairing_code") != std::string::npos);
      CHECK(message.find("observee") != std::string::npos);
    }
  }
  SECTION("an unknown observer is 404") {
    CHECK(r.Send(Post(Api(kUnknownUser, "observees")).As(kAda).Form("pairing_code=Activ1")).body == kNotFoundBody);
  }
  CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
}

TEST_CASE("E3 past the attempt limit is 429", "[rest][E3][D6]") {
  RestWorldOptions options;
  options.service.limiter.max_failures = 2;
  RestWorld r = MakeRestWorld(options);
  for (const char* bad : {"Bad001", "Bad002"}) {
    CHECK(r.Send(Post(Api("self", "observees")).As(kQuinn).Form(std::string("pairing_code=") + bad)).body ==
          kInvalidCodeBody);
  }
  const rest::Response limited = r.Send(Post(Api("self", "observees")).As(kQuinn).Form("pairing_code=Activ1"));
  CHECK(StatusOf(limited) == 429);
  CHECK(limited.body == kTooManyAttemptsBody);
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("E3 root_account_id: absent, all, an id, an unknown id, a malformed value", "[rest][E3][rule27]") {
  RestWorld r = MakeRestWorld();
  const auto post = [&](const std::string& extra) {
    return r.Send(Post(Api("self", "observees")).As(kWalt).Form(FormBody({{"access_token", kBoToken}}) + extra));
  };
  SECTION("absent: the domain root account") {
    REQUIRE(StatusOf(post("")) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
  }
  SECTION("all: every shared root account") {
    const rest::Response response = post("&root_account_id=all");
    REQUIRE(StatusOf(response) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault, kExternal});
    CHECK(Sorted(LinkRootIds(response)) == std::vector<AccountId>{kDefault, kExternal});
  }
  SECTION("an id") {
    const rest::Response response = post("&root_account_id=2");
    REQUIRE(StatusOf(response) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
    CHECK(BodyJson(response).as_object().at("observation_link_root_account_ids") == json::array{kExternal});
  }
  SECTION("an unknown id: 404") {
    CHECK(post("&root_account_id=999").body == kNotFoundBody);
    CHECK(r.w.LinksBetween(kBo, kWalt).empty());
  }
  SECTION("malformed values: 404, as api_find") {
    for (const std::string value : {"abc", "0", "-1", "1.5", "ALL", "", "99999999999999999999999", "2x"}) {
      INFO("root_account_id=" << value);
      const rest::Response response = post("&root_account_id=" + value);
      CHECK(StatusOf(response) == 404);
      CHECK(response.body == kNotFoundBody);
    }
    CHECK(r.w.LinksBetween(kBo, kWalt).empty());
  }
}

// ---- E4 / E5: show ----

TEST_CASE("E4 shows an observee", "[rest][E4][rule39]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees/11")).As(kPat));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == kChildJson);
  Result<LinkedUser> shown = r.w.service->ShowObservee(r.w.As(kPat), kPat, kChild);
  REQUIRE(shown.ok());
  CHECK(response.body == json::serialize(UserJson(*shown, kBaseUrl)));
  CHECK(r.Send(Get(Api(kPat, "observees/11")).As(kAda)).body == kChildJson);
}

TEST_CASE("E4 errors: 404 without a link, 403 without rights", "[rest][E4][rule39]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Get(Api("self", "observees/13")).As(kPat)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observees/11")).As(kGina)).body == kNotFoundBody);  // deleted link
  CHECK(r.Send(Get(Api(kPat, "observees/11")).As(kQuinn)).body == kUnauthorizedBody);
  CHECK(r.Send(Get(Api("self", "observees/9999")).As(kPat)).body == kNotFoundBody);
}

TEST_CASE("E5 shows an observer", "[rest][E5][rule40]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observers/10")).As(kChild));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == kPatJson);
  CHECK(r.Send(Get(Api(kChild, "observers/10")).As(kAda)).body == kPatJson);
}

TEST_CASE("E5 errors: 404 without a link, 403 without rights", "[rest][E5][rule40]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Get(Api("self", "observers/16")).As(kChild)).body == kNotFoundBody);
  CHECK(r.Send(Get(Api("self", "observers/22")).As(kChild)).body == kNotFoundBody);  // deleted link
  CHECK(r.Send(Get(Api(kChild, "observers/10")).As(kPat)).body == kUnauthorizedBody);
}

// ---- E6: add observee by id ----

TEST_CASE("E6 links by id for an admin and returns the student", "[rest][E6][rule49]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Put(Api(kQuinn, "observees/11")).As(kAda));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == kChildJson);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  // Again: 200, no duplicate.
  CHECK(r.Send(Put(Api(kQuinn, "observees/11")).As(kAda)).body == kChildJson);
  CHECK(r.w.LinksBetween(kChild, kQuinn).size() == 1);
}

TEST_CASE("E6 root_account_id: absent is the domain, an id, all", "[rest][E6][rule48][rule50]") {
  RestWorld r = MakeRestWorld();
  SECTION("absent") {
    REQUIRE(StatusOf(r.Send(Put(Api(kWalt, "observees/13")).As(kDana))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
  }
  SECTION("absent, on external.test") {
    REQUIRE(StatusOf(r.Send(Put(Api(kWalt, "observees/13")).As(kDana).Host("external.test"))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("an id in a form body") {
    const rest::Response response = r.Send(Put(Api(kWalt, "observees/13")).As(kDana).Form("root_account_id=2"));
    REQUIRE(StatusOf(response) == 200);
    CHECK(BodyJson(response).as_object().at("observation_link_root_account_ids") == json::array{kExternal});
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("all in the query") {
    REQUIRE(StatusOf(r.Send(Put(Api(kWalt, "observees/13") + "?root_account_id=all").As(kDana))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault, kExternal});
  }
  SECTION("malformed: 404") {
    CHECK(r.Send(Put(Api(kWalt, "observees/13")).As(kDana).Form("root_account_id=abc")).body == kNotFoundBody);
    CHECK(r.w.LinksBetween(kBo, kWalt).empty());
  }
}

TEST_CASE("E6 errors: 403 for self-managed users, 404 for an external observee", "[rest][E6][rule47][rule48]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Put(Api("self", "observees/12")).As(kPat)).body == kUnauthorizedBody);
  CHECK(r.Send(Put(Api(kQuinn, "observees/11")).As(kNico)).body == kUnauthorizedBody);
  CHECK(r.Send(Put(Api(kQuinn, "observees/17")).As(kAda)).body == kNotFoundBody);
  CHECK(r.w.LinksBetween(kXena, kQuinn).empty());
  CHECK(r.Send(Put(Api(kChild, "observees/11")).As(kAda)).body == kSelfObservationBody);
}

// ---- E7: remove observee ----

TEST_CASE("E7 removes the link and returns the student", "[rest][E7][rule54][rule55]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Delete(Api("self", "observees/11")).As(kPat));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body ==
        R"({"id":11,"name":"Child Smith","created_at":"2024-02-01T08:30:00Z","sortable_name":"Smith, Child",)"
        R"("short_name":"Child Smith","observation_link_root_account_ids":[]})");
  CHECK(r.w.ActiveLinkRoots(kChild, kPat).empty());
  const rest::Response again = r.Send(Delete(Api("self", "observees/11")).As(kPat));
  CHECK(StatusOf(again) == 404);
  CHECK(again.body == kNotFoundBody);
}

TEST_CASE("E7 root_account_id removes one root account's link; absent and all remove every link", "[rest][E7][D3]") {
  RestWorld r = MakeRestWorld();
  SECTION("an id in a form body") {
    const rest::Response response = r.Send(Delete(Api("self", "observees/13")).As(kOlivia).Form("root_account_id=2"));
    REQUIRE(StatusOf(response) == 200);
    CHECK(BodyJson(response).as_object().at("observation_link_root_account_ids") == json::array{kDefault});
    CHECK(r.w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault});
  }
  SECTION("an id in the query") {
    REQUIRE(StatusOf(r.Send(Delete(Api("self", "observees/13") + "?root_account_id=1").As(kOlivia))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kExternal});
  }
  SECTION("absent") {
    REQUIRE(StatusOf(r.Send(Delete(Api("self", "observees/13")).As(kOlivia))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kOlivia).empty());
  }
  SECTION("absent, on external.test: still every link") {
    REQUIRE(StatusOf(r.Send(Delete(Api("self", "observees/13")).As(kOlivia).Host("external.test"))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kOlivia).empty());
  }
  SECTION("all") {
    REQUIRE(StatusOf(r.Send(Delete(Api("self", "observees/13")).As(kOlivia).Form("root_account_id=all"))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kOlivia).empty());
  }
  SECTION("malformed: 404 and nothing removed") {
    CHECK(r.Send(Delete(Api("self", "observees/13")).As(kOlivia).Form("root_account_id=x")).body == kNotFoundBody);
    CHECK(r.w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault, kExternal});
  }
}

TEST_CASE("E7 errors: 403 without rights, 404 without a link", "[rest][E7][rule53]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Delete(Api(kPat, "observees/11")).As(kQuinn)).body == kUnauthorizedBody);
  CHECK(r.Send(Delete(Api("self", "observees/13")).As(kPat)).body == kNotFoundBody);
  CHECK(r.w.ActiveLinkRoots(kChild, kPat) == std::vector<AccountId>{kDefault});
}

// ---- E8: pairing codes ----

TEST_CASE("E8 makes a PairingCode object for the student", "[rest][E8][rule24][3.2]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Post(Api("self", "observer_pairing_codes")).As(kChild));
  REQUIRE(StatusOf(response) == 200);
  const json::value body = BodyJson(response);
  REQUIRE(body.is_object());
  const json::object& object = body.as_object();
  CHECK(object.size() == 4);
  REQUIRE(object.contains("code"));
  REQUIRE(object.at("code").is_string());
  const std::string code(object.at("code").as_string());
  CHECK(code.size() == 6);
  CHECK(response.body ==
        R"({"user_id":11,"code":")" + code + R"(","expires_at":"2026-01-08T00:00:00Z","workflow_state":"active"})");
  const std::optional<PairingCodeRecord> record = r.w.ActiveCode(code);
  REQUIRE(record.has_value());
  CHECK(record->user_id == kChild);
}

TEST_CASE("E8 by an admin is the student's code", "[rest][E8][rule23][rule24]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Post(Api(kChild, "observer_pairing_codes")).As(kAda));
  REQUIRE(StatusOf(response) == 200);
  CHECK(BodyJson(response).as_object().at("user_id") == json::value(kChild));
}

TEST_CASE("E8 errors: 403 for others and non-students, 404 for unknown users", "[rest][E8][rule22][rule23]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.Send(Post(Api(kChild, "observer_pairing_codes")).As(kPat)).body == kUnauthorizedBody);
  CHECK(r.Send(Post(Api("self", "observer_pairing_codes")).As(kPat)).body == kUnauthorizedBody);
  CHECK(r.Send(Post(Api(kUnknownUser, "observer_pairing_codes")).As(kAda)).body == kNotFoundBody);
}

// ---- POST /users: observer self-registration ----

TEST_CASE("POST /users registers an observer with a pairing code", "[rest][users][D8][rule57]") {
  RestWorld r = MakeRestWorld();
  const std::string code = r.w.NewCode(kChild);
  const rest::Response response = r.Send(Post("/users").Form(FranForm(code)));
  REQUIRE(StatusOf(response) == 200);
  const json::value body = BodyJson(response);
  REQUIRE(body.is_object());
  REQUIRE(body.as_object().size() == 1);
  REQUIRE(body.as_object().contains("user"));
  const UserId fran = body.as_object().at("user").as_object().at("id").to_number<UserId>();
  CHECK(response.body ==
        R"({"user":{"id":)" + std::to_string(fran) +
            R"(,"name":"Fran Fresh","created_at":"2026-01-01T00:00:00Z","sortable_name":"Fresh, Fran",)"
            R"("short_name":"Fran Fresh","observation_link_root_account_ids":[1]}})");
  CHECK(r.w.ActiveLinkRoots(kChild, fran) == std::vector<AccountId>{kDefault});
  CHECK_FALSE(r.w.ActiveCode(code).has_value());
  Result<UserId> login = r.w.backend.authenticator->CheckPassword(kDefault, "fran", "pw-fran-new-secret");
  REQUIRE(login.ok());
  CHECK(*login == fran);
  CheckNoSecretsIn(response, {"pw-fran-new-secret", code});
}

TEST_CASE("POST /users keeps the given short and sortable names", "[rest][users][D8]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(
      Post("/users").Form(FranForm(kActiveCode) + "&user%5Bshort_name%5D=Franny&user[sortable_name]=Fresh%2C+F."));
  REQUIRE(StatusOf(response) == 200);
  const json::object user = BodyJson(response).as_object().at("user").as_object();
  CHECK(user.at("short_name") == json::value("Franny"));
  CHECK(user.at("sortable_name") == json::value("Fresh, F."));
}

TEST_CASE("POST /users with initial_enrollment_type observer is the default", "[rest][users][D8]") {
  RestWorld r = MakeRestWorld();
  CHECK(StatusOf(r.Send(Post("/users").Form(FranForm(kActiveCode) + "&user[initial_enrollment_type]=observer"))) ==
        200);
}

TEST_CASE("POST /users refuses other enrollment types with 403 {}", "[rest][users][D8][rule57]") {
  RestWorld r = MakeRestWorld();
  for (const char* type : {"student", "teacher"}) {
    INFO("type: " << type);
    const rest::Response response =
        r.Send(Post("/users").Form(FranForm(kActiveCode) + "&user[initial_enrollment_type]=" + type));
    CHECK(StatusOf(response) == 403);
    CHECK(response.body == "{}");
  }
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("POST /users with a bad or missing code is 400 with errors.pairing_code", "[rest][users][D8][rule57]") {
  RestWorld r = MakeRestWorld();
  constexpr char kBadCodeBody[] =
      R"({"errors":{"user":{},"pseudonym":{},"observee":{},"pairing_code":{"code":[{"attribute":"code",)"
      R"("type":"invalid","message":"invalid"}]},"recaptcha":null}})";
  for (const std::string& form : {FranForm("Nope12"), FranForm(kUsedCode), FranForm(kExpiredCode), FranForm(""),
                                  FormBody({{"user[name]", "Fran Fresh"},
                                            {"pseudonym[unique_id]", "fran"},
                                            {"pseudonym[password]", "pw-fran-new-secret"}})}) {
    INFO("form: " << form);
    const rest::Response response = r.Send(Post("/users").Form(form));
    CHECK(StatusOf(response) == 400);
    CHECK(response.body == kBadCodeBody);
    CheckNoSecretsIn(response, {"pw-fran-new-secret", "Nope12"});
  }
  Result<std::optional<UserId>> login = r.w.backend.authenticator->FindLogin(kDefault, "fran");
  REQUIRE(login.ok());
  CHECK_FALSE(login->has_value());
}

TEST_CASE("POST /users field errors are in the sign-up form's shape", "[rest][users][D8]") {
  RestWorld r = MakeRestWorld();
  SECTION("missing name") {
    const rest::Response response = r.Send(Post("/users").Form(FormBody({{"pseudonym[unique_id]", "fran"},
                                                                         {"pseudonym[password]", "pw-fran-new-secret"},
                                                                         {"pairing_code[code]", kActiveCode}})));
    CHECK(StatusOf(response) == 400);
    CHECK(response.body ==
          R"({"errors":{"user":{"name":[{"attribute":"name","type":"invalid","message":"name is required"}]},)"
          R"("pseudonym":{},"observee":{},"pairing_code":{},"recaptcha":null}})");
  }
  SECTION("a taken login") {
    const rest::Response response = r.Send(Post("/users").Form(FormBody({{"user[name]", "Fran Fresh"},
                                                                         {"pseudonym[unique_id]", kPatLogin},
                                                                         {"pseudonym[password]", "pw-fran-new-secret"},
                                                                         {"pairing_code[code]", kActiveCode}})));
    CHECK(StatusOf(response) == 400);
    CHECK(response.body ==
          R"({"errors":{"user":{},"pseudonym":{"unique_id":[{"attribute":"unique_id","type":"taken",)"
          R"("message":"login is already in use"}]},"observee":{},"pairing_code":{},"recaptcha":null}})");
  }
  SECTION("a short password") {
    const rest::Response response = r.Send(Post("/users").Form(FormBody({{"user[name]", "Fran Fresh"},
                                                                         {"pseudonym[unique_id]", "fran"},
                                                                         {"pseudonym[password]", "tiny7"},
                                                                         {"pairing_code[code]", kActiveCode}})));
    CHECK(StatusOf(response) == 400);
    const json::value body = BodyJson(response);
    CHECK(body.as_object().at("errors").as_object().at("pseudonym").as_object().contains("password"));
    CheckNoSecretsIn(response, {"tiny7"});
  }
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("POST /users failures are limited per peer address", "[rest][users][D6]") {
  RestWorldOptions options;
  options.service.limiter.max_failures = 2;
  RestWorld r = MakeRestWorld(options);
  for (const char* bad : {"Bad001", "Bad002"}) {
    CHECK(StatusOf(r.Send(Post("/users").Peer("198.51.100.7").Form(FranForm(bad)))) == 400);
  }
  const rest::Response limited = r.Send(Post("/users").Peer("198.51.100.7").Form(FranForm(kActiveCode)));
  CHECK(StatusOf(limited) == 429);
  CHECK(limited.body == kTooManyAttemptsBody);
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
  CHECK(StatusOf(r.Send(Post("/users").Peer("198.51.100.8").Form(FranForm(kActiveCode)))) == 200);
}

}  // namespace
}  // namespace observees::testing
