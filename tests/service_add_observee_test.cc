// E3: adding an observee with an access token, a pairing code or credentials (rules 3, 7, 27, 30,
// 43-46; D1, D2, D4, D7), through ObservationService only.
#include <catch2/catch.hpp>

#include "support/world.h"

namespace observees::testing {
namespace {

// ---- access token branch ----

TEST_CASE("an observer adds a student with the student's access token", "[E3][rule43]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> added = w.AddWithToken(kQuinn, kChildToken);
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  CHECK(added->user.id == kChild);  // the student, not the observer
  CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});

  const std::vector<Link> links = w.LinksBetween(kChild, kQuinn);
  REQUIRE(links.size() == 1);
  CHECK(links[0].state == LinkState::kActive);
  CHECK(links[0].root_account_id == std::optional<AccountId>(kDefault));
  CHECK(links[0].student_id == kChild);
  CHECK(links[0].observer_id == kQuinn);

  const std::vector<AuditEntry> created = OfAction(w.AuditAfter(mark), AuditAction::kCreated);
  REQUIRE(created.size() == 1);
  CHECK(created[0].method == LinkMethod::kAccessToken);
  CHECK(created[0].actor == std::optional<UserId>(kQuinn));
  CHECK(created[0].student_id == kChild);
  CHECK(created[0].observer_id == std::optional<UserId>(kQuinn));
  CHECK(created[0].root_account_id == std::optional<AccountId>(kDefault));
  CHECK(created[0].link_id == std::optional<LinkId>(links[0].id));
  CHECK_FALSE(created[0].code_id.has_value());
}

TEST_CASE("an unknown, expired, empty or deleted user's access token is an unknown observee", "[E3][rule43]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> added = w.AddWithToken(kQuinn, "tok-does-not-exist");
  CHECK(OutcomeOf(added) == StatusCode::kUnknownObservee);
  CheckNoSecrets(added, {"tok-does-not-exist"});
  CHECK(w.AuditAfter(mark).empty());

  Result<LinkedUser> expired = w.AddWithToken(kQuinn, kChildExpiredToken);
  CHECK(OutcomeOf(expired) == StatusCode::kUnknownObservee);
  CheckNoSecrets(expired);

  Result<LinkedUser> deleted_owner = w.AddWithToken(kQuinn, kDeletedToken);
  CHECK(OutcomeOf(deleted_owner) == StatusCode::kUnknownObservee);
  CHECK(w.LinksBetween(kDeleted, kQuinn).empty());

  Result<LinkedUser> empty = w.AddWithToken(kQuinn, "");
  CHECK(OutcomeOf(empty) == StatusCode::kUnknownObservee);
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
  CHECK(w.AuditAfter(mark).empty());
}

TEST_CASE("a token whose owner shares no root account with the observer is an unknown observee", "[E3][D2][rule44]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> added = w.AddWithToken(kQuinn, kXenaToken);
  CHECK(OutcomeOf(added) == StatusCode::kUnknownObservee);
  CheckNoSecrets(added);
  CHECK(w.LinksBetween(kXena, kQuinn).empty());
  CHECK(w.AuditAfter(mark).empty());
}

TEST_CASE("root_account_id narrows the root accounts a new link is made in", "[E3][rule27][rule43]") {
  World w = MakeWorld();
  SECTION("absent: the domain root account only") {
    Result<LinkedUser> added = w.AddWithToken(kWalt, kBoToken, kDefault);
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
    CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  }
  SECTION("absent, on External's domain: External only") {
    Result<LinkedUser> added = w.AddWithToken(kWalt, kBoToken, kExternal);
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("all: every shared root account") {
    Result<LinkedUser> added = w.AddWithToken(kWalt, kBoToken, kDefault, RootAccountScope::All());
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault, kExternal});
    CHECK(Sorted(added->observation_link_root_account_ids) == std::vector<AccountId>{kDefault, kExternal});
  }
  SECTION("an id: that root account only") {
    Result<LinkedUser> added = w.AddWithToken(kWalt, kBoToken, kDefault, RootAccountScope::Account(kExternal));
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("an unknown id: 404 and nothing linked") {
    Result<LinkedUser> added = w.AddWithToken(kWalt, kBoToken, kDefault, RootAccountScope::Account(kUnknownAccount));
    CHECK(OutcomeOf(added) == StatusCode::kNotFound);
    CHECK(w.LinksBetween(kBo, kWalt).empty());
  }
  SECTION("narrowed to a root account the student is not in: unknown observee") {
    Result<LinkedUser> added = w.AddWithToken(kWalt, kXenaToken, kDefault);
    CHECK(OutcomeOf(added) == StatusCode::kUnknownObservee);
    CHECK(w.LinksBetween(kXena, kWalt).empty());
    Result<LinkedUser> named = w.AddWithToken(kWalt, kXenaToken, kDefault, RootAccountScope::Account(kExternal));
    REQUIRE(OutcomeOf(named) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kXena, kWalt) == std::vector<AccountId>{kExternal});
  }
}

TEST_CASE("adding an existing link again succeeds and changes nothing", "[E3][rule43][rule7]") {
  World w = MakeWorld();
  const std::vector<Link> before = w.LinksBetween(kChild, kPat);
  REQUIRE(before.size() == 1);
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> added = w.AddWithToken(kPat, kChildToken);
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  const std::vector<Link> after = w.LinksBetween(kChild, kPat);
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == before[0].id);
  CHECK(after[0].state == LinkState::kActive);
  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  CHECK(OfAction(audit, AuditAction::kCreated).empty());
  CHECK(OfAction(audit, AuditAction::kRestored).empty());
}

TEST_CASE("a deleted link is restored with its old id", "[E3][rule7]") {
  World w = MakeWorld();
  const std::vector<Link> before = w.LinksBetween(kChild, kGina);
  REQUIRE(before.size() == 1);
  REQUIRE(before[0].state == LinkState::kDeleted);
  const std::int64_t mark = w.LastAuditId();

  Result<LinkedUser> added = w.AddWithToken(kGina, kChildToken);
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  const std::vector<Link> after = w.LinksBetween(kChild, kGina);
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == before[0].id);
  CHECK(after[0].state == LinkState::kActive);

  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  const std::vector<AuditEntry> restored = OfAction(audit, AuditAction::kRestored);
  REQUIRE(restored.size() == 1);
  CHECK(restored[0].link_id == std::optional<LinkId>(before[0].id));
  CHECK(OfAction(audit, AuditAction::kCreated).empty());
}

// ---- pairing code branch ----

TEST_CASE("an observer adds a student with the student's pairing code, which is consumed", "[E3][rule43][rule19]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const std::optional<PairingCodeRecord> record = w.ActiveCode(code);
  REQUIRE(record.has_value());
  const std::int64_t mark = w.LastAuditId();

  Result<LinkedUser> added = w.RedeemCode(kQuinn, code);
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  CHECK(added->user.id == kChild);
  CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});

  CHECK_FALSE(w.ActiveCode(code).has_value());
  Result<std::optional<PairingCodeRecord>> used = w.backend.links->FindCode(record->id);
  REQUIRE(used.ok());
  REQUIRE(used->has_value());
  CHECK((*used)->deleted);
  CHECK((*used)->used_by == std::optional<UserId>(kQuinn));

  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  const std::vector<AuditEntry> redeemed = OfAction(audit, AuditAction::kCodeRedeemed);
  REQUIRE(redeemed.size() == 1);
  CHECK(redeemed[0].code_id == std::optional<CodeId>(record->id));
  CHECK(redeemed[0].student_id == kChild);
  const std::vector<AuditEntry> created = OfAction(audit, AuditAction::kCreated);
  REQUIRE(created.size() == 1);
  CHECK(created[0].method == LinkMethod::kPairingCode);
  CHECK(created[0].observer_id == std::optional<UserId>(kQuinn));

  Result<LinkedUser> again = w.RedeemCode(kWalt, code);
  CHECK(OutcomeOf(again) == StatusCode::kInvalidCode);
  CheckNoSecrets(again, {code});
  CHECK(w.LinksBetween(kChild, kWalt).empty());
}

TEST_CASE("an unknown, expired, used or empty code is an invalid code", "[E3][rule43][rule15]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  for (const std::string& code :
       {std::string("Nope12"), std::string(kExpiredCode), std::string(kUsedCode), std::string("")}) {
    INFO("code: " << code);
    Result<LinkedUser> added = w.RedeemCode(kQuinn, code);
    CHECK(OutcomeOf(added) == StatusCode::kInvalidCode);
    CheckNoSecrets(added, {code});
  }
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
  CHECK(w.AuditAfter(mark).empty());
}

TEST_CASE("pairing codes are matched case-sensitively", "[E3][rule18]") {
  World w = MakeWorld();
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, "activ1")) == StatusCode::kInvalidCode);
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, "ACTIV1")) == StatusCode::kInvalidCode);
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kOk);
  CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
}

TEST_CASE("a code whose student shares no root account is refused and stays active", "[E3][D2][D1]") {
  World w = MakeWorld();
  Result<LinkedUser> refused = w.RedeemCode(kQuinn, kXenaCode);
  CHECK(OutcomeOf(refused) == StatusCode::kUnknownObservee);
  CheckNoSecrets(refused);
  CHECK(w.LinksBetween(kXena, kQuinn).empty());
  CHECK(w.ActiveCode(kXenaCode).has_value());

  Result<LinkedUser> accepted = w.RedeemCode(kWalt, kXenaCode, kExternal);
  REQUIRE(OutcomeOf(accepted) == StatusCode::kOk);
  CHECK(accepted->user.id == kXena);
  CHECK(w.ActiveLinkRoots(kXena, kWalt) == std::vector<AccountId>{kExternal});
}

// ---- credentials branch ----

TEST_CASE("an observer adds a student with the student's login and password", "[E3][rule43]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> added = w.AddWithCredentials(kQuinn, kChildLogin, kChildPassword);
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  CHECK(added->user.id == kChild);
  CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  const std::vector<AuditEntry> created = OfAction(w.AuditAfter(mark), AuditAction::kCreated);
  REQUIRE(created.size() == 1);
  CHECK(created[0].method == LinkMethod::kCredentials);
}

TEST_CASE("the login's unique_id is matched case-insensitively", "[E3][rule43]") {
  World w = MakeWorld();
  Result<LinkedUser> added = w.AddWithCredentials(kQuinn, "CHILD", kChildPassword);
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  CHECK(added->user.id == kChild);
}

TEST_CASE("an unknown login is an unknown observee", "[E3][rule43]") {
  World w = MakeWorld();
  for (const std::string& login : {std::string("nobody"), std::string("")}) {
    Result<LinkedUser> added = w.AddWithCredentials(kQuinn, login, kChildPassword);
    CHECK(OutcomeOf(added) == StatusCode::kUnknownObservee);
    CheckNoSecrets(added);
  }
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
}

TEST_CASE("a wrong password is invalid credentials and links nothing", "[E3][rule43][D5]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  for (const std::string& password : {std::string("wrong-password-x"), std::string(""), std::string(kPatPassword)}) {
    Result<LinkedUser> added = w.AddWithCredentials(kQuinn, kChildLogin, password);
    CHECK(OutcomeOf(added) == StatusCode::kInvalidCredentials);
    CheckNoSecrets(added, {"wrong-password-x"});
  }
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
  CHECK(w.AuditAfter(mark).empty());
}

TEST_CASE("the login must be in the domain root account", "[E3][rule46]") {
  World w = MakeWorld();
  SECTION("a student of another root account only") {
    Result<LinkedUser> added = w.AddWithCredentials(kQuinn, kXenaLogin, kXenaPassword);
    CHECK(OutcomeOf(added) == StatusCode::kUnknownObservee);
    CHECK(w.LinksBetween(kXena, kQuinn).empty());
  }
  SECTION("a shared student whose login is in the other root account") {
    Result<LinkedUser> added = w.AddWithCredentials(kWalt, kBoExtLogin, kBoPassword, kDefault);
    CHECK(OutcomeOf(added) == StatusCode::kUnknownObservee);
    CHECK(w.LinksBetween(kBo, kWalt).empty());
  }
  SECTION("the same login through its own domain") {
    Result<LinkedUser> added = w.AddWithCredentials(kWalt, kBoExtLogin, kBoPassword, kExternal);
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
}

TEST_CASE("a login that shares no root account is unknown before the password is checked", "[E3][rule43][rule46]") {
  World w = MakeWorld();
  // Yuri belongs to External only; the login "child" exists in the domain root account Default.
  Result<LinkedUser> wrong = w.AddWithCredentials(kYuri, kChildLogin, "wrong-password-x", kDefault);
  CHECK(OutcomeOf(wrong) == StatusCode::kUnknownObservee);
  Result<LinkedUser> right = w.AddWithCredentials(kYuri, kChildLogin, kChildPassword, kDefault);
  CHECK(OutcomeOf(right) == StatusCode::kUnknownObservee);
  CheckNoSecrets(right);
  CHECK(w.LinksBetween(kChild, kYuri).empty());
}

// ---- branch selection ----

TEST_CASE("an access token takes precedence over a code, and a code over credentials", "[E3][rule43]") {
  World w = MakeWorld();
  SECTION("an empty token still selects the token branch") {
    AddObserveeRequest request = CodeRequest(kActiveCode);
    request.access_token = "";
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kQuinn), kQuinn, request)) == StatusCode::kUnknownObservee);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
    CHECK(w.ActiveCode(kActiveCode).has_value());
  }
  SECTION("a bad token wins over good credentials") {
    AddObserveeRequest request = CredentialsRequest(kChildLogin, kChildPassword);
    request.access_token = "tok-does-not-exist";
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kQuinn), kQuinn, request)) == StatusCode::kUnknownObservee);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("an empty code still selects the code branch") {
    AddObserveeRequest request = CredentialsRequest(kChildLogin, kChildPassword);
    request.pairing_code = "";
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kQuinn), kQuinn, request)) == StatusCode::kInvalidCode);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("a good token is used and the code is left alone") {
    AddObserveeRequest request = TokenRequest(kChildToken);
    request.pairing_code = kXenaCode;
    Result<LinkedUser> added = w.service->AddObservee(w.As(kWalt), kWalt, request);
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(added->user.id == kChild);
    CHECK(w.LinksBetween(kXena, kWalt).empty());
    CHECK(w.ActiveCode(kXenaCode).has_value());
  }
  SECTION("a good code is used and the credentials are ignored") {
    AddObserveeRequest request = CodeRequest(kActiveCode);
    request.unique_id = kAnotherLogin;
    request.password = kAnotherPassword;
    Result<LinkedUser> added = w.service->AddObservee(w.As(kQuinn), kQuinn, request);
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(added->user.id == kChild);
    CHECK(w.LinksBetween(kAnother, kQuinn).empty());
  }
}

TEST_CASE("a request with no token, code or credentials is an invalid argument naming the inputs", "[E3][D4]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  AddObserveeRequest request;
  Result<LinkedUser> added = w.service->AddObservee(w.As(kQuinn), kQuinn, request);
  REQUIRE(OutcomeOf(added) == StatusCode::kInvalidArgument);
  const std::string& message = added.status().message();
  CHECK(message.find("access_token") != std::string::npos);
  CHECK(message.find("pairing_code") != std::string::npos);
  CHECK((message.find("observee") != std::string::npos || message.find("unique_id") != std::string::npos));

  request.scope = RootAccountScope::All();
  CHECK(OutcomeOf(w.service->AddObservee(w.As(kQuinn), kQuinn, request)) == StatusCode::kInvalidArgument);
  CHECK(w.AuditAfter(mark).empty());
}

// ---- self-observation ----

TEST_CASE("a user cannot observe themselves", "[E3][rule3][rule45]") {
  World w = MakeWorld();
  SECTION("with their own token") {
    CHECK(OutcomeOf(w.AddWithToken(kChild, kChildToken)) == StatusCode::kSelfObservation);
  }
  SECTION("with their own credentials") {
    Result<LinkedUser> added = w.AddWithCredentials(kChild, kChildLogin, kChildPassword);
    CHECK(OutcomeOf(added) == StatusCode::kSelfObservation);
    CheckNoSecrets(added);
  }
  SECTION("with their own code, which stays active") {
    Result<LinkedUser> added = w.RedeemCode(kChild, kActiveCode);
    CHECK(OutcomeOf(added) == StatusCode::kSelfObservation);
    CHECK(w.ActiveCode(kActiveCode).has_value());
  }
  SECTION("an admin adding a student to themselves by token") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kAda), kChild, TokenRequest(kChildToken))) ==
          StatusCode::kSelfObservation);
  }
  CHECK(w.LinksBetween(kChild, kChild).empty());
}

// ---- who may call ----

TEST_CASE("who may add observees for a user", "[E3][rule43][rule30][rule29]") {
  World w = MakeWorld();
  SECTION("an admin with manage_user_observers in the domain root account") {
    const std::int64_t mark = w.LastAuditId();
    Result<LinkedUser> added = w.service->AddObservee(w.As(kAda), kQuinn, TokenRequest(kChildToken));
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
    const std::vector<AuditEntry> created = OfAction(w.AuditAfter(mark), AuditAction::kCreated);
    REQUIRE(created.size() == 1);
    CHECK(created[0].actor == std::optional<UserId>(kAda));
    CHECK(created[0].observer_id == std::optional<UserId>(kQuinn));
  }
  SECTION("an admin whose manage_user_observers is off: 403") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kNico), kQuinn, TokenRequest(kChildToken))) ==
          StatusCode::kPermissionDenied);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("a sub-account admin: 403") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kSandra), kQuinn, TokenRequest(kChildToken))) ==
          StatusCode::kPermissionDenied);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("an admin of another root account, on the observer's domain: 403") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kEzra, kDefault), kQuinn, TokenRequest(kChildToken))) ==
          StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kEzra, kExternal), kQuinn,
                                           TokenRequest(kChildToken, RootAccountScope::All()))) ==
          StatusCode::kPermissionDenied);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("an admin whose domain root account the observer is not in: 404") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kEzra, kExternal), kQuinn, TokenRequest(kChildToken))) ==
          StatusCode::kNotFound);
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kAda, kDefault), kYuri, TokenRequest(kXenaToken))) ==
          StatusCode::kNotFound);
  }
  SECTION("an admin of External for an observer in both roots links in External") {
    Result<LinkedUser> added = w.service->AddObservee(w.As(kEzra, kExternal), kWalt, TokenRequest(kBoToken));
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
    CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kExternal});
  }
  SECTION("an admin of External, in scope all, links only where they hold the permission") {
    Result<LinkedUser> added =
        w.service->AddObservee(w.As(kEzra, kExternal), kWalt, TokenRequest(kBoToken, RootAccountScope::All()));
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("an admin of External, on Default's domain, for an observer in both roots: 403") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kEzra, kDefault), kWalt, TokenRequest(kBoToken))) ==
          StatusCode::kPermissionDenied);
    CHECK(w.LinksBetween(kBo, kWalt).empty());
  }
  SECTION("an admin who passes for the observer but holds no right where the student is: 403") {
    // Olivia is in both roots (Ezra may act in External); Child is in Default only.
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kEzra, kExternal), kOlivia,
                                           TokenRequest(kChildToken, RootAccountScope::All()))) ==
          StatusCode::kPermissionDenied);
    CHECK(w.LinksBetween(kChild, kOlivia).empty());
  }
  SECTION("an observer with no root account at all: 404 for an admin") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kAda), kNell, TokenRequest(kChildToken))) == StatusCode::kNotFound);
  }
  SECTION("another user without rights: 403") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kQuinn), kMona, TokenRequest(kChildToken))) ==
          StatusCode::kPermissionDenied);
    CHECK(w.LinksBetween(kChild, kMona).empty());
  }
  SECTION("anonymous: 401") {
    CHECK(OutcomeOf(w.service->AddObservee(w.Anonymous(), kQuinn, TokenRequest(kChildToken))) ==
          StatusCode::kUnauthenticated);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("an unknown observer: 404") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kAda), kUnknownUser, TokenRequest(kChildToken))) ==
          StatusCode::kNotFound);
  }
  SECTION("a deleted observer: 404") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kAda), kDeleted, TokenRequest(kChildToken))) == StatusCode::kNotFound);
    CHECK(w.LinksBetween(kChild, kDeleted).empty());
  }
}

// ---- secrets ----

TEST_CASE("no failure message repeats a password, token or code", "[E3][D8][D7]") {
  ServiceOptions options;
  options.limiter.max_failures = 3;
  World w = MakeWorld(kStandardFixture, options);
  const std::string code = w.NewCode(kChild);
  std::vector<Status> failures;
  auto keep = [&](const auto& result) {
    CHECK_FALSE(result.ok());
    if (!result.ok()) failures.push_back(result.status());
  };
  keep(w.AddWithToken(kQuinn, "tok-unknown-secret"));
  keep(w.AddWithToken(kQuinn, kXenaToken));
  keep(w.AddWithToken(kChild, kChildToken));
  keep(w.RedeemCode(kQuinn, "Unkn0w"));
  keep(w.RedeemCode(kChild, code));
  keep(w.RedeemCode(kQuinn, kXenaCode));
  keep(w.AddWithCredentials(kWalt, kChildLogin, "pw-wrong-guess-secret"));
  keep(w.AddWithCredentials(kWalt, kXenaLogin, kXenaPassword));
  keep(w.AddWithCredentials(kChild, kChildLogin, kChildPassword));
  keep(w.AddWithCredentials(kYuri, kChildLogin, kChildPassword));
  keep(w.service->AddObservee(w.As(kNico), kQuinn, CodeRequest(code)));
  keep(w.service->AddObservee(w.Anonymous(), kQuinn, CredentialsRequest(kChildLogin, kChildPassword)));
  keep(w.RedeemCode(kQuinn, "Unkn01"));
  keep(w.RedeemCode(kQuinn, "Unkn02"));
  keep(w.RedeemCode(kQuinn, code));  // past the limiter
  keep(w.AddWithCredentials(kMona, kChildLogin, "pw-wrong-again-secret"));
  keep(w.AddWithCredentials(kMona, kChildLogin, "pw-wrong-third-secret"));
  keep(w.AddWithCredentials(kMona, kChildLogin, kChildPassword));  // past the limiter for "child"

  SelfRegistrationRequest request;
  request.name = "Fran Fresh";
  request.unique_id = "fran";
  request.password = "pw-fran-new-secret";
  request.pairing_code = "Unkn0w";
  keep(w.service->RegisterObserver(w.Anonymous(), request));
  request.pairing_code = code;
  keep(w.service->RegisterObserver(w.Anonymous(kExternal), request));
  request.unique_id = kChildLogin;
  keep(w.service->RegisterObserver(w.Anonymous(), request));
  request.unique_id = "fran";
  request.password = "pw-7chr";
  keep(w.service->RegisterObserver(w.Anonymous(), request));

  REQUIRE(failures.size() == 22);
  for (const Status& failure : failures) {
    CheckNoSecrets(failure, {code, "tok-unknown-secret", "Unkn0w", "Unkn01", "Unkn02", "pw-wrong-guess-secret",
                             "pw-wrong-again-secret", "pw-wrong-third-secret", "pw-fran-new-secret", "pw-7chr"});
  }
}

}  // namespace
}  // namespace observees::testing
