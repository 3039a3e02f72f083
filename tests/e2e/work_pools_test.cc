// End-to-end tests of observees-server's work pools (issue 17 items 8 and 10): a database lock held by
// another process stalls writers on the write pool, never the reads; past --busy-timeout a write gets
// 503 with Retry-After, not 500, and changes nothing; password checks run on the hash pool, which
// answers 503 with Retry-After when full. The real binary, every wait bounded.
#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../support/temp_dir.h"
#include "demo_server.h"
#include "http_client.h"
#include "server_process.h"

namespace observees::e2e {
namespace {

namespace json = boost::json;

// Another process's write transaction on the server's database file, held until Release (or the
// end of the scope).
class HeldWriteLock {
 public:
  explicit HeldWriteLock(const std::string& path) : db_(path, SQLite::OPEN_READWRITE) { db_.exec("BEGIN IMMEDIATE"); }
  ~HeldWriteLock() { Release(); }
  void Release() {
    if (held_) db_.exec("ROLLBACK");
    held_ = false;
  }

 private:
  SQLite::Database db_;
  bool held_ = true;
};

std::string RawRequest(const std::string& method, const std::string& target, const std::string& token,
                       const std::string& form = {}) {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(form.size()) +
         "\r\n\r\n" + form;
}

std::vector<std::int64_t> ObserveeIds(const HttpResponse& response) {
  std::vector<std::int64_t> ids;
  const json::value users = json::parse(response.body);
  for (const json::value& user : users.as_array()) ids.push_back(user.at("id").as_int64());
  return ids;
}

bool Has(const std::vector<std::int64_t>& ids, std::int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::size_t CountOf(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

TEST_CASE("writers waiting on another process's lock hold no serving thread: a read is answered meanwhile",
          "[work_pools]") {
  storage_test::TempDir dir;
  const std::string db = (dir.path() / "observees.db").string();
  // Two serving threads and six waiting writers: before the write pool, the writers took both threads
  // and the read waited for the lock; the busy timeout is far beyond the client's 10 s.
  DemoServer server({"--db", db, "--threads", "2", "--write-threads", "2", "--busy-timeout", "120000"});
  HeldWriteLock lock(db);
  std::vector<std::unique_ptr<HttpClient>> writers;
  for (int i = 0; i < 6; ++i) {
    writers.push_back(server.Connect());
    writers.back()->WriteRaw(RawRequest("PUT", "/api/v1/users/10/observees/20", "demo-admin-token"));
  }
  auto reader = server.Connect();
  for (int i = 0; i < 3; ++i) {
    const HttpResponse listed = reader->Send("GET", kObservees, kParent);
    CHECK(listed.status == 200);
    CHECK_FALSE(Has(ObserveeIds(listed), 20));  // the writes are still waiting
  }
  lock.Release();
  for (auto& writer : writers) {
    const std::optional<HttpResponse> linked = writer->ReadResponse();
    REQUIRE(linked);
    CHECK(linked->status == 200);
  }
  CHECK(Has(ObserveeIds(reader->Send("GET", kObservees, kParent)), 20));
}

TEST_CASE("a write that waits past --busy-timeout gets 503 with Retry-After, changes nothing, and may retry",
          "[work_pools]") {
  storage_test::TempDir dir;
  const std::string db = (dir.path() / "observees.db").string();
  DemoServer server({"--db", db, "--busy-timeout", "100"});
  auto client = server.Connect();
  {
    HeldWriteLock lock(db);
    const HttpResponse busy = client->Send("PUT", "/api/v1/users/10/observees/20", kAdmin);
    CHECK(busy.status == 503);
    CHECK(busy.Header("Retry-After").has_value());
    CHECK(json::parse(busy.body).at("errors").is_array());
    CHECK(busy.keep_alive);
    CHECK_FALSE(Has(ObserveeIds(client->Send("GET", kObservees, kParent)), 20));
  }
  CHECK(client->Send("PUT", "/api/v1/users/10/observees/20", kAdmin).status == 200);
  CHECK(Has(ObserveeIds(client->Send("GET", kObservees, kParent)), 20));
}

TEST_CASE("password checks run on the hash pool: when it is full a request gets 503 with Retry-After", "[work_pools]") {
  // Real Argon2id (no --fast-password-hashing): one check takes tens of milliseconds, so the eight
  // requests below, written back to back, meet one running check and no room to wait.
  ServerProcess process(OBSERVEES_SERVER_BINARY, {"--db", ":memory:", "--seed", OBSERVEES_DEMO_FIXTURE, "--listen",
                                                  "127.0.0.1:0", "--hash-threads", "1", "--hash-queue", "0"});
  const unsigned short port = process.WaitUntilListening();
  const std::string login = "observee[unique_id]=sam&observee[password]=sam-demo-password";
  std::vector<std::unique_ptr<HttpClient>> parents;
  for (int i = 0; i < 8; ++i) parents.push_back(std::make_unique<HttpClient>("127.0.0.1", port));
  for (auto& parent : parents) parent->WriteRaw(RawRequest("POST", kObservees, "demo-parent-token", login));
  HttpClient reader("127.0.0.1", port);
  CHECK(reader.Send("GET", kObservees, kParent).status == 200);  // reads do not queue behind the checks
  int linked = 0;
  int refused = 0;
  for (auto& parent : parents) {
    const std::optional<HttpResponse> answer = parent->ReadResponse();
    REQUIRE(answer);
    if (answer->status == 503) {
      ++refused;
      CHECK(answer->Header("Retry-After") == std::optional<std::string>("1"));
      CHECK(answer->keep_alive);
    } else {
      ++linked;
      CHECK(answer->status == 200);
    }
  }
  CHECK(linked >= 1);
  CHECK(refused >= 1);
  CHECK(Has(ObserveeIds(reader.Send("GET", kObservees, kParent)), 20));
}

TEST_CASE(
    "--anonymous-max-failures: once spent, anonymous self-registration gets 429 and one warning is logged; "
    "a signed-in observer still redeems",
    "[work_pools]") {
  DemoServer server({"--anonymous-max-failures", "2", "--anonymous-window", "600"});
  auto client = server.Connect();
  const HeaderList form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    const std::string body = "user[name]=Guess&pseudonym[unique_id]=guess" + std::to_string(i) +
                             "&pseudonym[password]=guess-password-long&pairing_code[code]=WRONG" + std::to_string(i);
    statuses.push_back(client->Send("POST", "/users", form, body).status);
  }
  CHECK(statuses[0] != 429);
  CHECK(statuses[1] != 429);
  CHECK(statuses[2] == 429);
  CHECK(statuses[3] == 429);
  CHECK(CountOf(server.process.Log(), "warning:") == 1);
  // A signed-in observer keeps its own limits: a wrong code is refused as wrong, not as throttled.
  const HttpResponse signed_in = client->Send(
      "POST", kObservees, With(kParent, "Content-Type", "application/x-www-form-urlencoded"), "pairing_code=WRONG9");
  CHECK(signed_in.status != 429);
  CHECK(signed_in.status >= 400);
}

TEST_CASE("the pools' and the limiter's flags are checked like every other", "[work_pools]") {
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--hash-threads", "0"},
                                              {"--hash-threads", "65"},
                                              {"--write-threads", "x"},
                                              {"--write-queue", "-1"},
                                              {"--hash-queue", "100001"},
                                              {"--busy-timeout", "600001"},
                                              {"--anonymous-max-failures", "0"},
                                              {"--anonymous-window", "0"},
                                              {"--token-max-failures", "1000001"}}) {
    INFO(bad[0] << " " << bad[1]);
    ServerProcess process(OBSERVEES_SERVER_BINARY, {"--db", ":memory:", bad[0], bad[1]});
    CHECK(process.WaitForExit(std::chrono::seconds(10)) == std::optional<int>(2));
    CHECK_THAT(process.Log(), Catch::Contains(bad[0]));
  }
}

}  // namespace
}  // namespace observees::e2e
