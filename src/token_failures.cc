#include "token_failures.h"

namespace observees {

bool TokenFailures::Prune(std::deque<Timestamp>& failures, Timestamp now) const {
  const Timestamp start = now - window_ + std::chrono::seconds(1);
  while (!failures.empty() && failures.front() < start) failures.pop_front();
  return failures.empty();
}

bool TokenFailures::Admit(const std::string& client, Timestamp now) {
  if (size_.load(std::memory_order_relaxed) == 0) return true;  // nobody has failed: the common case
  std::lock_guard lock(mutex_);
  const auto found = clients_.find(client);
  if (found == clients_.end()) return true;
  if (Prune(found->second, now)) {
    clients_.erase(found);
    size_.store(clients_.size(), std::memory_order_relaxed);
    return true;
  }
  return found->second.size() < max_failures_;
}

void TokenFailures::Failed(const std::string& client, Timestamp now) {
  std::lock_guard lock(mutex_);
  if (clients_.size() >= kMaxClients && !clients_.contains(client)) ForgetOldest();
  std::deque<Timestamp>& failures = clients_[client];
  Prune(failures, now);
  failures.push_back(now);
  while (failures.size() > max_failures_) failures.pop_front();  // only the newest ones can matter
  size_.store(clients_.size(), std::memory_order_relaxed);
}

void TokenFailures::ForgetOldest() {
  auto oldest = clients_.begin();
  for (auto it = clients_.begin(); it != clients_.end(); ++it) {
    if (it->second.empty() || (!oldest->second.empty() && it->second.back() < oldest->second.back())) oldest = it;
  }
  if (oldest != clients_.end()) clients_.erase(oldest);
}

}  // namespace observees
