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
};

// D6: failed code redemptions and failed credential checks, counted per acting user and per target
// login within a sliding window. Past the limit every further try is refused with kTooManyAttempts
// (a correct one too) until old failures leave the window.
struct AttemptLimiterOptions {
  bool enabled = true;  // default on
  // Failures allowed per key within the window, 1..10000. Default 10.
  int max_failures = 10;
  // The sliding window, at least one second. Default 15 minutes.
  std::chrono::seconds window = std::chrono::minutes(15);
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
