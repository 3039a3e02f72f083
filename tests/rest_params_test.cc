// The REST router's parameters: query string, form bodies (for every method), JSON bodies flattened to
// Rails bracket names, body over query, and the 400 / 413 answers for malformed JSON, invalid UTF-8
// and oversized parameters and bodies (never echoing a secret).
#include <catch2/catch.hpp>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

namespace json = boost::json;

rest::Response PostObservees(const RestWorld& r, Req request) { return r.Send(request.As(kQuinn)); }

TEST_CASE("E3 inputs may come from the query string", "[rest][params][E3]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = PostObservees(r, Post(Api("self", "observees") + "?pairing_code=Activ1"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
}

TEST_CASE("form bodies decode percent escapes, '+' and escaped brackets", "[rest][params][E3]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = PostObservees(
      r,
      Post(Api("self", "observees")).Form("observee%5Bunique_id%5D=%63hild&observee[password]=pw%2Dchild-11-secret"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});

  // '+' is a space in a form body.
  const std::string code = r.w.NewCode(kChild);
  const rest::Response registered = r.Send(
      Post("/users").Form("user[name]=Fran+Q.+Fresh&pseudonym[unique_id]=fran&pseudonym[password]=pw-fran-new-secret"
                          "&pairing_code[code]=" +
                          code));
  REQUIRE(StatusOf(registered) == 200);
  CHECK(BodyJson(registered).as_object().at("user").as_object().at("name") == json::value("Fran Q. Fresh"));
}

TEST_CASE("a body without a Content-Type is parsed as a form", "[rest][params]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = PostObservees(r, Post(Api("self", "observees")).RawBody("pairing_code=Activ1"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
}

TEST_CASE("a form Content-Type with a charset is a form", "[rest][params]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      PostObservees(r, Post(Api("self", "observees"))
                           .Header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                           .RawBody("pairing_code=Activ1"));
  REQUIRE(StatusOf(response) == 200);
}

TEST_CASE("body parameters override query parameters", "[rest][params]") {
  RestWorld r = MakeRestWorld();
  SECTION("POST") {
    const rest::Response response =
        PostObservees(r, Post(Api("self", "observees") + "?pairing_code=Nope12").Form("pairing_code=Activ1"));
    REQUIRE(StatusOf(response) == 200);
    CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  }
  SECTION("PUT") {
    const rest::Response response =
        r.Send(Put(Api(kWalt, "observees/13") + "?root_account_id=2").As(kDana).Form("root_account_id=1"));
    REQUIRE(StatusOf(response) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
  }
  SECTION("DELETE") {
    const rest::Response response =
        r.Send(Delete(Api("self", "observees/13") + "?root_account_id=1").As(kOlivia).Form("root_account_id=2"));
    REQUIRE(StatusOf(response) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault});
  }
  SECTION("JSON over query") {
    const rest::Response response =
        r.Send(Put(Api(kWalt, "observees/13") + "?root_account_id=1").As(kDana).Json(R"({"root_account_id":"2"})"));
    REQUIRE(StatusOf(response) == 200);
    CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
}

TEST_CASE("JSON bodies: nested objects are Rails bracket names", "[rest][params][json][E3]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = PostObservees(
      r, Post(Api("self", "observees"))
             .Json(std::string(R"({"observee":{"unique_id":"child","password":")") + kChildPassword + "\"}}"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(BodyJson(response).as_object().at("id") == json::value(kChild));
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
}

TEST_CASE("JSON bodies: a Content-Type with a charset is JSON", "[rest][params][json]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = PostObservees(r, Post(Api("self", "observees"))
                                                       .Header("Content-Type", "application/json; charset=utf-8")
                                                       .RawBody(R"({"pairing_code":"Activ1"})"));
  REQUIRE(StatusOf(response) == 200);
}

TEST_CASE("JSON bodies: arrays are name[] parameters", "[rest][params][json][E1]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees")).As(kPat).Json(R"({"include":["avatar_url"]})"));
  REQUIRE(StatusOf(response) == 200);
  const json::array users = BodyJson(response).as_array();
  REQUIRE(users.size() == 2);
  CHECK(users[1].as_object().at("avatar_url") == json::value("http://canvas.test/images/child.png"));
}

TEST_CASE("JSON bodies: numbers are parameters too", "[rest][params][json][E6]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Put(Api(kWalt, "observees/13")).As(kDana).Json(R"({"root_account_id":2})"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
}

TEST_CASE("JSON bodies for self-registration", "[rest][params][json][users]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Post("/users").Json(R"({"user":{"name":"Fran Fresh","short_name":"Franny"},)"
                                 R"("pseudonym":{"unique_id":"fran","password":"pw-fran-new-secret"},)"
                                 R"("pairing_code":{"code":"Activ1"}})"));
  REQUIRE(StatusOf(response) == 200);
  const json::object user = BodyJson(response).as_object().at("user").as_object();
  CHECK(user.at("name") == json::value("Fran Fresh"));
  CHECK(user.at("short_name") == json::value("Franny"));
  CHECK_FALSE(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("DELETE takes a form body", "[rest][params][E7]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Delete(Api("self", "observees/13")).As(kOlivia).Form("root_account_id=1"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(r.w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kExternal});
}

TEST_CASE("malformed JSON is 400 and never repeats the body", "[rest][params][json]") {
  RestWorld r = MakeRestWorld();
  for (const std::string& body :
       {std::string(R"({"observee":{"unique_id":"child","password":")") + kChildPassword + "\"",
        std::string(R"({"pairing_code":"Activ1",})"), std::string("{"), std::string("{'a':1}"),
        std::string(R"({"a":1}{"b":2})"), std::string("nul"), std::string("{\"a\":\"\xff\xfe\"}"),
        std::string(R"({"a":"\ud800"} trailing)")}) {
    INFO("body: " << body);
    const rest::Response response = PostObservees(r, Post(Api("self", "observees")).Json(body));
    CHECK(StatusOf(response) == 400);
    CHECK_FALSE(ErrorMessage(response).empty());
    CheckNoSecretsIn(response);
  }
  CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("a JSON body that is not an object is 400", "[rest][params][json]") {
  RestWorld r = MakeRestWorld();
  for (const std::string body :
       {"[]", R"(["pairing_code","Activ1"])", R"("pairing_code=Activ1")", "42", "null", "true"}) {
    INFO("body: " << body);
    const rest::Response response = PostObservees(r, Post(Api("self", "observees")).Json(body));
    CHECK(StatusOf(response) == 400);
    CHECK_FALSE(ErrorMessage(response).empty());
    CheckNoSecretsIn(response);
  }
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("invalid UTF-8 in a parameter is 400 and not repeated", "[rest][params][utf8]") {
  RestWorld r = MakeRestWorld();
  SECTION("form body") {
    const rest::Response response = PostObservees(
        r, Post(Api("self", "observees")).Form("observee[unique_id]=child&observee[password]=pw-secret-xyz%FF"));
    CHECK(StatusOf(response) == 400);
    CHECK_FALSE(ErrorMessage(response).empty());
    CheckNoSecretsIn(response, {"pw-secret-xyz"});
  }
  SECTION("raw bytes in a form body") {
    const rest::Response response =
        PostObservees(r, Post(Api("self", "observees")).Form("pairing_code=Act\xc3\x28iv1"));
    CHECK(StatusOf(response) == 400);
    CheckNoSecretsIn(response);
  }
  SECTION("query string") {
    const rest::Response response = r.Send(Get(Api("self", "observees") + "?include[]=%C3%28").As(kPat));
    CHECK(StatusOf(response) == 400);
    CHECK_FALSE(ErrorMessage(response).empty());
  }
  SECTION("a parameter name") {
    const rest::Response response = r.Send(Get(Api("self", "observees") + "?%FF=1").As(kPat));
    CHECK(StatusOf(response) == 400);
  }
  SECTION("an overlong encoding") {
    const rest::Response response = PostObservees(r, Post(Api("self", "observees")).Form("pairing_code=%C0%AFActiv1"));
    CHECK(StatusOf(response) == 400);
  }
  CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
}

TEST_CASE("invalid UTF-8 in the path is 400", "[rest][params][utf8][ids]") {
  RestWorld r = MakeRestWorld();
  for (const std::string& target : {Api("sis_user_id:%FF", "observers"), Api("self", "observees/sis_user_id:%C3%28"),
                                    Api("sis_user_id:\xff", "observers")}) {
    INFO("target: " << target);
    const rest::Response response = r.Send(Get(target).As(kChild));
    CHECK(StatusOf(response) == 400);
    CHECK_FALSE(ErrorMessage(response).empty());
  }
}

TEST_CASE("a parameter longer than max_parameter_bytes is 400 and not repeated", "[rest][params][limits]") {
  RestWorldOptions options;
  options.router.max_parameter_bytes = 32;
  RestWorld r = MakeRestWorld(options);
  const std::string long_password = "pw-long-secret-" + std::string(18, 'x');  // 33 bytes
  REQUIRE(long_password.size() == 33);
  SECTION("a form value") {
    const rest::Response response = PostObservees(
        r, Post(Api("self", "observees"))
               .Form(FormBody({{"observee[unique_id]", kChildLogin}, {"observee[password]", long_password}})));
    CHECK(StatusOf(response) == 400);
    CHECK_FALSE(ErrorMessage(response).empty());
    CheckNoSecretsIn(response, {long_password, "pw-long-secret"});
  }
  SECTION("a JSON value") {
    const rest::Response response =
        PostObservees(r, Post(Api("self", "observees"))
                             .Json(R"({"observee":{"unique_id":"child","password":")" + long_password + "\"}}"));
    CHECK(StatusOf(response) == 400);
    CheckNoSecretsIn(response, {long_password, "pw-long-secret"});
  }
  SECTION("a query value") {
    const rest::Response response =
        r.Send(Get(Api("self", "observees") + "?include[]=" + std::string(33, 'a')).As(kPat));
    CHECK(StatusOf(response) == 400);
  }
  SECTION("exactly the limit is accepted") {
    const std::string at_limit(32, 'y');
    const rest::Response response =
        PostObservees(r, Post(Api("self", "observees"))
                             .Form(FormBody({{"observee[unique_id]", at_limit}, {"observee[password]", "p"}})));
    CHECK(StatusOf(response) == 422);
    CHECK(response.body == kUnknownObserveeBody);
  }
  CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
}

TEST_CASE("the default max_parameter_bytes is 4096", "[rest][params][limits]") {
  RestWorld r = MakeRestWorld();
  const rest::Response at_limit =
      PostObservees(r, Post(Api("self", "observees")).Form("pairing_code=" + std::string(4096, 'c')));
  CHECK(StatusOf(at_limit) == 422);
  CHECK(at_limit.body == kInvalidCodeBody);
  const rest::Response over =
      PostObservees(r, Post(Api("self", "observees")).Form("pairing_code=" + std::string(4097, 'c')));
  CHECK(StatusOf(over) == 400);
}

TEST_CASE("a body larger than max_body_bytes is 413", "[rest][params][limits]") {
  RestWorldOptions options;
  options.router.max_body_bytes = 100;
  RestWorld r = MakeRestWorld(options);
  std::string body = "pairing_code=Activ1&filler=";
  body += std::string(100 - body.size(), 'f');
  REQUIRE(body.size() == 100);
  const rest::Response over = PostObservees(r, Post(Api("self", "observees")).Form(body + "f"));
  CHECK(StatusOf(over) == 413);
  CheckNoSecretsIn(over);
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
  const rest::Response json_over = PostObservees(
      r, Post(Api("self", "observees")).Json(R"({"pairing_code":"Activ1","x":")" + std::string(100, 'j') + "\"}"));
  CHECK(StatusOf(json_over) == 413);
  const rest::Response at_limit = PostObservees(r, Post(Api("self", "observees")).Form(body));
  CHECK(StatusOf(at_limit) == 200);
  CHECK_FALSE(r.w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("the default max_body_bytes is 64 KiB", "[rest][params][limits]") {
  RestWorld r = MakeRestWorld();
  std::string body = "pairing_code=Activ1";
  while (body.size() < 64 * 1024)
    body += "&f=" + std::string(std::min<std::size_t>(1000, 64 * 1024 - body.size()), 'f');
  body.resize(64 * 1024);
  const rest::Response over = PostObservees(r, Post(Api("self", "observees")).Form(body + "f"));
  CHECK(StatusOf(over) == 413);
  const rest::Response at_limit = PostObservees(r, Post(Api("self", "observees")).Form(body));
  CHECK(StatusOf(at_limit) == 200);
}

TEST_CASE("repeated and empty parameters are not server errors", "[rest][params]") {
  RestWorld r = MakeRestWorld();
  CHECK(StatusOf(r.Send(Get(Api("self", "observees") + "?include[]=avatar_url&include[]=avatar_url").As(kPat))) == 200);
  const rest::Response odd = r.Send(Get(Api("self", "observees") + "?x&&=&y=&=z").As(kPat));
  CHECK(odd.status < 500);
  const rest::Response codes =
      PostObservees(r, Post(Api("self", "observees")).Form("pairing_code=Bad001&pairing_code=Bad002"));
  CHECK(StatusOf(codes) == 422);
  CHECK(codes.body == kInvalidCodeBody);
}

}  // namespace
}  // namespace observees::testing
