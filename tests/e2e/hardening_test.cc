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

}  // namespace
}  // namespace observees::e2e
