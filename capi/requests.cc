#include "requests.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "arguments.h"

namespace observees::capi {

namespace json = boost::json;

namespace {

// `request_json` (required) parsed into `parsed`: an object whose keys are all among `keys`.
Result<const json::object*> RequestObject(const char* request_json, json::value& parsed,
                                          std::initializer_list<std::string_view> keys) {
  auto text = Text(request_json, "request_json");
  if (!text.ok()) return text.status();
  auto value = ParseJson(*text, "request_json");
  if (!value.ok()) return value.status();
  parsed = std::move(*value);
  return ObjectOf(parsed, "request_json", keys);
}

}  // namespace

Result<AddObserveeRequest> ReadAddRequest(const char* request_json) {
  json::value parsed;
  auto object = RequestObject(request_json, parsed, {"access_token", "pairing_code", "unique_id", "password"});
  if (!object.ok()) return object.status();
  AddObserveeRequest request;
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

Result<EnrollmentRequest> ReadEnrollmentRequest(const char* request_json) {
  json::value parsed;
  auto object =
      RequestObject(request_json, parsed, {"course_id", "user_id", "type", "enrollment_state", "course_section_id"});
  if (!object.ok()) return object.status();
  EnrollmentRequest request;
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

Result<Registration> ReadRegistration(const char* request_json) {
  json::value parsed;
  auto object = RequestObject(request_json, parsed,
                              {"name", "sortable_name", "short_name", "unique_id", "password",
                               "initial_enrollment_type", "pairing_code", "client_key"});
  if (!object.ok()) return object.status();
  Registration registration;
  SelfRegistrationRequest& r = registration.request;
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

Result<std::vector<rest::Header>> ReadHeaders(const char* headers_json) {
  std::vector<rest::Header> headers;
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

// Ranges the library checks again are refused here first, naming the key.
Result<SisImportOptions> ReadSisOptions(const char* options_json) {
  SisImportOptions options;
  if (options_json == nullptr || *options_json == '\0') return options;
  auto parsed = ParseJson(options_json, "options_json");
  if (!parsed.ok()) return parsed.status();
  auto object = ObjectOf(*parsed, "options_json",
                         {"dry_run", "actor", "batch_mode", "diffing_data_set_identifier", "change_threshold"});
  if (!object.ok()) return object.status();
  for (const auto& entry : **object) {
    const std::string key(entry.key());
    const json::value& item = entry.value();
    if (key == "dry_run" || key == "batch_mode") {
      auto flag = BooleanOf(item, key);
      if (!flag.ok()) return flag.status();
      (key == "dry_run" ? options.dry_run : options.batch_mode) = *flag;
    } else if (key == "actor") {
      auto actor = IntegerIn(item, key, 1, kMaxInt64);
      if (!actor.ok()) return actor.status();
      options.actor = *actor;
    } else if (key == "change_threshold") {
      auto threshold = IntegerIn(item, key, 1, 100);
      if (!threshold.ok()) return threshold.status();
      options.change_threshold = static_cast<int>(*threshold);
    } else {
      auto data_set = StringOf(item, key);
      if (!data_set.ok()) return data_set.status();
      options.diffing_data_set_identifier = std::move(*data_set);
    }
  }
  return options;
}

}  // namespace observees::capi
