// Entry points of observees.h: the REST router (one HTTP request answered as Canvas would) and the
// service's clock (read it; set or move a test clock).
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "arguments.h"
#include "entry_point.h"
#include "handle.h"
#include "observees.h"
#include "observees/rest.h"
#include "observees/timestamp.h"
#include "requests.h"
#include "results.h"

using observees::InvalidArgument;
using observees::Status;
using observees::capi::ClearOut;
using observees::capi::Export;
using observees::capi::Guard;
using observees::capi::RequireOut;
using observees::capi::RequireService;
using observees::capi::Text;

extern "C" {

obs_status obs_rest_handle(obs_service* service, const char* method, const char* target, const char* headers_json,
                           const char* body, size_t body_len, const char* peer, int* out_status,
                           char** out_headers_json, char** out_body) {
  return Guard([&]() -> Status {
    if (out_status != nullptr) *out_status = 0;
    ClearOut(out_headers_json);
    ClearOut(out_body);
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    if (out_status == nullptr) return InvalidArgument("out_status is NULL", "out_status");
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_headers_json, "out_headers_json"));
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out_body, "out_body"));
    auto method_text = Text(method, "method");
    if (!method_text.ok()) return method_text.status();
    if (method_text->empty()) return InvalidArgument("method is empty", "method");
    auto target_text = Text(target, "target");
    if (!target_text.ok()) return target_text.status();
    if (body == nullptr && body_len != 0) return InvalidArgument("body is NULL but body_len is not 0", "body");
    std::string_view peer_text;
    if (peer != nullptr) {
      auto checked = Text(peer, "peer");
      if (!checked.ok()) return checked.status();
      peer_text = *checked;
    }
    auto headers = observees::capi::ReadHeaders(headers_json);
    if (!headers.ok()) return headers.status();

    observees::rest::Request request;
    request.method = std::string(*method_text);
    request.target = std::string(*target_text);
    request.headers = std::move(*headers);
    if (body_len != 0) request.body.assign(body, body_len);
    request.peer = std::string(peer_text);
    request.scheme = service->scheme;
    const observees::rest::Response response = service->router->Handle(request);

    std::unique_ptr<char, decltype(&std::free)> headers_out(Export(observees::capi::HeadersJson(response.headers)),
                                                            &std::free);
    char* body_out = Export(response.body);
    *out_status = response.status;
    *out_headers_json = headers_out.release();
    *out_body = body_out;
    return Status::Ok();
  });
}

obs_status obs_clock_now(obs_service* service, char** out_iso) {
  return observees::capi::HandleCall(service, out_iso, "out_iso", [&]() -> Status {
    *out_iso = Export(observees::FormatTimestamp(service->service->clock().Now()));
    return Status::Ok();
  });
}

obs_status obs_clock_set(obs_service* service, const char* iso_time) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(observees::capi::RequireTestClock(*service));
    auto text = Text(iso_time, "iso_time");
    if (!text.ok()) return text.status();
    auto time = observees::capi::TimeOf(*text, "iso_time");
    if (!time.ok()) return time.status();
    service->test_clock->Set(*time);
    return Status::Ok();
  });
}

obs_status obs_clock_advance(obs_service* service, int64_t seconds) {
  return Guard([&]() -> Status {
    using observees::capi::kEarliestSecond;
    using observees::capi::kLatestSecond;
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(observees::capi::RequireTestClock(*service));
    const std::int64_t now = service->test_clock->Now().time_since_epoch().count();
    // Both bounds are far from int64's limits, so neither subtraction overflows.
    if (seconds > kLatestSecond - now || seconds < kEarliestSecond - now) {
      return InvalidArgument("seconds would move the clock outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z",
                             "seconds");
    }
    service->test_clock->Advance(std::chrono::seconds(seconds));
    return Status::Ok();
  });
}

}  // extern "C"
