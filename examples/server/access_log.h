// The request log of observees-server: one line per request on a stream (standard error), e.g.
//   2026-11-26T18:00:00Z 127.0.0.1 GET /api/v1/users/self/observees 200 1.2ms
// It records the path without its query string (which may hold access_token) and without the
// userinfo of an absolute-form target (which may hold a password), and never a header or a body, so
// no secret reaches it. Thread-safe: lines from many threads never interleave.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace observees::server {

struct AccessLogEntry {
  std::chrono::system_clock::time_point start;  // when the request began to arrive
  std::string_view peer;                        // the client's IP address
  std::string_view method;                      // "-" when the request could not be parsed
  std::string_view target;                      // as received; its query string and userinfo are dropped
  int status = 0;
  std::chrono::steady_clock::duration elapsed{};  // from the request's first byte to its response written
};

class AccessLog {
 public:
  // `out` must outlive the log; it is not closed.
  explicit AccessLog(std::FILE* out) : out_(out) {}

  void Write(const AccessLogEntry& entry);

  // The line Write prints, without its newline. Bytes outside printable ASCII in the method and the
  // path are written as %XX and each is cut at 256 bytes, so a line stays one line.
  static std::string Format(const AccessLogEntry& entry);

 private:
  std::mutex mu_;
  std::FILE* out_;
};

}  // namespace observees::server
