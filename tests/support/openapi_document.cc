#include "support/openapi_document.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>

namespace observees::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kMethods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsTrue(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_bool() && value->as_bool();
}

std::string_view TypeOf(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "?";
}

}  // namespace

OpenApiDocument::OpenApiDocument(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  INFO("reading " << file);
  REQUIRE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code ec;
  document_ = json::parse(text, ec);
  INFO(ec.message());
  REQUIRE_FALSE(ec);
  REQUIRE(document_.is_object());
  const json::value* version = document_.as_object().if_contains("openapi");
  REQUIRE(version != nullptr);
  REQUIRE(version->is_string());
  REQUIRE(std::string_view(version->as_string()).starts_with("3.0."));
  const json::value* paths = document_.as_object().if_contains("paths");
  REQUIRE(paths != nullptr);
  REQUIRE(paths->is_object());
  for (const auto& [path, item] : paths->as_object()) {
    REQUIRE(item.is_object());
    for (const auto& [key, operation] : item.as_object()) {
      if (std::find(std::begin(kMethods), std::end(kMethods), std::string_view(key)) == std::end(kMethods)) continue;
      REQUIRE(operation.is_object());
      operations_.push_back(OpenApiOperation{Upper(key), std::string(path),
                                             IsTrue(operation.as_object(), "x-observees-harness-only"),
                                             &operation.as_object()});
    }
  }
}

const OpenApiOperation& OpenApiDocument::Find(std::string_view method, std::string_view path) const {
  for (const OpenApiOperation& operation : operations_) {
    if (operation.method == method && operation.path == path) return operation;
  }
  FAIL("docs/openapi.json has no " << method << " " << path);
  return operations_.front();
}

std::vector<int> OpenApiDocument::Statuses(const OpenApiOperation& operation) const {
  std::vector<int> statuses;
  const json::value* responses = operation.spec->if_contains("responses");
  REQUIRE(responses != nullptr);
  for (const auto& [key, response] : responses->as_object()) statuses.push_back(std::stoi(std::string(key)));
  return statuses;
}

const json::value& OpenApiDocument::Resolve(const json::value& value) const {
  const json::value* current = &value;
  for (int depth = 0; depth < 16; ++depth) {
    if (!current->is_object()) return *current;
    const json::value* ref = current->as_object().if_contains("$ref");
    if (ref == nullptr) return *current;
    REQUIRE(ref->is_string());
    const std::string_view pointer(ref->as_string());
    REQUIRE(pointer.starts_with("#/"));
    std::error_code ec;
    current = document_.find_pointer(pointer.substr(1), ec);
    INFO("$ref " << pointer);
    REQUIRE(current != nullptr);
  }
  FAIL("a $ref loop");
  return value;
}

std::optional<std::string> OpenApiDocument::Mismatch(const json::value& schema_value, const json::value& value,
                                                     const std::string& where) const {
  const json::value& resolved = Resolve(schema_value);
  REQUIRE(resolved.is_object());
  const json::object& schema = resolved.as_object();
  if (const json::value* one_of = schema.if_contains("oneOf")) {
    std::string reasons;
    for (const json::value& alternative : one_of->as_array()) {
      const auto mismatch = Mismatch(alternative, value, where);
      if (!mismatch) return std::nullopt;
      reasons += " [" + *mismatch + "]";
    }
    return where + " matches no oneOf alternative:" + reasons;
  }
  if (const json::value* all_of = schema.if_contains("allOf")) {
    // Each part describes some of the keys: merge them into one object schema.
    json::object merged{{"type", "object"}, {"properties", json::object{}}, {"required", json::array{}}};
    for (const json::value& part_value : all_of->as_array()) {
      const json::object& part = Resolve(part_value).as_object();
      if (const json::value* properties = part.if_contains("properties")) {
        for (const auto& [key, property] : properties->as_object()) merged["properties"].as_object()[key] = property;
      }
      if (const json::value* required = part.if_contains("required")) {
        for (const json::value& key : required->as_array()) merged["required"].as_array().push_back(key);
      }
    }
    return Mismatch(merged, value, where);
  }
  if (value.is_null()) {
    if (IsTrue(schema, "nullable") || !schema.contains("type")) return std::nullopt;
    return where + " is null, which its schema does not allow";
  }
  if (const json::value* type = schema.if_contains("type")) {
    const std::string_view expected(type->as_string());
    const std::string_view actual = TypeOf(value);
    if (actual != expected && !(expected == "number" && actual == "integer")) {
      return where + " is " + std::string(actual) + ", not " + std::string(expected);
    }
  }
  if (const json::value* allowed = schema.if_contains("enum")) {
    const auto& values = allowed->as_array();
    if (std::find(values.begin(), values.end(), value) == values.end()) {
      return where + " is " + json::serialize(value) + ", not one of " + json::serialize(*allowed);
    }
  }
  if (value.is_array()) {
    if (const json::value* items = schema.if_contains("items")) {
      for (std::size_t i = 0; i < value.as_array().size(); ++i) {
        if (auto mismatch = Mismatch(*items, value.as_array()[i], where + "[" + std::to_string(i) + "]"))
          return mismatch;
      }
    }
  }
  if (value.is_object()) {
    const json::object& object = value.as_object();
    if (const json::value* required = schema.if_contains("required")) {
      for (const json::value& key : required->as_array()) {
        if (!object.contains(key.as_string())) return where + " lacks the required key " + json::serialize(key);
      }
    }
    const json::value* properties = schema.if_contains("properties");
    const json::value* additional = schema.if_contains("additionalProperties");
    for (const auto& [key, member] : object) {
      const std::string at = where + "." + std::string(key);
      if (properties != nullptr && properties->as_object().contains(key)) {
        if (auto mismatch = Mismatch(properties->as_object().at(key), member, at)) return mismatch;
      } else if (additional != nullptr && additional->is_object()) {
        if (auto mismatch = Mismatch(*additional, member, at)) return mismatch;
      } else {
        return at + " is not in the schema";
      }
    }
  }
  return std::nullopt;
}

void OpenApiDocument::CheckAnswer(const OpenApiOperation& operation, int status,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::string_view body) const {
  INFO(operation.method << " " << operation.path << " answered " << status << " " << body);
  const json::object& responses = operation.spec->at("responses").as_object();
  const json::value* documented = responses.if_contains(std::to_string(status));
  CHECK(documented != nullptr);
  if (documented == nullptr) return;
  const json::object& response = Resolve(*documented).as_object();
  if (const json::value* documented_headers = response.if_contains("headers")) {
    for (const auto& [name, header] : documented_headers->as_object()) {
      if (!IsTrue(Resolve(header).as_object(), "required")) continue;
      const bool present = std::any_of(headers.begin(), headers.end(),
                                       [&](const auto& pair) { return EqualsIgnoringCase(pair.first, name); });
      INFO("the required header " << std::string_view(name));
      CHECK(present);
    }
  }
  const json::value* content = response.if_contains("content");
  if (content == nullptr) return;
  const json::value* media = content->as_object().if_contains("application/json");
  REQUIRE(media != nullptr);
  const auto type = std::find_if(headers.begin(), headers.end(),
                                 [](const auto& pair) { return EqualsIgnoringCase(pair.first, "Content-Type"); });
  CHECK(type != headers.end());
  if (type != headers.end()) CHECK(type->second.starts_with("application/json"));
  std::error_code ec;
  const json::value parsed = json::parse(body, ec);
  CHECK_FALSE(ec);
  if (ec) return;
  const auto mismatch = Mismatch(media->as_object().at("schema"), parsed);
  INFO(mismatch.value_or(""));
  CHECK_FALSE(mismatch.has_value());
}

}  // namespace observees::testing
