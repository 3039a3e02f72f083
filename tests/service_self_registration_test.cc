// Observer self-registration with a pairing code (rule 57; D1, D8), through ObservationService only.
#include <catch2/catch.hpp>

#include "support/world.h"

namespace observees::testing {
namespace {

SelfRegistrationRequest Fran(std::optional<std::string> code) {
  SelfRegistrationRequest request;
  request.name = "Fran Fresh";
  request.unique_id = "fran";
  request.password = "pw-fran-new-secret";
  request.pairing_code = std::move(code);
  return request;
}

std::optional<UserId> Login(const World& w, AccountId root, std::string_view unique_id) {
  Result<std::optional<UserId>> found = w.backend.authenticator->FindLogin(root, unique_id);
  REQUIRE(found.ok());
  return found.value();
}

TEST_CASE("an observer registers with a pairing code and is linked to its student", "[D8][rule57]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const std::optional<PairingCodeRecord> record = w.ActiveCode(code);
  REQUIRE(record.has_value());
  const std::int64_t mark = w.LastAuditId();

  Result<LinkedUser> registered = w.service->RegisterObserver(w.Anonymous(), Fran(code));
  REQUIRE(OutcomeOf(registered) == StatusCode::kOk);
  const UserId fran = registered->user.id;
  CHECK(fran > 0);
  CHECK(registered->user.name == "Fran Fresh");
  CHECK(registered->user.sortable_name == "Fresh, Fran");
  CHECK(registered->user.short_name == "Fran Fresh");
  CHECK(registered->user.created_at == StartTime());
  CHECK(registered->observation_link_root_account_ids == std::vector<AccountId>{kDefault});

  // The new user can log in, in the domain root account.
  CHECK(Login(w, kDefault, "fran") == std::optional<UserId>(fran));
  Result<UserId> checked = w.backend.authenticator->CheckPassword(kDefault, "fran", "pw-fran-new-secret");
  REQUIRE(checked.ok());
  CHECK(*checked == fran);

  // Linked to the code's student in the domain root account; the code is used.
  CHECK(w.ActiveLinkRoots(kChild, fran) == std::vector<AccountId>{kDefault});
  Result<UserPage> observees = w.service->ListObservees(w.As(fran), fran, ListOptions{});
  REQUIRE(OutcomeOf(observees) == StatusCode::kOk);
  CHECK(IdsOf(*observees) == std::vector<UserId>{kChild});
  CHECK_FALSE(w.ActiveCode(code).has_value());

  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  const std::vector<AuditEntry> redeemed = OfAction(audit, AuditAction::kCodeRedeemed);
  REQUIRE(redeemed.size() == 1);
  CHECK(redeemed[0].code_id == std::optional<CodeId>(record->id));
  const std::vector<AuditEntry> created = OfAction(audit, AuditAction::kCreated);
  REQUIRE(created.size() == 1);
  CHECK(created[0].method == LinkMethod::kSelfRegistration);
  CHECK(created[0].observer_id == std::optional<UserId>(fran));
  CHECK(created[0].student_id == kChild);
  CHECK(created[0].root_account_id == std::optional<AccountId>(kDefault));
}

TEST_CASE("given sortable and short names are kept", "[D8][rule57]") {
  World w = MakeWorld();
  SelfRegistrationRequest request = Fran(w.NewCode(kChild));
  request.sortable_name = "Fresh, F.";
  request.short_name = "Franny";
  Result<LinkedUser> registered = w.service->RegisterObserver(w.Anonymous(), request);
  REQUIRE(OutcomeOf(registered) == StatusCode::kOk);
  CHECK(registered->user.sortable_name == "Fresh, F.");
  CHECK(registered->user.short_name == "Franny");
}

TEST_CASE("a code can register only one observer", "[D8][rule19]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  REQUIRE(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), Fran(code))) == StatusCode::kOk);
  SelfRegistrationRequest second = Fran(code);
  second.unique_id = "fran2";
  Result<LinkedUser> again = w.service->RegisterObserver(w.Anonymous(), second);
  CHECK(OutcomeOf(again) == StatusCode::kInvalidCode);
  CheckNoSecrets(again, {code, "pw-fran-new-secret"});
  CHECK_FALSE(Login(w, kDefault, "fran2").has_value());
  // And the code cannot be redeemed through E3 either.
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kInvalidCode);
}

TEST_CASE("the domain must allow observer self-registration", "[D8][rule57]") {
  SECTION("External: self_registration none") {
    World w = MakeWorld();
    Result<LinkedUser> refused = w.service->RegisterObserver(w.Anonymous(kExternal), Fran(kXenaCode));
    CHECK(OutcomeOf(refused) == StatusCode::kPermissionDenied);
    CheckNoSecrets(refused, {"pw-fran-new-secret"});
    CHECK_FALSE(Login(w, kExternal, "fran").has_value());
    CHECK(w.ActiveCode(kXenaCode).has_value());
  }
  SECTION("Default set to none") {
    World w = MakeWorld(StandardFixtureWithSelfRegistration("none"));
    CHECK(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), Fran(kActiveCode))) == StatusCode::kPermissionDenied);
    CHECK_FALSE(Login(w, kDefault, "fran").has_value());
    CHECK(w.ActiveCode(kActiveCode).has_value());
  }
  SECTION("Default set to all") {
    World w = MakeWorld(StandardFixtureWithSelfRegistration("all"));
    Result<LinkedUser> registered = w.service->RegisterObserver(w.Anonymous(), Fran(kActiveCode));
    REQUIRE(OutcomeOf(registered) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kChild, registered->user.id) == std::vector<AccountId>{kDefault});
  }
}

TEST_CASE("only observers register this way", "[D8][rule57]") {
  World w = MakeWorld();
  for (const char* type : {"student", "teacher"}) {
    INFO("initial_enrollment_type: " << type);
    SelfRegistrationRequest request = Fran(kActiveCode);
    request.initial_enrollment_type = type;
    Result<LinkedUser> refused = w.service->RegisterObserver(w.Anonymous(), request);
    CHECK_FALSE(refused.ok());
    CHECK((OutcomeOf(refused) == StatusCode::kPermissionDenied || OutcomeOf(refused) == StatusCode::kInvalidArgument));
  }
  CHECK_FALSE(Login(w, kDefault, "fran").has_value());
  CHECK(w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("a missing, unknown, used or expired code creates nothing", "[D8][rule57]") {
  World w = MakeWorld();
  const std::vector<std::optional<std::string>> codes = {std::nullopt, std::string("Nope12"), std::string(kUsedCode),
                                                         std::string(kExpiredCode), std::string("")};
  for (const std::optional<std::string>& code : codes) {
    INFO("code: " << code.value_or("(none)"));
    Result<LinkedUser> refused = w.service->RegisterObserver(w.Anonymous(), Fran(code));
    CHECK(OutcomeOf(refused) == StatusCode::kInvalidCode);
    CheckNoSecrets(refused, {code.value_or(""), "pw-fran-new-secret"});
    CHECK_FALSE(Login(w, kDefault, "fran").has_value());
  }
}

TEST_CASE("a code whose student is not in the domain root account is invalid", "[D8][rule57]") {
  World w = MakeWorld();
  Result<LinkedUser> refused = w.service->RegisterObserver(w.Anonymous(kDefault), Fran(kXenaCode));
  CHECK(OutcomeOf(refused) == StatusCode::kInvalidCode);
  CHECK_FALSE(Login(w, kDefault, "fran").has_value());
  CHECK(w.ActiveCode(kXenaCode).has_value());
  CHECK(OutcomeOf(w.RedeemCode(kWalt, kXenaCode, kExternal)) == StatusCode::kOk);
}

TEST_CASE("a unique_id already taken in the root account already exists", "[D8][rule57]") {
  World w = MakeWorld();
  for (const char* taken : {"child", "CHILD"}) {
    SelfRegistrationRequest request = Fran(kActiveCode);
    request.unique_id = taken;
    Result<LinkedUser> refused = w.service->RegisterObserver(w.Anonymous(), request);
    CHECK(OutcomeOf(refused) == StatusCode::kAlreadyExists);
    CheckNoSecrets(refused, {"pw-fran-new-secret"});
  }
  CHECK(w.ActiveCode(kActiveCode).has_value());
  CHECK(Login(w, kDefault, "child") == std::optional<UserId>(kChild));

  // "xena" is taken in External only: free in Default.
  SelfRegistrationRequest request = Fran(kActiveCode);
  request.unique_id = kXenaLogin;
  Result<LinkedUser> registered = w.service->RegisterObserver(w.Anonymous(), request);
  REQUIRE(OutcomeOf(registered) == StatusCode::kOk);
  CHECK(Login(w, kDefault, kXenaLogin) == std::optional<UserId>(registered->user.id));
  CHECK(Login(w, kExternal, kXenaLogin) == std::optional<UserId>(kXena));
}

TEST_CASE("invalid user fields are invalid arguments and create nothing", "[D8][rule57]") {
  World w = MakeWorld();
  SECTION("an empty name") {
    SelfRegistrationRequest request = Fran(kActiveCode);
    request.name = "";
    CHECK(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), request)) == StatusCode::kInvalidArgument);
  }
  SECTION("an empty unique_id") {
    SelfRegistrationRequest request = Fran(kActiveCode);
    request.unique_id = "";
    CHECK(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), request)) == StatusCode::kInvalidArgument);
  }
  SECTION("a password shorter than 8 characters") {
    SelfRegistrationRequest request = Fran(kActiveCode);
    request.password = "pw-7chr";
    Result<LinkedUser> refused = w.service->RegisterObserver(w.Anonymous(), request);
    CHECK(OutcomeOf(refused) == StatusCode::kInvalidArgument);
    CheckNoSecrets(refused, {"pw-7chr"});
  }
  SECTION("an empty password") {
    SelfRegistrationRequest request = Fran(kActiveCode);
    request.password = "";
    CHECK(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), request)) == StatusCode::kInvalidArgument);
  }
  CHECK_FALSE(Login(w, kDefault, "fran").has_value());
  CHECK(w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("a password of exactly the minimum length is accepted", "[D8][rule57]") {
  World w = MakeWorld();
  SelfRegistrationRequest request = Fran(kActiveCode);
  request.password = "exactly8";
  Result<LinkedUser> registered = w.service->RegisterObserver(w.Anonymous(), request);
  REQUIRE(OutcomeOf(registered) == StatusCode::kOk);
  CHECK(w.backend.authenticator->CheckPassword(kDefault, "fran", "exactly8").ok());
}

TEST_CASE("min_password_length sets the shortest password accepted", "[D8][options]") {
  ServiceOptions options;
  options.min_password_length = 12;
  World w = MakeWorld(kStandardFixture, options);
  SelfRegistrationRequest request = Fran(kActiveCode);
  request.password = "eleven-char";
  REQUIRE(request.password.size() == 11);
  CHECK(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), request)) == StatusCode::kInvalidArgument);
  CHECK_FALSE(Login(w, kDefault, "fran").has_value());
  request.password = "twelve-chars";
  REQUIRE(request.password.size() == 12);
  CHECK(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), request)) == StatusCode::kOk);
  CHECK(Login(w, kDefault, "fran").has_value());
}

}  // namespace
}  // namespace observees::testing
