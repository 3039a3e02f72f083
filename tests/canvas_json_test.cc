// Canvas's JSON shapes and error bodies (docs/rules.md section 3, rules 31, 35, 41, 59-61; D4, D6)
// through canvas_json.h, compared as exact strings where key order matters.
#include "observees/canvas_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "support/world.h"

namespace observees::testing {
namespace {

namespace json = boost::json;

LinkedUser ChildSmith() {
  LinkedUser linked;
  linked.user.id = 11;
  linked.user.name = "Child Smith";
  linked.user.sortable_name = "Smith, Child";
  linked.user.short_name = "Child";
  linked.user.created_at = At("2012-05-30T17:45:25Z");
  linked.observation_link_root_account_ids = {1, 2};
  return linked;
}

std::string Body(const CanvasError& error) { return json::serialize(error.body); }

TEST_CASE("the User object has Canvas's keys in Canvas's order", "[3.1][rule41]") {
  const LinkedUser child = ChildSmith();
  CHECK(json::serialize(UserJson(child)) ==
        R"({"id":11,"name":"Child Smith","created_at":"2012-05-30T17:45:25Z","sortable_name":"Smith, Child",)"
        R"("short_name":"Child","observation_link_root_account_ids":[1,2]})");
}

TEST_CASE("observation_link_root_account_ids is always present, even when empty", "[3.1][rule41][rule42]") {
  LinkedUser child = ChildSmith();
  child.observation_link_root_account_ids.clear();
  const json::object object = UserJson(child);
  REQUIRE(object.contains("observation_link_root_account_ids"));
  CHECK(object.at("observation_link_root_account_ids") == json::array{});
  CHECK(json::serialize(object).find(R"("observation_link_root_account_ids":[])") != std::string::npos);
}

TEST_CASE("pronouns and avatar_url come before the link ids, when present", "[3.1][rule35]") {
  LinkedUser child = ChildSmith();
  child.user.pronouns = "she/her";
  child.user.avatar_url = "/images/x.png";
  child.include_avatar_url = true;
  CHECK(json::serialize(UserJson(child, "http://canvas.test")) ==
        R"({"id":11,"name":"Child Smith","created_at":"2012-05-30T17:45:25Z","sortable_name":"Smith, Child",)"
        R"("short_name":"Child","pronouns":"she/her","avatar_url":"http://canvas.test/images/x.png",)"
        R"("observation_link_root_account_ids":[1,2]})");
}

TEST_CASE("avatar_url appears only when asked for", "[3.1][rule35]") {
  LinkedUser child = ChildSmith();
  child.user.avatar_url = "/images/x.png";
  child.include_avatar_url = false;
  const json::object object = UserJson(child, "http://canvas.test");
  CHECK_FALSE(object.contains("avatar_url"));
  CHECK(object.size() == 6);
}

TEST_CASE("a relative avatar path is made absolute with the base url", "[3.1][rule35]") {
  LinkedUser child = ChildSmith();
  child.user.avatar_url = "/images/x.png";
  child.include_avatar_url = true;
  const json::object object = UserJson(child, "http://canvas.test");
  REQUIRE(object.contains("avatar_url"));
  CHECK(object.at("avatar_url") == json::value("http://canvas.test/images/x.png"));

  child.user.avatar_url = "https://cdn.example.com/a.png";
  const json::object absolute = UserJson(child, "http://canvas.test");
  REQUIRE(absolute.contains("avatar_url"));
  CHECK(absolute.at("avatar_url") == json::value("https://cdn.example.com/a.png"));
}

TEST_CASE("a list of users is an array of User objects in order", "[3.1][E1]") {
  LinkedUser first = ChildSmith();
  LinkedUser second = ChildSmith();
  second.user.id = 12;
  second.user.name = "Another Smith";
  const json::array array = UsersJson({first, second});
  REQUIRE(array.size() == 2);
  CHECK(array[0] == json::value(UserJson(first)));
  CHECK(array[1] == json::value(UserJson(second)));
  CHECK(UsersJson({}).empty());
}

TEST_CASE("the PairingCode object has exactly its four keys", "[3.2]") {
  PairingCode code;
  code.user_id = 2;
  code.code = "abc123";
  code.expires_at = At("2012-05-30T17:45:25Z");
  code.workflow_state = "active";
  const json::object object = PairingCodeJson(code);
  CHECK(object.size() == 4);
  CHECK(json::value(object) ==
        json::parse(R"({"user_id":2,"code":"abc123","expires_at":"2012-05-30T17:45:25Z","workflow_state":"active"})"));
  CHECK(json::serialize(object) ==
        R"({"user_id":2,"code":"abc123","expires_at":"2012-05-30T17:45:25Z","workflow_state":"active"})");
}

TEST_CASE("not found is 404 with Canvas's body", "[3.3][rule59]") {
  const CanvasError error = ErrorFor(NotFound("user 12 does not exist"));
  CHECK(error.http_status == 404);
  CHECK(Body(error) == R"({"errors":[{"message":"The specified resource does not exist."}]})");
  CHECK_FALSE(error.www_authenticate);
}

TEST_CASE("a known caller who may not act is 403 unauthorized", "[3.3][rule60]") {
  const CanvasError error = ErrorFor(PermissionDenied("no"));
  CHECK(error.http_status == 403);
  CHECK(Body(error) ==
        R"({"status":"unauthorized","errors":[{"message":"user not authorized to perform that action"}]})");
  CHECK_FALSE(error.www_authenticate);
}

TEST_CASE("an anonymous caller is 401 unauthenticated with WWW-Authenticate", "[3.3][rule31][rule60]") {
  const CanvasError error = ErrorFor(Unauthenticated("log in"));
  CHECK(error.http_status == 401);
  CHECK(Body(error) == R"({"status":"unauthenticated","errors":[{"message":"user authorization required"}]})");
  CHECK(error.www_authenticate);
}

TEST_CASE("an unknown observee is 422", "[3.3][rule43]") {
  const CanvasError error = ErrorFor(Status(StatusCode::kUnknownObservee, "no such login"));
  CHECK(error.http_status == 422);
  CHECK(Body(error) == R"({"errors":[{"message":"Unknown observee."}]})");
  CHECK_FALSE(error.www_authenticate);
}

TEST_CASE("an invalid pairing code is 422", "[3.3][rule43]") {
  const CanvasError error = ErrorFor(Status(StatusCode::kInvalidCode, "bad code"));
  CHECK(error.http_status == 422);
  CHECK(Body(error) == R"({"errors":[{"message":"Invalid pairing code."}]})");
}

TEST_CASE("invalid credentials are 401 without a status key or WWW-Authenticate", "[3.3][rule43][D5]") {
  const CanvasError error = ErrorFor(Status(StatusCode::kInvalidCredentials, "wrong password"));
  CHECK(error.http_status == 401);
  CHECK(Body(error) == R"({"errors":[{"message":"Invalid credentials provided."}]})");
  CHECK_FALSE(error.www_authenticate);
}

TEST_CASE("too many attempts is 429", "[3.3][D6]") {
  const CanvasError error = ErrorFor(Status(StatusCode::kTooManyAttempts, "slow down"));
  CHECK(error.http_status == 429);
  CHECK(Body(error) == R"({"errors":[{"message":"Too many attempts. Try again later."}]})");
}

TEST_CASE("an invalid argument is 400 carrying the status message", "[3.3][D4]") {
  const CanvasError error =
      ErrorFor(InvalidArgument("one of access_token, pairing_code or observee[unique_id] is required"));
  CHECK(error.http_status == 400);
  CHECK(Body(error) ==
        R"({"errors":[{"message":"one of access_token, pairing_code or observee[unique_id] is required"}]})");
}

TEST_CASE("self-observation is 422 with the observer_id error", "[3.3][rule3][rule45][rule61]") {
  const CanvasError error = ErrorFor(Status(StatusCode::kSelfObservation, "same user"));
  CHECK(error.http_status == 422);
  CHECK(error.body ==
        json::parse(R"({"errors":{"observer_id":[{"attribute":"observer_id","type":"Cannot observe yourself",)"
                    R"("message":"Cannot observe yourself"}]}})"));
}

TEST_CASE("an internal error is 500 with Canvas's body", "[3.3][rule61]") {
  const CanvasError error = ErrorFor(Internal("storage failure in x"));
  CHECK(error.http_status == 500);
  CHECK(Body(error) == R"({"errors":[{"message":"An error occurred.","error_code":"internal_server_error"}]})");
}

TEST_CASE("a busy storage is 503 with Canvas's 500 body and a Retry-After", "[3.3][rule61]") {
  const CanvasError error = ErrorFor(Status(StatusCode::kUnavailable, "database is locked"));
  CHECK(error.http_status == 503);
  CHECK(error.retry_after_seconds > 0);
  CHECK(Body(error) == R"({"errors":[{"message":"An error occurred.","error_code":"internal_server_error"}]})");
  CHECK(ErrorFor(Internal("x")).retry_after_seconds == 0);
}

TEST_CASE("error bodies never carry the status message, except for invalid arguments", "[3.3][D7]") {
  for (StatusCode code :
       {StatusCode::kNotFound, StatusCode::kPermissionDenied, StatusCode::kUnauthenticated,
        StatusCode::kUnknownObservee, StatusCode::kInvalidCode, StatusCode::kInvalidCredentials,
        StatusCode::kTooManyAttempts, StatusCode::kSelfObservation, StatusCode::kInternal, StatusCode::kUnavailable}) {
    INFO("code: " << StatusCodeName(code));
    const CanvasError error = ErrorFor(Status(code, "marker-9f3b internal detail"));
    CHECK(Body(error).find("marker-9f3b") == std::string::npos);
  }
}

TEST_CASE("self-registration with a bad code is 400 with errors.pairing_code.code invalid", "[3.3][rule57][D8]") {
  const CanvasError error = SelfRegistrationErrorFor(Status(StatusCode::kInvalidCode, "bad code"));
  CHECK(error.http_status == 400);
  REQUIRE(error.body.is_object());
  const json::object& body = error.body.as_object();
  REQUIRE(body.contains("errors"));
  REQUIRE(body.at("errors").is_object());
  const json::object& errors = body.at("errors").as_object();
  REQUIRE(errors.contains("pairing_code"));
  REQUIRE(errors.at("pairing_code").is_object());
  const json::object& pairing_code = errors.at("pairing_code").as_object();
  REQUIRE(pairing_code.contains("code"));
  CHECK(pairing_code.at("code") == json::parse(R"([{"attribute":"code","type":"invalid","message":"invalid"}])"));
}

TEST_CASE("self-registration not allowed is 403 with an empty body", "[3.3][rule57][D8]") {
  const CanvasError error = SelfRegistrationErrorFor(PermissionDenied("self-registration is off"));
  CHECK(error.http_status == 403);
  CHECK(Body(error) == "{}");
}

TEST_CASE("other self-registration errors are answered as the observee endpoints answer them", "[3.3][D8]") {
  for (const Status& status :
       {NotFound("x"), Unauthenticated("x"), Status(StatusCode::kTooManyAttempts, "x"), Internal("x")}) {
    INFO("code: " << StatusCodeName(status.code()));
    const CanvasError self_registration = SelfRegistrationErrorFor(status);
    const CanvasError generic = ErrorFor(status);
    CHECK(self_registration.http_status == generic.http_status);
    CHECK(self_registration.body == generic.body);
  }
}

TEST_CASE("an invalid user field at self-registration is answered in the sign-up form's shape", "[3.3][D8]") {
  const CanvasError name = SelfRegistrationErrorFor(InvalidArgument("name is required", "user[name]"));
  CHECK(name.http_status == 400);
  CHECK(boost::json::serialize(name.body) ==
        R"({"errors":{"user":{"name":[{"attribute":"name","type":"invalid","message":"name is required"}]},)"
        R"("pseudonym":{},"observee":{},"pairing_code":{},"recaptcha":null}})");
  const CanvasError taken =
      SelfRegistrationErrorFor(Status(StatusCode::kAlreadyExists, "login is already in use", "pseudonym[unique_id]"));
  CHECK(taken.http_status == 400);
  CHECK(boost::json::serialize(taken.body) ==
        R"({"errors":{"user":{},"pseudonym":{"unique_id":[{"attribute":"unique_id","type":"taken",)"
        R"("message":"login is already in use"}]},"observee":{},"pairing_code":{},"recaptcha":null}})");
}

TEST_CASE("the service's outcomes map to the documented HTTP statuses end to end", "[3.3]") {
  World w = MakeWorld();
  CHECK(ErrorFor(w.service->ShowObservee(w.As(kPat), kPat, kBo).status()).http_status == 404);
  CHECK(ErrorFor(w.service->ShowObservee(w.As(kNico), kPat, kChild).status()).http_status == 403);
  CHECK(ErrorFor(w.service->ShowObservee(w.Anonymous(), kPat, kChild).status()).http_status == 401);
  CHECK(ErrorFor(w.AddWithToken(kQuinn, "tok-nope").status()).http_status == 422);
  CHECK(ErrorFor(w.RedeemCode(kQuinn, "Nope12").status()).http_status == 422);
  CHECK(ErrorFor(w.AddWithCredentials(kQuinn, kChildLogin, "pw-nope").status()).http_status == 401);
  CHECK(ErrorFor(w.AddWithToken(kChild, kChildToken).status()).http_status == 422);
  CHECK(ErrorFor(w.service->AddObservee(w.As(kQuinn), kQuinn, AddObserveeRequest{}).status()).http_status == 400);
}

}  // namespace
}  // namespace observees::testing
