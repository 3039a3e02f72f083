// The attempt limiter (D6): failed code redemptions and failed credential checks, counted per key
// ("user:12", "login:1:pat", ...) in the LinkStore within a sliding window. An attempt is reserved
// before the secret is checked, so concurrent guessers cannot overshoot the limit, and withdrawn when
// the check passes. Thread-safe.
#pragma once

#include <optional>
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
    LinkStore* store_ = nullptr;
    AttemptTicket ticket_;
    bool passed_ = false;
  };

  AttemptLimiter(const AttemptLimiterOptions& options, LinkStore& store, const Clock& clock)
      : options_(options), store_(store), clock_(clock) {}

  // Reserves one attempt under every key; kTooManyAttempts when any key is at its limit. With the
  // limiter disabled, an attempt that counts nothing.
  Result<Attempt> Begin(const std::vector<std::string>& keys) const;

  // The key of whoever is acting: the user, else the client, else all anonymous callers together.
  static std::string CallerKey(const Caller& caller);
  // The key of a login: its root account and its unique_id, ASCII-lowercased.
  static std::string LoginKey(AccountId root_account, std::string_view unique_id);

 private:
  AttemptLimiterOptions options_;
  LinkStore& store_;
  const Clock& clock_;
};

// "Too many attempts. Try again later."
Status TooManyAttempts();

}  // namespace observees
