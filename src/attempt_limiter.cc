#include "attempt_limiter.h"

#include <cctype>

namespace observees {

Status TooManyAttempts() { return {StatusCode::kTooManyAttempts, "Too many attempts. Try again later."}; }

void AttemptLimiter::Attempt::Passed() {
  if (store_ != nullptr && !ticket_.ids.empty()) {
    // A failed release leaves the attempt counted: the safe direction.
    (void)store_->ReleaseAttempt(ticket_);
  }
  ticket_.ids.clear();
}

Result<AttemptLimiter::Attempt> AttemptLimiter::Begin(const std::vector<std::string>& keys) const {
  if (!options_.enabled) return Attempt();
  const Timestamp now = clock_.Now();
  auto ticket = store_.ReserveAttempt(keys, options_.max_failures, now - options_.window + std::chrono::seconds(1), now);
  if (!ticket.ok()) return ticket.status();
  if (!ticket->has_value()) return TooManyAttempts();
  return Attempt(&store_, std::move(**ticket));
}

std::string AttemptLimiter::CallerKey(const Caller& caller) {
  if (caller.user) return "user:" + std::to_string(*caller.user);
  if (!caller.client_key.empty()) return "client:" + caller.client_key;
  return "anonymous";
}

std::string AttemptLimiter::LoginKey(AccountId root_account, std::string_view unique_id) {
  std::string key = "login:" + std::to_string(root_account) + ":";
  for (const char c : unique_id) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

}  // namespace observees
