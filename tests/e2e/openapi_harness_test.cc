// docs/openapi.json's harness routes against observees-server --harness (server/harness.cc): the
// documented /__observees/ paths are the ones harness.cc dispatches on (harness.h's kHarnessRoutes), on each the server
// allows exactly the documented methods (its 405 lists them in Allow), each operation's answers to a good and a bad
// request are ones the document lists, with the headers it marks required and a body of its schema, and every status it
// lists but 500 and 503 (a broken or busy database, not reachable here) is one of those answers. tests/openapi_test.cc
// checks the router's routes.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "demo_server.h"
#include "harness.h"
#include "support/openapi_document.h"

namespace observees::e2e {
namespace {

namespace json = boost::json;
using testing::OpenApiDocument;
using testing::OpenApiOperation;

const HeaderList kJson = {{"Content-Type", "application/json"}};

struct Call {
  std::string what;
  std::string target;
  std::string body;
  int expected;
};

// A good and a bad request for each harness operation, in the order they run.
std::vector<Call> CallsFor(const std::string& method, const std::string& path, const std::string& fixture) {
  if (method == "POST" && path == "/__observees/reset") return {{"a reset", path, "", 200}};
  if (method == "GET" && path == "/__observees/clock") return {{"the time", path, "", 200}};
  if (method == "PUT" && path == "/__observees/clock") {
    return {{"advance a day", path, R"({"advance_seconds": 86400})", 200},
            {"set the time", path, R"({"now": "2030-01-01T00:00:00+02:00"})", 200},
            {"both keys", path, R"({"now": "2030-01-01T00:00:00Z", "advance_seconds": 1})", 400}};
  }
  if (method == "GET" && path == "/__observees/audit") {
    return {{"the log", path + "?since=0&limit=5", "", 200}, {"a limit out of range", path + "?limit=0", "", 400}};
  }
  if (method == "POST" && path == "/__observees/fixture") {
    return {{"the demo fixture again", path, fixture, 200}, {"not a fixture", path, "{", 400}};
  }
  FAIL("no calls for " << method << " " << path << ": add them here");
  return {};
}

TEST_CASE("docs/openapi.json documents exactly the methods and answers of the harness routes", "[harness][openapi]") {
  const OpenApiDocument document(std::string(OBSERVEES_SOURCE_DIR) + "/docs/openapi.json");
  const std::string fixture = [] {
    std::ifstream in(OBSERVEES_DEMO_FIXTURE);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  REQUIRE_FALSE(fixture.empty());
  std::map<std::string, std::set<std::string>> methods;  // path -> its documented methods
  for (const OpenApiOperation& operation : document.operations()) {
    if (operation.harness_only) methods[operation.path].insert(operation.method);
  }
  REQUIRE_FALSE(methods.empty());

  // The routes Harness::Handle dispatches on (its table).
  std::set<std::string> dispatched;
  for (const server::HarnessRoute& route : server::kHarnessRoutes) {
    dispatched.insert(std::string(server::kHarnessPrefix) + std::string(route.name));
  }
  REQUIRE_FALSE(dispatched.empty());
  std::set<std::string> documented_paths;
  for (const auto& entry : methods) documented_paths.insert(entry.first);
  CHECK(documented_paths == dispatched);

  DemoServer server({"--harness"});
  auto client = server.Connect();
  // Something for the audit log to show: a code the student makes.
  REQUIRE(client->Send("POST", "/api/v1/users/self/observer_pairing_codes", kStudent).status == 200);
  REQUIRE_FALSE(json::parse(client->Send("GET", "/__observees/audit").body).as_array().empty());
  for (const auto& [path, documented] : methods) {
    // The server's 405 names the methods it answers on this path.
    const HttpResponse other = client->Send("PATCH", path);
    INFO("PATCH " << path << " -> " << other.status << " " << other.body);
    REQUIRE(other.status == 405);
    std::set<std::string> allowed;
    const std::string allow = other.Header("Allow").value_or("");
    for (std::size_t at = 0; at < allow.size();) {
      const std::size_t comma = allow.find(',', at);
      const std::size_t end = comma == std::string::npos ? allow.size() : comma;
      allowed.insert(allow.substr(at, end - at));
      at = end == allow.size() ? end : allow.find_first_not_of(' ', end + 1);
    }
    CHECK(allowed == documented);

    for (const std::string& method : documented) {
      const OpenApiOperation& operation = document.Find(method, path);
      document.CheckAnswer(operation, other.status, other.headers, other.body);
      std::set<int> seen = {other.status};
      for (const Call& call : CallsFor(method, path, fixture)) {
        const HttpResponse response =
            client->Send(method, call.target, call.body.empty() ? HeaderList{} : kJson, call.body);
        INFO(method << " " << call.target << ": " << call.what << " -> " << response.status << " " << response.body);
        CHECK(response.status == call.expected);
        document.CheckAnswer(operation, response.status, response.headers, response.body);
        seen.insert(response.status);
      }
      for (const int status : document.Statuses(operation)) {
        if (status == 500 || status == 503) continue;
        INFO(method << " " << path << " lists " << status << ", which no call produced");
        CHECK(seen.contains(status));
      }
    }
  }

  // Any other /__observees/ path is the harness's 404, in the documented error shape.
  const HttpResponse unknown = client->Send("GET", "/__observees/nothing");
  CHECK(unknown.status == 404);
  CHECK_FALSE(
      document.Mismatch(json::parse(R"({"$ref": "#/components/schemas/HarnessError"})"), json::parse(unknown.body))
          .has_value());
}

}  // namespace
}  // namespace observees::e2e
