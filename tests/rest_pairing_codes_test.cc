// The pairing-code lifecycle over REST (issue 9): GET .../observer_pairing_codes with state[],
// DELETE one code and DELETE all, their errors, and Canvas's POST left exactly as it was.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

namespace json = boost::json;

// POSTs a code for `student` as `caller`; returns {code, id}.
std::pair<std::string, CodeId> MakeCode(const RestWorld& r, UserId caller, UserId student) {
  const rest::Response made = r.Send(Post(Api(student, "observer_pairing_codes")).As(caller));
  REQUIRE(StatusOf(made) == 200);
  const std::string code(BodyJson(made).at("code").as_string());
  const std::optional<PairingCodeRecord> record = r.w.ActiveCode(code);
  REQUIRE(record.has_value());
  return {code, record->id};
}

std::string CodesPath(UserId student, std::string_view rest = "") {
  return Api(student, std::string("observer_pairing_codes") + std::string(rest));
}

TEST_CASE("POST observer_pairing_codes still answers Canvas's four-key PairingCode", "[rest][codes][E8][3.2]") {
  RestWorld r = MakeRestWorld();
  const rest::Response made = r.Send(Post(CodesPath(kChild)).As(kChild));
  REQUIRE(StatusOf(made) == 200);
  const json::object body = BodyJson(made).as_object();
  CHECK(body.size() == 4);
  CHECK(body.contains("user_id"));
  CHECK(body.contains("code"));
  CHECK(body.contains("expires_at"));
  CHECK(body.at("workflow_state") == "active");
}

TEST_CASE("GET observer_pairing_codes lists active codes with the detail object", "[rest][codes][list]") {
  RestWorld r = MakeRestWorld();
  const auto [code, id] = MakeCode(r, kChild, kChild);
  const rest::Response listed = r.Send(Get(CodesPath(kChild)).As(kChild));
  REQUIRE(StatusOf(listed) == 200);
  const json::array body = BodyJson(listed).as_array();
  REQUIRE(body.size() == 2);  // with the fixture's "Activ1"
  const json::object& first = body[0].as_object();
  CHECK(first.at("id") == id);
  CHECK(first.at("user_id") == kChild);
  CHECK(first.at("code") == json::value(code));
  CHECK(first.at("state") == "active");
  CHECK(first.at("workflow_state") == "active");
  for (const char* key : {"used_at", "used_by", "link_id", "revoked_at", "revoked_by"}) {
    CAPTURE(key);
    CHECK(first.at(key).is_null());
  }
  CHECK(first.at("created_at").is_string());
  CHECK(first.at("expires_at").is_string());
  CHECK(body[1].at("code") == "******");
  CHECK(listed.Find("Link").has_value());
}

TEST_CASE("GET observer_pairing_codes selects states with state[] and rejects unknown ones", "[rest][codes][list]") {
  RestWorld r = MakeRestWorld();
  const auto [used, used_id] = MakeCode(r, kChild, kChild);
  REQUIRE(OutcomeOf(r.w.RedeemCode(kQuinn, used)) == StatusCode::kOk);
  const rest::Response only_used = r.Send(Get(CodesPath(kChild, "?state[]=used")).As(kChild));
  REQUIRE(StatusOf(only_used) == 200);
  const json::array body = BodyJson(only_used).as_array();
  REQUIRE(body.size() == 2);  // the new one and the fixture's "Used99", newest first
  CHECK(body[0].at("id") == used_id);
  CHECK(body[0].at("state") == "used");
  CHECK(body[0].at("workflow_state") == "deleted");
  CHECK(body[0].at("used_by") == kQuinn);
  CHECK(body[0].at("link_id").is_int64());

  const rest::Response all =
      r.Send(Get(CodesPath(kChild, "?state[]=active&state[]=used&state[]=expired&state[]=revoked")).As(kChild));
  REQUIRE(StatusOf(all) == 200);
  CHECK(BodyJson(all).as_array().size() == 4);

  const rest::Response bad = r.Send(Get(CodesPath(kChild, "?state[]=deleted")).As(kChild));
  CHECK(StatusOf(bad) == 400);
  CheckNoSecretsIn(bad, {used});
}

TEST_CASE("GET observer_pairing_codes paginates with Canvas's Link header", "[rest][codes][pagination]") {
  RestWorld r = MakeRestWorld();
  for (int i = 0; i < 3; ++i) MakeCode(r, kChild, kChild);
  const rest::Response first = r.Send(Get(CodesPath(kChild, "?per_page=2")).As(kChild));
  REQUIRE(StatusOf(first) == 200);
  CHECK(BodyJson(first).as_array().size() == 2);
  const std::optional<std::string> next = LinkUrl(first, "next");
  REQUIRE(next.has_value());
  CHECK(QueryInt(*next, "page") == 2);
  const rest::Response second = r.Send(Get(TargetOf(*next)).As(kChild));
  REQUIRE(StatusOf(second) == 200);
  CHECK(BodyJson(second).as_array().size() == 2);
  CHECK_FALSE(LinkUrl(second, "next").has_value());
}

TEST_CASE("a listing masks the code for a permitted caller who is not an administrator", "[rest][codes][mask]") {
  RestWorld r = MakeRestWorld();
  const auto [code, id] = MakeCode(r, kTina, kAnother);
  const rest::Response teacher = r.Send(Get(CodesPath(kAnother)).As(kTina));
  REQUIRE(StatusOf(teacher) == 200);
  CHECK(BodyJson(teacher).as_array()[0].at("code") == json::value(code.substr(0, 2) + "****"));
  CheckNoSecretsIn(teacher, {code});
  const rest::Response admin = r.Send(Get(CodesPath(kAnother)).As(kAda));
  REQUIRE(StatusOf(admin) == 200);
  CHECK(BodyJson(admin).as_array()[0].at("code") == json::value(code));
}

TEST_CASE("the lifecycle routes refuse as Canvas refuses", "[rest][codes][errors]") {
  RestWorld r = MakeRestWorld();
  const auto [code, id] = MakeCode(r, kChild, kChild);
  const std::string one = CodesPath(kChild, "/" + std::to_string(id));
  for (const rest::Response& response : {r.Send(Get(CodesPath(kChild)).As(kTerry)), r.Send(Delete(one).As(kTerry)),
                                         r.Send(Delete(CodesPath(kChild)).As(kQuinn))}) {
    CHECK(StatusOf(response) == 403);
    CHECK(response.body == kUnauthorizedBody);
  }
  CHECK(r.Send(Get(CodesPath(kChild))).body == kUnauthenticatedBody);
  for (const std::string& target :
       {CodesPath(kChild, "/987654"), CodesPath(kChild, "/abc"), CodesPath(kChild, "/0"),
        CodesPath(kAnother, "/" + std::to_string(id)), CodesPath(kUnknownUser, "/" + std::to_string(id))}) {
    CAPTURE(target);
    const rest::Response response = r.Send(Delete(target).As(kAda));
    CHECK(StatusOf(response) == 404);
    CHECK(response.body == kNotFoundBody);
  }
  CHECK(r.w.ActiveCode(code).has_value());
}

TEST_CASE("DELETE one code answers its detail, whose state says what happened", "[rest][codes][revoke]") {
  RestWorld r = MakeRestWorld();
  const auto [code, id] = MakeCode(r, kChild, kChild);
  const std::string one = CodesPath(kChild, "/" + std::to_string(id));
  const rest::Response revoked = r.Send(Delete(one).As(kChild));
  REQUIRE(StatusOf(revoked) == 200);
  json::object body = BodyJson(revoked).as_object();
  CHECK(body.at("state") == "revoked");
  CHECK(body.at("workflow_state") == "deleted");
  CHECK(body.at("revoked_by") == kChild);
  CHECK(body.at("changed") == true);
  const rest::Response again = r.Send(Delete(one).As(kAda));
  REQUIRE(StatusOf(again) == 200);
  CHECK(BodyJson(again).at("state") == "revoked");
  CHECK(BodyJson(again).at("changed") == false);

  const rest::Response redeem =
      r.Send(Post(Api(kQuinn, "observees")).As(kQuinn).Form(FormBody({{"pairing_code", code}})));
  CHECK(StatusOf(redeem) == 422);
  CHECK(redeem.body == kInvalidCodeBody);
  CheckNoSecretsIn(redeem, {code});

  const auto [used, used_id] = MakeCode(r, kChild, kChild);
  REQUIRE(OutcomeOf(r.w.RedeemCode(kQuinn, used)) == StatusCode::kOk);
  const rest::Response on_used = r.Send(Delete(CodesPath(kChild, "/" + std::to_string(used_id))).As(kChild));
  REQUIRE(StatusOf(on_used) == 200);
  CHECK(BodyJson(on_used).at("state") == "used");
  CHECK(BodyJson(on_used).at("changed") == false);
}

TEST_CASE("DELETE all revokes every active code and counts them", "[rest][codes][revoke-all]") {
  RestWorld r = MakeRestWorld();
  MakeCode(r, kChild, kChild);
  MakeCode(r, kChild, kChild);
  const rest::Response revoked = r.Send(Delete(CodesPath(kChild)).As(kAda));
  REQUIRE(StatusOf(revoked) == 200);
  CHECK(revoked.body == R"({"revoked":3})");
  const rest::Response again = r.Send(Delete(CodesPath(kChild)).As(kChild));
  CHECK(again.body == R"({"revoked":0})");
  CHECK(BodyJson(r.Send(Get(CodesPath(kChild)).As(kChild))).as_array().empty());
}

}  // namespace
}  // namespace observees::testing
