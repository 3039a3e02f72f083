// End-to-end tests of observees-server --harness (server/harness.h, docs/harness.md): the
// /__observees/ routes exist only with the flag, which is refused on a non-loopback address unless
// --harness-allow-remote is given; reset goes back to the --seed fixture, the clock moves expiry, the
// audit log reads back what happened, and a fixture loads on top. Every wait is bounded.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace observees::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const HeaderList kParent = {{"Authorization", "Bearer demo-parent-token"}};    // Pat Parent, id 10
const HeaderList kStudent = {{"Authorization", "Bearer demo-student-token"}};  // Sam Student, id 20
const HeaderList kJson = {{"Content-Type", "application/json"}};
constexpr const char* kObservees = "/api/v1/users/self/observees";

// A server on 127.0.0.1 with `args` after --db :memory: --listen 127.0.0.1:0 --fast-password-hashing.
struct Server {
  explicit Server(const std::vector<std::string>& args) : process(OBSERVEES_SERVER_BINARY, Args(args)) {
    port = process.WaitUntilListening();
    client = std::make_unique<HttpClient>("127.0.0.1", port);
  }
  static std::vector<std::string> Args(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--db", ":memory:", "--listen", "127.0.0.1:0", "--fast-password-hashing"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  HttpResponse Send(const std::string& method, const std::string& target, const HeaderList& headers = {},
                    const std::string& body = {}) {
    return client->Send(method, target, headers, body);
  }
  json::value Json(const std::string& method, const std::string& target, const std::string& body = {},
                   int expected_status = 200) {
    const HttpResponse response = Send(method, target, body.empty() ? HeaderList{} : kJson, body);
    INFO(method << " " << target << " -> " << response.status << " " << response.body);
    REQUIRE(response.status == expected_status);
    REQUIRE(response.Header("Content-Type").value_or("").starts_with("application/json"));
    return json::parse(response.body);
  }

  ServerProcess process;
  unsigned short port = 0;
  std::unique_ptr<HttpClient> client;
};

const std::vector<std::string> kSeededHarness = {"--seed", OBSERVEES_DEMO_FIXTURE, "--harness"};

std::vector<std::int64_t> UserIds(const std::string& body) {
  std::vector<std::int64_t> ids;
  const json::value users = json::parse(body);
  for (const json::value& user : users.as_array()) ids.push_back(user.at("id").as_int64());
  return ids;
}

std::string NewCode(Server& server) {
  const HttpResponse code = server.Send("POST", "/api/v1/users/self/observer_pairing_codes", kStudent);
  REQUIRE(code.status == 200);
  return json::value_to<std::string>(json::parse(code.body).at("code"));
}

int Redeem(Server& server, const std::string& code) {
  HeaderList form = kParent;
  form.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return server.Send("POST", kObservees, form, "pairing_code=" + code).status;
}

std::string Now(Server& server) {
  return json::value_to<std::string>(server.Json("GET", "/__observees/clock").at("now"));
}

TEST_CASE("without --harness every /__observees/ path is 404, as an unknown route", "[harness]") {
  Server server({"--seed", OBSERVEES_DEMO_FIXTURE});
  const HttpResponse unknown = server.Send("GET", "/api/v1/no-such-route");
  REQUIRE(unknown.status == 404);
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/__observees/reset"},
                                                        {"GET", "/__observees/clock"},
                                                        {"PUT", "/__observees/clock"},
                                                        {"GET", "/__observees/audit?since=0"},
                                                        {"POST", "/__observees/fixture"},
                                                        {"GET", "/__observees/"}}) {
    INFO(method << " " << target);
    const HttpResponse response = server.Send(method, target, kJson, R"({"now": "2030-01-01T00:00:00Z"})");
    CHECK(response.status == 404);
    CHECK(response.body == unknown.body);
  }
  // Nothing was reset: the fixture's link is still there.
  CHECK(UserIds(server.Send("GET", kObservees, kParent).body) == std::vector<std::int64_t>{21});
}

TEST_CASE("--harness is refused on a non-loopback address unless --harness-allow-remote", "[harness]") {
  ServerProcess refused(OBSERVEES_SERVER_BINARY, {"--db", ":memory:", "--listen", "0.0.0.0:0", "--harness"});
  const std::optional<int> code = refused.WaitForExit(20s);
  REQUIRE(code.has_value());
  CHECK(*code == 2);
  CHECK(refused.Log().find("--harness-allow-remote") != std::string::npos);

  ServerProcess alone(OBSERVEES_SERVER_BINARY, {"--db", ":memory:", "--harness-allow-remote"});
  const std::optional<int> alone_code = alone.WaitForExit(20s);
  REQUIRE(alone_code.has_value());
  CHECK(*alone_code == 2);

  ServerProcess allowed(OBSERVEES_SERVER_BINARY, {"--db", ":memory:", "--listen", "0.0.0.0:0", "--harness",
                                                  "--harness-allow-remote", "--fast-password-hashing"});
  const unsigned short port = allowed.WaitUntilListening();
  HttpClient client("127.0.0.1", port);
  CHECK(client.Send("GET", "/__observees/clock").status == 200);
}

TEST_CASE("the clock: read, set, advance; a code expires after advance; bad bodies change nothing", "[harness]") {
  Server server(kSeededHarness);
  CHECK(Now(server).size() == 20);
  CHECK(server.Json("PUT", "/__observees/clock", R"({"now": "2030-01-01T00:00:00Z"})").at("now") ==
        "2030-01-01T00:00:00Z");
  CHECK(Now(server) == "2030-01-01T00:00:00Z");  // it stands still until moved

  const HttpResponse code = server.Send("POST", "/api/v1/users/self/observer_pairing_codes", kStudent);
  REQUIRE(code.status == 200);
  CHECK(json::parse(code.body).at("expires_at") == "2030-01-08T00:00:00Z");
  CHECK(server.Json("PUT", "/__observees/clock", R"({"advance_seconds": 604800})").at("now") == "2030-01-08T00:00:00Z");
  CHECK(Redeem(server, json::value_to<std::string>(json::parse(code.body).at("code"))) == 422);  // expired

  for (const char* bad :
       {"", "{", "[]", R"({"now": "tomorrow"})", R"({"now": 5})", R"({"advance_seconds": 1.5})",
        R"({"advance_seconds": "7d"})", R"({"advance_seconds": 9000000000000})", R"({"now": "1969-12-31T23:59:59Z"})",
        R"({"now": "2030-01-01T00:00:00Z", "advance_seconds": 1})", R"({"later": 1})"}) {
    INFO(bad);
    const json::value error = server.Json("PUT", "/__observees/clock", bad, 400);
    CHECK(error.at("error").is_string());
    CHECK(Now(server) == "2030-01-08T00:00:00Z");
  }
  const HttpResponse wrong = server.Send("DELETE", "/__observees/clock");
  CHECK(wrong.status == 405);
  CHECK(wrong.Header("Allow") == "GET, PUT");
}

TEST_CASE("reset goes back to the --seed fixture in one step; the audit log reads back what happened", "[harness]") {
  Server server(kSeededHarness);
  server.Json("PUT", "/__observees/clock", R"({"now": "2031-05-01T12:00:00Z"})");
  CHECK(server.Json("GET", "/__observees/audit?since=0").as_array().empty());
  REQUIRE(Redeem(server, NewCode(server)) == 200);
  CHECK(UserIds(server.Send("GET", kObservees, kParent).body) == std::vector<std::int64_t>{21, 20});

  const json::array audit = server.Json("GET", "/__observees/audit?since=0").as_array();
  REQUIRE(audit.size() >= 2);
  const json::object& created = audit.front().as_object();
  CHECK(created.at("action") == "code_created");
  CHECK(created.at("actor") == 20);
  CHECK(created.at("observee") == 20);
  CHECK(created.at("when") == "2031-05-01T12:00:00Z");
  const json::object& linked = audit.back().as_object();
  CHECK(linked.at("how") == "pairing_code");
  CHECK(linked.at("observer") == 10);
  CHECK(linked.at("observee") == 20);
  for (const json::value& entry : audit) {
    for (const char* key : {"id", "actor", "action", "observer", "observee", "how", "when"}) {
      INFO(key);
      CHECK(entry.as_object().contains(key));
    }
  }
  const std::int64_t last = audit.back().at("id").as_int64();
  CHECK(server.Json("GET", "/__observees/audit?since=" + std::to_string(last)).as_array().empty());
  CHECK(server.Json("GET", "/__observees/audit?since=0&limit=1").as_array().size() == 1);
  for (const char* bad : {"?since=-1", "?since=x", "?limit=0", "?limit=1001", "?after=1"}) {
    INFO(bad);
    server.Json("GET", std::string("/__observees/audit") + bad, {}, 400);
  }

  const json::value reset = server.Json("POST", "/__observees/reset");
  CHECK(reset.at("reset") == true);
  CHECK(UserIds(server.Send("GET", kObservees, kParent).body) == std::vector<std::int64_t>{21});
  CHECK(server.Json("GET", "/__observees/audit?since=0").as_array().empty());
  CHECK(Now(server) == "2031-05-01T12:00:00Z");  // a reset leaves the clock alone
  CHECK(server.Send("GET", "/__observees/reset").status == 405);
  CHECK(server.Send("GET", "/__observees/nothing").status == 404);
}

TEST_CASE("a fixture loads on top, idempotently; a bad one changes nothing; reset without --seed empties",
          "[harness]") {
  Server server({"--harness"});
  const std::string fixture = R"({"accounts": [{"id": 1, "name": "A", "domains": ["127.0.0.1"]}],
    "users": [{"id": 7, "name": "Harness User", "tokens": ["harness-secret-token"]}]})";
  const HeaderList token = {{"Authorization", "Bearer harness-secret-token"}};
  CHECK(server.Send("GET", kObservees, token).status == 401);
  CHECK(server.Json("POST", "/__observees/fixture", fixture).at("loaded") == true);
  CHECK(server.Json("POST", "/__observees/fixture", fixture).at("loaded") == true);
  CHECK(server.Send("GET", kObservees, token).status == 200);

  const json::value refused =
      server.Json("POST", "/__observees/fixture", R"({"users": [{"id": 8, "name": "B", "pets": 1}]})", 400);
  CHECK(json::value_to<std::string>(refused.at("error")).find("pets") != std::string::npos);
  server.Json("POST", "/__observees/fixture", "{", 400);
  CHECK(server.Send("GET", kObservees, token).status == 200);

  CHECK(server.Json("POST", "/__observees/reset").at("seeded") == false);
  CHECK(server.Send("GET", kObservees, token).status == 401);
  CHECK(server.process.Log().find("harness-secret-token") == std::string::npos);
}

}  // namespace
}  // namespace observees::e2e
