// Links the installed static C++ libraries: the same question as main.c, through the router.
#include <cstdio>

#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/storage.h"

int main() {
  using namespace observees;
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  auto backend = OpenStorage(options);
  if (!backend.ok()) return 1;
  const Status seeded = LoadFixture(*backend,
                                    R"({"accounts": [{"id": 1, "name": "A", "domains": ["canvas.test"]}],
                                        "users": [{"id": 10, "name": "Pat Parent", "tokens": ["token-pat"]}]})");
  if (!seeded.ok()) return 1;
  auto service = ObservationService::Create(backend->Dependencies());
  if (!service.ok()) return 1;
  auto router = rest::Router::Create(std::shared_ptr<const ObservationService>(std::move(*service)), backend->directory,
                                     backend->authenticator);
  if (!router.ok()) return 1;
  rest::Request request;
  request.method = "GET";
  request.target = "/api/v1/users/self/observees";
  request.headers = {{"Host", "canvas.test"}, {"Authorization", "Bearer token-pat"}};
  const rest::Response response = (*router)->Handle(request);
  std::printf("cxx_consumer: %d %s\n", response.status, response.body.c_str());
  return response.status == 200 && response.body == "[]" ? 0 : 1;
}
