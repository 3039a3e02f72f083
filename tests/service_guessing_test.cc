// Guessing at scale (D6): the anonymous budget per root account that no number of addresses
// multiplies, signed-in callers counted by user whatever their address, login budgets spent only by
// attempts that checked the password, access-token guesses (request and bearer) limited, and the
// ceilings on active codes and on the size of what callers send.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "support/world.h"

namespace observees::testing {
namespace {

constexpr std::chrono::seconds kMinute(60);

ServiceOptions Limits(int max_failures, int anonymous_max_failures, std::chrono::seconds anonymous_window) {
  ServiceOptions options;
  options.limiter.max_failures = max_failures;
  options.limiter.window = kMinute;
  options.limiter.anonymous_max_failures = anonymous_max_failures;
  options.limiter.anonymous_window = anonymous_window;
  return options;
}

SelfRegistrationRequest Registration(std::string unique_id, std::string code) {
  SelfRegistrationRequest request;
  request.name = "Fran Fresh";
  request.unique_id = std::move(unique_id);
  request.password = "pw-fran-new-secret";
  request.pairing_code = std::move(code);
  return request;
}

Caller AnonymousFrom(const World& w, int address, AccountId domain = kDefault) {
  Caller caller = w.Anonymous(domain);
  caller.client_key = "2001:db8:" + std::to_string(address) + "::/64";
  return caller;
}

TEST_CASE("the anonymous budget of a root account holds whatever the number of addresses", "[D6][limits]") {
  WorldOptions options;
  options.service = Limits(10, 5, std::chrono::hours(1));
  std::vector<std::string> warnings;
  options.warn = [&](const std::string& line) { warnings.push_back(line); };
  World w = MakeWorld(options);
  // Five addresses, one failure each: none of them is near its own limit of 10.
  for (int address = 0; address < 5; ++address) {
    CHECK(OutcomeOf(w.service->RegisterObserver(AnonymousFrom(w, address),
                                                Registration("fran", "Bad00" + std::to_string(address)))) ==
          StatusCode::kInvalidCode);
  }
  CHECK(warnings.empty());

  // A sixth address, with the right code: the domain's budget is spent.
  Result<LinkedUser> refused = w.service->RegisterObserver(AnonymousFrom(w, 99), Registration("fran", kActiveCode));
  CHECK(OutcomeOf(refused) == StatusCode::kTooManyAttempts);
  CheckNoSecrets(refused, {"pw-fran-new-secret"});
  CHECK(w.ActiveCode(kActiveCode).has_value());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("anonymous-root:1") != std::string::npos);
  CHECK(warnings[0].find(kActiveCode) == std::string::npos);

  // One warning per window, however many refusals follow.
  CHECK(OutcomeOf(w.service->RegisterObserver(AnonymousFrom(w, 100), Registration("fran", kActiveCode))) ==
        StatusCode::kTooManyAttempts);
  CHECK(warnings.size() == 1);

  SECTION("signed-in observers keep redeeming under their own budgets") {
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
  }
  SECTION("another root account's anonymous budget is its own") {
    // Root 2 does not allow self-registration, so its refusal is that, not the limiter's.
    CHECK(OutcomeOf(w.service->RegisterObserver(AnonymousFrom(w, 101, kExternal), Registration("fran", kXenaCode))) ==
          StatusCode::kPermissionDenied);
  }
  SECTION("the budget comes back when failures leave its window") {
    w.clock->Advance(std::chrono::hours(1));
    CHECK(OutcomeOf(w.service->RegisterObserver(AnonymousFrom(w, 99), Registration("fran", kActiveCode))) ==
          StatusCode::kOk);
  }
}

TEST_CASE("a signed-in caller's budget is counted by user, whatever address it comes from", "[D6][limits]") {
  World w = MakeWorld(kStandardFixture, Limits(3, 1000, std::chrono::hours(1)));
  for (int i = 0; i < 3; ++i) {
    Caller quinn = w.As(kQuinn);
    quinn.client_key = "203.0.113." + std::to_string(i);
    CHECK(OutcomeOf(w.service->AddObservee(quinn, kQuinn, CodeRequest("Bad00" + std::to_string(i)))) ==
          StatusCode::kInvalidCode);
  }
  Caller quinn = w.As(kQuinn);
  quinn.client_key = "203.0.113.200";
  CHECK(OutcomeOf(w.service->AddObservee(quinn, kQuinn, CodeRequest(kActiveCode))) == StatusCode::kTooManyAttempts);
}

TEST_CASE("attempts that never check a password do not spend the login's budget", "[D6][limits]") {
  World w = MakeWorld(kStandardFixture, Limits(3, 1000, std::chrono::hours(1)));
  // Yuri shares no root account with Child: every attempt is unknown before any password check.
  for (int i = 0; i < 5; ++i) {
    INFO("attempt " << i);
    const auto outcome = OutcomeOf(w.AddWithCredentials(kYuri, kChildLogin, "pw-wrong-secret"));
    CHECK((outcome == StatusCode::kUnknownObservee || outcome == StatusCode::kTooManyAttempts));
  }
  // Child's login is not locked for observers who could link.
  CHECK(OutcomeOf(w.AddWithCredentials(kQuinn, kChildLogin, kChildPassword)) == StatusCode::kOk);

  SECTION("wrong passwords of someone sharing a root account still do") {
    for (int i = 0; i < 3; ++i) {
      CHECK(OutcomeOf(w.AddWithCredentials(kWalt, kAnotherLogin, "pw-wrong-secret")) ==
            StatusCode::kInvalidCredentials);
    }
    CHECK(OutcomeOf(w.AddWithCredentials(kMona, kAnotherLogin, kAnotherPassword)) == StatusCode::kTooManyAttempts);
  }
}

TEST_CASE("access tokens offered to link a student are limited like codes", "[D6][limits]") {
  World w = MakeWorld(kStandardFixture, Limits(3, 1000, std::chrono::hours(1)));
  for (int i = 0; i < 3; ++i) {
    CHECK(OutcomeOf(w.AddWithToken(kQuinn, "tok-guess-" + std::to_string(i))) == StatusCode::kUnknownObservee);
  }
  Result<LinkedUser> limited = w.AddWithToken(kQuinn, kChildToken);
  CHECK(OutcomeOf(limited) == StatusCode::kTooManyAttempts);
  CheckNoSecrets(limited);
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
  SECTION("a right token withdraws its attempt") {
    World fresh = MakeWorld(kStandardFixture, Limits(1, 1000, std::chrono::hours(1)));
    CHECK(OutcomeOf(fresh.AddWithToken(kQuinn, kChildToken)) == StatusCode::kOk);
    CHECK(OutcomeOf(fresh.AddWithToken(kQuinn, kBoToken)) == StatusCode::kOk);
  }
}

TEST_CASE("failed bearer tokens are limited per client", "[D6][limits]") {
  ServiceOptions options = Limits(10, 1000, std::chrono::hours(1));
  options.limiter.token_max_failures = 3;
  World w = MakeWorld(kStandardFixture, options);
  for (int i = 0; i < 3; ++i) {
    auto unknown = w.service->UserForAccessToken("tok-guess-" + std::to_string(i), "198.51.100.7");
    REQUIRE(unknown.ok());
    CHECK_FALSE(unknown->has_value());
  }
  // Past the limit even a valid token is refused from that client...
  CHECK(OutcomeOf(w.service->UserForAccessToken(kPatToken, "198.51.100.7")) == StatusCode::kTooManyAttempts);
  // ...but not from another one.
  auto other = w.service->UserForAccessToken(kPatToken, "198.51.100.8");
  REQUIRE(other.ok());
  CHECK(*other == std::optional<UserId>(kPat));
  // A token longer than any stored one is a failure without a lookup.
  CHECK(OutcomeOf(w.service->UserForAccessToken(std::string(5000, 't'), "198.51.100.9")) == StatusCode::kOk);

  w.clock->Advance(kMinute);
  auto later = w.service->UserForAccessToken(kPatToken, "198.51.100.7");
  REQUIRE(later.ok());
  CHECK(*later == std::optional<UserId>(kPat));

  SECTION("a disabled limiter counts nothing") {
    ServiceOptions off = options;
    off.limiter.enabled = false;
    World open = MakeWorld(kStandardFixture, off);
    for (int i = 0; i < 5; ++i) (void)open.service->UserForAccessToken("tok-guess", "198.51.100.7");
    CHECK(OutcomeOf(open.service->UserForAccessToken(kPatToken, "198.51.100.7")) == StatusCode::kOk);
  }
}

TEST_CASE("a student holds at most max_active_per_student active codes", "[limits][rule20]") {
  ServiceOptions options;
  options.pairing_codes.max_active_per_student = 3;
  World w = MakeWorld(kStandardFixture, options);
  // Child already holds one active fixture code ("Activ1").
  (void)w.NewCode(kChild);
  (void)w.NewCode(kChild);
  Result<PairingCode> refused = w.service->CreatePairingCode(w.As(kChild), kChild);
  CHECK(OutcomeOf(refused) == StatusCode::kTooManyAttempts);
  CHECK(refused.status().message().find("active pairing codes") != std::string::npos);

  SECTION("revoking one makes room") {
    REQUIRE(w.service->RevokeAllPairingCodes(w.As(kChild), kChild).ok());
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kChild), kChild)) == StatusCode::kOk);
  }
  SECTION("expired codes do not count") {
    w.clock->Advance(std::chrono::hours(24 * 365));
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kChild), kChild)) == StatusCode::kOk);
  }
  SECTION("out of range is refused at Create") {
    ServiceOptions bad;
    bad.pairing_codes.max_active_per_student = 0;
    World world = MakeWorld();
    auto service = ObservationService::Create(world.backend.Dependencies(world.clock), bad);
    CHECK(OutcomeOf(service) == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("self-registration refuses oversized fields and creates nothing", "[limits][D8]") {
  World w = MakeWorld();
  struct Case {
    const char* field;
    void (*grow)(SelfRegistrationRequest&);
  };
  const Case cases[] = {
      {"user[name]", [](SelfRegistrationRequest& r) { r.name = std::string(256, 'n'); }},
      {"user[sortable_name]", [](SelfRegistrationRequest& r) { r.sortable_name = std::string(256, 's'); }},
      {"user[short_name]", [](SelfRegistrationRequest& r) { r.short_name = std::string(256, 'h'); }},
      {"pseudonym[unique_id]", [](SelfRegistrationRequest& r) { r.unique_id = std::string(101, 'u'); }},
      {"pseudonym[password]", [](SelfRegistrationRequest& r) { r.password = std::string(50 * 1024 * 1024, 'p'); }},
  };
  for (const Case& c : cases) {
    INFO(c.field);
    SelfRegistrationRequest request = Registration("fran", kActiveCode);
    c.grow(request);
    Result<LinkedUser> refused = w.service->RegisterObserver(w.Anonymous(), request);
    CHECK(OutcomeOf(refused) == StatusCode::kInvalidArgument);
    CHECK(refused.status().field() == c.field);
    CHECK(refused.status().message().size() < 200);
  }
  CHECK(w.ActiveCode(kActiveCode).has_value());
  auto login = w.backend.authenticator->FindLogin(kDefault, "fran");
  REQUIRE(login.ok());
  CHECK_FALSE(login->has_value());
  // At the limits exactly, it registers.
  SelfRegistrationRequest largest = Registration(std::string(100, 'u'), kActiveCode);
  largest.name = std::string(255, 'n');
  largest.password = std::string(255, 'p');
  CHECK(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), largest)) == StatusCode::kOk);
}

}  // namespace
}  // namespace observees::testing
