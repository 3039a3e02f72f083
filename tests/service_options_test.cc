// ObservationService::Create: missing dependencies and options out of range are refused with
// kInvalidArgument (service_options.h); good ones are kept.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>

#include "support/world.h"

namespace observees::testing {
namespace {

Storage OpenBackend() {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  Result<Storage> backend = OpenStorage(options);
  INFO(backend.status().ToString());
  REQUIRE(backend.ok());
  return backend.value();
}

Outcome CreateWith(const std::function<void(ServiceOptions&)>& change) {
  Storage backend = OpenBackend();
  ServiceOptions options;
  change(options);
  return OutcomeOf(ObservationService::Create(backend.Dependencies(), options));
}

TEST_CASE("the default options are accepted and kept", "[options]") {
  Storage backend = OpenBackend();
  Result<std::unique_ptr<ObservationService>> service = ObservationService::Create(backend.Dependencies());
  REQUIRE(OutcomeOf(service) == StatusCode::kOk);
  const ServiceOptions& options = (*service)->options();
  CHECK(options.pairing_codes.length == 6);
  CHECK(options.pairing_codes.alphabet == "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  CHECK(options.pairing_codes.lifetime == std::chrono::hours(24 * 7));
  CHECK(options.limiter.enabled);
  CHECK(options.limiter.max_failures == 10);
  CHECK(options.limiter.window == std::chrono::minutes(15));
  CHECK(options.default_per_page == 10);
  CHECK(options.max_per_page == 100);
  CHECK(options.min_password_length == 8);
}

TEST_CASE("given options are kept", "[options]") {
  Storage backend = OpenBackend();
  ServiceOptions given;
  given.pairing_codes.length = 9;
  given.pairing_codes.alphabet = "0123456789";
  given.pairing_codes.lifetime = std::chrono::hours(2);
  given.limiter.max_failures = 4;
  given.limiter.window = std::chrono::seconds(30);
  given.min_password_length = 12;
  Result<std::unique_ptr<ObservationService>> service = ObservationService::Create(backend.Dependencies(), given);
  REQUIRE(OutcomeOf(service) == StatusCode::kOk);
  const ServiceOptions& options = (*service)->options();
  CHECK(options.pairing_codes.length == 9);
  CHECK(options.pairing_codes.alphabet == "0123456789");
  CHECK(options.pairing_codes.lifetime == std::chrono::hours(2));
  CHECK(options.limiter.max_failures == 4);
  CHECK(options.limiter.window == std::chrono::seconds(30));
  CHECK(options.min_password_length == 12);
}

TEST_CASE("a missing dependency is refused", "[options]") {
  Storage backend = OpenBackend();
  SECTION("no directory") {
    ServiceDependencies deps = backend.Dependencies();
    deps.directory = nullptr;
    CHECK(OutcomeOf(ObservationService::Create(deps)) == StatusCode::kInvalidArgument);
  }
  SECTION("no authenticator") {
    ServiceDependencies deps = backend.Dependencies();
    deps.authenticator = nullptr;
    CHECK(OutcomeOf(ObservationService::Create(deps)) == StatusCode::kInvalidArgument);
  }
  SECTION("no link store") {
    ServiceDependencies deps = backend.Dependencies();
    deps.links = nullptr;
    CHECK(OutcomeOf(ObservationService::Create(deps)) == StatusCode::kInvalidArgument);
  }
  SECTION("nothing at all") {
    CHECK(OutcomeOf(ObservationService::Create(ServiceDependencies{})) == StatusCode::kInvalidArgument);
  }
  SECTION("no clock and no random source: the defaults are used") {
    ServiceDependencies deps = backend.Dependencies();
    deps.clock = nullptr;
    deps.random = nullptr;
    CHECK(OutcomeOf(ObservationService::Create(deps)) == StatusCode::kOk);
  }
}

TEST_CASE("the pairing code length must be 4..10", "[options][D7]") {
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.length = 3; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.length = 11; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.length = 0; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.length = -6; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.length = 4; }) == StatusCode::kOk);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.length = 10; }) == StatusCode::kOk);
}

TEST_CASE("the pairing code alphabet needs at least 10 distinct printable ASCII characters", "[options][D7]") {
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = "012345678"; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = "0123456788"; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = ""; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = "012345678\x01"; }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = "012345678\n"; }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = "012345678\xc3\xa9"; }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = "0123456789"; }) == StatusCode::kOk);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.alphabet = "ABCDEFGHJK"; }) == StatusCode::kOk);
}

TEST_CASE("the pairing code lifetime must be at least one minute", "[options][D7]") {
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.lifetime = std::chrono::seconds(59); }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.lifetime = std::chrono::seconds(0); }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.lifetime = std::chrono::seconds(-60); }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.pairing_codes.lifetime = std::chrono::minutes(1); }) == StatusCode::kOk);
}

TEST_CASE("the limiter allows 1..10000 failures in a window of at least one second", "[options][D6]") {
  CHECK(CreateWith([](ServiceOptions& o) { o.limiter.max_failures = 0; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.limiter.max_failures = 10001; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.limiter.max_failures = 1; }) == StatusCode::kOk);
  CHECK(CreateWith([](ServiceOptions& o) { o.limiter.max_failures = 10000; }) == StatusCode::kOk);
  CHECK(CreateWith([](ServiceOptions& o) { o.limiter.window = std::chrono::seconds(0); }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.limiter.window = std::chrono::seconds(-1); }) ==
        StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.limiter.window = std::chrono::seconds(1); }) == StatusCode::kOk);
}

TEST_CASE("the shortest password accepted is 1..256", "[options][D8]") {
  CHECK(CreateWith([](ServiceOptions& o) { o.min_password_length = 0; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.min_password_length = 257; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.min_password_length = 1; }) == StatusCode::kOk);
  CHECK(CreateWith([](ServiceOptions& o) { o.min_password_length = 256; }) == StatusCode::kOk);
}

TEST_CASE("page sizes must be positive", "[options][rule34]") {
  CHECK(CreateWith([](ServiceOptions& o) { o.default_per_page = 0; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.max_per_page = 0; }) == StatusCode::kInvalidArgument);
  CHECK(CreateWith([](ServiceOptions& o) { o.default_per_page = -1; }) == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace observees::testing
