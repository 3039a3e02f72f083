// A client written for Canvas (canvasapi-style: base URL http://canvas.test, Authorization: Bearer,
// per_page=100 on the first list call then the Link header's next URL, every write as a form body,
// DELETE too) works unchanged against the router, and every error it can meet is a JSON body.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

namespace json = boost::json;

constexpr char kApiBase[] = "http://canvas.test/api/v1/";

TEST_CASE("a canvasapi-style client pages through 205 observees by following next", "[rest][canvasapi][pagination]") {
  RestWorldOptions options;
  options.fixture_json = BigFixture(205);
  RestWorld r = MakeRestWorld(options);

  std::vector<UserId> seen;
  std::string target = "/api/v1/users/self/observees?include%5B%5D=avatar_url&per_page=100";
  std::vector<std::size_t> page_sizes;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 10);
    const rest::Response response = r.Send(Get(target).Bearer(kBigObserverToken));
    REQUIRE(StatusOf(response) == 200);
    const json::value body = BodyJson(response);
    REQUIRE(body.is_array());
    page_sizes.push_back(body.as_array().size());
    for (const json::value& user : body.as_array()) {
      const json::object& object = user.as_object();
      seen.push_back(object.at("id").to_number<UserId>());
      // include[] survived into the followed URLs.
      REQUIRE(object.contains("avatar_url"));
      CHECK(std::string(object.at("avatar_url").as_string()).starts_with("http://canvas.test/images/kid"));
    }
    const std::optional<std::string> next = LinkUrl(response, "next");
    if (!next) {
      CHECK(LinkUrl(response, "last") == LinkUrl(response, "current"));
      break;
    }
    INFO("next: " << *next);
    REQUIRE(next->starts_with(kApiBase));
    CHECK(QueryInt(*next, "per_page") == 100);
    // canvasapi strips the base URL and requests the rest as is.
    target = "/api/v1/" + next->substr(std::string_view(kApiBase).size());
  }
  CHECK(page_sizes == std::vector<std::size_t>{100, 100, 5});
  REQUIRE(seen.size() == 205);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == static_cast<UserId>(1000 + i));
}

TEST_CASE("a canvasapi-style client's last link names the last page", "[rest][canvasapi][pagination]") {
  RestWorldOptions options;
  options.fixture_json = BigFixture(205);
  RestWorld r = MakeRestWorld(options);
  const rest::Response first = r.Send(Get("/api/v1/users/self/observees?per_page=100").Bearer(kBigObserverToken));
  REQUIRE(StatusOf(first) == 200);
  CHECK(LinkUrl(first, "last") ==
        std::optional<std::string>("http://canvas.test/api/v1/users/self/observees?page=3&per_page=100"));
  const rest::Response last = r.Send(Get(TargetOf(*LinkUrl(first, "last"))).Bearer(kBigObserverToken));
  REQUIRE(StatusOf(last) == 200);
  CHECK(IdsIn(last).size() == 5);
  CHECK_FALSE(LinkUrl(last, "next").has_value());
  CHECK(LinkUrl(last, "prev") ==
        std::optional<std::string>("http://canvas.test/api/v1/users/self/observees?page=2&per_page=100"));
}

TEST_CASE("a canvasapi-style client pairs, lists, shows, adds and removes with form bodies", "[rest][canvasapi]") {
  RestWorld r = MakeRestWorld();

  // The student makes a code (a POST with an empty form body).
  const rest::Response code_response =
      r.Send(Post("/api/v1/users/self/observer_pairing_codes").Bearer(kChildToken).Form(""));
  REQUIRE(StatusOf(code_response) == 200);
  const std::string code(BodyJson(code_response).as_object().at("code").as_string());

  // The observer redeems it.
  const rest::Response added =
      r.Send(Post("/api/v1/users/self/observees").Bearer(kQuinnToken).Form(FormBody({{"pairing_code", code}})));
  REQUIRE(StatusOf(added) == 200);
  CHECK(BodyJson(added).as_object().at("id") == json::value(kChild));

  // Lists and shows.
  const rest::Response observees = r.Send(Get("/api/v1/users/self/observees?per_page=100").Bearer(kQuinnToken));
  REQUIRE(StatusOf(observees) == 200);
  CHECK(IdsIn(observees) == std::vector<UserId>{kChild});
  CHECK_FALSE(LinkUrl(observees, "next").has_value());
  CHECK(StatusOf(r.Send(Get("/api/v1/users/self/observees/11").Bearer(kQuinnToken))) == 200);
  const rest::Response observers = r.Send(Get("/api/v1/users/self/observers?per_page=100").Bearer(kChildToken));
  REQUIRE(StatusOf(observers) == 200);
  CHECK(IdsIn(observers) == std::vector<UserId>{kPat, kQuinn});
  CHECK(StatusOf(r.Send(Get("/api/v1/users/self/observers/16").Bearer(kChildToken))) == 200);

  // An admin adds by id (PUT with a form body).
  const rest::Response put = r.Send(Put("/api/v1/users/16/observees/12").As(kAda).Form("root_account_id=1"));
  REQUIRE(StatusOf(put) == 200);
  CHECK(BodyJson(put).as_object().at("id") == json::value(kAnother));

  // The observer removes both (DELETE with form bodies).
  const rest::Response removed = r.Send(Delete("/api/v1/users/self/observees/11").Bearer(kQuinnToken).Form(""));
  REQUIRE(StatusOf(removed) == 200);
  CHECK(BodyJson(removed).as_object().at("observation_link_root_account_ids") == json::array{});
  const rest::Response removed_other =
      r.Send(Delete("/api/v1/users/self/observees/12").Bearer(kQuinnToken).Form("root_account_id=all"));
  REQUIRE(StatusOf(removed_other) == 200);
  const rest::Response empty = r.Send(Get("/api/v1/users/self/observees?per_page=100").Bearer(kQuinnToken));
  REQUIRE(StatusOf(empty) == 200);
  CHECK(empty.body == "[]");
  CHECK(r.w.ActiveLinkRoots(kChild, kQuinn).empty());
  CHECK(r.w.ActiveLinkRoots(kAnother, kQuinn).empty());
}

TEST_CASE("every error a canvasapi-style client meets is a JSON body", "[rest][canvasapi]") {
  RestWorld r = MakeRestWorld();
  struct Expected {
    rest::Request request;
    int status;
    bool www_authenticate = false;
  };
  const std::vector<Expected> cases = {
      {Get("/api/v1/users/10/observees"), 401, true},                               // no credentials
      {Get("/api/v1/users/self/observees").Bearer("tok-wrong-secret"), 401, true},  // bad token
      {Post("/api/v1/users/self/observees")
           .Bearer(kQuinnToken)
           .Form(FormBody({{"observee[unique_id]", kChildLogin}, {"observee[password]", "pw-wrong-secret"}})),
       401},                                                                                        // bad password
      {Post("/api/v1/users/self/observees").Bearer(kQuinnToken).Form(""), 400},                     // no input
      {Get("/api/v1/users/self/observees?page=0").Bearer(kQuinnToken), 400},                        // bad page
      {Put("/api/v1/users/16/observees/11").Bearer(kQuinnToken).Form(""), 403},                     // not an admin
      {Delete("/api/v1/users/self/observees/11").Bearer(kQuinnToken).Form(""), 404},                // no link
      {Get("/api/v1/users/self/observees/").Bearer(kQuinnToken), 404},                              // no such route
      {Post("/api/v1/users/self/observees").Bearer(kQuinnToken).Form("pairing_code=Used99"), 422},  // used code
      {Post("/api/v1/users/self/observees").Bearer(kQuinnToken).Form("access_token=nope"), 422},  // bad observee token
  };
  for (const Expected& c : cases) {
    INFO(c.request.method << " " << c.request.target);
    const rest::Response response = r.Send(c.request);
    CHECK(StatusOf(response) == c.status);
    std::error_code ec;
    const json::value body = json::parse(response.body, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(body.is_object());
    CHECK(body.as_object().contains("errors"));
    CHECK(response.Find("Content-Type") == std::optional<std::string>(kJsonContentType));
    CHECK(response.Find("WWW-Authenticate").has_value() == c.www_authenticate);
    CheckNoSecretsIn(response, {"tok-wrong-secret", "pw-wrong-secret"});
  }
}

}  // namespace
}  // namespace observees::testing
