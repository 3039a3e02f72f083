// End-to-end tests of observees-server: the real binary on an in-memory database seeded from the demo
// fixture (examples/data/demo.json), driven over HTTP/1.1. Every socket call has a timeout and every
// wait is bounded; a server still running when a test ends is killed. Catch2 assertions are not
// thread-safe, so client threads record outcomes and the test thread checks them.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "demo_server.h"
#include "http_client.h"
#include "server_process.h"

namespace observees::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The ids of a JSON array of users; empty when `body` is not one.
std::vector<std::int64_t> UserIds(const std::string& body) {
  std::vector<std::int64_t> ids;
  boost::system::error_code ec;
  const json::value value = json::parse(body, ec);
  if (ec || !value.is_array()) return ids;
  for (const json::value& user : value.as_array()) {
    if (user.is_object() && user.as_object().contains("id") && user.at("id").is_int64()) {
      ids.push_back(user.at("id").as_int64());
    }
  }
  return ids;
}

std::int64_t IdOf(const std::string& body) {
  const json::value value = json::parse(body);
  return value.at("id").as_int64();
}

std::string FirstErrorMessage(const std::string& body) {
  const json::value value = json::parse(body);
  return json::value_to<std::string>(value.at("errors").at(0).at("message"));
}

// The log's request lines (those that are not the server's own "observees-server: ..." messages).
std::vector<std::string> RequestLines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("observees-server:")) lines.push_back(line);
  }
  return lines;
}

TEST_CASE("the observees of self, with a bearer token, are a JSON array") {
  DemoServer server;
  auto client = server.Connect();
  const HttpResponse response = client->Send("GET", kObservees, kParent);
  CHECK(response.status == 200);
  CHECK(response.Header("Content-Type").value_or("").find("application/json") != std::string::npos);
  CHECK(response.Header("Content-Length") == std::to_string(response.body.size()));
  CHECK(json::parse(response.body).is_array());
  CHECK(UserIds(response.body) == std::vector<std::int64_t>{21});  // the fixture links Pat to Alex
  CHECK(response.Header("Link").has_value());

  // The same with the token as a query parameter.
  const HttpResponse by_query = client->Send("GET", std::string(kObservees) + "?access_token=demo-parent-token");
  CHECK(by_query.status == 200);
  CHECK(UserIds(by_query.body) == std::vector<std::int64_t>{21});

  // An absolute-form target (as a proxy sends) is served as its origin-form.
  const HttpResponse absolute =
      client->Send("GET", "http://127.0.0.1:" + std::to_string(server.port) + kObservees, kParent);
  CHECK(absolute.status == 200);
  CHECK(UserIds(absolute.body) == std::vector<std::int64_t>{21});
}

TEST_CASE("an anonymous request gets 401 with WWW-Authenticate") {
  DemoServer server;
  auto client = server.Connect();
  const HttpResponse response = client->Send("GET", "/api/v1/users/10/observees");
  CHECK(response.status == 401);
  CHECK(response.Header("WWW-Authenticate").has_value());
  CHECK(json::parse(response.body).is_object());

  const HttpResponse bad_token = client->Send("GET", kObservees, {{"Authorization", "Bearer no-such-token"}});
  CHECK(bad_token.status == 401);
  CHECK(bad_token.Header("WWW-Authenticate").has_value());
}

TEST_CASE("a student's pairing code links a parent, who lists and then removes the student") {
  DemoServer server;
  auto client = server.Connect();

  const HttpResponse code = client->Send("POST", "/api/v1/users/self/observer_pairing_codes", kStudent);
  REQUIRE(code.status == 200);
  const json::value code_json = json::parse(code.body);
  CHECK(code_json.at("user_id").as_int64() == 20);
  const std::string pairing_code = json::value_to<std::string>(code_json.at("code"));
  CHECK(pairing_code.size() == 6);

  const HeaderList form = With(kParent, "Content-Type", "application/x-www-form-urlencoded");
  const HttpResponse linked = client->Send("POST", kObservees, form, "pairing_code=" + pairing_code);
  REQUIRE(linked.status == 200);
  CHECK(IdOf(linked.body) == 20);

  const HttpResponse listed = client->Send("GET", kObservees, kParent);
  CHECK(listed.status == 200);
  CHECK(UserIds(listed.body) == std::vector<std::int64_t>{21, 20});  // by sortable name: "Student, Alex" first

  // A code is single use (D1).
  const HttpResponse again = client->Send("POST", kObservees, form, "pairing_code=" + pairing_code);
  CHECK(again.status == 422);

  const HttpResponse removed = client->Send("DELETE", std::string(kObservees) + "/20", form, "root_account_id=1");
  CHECK(removed.status == 200);
  CHECK(IdOf(removed.body) == 20);

  const HttpResponse after = client->Send("GET", kObservees, kParent);
  CHECK(UserIds(after.body) == std::vector<std::int64_t>{21});

  // An administrator links them by id in the second root account, with a JSON body.
  const HttpResponse by_admin =
      client->Send("PUT", "/api/v1/users/10/observees/20", With(kAdmin, "Content-Type", "application/json"),
                   R"({"root_account_id":2})");
  CHECK(by_admin.status == 200);
  CHECK(IdOf(by_admin.body) == 20);
  const json::value admin_json = json::parse(by_admin.body);
  CHECK(admin_json.at("observation_link_root_account_ids") == json::array{2});
}

TEST_CASE("keep-alive: many requests share one connection until the client asks to close") {
  DemoServer server;
  auto client = server.Connect();
  for (int i = 0; i < 20; ++i) {
    const HttpResponse response = client->Send("GET", kObservees, kParent);
    REQUIRE(response.status == 200);
    REQUIRE(response.keep_alive);
  }
  const HttpResponse last = client->Send("GET", kObservees, With(kParent, "Connection", "close"));
  CHECK(last.status == 200);
  CHECK_FALSE(last.keep_alive);
  CHECK(client->ServerCloses(5s));
}

TEST_CASE("pipelined requests are answered in order") {
  DemoServer server;
  auto client = server.Connect();
  const std::string one =
      "GET /api/v1/users/self/observees HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-parent-token\r\n\r\n";
  const std::string two = "GET /api/v1/users/10/observees HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  client->WriteRaw(one + two + one);
  const auto first = client->ReadResponse();
  const auto second = client->ReadResponse();
  const auto third = client->ReadResponse();
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(third);
  CHECK(first->status == 200);
  CHECK(second->status == 401);
  CHECK(third->status == 200);
}

TEST_CASE("50 concurrent clients, each with several keep-alive requests, are all answered correctly") {
  DemoServer server;
  constexpr int kClients = 50;
  constexpr int kRequestsEach = 10;
  std::atomic<int> correct{0};
  std::vector<std::string> failures(kClients);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      try {
        HttpClient client("127.0.0.1", server.port);
        for (int r = 0; r < kRequestsEach; ++r) {
          // Alternate two callers, so a response given to the wrong request would show.
          const bool parent = (c + r) % 2 == 0;
          const HttpResponse response = parent ? client.Send("GET", kObservees, kParent)
                                               : client.Send("GET", "/api/v1/users/20/observers", kStudent);
          const std::vector<std::int64_t> expected =
              parent ? std::vector<std::int64_t>{21} : std::vector<std::int64_t>{};
          if (response.status != 200 || UserIds(response.body) != expected || !response.keep_alive) {
            failures[c] = "request " + std::to_string(r) + ": " + std::to_string(response.status) + " " + response.body;
            return;
          }
          ++correct;
        }
      } catch (const std::exception& e) {
        failures[c] = e.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  for (int c = 0; c < kClients; ++c) {
    INFO("client " << c);
    CHECK(failures[c].empty());
  }
  CHECK(correct == kClients * kRequestsEach);
  WARN(kClients * kRequestsEach << " requests from " << kClients << " clients in " << elapsed.count() << " ms");
}

TEST_CASE("malformed and oversized requests get 4xx, and the server keeps serving") {
  DemoServer server;
  const std::string host = "Host: 127.0.0.1\r\n";

  SECTION("parse errors get 400 \"Bad request.\" and the connection closes") {
    for (const std::string& bytes :
         {std::string("\x01\x02\x03 garbage \xff\xfe\r\n\r\n"), std::string("GET\r\n\r\n"),
          std::string("GET / HTTP/9.9\r\n\r\n"),
          std::string("GET /api/v1/users/self/observees HTTP/1.1\r\nNo colon here\r\n\r\n"),
          "POST /api/v1/users/self/observees HTTP/1.1\r\n" + host + "Content-Length: ten\r\n\r\n",
          "POST /api/v1/users/self/observees HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
      INFO("request: " << bytes);
      auto client = server.Connect();
      client->WriteRaw(bytes);
      const auto response = client->ReadResponse();
      REQUIRE(response);
      CHECK(response->status == 400);
      CHECK(FirstErrorMessage(response->body) == "Bad request.");
      CHECK_FALSE(response->keep_alive);
      CHECK(client->ServerCloses(5s));
    }
  }

  SECTION("a header over 8 KiB gets 431 or a closed connection") {
    const auto response = SendRaw(server, "GET /api/v1/users/self/observees HTTP/1.1\r\n" + host +
                                              "X-Big: " + std::string(10000, 'a') + "\r\n\r\n");
    if (response) CHECK(response->status == 431);
  }

  SECTION("a body over 64 KiB gets 413 with Canvas's error body") {
    const std::string body(70 * 1024, 'a');
    const auto response = SendRaw(
        server, "POST /api/v1/users/self/observees HTTP/1.1\r\n" + host +
                    "Authorization: Bearer demo-parent-token\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
    REQUIRE(response);
    CHECK(response->status == 413);
    CHECK(response->body == R"({"errors":[{"message":"Request body too large."}]})");

    // The same, chunked: the limit is found while reading.
    std::string chunked =
        "POST /api/v1/users/self/observees HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 70; ++i) chunked += "400\r\n" + std::string(1024, 'b') + "\r\n";
    chunked += "0\r\n\r\n";
    const auto chunked_response = SendRaw(server, chunked);
    REQUIRE(chunked_response);
    CHECK(chunked_response->status == 413);
  }

  SECTION("the router's 4xx: invalid JSON, unknown routes, bad ids") {
    auto client = server.Connect();
    CHECK(client->Send("POST", kObservees, With(kParent, "Content-Type", "application/json"), "{not json").status ==
          400);
    CHECK(client->Send("GET", "/api/v1/nothing/here", kParent).status == 404);
    CHECK(client->Send("GET", "/", kParent).status == 404);
    CHECK(client->Send("GET", "/api/v1/users/abc/observees", kParent).status == 404);
    CHECK(client->Send("GET", "/api/v1/users/99999999999999999999999999/observees", kParent).status == 404);
    CHECK(client->Send("GET", "/api/v1/users/-5/observees", kParent).status == 404);
    CHECK(client->Send("DELETE", std::string(kObservees) + "/0", kParent).status == 404);
    CHECK(client->Send("GET", std::string(kObservees) + "?page=abc&per_page=%zz", kParent).status / 100 == 4);
    CHECK(client->Send("BREW", kObservees, kParent).status / 100 == 4);
    // Still the same connection: none of these closes it.
    CHECK(client->Send("GET", kObservees, kParent).status == 200);
  }

  // Whatever came before, the server still answers a normal request.
  auto client = server.Connect();
  const HttpResponse response = client->Send("GET", kObservees, kParent);
  CHECK(response.status == 200);
  CHECK(UserIds(response.body) == std::vector<std::int64_t>{21});
  CHECK_FALSE(server.process.WaitForExit(0ms).has_value());
}

TEST_CASE("slow and idle connections are closed by the timeouts") {
  DemoServer server({"--request-timeout", "1", "--idle-timeout", "1"});

  auto idle = server.Connect();
  auto slow = server.Connect();
  slow->WriteRaw("GET /api/v1/users/self/observees HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // never finished
  CHECK(idle->ServerCloses(5s));
  CHECK(slow->ServerCloses(5s));

  // An idle keep-alive connection too, after a request.
  auto kept = server.Connect();
  CHECK(kept->Send("GET", kObservees, kParent).status == 200);
  CHECK(kept->ServerCloses(5s));
}

TEST_CASE("SIGTERM: an in-flight request finishes, idle connections close, the process exits 0") {
  DemoServer server;
  auto idle = server.Connect();
  REQUIRE(idle->Send("GET", kObservees, kParent).status == 200);

  // A request whose body has not fully arrived when the signal comes.
  auto busy = server.Connect();
  busy->WriteRaw(
      "POST /api/v1/users/self/observer_pairing_codes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer demo-student-token\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 3\r\n\r\na");
  std::this_thread::sleep_for(200ms);  // let the server read the header
  server.process.Signal(SIGTERM);
  CHECK(idle->ServerCloses(5s));
  busy->WriteRaw("=b");
  const auto response = busy->ReadResponse();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK_FALSE(response->keep_alive);
  busy.reset();  // a client closes after "Connection: close"

  const auto started = std::chrono::steady_clock::now();
  const std::optional<int> exit_code = server.process.WaitForExit(10s);
  REQUIRE(exit_code.has_value());
  CHECK(*exit_code == 0);
  const double exit_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  WARN("exited " << exit_ms << " ms after the last response");

  // New connections are refused once it is gone.
  CHECK_THROWS(server.Connect());
}

TEST_CASE("the log has one line per request and never a token or a pairing code") {
  DemoServer server;
  int requests = 0;
  std::string pairing_code;
  {
    auto client = server.Connect();
    const HttpResponse code = client->Send("POST", "/api/v1/users/self/observer_pairing_codes", kStudent);
    ++requests;
    REQUIRE(code.status == 200);
    pairing_code = json::value_to<std::string>(json::parse(code.body).at("code"));
    const HeaderList form = With(kParent, "Content-Type", "application/x-www-form-urlencoded");
    CHECK(client->Send("POST", kObservees, form, "pairing_code=" + pairing_code).status == 200);
    ++requests;
    CHECK(client->Send("GET", std::string(kObservees) + "?access_token=demo-parent-token&per_page=5").status == 200);
    ++requests;
    CHECK(client
              ->Send("POST", kObservees, With(kParent, "Content-Type", "application/json"),
                     R"({"access_token":"demo-alex-token"})")
              .status == 200);
    ++requests;
    CHECK(client->Send("GET", "/api/v1/users/10/observees?access_token=demo-wrong-token").status == 401);
    ++requests;
  }
  CHECK(SendRaw(server, "GET /?access_token=demo-garbage-token HTTP/1.1\r\nBad header\r\n\r\n")->status == 400);
  ++requests;

  server.process.Signal(SIGTERM);
  REQUIRE(server.process.WaitForExit(10s) == 0);
  const std::string log = server.process.Log();
  INFO("log:\n" << log);

  const std::vector<std::string> lines = RequestLines(log);
  CHECK(static_cast<int>(lines.size()) == requests);
  const std::regex line_format(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 [A-Z-]+ /\S* \d{3} \d+\.\dms)");
  for (const std::string& line : lines) {
    INFO("line: " << line);
    CHECK(std::regex_match(line, line_format));
    CHECK(line.find('?') == std::string::npos);
  }
  for (const char* secret : {"demo-parent-token", "demo-student-token", "demo-alex-token", "demo-wrong-token",
                             "demo-garbage-token", "access_token", "Bearer"}) {
    CHECK(log.find(secret) == std::string::npos);
  }
  CHECK(log.find(pairing_code) == std::string::npos);
}

TEST_CASE("bad command lines exit 2; a bad fixture or a taken port exits 1; --help exits 0") {
  const auto run = [](const std::vector<std::string>& args) {
    ServerProcess process(OBSERVEES_SERVER_BINARY, args);
    const std::optional<int> code = process.WaitForExit(30s);
    return std::make_pair(code.value_or(-1), process.Log());
  };
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--listen", "nonsense"},
                                               {"--listen", "127.0.0.1:70000"},
                                               {"--threads", "0"},
                                               {"--no-such-flag"},
                                               {"--db"},
                                               {"positional"},
                                               {"--max-body-bytes", "-1"},
                                               {"--default-root-account", "x"}}) {
    const auto [code, log] = run(args);
    INFO("args: " << args.front() << "; stderr: " << log);
    CHECK(code == 2);
    CHECK(log.find("observees-server: ") == 0);
  }

  const auto [missing_code, missing_log] = run({"--db", ":memory:", "--seed", "/no/such/fixture.json"});
  CHECK(missing_code == 1);
  CHECK(missing_log.find("/no/such/fixture.json") != std::string::npos);

  const std::string bad_fixture =
      (std::filesystem::temp_directory_path() / ("observees-e2e-bad-" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(bad_fixture) << R"({"accounts": [{"id": 1, "colour": "blue"}]})";
  const auto [bad_code, bad_log] = run({"--db", ":memory:", "--seed", bad_fixture});
  std::filesystem::remove(bad_fixture);
  CHECK(bad_code == 1);
  CHECK(bad_log.find("accounts[0].colour") != std::string::npos);

  DemoServer first;
  const auto [taken_code, taken_log] =
      run({"--db", ":memory:", "--listen", "127.0.0.1:" + std::to_string(first.port), "--fast-password-hashing"});
  CHECK(taken_code == 1);
  CHECK(taken_log.find("cannot bind") != std::string::npos);

  ServerProcess help(OBSERVEES_SERVER_BINARY, {"--help"});
  CHECK(help.WaitForExit(10s) == 0);
  CHECK(help.RestOfOutput(5s).find("--fast-password-hashing") != std::string::npos);
}

TEST_CASE("--help names every option the README gives observees-server") {
  ServerProcess help(OBSERVEES_SERVER_BINARY, {"--help"});
  REQUIRE(help.WaitForExit(10s) == 0);
  const std::string usage = help.RestOfOutput(5s);
  std::ifstream in(std::string(OBSERVEES_SOURCE_DIR) + "/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The README's paragraphs about the server: its bullet in "HTTP, C and Python", and "Harness mode".
  const auto section = [&](const std::string& from, const std::string& to) {
    const std::size_t begin = readme.find(from);
    REQUIRE(begin != std::string::npos);
    return readme.substr(begin, readme.find(to, begin) - begin);
  };
  const std::string about = section("- **observees-server**", "- **C ABI**") + section("## Harness mode", "\n## ");
  const std::regex flag(R"(--[a-z][a-z-]+)");
  int flags = 0;
  for (auto it = std::sregex_iterator(about.begin(), about.end(), flag); it != std::sregex_iterator(); ++it, ++flags) {
    INFO(it->str());
    CHECK(usage.find(it->str()) != std::string::npos);
  }
  CHECK(flags >= 10);
}

// ---- Limits (issue 6): header count, slow clients, secrets in failing requests ----

TEST_CASE("limits: thousands of header fields get 431 or a closed connection; the server keeps serving") {
  DemoServer server;
  // The header limit is in bytes (8 KiB), which also bounds the number of fields: 4000 tiny fields
  // ("a0:1") are over it. A few hundred under it are fine.
  std::string many = "GET /api/v1/users/self/observees HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 4000; ++i) many += "a" + std::to_string(i) + ":1\r\n";
  many += "\r\n";
  const auto refused = SendRaw(server, many);
  if (refused) CHECK(refused->status == 431);

  std::string some =
      "GET /api/v1/users/self/observees HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer demo-parent-token\r\n";
  for (int i = 0; i < 300; ++i) some += "a" + std::to_string(i) + ":1\r\n";
  some += "\r\n";
  const auto answered = SendRaw(server, some);
  REQUIRE(answered);
  CHECK(answered->status == 200);

  auto client = server.Connect();
  CHECK(client->Send("GET", kObservees, kParent).status == 200);
}

TEST_CASE("limits: slow clients trickling bytes cannot hold the only worker past the request timeout") {
  DemoServer server({"--threads", "1", "--request-timeout", "2", "--idle-timeout", "2"});
  // Four slow-loris clients each send a byte of their request line every 200 ms: never a full request.
  std::atomic<bool> stop{false};
  std::atomic<int> closed{0};
  std::vector<std::thread> slow;
  for (int i = 0; i < 4; ++i) {
    slow.emplace_back([&] {
      try {
        HttpClient client("127.0.0.1", server.port, 1s);
        const std::string request =
            "GET /api/v1/users/self/observees HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + std::string(200, 'p') + "\r\n";
        const auto started = std::chrono::steady_clock::now();
        for (const char c : request) {
          if (stop || std::chrono::steady_clock::now() - started > 20s) return;
          client.WriteRaw(std::string_view(&c, 1));
          std::this_thread::sleep_for(200ms);
        }
      } catch (const std::exception&) {
        ++closed;  // the server closed the connection under us: the timeout held
      }
    });
  }
  // Meanwhile a normal client is answered promptly, more than once.
  std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 3; ++i) {
    auto client = server.Connect();
    const auto started = std::chrono::steady_clock::now();
    CHECK(client->Send("GET", kObservees, kParent).status == 200);
    CHECK(std::chrono::steady_clock::now() - started < 2s);
  }
  for (auto& thread : slow) thread.join();
  stop = true;
  // Each slow client was cut off by the 2 s request timeout, well before its 80 s request was done.
  CHECK(closed == 4);
  CHECK_FALSE(server.process.WaitForExit(0ms).has_value());
}

TEST_CASE("failing requests carrying passwords, tokens and codes leave none of them in the log or the body") {
  DemoServer server;
  const std::vector<std::string> secrets = {"pw-wrong-guess-secret", "tok-wrong-guess-secret", "Gu3ss7",
                                            "pw-new-parent-secret",  "demo-student-token",     "demo-parent-token"};
  {
    auto client = server.Connect();
    const HeaderList form = With(kParent, "Content-Type", "application/x-www-form-urlencoded");
    const HeaderList json_headers = With(kParent, "Content-Type", "application/json");
    std::vector<HttpResponse> responses;
    responses.push_back(client->Send("POST", kObservees, form, "unique_id=sam&password=pw-wrong-guess-secret"));
    responses.push_back(
        client->Send("POST", kObservees, json_headers, R"({"unique_id":"sam","password":"pw-wrong-guess-secret"})"));
    responses.push_back(client->Send("POST", kObservees, form, "access_token=tok-wrong-guess-secret"));
    responses.push_back(client->Send("POST", kObservees, form, "pairing_code=Gu3ss7"));
    responses.push_back(client->Send("POST", kObservees, json_headers, R"({"pairing_code":"Gu3ss7")"));
    responses.push_back(client->Send("POST", "/users?pseudonym[password]=pw-new-parent-secret",
                                     {{"Content-Type", "application/x-www-form-urlencoded"}},
                                     "user[name]=Fran&pseudonym[unique_id]=fran&pseudonym[password]=pw-new-parent-"
                                     "secret&pairing_code[code]=Gu3ss7"));
    responses.push_back(client->Send("GET", "/api/v1/users/self/observees?access_token=tok-wrong-guess-secret"));
    responses.push_back(client->Send("GET", kObservees, {{"Authorization", "Bearer tok-wrong-guess-secret"}}));
    responses.push_back(client->Send("POST", "/api/v1/users/21/observees", kStudent, {}));
    for (const HttpResponse& response : responses) {
      INFO("response: " << response.status << " " << response.body);
      CHECK(response.status / 100 == 4);
      for (const std::string& secret : secrets) CHECK(response.body.find(secret) == std::string::npos);
    }
  }
  server.process.Signal(SIGTERM);
  REQUIRE(server.process.WaitForExit(10s) == 0);
  const std::string log = server.process.Log();
  INFO("log:\n" << log);
  CHECK(RequestLines(log).size() == 9);
  for (const std::string& secret : secrets) CHECK(log.find(secret) == std::string::npos);
}

}  // namespace
}  // namespace observees::e2e
