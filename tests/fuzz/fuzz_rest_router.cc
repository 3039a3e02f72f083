// libFuzzer target: the REST router (rest::Router::Handle) over the demo fixture. The input is split
// into a request: line 1 the method, line 2 the target, then "Name: value" header lines up to an empty
// line, then the body (every remaining byte). Handle must answer anything without crashing, never a
// 5xx, and always with a Content-Type. Service state accumulates across inputs (links, codes), as on a
// real server; the attempt limiter is off so that guesses keep reaching the rules.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/storage.h"

namespace {

struct Server {
  std::unique_ptr<observees::rest::Router> router;
};

Server MakeServer() {
  using namespace observees;
  auto clock = std::make_shared<FakeClock>(Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1)));
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  options.secret_key = "fuzz-secret-key-0123456789abcdef";
  options.clock = clock;
  Result<Storage> backend = OpenStorage(options);
  if (!backend.ok() || !LoadFixtureFile(*backend, OBSERVEES_DEMO_FIXTURE).ok()) std::abort();
  ServiceOptions service_options;
  service_options.limiter.enabled = false;
  auto service = ObservationService::Create(backend->Dependencies(clock), service_options);
  if (!service.ok()) std::abort();
  std::shared_ptr<const ObservationService> shared(std::move(*service));
  auto router = rest::Router::Create(shared, backend->directory, backend->authenticator);
  if (!router.ok()) std::abort();
  return Server{std::move(*router)};
}

// The next line of `rest` (without its '\n'), advancing `rest` past it.
std::string_view NextLine(std::string_view& rest) {
  const std::size_t end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server server = MakeServer();
  if (size > 128 * 1024) return -1;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  observees::rest::Request request;
  request.method = std::string(NextLine(rest));
  request.target = std::string(NextLine(rest));
  while (!rest.empty()) {
    const std::string_view line = NextLine(rest);
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  request.body = std::string(rest);
  request.peer = "192.0.2.77";
  const observees::rest::Response response = server.router->Handle(request);
  if (response.status < 200 || response.status >= 500 || !response.Find("Content-Type")) {
    std::fprintf(stderr, "bad response: %d %s\n", response.status, response.body.c_str());
    std::abort();
  }
  return 0;
}
