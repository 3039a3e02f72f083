// End-to-end tests of observees-server's hardening (issue 17): secrets in request targets, request
// smuggling through Transfer-Encoding, the connection cap, the at-rest key file, client addresses
// behind proxies and the fixture size cap. The real binary, every wait bounded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "demo_server.h"
#include "http_client.h"
#include "server_process.h"

namespace observees::e2e {
namespace {

using namespace std::chrono_literals;

// Plain sockets connected to the server that never send a byte: idle connections, one descriptor
// each. Closed when the set goes.
class IdleConnections {
 public:
  IdleConnections(unsigned short port, int count) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < count; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) throw std::runtime_error("socket failed");
      fds_.push_back(fd);
      if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        throw std::runtime_error("connect failed");
      }
    }
  }
  ~IdleConnections() {
    for (int fd : fds_) ::close(fd);
  }
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

  // Whether the server closes connection `i` (end of stream or reset, after any bytes) within `within`.
  bool ClosedByServer(std::size_t i, std::chrono::milliseconds within) const {
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd poll_fd{fds_.at(i), POLLIN, 0};
      if (left.count() <= 0 || ::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return false;
      char scratch[512];
      if (::recv(fds_[i], scratch, sizeof(scratch), MSG_DONTWAIT) <= 0) return true;
    }
  }

  std::size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

TEST_CASE("a target with a user name and password gets 400 and the password never reaches the log") {
  DemoServer server;
  for (const char* target : {"http://user:hunter2@127.0.0.1/api/v1/users/self/observees",
                             "HTTPS://hunter2@example.com?access_token=x", "http://a:hunter2@b:hunter2@host/"}) {
    INFO(target);
    const auto response = SendRaw(server, std::string("GET ") + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(response->body.find("hunter2") == std::string::npos);
  }
  // A malformed request after such a target is logged too (as 400): still without the password.
  CHECK(SendRaw(server, "GET http://user:hunter2@host/ HTTP/1.1\r\nBad header\r\n\r\n")->status == 400);
  CHECK(server.Connect()->Send("GET", kObservees, kParent).status == 200);  // still serving

  server.process.Signal(SIGTERM);
  REQUIRE(server.process.WaitForExit(10s) == 0);
  const std::string log = server.process.Log();
  CHECK(log.find(" 400 ") != std::string::npos);
  CHECK(log.find("hunter2") == std::string::npos);
  CHECK(log.find("http://host/") != std::string::npos);  // the userinfo is dropped, the rest kept
}

TEST_CASE("Transfer-Encoding other than chunked gets 400 or 501 and the smuggled request is never answered") {
  DemoServer server;
  const std::string smuggled =
      "GET /api/v1/users/self/observees HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-parent-token\r\n\r\n";
  for (const auto& [coding, status] : {std::pair<std::string, int>{"gzip", 400},
                                       {"identity", 400},
                                       {"chunked, gzip", 400},
                                       {"gzip, chunked", 501},
                                       {"chunked, chunked", 400},
                                       {"chunked\r\nTransfer-Encoding: gzip", 400}}) {
    INFO("Transfer-Encoding: " << coding);
    auto client = server.Connect();
    client->WriteRaw(
        "POST /api/v1/users/self/observer_pairing_codes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer demo-student-token\r\nTransfer-Encoding: " +
        coding + "\r\n\r\n" + smuggled);
    const auto response = client->ReadResponse();
    REQUIRE(response);
    CHECK(response->status == status);
    CHECK_FALSE(response->keep_alive);
    CHECK_FALSE(client->ReadResponse());  // the bytes after the header are not a second request
  }
  // chunked alone still works.
  auto client = server.Connect();
  client->WriteRaw(
      "GET /api/v1/users/self/observees HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer demo-parent-token\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  const auto chunked = client->ReadResponse();
  REQUIRE(chunked);
  CHECK(chunked->status == 200);
}

TEST_CASE("--max-connections: a new connection closes the oldest idle ones; a request is still answered") {
  DemoServer server({"--max-connections", "8"});
  IdleConnections idle(server.port, 20);
  const HttpResponse response = server.Connect()->Send("GET", kObservees, kParent);
  CHECK(response.status == 200);
  for (std::size_t i = 0; i < 12; ++i) {
    INFO("idle connection " << i);
    CHECK(idle.ClosedByServer(i, 5s));
  }
  CHECK_FALSE(idle.ClosedByServer(idle.size() - 1, 200ms));  // the newest stays
  CHECK(server.Connect()->Send("GET", kObservees, kParent).status == 200);
  CHECK(server.process.WaitForExit(0ms) == std::nullopt);
}

TEST_CASE("at a file-descriptor limit of 128, 300 idle connections do not lock out a request") {
  // The child inherits the limit; the default cap is then 64 connections.
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit lowered = saved;
  lowered.rlim_cur = 128;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  std::optional<DemoServer> server;
  try {
    server.emplace();
  } catch (...) {
    ::setrlimit(RLIMIT_NOFILE, &saved);
    throw;
  }
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);

  IdleConnections idle(server->port, 300);
  const auto start = std::chrono::steady_clock::now();
  CHECK(server->Connect()->Send("GET", kObservees, kParent).status == 200);
  WARN("a request after 300 idle connections at 128 descriptors: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
       << " ms");
  CHECK(idle.ClosedByServer(0, 5s));
  CHECK(server->process.WaitForExit(0ms) == std::nullopt);
}

// ---- The at-rest key file ----

// A temporary directory for key files and a database file, removed with everything in it.
struct TempDir {
  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "observees-e2e-key-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  // Writes `text` to file `name` with `mode`; returns its path.
  std::string Write(const std::string& name, const std::string& text, std::filesystem::perms mode) const {
    const std::string file = (path / name).string();
    std::ofstream(file) << text;
    std::filesystem::permissions(file, mode);
    return file;
  }
  std::filesystem::path path;
};

constexpr auto kOwnerOnly = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
const std::string kKeyA = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
const std::string kKeyB = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

std::string NewCode(const DemoServer& server) {
  const HttpResponse code = server.Connect()->Send("POST", "/api/v1/users/self/observer_pairing_codes", kStudent);
  REQUIRE(code.status == 200);
  return boost::json::value_to<std::string>(boost::json::parse(code.body).at("code"));
}

HttpResponse Redeem(const DemoServer& server, const std::string& code) {
  return server.Connect()->Send("POST", kObservees, With(kParent, "Content-Type", "application/x-www-form-urlencoded"),
                                "pairing_code=" + code);
}

void Stop(DemoServer& server) {
  server.process.Signal(SIGTERM);
  REQUIRE(server.process.WaitForExit(10s) == 0);
}

TEST_CASE("--secret-key-file: codes redeem after a restart with the same key, not with another") {
  TempDir dir;
  const std::string db = (dir.path / "observees.db").string();
  const std::string key_a = dir.Write("a.key", kKeyA, kOwnerOnly);
  const std::string key_b = dir.Write("b.key", kKeyB, kOwnerOnly);
  std::string kept;
  std::string other;
  {
    DemoServer first({"--db", db, "--secret-key-file", key_a});
    kept = NewCode(first);
    other = NewCode(first);
    Stop(first);
    const std::string log = first.process.Log();
    CHECK(log.find("observees-server: at-rest key: from file " + key_a + "\n") != std::string::npos);
    CHECK(log.find("0011223344") == std::string::npos);
  }
  {
    DemoServer same({"--db", db, "--secret-key-file", key_a});
    CHECK(Redeem(same, kept).status == 200);
    Stop(same);
  }
  {
    DemoServer another({"--db", db, "--secret-key-file", key_b});
    // Under another key the stored code matches nothing: it answers like a code that never existed.
    const HttpResponse refused = Redeem(another, other);
    const HttpResponse unknown = Redeem(another, "Zz9Qq8");
    CHECK(refused.status == 422);
    CHECK(refused.status == unknown.status);
    CHECK(refused.body == unknown.body);
    Stop(another);
  }
}

TEST_CASE("without a key file the server says that the key lives in the database") {
  DemoServer server;
  Stop(server);
  CHECK(server.process.Log().find("observees-server: at-rest key: stored in the database (use --secret-key-file in "
                                  "production)\n") != std::string::npos);
}

TEST_CASE("a bad key file is refused with a clear error that never repeats the key; the variable names one") {
  TempDir dir;
  const auto refused = [](const std::vector<std::string>& extra) {
    ServerProcess process(OBSERVEES_SERVER_BINARY, DemoServer::Args(extra));
    const std::optional<int> code = process.WaitForExit(30s);
    return std::make_pair(code.value_or(-1), process.Log());
  };
  const std::string open = dir.Write("open.key", kKeyB, kOwnerOnly | std::filesystem::perms::others_read);
  const std::string short_key = dir.Write("short.key", "abcdef0123\n", kOwnerOnly);
  const std::string not_hex = dir.Write("text.key", std::string(64, 'z'), kOwnerOnly);
  const std::string empty = dir.Write("empty.key", "", kOwnerOnly);
  for (const auto& [file, problem] : {std::pair<std::string, std::string>{open, "other users may read"},
                                      {short_key, "must hold 64 hex digits"},
                                      {not_hex, "must hold 64 hex digits"},
                                      {empty, "must hold 64 hex digits"},
                                      {(dir.path / "missing.key").string(), "cannot open"},
                                      {dir.path.string(), "not a regular file"}}) {
    INFO(file);
    const auto [code, log] = refused({"--secret-key-file", file});
    CHECK(code == 1);
    CHECK(log.find("at-rest key file " + file + ": " + problem) != std::string::npos);
    CHECK(log.find("abcdef0123") == std::string::npos);
    CHECK(log.find("zzzz") == std::string::npos);
    CHECK(log.find("ffeedd") == std::string::npos);
  }
  ::setenv("OBSERVEES_SECRET_KEY_FILE", short_key.c_str(), 1);
  const auto [env_code, env_log] = refused({});
  ::unsetenv("OBSERVEES_SECRET_KEY_FILE");
  CHECK(env_code == 1);
  CHECK(env_log.find("at-rest key file " + short_key + ": must hold 64 hex digits") != std::string::npos);
}

// ---- Client addresses, the pairing code length, the fixture size ----

// An observer self-registration (POST /users) with a wrong pairing code, as if from `forwarded_for`.
int BadSelfRegistration(const DemoServer& server, const std::string& forwarded_for) {
  const HeaderList headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                              {"X-Forwarded-For", forwarded_for}};
  return server.Connect()
      ->Send("POST", "/users", headers,
             "user[name]=Fran+Fresh&pseudonym[unique_id]=fran&pseudonym[password]=pw-fran-new-secret"
             "&pairing_code[code]=Bad001")
      .status;
}

TEST_CASE("--trusted-proxy: X-Forwarded-For from a trusted peer keys the limiter; from another it is ignored") {
  constexpr int kLimit = 10;  // AttemptLimiterOptions::max_failures
  SECTION("trusted: two clients behind the proxy are limited separately, and logged by their address") {
    DemoServer server({"--trusted-proxy", "10.9.9.9,127.0.0.1"});
    for (int i = 0; i < kLimit; ++i) CHECK(BadSelfRegistration(server, "6.6.6.6, 203.0.113.1") == 400);
    CHECK(BadSelfRegistration(server, "203.0.113.1") == 429);
    CHECK(BadSelfRegistration(server, "203.0.113.2") == 400);
    CHECK(BadSelfRegistration(server, "2001:db8:0:1::1") == 400);
    Stop(server);
    const std::string log = server.process.Log();
    CHECK(log.find(" 203.0.113.1 POST /users 429 ") != std::string::npos);
    CHECK(log.find(" 2001:db8:0:1::1 POST /users 400 ") != std::string::npos);
    CHECK(log.find("6.6.6.6") == std::string::npos);
  }
  SECTION("not trusted (the default): the header changes nothing") {
    DemoServer server;
    for (int i = 0; i < kLimit; ++i) CHECK(BadSelfRegistration(server, "203.0.113." + std::to_string(i)) == 400);
    CHECK(BadSelfRegistration(server, "203.0.113.99") == 429);
    Stop(server);
    CHECK(server.process.Log().find("203.0.113.") == std::string::npos);
  }
}

TEST_CASE("--code-length: new pairing codes have that many characters; out of 4..10 is a usage error") {
  DemoServer server({"--code-length", "10"});
  CHECK(NewCode(server).size() == 10);
  for (const char* bad : {"3", "11", "x"}) {
    ServerProcess process(OBSERVEES_SERVER_BINARY, {"--code-length", bad});
    CHECK(process.WaitForExit(30s) == 2);
    CHECK(process.Log().find("--code-length wants a number in 4..10") != std::string::npos);
  }
}

TEST_CASE("--seed /dev/zero is refused, naming the fixture size limit") {
  ServerProcess process(OBSERVEES_SERVER_BINARY, {"--db", ":memory:", "--seed", "/dev/zero"});
  CHECK(process.WaitForExit(60s) == 1);
  CHECK(process.Log().find("/dev/zero is larger than the limit of 64 MiB") != std::string::npos);
}

}  // namespace
}  // namespace observees::e2e
