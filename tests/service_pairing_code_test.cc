// E8 and the pairing-code lifecycle (rules 14-24; D1, D7): creation, who may create, expiry through the
// FakeClock, single use, collisions through a scripted RandomSource, and codes never stored in clear.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <latch>
#include <thread>

#include "support/world.h"

namespace observees::testing {
namespace {

constexpr std::chrono::seconds kSevenDays = std::chrono::hours(24 * 7);

bool AllAlphanumeric(const std::string& code) {
  return std::all_of(code.begin(), code.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

TEST_CASE("a student creates a pairing code for themselves", "[E8][rule17][rule24][3.2]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  Result<PairingCode> code = w.service->CreatePairingCode(w.As(kChild), kChild);
  REQUIRE(OutcomeOf(code) == StatusCode::kOk);
  CHECK(code->user_id == kChild);
  CHECK(code->code.size() == 6);
  CHECK(AllAlphanumeric(code->code));
  CHECK(code->expires_at == StartTime() + kSevenDays);
  CHECK(code->workflow_state == "active");

  const std::optional<PairingCodeRecord> record = w.ActiveCode(code->code);
  REQUIRE(record.has_value());
  CHECK(record->user_id == kChild);
  CHECK(record->expires_at == StartTime() + kSevenDays);
  CHECK_FALSE(record->deleted);

  const std::vector<AuditEntry> created = OfAction(w.AuditAfter(mark), AuditAction::kCodeCreated);
  REQUIRE(created.size() == 1);
  CHECK(created[0].student_id == kChild);
  CHECK(created[0].code_id == std::optional<CodeId>(record->id));
  CHECK(created[0].actor == std::optional<UserId>(kChild));
}

TEST_CASE("a code made by an admin is the student's", "[E8][rule24]") {
  World w = MakeWorld();
  Result<PairingCode> code = w.service->CreatePairingCode(w.As(kAda), kChild);
  REQUIRE(OutcomeOf(code) == StatusCode::kOk);
  CHECK(code->user_id == kChild);
  Result<LinkedUser> redeemed = w.RedeemCode(kQuinn, code->code);
  REQUIRE(OutcomeOf(redeemed) == StatusCode::kOk);
  CHECK(redeemed->user.id == kChild);
}

TEST_CASE("a student may hold several active codes at once", "[E8][rule17][Q6]") {
  World w = MakeWorld();
  const std::string first = w.NewCode(kChild);
  const std::string second = w.NewCode(kChild);
  CHECK(first != second);
  CHECK(w.ActiveCode(first).has_value());
  CHECK(w.ActiveCode(second).has_value());
  CHECK(w.ActiveCode(kActiveCode).has_value());  // a new code does not revoke older ones

  CHECK(OutcomeOf(w.RedeemCode(kQuinn, first)) == StatusCode::kOk);
  CHECK(OutcomeOf(w.RedeemCode(kWalt, second)) == StatusCode::kOk);
  CHECK(OutcomeOf(w.RedeemCode(kMona, kActiveCode)) == StatusCode::kOk);
  CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  CHECK(w.ActiveLinkRoots(kChild, kWalt) == std::vector<AccountId>{kDefault});
  CHECK(w.ActiveLinkRoots(kChild, kMona) == std::vector<AccountId>{kDefault});
}

TEST_CASE("who may create a pairing code for a student", "[E8][rule23]") {
  World w = MakeWorld();
  SECTION("an AccountAdmin of the root account") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kAda), kChild)) == StatusCode::kOk);
  }
  SECTION("an AccountAdmin without manage_user_observers keeps generate_observer_pairing_code") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kNico), kChild)) == StatusCode::kOk);
  }
  SECTION("a sub-account admin, for a student in a course under their account") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kSandra), kChild)) == StatusCode::kOk);
  }
  SECTION("a sub-account admin, for a student in another sub-account: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kSandra), kAnother)) == StatusCode::kPermissionDenied);
  }
  SECTION("a teacher where a role override enables it, for a student of their course") {
    Result<PairingCode> code = w.service->CreatePairingCode(w.As(kTina), kAnother);
    REQUIRE(OutcomeOf(code) == StatusCode::kOk);
    CHECK(code->user_id == kAnother);
  }
  SECTION("that teacher, for a student outside their course: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kTina), kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("a teacher without an override: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kTerry), kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin of another root account only: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kEzra), kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("custom roles without generate_observer_pairing_code: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kHal), kChild)) == StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kCora), kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("the student's observer: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kPat), kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("another student: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kBo), kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("anonymous: 401") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.Anonymous(), kChild)) == StatusCode::kUnauthenticated);
  }
  SECTION("an unknown user: 404") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kAda), kUnknownUser)) == StatusCode::kNotFound);
  }
}

TEST_CASE("course permissions count in unpublished courses but not in deleted ones", "[E8][rule23]") {
  World w = MakeWorld();
  // Una's only course is unpublished, under Sandra's sub-account.
  Result<PairingCode> una = w.service->CreatePairingCode(w.As(kSandra), kUna);
  REQUIRE(OutcomeOf(una) == StatusCode::kOk);
  CHECK(una->user_id == kUna);
  // Dora's course under Sandra's sub-account is deleted; her other course is in Arts.
  CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kSandra), kDora)) == StatusCode::kPermissionDenied);
  CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kAda), kDora)) == StatusCode::kOk);
}

TEST_CASE("a code needs a student enrollment that is not rejected, inactive or deleted", "[E8][rule22]") {
  World w = MakeWorld();
  SECTION("only an inactive enrollment: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kIan), kIan)) == StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kAda), kIan)) == StatusCode::kPermissionDenied);
  }
  SECTION("only a rejected enrollment: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kRita), kRita)) == StatusCode::kPermissionDenied);
  }
  SECTION("no student enrollment at all: 403") {
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kPat), kPat)) == StatusCode::kPermissionDenied);
  }
  SECTION("a completed enrollment counts") {
    Result<PairingCode> code = w.service->CreatePairingCode(w.As(kCarl), kCarl);
    REQUIRE(OutcomeOf(code) == StatusCode::kOk);
    CHECK(code->user_id == kCarl);
  }
}

TEST_CASE("a code needs self-registration enabled on the domain root account", "[E8][rule22]") {
  SECTION("External does not allow it") {
    World w = MakeWorld();
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kChild, kExternal), kChild)) == StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kBo, kExternal), kBo)) == StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kBo, kDefault), kBo)) == StatusCode::kOk);
  }
  SECTION("Default set to none") {
    World w = MakeWorld(StandardFixtureWithSelfRegistration("none"));
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kChild), kChild)) == StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kAda), kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("Default set to all") {
    World w = MakeWorld(StandardFixtureWithSelfRegistration("all"));
    CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kChild), kChild)) == StatusCode::kOk);
  }
}

TEST_CASE("a code is active until, and not at, its expiry", "[rule15][rule17]") {
  World w = MakeWorld();
  SECTION("one second before") {
    const std::string code = w.NewCode(kChild);
    w.clock->Advance(kSevenDays - std::chrono::seconds(1));
    CHECK(w.ActiveCode(code).has_value());
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  }
  SECTION("exactly at expires_at") {
    const std::string code = w.NewCode(kChild);
    w.clock->Advance(kSevenDays);
    CHECK_FALSE(w.ActiveCode(code).has_value());
    Result<LinkedUser> refused = w.RedeemCode(kQuinn, code);
    CHECK(OutcomeOf(refused) == StatusCode::kInvalidCode);
    CheckNoSecrets(refused, {code});
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
  SECTION("a fixture code past its expiry") {
    CHECK_FALSE(w.ActiveCode(kExpiredCode).has_value());
    w.clock->Set(At("2026-06-01T00:00:00Z"));
    CHECK_FALSE(w.ActiveCode(kActiveCode).has_value());
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kInvalidCode);
  }
}

TEST_CASE("a code is single use", "[rule19][rule16]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kOk);
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kInvalidCode);
  CHECK(OutcomeOf(w.RedeemCode(kWalt, code)) == StatusCode::kInvalidCode);
  CHECK(w.LinksBetween(kChild, kWalt).empty());
}

TEST_CASE("a refused redemption leaves the code active", "[D1][Q1]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  SECTION("an admin without manage_user_observers") {
    CHECK(OutcomeOf(w.service->AddObservee(w.As(kNico), kQuinn, CodeRequest(code))) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin with no right where the student is") {
    CHECK(OutcomeOf(
              w.service->AddObservee(w.As(kEzra, kExternal), kOlivia, CodeRequest(code, RootAccountScope::All()))) ==
          StatusCode::kPermissionDenied);
    CHECK(w.LinksBetween(kChild, kOlivia).empty());
  }
  SECTION("the student redeeming their own code") {
    CHECK(OutcomeOf(w.RedeemCode(kChild, code)) == StatusCode::kSelfObservation);
  }
  SECTION("an observer who shares no root account with the student") {
    CHECK(OutcomeOf(w.RedeemCode(kYuri, code, kExternal)) == StatusCode::kUnknownObservee);
    CHECK(w.LinksBetween(kChild, kYuri).empty());
  }
  SECTION("a root account outside the shared ones") {
    CHECK(OutcomeOf(w.RedeemCode(kWalt, code, kDefault, RootAccountScope::Account(kExternal))) ==
          StatusCode::kUnknownObservee);
    CHECK(w.LinksBetween(kChild, kWalt).empty());
  }
  SECTION("an unknown root account") {
    CHECK(OutcomeOf(w.RedeemCode(kWalt, code, kDefault, RootAccountScope::Account(kUnknownAccount))) ==
          StatusCode::kNotFound);
  }
  CHECK(w.ActiveCode(code).has_value());
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kOk);
  CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
}

TEST_CASE("redeeming a code for an existing link succeeds and uses the code", "[D1][rule43]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const std::vector<Link> before = w.LinksBetween(kChild, kPat);
  REQUIRE(before.size() == 1);
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> redeemed = w.RedeemCode(kPat, code);
  REQUIRE(OutcomeOf(redeemed) == StatusCode::kOk);
  CHECK(redeemed->user.id == kChild);
  const std::vector<Link> after = w.LinksBetween(kChild, kPat);
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == before[0].id);
  CHECK_FALSE(w.ActiveCode(code).has_value());
  const std::vector<AuditEntry> audit = w.AuditAfter(mark);
  CHECK(OfAction(audit, AuditAction::kCodeRedeemed).size() == 1);
  CHECK(OfAction(audit, AuditAction::kCreated).empty());
}

TEST_CASE("exactly one concurrent redemption of a code succeeds", "[D1]") {
  TempDir dir;
  WorldOptions options;
  options.db_path = (dir.path() / "observees.db").string();
  World w = MakeWorld(options);
  const std::string code = w.NewCode(kChild);

  const std::vector<UserId> observers = {kQuinn, kWalt, kMona, kGina, kCole, kCarl};
  std::vector<Outcome> outcomes(observers.size());
  std::latch start(static_cast<std::ptrdiff_t>(observers.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < observers.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      outcomes[i] = OutcomeOf(w.RedeemCode(observers[i], code));
    });
  }
  for (std::thread& t : threads) t.join();

  int succeeded = 0;
  int linked = 0;
  for (std::size_t i = 0; i < observers.size(); ++i) {
    INFO("observer " << observers[i] << ": " << Catch::StringMaker<Outcome>::convert(outcomes[i]));
    if (outcomes[i] == StatusCode::kOk) {
      ++succeeded;
    } else {
      CHECK((outcomes[i] == StatusCode::kInvalidCode || outcomes[i] == StatusCode::kAborted));
    }
    if (!w.ActiveLinkRoots(kChild, observers[i]).empty()) ++linked;
  }
  CHECK(succeeded == 1);
  CHECK(linked == 1);
  CHECK_FALSE(w.ActiveCode(code).has_value());
}

TEST_CASE("pairing code options set the length, alphabet and lifetime", "[D7][E8]") {
  ServiceOptions options;
  options.pairing_codes.length = 8;
  options.pairing_codes.alphabet = "0123456789";
  options.pairing_codes.lifetime = std::chrono::hours(1);
  World w = MakeWorld(kStandardFixture, options);
  Result<PairingCode> code = w.service->CreatePairingCode(w.As(kChild), kChild);
  REQUIRE(OutcomeOf(code) == StatusCode::kOk);
  CHECK(code->code.size() == 8);
  CHECK(std::all_of(code->code.begin(), code->code.end(), [](char c) { return c >= '0' && c <= '9'; }));
  CHECK(code->expires_at == StartTime() + std::chrono::hours(1));
  w.clock->Advance(std::chrono::hours(1));
  CHECK_FALSE(w.ActiveCode(code->code).has_value());
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, code->code)) == StatusCode::kInvalidCode);
}

TEST_CASE("codes of the maximum length draw only from the configured alphabet", "[D7][E8]") {
  ServiceOptions options;
  options.pairing_codes.length = 10;
  options.pairing_codes.alphabet = "ACEGIKMOQS";
  options.pairing_codes.max_active_per_student = 100;  // 20 codes and the fixture's own
  World w = MakeWorld(kStandardFixture, options);
  for (int i = 0; i < 20; ++i) {
    const std::string code = w.NewCode(kChild);
    CHECK(code.size() == 10);
    CHECK(code.find_first_not_of("ACEGIKMOQS") == std::string::npos);
  }
}

TEST_CASE("a generated code equal to an active code is drawn again", "[rule17][E8]") {
  auto random = std::make_shared<ScriptedRandom>();
  WorldOptions options;
  options.random = random;
  World w = MakeWorld(options);
  random->TakeLog();
  const std::string first = w.NewCode(kChild);
  const std::vector<std::uint8_t> bytes = random->TakeLog();
  REQUIRE_FALSE(bytes.empty());

  random->Push(bytes);  // the next candidate repeats the active code
  const std::string second = w.NewCode(kChild);
  CHECK(random->scripted_remaining() == 0);  // the generator did draw the repeated bytes
  CHECK(second != first);
  CHECK(w.ActiveCode(first).has_value());
  CHECK(w.ActiveCode(second).has_value());
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, first)) == StatusCode::kOk);
  CHECK(OutcomeOf(w.RedeemCode(kWalt, second)) == StatusCode::kOk);
}

TEST_CASE("an expired or used code's string may be generated again", "[rule17][Q7]") {
  auto random = std::make_shared<ScriptedRandom>();
  WorldOptions options;
  options.random = random;
  World w = MakeWorld(options);
  random->TakeLog();
  const std::string first = w.NewCode(kChild);
  const std::vector<std::uint8_t> bytes = random->TakeLog();
  REQUIRE_FALSE(bytes.empty());

  SECTION("expired") {
    w.clock->Advance(kSevenDays);
    REQUIRE_FALSE(w.ActiveCode(first).has_value());
    random->Push(bytes);
    const std::string again = w.NewCode(kChild);
    CHECK(again == first);
    CHECK(OutcomeOf(w.RedeemCode(kQuinn, again)) == StatusCode::kOk);
  }
  SECTION("used") {
    REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, first)) == StatusCode::kOk);
    random->Push(bytes);
    const std::string again = w.NewCode(kChild);
    CHECK(again == first);
    const std::optional<PairingCodeRecord> record = w.ActiveCode(again);
    REQUIRE(record.has_value());
    CHECK_FALSE(record->deleted);
    CHECK(OutcomeOf(w.RedeemCode(kWalt, again)) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kChild, kWalt) == std::vector<AccountId>{kDefault});
  }
}

TEST_CASE("codes, passwords and tokens are never stored in clear", "[D7]") {
  TempDir dir;
  std::vector<std::string> secrets = StandardSecrets();
  {
    WorldOptions options;
    options.db_path = (dir.path() / "observees.db").string();
    World w = MakeWorld(options);
    secrets.push_back(w.NewCode(kChild));
    const std::string used_code = w.NewCode(kChild);
    secrets.push_back(used_code);
    REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, used_code)) == StatusCode::kOk);
    REQUIRE(OutcomeOf(w.AddWithToken(kWalt, kBoToken)) == StatusCode::kOk);
    REQUIRE(OutcomeOf(w.AddWithCredentials(kMona, kChildLogin, kChildPassword)) == StatusCode::kOk);
    CHECK(OutcomeOf(w.AddWithCredentials(kCole, kChildLogin, "pw-wrong-guess-secret")) ==
          StatusCode::kInvalidCredentials);
    secrets.push_back("pw-wrong-guess-secret");
    CHECK(OutcomeOf(w.RedeemCode(kCole, "Guess7")) == StatusCode::kInvalidCode);
    secrets.push_back("Guess7");

    SelfRegistrationRequest request;
    request.name = "Fran Fresh";
    request.unique_id = "fran";
    request.password = "pw-fran-new-secret";
    request.pairing_code = w.NewCode(kChild);
    secrets.push_back(request.password);
    secrets.push_back(*request.pairing_code);
    REQUIRE(OutcomeOf(w.service->RegisterObserver(w.Anonymous(), request)) == StatusCode::kOk);
  }  // closes the database, so everything is in the files
  const std::string bytes = dir.AllBytes();
  REQUIRE_FALSE(bytes.empty());
  CHECK(bytes.find("Child Smith") != std::string::npos);  // the scan does see the data
  CHECK(bytes.find("Fran Fresh") != std::string::npos);
  for (const std::string& secret : secrets) {
    INFO("secret: " << secret);
    CHECK(bytes.find(secret) == std::string::npos);
  }
}

}  // namespace
}  // namespace observees::testing
