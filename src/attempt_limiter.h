// The attempt limiter (D6): failed code redemptions and failed credential checks, counted in the
// LinkStore within sliding windows, each key against its own budget:
//   "user:12" / "client:10.0.0.1" / "anonymous"  the caller (a signed-in caller always by user, so
//                                                 addresses cannot multiply its budget)
//   "login:1:pat"                                 a login, only for attempts that check its password
//   "anonymous-root:1"                            every anonymous redemption in a root account together
// An attempt is reserved before the secret is checked, so concurrent guessers cannot overshoot a
// limit, and withdrawn when the check passes. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "observees/clock.h"
#include "observees/link_store.h"
#include "observees/observation_service.h"
#include "observees/service_options.h"

namespace observees {

class AttemptLimiter {
 public:
  // A key and the budget it is counted against.
  struct Budget {
    std::string key;
    int max_failures = 1;
    std::chrono::seconds window{1};
    bool warn_when_spent = false;  // a refusal by this budget is worth one warning line per window
  };

  // A reserved attempt. It counts as a failure unless Passed() is called. A passed attempt is withdrawn
  // inside the caller's own transaction (WithdrawIn, then Committed once that committed), or else when
  // the Attempt is destroyed, in a transaction of its own. Move-only.
  class Attempt {
   public:
    Attempt() = default;
    Attempt(LinkStore* store, AttemptTicket ticket) : store_(store), ticket_(std::move(ticket)) {}
    Attempt(Attempt&& other) noexcept;
    Attempt& operator=(Attempt&& other) = delete;
    ~Attempt();

    // The secret was right: the reservation is to be withdrawn.
    void Passed() { passed_ = true; }
    // For a passed attempt, withdraws the reservation inside `txn`; nothing otherwise.
    Status WithdrawIn(LinkTransaction& txn) const;
    // `txn` of WithdrawIn committed: nothing is left to withdraw.
    void Committed() { ticket_.ids.clear(); }

   private:
    friend class AttemptLimiter;
    LinkStore* store_ = nullptr;
    AttemptTicket ticket_;
    bool passed_ = false;
  };

  // `warn` (may be empty) receives the warning lines of budgets marked warn_when_spent.
  AttemptLimiter(const AttemptLimiterOptions& options, LinkStore& store, const Clock& clock,
                 std::function<void(const std::string&)> warn)
      : options_(options), store_(store), clock_(clock), warn_(std::move(warn)) {}

  // Reserves one attempt under every budget; kTooManyAttempts when any is spent. With the limiter
  // disabled, an attempt that counts nothing.
  Result<Attempt> Begin(const std::vector<Budget>& budgets) const;
  // Adds `budgets` to a reserved attempt (for a check that turns out to need them); kTooManyAttempts
  // when any is spent, leaving `attempt` as it was.
  Status Extend(Attempt& attempt, const std::vector<Budget>& budgets) const;

  // Whoever is acting: the user, else the client, else all anonymous callers together.
  Budget CallerBudget(const Caller& caller) const;
  // A login: its root account and its unique_id, ASCII-lowercased.
  Budget LoginBudget(AccountId root_account, std::string_view unique_id) const;
  // Every anonymous redemption in `root_account`, whatever its address.
  Budget AnonymousBudget(AccountId root_account) const;

 private:
  Result<AttemptReservation> Reserve(const std::vector<Budget>& budgets) const;
  void WarnSpent(const Budget& budget, Timestamp now) const;

  AttemptLimiterOptions options_;
  LinkStore& store_;
  const Clock& clock_;
  std::function<void(const std::string&)> warn_;
  mutable std::mutex warned_mutex_;
  mutable std::map<std::string, Timestamp> warned_;  // budget key -> when its last warning was given
};

// "Too many attempts. Try again later."
Status TooManyAttempts();

}  // namespace observees
