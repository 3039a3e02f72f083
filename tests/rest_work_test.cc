// Router::WorkOf: which requests may wait for the write lock or hash a password, so that a host keeps
// them off the threads serving reads (observees-server's work pools).
#include <catch2/catch.hpp>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

using Work = rest::Router::Work;

TEST_CASE("WorkOf: reads, refusals before storage and unknown routes are reads", "[rest][work]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.router->WorkOf(Get(Api("self", "observees")).As(kPat)) == Work::kRead);
  CHECK(r.router->WorkOf(Req("HEAD", Api("self", "observers")).As(kChild)) == Work::kRead);
  CHECK(r.router->WorkOf(Get(Api("self", "observer_pairing_codes")).As(kChild)) == Work::kRead);
  CHECK(r.router->WorkOf(Post("/api/v1/nothing/here")) == Work::kRead);
  CHECK(r.router->WorkOf(Post(Api("self", "observees") + "/")) == Work::kRead);  // 404: a trailing slash
  CHECK(r.router->WorkOf(Post(Api("self", "observees")).Form("observee[password]=%zz")) == Work::kRead);  // 400
}

TEST_CASE("WorkOf: writes without a password are writes", "[rest][work]") {
  RestWorld r = MakeRestWorld();
  CHECK(r.router->WorkOf(Post(Api("self", "observees")).As(kQuinn).Form("pairing_code=Activ1")) == Work::kWrite);
  CHECK(r.router->WorkOf(Post(Api("self", "observees")).As(kQuinn).Form("access_token=x")) == Work::kWrite);
  CHECK(r.router->WorkOf(Put(Api(kMona, "observees/11")).As(kAda)) == Work::kWrite);
  CHECK(r.router->WorkOf(Delete(Api("self", "observees/12")).As(kPat)) == Work::kWrite);
  CHECK(r.router->WorkOf(Post(Api("self", "observer_pairing_codes")).As(kChild)) == Work::kWrite);
  CHECK(r.router->WorkOf(Delete(Api("self", "observer_pairing_codes")).As(kChild)) == Work::kWrite);
}

TEST_CASE("WorkOf: linking by login and self-registration hash passwords, wherever the password is", "[rest][work]") {
  RestWorld r = MakeRestWorld();
  const std::string login = "observee[unique_id]=kid&observee[password]=pw";
  CHECK(r.router->WorkOf(Post(Api("self", "observees")).As(kPat).Form(login)) == Work::kPasswordHash);
  CHECK(r.router->WorkOf(Post(Api("self", "observees") + "?" + login).As(kPat)) == Work::kPasswordHash);
  CHECK(r.router->WorkOf(
            Post(Api("self", "observees")).As(kPat).Json(R"({"observee":{"unique_id":"kid","password":"pw"}})")) ==
        Work::kPasswordHash);
  CHECK(r.router->WorkOf(Post("/users").Form("pseudonym[unique_id]=fran")) == Work::kPasswordHash);
}

}  // namespace
}  // namespace observees::testing
