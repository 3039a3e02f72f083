// What the end-to-end tests share: the demo fixture's credentials and a running observees-server on
// 127.0.0.1 seeded from it (examples/data/demo.json, an in-memory database, fast password hashing).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace observees::e2e {

inline const HeaderList kParent = {{"Authorization", "Bearer demo-parent-token"}};    // Pat Parent, id 10
inline const HeaderList kStudent = {{"Authorization", "Bearer demo-student-token"}};  // Sam Student, id 20
inline const HeaderList kAdmin = {{"Authorization", "Bearer demo-admin-token"}};      // Ada Admin, id 1
inline constexpr const char* kObservees = "/api/v1/users/self/observees";

inline HeaderList With(HeaderList headers, std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return headers;
}

// A running server with the demo fixture, plus `extra` arguments.
struct DemoServer {
  explicit DemoServer(const std::vector<std::string>& extra = {}) : process(OBSERVEES_SERVER_BINARY, Args(extra)) {
    port = process.WaitUntilListening();
  }

  static std::vector<std::string> Args(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {
        "--db", ":memory:", "--seed", OBSERVEES_DEMO_FIXTURE, "--listen", "127.0.0.1:0", "--fast-password-hashing"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::unique_ptr<HttpClient> Connect() const { return std::make_unique<HttpClient>("127.0.0.1", port); }

  ServerProcess process;
  unsigned short port = 0;
};

// Writes `bytes` on a new connection and returns the response, if one comes before the server closes.
inline std::optional<HttpResponse> SendRaw(const DemoServer& server, const std::string& bytes) {
  auto client = server.Connect();
  client->WriteRaw(bytes);
  return client->ReadResponse();
}

}  // namespace observees::e2e
