// The request log of observees-server: one line per request on a stream (standard error), e.g.
//   2026-11-26T18:00:00Z 127.0.0.1 GET /api/v1/users/self/observees 200 1.2ms
// It records the path without its query string (which may hold access_token) and without the
// userinfo of an absolute-form target (which may hold a password), and never a header or a body, so
// no secret reaches it. Thread-safe: lines from many threads never interleave.
// Lines are buffered and written in batches (one write per flush, not per line): by a background
// thread every flush interval, at once when the buffer fills, and when the log is destroyed, so no line
// is lost on a clean stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

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
  static constexpr std::chrono::milliseconds kDefaultFlushInterval{100};
  static constexpr std::size_t kBufferBytes = 64 * 1024;  // a fuller buffer is written at once

  // `out` must outlive the log; it is not closed.
  explicit AccessLog(std::FILE* out, std::chrono::milliseconds flush_interval = kDefaultFlushInterval);
  ~AccessLog();  // writes what is buffered
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void Write(const AccessLogEntry& entry);

  // Writes what is buffered now.
  void Flush();

  // The line Write prints, without its newline. Bytes outside printable ASCII in the method and the
  // path are written as %XX and each is cut at 256 bytes, so a line stays one line.
  static std::string Format(const AccessLogEntry& entry);

 private:
  void FlushEvery(std::chrono::milliseconds interval);

  std::FILE* const out_;
  std::mutex write_mu_;  // held from taking the buffer to writing it: batches keep their order
  std::mutex mu_;        // guards what follows
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::string buffer_;
  std::thread flusher_;  // last: starts once the rest is built
};

}  // namespace observees::server
