// D6: the attempt limiter. Failed code redemptions and failed credential checks count per acting user
// and (credentials) per target login, within a sliding window; time moves through the FakeClock only.
#include <catch2/catch.hpp>
#include <chrono>

#include "support/world.h"

namespace observees::testing {
namespace {

ServiceOptions Limiter(int max_failures, std::chrono::seconds window, bool enabled = true) {
  ServiceOptions options;
  options.limiter.enabled = enabled;
  options.limiter.max_failures = max_failures;
  options.limiter.window = window;
  return options;
}

constexpr std::chrono::seconds kMinute(60);

TEST_CASE("past the limit of failed codes even a correct code is refused until the window passes", "[D6]") {
  World w = MakeWorld(kStandardFixture, Limiter(3, kMinute));
  for (const char* bad : {"Bad001", "Bad002", "Bad003"}) {
    Result<LinkedUser> refused = w.RedeemCode(kQuinn, bad);
    CHECK(OutcomeOf(refused) == StatusCode::kInvalidCode);
  }
  Result<LinkedUser> limited = w.RedeemCode(kQuinn, kActiveCode);
  CHECK(OutcomeOf(limited) == StatusCode::kTooManyAttempts);
  CheckNoSecrets(limited);
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
  CHECK(w.ActiveCode(kActiveCode).has_value());

  SECTION("another acting user is not limited") {
    CHECK(OutcomeOf(w.RedeemCode(kWalt, kActiveCode)) == StatusCode::kOk);
  }
  SECTION("the same user after the window") {
    w.clock->Advance(kMinute + std::chrono::seconds(1));
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  }
}

TEST_CASE("failed password checks are counted per target login, whatever its case", "[D6]") {
  World w = MakeWorld(kStandardFixture, Limiter(3, kMinute));
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, "child", "pw-wrong-1-secret")) == StatusCode::kInvalidCredentials);
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, "Child", "pw-wrong-2-secret")) == StatusCode::kInvalidCredentials);
  CHECK(OutcomeOf(w.AddWithCredentials(kWalt, "CHILD", "pw-wrong-3-secret")) == StatusCode::kInvalidCredentials);

  // Mona has failed nothing herself, but the login "child" has reached the limit.
  Result<LinkedUser> limited = w.AddWithCredentials(kMona, kChildLogin, kChildPassword);
  CHECK(OutcomeOf(limited) == StatusCode::kTooManyAttempts);
  CheckNoSecrets(limited, {"pw-wrong-1-secret", "pw-wrong-2-secret", "pw-wrong-3-secret"});
  CHECK(w.LinksBetween(kChild, kMona).empty());

  // Other logins are not affected.
  CHECK(OutcomeOf(w.AddWithCredentials(kMona, kAnotherLogin, kAnotherPassword)) == StatusCode::kOk);

  w.clock->Advance(kMinute + std::chrono::seconds(1));
  CHECK(OutcomeOf(w.AddWithCredentials(kMona, kChildLogin, kChildPassword)) == StatusCode::kOk);
  CHECK(w.ActiveLinkRoots(kChild, kMona) == std::vector<AccountId>{kDefault});
}

TEST_CASE("failed password checks are counted per acting user", "[D6]") {
  World w = MakeWorld(kStandardFixture, Limiter(3, kMinute));
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kChildLogin, "pw-wrong-secret")) == StatusCode::kInvalidCredentials);
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kAnotherLogin, "pw-wrong-secret")) == StatusCode::kInvalidCredentials);
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kBoLogin, "pw-wrong-secret")) == StatusCode::kInvalidCredentials);

  // Each login failed once only; Quinn failed three times.
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kBoLogin, kBoPassword)) == StatusCode::kTooManyAttempts);
  CHECK(w.LinksBetween(kBo, kQuinn).empty());
  CHECK(OutcomeOf(w.AddWithCredentials(kWalt, kBoLogin, kBoPassword)) == StatusCode::kOk);

  w.clock->Advance(kMinute + std::chrono::seconds(1));
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kBoLogin, kBoPassword)) == StatusCode::kOk);
}

TEST_CASE("successful attempts do not count as failures", "[D6]") {
  World w = MakeWorld(kStandardFixture, Limiter(2, kMinute));
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, "Bad001")) == StatusCode::kInvalidCode);
  for (int i = 0; i < 3; ++i) {
    INFO("success " << i);
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, w.NewCode(kChild))) == StatusCode::kOk);
  }
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kAnotherLogin, kAnotherPassword)) == StatusCode::kOk);
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kAnotherLogin, kAnotherPassword)) == StatusCode::kOk);
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kAnotherLogin, kAnotherPassword)) == StatusCode::kOk);
  // One failure so far: one more is allowed, then the limit is reached.
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, "Bad002")) == StatusCode::kInvalidCode);
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, w.NewCode(kChild))) == StatusCode::kTooManyAttempts);
}

TEST_CASE("a right secret in a request refused afterwards does not count as a failure", "[D6]") {
  // The password and the code are right, so each attempt is withdrawn; the requests still fail, on rule 3.
  World w = MakeWorld(kStandardFixture, Limiter(2, kMinute));
  for (int i = 0; i < 3; ++i) {
    INFO("refusal " << i);
    CHECK(OutcomeOf(w.AddWithCredentials(kChild, kChildLogin, kChildPassword)) == StatusCode::kSelfObservation);
    CHECK(OutcomeOf(w.RedeemCode(kChild, kActiveCode)) == StatusCode::kSelfObservation);
  }
  CHECK(OutcomeOf(w.RedeemCode(kChild, "Bad001")) == StatusCode::kInvalidCode);
  CHECK(OutcomeOf(w.RedeemCode(kChild, "Bad002")) == StatusCode::kInvalidCode);
  CHECK(OutcomeOf(w.RedeemCode(kChild, "Bad003")) == StatusCode::kTooManyAttempts);
}

TEST_CASE("the window slides: only failures within it count", "[D6]") {
  World w = MakeWorld(kStandardFixture, Limiter(2, kMinute));
  const std::string code = w.NewCode(kChild);
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, "Bad001")) == StatusCode::kInvalidCode);  // t = 0
  w.clock->Advance(std::chrono::seconds(30));
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, "Bad002")) == StatusCode::kInvalidCode);  // t = 30
  w.clock->Advance(std::chrono::seconds(1));
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kTooManyAttempts);  // t = 31: two in the window
  w.clock->Advance(std::chrono::seconds(30));
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kOk);  // t = 61: the first has left the window
}

TEST_CASE("a disabled limiter never refuses", "[D6][options]") {
  World w = MakeWorld(kStandardFixture, Limiter(1, kMinute, /*enabled=*/false));
  for (const char* bad : {"Bad001", "Bad002", "Bad003"}) {
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, bad)) == StatusCode::kInvalidCode);
  }
  for (int i = 0; i < 3; ++i) {
    CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kChildLogin, "pw-wrong-secret")) == StatusCode::kInvalidCredentials);
  }
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kAnotherLogin, kAnotherPassword)) == StatusCode::kOk);
}

TEST_CASE("the default limit is 10 failures", "[D6][options]") {
  World w = MakeWorld();
  for (int i = 0; i < 10; ++i) {
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, "Bad00" + std::to_string(i))) == StatusCode::kInvalidCode);
  }
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kTooManyAttempts);
  w.clock->Advance(std::chrono::minutes(15) + std::chrono::seconds(1));
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
}

TEST_CASE("anonymous self-registration failures are limited by the client key", "[D6][D8]") {
  World w = MakeWorld(kStandardFixture, Limiter(2, kMinute));
  Caller anonymous = w.Anonymous();
  anonymous.client_key = "198.51.100.7";
  SelfRegistrationRequest request;
  request.name = "Fran Fresh";
  request.unique_id = "fran";
  request.password = "pw-fran-new-secret";
  for (const char* bad : {"Bad001", "Bad002"}) {
    request.pairing_code = bad;
    CHECK(OutcomeOf(w.service->RegisterObserver(anonymous, request)) == StatusCode::kInvalidCode);
  }
  request.pairing_code = kActiveCode;
  Result<LinkedUser> limited = w.service->RegisterObserver(anonymous, request);
  CHECK(OutcomeOf(limited) == StatusCode::kTooManyAttempts);
  CheckNoSecrets(limited, {"pw-fran-new-secret"});
  Result<std::optional<UserId>> login = w.backend.authenticator->FindLogin(kDefault, "fran");
  REQUIRE(login.ok());
  CHECK_FALSE(login->has_value());
  CHECK(w.ActiveCode(kActiveCode).has_value());

  Caller other = w.Anonymous();
  other.client_key = "198.51.100.8";
  CHECK(OutcomeOf(w.service->RegisterObserver(other, request)) == StatusCode::kOk);
}

}  // namespace
}  // namespace observees::testing
