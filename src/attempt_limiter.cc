#include "attempt_limiter.h"

#include <cctype>

namespace observees {

Status TooManyAttempts() { return {StatusCode::kTooManyAttempts, "Too many attempts. Try again later."}; }

AttemptLimiter::Attempt::Attempt(Attempt&& other) noexcept
    : store_(other.store_), ticket_(std::move(other.ticket_)), passed_(other.passed_) {
  other.ticket_.ids.clear();
}

AttemptLimiter::Attempt::~Attempt() {
  if (passed_ && store_ != nullptr && !ticket_.ids.empty()) {
    // A failed release leaves the attempt counted: the safe direction.
    (void)store_->ReleaseAttempt(ticket_);
  }
}

Status AttemptLimiter::Attempt::WithdrawIn(LinkTransaction& txn) const {
  if (!passed_ || ticket_.ids.empty()) return Status::Ok();
  return txn.ReleaseAttempt(ticket_);
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
