// The C ABI (observees.h) over ObservationService, the SQLite default, the fixture loader and the REST
// router. Translation only: every rule is the service's. Each entry point validates its inputs before
// touching anything, runs inside Guard (which catches every exception) and reports through the
// thread-local last error.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <sstream>
#include <streambuf>
#include <utility>

#include "observees.h"
#include "observees/canvas_json.h"
#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/service_options.h"
#include "observees/storage.h"
#include "observees/status.h"
#include "observees/timestamp.h"

// The handle: the backend, the service over it, its router and, with "test_clock", the clock.
// `magic` is kOpenMagic from open to close, then kClosedMagic (handle armor, as SQLite's API armor).
struct obs_service {
  std::uint64_t magic = 0;
  observees::Storage backend;
  std::shared_ptr<observees::FakeClock> test_clock;  // null unless opened with "test_clock"
  std::shared_ptr<const observees::ObservationService> service;
  std::unique_ptr<observees::rest::Router> router;
  std::string base_url;  // for relative avatar URLs in the operations' JSON
  std::string scheme;    // of the REST router's requests: "http" or "https"
};

namespace {

namespace json = boost::json;
using observees::AccountId;
using observees::InvalidArgument;
using observees::Result;
using observees::RootAccountScope;
using observees::Status;
using observees::Timestamp;
using observees::UserId;

static_assert(static_cast<int>(observees::StatusCode::kOk) == OBS_OK);
static_assert(static_cast<int>(observees::StatusCode::kInvalidArgument) == OBS_INVALID_ARGUMENT);
static_assert(static_cast<int>(observees::StatusCode::kNotFound) == OBS_NOT_FOUND);
static_assert(static_cast<int>(observees::StatusCode::kUnauthenticated) == OBS_UNAUTHENTICATED);
static_assert(static_cast<int>(observees::StatusCode::kPermissionDenied) == OBS_PERMISSION_DENIED);
static_assert(static_cast<int>(observees::StatusCode::kInvalidCode) == OBS_INVALID_CODE);
static_assert(static_cast<int>(observees::StatusCode::kTooManyAttempts) == OBS_TOO_MANY_ATTEMPTS);
static_assert(static_cast<int>(observees::StatusCode::kUnknownObservee) == OBS_UNKNOWN_OBSERVEE);
static_assert(static_cast<int>(observees::StatusCode::kInvalidCredentials) == OBS_INVALID_CREDENTIALS);
static_assert(static_cast<int>(observees::StatusCode::kSelfObservation) == OBS_SELF_OBSERVATION);
static_assert(static_cast<int>(observees::StatusCode::kAlreadyExists) == OBS_ALREADY_EXISTS);
static_assert(static_cast<int>(observees::StatusCode::kAborted) == OBS_ABORTED);
static_assert(static_cast<int>(observees::StatusCode::kInternal) == OBS_INTERNAL);
static_assert(static_cast<int>(observees::StatusCode::kUnavailable) == OBS_UNAVAILABLE);

// The range obs_clock_* accept: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr std::int64_t kEarliestSecond = 0;
constexpr std::int64_t kLatestSecond = 253402300799;
constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();
constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

thread_local std::string t_last_error;

// Thrown by RequireService for a closed or foreign handle; Guard answers OBS_MISUSE, a C ABI code with
// no StatusCode twin.
struct Misuse {
  const char* message;
};

obs_status Report(obs_status code, const char* message) noexcept {
  try {
    t_last_error = message;
  } catch (...) {
    t_last_error.clear();
  }
  return code;
}

// Runs one entry point: clears the last error, turns a non-OK Status into its code and message, and
// every exception into OBS_INTERNAL.
template <typename Body>
obs_status Guard(Body&& body) noexcept {
  try {
    t_last_error.clear();
    const Status status = body();
    if (status.ok()) return OBS_OK;
    t_last_error = status.message().empty() ? std::string(observees::StatusCodeName(status.code())) : status.message();
    return static_cast<obs_status>(status.code());
  } catch (const Misuse& misuse) {
    return Report(OBS_MISUSE, misuse.message);
  } catch (const std::bad_alloc&) {
    return Report(OBS_INTERNAL, "out of memory");
  } catch (...) {
    return Report(OBS_INTERNAL, "unexpected internal failure");
  }
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t point = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      point = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      point = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      point = c & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0u) != 0x80u) return false;
      point = (point << 6) | (next & 0x3Fu);
    }
    if (length == 3 && (point < 0x800 || (point >= 0xD800 && point <= 0xDFFF))) return false;
    if (length == 4 && (point < 0x10000 || point > 0x10FFFF)) return false;
    i += length;
  }
  return true;
}

// ---- Inputs -----------------------------------------------------------------------------------------

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// A required NUL-terminated UTF-8 string argument.
Result<std::string_view> Text(const char* text, const char* name) {
  if (text == nullptr) return InvalidArgument(std::string(name) + " is NULL", name);
  const std::string_view view(text);
  if (!IsUtf8(view)) return InvalidArgument(std::string(name) + " is not valid UTF-8", name);
  return view;
}

// Handle armor (observees.h, convention 11): the first word of a handle says whether it is open.
constexpr std::uint64_t kOpenMagic = 0x6f62732d6f70656eULL;    // "obs-open"
constexpr std::uint64_t kClosedMagic = 0x6f62732d636c6f73ULL;  // "obs-clos"
// How many closed handles keep their (emptied) memory, so a call on one is answered OBS_MISUSE
// rather than reading freed memory; the oldest is freed when a newer one arrives.
constexpr std::size_t kQuarantined = 64;

std::mutex g_quarantine_mutex;
std::deque<std::unique_ptr<obs_service>>& Quarantine() {
  static auto* quarantine = new std::deque<std::unique_ptr<obs_service>>();  // never destroyed: closes at exit
  return *quarantine;
}

Status RequireService(const obs_service* service) {
  if (service == nullptr) return InvalidArgument("service is NULL", "service");
  if (service->magic == kClosedMagic) throw Misuse{"service was closed"};
  if (service->magic != kOpenMagic) throw Misuse{"service is not a handle obs_service_open made"};
  return Status::Ok();
}

template <typename T>
Status RequireOut(T** out, const char* name) {
  if (out == nullptr) return InvalidArgument(std::string(name) + " is NULL", name);
  return Status::Ok();
}

template <typename T>
void ClearOut(T** out) {
  if (out != nullptr) *out = nullptr;
}

// A copy the caller frees with obs_free.
char* Export(std::string_view text) {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  if (!text.empty()) std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  return copy;
}

Result<observees::Caller> CallerOf(std::int64_t acting_user, std::int64_t domain_root_account) {
  if (acting_user < 0) return InvalidArgument("acting_user must be 0 (anonymous) or a positive user id", "acting_user");
  if (domain_root_account < 0) {
    return InvalidArgument("domain_root_account must be 0 (none) or a positive account id", "domain_root_account");
  }
  observees::Caller caller;
  if (acting_user > 0) caller.user = acting_user;
  caller.domain_root_account = domain_root_account;
  return caller;
}

Result<UserId> PathUser(std::int64_t id, const char* name) {
  if (id < 1) return InvalidArgument(std::string(name) + " must be a positive user id", name);
  return id;
}

Result<RootAccountScope> ScopeOf(std::int64_t scope) {
  if (scope == OBS_SCOPE_DOMAIN) return RootAccountScope::Domain();
  if (scope == OBS_SCOPE_ALL) return RootAccountScope::All();
  if (scope > 0) return RootAccountScope::Account(scope);
  return InvalidArgument(
      "root_account_scope must be OBS_SCOPE_DOMAIN (0), OBS_SCOPE_ALL (-1) or a positive root account id",
      "root_account_scope");
}

Result<observees::ListOptions> ListOptionsOf(std::int32_t page, std::int32_t per_page, std::uint32_t flags) {
  if (page < 1) return InvalidArgument("page must be 1 or more", "page");
  if (per_page < 0) return InvalidArgument("per_page must be 0 (the default) or more", "per_page");
  if ((flags & ~static_cast<std::uint32_t>(OBS_LIST_INCLUDE_AVATAR_URL)) != 0) {
    return InvalidArgument("flags holds an unknown bit", "flags");
  }
  observees::ListOptions options;
  options.page = page;
  options.per_page = per_page;
  options.include_avatar_url = (flags & OBS_LIST_INCLUDE_AVATAR_URL) != 0;
  return options;
}

// ---- JSON inputs ------------------------------------------------------------------------------------

Result<json::value> ParseJson(std::string_view text, const char* name) {
  if (!IsUtf8(text)) return InvalidArgument(std::string(name) + " is not valid UTF-8", name);
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error) return InvalidArgument(std::string(name) + " is not valid JSON: " + error.message(), name);
  return value;
}

Result<const json::object*> ObjectOf(const json::value& value, const std::string& name,
                                     std::initializer_list<std::string_view> keys) {
  const json::object* object = value.if_object();
  if (object == nullptr) return InvalidArgument(name + " must be a JSON object", name);
  for (const auto& member : *object) {
    bool known = false;
    for (const std::string_view key : keys) known = known || member.key() == key;
    if (!known) {
      const std::string key(member.key());
      return InvalidArgument("unknown key " + Quoted(key) + " in " + name, key);
    }
  }
  return object;
}

Result<std::int64_t> IntegerIn(const json::value& value, const std::string& name, std::int64_t low, std::int64_t high) {
  std::optional<std::int64_t> number;
  if (const auto* i = value.if_int64()) number = *i;
  if (const auto* u = value.if_uint64(); u != nullptr && *u <= static_cast<std::uint64_t>(kMaxInt64)) number = *u;
  if (!number || *number < low || *number > high) {
    return InvalidArgument(name + " must be an integer from " + std::to_string(low) + " to " + std::to_string(high),
                           name);
  }
  return *number;
}

Result<bool> BooleanOf(const json::value& value, const std::string& name) {
  if (!value.is_bool()) return InvalidArgument(name + " must be true or false", name);
  return value.get_bool();
}

// A string value with no NUL in it (never echoed: it may be a password or a code).
Result<std::string> StringOf(const json::value& value, const std::string& name) {
  const json::string* text = value.if_string();
  if (text == nullptr) return InvalidArgument(name + " must be a string", name);
  if (std::string_view(*text).find('\0') != std::string_view::npos) {
    return InvalidArgument(name + " must not contain NUL", name);
  }
  return std::string(*text);
}

Result<Timestamp> TimeOf(std::string_view text, const std::string& name) {
  const std::optional<Timestamp> time = observees::ParseTimestamp(text);
  if (!time) return InvalidArgument(name + " must be an ISO-8601 time such as 2026-01-01T00:00:00Z", name);
  const std::int64_t seconds = time->time_since_epoch().count();
  if (seconds < kEarliestSecond || seconds > kLatestSecond) {
    return InvalidArgument(name + " must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z", name);
  }
  return *time;
}

// ---- Options of obs_service_open --------------------------------------------------------------------

struct OpenOptions {
  observees::StorageOptions storage;
  observees::ServiceOptions service;
  std::optional<Timestamp> test_clock;
  std::string base_url;
  observees::rest::RouterOptions rest;
  std::string scheme = "http";
};

Status ReadLimiter(const json::value& value, observees::AttemptLimiterOptions& limiter) {
  auto object = ObjectOf(value, "limiter",
                         {"enabled", "max_failures", "window_seconds", "anonymous_max_failures",
                          "anonymous_window_seconds", "token_max_failures"});
  if (!object.ok()) return object.status();
  for (const auto& [key, item] : **object) {
    const std::string name = "limiter." + std::string(key);
    if (key == "enabled") {
      auto enabled = BooleanOf(item, name);
      if (!enabled.ok()) return enabled.status();
      limiter.enabled = *enabled;
      continue;
    }
    const bool seconds = key == "window_seconds" || key == "anonymous_window_seconds";
    auto number = IntegerIn(item, name, 1, seconds ? kMaxInt : key == "max_failures" ? 10000 : 1000000);
    if (!number.ok()) return number.status();
    const int n = static_cast<int>(*number);
    if (key == "max_failures") {
      limiter.max_failures = n;
    } else if (key == "window_seconds") {
      limiter.window = std::chrono::seconds(n);
    } else if (key == "anonymous_max_failures") {
      limiter.anonymous_max_failures = n;
    } else if (key == "anonymous_window_seconds") {
      limiter.anonymous_window = std::chrono::seconds(n);
    } else {
      limiter.token_max_failures = n;
    }
  }
  return Status::Ok();
}

Status ReadRest(const json::value& value, observees::rest::RouterOptions& rest, std::string& scheme) {
  auto object = ObjectOf(value, "rest", {"default_root_account", "max_parameter_bytes", "max_body_bytes", "scheme"});
  if (!object.ok()) return object.status();
  for (const auto& [key, item] : **object) {
    const std::string name = "rest." + std::string(key);
    if (key == "scheme") {
      const json::string* text = item.if_string();
      if (text == nullptr || (*text != "http" && *text != "https")) {
        return InvalidArgument(name + " must be \"http\" or \"https\"", name);
      }
      scheme = std::string(*text);
      continue;
    }
    auto number = IntegerIn(item, name, 1, kMaxInt64);
    if (!number.ok()) return number.status();
    if (key == "default_root_account") {
      rest.default_root_account = *number;
    } else if (key == "max_parameter_bytes") {
      rest.max_parameter_bytes = static_cast<std::size_t>(*number);
    } else {
      rest.max_body_bytes = static_cast<std::size_t>(*number);
    }
  }
  return Status::Ok();
}

// The alphabet rule of PairingCodeOptions, checked here so that a bad one changes no file.
Status CheckAlphabet(std::string_view alphabet) {
  bool seen[128] = {};
  int distinct = 0;
  for (const char c : alphabet) {
    if (c <= ' ' || c > '~')
      return InvalidArgument("pairing_code_alphabet must be printable ASCII", "pairing_code_alphabet");
    if (seen[static_cast<unsigned char>(c)]) {
      return InvalidArgument("pairing_code_alphabet repeats a character", "pairing_code_alphabet");
    }
    seen[static_cast<unsigned char>(c)] = true;
    ++distinct;
  }
  if (distinct < 10)
    return InvalidArgument("pairing_code_alphabet needs at least 10 characters", "pairing_code_alphabet");
  return Status::Ok();
}

// Every documented range is checked before the database is opened: bad options change nothing.
Result<OpenOptions> ReadOptions(const char* options_json) {
  OpenOptions options;
  if (options_json == nullptr || *options_json == '\0') return options;
  auto parsed = ParseJson(options_json, "options_json");
  if (!parsed.ok()) return parsed.status();
  auto object = ObjectOf(*parsed, "options_json",
                         {"pairing_code_length", "pairing_code_alphabet", "pairing_code_lifetime_seconds",
                          "pairing_code_max_active", "limiter",
                          "default_per_page", "max_per_page", "min_password_length", "password_hashing", "connections",
                          "busy_timeout_ms", "schema", "secret_key", "test_clock", "base_url", "rest"});
  if (!object.ok()) return object.status();
  for (const auto& entry : **object) {
    // Not a structured binding: clang before 16 cannot capture one in the lambdas below.
    const std::string key(entry.key());
    const json::value& item = entry.value();
    Status status;
    auto integer = [&](std::int64_t low, std::int64_t high, auto&& assign) {
      auto number = IntegerIn(item, key, low, high);
      if (!number.ok()) return number.status();
      assign(*number);
      return Status::Ok();
    };
    auto text = [&](auto&& assign) {
      auto value = StringOf(item, key);
      if (!value.ok()) return value.status();
      return assign(std::move(*value));
    };
    if (key == "pairing_code_length") {
      status = integer(4, 10, [&](std::int64_t n) { options.service.pairing_codes.length = static_cast<int>(n); });
    } else if (key == "pairing_code_alphabet") {
      status = text([&](std::string value) {
        OBSERVEES_RETURN_IF_ERROR(CheckAlphabet(value));
        options.service.pairing_codes.alphabet = std::move(value);
        return Status::Ok();
      });
    } else if (key == "pairing_code_lifetime_seconds") {
      status = integer(60, kMaxInt,
                       [&](std::int64_t n) { options.service.pairing_codes.lifetime = std::chrono::seconds(n); });
    } else if (key == "pairing_code_max_active") {
      status = integer(1, 10000, [&](std::int64_t n) {
        options.service.pairing_codes.max_active_per_student = static_cast<int>(n);
      });
    } else if (key == "limiter") {
      status = ReadLimiter(item, options.service.limiter);
    } else if (key == "default_per_page") {
      status = integer(1, 10000, [&](std::int64_t n) { options.service.default_per_page = static_cast<int>(n); });
    } else if (key == "max_per_page") {
      status = integer(1, 10000, [&](std::int64_t n) { options.service.max_per_page = static_cast<int>(n); });
    } else if (key == "min_password_length") {
      status = integer(1, 256, [&](std::int64_t n) { options.service.min_password_length = static_cast<int>(n); });
    } else if (key == "password_hashing") {
      status = text([&](const std::string& value) {
        if (value == "interactive") {
          options.storage.password_hashing = observees::PasswordHashing::kInteractive;
        } else if (value == "moderate") {
          options.storage.password_hashing = observees::PasswordHashing::kModerate;
        } else if (value == "fastest") {
          options.storage.password_hashing = observees::PasswordHashing::kFastest;
        } else {
          return InvalidArgument("password_hashing must be \"interactive\", \"moderate\" or \"fastest\"", key);
        }
        return Status::Ok();
      });
    } else if (key == "connections") {
      status = integer(1, 64, [&](std::int64_t n) { options.storage.connections = static_cast<int>(n); });
    } else if (key == "busy_timeout_ms") {
      status = integer(0, kMaxInt, [&](std::int64_t n) { options.storage.busy_timeout_ms = static_cast<int>(n); });
    } else if (key == "schema") {
      status = text([&](std::string value) {
        options.storage.schema = std::move(value);
        return Status::Ok();
      });
    } else if (key == "secret_key") {
      status = text([&](std::string value) {
        options.storage.secret_key = std::move(value);
        return Status::Ok();
      });
    } else if (key == "test_clock") {
      status = text([&](const std::string& value) {
        auto time = TimeOf(value, key);
        if (!time.ok()) return time.status();
        options.test_clock = *time;
        return Status::Ok();
      });
    } else if (key == "base_url") {
      status = text([&](std::string value) {
        options.base_url = std::move(value);
        return Status::Ok();
      });
    } else {
      status = ReadRest(item, options.rest, options.scheme);
    }
    if (!status.ok()) return status;
  }
  if (options.service.default_per_page > options.service.max_per_page) {
    return InvalidArgument("default_per_page must not exceed max_per_page", "default_per_page");
  }
  return options;
}

// ---- Operation inputs ----------------------------------------------------------------------------

Result<observees::AddObserveeRequest> ReadAddRequest(const char* request_json) {
  auto text = Text(request_json, "request_json");
  if (!text.ok()) return text.status();
  auto parsed = ParseJson(*text, "request_json");
  if (!parsed.ok()) return parsed.status();
  auto object = ObjectOf(*parsed, "request_json", {"access_token", "pairing_code", "unique_id", "password"});
  if (!object.ok()) return object.status();
  observees::AddObserveeRequest request;
  for (const auto& [key, item] : **object) {
    auto value = StringOf(item, std::string(key));
    if (!value.ok()) return value.status();
    if (key == "access_token") {
      request.access_token = std::move(*value);
    } else if (key == "pairing_code") {
      request.pairing_code = std::move(*value);
    } else if (key == "unique_id") {
      request.unique_id = std::move(*value);
    } else {
      request.password = std::move(*value);
    }
  }
  return request;
}

// {"course_id": N, "user_id": N, "type": "...", "enrollment_state": "...", "course_section_id": N}.
Result<observees::EnrollmentRequest> ReadEnrollmentRequest(const char* request_json) {
  auto text = Text(request_json, "request_json");
  if (!text.ok()) return text.status();
  auto parsed = ParseJson(*text, "request_json");
  if (!parsed.ok()) return parsed.status();
  auto object =
      ObjectOf(*parsed, "request_json", {"course_id", "user_id", "type", "enrollment_state", "course_section_id"});
  if (!object.ok()) return object.status();
  observees::EnrollmentRequest request;
  bool has_course = false;
  bool has_user = false;
  for (const auto& [key, item] : **object) {
    const std::string name(key);
    if (key == "type" || key == "enrollment_state") {
      auto value = StringOf(item, name);
      if (!value.ok()) return value.status();
      (key == "type" ? request.type : request.workflow_state) = std::move(*value);
      continue;
    }
    auto id = IntegerIn(item, name, 1, kMaxInt64);
    if (!id.ok()) return id.status();
    if (key == "course_id") {
      request.course_id = *id;
      has_course = true;
    } else if (key == "user_id") {
      request.user_id = *id;
      has_user = true;
    } else {
      request.course_section_id = *id;
    }
  }
  if (!has_course || !has_user) return InvalidArgument("course_id and user_id are required", "request_json");
  return request;
}

struct Registration {
  observees::SelfRegistrationRequest request;
  std::string client_key;
};

Result<Registration> ReadRegistration(const char* request_json) {
  auto text = Text(request_json, "request_json");
  if (!text.ok()) return text.status();
  auto parsed = ParseJson(*text, "request_json");
  if (!parsed.ok()) return parsed.status();
  auto object = ObjectOf(*parsed, "request_json",
                         {"name", "sortable_name", "short_name", "unique_id", "password", "initial_enrollment_type",
                          "pairing_code", "client_key"});
  if (!object.ok()) return object.status();
  Registration registration;
  observees::SelfRegistrationRequest& r = registration.request;
  for (const auto& [key, item] : **object) {
    auto value = StringOf(item, std::string(key));
    if (!value.ok()) return value.status();
    if (key == "name") r.name = std::move(*value);
    if (key == "sortable_name") r.sortable_name = std::move(*value);
    if (key == "short_name") r.short_name = std::move(*value);
    if (key == "unique_id") r.unique_id = std::move(*value);
    if (key == "password") r.password = std::move(*value);
    if (key == "initial_enrollment_type") r.initial_enrollment_type = std::move(*value);
    if (key == "pairing_code") r.pairing_code = std::move(*value);
    if (key == "client_key") registration.client_key = std::move(*value);
  }
  return registration;
}

// [["Name","value"],...] or {"Name": "value"}.
Result<std::vector<observees::rest::Header>> ReadHeaders(const char* headers_json) {
  std::vector<observees::rest::Header> headers;
  if (headers_json == nullptr) return headers;
  auto parsed = ParseJson(headers_json, "headers_json");
  if (!parsed.ok()) return parsed.status();
  if (const json::object* object = parsed->if_object()) {
    for (const auto& [key, item] : *object) {
      auto value = StringOf(item, "headers_json." + std::string(key));
      if (!value.ok()) return value.status();
      headers.push_back({std::string(key), std::move(*value)});
    }
    return headers;
  }
  const json::array* pairs = parsed->if_array();
  if (pairs == nullptr)
    return InvalidArgument("headers_json must be an array of [name, value] pairs or an object", "headers_json");
  for (const json::value& pair : *pairs) {
    const json::array* two = pair.if_array();
    if (two == nullptr || two->size() != 2 || !(*two)[0].is_string() || !(*two)[1].is_string()) {
      return InvalidArgument("headers_json: every header must be a [name, value] pair of strings", "headers_json");
    }
    auto name = StringOf((*two)[0], "headers_json name");
    if (!name.ok()) return name.status();
    auto value = StringOf((*two)[1], "headers_json value");
    if (!value.ok()) return value.status();
    headers.push_back({std::move(*name), std::move(*value)});
  }
  return headers;
}

// ---- Outputs ----------------------------------------------------------------------------------------

Status PutUser(const obs_service* service, const Result<observees::LinkedUser>& user, char** out_json) {
  if (!user.ok()) return user.status();
  *out_json = Export(json::serialize(observees::UserJson(*user, service->base_url)));
  return Status::Ok();
}

Status PutPage(const obs_service* service, const Result<observees::UserPage>& page, char** out_json) {
  if (!page.ok()) return page.status();
  json::object body;
  body["users"] = observees::UsersJson(page->users, service->base_url);
  body["page"] = page->page;
  body["per_page"] = page->per_page;
  body["total"] = page->total;
  *out_json = Export(json::serialize(body));
  return Status::Ok();
}

using ListCall = Result<observees::UserPage> (observees::ObservationService::*)(const observees::Caller&, UserId,
                                                                                const observees::ListOptions&) const;

// The prelude every service call shares: clears `out_json`, checks the handle and the out-pointer,
// and builds the caller; then runs `body(caller)`. Exceptions become OBS_INTERNAL (Guard).
template <typename Body>
obs_status ServiceCall(obs_service* service, std::int64_t acting_user, std::int64_t domain_root_account,
                       char** out_json, Body&& body) noexcept {
  return Guard([&]() -> Status {
    ClearOut(out_json);
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_json, "out_json"));
    auto caller = CallerOf(acting_user, domain_root_account);
    if (!caller.ok()) return caller.status();
    return body(*caller);
  });
}

obs_status List(ListCall call, obs_service* service, std::int64_t acting_user, std::int64_t domain_root_account,
                std::int64_t subject, const char* subject_name, std::int32_t page, std::int32_t per_page,
                std::uint32_t flags, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto user = PathUser(subject, subject_name);
    if (!user.ok()) return user.status();
    auto options = ListOptionsOf(page, per_page, flags);
    if (!options.ok()) return options.status();
    return PutPage(service, ((*service->service).*call)(caller, *user, *options), out_json);
  });
}

// A read-only stream over the caller's bytes (no copy).
class BorrowedBytes final : public std::streambuf {
 public:
  BorrowedBytes(const char* data, std::size_t size) {
    char* begin = const_cast<char*>(data);  // never written: this buffer has no put area
    setg(begin, begin, begin + size);
  }
};

json::array SisMessagesJson(const std::vector<observees::SisImportMessage>& messages) {
  json::array out;
  for (const auto& m : messages) out.push_back(json::array{m.row, json::string(m.message)});
  return out;
}

Result<observees::AccountId> SisRootAccount(std::int64_t root_account) {
  if (root_account <= 0) return InvalidArgument("root_account must be a positive account id", "root_account");
  return root_account;
}

Status RequireTestClock(const obs_service* service) {
  if (!service->test_clock) return InvalidArgument("the service has no test clock", "service");
  return Status::Ok();
}

}  // namespace

extern "C" {

// The five functions below cannot throw: they only read constants or free memory.

uint32_t obs_version(void) { return OBS_VERSION_NUMBER; }

const char* obs_version_string(void) { return OBS_VERSION_STRING; }

int obs_disable_sqlite_memory_statistics(void) { return observees::DisableSqliteMemoryStatistics() ? 1 : 0; }

const char* obs_status_name(obs_status status) {
  switch (status) {
    case OBS_OK: return "ok";
    case OBS_INVALID_ARGUMENT: return "invalid_argument";
    case OBS_NOT_FOUND: return "not_found";
    case OBS_UNAUTHENTICATED: return "unauthenticated";
    case OBS_PERMISSION_DENIED: return "permission_denied";
    case OBS_INVALID_CODE: return "invalid_code";
    case OBS_TOO_MANY_ATTEMPTS: return "too_many_attempts";
    case OBS_UNKNOWN_OBSERVEE: return "unknown_observee";
    case OBS_INVALID_CREDENTIALS: return "invalid_credentials";
    case OBS_SELF_OBSERVATION: return "self_observation";
    case OBS_ALREADY_EXISTS: return "already_exists";
    case OBS_ABORTED: return "aborted";
    case OBS_INTERNAL: return "internal";
    case OBS_UNAVAILABLE: return "unavailable";
    case OBS_MISUSE: return "misuse";
  }
  return "unknown";
}

const char* obs_last_error(void) { return t_last_error.c_str(); }

void obs_free(void* pointer) { std::free(pointer); }

obs_status obs_service_open(const char* path, const char* options_json, obs_service** out_service) {
  return Guard([&]() -> Status {
    ClearOut(out_service);
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_service, "out_service"));
    auto db_path = Text(path, "path");
    if (!db_path.ok()) return db_path.status();
    if (db_path->empty()) return InvalidArgument("path is empty (use \":memory:\" for an in-memory database)", "path");
    auto options = ReadOptions(options_json);
    if (!options.ok()) return options.status();

    auto handle = std::make_unique<obs_service>();
    std::shared_ptr<observees::Clock> clock;
    if (options->test_clock) {
      handle->test_clock = std::make_shared<observees::FakeClock>(*options->test_clock);
      clock = handle->test_clock;
    }
    options->storage.location = std::string(*db_path);
    options->storage.clock = clock;
    auto backend = observees::OpenStorage(options->storage);
    if (!backend.ok()) return backend.status();
    handle->backend = std::move(*backend);
    auto service = observees::ObservationService::Create(handle->backend.Dependencies(clock), options->service);
    if (!service.ok()) return service.status();
    handle->service = std::shared_ptr<const observees::ObservationService>(std::move(*service));
    auto router = observees::rest::Router::Create(handle->service, handle->backend.directory,
                                                  handle->backend.authenticator, options->rest);
    if (!router.ok()) return router.status();
    handle->router = std::move(*router);
    handle->base_url = std::move(options->base_url);
    handle->scheme = std::move(options->scheme);
    handle->magic = kOpenMagic;
    *out_service = handle.release();
    return Status::Ok();
  });
}

void obs_service_close(obs_service** service) {
  // Destructors do not throw; Guard keeps even a broken invariant from escaping.
  const obs_status ignored = Guard([&]() -> Status {
    if (service == nullptr || *service == nullptr) return Status::Ok();
    OBSERVEES_RETURN_IF_ERROR(RequireService(*service));  // closing twice is a misuse too
    std::unique_ptr<obs_service> handle(*service);
    *service = nullptr;
    // Everything goes now but the emptied shell, which waits in the quarantine marked closed.
    handle->router.reset();
    handle->service.reset();
    handle->backend = observees::Storage{};
    handle->test_clock.reset();
    handle->base_url = std::string();
    handle->scheme = std::string();
    handle->magic = kClosedMagic;
    std::unique_ptr<obs_service> evicted;
    {
      const std::lock_guard lock(g_quarantine_mutex);
      Quarantine().push_back(std::move(handle));
      if (Quarantine().size() > kQuarantined) {
        evicted = std::move(Quarantine().front());
        Quarantine().pop_front();
      }
    }
    // `evicted` is freed here: from now on a call on that handle is undefined (convention 11).
    return Status::Ok();
  });
  (void)ignored;
}

obs_status obs_load_fixture(obs_service* service, const char* fixture_json) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    auto text = Text(fixture_json, "fixture_json");
    if (!text.ok()) return text.status();
    return observees::LoadFixture(service->backend, *text);
  });
}

obs_status obs_load_fixture_file(obs_service* service, const char* path) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    auto text = Text(path, "path");
    if (!text.ok()) return text.status();
    return observees::LoadFixtureFile(service->backend, std::string(*text));
  });
}

obs_status obs_service_reset(obs_service* service, const char* fixture_json_or_null) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    if (fixture_json_or_null == nullptr) return observees::ResetStorage(service->backend);
    auto text = Text(fixture_json_or_null, "fixture_json");
    if (!text.ok()) return text.status();
    return observees::ResetStorage(service->backend, *text);
  });
}

obs_status obs_list_observees(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                              int32_t page, int32_t per_page, uint32_t flags, char** out_json) {
  return List(&observees::ObservationService::ListObservees, service, acting_user, domain_root_account, observer,
              "observer", page, per_page, flags, out_json);
}

obs_status obs_list_observers(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t student,
                              int32_t page, int32_t per_page, uint32_t flags, char** out_json) {
  return List(&observees::ObservationService::ListObservers, service, acting_user, domain_root_account, student,
              "student", page, per_page, flags, out_json);
}

obs_status obs_add_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                            const char* request_json, int64_t root_account_scope, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto user = PathUser(observer, "observer");
    if (!user.ok()) return user.status();
    auto scope = ScopeOf(root_account_scope);
    if (!scope.ok()) return scope.status();
    auto request = ReadAddRequest(request_json);
    if (!request.ok()) return request.status();
    request->scope = *scope;
    return PutUser(service, service->service->AddObservee(caller, *user, *request), out_json);
  });
}

obs_status obs_show_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                             int64_t student, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto observer_id = PathUser(observer, "observer");
    if (!observer_id.ok()) return observer_id.status();
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    return PutUser(service, service->service->ShowObservee(caller, *observer_id, *student_id), out_json);
  });
}

obs_status obs_show_observer(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t student,
                             int64_t observer, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    auto observer_id = PathUser(observer, "observer");
    if (!observer_id.ok()) return observer_id.status();
    return PutUser(service, service->service->ShowObserver(caller, *student_id, *observer_id), out_json);
  });
}

obs_status obs_add_observee_by_id(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                  int64_t observer, int64_t student, int64_t root_account_scope, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto observer_id = PathUser(observer, "observer");
    if (!observer_id.ok()) return observer_id.status();
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    auto scope = ScopeOf(root_account_scope);
    if (!scope.ok()) return scope.status();
    return PutUser(service, service->service->AddObserveeById(caller, *observer_id, *student_id, *scope), out_json);
  });
}

obs_status obs_remove_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                               int64_t student, int64_t root_account_scope, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto observer_id = PathUser(observer, "observer");
    if (!observer_id.ok()) return observer_id.status();
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    auto scope = ScopeOf(root_account_scope);
    if (!scope.ok()) return scope.status();
    return PutUser(service, service->service->RemoveObservee(caller, *observer_id, *student_id, *scope), out_json);
  });
}

obs_status obs_create_pairing_code(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                   int64_t student, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    auto code = service->service->CreatePairingCode(caller, *student_id);
    if (!code.ok()) return code.status();
    *out_json = Export(json::serialize(observees::PairingCodeJson(*code)));
    return Status::Ok();
  });
}

obs_status obs_list_pairing_codes(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                  int64_t student, uint32_t states, int32_t page, int32_t per_page, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    constexpr std::uint32_t kAllStates = OBS_CODE_ACTIVE | OBS_CODE_USED | OBS_CODE_EXPIRED | OBS_CODE_REVOKED;
    if ((states & ~kAllStates) != 0) return InvalidArgument("states holds an unknown bit", "states");
    if (page < 1) return InvalidArgument("page must be 1 or more", "page");
    if (per_page < 0) return InvalidArgument("per_page must be 0 (the default) or more", "per_page");
    observees::PairingCodeListOptions options;
    if (states != 0) {
      options.states = {(states & OBS_CODE_ACTIVE) != 0, (states & OBS_CODE_USED) != 0,
                        (states & OBS_CODE_EXPIRED) != 0, (states & OBS_CODE_REVOKED) != 0};
    }
    options.page = page;
    options.per_page = per_page;
    auto listed = service->service->ListPairingCodes(caller, *student_id, options);
    if (!listed.ok()) return listed.status();
    json::array codes;
    for (const auto& code : listed->codes) codes.push_back(observees::PairingCodeDetailJson(code));
    json::object body;
    body["codes"] = std::move(codes);
    body["page"] = listed->page;
    body["per_page"] = listed->per_page;
    body["total"] = listed->total;
    *out_json = Export(json::serialize(body));
    return Status::Ok();
  });
}

obs_status obs_revoke_pairing_code(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                   int64_t student, int64_t code_id, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    if (code_id < 1) return InvalidArgument("code_id must be a positive code id", "code_id");
    auto revoked = service->service->RevokePairingCode(caller, *student_id, code_id);
    if (!revoked.ok()) return revoked.status();
    json::object body = observees::PairingCodeDetailJson(*revoked);
    body["changed"] = revoked->changed;
    *out_json = Export(json::serialize(body));
    return Status::Ok();
  });
}

obs_status obs_revoke_all_pairing_codes(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                        int64_t student, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    auto count = service->service->RevokeAllPairingCodes(caller, *student_id);
    if (!count.ok()) return count.status();
    *out_json = Export(json::serialize(json::object{{"revoked", *count}}));
    return Status::Ok();
  });
}

obs_status obs_list_enrollments(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t user,
                                char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto user_id = PathUser(user, "user");
    if (!user_id.ok()) return user_id.status();
    auto enrollments = service->service->ListEnrollments(caller, *user_id);
    if (!enrollments.ok()) return enrollments.status();
    json::array out;
    for (const auto& enrollment : *enrollments) out.push_back(observees::EnrollmentJson(enrollment));
    *out_json = Export(json::serialize(out));
    return Status::Ok();
  });
}

obs_status obs_enroll_user(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                           const char* request_json, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto request = ReadEnrollmentRequest(request_json);
    if (!request.ok()) return request.status();
    auto enrollment = service->service->EnrollUser(caller, *request);
    if (!enrollment.ok()) return enrollment.status();
    *out_json = Export(json::serialize(observees::EnrollmentJson(*enrollment)));
    return Status::Ok();
  });
}

obs_status obs_register_observer(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                 const char* request_json, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](observees::Caller& caller) -> Status {
    auto registration = ReadRegistration(request_json);
    if (!registration.ok()) return registration.status();
    caller.client_key = std::move(registration->client_key);
    return PutUser(service, service->service->RegisterObserver(caller, registration->request), out_json);
  });
}

obs_status obs_sis_import(obs_service* service, int64_t root_account, const char* csv, size_t csv_len, uint32_t flags,
                          char** out_report_json) {
  return Guard([&]() -> Status {
    ClearOut(out_report_json);
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_report_json, "out_report_json"));
    auto root = SisRootAccount(root_account);
    if (!root.ok()) return root.status();
    if (csv == nullptr && csv_len != 0) return InvalidArgument("csv is NULL", "csv");
    if ((flags & ~OBS_SIS_DRY_RUN) != 0) return InvalidArgument("unknown flags", "flags");
    BorrowedBytes bytes(csv == nullptr ? "" : csv, csv_len);
    std::istream in(&bytes);
    observees::SisImportOptions options;
    options.root_account = *root;
    options.dry_run = (flags & OBS_SIS_DRY_RUN) != 0;
    auto report = service->service->ImportUserObservers(in, options);
    if (!report.ok()) return report.status();
    json::object body;
    body["created"] = report->created;
    body["restored"] = report->restored;
    body["deleted"] = report->deleted;
    body["unchanged"] = report->unchanged;
    body["rows"] = report->rows;
    body["warnings"] = SisMessagesJson(report->warnings);
    body["errors"] = SisMessagesJson(report->errors);
    body["dry_run"] = report->dry_run;
    body["committed"] = report->committed;
    *out_report_json = Export(json::serialize(body));
    return Status::Ok();
  });
}

obs_status obs_sis_export(obs_service* service, int64_t root_account, char** out_csv) {
  return Guard([&]() -> Status {
    ClearOut(out_csv);
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_csv, "out_csv"));
    auto root = SisRootAccount(root_account);
    if (!root.ok()) return root.status();
    std::ostringstream out;
    auto exported = service->service->ExportUserObservers(out, *root);
    if (!exported.ok()) return exported.status();
    *out_csv = Export(out.str());
    return Status::Ok();
  });
}

obs_status obs_rest_handle(obs_service* service, const char* method, const char* target, const char* headers_json,
                           const char* body, size_t body_len, const char* peer, int* out_status,
                           char** out_headers_json, char** out_body) {
  return Guard([&]() -> Status {
    if (out_status != nullptr) *out_status = 0;
    ClearOut(out_headers_json);
    ClearOut(out_body);
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    if (out_status == nullptr) return InvalidArgument("out_status is NULL", "out_status");
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_headers_json, "out_headers_json"));
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_body, "out_body"));
    auto method_text = Text(method, "method");
    if (!method_text.ok()) return method_text.status();
    if (method_text->empty()) return InvalidArgument("method is empty", "method");
    auto target_text = Text(target, "target");
    if (!target_text.ok()) return target_text.status();
    if (body == nullptr && body_len != 0) return InvalidArgument("body is NULL but body_len is not 0", "body");
    std::string_view peer_text;
    if (peer != nullptr) {
      auto checked = Text(peer, "peer");
      if (!checked.ok()) return checked.status();
      peer_text = *checked;
    }
    auto headers = ReadHeaders(headers_json);
    if (!headers.ok()) return headers.status();

    observees::rest::Request request;
    request.method = std::string(*method_text);
    request.target = std::string(*target_text);
    request.headers = std::move(*headers);
    if (body_len != 0) request.body.assign(body, body_len);
    request.peer = std::string(peer_text);
    request.scheme = service->scheme;
    const observees::rest::Response response = service->router->Handle(request);

    json::array response_headers;
    for (const observees::rest::Header& header : response.headers) {
      response_headers.push_back(json::array{json::string(header.name), json::string(header.value)});
    }
    std::unique_ptr<char, decltype(&std::free)> headers_out(Export(json::serialize(response_headers)), &std::free);
    char* body_out = Export(response.body);
    *out_status = response.status;
    *out_headers_json = headers_out.release();
    *out_body = body_out;
    return Status::Ok();
  });
}

obs_status obs_clock_now(obs_service* service, char** out_iso) {
  return Guard([&]() -> Status {
    ClearOut(out_iso);
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_iso, "out_iso"));
    *out_iso = Export(observees::FormatTimestamp(service->service->clock().Now()));
    return Status::Ok();
  });
}

obs_status obs_clock_set(obs_service* service, const char* iso_time) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(RequireTestClock(service));
    auto text = Text(iso_time, "iso_time");
    if (!text.ok()) return text.status();
    auto time = TimeOf(*text, "iso_time");
    if (!time.ok()) return time.status();
    service->test_clock->Set(*time);
    return Status::Ok();
  });
}

obs_status obs_clock_advance(obs_service* service, int64_t seconds) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(RequireTestClock(service));
    const std::int64_t now = service->test_clock->Now().time_since_epoch().count();
    // Both bounds are far from int64's limits, so neither subtraction overflows.
    if (seconds > kLatestSecond - now || seconds < kEarliestSecond - now) {
      return InvalidArgument("seconds would move the clock outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z",
                             "seconds");
    }
    service->test_clock->Advance(std::chrono::seconds(seconds));
    return Status::Ok();
  });
}

}  // extern "C"
