#include "harness.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <exception>
#include <iterator>
#include <string_view>
#include <system_error>
#include <utility>

#include "observees/fixture.h"
#include "observees/timestamp.h"
#include "options.h"
#include "storage/audit_text.h"
#include "text.h"

namespace observees::server {
namespace {

namespace json = boost::json;

// The clock's range, as the C ABI's obs_clock_*: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr std::int64_t kEarliestSecond = 0;
constexpr std::int64_t kLatestSecond = 253402300799;
constexpr int kMaxAuditLimit = 1000;

rest::Response JsonResponse(int status, const json::value& body) {
  rest::Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  response.headers.push_back({"Cache-Control", "no-store"});
  response.body = json::serialize(body);
  return response;
}

rest::Response Error(int status, std::string_view message) {
  return JsonResponse(status, json::object{{"error", message}});
}

// A failed library call: 400 for bad input (the message names it, never a secret), 503 for a busy
// database, 500 otherwise.
rest::Response ErrorFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return Error(400, status.message());
    case StatusCode::kNotFound: return Error(400, status.message());
    case StatusCode::kUnavailable: return Error(503, status.message());
    default: return Error(500, status.message());
  }
}

// Whether `method` is one of the comma-separated `allow` list ("GET, PUT").
bool Allows(std::string_view allow, std::string_view method) {
  while (!allow.empty()) {
    const std::size_t comma = allow.find(',');
    if (TrimAscii(allow.substr(0, comma), kHttpWhitespace) == method) return true;
    allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 1);
  }
  return false;
}

rest::Response MethodNotAllowed(std::string_view allow) {
  rest::Response response = Error(405, "method not allowed; use " + std::string(allow));
  response.headers.push_back({"Allow", std::string(allow)});
  return response;
}

json::value NowBody(Timestamp now) { return json::object{{"now", FormatTimestamp(now)}}; }

json::value OptionalId(const std::optional<std::int64_t>& id) { return id ? json::value(*id) : json::value(nullptr); }

json::value AuditJson(const AuditEntry& entry) {
  return json::object{{"id", entry.id},
                      {"actor", OptionalId(entry.actor)},
                      {"action", AuditActionText(entry.action)},
                      {"observer", OptionalId(entry.observer_id)},
                      {"observee", entry.student_id},
                      {"how", LinkMethodText(entry.method)},
                      {"when", FormatTimestamp(entry.at)},
                      {"root_account_id", OptionalId(entry.root_account_id)},
                      {"link_id", OptionalId(entry.link_id)},
                      {"code_id", OptionalId(entry.code_id)}};
}

}  // namespace

Status CheckHarnessEndpoint(const boost::asio::ip::tcp::endpoint& endpoint, bool allow_remote) {
  if (allow_remote || endpoint.address().is_loopback()) return Status::Ok();
  return InvalidArgument(
      "--harness lets any client erase the data and move the clock, so it listens on a loopback "
      "address only (e.g. --listen 127.0.0.1:0), not " +
      endpoint.address().to_string() + "; add --harness-allow-remote if you mean it");
}

Harness::Harness(Storage storage, std::shared_ptr<FakeClock> clock, std::optional<std::string> seed_json)
    : storage_(std::move(storage)), clock_(std::move(clock)), seed_json_(std::move(seed_json)) {}

std::optional<rest::Response> Harness::Handle(const rest::Request& request) const noexcept {
  const std::string_view target = request.target;
  if (!target.starts_with(kHarnessPrefix)) return std::nullopt;
  try {
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string query(question == std::string_view::npos ? std::string_view() : target.substr(question + 1));
    const std::string_view route = path.substr(std::string_view(kHarnessPrefix).size());
    const auto known = std::find_if(std::begin(kHarnessRoutes), std::end(kHarnessRoutes),
                                    [&](const HarnessRoute& r) { return r.name == route; });
    if (known == std::end(kHarnessRoutes)) {
      return Error(404, "no harness route " + std::string(path) + " (see docs/harness.md)");
    }
    if (!Allows(known->allow, request.method)) return MethodNotAllowed(known->allow);
    switch (known->op) {
      case HarnessOp::kReset: return Reset();
      case HarnessOp::kClock: return Clock(request);
      case HarnessOp::kAudit: return Audit(query);
      case HarnessOp::kFixture: return Fixture(request);
    }
    return Error(500, "unexpected failure in the harness");
  } catch (const std::exception&) {
    return Error(500, "unexpected failure in the harness");
  } catch (...) {
    return Error(500, "unexpected failure in the harness");
  }
}

rest::Response Harness::Reset() const {
  const Status reset = seed_json_ ? ResetStorage(storage_, *seed_json_) : ResetStorage(storage_);
  if (!reset.ok()) return ErrorFor(reset);
  return JsonResponse(200, json::object{{"reset", true}, {"seeded", seed_json_.has_value()}});
}

rest::Response Harness::Clock(const rest::Request& request) const {
  if (request.method == "GET") return JsonResponse(200, NowBody(clock_->Now()));
  const std::string_view shape = R"(the body must be {"now": "YYYY-MM-DDTHH:MM:SSZ"} or {"advance_seconds": N})";
  std::error_code ec;
  const json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object() || body.as_object().size() != 1) return Error(400, shape);
  const json::object& object = body.as_object();
  std::int64_t target = 0;
  if (const json::value* now = object.if_contains("now")) {
    const std::optional<Timestamp> parsed = now->is_string() ? ParseTimestamp(now->as_string()) : std::nullopt;
    if (!parsed) return Error(400, "now must be an ISO 8601 time, e.g. 2026-01-01T00:00:00Z");
    target = parsed->time_since_epoch().count();
  } else if (const json::value* advance = object.if_contains("advance_seconds")) {
    if (!advance->is_int64()) return Error(400, "advance_seconds must be an integer (negative moves back)");
    const std::int64_t current = clock_->Now().time_since_epoch().count();
    const std::int64_t by = advance->as_int64();
    // Both bounds are far from int64's limits, so neither subtraction overflows.
    if (by > kLatestSecond - current || by < kEarliestSecond - current)
      target = -1;
    else
      target = current + by;
  } else {
    return Error(400, shape);
  }
  if (target < kEarliestSecond || target > kLatestSecond) {
    return Error(400, "the clock must stay within 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z");
  }
  clock_->Set(Timestamp(std::chrono::seconds(target)));
  return JsonResponse(200, NowBody(clock_->Now()));
}

rest::Response Harness::Audit(const std::string& query) const {
  std::int64_t since = 0;
  std::int64_t limit = kMaxAuditLimit;
  std::string_view rest = query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (name == "since") {
      const auto id = ParseInteger(value, 0, INT64_MAX);
      if (!id) return Error(400, "since must be an audit id (an integer >= 0)");
      since = *id;
    } else if (name == "limit") {
      const auto n = ParseInteger(value, 1, kMaxAuditLimit);
      if (!n) return Error(400, "limit must be an integer in 1..1000");
      limit = *n;
    } else {
      return Error(400, "unknown parameter " + std::string(name) + " (since, limit)");
    }
  }
  Result<std::vector<AuditEntry>> entries = storage_.links->ReadAudit(since, static_cast<int>(limit));
  if (!entries.ok()) return ErrorFor(entries.status());
  json::array out;
  out.reserve(entries->size());
  for (const AuditEntry& entry : *entries) out.push_back(AuditJson(entry));
  return JsonResponse(200, out);
}

rest::Response Harness::Fixture(const rest::Request& request) const {
  const Status loaded = LoadFixture(storage_, request.body);
  if (!loaded.ok()) return ErrorFor(loaded);
  return JsonResponse(200, json::object{{"loaded", true}});
}

}  // namespace observees::server
