// libFuzzer target: the C ABI's JSON inputs. The first byte picks the entry point, the rest (made
// NUL-terminated) is its JSON: 0 obs_service_open's options_json, 1 obs_add_observee's request_json,
// 2 obs_register_observer's request_json, 3 obs_rest_handle's headers_json (a GET of the parent's
// observees), 4 obs_enroll_user's request_json. Every call must return a status, set its out pointers
// consistently (a string on OBS_OK, NULL otherwise) and leak nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "observees.h"

namespace {

obs_service* Service() {
  static obs_service* service = [] {
    obs_service* s = nullptr;
    const char* options = R"({"password_hashing": "fastest", "test_clock": "2026-01-01T00:00:00Z",)"
                          R"( "secret_key": "fuzz-secret-key-0123456789abcdef", "limiter": {"enabled": false}})";
    if (obs_service_open(":memory:", options, &s) != OBS_OK) std::abort();
    if (obs_load_fixture_file(s, OBSERVEES_DEMO_FIXTURE) != OBS_OK) std::abort();
    return s;
  }();
  return service;
}

void Check(obs_status status, char* out) {
  if ((status == OBS_OK) != (out != nullptr)) std::abort();
  obs_free(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 16 * 1024) return -1;
  const std::string json(reinterpret_cast<const char*>(data) + 1, size - 1);
  obs_service* service = Service();
  switch (data[0] % 5) {
    case 0: {
      // Opening a file would touch the disk: the options are fuzzed against ":memory:" only. An
      // "interactive"/"moderate" password_hashing costs nothing here: nothing is hashed.
      obs_service* opened = reinterpret_cast<obs_service*>(0x1);
      const obs_status status = obs_service_open(":memory:", json.c_str(), &opened);
      if ((status == OBS_OK) != (opened != nullptr)) std::abort();
      obs_service_close(&opened);
      break;
    }
    case 1: {
      char* out = nullptr;
      Check(obs_add_observee(service, 10, 1, 10, json.c_str(), 0, &out), out);
      break;
    }
    case 2: {
      char* out = nullptr;
      Check(obs_register_observer(service, 0, 1, json.c_str(), &out), out);
      break;
    }
    case 3: {
      int http_status = 0;
      char* headers = nullptr;
      char* body = nullptr;
      const obs_status status = obs_rest_handle(service, "GET", "/api/v1/users/self/observees", json.c_str(), nullptr,
                                                0, "192.0.2.1", &http_status, &headers, &body);
      if (status == OBS_OK && (headers == nullptr || body == nullptr || http_status < 200 || http_status >= 500)) {
        std::abort();
      }
      obs_free(headers);
      obs_free(body);
      break;
    }
    default: {
      char* out = nullptr;
      Check(obs_enroll_user(service, 1, 1, json.c_str(), &out), out);
      break;
    }
  }
  return 0;
}
