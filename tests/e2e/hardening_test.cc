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

}  // namespace
}  // namespace observees::e2e
