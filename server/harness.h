// observees-server's harness mode (--harness): a control surface for tests of apps built on the API,
// JSON routes under /__observees/ that no Canvas route uses (docs/harness.md gives every shape):
//   POST /__observees/reset     every table emptied and the --seed fixture loaded again, one transaction
//   GET  /__observees/clock     {"now": ISO 8601 UTC}
//   PUT  /__observees/clock     {"now": "..."} or {"advance_seconds": N}: set or move the clock
//   GET  /__observees/audit     ?since=ID&limit=N: the audit entries after ID, ascending
//   POST /__observees/fixture   a fixture loaded on top (idempotent, as --seed)
// The service runs on the harness's clock, which stands still until PUT moves it (expiry, the attempt
// limiter's windows and every timestamp the API returns follow it). Without --harness the server
// builds no Harness and /__observees/ paths reach the router, which answers 404. Thread-safe.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "observees/clock.h"
#include "observees/rest.h"
#include "observees/status.h"
#include "observees/storage.h"

namespace observees::server {

inline constexpr char kHarnessPrefix[] = "/__observees/";

// The routes under kHarnessPrefix and the methods each answers (others get 405 with this Allow list):
// what Harness::Handle dispatches on, and what docs/openapi.json documents (a test compares them).
enum class HarnessOp { kReset, kClock, kAudit, kFixture };
struct HarnessRoute {
  std::string_view name;   // the path after kHarnessPrefix
  std::string_view allow;  // "GET, PUT"
  HarnessOp op;
};
inline constexpr HarnessRoute kHarnessRoutes[] = {{"reset", "POST", HarnessOp::kReset},
                                                  {"clock", "GET, PUT", HarnessOp::kClock},
                                                  {"audit", "GET", HarnessOp::kAudit},
                                                  {"fixture", "POST", HarnessOp::kFixture}};

// OK for a loopback endpoint, or for any with `allow_remote` (--harness-allow-remote); otherwise
// kInvalidArgument saying why: the harness lets any client erase the data and move the clock.
Status CheckHarnessEndpoint(const boost::asio::ip::tcp::endpoint& endpoint, bool allow_remote);

class Harness {
 public:
  // `seed_json`: the --seed fixture's text, loaded again by every reset; none: a reset empties.
  Harness(Storage storage, std::shared_ptr<FakeClock> clock, std::optional<std::string> seed_json);

  // The answer to a request whose path starts with kHarnessPrefix; nullopt for any other request.
  // Never throws.
  std::optional<rest::Response> Handle(const rest::Request& request) const noexcept;

 private:
  rest::Response Reset() const;
  rest::Response Clock(const rest::Request& request) const;
  rest::Response Audit(const std::string& query) const;
  rest::Response Fixture(const rest::Request& request) const;

  Storage storage_;
  std::shared_ptr<FakeClock> clock_;
  std::optional<std::string> seed_json_;
};

}  // namespace observees::server
