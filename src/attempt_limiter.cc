#include "attempt_limiter.h"

#include <algorithm>
#include <string>

#include "text.h"

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

Result<AttemptReservation> AttemptLimiter::Reserve(const std::vector<Budget>& budgets) const {
  const Timestamp now = clock_.Now();
  std::vector<AttemptKey> keys;
  Timestamp prune_before = now;
  for (const Budget& budget : budgets) {
    // A window's start is the earliest second still in it.
    keys.push_back({budget.key, budget.max_failures, now - budget.window + std::chrono::seconds(1)});
    prune_before = std::min(prune_before, keys.back().since);
  }
  // Rows older than every configured window count for no key.
  const auto longest = std::max(options_.window, options_.anonymous_window);
  prune_before = std::min(prune_before, now - longest);
  auto reserved = store_.ReserveAttempt(keys, now, prune_before);
  if (reserved.ok() && !reserved->ticket) WarnSpent(budgets[reserved->refused_key], now);
  return reserved;
}

Result<AttemptLimiter::Attempt> AttemptLimiter::Begin(const std::vector<Budget>& budgets) const {
  if (!options_.enabled) return Attempt();
  auto reserved = Reserve(budgets);
  if (!reserved.ok()) return reserved.status();
  if (!reserved->ticket) return TooManyAttempts();
  return Attempt(&store_, std::move(*reserved->ticket));
}

Status AttemptLimiter::Extend(Attempt& attempt, const std::vector<Budget>& budgets) const {
  if (!options_.enabled) return Status::Ok();
  auto reserved = Reserve(budgets);
  if (!reserved.ok()) return reserved.status();
  if (!reserved->ticket) return TooManyAttempts();
  attempt.store_ = &store_;
  for (const std::int64_t id : reserved->ticket->ids) attempt.ticket_.ids.push_back(id);
  return Status::Ok();
}

void AttemptLimiter::WarnSpent(const Budget& budget, Timestamp now) const {
  if (!budget.warn_when_spent || !warn_) return;
  {
    std::lock_guard lock(warned_mutex_);
    const auto last = warned_.find(budget.key);
    if (last != warned_.end() && now - last->second < budget.window) return;
    warned_[budget.key] = now;
  }
  warn_("attempt limiter: budget " + budget.key + " spent (" + std::to_string(budget.max_failures) + " failures per " +
        std::to_string(budget.window.count()) + " s); its redemptions answer 429 until failures leave the window");
}

AttemptLimiter::Budget AttemptLimiter::CallerBudget(const Caller& caller) const {
  std::string key = caller.user                  ? "user:" + std::to_string(*caller.user)
                    : !caller.client_key.empty() ? "client:" + caller.client_key
                                                 : "anonymous";
  return {std::move(key), options_.max_failures, options_.window};
}

AttemptLimiter::Budget AttemptLimiter::LoginBudget(AccountId root_account, std::string_view unique_id) const {
  std::string key = "login:" + std::to_string(root_account) + ":" + AsciiLower(unique_id);
  return {std::move(key), options_.max_failures, options_.window};
}

AttemptLimiter::Budget AttemptLimiter::AnonymousBudget(AccountId root_account) const {
  return {"anonymous-root:" + std::to_string(root_account), options_.anonymous_max_failures, options_.anonymous_window,
          true};
}

}  // namespace observees
