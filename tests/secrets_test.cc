// Secrets: every failure path of the service and of the REST router that is handed a password, an
// access token or a pairing code answers without repeating it (message, field, body, headers), the
// fixture loader's errors repeat none of the fixture's secrets, the audit log holds only ids, and the
// database file (with its WAL) never holds a password, a token or a code in clear. (The server's log
// is checked by tests/e2e/server_test.cc; the C ABI passes these same Status messages through
// obs_last_error.)
#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "observees/fixture.h"
#include "support/rest_client.h"

namespace observees::testing {
namespace {

// Wrong guesses are secrets too: a mistyped password is usually close to the real one.
constexpr char kGuessPassword[] = "pw-guess-password-secret";
constexpr char kGuessToken[] = "tok-guess-token-secret";
constexpr char kGuessCode[] = "Gu3ss7";
constexpr char kNewPassword[] = "pw-brand-new-secret";

void CheckStatus(const Status& status, std::initializer_list<std::string_view> extra = {}) {
  INFO("status: " << status.ToString());
  CHECK_FALSE(status.ok());
  CheckNoSecrets(status, extra);
  for (const std::string_view secret : {std::string_view(kGuessPassword), std::string_view(kGuessToken),
                                        std::string_view(kGuessCode), std::string_view(kNewPassword)}) {
    CHECK(status.message().find(secret) == std::string::npos);
    CHECK(status.field().find(secret) == std::string::npos);
  }
}

SelfRegistrationRequest Registration(std::string unique_id, std::string password, std::optional<std::string> code) {
  SelfRegistrationRequest request;
  request.name = "Fran Fresh";
  request.unique_id = std::move(unique_id);
  request.password = std::move(password);
  request.pairing_code = std::move(code);
  return request;
}

}  // namespace

TEST_CASE("no failure path of the service repeats a password, token or code", "[secrets]") {
  World w = MakeWorld();
  const std::string fresh = w.NewCode(kChild);
  std::vector<Status> failures;
  auto keep = [&](const auto& result) { failures.push_back(ToStatus(result)); };

  keep(w.AddWithCredentials(kQuinn, kChildLogin, kGuessPassword));      // wrong password
  keep(w.AddWithCredentials(kQuinn, "no-such-login", kChildPassword));  // unknown login, real password
  keep(w.AddWithCredentials(kQuinn, kXenaLogin, kXenaPassword));        // no shared root account (D2)
  keep(w.AddWithCredentials(kChild, kChildLogin, kChildPassword));      // self observation
  keep(w.AddWithToken(kQuinn, kGuessToken));                            // unknown token
  keep(w.AddWithToken(kQuinn, kChildExpiredToken));                     // expired token
  keep(w.AddWithToken(kQuinn, kDeletedToken));                          // deleted user's token
  keep(w.AddWithToken(kQuinn, kXenaToken));                             // no shared root account (D2)
  keep(w.AddWithToken(kChild, kChildToken));                            // self observation
  keep(w.RedeemCode(kQuinn, kGuessCode));                               // unknown code
  keep(w.RedeemCode(kQuinn, kExpiredCode));
  keep(w.RedeemCode(kQuinn, kUsedCode));
  keep(w.RedeemCode(kQuinn, kXenaCode));                                           // D2
  keep(w.RedeemCode(kChild, fresh));                                               // self observation
  keep(w.service->AddObservee(w.Anonymous(), kQuinn, TokenRequest(kChildToken)));  // anonymous
  keep(w.service->AddObservee(w.As(kWalt), kQuinn, CodeRequest(fresh)));           // not allowed to act
  keep(w.service->AddObservee(w.As(kQuinn), kUnknownUser, CredentialsRequest(kChildLogin, kChildPassword)));
  keep(w.service->AddObservee(w.As(kQuinn), kQuinn, CredentialsRequest(kChildLogin, "")));
  keep(w.service->AddObservee(w.As(kQuinn), kQuinn, CredentialsRequest("", kChildPassword)));
  keep(w.service->RegisterObserver(w.Anonymous(), Registration("fran", kNewPassword, kGuessCode)));
  keep(w.service->RegisterObserver(w.Anonymous(), Registration("fran", kNewPassword, std::nullopt)));
  keep(w.service->RegisterObserver(w.Anonymous(), Registration("fran", "short", fresh)));
  keep(w.service->RegisterObserver(w.Anonymous(), Registration(kPatLogin, kNewPassword, fresh)));  // taken login
  keep(w.service->RegisterObserver(w.Anonymous(), Registration("", kNewPassword, fresh)));
  keep(w.service->RegisterObserver(w.Anonymous(kExternal),
                                   Registration("fran2", kNewPassword, kXenaCode)));  // no self-registration
  // Past the attempt limit.
  for (int i = 0; i < 12; ++i) keep(w.RedeemCode(kWalt, kGuessCode));
  keep(w.RedeemCode(kWalt, fresh));

  REQUIRE(failures.size() > 30);
  for (const Status& status : failures) CheckStatus(status, {fresh});
  CHECK(w.ActiveCode(fresh).has_value());  // no failure consumed it
}

TEST_CASE("the fixture loader's errors repeat none of the fixture's secrets", "[secrets][fixture]") {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  Result<Storage> backend = OpenStorage(options);
  REQUIRE(backend.ok());
  const char* bad_fixtures[] = {
      // A login in an unknown account, next to its password.
      R"({"accounts":[{"id":1,"name":"A"}],"users":[{"id":2,"name":"U","logins":[{"account_id":9,"unique_id":"u","password":"pw-fixture-leak-secret"}]}]})",
      // A password of the wrong type, a token of the wrong type.
      R"({"accounts":[{"id":1,"name":"A"}],"users":[{"id":2,"name":"U","logins":[{"account_id":1,"unique_id":"u","password":["pw-fixture-leak-secret"]}]}]})",
      R"({"accounts":[{"id":1,"name":"A"}],"users":[{"id":2,"name":"U","tokens":[{"token":"tok-fixture-leak-secret","expires_at":"nope"}]}]})",
      // Two users with the same token; a code for an unknown user; a code that is too short to be one.
      R"({"accounts":[{"id":1,"name":"A"}],"users":[{"id":2,"name":"U","tokens":["tok-fixture-leak-secret"]},{"id":3,"name":"V","tokens":["tok-fixture-leak-secret"]}]})",
      R"({"accounts":[{"id":1,"name":"A"}],"users":[],"pairing_codes":[{"user_id":7,"code":"Leak77","expires_at":"2030-01-01T00:00:00Z"}]})",
      R"({"accounts":[{"id":1,"name":"A"}],"users":[{"id":2,"name":"U"}],"pairing_codes":[{"user_id":2,"code":"Leak77","expires_at":"bad"}]})",
      R"({"accounts":[{"id":1,"name":"A"}],"users":[{"id":2,"name":"U"}],"pairing_codes":[{"user_id":2,"code":"Leak77"},{"user_id":2,"code":"Leak77"}]})",
  };
  for (const char* fixture : bad_fixtures) {
    const Status status = LoadFixture(*backend, fixture);
    INFO("fixture: " << fixture << "\nstatus: " << status.ToString());
    CHECK_FALSE(status.ok());
    CheckNoSecrets(status, {"pw-fixture-leak-secret", "tok-fixture-leak-secret", "Leak77"});
  }
}

TEST_CASE("no failure response of the REST router repeats a password, token or code", "[secrets][rest]") {
  RestWorld r = MakeRestWorld();
  const std::string fresh = r.w.NewCode(kChild);
  const std::initializer_list<std::string_view> extra = {kGuessPassword, kGuessToken, kGuessCode, kNewPassword, fresh};
  const std::string observees = Api("self", "observees");
  const std::vector<Req> requests = {
      Post(observees).As(kQuinn).Form(FormBody({{"unique_id", kChildLogin}, {"password", kGuessPassword}})),
      Post(observees).As(kQuinn).Json(std::string(R"({"unique_id":"child","password":")") + kGuessPassword + "\"}"),
      Post(observees).As(kQuinn).Form(FormBody({{"unique_id", kXenaLogin}, {"password", kXenaPassword}})),
      Post(observees).As(kQuinn).Form(FormBody({{"access_token", kGuessToken}})),
      Post(observees).As(kQuinn).Form(FormBody({{"access_token", kChildExpiredToken}})),
      Post(observees).As(kQuinn).Form(FormBody({{"pairing_code", kGuessCode}})),
      Post(observees).As(kQuinn).Form(FormBody({{"pairing_code", kExpiredCode}})),
      Post(observees).As(kChild).Form(FormBody({{"pairing_code", fresh}})),
      Post(observees).Form(FormBody({{"pairing_code", fresh}})),  // anonymous
      Post(observees).Bearer(kGuessToken).Form(FormBody({{"pairing_code", fresh}})),
      Get(observees + "?access_token=" + kGuessToken),
      Get(observees).Header("Authorization", std::string("Basic ") + kGuessPassword),
      Post(observees).As(kQuinn).Json(std::string(R"({"password":")") + kGuessPassword + "\""),  // bad JSON
      Post(observees).As(kQuinn).Form("password=" + std::string(5000, 'x') + kGuessPassword),    // too long
      Post("/users").Form(FormBody({{"user[name]", "Fran"},
                                    {"pseudonym[unique_id]", "fran"},
                                    {"pseudonym[password]", kNewPassword},
                                    {"pairing_code[code]", kGuessCode}})),
      Post("/users").Form(FormBody({{"user[name]", "Fran"},
                                    {"pseudonym[unique_id]", kPatLogin},
                                    {"pseudonym[password]", kNewPassword},
                                    {"pairing_code[code]", fresh}})),
      Post("/users").Form(FormBody({{"user[name]", "Fran"},
                                    {"pseudonym[unique_id]", "fran"},
                                    {"pseudonym[password]", "short"},
                                    {"pairing_code[code]", fresh}})),
      Post("/users")
          .Host("external.test")
          .Form(FormBody({{"user[name]", "Fran"},
                          {"pseudonym[unique_id]", "fran"},
                          {"pseudonym[password]", kNewPassword},
                          {"pairing_code[code]", kXenaCode}})),
  };
  for (const Req& request : requests) {
    const rest::Response response = r.Send(request);
    INFO(request.request().method << " " << request.request().target << " " << request.request().body << " -> "
                                  << response.status << " " << response.body);
    CHECK(response.status >= 400);
    CHECK(response.status < 500);
    CheckNoSecretsIn(response, extra);
    for (const rest::Header& header : response.headers) {
      for (const std::string_view secret : extra) CHECK(header.value.find(secret) == std::string::npos);
    }
  }
  CHECK(r.w.ActiveCode(fresh).has_value());
}

TEST_CASE("the audit log holds ids only, and the database never holds a secret in clear", "[secrets][storage]") {
  TempDir dir;
  WorldOptions options;
  options.db_path = (dir.path() / "secrets.db").string();
  World w = MakeWorld(options);
  // Everything that handles a secret: codes made and redeemed, a login checked, a token used, an
  // observer registered with a password.
  const std::string redeemed = w.NewCode(kChild);
  const std::string kept = w.NewCode(kAnother);
  REQUIRE(w.RedeemCode(kQuinn, redeemed).ok());
  REQUIRE(w.AddWithCredentials(kWalt, kBoLogin, kBoPassword).ok());
  REQUIRE(w.AddWithToken(kMona, kChildToken).ok());
  const std::string registration_code = w.NewCode(kBo);
  REQUIRE(w.service->RegisterObserver(w.Anonymous(), Registration("fran", kNewPassword, registration_code)).ok());
  REQUIRE(OutcomeOf(w.AddWithCredentials(kQuinn, kChildLogin, kGuessPassword)) == StatusCode::kInvalidCredentials);

  // Audit entries are structured: ids, times and enumerations only (AuditEntry has no text field), and
  // a redemption names the code by its id.
  const std::vector<AuditEntry> audit = w.AuditAfter(0);
  REQUIRE_FALSE(audit.empty());
  for (const AuditEntry& entry : OfAction(audit, AuditAction::kCodeRedeemed)) CHECK(entry.code_id.has_value());

  std::vector<std::string> secrets = StandardSecrets();
  for (const std::string& s :
       {redeemed, kept, registration_code, std::string(kNewPassword), std::string(kGuessPassword)}) {
    secrets.push_back(s);
  }
  const std::string bytes = dir.AllBytes();
  REQUIRE(bytes.size() > 4096);
  for (const std::string& secret : secrets) {
    INFO("secret: " << secret);
    CHECK(bytes.find(secret) == std::string::npos);
  }
}

}  // namespace observees::testing
