// Failed bearer tokens per client (D6), counted in memory per process: each client key has a sliding
// window of its last failures. A caller asks Admit before resolving a token and reports Failed after a
// token resolved to nobody. Requests of one client in flight together may all pass Admit before any
// failure is recorded, so a client overshoots its limit by at most that many. Memory is bounded: past
// kMaxClients keys, the one whose newest failure is oldest is forgotten. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "observees/timestamp.h"

namespace observees {

class TokenFailures {
 public:
  static constexpr std::size_t kMaxClients = 10000;

  TokenFailures(int max_failures, std::chrono::seconds window) : max_failures_(max_failures), window_(window) {}

  // False when `client` has failed max_failures times within the window ending at `now`.
  bool Admit(const std::string& client, Timestamp now);
  // One more failure of `client` at `now`.
  void Failed(const std::string& client, Timestamp now);

 private:
  // Drops failures before the window; true when none are left.
  bool Prune(std::deque<Timestamp>& failures, Timestamp now) const;
  void ForgetOldest();

  const std::size_t max_failures_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Timestamp>> clients_;
  std::atomic<std::size_t> size_{0};  // clients_.size(), read without the lock on the fast path
};

}  // namespace observees
