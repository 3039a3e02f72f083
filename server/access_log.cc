#include "access_log.h"

#include <ctime>

namespace observees::server {
namespace {

constexpr std::size_t kMaxField = 256;

// `text` cut to kMaxField bytes, each byte outside printable ASCII (and the space) as %XX.
void AppendSafe(std::string& line, std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  if (text.empty()) text = "-";
  const bool cut = text.size() > kMaxField;
  for (char c : text.substr(0, kMaxField)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte > ' ' && byte < 0x7f) {
      line.push_back(c);
    } else {
      line += {'%', kHex[byte >> 4], kHex[byte & 0xf]};
    }
  }
  if (cut) line += "...";
}

// `target` without the userinfo of an absolute-form target ("http://user:pass@host/p" → "http://host/p"):
// the request line may carry a password there (RFC 3986 3.2.1).
std::string WithoutUserinfo(std::string_view target) {
  const std::size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos ||
      target.substr(0, scheme_end).find_first_of("/?#") != std::string_view::npos) {
    return std::string(target);
  }
  const std::size_t host = scheme_end + 3;
  const std::string_view authority = target.substr(host, target.find_first_of("/?#", host) - host);
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(target);
  return std::string(target.substr(0, host)) + std::string(target.substr(host + at + 1));
}

}  // namespace

std::string AccessLog::Format(const AccessLogEntry& entry) {
  std::string line;
  line.reserve(128);

  const std::time_t seconds = std::chrono::system_clock::to_time_t(entry.start);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char time[32];
  std::strftime(time, sizeof(time), "%Y-%m-%dT%H:%M:%SZ", &utc);
  line += time;

  line += ' ';
  AppendSafe(line, entry.peer);
  line += ' ';
  AppendSafe(line, entry.method);
  line += ' ';
  AppendSafe(line, WithoutUserinfo(entry.target.substr(0, entry.target.find('?'))));

  const double ms = std::chrono::duration<double, std::milli>(entry.elapsed).count();
  char tail[64];
  std::snprintf(tail, sizeof(tail), " %d %.1fms", entry.status, ms);
  line += tail;
  return line;
}

AccessLog::AccessLog(std::FILE* out, std::chrono::milliseconds flush_interval)
    : out_(out), flusher_([this, flush_interval] { FlushEvery(flush_interval); }) {}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  flusher_.join();
  Flush();
}

void AccessLog::Write(const AccessLogEntry& entry) {
  const std::string line = Format(entry);
  bool full = false;
  {
    std::lock_guard lock(mu_);
    buffer_ += line;
    buffer_ += '\n';
    full = buffer_.size() >= kBufferBytes;
  }
  if (full) Flush();
}

void AccessLog::Flush() {
  std::lock_guard write_lock(write_mu_);
  std::string batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(buffer_);
  }
  if (batch.empty()) return;
  std::fwrite(batch.data(), 1, batch.size(), out_);
  std::fflush(out_);
}

void AccessLog::FlushEvery(std::chrono::milliseconds interval) {
  std::unique_lock lock(mu_);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    Flush();
    lock.lock();
  }
}

}  // namespace observees::server
