// docs/openapi.json as the tests that keep it true read it (tests/openapi_test.cc against the router,
// tests/e2e/openapi_harness_test.cc against observees-server --harness): its operations, and a check
// that an answer is one the document lists for its operation. Single-threaded test helper.
//
// The body check covers the subset of OpenAPI 3.0 schemas the document uses: $ref, oneOf, allOf, type
// (with nullable), enum, required, properties, additionalProperties, items. An object may hold only
// keys its schema lists (in properties, or under an additionalProperties schema): the document states
// every key the router writes.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace observees::testing {

struct OpenApiOperation {
  std::string method;                         // upper case, "GET"
  std::string path;                           // the path template, "/api/v1/users/{user_id}/observees"
  bool harness_only = false;                  // x-observees-harness-only: served only by observees-server --harness
  const boost::json::object* spec = nullptr;  // the operation object, inside the document
};

class OpenApiDocument {
 public:
  // Reads and parses the document at `path` (REQUIREs a JSON object with "openapi" 3.0.x and "paths").
  explicit OpenApiDocument(const std::string& path);
  OpenApiDocument(const OpenApiDocument&) = delete;
  OpenApiDocument& operator=(const OpenApiDocument&) = delete;

  // Every operation, in the document's order.
  const std::vector<OpenApiOperation>& operations() const { return operations_; }
  // The operation of `method` (upper case) on `path` (REQUIREs that there is one).
  const OpenApiOperation& Find(std::string_view method, std::string_view path) const;

  // The HTTP statuses `operation` lists ("200", "404", ...), in the document's order.
  std::vector<int> Statuses(const OpenApiOperation& operation) const;

  // CHECKs that `operation` lists `status`, that `headers` hold every header the document marks
  // required for that response, and that a response documented as JSON has a JSON Content-Type and a
  // `body` of the response's schema.
  void CheckAnswer(const OpenApiOperation& operation, int status,
                   const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body) const;

  // Why `value` does not match `schema` (a schema object of this document), or nullopt when it does.
  std::optional<std::string> Mismatch(const boost::json::value& schema, const boost::json::value& value,
                                      const std::string& where = "body") const;

  // `value` with any {"$ref": "#/..."} followed (REQUIREs that the reference resolves).
  const boost::json::value& Resolve(const boost::json::value& value) const;
  // The whole document.
  const boost::json::object& root() const { return document_.as_object(); }

 private:
  boost::json::value document_;
  std::vector<OpenApiOperation> operations_;
};

}  // namespace observees::testing
