// Options of ObservationService. Every field states its default; ObservationService::Create refuses
// values out of range with kInvalidArgument.
#pragma once

#include <chrono>
#include <string>

namespace observees {

struct PairingCodeOptions {
  // Characters per code, 4..10 (Canvas stores at most 10). Default 6.
  int length = 6;
  // Distinct printable ASCII characters, at least 10 of them. Default [A-Za-z0-9] (case-sensitive).
  std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // How long a code stays active, at least one minute. Default 7 days.
  std::chrono::seconds lifetime = std::chrono::hours(24 * 7);
  // Active codes one student may hold at once, 1..10000; past it CreatePairingCode answers
  // kTooManyAttempts until one is used, revoked or expired. Default 20.
  int max_active_per_student = 20;
};

// D6: failed code redemptions, access-token guesses and credential checks, counted per acting user
// (or client, when anonymous), per target login, and per root account for anonymous redemptions, each
// within a sliding window. Past a limit every further try is refused with kTooManyAttempts (a correct
// one too) until old failures leave the window.
struct AttemptLimiterOptions {
  bool enabled = true;  // default on
  // Failures allowed per caller and per login within `window`, 1..10000. Default 10.
  int max_failures = 10;
  // The sliding window, at least one second. Default 15 minutes.
  std::chrono::seconds window = std::chrono::minutes(15);
  // Failed anonymous redemptions (self-registration with a pairing code) per root account within
  // `anonymous_window`, whatever the client addresses, 1..1000000. Once spent, anonymous
  // self-registration in that root account answers kTooManyAttempts for everyone; signed-in callers
  // keep their own budgets. Default 100 per hour.
  int anonymous_max_failures = 100;
  std::chrono::seconds anonymous_window = std::chrono::hours(1);  // at least one second
  // Failed bearer tokens per client within `window`, 1..1000000 (counted in memory, per process).
  // Default 100.
  int token_max_failures = 100;
};

struct ServiceOptions {
  PairingCodeOptions pairing_codes;
  AttemptLimiterOptions limiter;
  // Pagination of the list operations (rule 34): per_page defaults to 10 and is clamped to 1..100.
  int default_per_page = 10;
  int max_per_page = 100;
  // Self-registration (D8): shortest password accepted, 1..256. Default 8 (Canvas's default policy).
  int min_password_length = 8;
};

}  // namespace observees
