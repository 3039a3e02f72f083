// The REST router's authentication (Bearer header, access_token query and body parameters, Canvas's
// two 401 bodies) and its choice of the domain root account (the Host header, RouterOptions'
// default_root_account, else the lowest root account id).
#include <catch2/catch.hpp>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

TEST_CASE("a Bearer token in the Authorization header authenticates", "[rest][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees")).Bearer(kPatToken));
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kAnother, kChild});
}

TEST_CASE("the Authorization header name is case-insensitive", "[rest][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response lower =
      r.Send(Get(Api("self", "observees")).Header("authorization", std::string("Bearer ") + kPatToken));
  REQUIRE(StatusOf(lower) == 200);
  CHECK(IdsIn(lower) == std::vector<UserId>{kAnother, kChild});
  const rest::Response upper =
      r.Send(Get(Api("self", "observees")).Header("AUTHORIZATION", std::string("Bearer ") + kPatToken));
  REQUIRE(StatusOf(upper) == 200);
}

TEST_CASE("an access_token query parameter authenticates", "[rest][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees") + "?access_token=" + kPatToken));
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kAnother, kChild});
}

TEST_CASE("an access_token form body parameter authenticates", "[rest][auth][E8]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Post(Api("self", "observer_pairing_codes")).Form(FormBody({{"access_token", kChildToken}})));
  REQUIRE(StatusOf(response) == 200);
  CHECK(BodyJson(response).as_object().at("user_id") == boost::json::value(kChild));
}

TEST_CASE("the Bearer header wins over an access_token query parameter", "[rest][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Get(Api("self", "observees") + "?access_token=" + kChildToken).Bearer(kPatToken));
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kAnother, kChild});  // Pat's observees, not Child's (none)
}

TEST_CASE("an unknown access token is 401 Invalid access token with WWW-Authenticate", "[rest][auth]") {
  RestWorld r = MakeRestWorld();
  for (const Req& request : {Get(Api("self", "observees")).Bearer("tok-nobody-secret"),
                             Get(Api(kPat, "observees")).Bearer("tok-nobody-secret"),
                             Get(Api("self", "observees") + "?access_token=tok-nobody-secret"),
                             Post(Api("self", "observer_pairing_codes")).Form("access_token=tok-nobody-secret"),
                             Post(Api("self", "observees")).Bearer("tok-nobody-secret").Form("pairing_code=Activ1"),
                             Delete(Api("self", "observees/11")).Bearer("tok-nobody-secret")}) {
    INFO(request.request().method << " " << request.request().target);
    const rest::Response response = r.Send(request);
    CHECK(StatusOf(response) == 401);
    CHECK(response.body == kInvalidTokenBody);
    CHECK(response.Find("WWW-Authenticate") == std::optional<std::string>(kWwwAuthenticate));
    CheckNoSecretsIn(response, {"tok-nobody-secret"});
  }
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
  CHECK(r.w.ActiveLinkRoots(kChild, kPat) == std::vector<AccountId>{kDefault});
}

TEST_CASE("past token_max_failures unknown tokens a client gets 429, a valid token too (D6)", "[rest][auth][D6]") {
  RestWorldOptions options;
  options.service.limiter.token_max_failures = 3;
  RestWorld r = MakeRestWorld(options);
  for (int i = 0; i < 3; ++i) {
    const rest::Response refused =
        r.Send(Get(Api("self", "observees")).Bearer("tok-guess-" + std::to_string(i)).Peer("198.51.100.7"));
    CHECK(StatusOf(refused) == 401);
  }
  const rest::Response limited = r.Send(Get(Api("self", "observees")).Bearer(kPatToken).Peer("198.51.100.7"));
  CHECK(StatusOf(limited) == 429);
  CHECK(limited.body.find(kPatToken) == std::string::npos);
  // The query parameter is the same token check.
  CHECK(StatusOf(r.Send(Get(Api("self", "observees") + "?access_token=" + kPatToken).Peer("198.51.100.7"))) == 429);
  CHECK(StatusOf(r.Send(Get(Api("self", "observees")).Bearer(kPatToken).Peer("198.51.100.8"))) == 200);
}

TEST_CASE("an expired access token is 401 Invalid access token", "[rest][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observers")).Bearer(kChildExpiredToken));
  CHECK(StatusOf(response) == 401);
  CHECK(response.body == kInvalidTokenBody);
  CHECK(response.Find("WWW-Authenticate") == std::optional<std::string>(kWwwAuthenticate));
  CheckNoSecretsIn(response);
}

TEST_CASE("no credentials on an endpoint that needs them is 401 unauthenticated", "[rest][auth][rule31][rule60]") {
  RestWorld r = MakeRestWorld();
  for (const Req& request : {Get(Api(kPat, "observees")), Get(Api(kChild, "observers")),
                             Post(Api(kQuinn, "observees")).Form("pairing_code=Activ1"), Get(Api(kPat, "observees/11")),
                             Get(Api(kChild, "observers/10")), Put(Api(kQuinn, "observees/11")),
                             Delete(Api(kPat, "observees/11")), Post(Api(kChild, "observer_pairing_codes"))}) {
    INFO(request.request().method << " " << request.request().target);
    const rest::Response response = r.Send(request);
    CHECK(StatusOf(response) == 401);
    CHECK(response.body == kUnauthenticatedBody);
    CHECK(response.Find("WWW-Authenticate") == std::optional<std::string>(kWwwAuthenticate));
  }
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
  CHECK(r.w.ActiveLinkRoots(kChild, kPat) == std::vector<AccountId>{kDefault});
  CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
}

TEST_CASE("success and 403 responses carry no WWW-Authenticate", "[rest][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response ok = r.Send(Get(Api("self", "observees")).As(kPat));
  REQUIRE(StatusOf(ok) == 200);
  CHECK_FALSE(ok.Find("WWW-Authenticate").has_value());
  const rest::Response forbidden = r.Send(Get(Api(kPat, "observees")).As(kQuinn));
  REQUIRE(StatusOf(forbidden) == 403);
  CHECK(forbidden.body == kUnauthorizedBody);
  CHECK_FALSE(forbidden.Find("WWW-Authenticate").has_value());
}

TEST_CASE("with a Bearer header, an access_token body parameter on POST /observees is the observee's token",
          "[rest][auth][E3][rule43]") {
  RestWorld r = MakeRestWorld();
  SECTION("form body") {
    const rest::Response response =
        r.Send(Post(Api("self", "observees")).As(kQuinn).Form(FormBody({{"access_token", kChildToken}})));
    REQUIRE(StatusOf(response) == 200);
    CHECK(BodyJson(response).as_object().at("id") == boost::json::value(kChild));
    CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  }
  SECTION("JSON body") {
    const rest::Response response = r.Send(
        Post(Api("self", "observees")).As(kQuinn).Json(std::string(R"({"access_token":")") + kChildToken + "\"}"));
    REQUIRE(StatusOf(response) == 200);
    CHECK(BodyJson(response).as_object().at("id") == boost::json::value(kChild));
    CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  }
  SECTION("an unknown observee token is 422 Unknown observee, not 401") {
    const rest::Response response =
        r.Send(Post(Api("self", "observees")).As(kQuinn).Form("access_token=tok-nobody-secret"));
    CHECK(StatusOf(response) == 422);
    CHECK(response.body == kUnknownObserveeBody);
    CHECK_FALSE(response.Find("WWW-Authenticate").has_value());
    CheckNoSecretsIn(response, {"tok-nobody-secret"});
    CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("the observee's token takes precedence over a pairing code") {
    const rest::Response response =
        r.Send(Post(Api("self", "observees"))
                   .As(kWalt)
                   .Form(FormBody({{"access_token", kChildToken}, {"pairing_code", kXenaCode}})));
    REQUIRE(StatusOf(response) == 200);
    CHECK(BodyJson(response).as_object().at("id") == boost::json::value(kChild));
    CHECK(r.w.ActiveCode(kXenaCode).has_value());
  }
}

TEST_CASE("a request to external.test acts in root account 2", "[rest][domain][E3][rule46]") {
  RestWorld r = MakeRestWorld();
  // Xena's login exists only in External: the credentials branch looks it up in the domain root account.
  const std::string credentials =
      FormBody({{"observee[unique_id]", kXenaLogin}, {"observee[password]", kXenaPassword}});
  const rest::Response on_default = r.Send(Post(Api("self", "observees")).As(kWalt).Form(credentials));
  CHECK(StatusOf(on_default) == 422);
  CHECK(on_default.body == kUnknownObserveeBody);
  CHECK(r.w.LinksBetween(kXena, kWalt).empty());

  const rest::Response on_external =
      r.Send(Post(Api("self", "observees")).As(kWalt).Host("external.test").Form(credentials));
  REQUIRE(StatusOf(on_external) == 200);
  CHECK(BodyJson(on_external).as_object().at("id") == boost::json::value(kXena));
  CHECK(BodyJson(on_external).as_object().at("observation_link_root_account_ids") == boost::json::array{kExternal});
  CHECK(r.w.ActiveLinkRoots(kXena, kWalt) == std::vector<AccountId>{kExternal});
}

TEST_CASE("the Host's port is ignored and its case does not matter", "[rest][domain]") {
  RestWorld r = MakeRestWorld();
  const std::string credentials =
      FormBody({{"observee[unique_id]", kXenaLogin}, {"observee[password]", kXenaPassword}});
  const rest::Response response =
      r.Send(Post(Api("self", "observees")).As(kWalt).Host("EXTERNAL.Test:8443").Form(credentials));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kXena, kWalt) == std::vector<AccountId>{kExternal});
}

TEST_CASE("the Host header name is case-insensitive", "[rest][domain]") {
  RestWorld r = MakeRestWorld();
  const std::string credentials =
      FormBody({{"observee[unique_id]", kXenaLogin}, {"observee[password]", kXenaPassword}});
  const rest::Response response =
      r.Send(Post(Api("self", "observees")).As(kWalt).NoHost().Header("host", "external.test").Form(credentials));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kXena, kWalt) == std::vector<AccountId>{kExternal});
}

TEST_CASE("the domain decides where a token-added link is made", "[rest][domain][E3][rule27]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(
      Post(Api("self", "observees")).As(kWalt).Host("external.test").Form(FormBody({{"access_token", kBoToken}})));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
}

TEST_CASE("the domain decides whether pairing codes may be made", "[rest][domain][E8][rule22]") {
  RestWorld r = MakeRestWorld();
  // External does not allow self-registration, so no codes there (rule 22b); Default does.
  const rest::Response external = r.Send(Post(Api("self", "observer_pairing_codes")).As(kBo).Host("external.test"));
  CHECK(StatusOf(external) == 403);
  CHECK(external.body == kUnauthorizedBody);
  const rest::Response def = r.Send(Post(Api("self", "observer_pairing_codes")).As(kBo).Host("canvas.test"));
  CHECK(StatusOf(def) == 200);
}

TEST_CASE("an unknown or missing Host means the lowest root account id by default", "[rest][domain]") {
  RestWorld r = MakeRestWorld();
  const std::string xena = FormBody({{"observee[unique_id]", kXenaLogin}, {"observee[password]", kXenaPassword}});
  const std::string bo = FormBody({{"observee[unique_id]", kBoLogin}, {"observee[password]", kBoPassword}});
  SECTION("unknown host") {
    CHECK(r.Send(Post(Api("self", "observees")).As(kWalt).Host("elsewhere.test").Form(xena)).body ==
          kUnknownObserveeBody);
    REQUIRE(StatusOf(r.Send(Post(Api("self", "observees")).As(kWalt).Host("elsewhere.test").Form(bo))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
  }
  SECTION("no Host header") {
    CHECK(r.Send(Post(Api("self", "observees")).As(kWalt).NoHost().Form(xena)).body == kUnknownObserveeBody);
    REQUIRE(StatusOf(r.Send(Post(Api("self", "observees")).As(kWalt).NoHost().Form(bo))) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
  }
  SECTION("a host that is a sub-domain of a known one is unknown") {
    CHECK(r.Send(Post(Api("self", "observees")).As(kWalt).Host("x.external.test").Form(xena)).body ==
          kUnknownObserveeBody);
  }
}

TEST_CASE("RouterOptions.default_root_account is the domain of an unknown Host", "[rest][domain][options]") {
  RestWorldOptions options;
  options.router.default_root_account = kExternal;
  RestWorld r = MakeRestWorld(options);
  const std::string xena = FormBody({{"observee[unique_id]", kXenaLogin}, {"observee[password]", kXenaPassword}});
  SECTION("unknown host") {
    REQUIRE(StatusOf(r.Send(Post(Api("self", "observees")).As(kWalt).Host("elsewhere.test").Form(xena))) == 200);
    CHECK(r.w.ActiveLinkRoots(kXena, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("no Host header") {
    REQUIRE(StatusOf(r.Send(Post(Api("self", "observees")).As(kWalt).NoHost().Form(xena))) == 200);
    CHECK(r.w.ActiveLinkRoots(kXena, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("a known host still wins") {
    CHECK(r.Send(Post(Api("self", "observees")).As(kWalt).Host("canvas.test").Form(xena)).body == kUnknownObserveeBody);
    CHECK(r.w.LinksBetween(kXena, kWalt).empty());
  }
}

TEST_CASE("self-registration happens in the domain root account", "[rest][domain][D8]") {
  RestWorld r = MakeRestWorld();
  const std::string form = FormBody({{"user[name]", "Fran Fresh"},
                                     {"pseudonym[unique_id]", "fran"},
                                     {"pseudonym[password]", "pw-fran-new-secret"},
                                     {"pairing_code[code]", kXenaCode}});
  // External does not allow self-registration: 403 {}.
  const rest::Response external = r.Send(Post("/users").Host("external.test").Form(form));
  CHECK(StatusOf(external) == 403);
  CHECK(external.body == "{}");
  Result<std::optional<UserId>> login = r.w.backend.authenticator->FindLogin(kExternal, "fran");
  REQUIRE(login.ok());
  CHECK_FALSE(login->has_value());
  CHECK(r.w.ActiveCode(kXenaCode).has_value());
}

}  // namespace
}  // namespace observees::testing
