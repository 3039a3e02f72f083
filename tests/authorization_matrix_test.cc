// The authorization matrix: every endpoint of the REST router × every kind of caller, against a table
// of expected HTTP statuses written from docs/rules.md (the rule numbers are in the table), not from
// the implementation. Each cell runs on a fresh world (the standard REST fixture), so a cell that
// changes something cannot affect another.
//
// The callers (tests/support/world.h's cast): the subject themselves; Ada, AccountAdmin of the shared
// root account 1 with both permissions; Nico, AccountAdmin of root 1 with manage_user_observers off;
// Ezra, AccountAdmin of root 2 only; Sandra, AccountAdmin of sub-account 3 (Science) only; Terry, teacher
// of course 100 (Science, no role override); Tina, teacher of course 101 (Arts, whose role override lets
// teachers generate pairing codes); Walt, a user with logins in both roots and no relation to anyone;
// no authentication; a bad bearer token.
#include <array>
#include <catch2/catch.hpp>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

enum CallerKind {
  kSelf,
  kAdminPerm,
  kAdminNoPerm,
  kOtherRootAdmin,
  kSubAccountAdmin,
  kTeacher,
  kTeacherOverride,
  kUnrelated,
  kNoAuth,
  kBadToken,
  kCallers
};
constexpr std::array<const char*, kCallers> kCallerNames = {"the user themselves",
                                                            "admin of the shared root (with permission)",
                                                            "admin of the shared root (without)",
                                                            "admin of another root only",
                                                            "sub-account admin",
                                                            "teacher (no override)",
                                                            "teacher (role override)",
                                                            "unrelated user",
                                                            "no authentication",
                                                            "bad token"};
constexpr std::array<UserId, kCallers> kCallerIds = {0, kAda, kNico, kEzra, kSandra, kTerry, kTina, kWalt, 0, 0};

constexpr int kNotApplicable = 0;

struct Row {
  const char* endpoint;
  const char* rules;
  UserId self;  // who "the user themselves" is for this endpoint (0: not applicable)
  std::function<Req()> request;
  std::array<int, kCallers> expected;  // in kCallers order
};

std::string RegistrationForm() {
  return FormBody({{"user[name]", "Fran Fresh"},
                   {"pseudonym[unique_id]", "fran"},
                   {"pseudonym[password]", "pw-fran-new-secret"},
                   {"user[initial_enrollment_type]", "observer"},
                   {"pairing_code[code]", kActiveCode}});
}

// clang-format off
const std::vector<Row>& Matrix() {
  static const std::vector<Row> rows = {
      //                                                                        self  admin noperm other  sub  teach tover unrel anon  bad
      {"E1 GET /users/10/observees", "26,28-31", kPat,
       [] { return Get(Api(kPat, "observees")); },                               {200, 200,  403,  403,  403,  403,  403,  403,  401,  401}},
      {"E2 GET /users/11/observers", "26,28-31", kChild,
       [] { return Get(Api(kChild, "observers")); },                             {200, 200,  403,  403,  403,  403,  403,  403,  401,  401}},
      // With a pairing code: an access_token body parameter would also authenticate the request (as
      // in Canvas), which turns the anonymous cell into the student acting.
      {"E3 POST /users/16/observees (pairing_code)", "26-31", kQuinn,
       [] { return Post(Api(kQuinn, "observees")).Form(FormBody({{"pairing_code", kActiveCode}})); },
                                                                                 {200, 200,  403,  403,  403,  403,  403,  403,  401,  401}},
      {"E4 GET /users/10/observees/11", "26,28-31", kPat,
       [] { return Get(Api(kPat, "observees/11")); },                            {200, 200,  403,  403,  403,  403,  403,  403,  401,  401}},
      {"E5 GET /users/11/observers/10", "26,28-31", kChild,
       [] { return Get(Api(kChild, "observers/10")); },                          {200, 200,  403,  403,  403,  403,  403,  403,  401,  401}},
      {"E6 PUT /users/16/observees/11", "47-48,27-29,31", kQuinn,
       [] { return Put(Api(kQuinn, "observees/11")); },                          {403, 200,  403,  403,  403,  403,  403,  403,  401,  401}},
      {"E7 DELETE /users/10/observees/11", "30,52,55,31", kPat,
       [] { return Delete(Api(kPat, "observees/11")); },                         {200, 200,  403,  403,  403,  403,  403,  403,  401,  401}},
      {"E8 POST /users/12/observer_pairing_codes", "22-23,31", kAnother,
       [] { return Post(Api(kAnother, "observer_pairing_codes")); },             {200, 200,  200,  403,  403,  403,  200,  403,  401,  401}},
      // Rule 57 / D8: anonymous registration with a valid code; the caller plays no part (a bad token
      // is still refused, as on every endpoint). No subject: "themselves" does not apply.
      {"POST /users (observer self-registration)", "57,D8", 0,
       [] { return Post("/users").Form(RegistrationForm()); },                   {kNotApplicable, 200, 200, 200, 200, 200, 200, 200, 200, 401}},
      // observation_service.h: the user, or an administrator holding manage_students in one of the
      // user's root accounts (AccountAdmins hold it by default; Sandra holds a sub-account only).
      {"GET /users/11/enrollments", "service contract,31", kChild,
       [] { return Get(Api(kChild, "enrollments")); },                           {200, 200,  200,  403,  403,  403,  403,  403,  401,  401}},
      // observation_service.h: administrators holding manage_students on the course's account chain
      // (course 100 is in Science, under root 1). "Themselves": Another enrolling herself.
      {"POST /courses/100/enrollments", "service contract,31", kAnother,
       [] { return Post("/api/v1/courses/100/enrollments").Form(FormBody({{"enrollment[user_id]", "12"},
                                                                         {"enrollment[type]", "StudentEnrollment"}})); },
                                                                                 {403, 200,  200,  403,  200,  403,  403,  403,  401,  401}},
  };
  return rows;
}
// clang-format on

}  // namespace

TEST_CASE("every endpoint answers every kind of caller as docs/rules.md says", "[rest][authorization]") {
  int cells = 0;
  std::vector<std::string> disagreements;
  for (const Row& row : Matrix()) {
    for (int c = 0; c < kCallers; ++c) {
      const int expected = row.expected[static_cast<std::size_t>(c)];
      if (expected == kNotApplicable) continue;
      RestWorld r = MakeRestWorld();
      Req request = row.request();
      if (c == kSelf) {
        request.As(row.self);
      } else if (c == kBadToken) {
        request.Bearer("tok-not-a-real-token-secret");
      } else if (c != kNoAuth) {
        request.As(kCallerIds[static_cast<std::size_t>(c)]);
      }
      const rest::Response response = r.Send(request);
      ++cells;
      CheckNoSecretsIn(response);
      if (response.status != expected) {
        std::ostringstream line;
        line << row.endpoint << " [rules " << row.rules << "] as " << kCallerNames[static_cast<std::size_t>(c)]
             << ": expected " << expected << ", got " << response.status << " " << response.body;
        disagreements.push_back(line.str());
      }
    }
  }
  std::ostringstream all;
  for (const std::string& d : disagreements) all << d << "\n";
  WARN("authorization matrix: " << cells << " cells checked, " << disagreements.size() << " disagreements\n"
                                << all.str());
  CHECK(disagreements.empty());
}

}  // namespace observees::testing
