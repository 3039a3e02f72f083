#include "options.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <utility>

#include "arguments.h"
#include "pairing_code_generator.h"

namespace observees::capi {
namespace {

namespace json = boost::json;

// The option that sets a PairingCodeOptions field, by the field name ValidatePairingCodeOptions gives.
std::string OptionOf(const std::string& field) {
  if (field == "pairing_codes.length") return "pairing_code_length";
  if (field == "pairing_codes.alphabet") return "pairing_code_alphabet";
  if (field == "pairing_codes.lifetime") return "pairing_code_lifetime_seconds";
  if (field == "pairing_codes.max_active_per_student") return "pairing_code_max_active";
  return field;
}

Status ReadLimiter(const json::value& value, AttemptLimiterOptions& limiter) {
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

Status ReadRest(const json::value& value, rest::RouterOptions& rest, std::string& scheme) {
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

}  // namespace

Result<OpenOptions> ReadOptions(const char* options_json) {
  OpenOptions options;
  if (options_json == nullptr || *options_json == '\0') return options;
  auto parsed = ParseJson(options_json, "options_json");
  if (!parsed.ok()) return parsed.status();
  auto object = ObjectOf(
      *parsed, "options_json",
      {"pairing_code_length", "pairing_code_alphabet", "pairing_code_lifetime_seconds", "pairing_code_max_active",
       "limiter", "default_per_page", "max_per_page", "min_password_length", "password_hashing", "connections",
       "busy_timeout_ms", "schema", "table_prefix", "secret_key", "test_clock", "base_url", "rest"});
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
          options.storage.password_hashing = PasswordHashing::kInteractive;
        } else if (value == "moderate") {
          options.storage.password_hashing = PasswordHashing::kModerate;
        } else if (value == "fastest") {
          options.storage.password_hashing = PasswordHashing::kFastest;
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
    } else if (key == "table_prefix") {
      status = text([&](std::string value) {
        options.storage.table_prefix = std::move(value);
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
  // The library's own rules of pairing codes (the alphabet's above all), checked now rather than when
  // the service is made, after the database is opened; the message names the option.
  if (Status codes = ValidatePairingCodeOptions(options.service.pairing_codes); !codes.ok()) {
    const std::string name = OptionOf(codes.field());
    return InvalidArgument(name + ": " + codes.message(), name);
  }
  if (options.service.default_per_page > options.service.max_per_page) {
    return InvalidArgument("default_per_page must not exceed max_per_page", "default_per_page");
  }
  return options;
}

}  // namespace observees::capi
