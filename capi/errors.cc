#include "errors.h"

namespace observees::capi {

// The C codes are the C++ codes (observees.h, convention 2); OBS_MISUSE alone is the C ABI's own.
static_assert(static_cast<int>(StatusCode::kOk) == OBS_OK);
static_assert(static_cast<int>(StatusCode::kInvalidArgument) == OBS_INVALID_ARGUMENT);
static_assert(static_cast<int>(StatusCode::kNotFound) == OBS_NOT_FOUND);
static_assert(static_cast<int>(StatusCode::kUnauthenticated) == OBS_UNAUTHENTICATED);
static_assert(static_cast<int>(StatusCode::kPermissionDenied) == OBS_PERMISSION_DENIED);
static_assert(static_cast<int>(StatusCode::kInvalidCode) == OBS_INVALID_CODE);
static_assert(static_cast<int>(StatusCode::kTooManyAttempts) == OBS_TOO_MANY_ATTEMPTS);
static_assert(static_cast<int>(StatusCode::kUnknownObservee) == OBS_UNKNOWN_OBSERVEE);
static_assert(static_cast<int>(StatusCode::kInvalidCredentials) == OBS_INVALID_CREDENTIALS);
static_assert(static_cast<int>(StatusCode::kSelfObservation) == OBS_SELF_OBSERVATION);
static_assert(static_cast<int>(StatusCode::kAlreadyExists) == OBS_ALREADY_EXISTS);
static_assert(static_cast<int>(StatusCode::kAborted) == OBS_ABORTED);
static_assert(static_cast<int>(StatusCode::kInternal) == OBS_INTERNAL);
static_assert(static_cast<int>(StatusCode::kUnavailable) == OBS_UNAVAILABLE);
static_assert(OBS_MISUSE == OBS_UNAVAILABLE + 1);

std::string& LastError() noexcept {
  thread_local std::string last_error;
  return last_error;
}

obs_status Report(obs_status code, const char* message) noexcept {
  try {
    LastError() = message;
  } catch (...) {
    LastError().clear();
  }
  return code;
}

}  // namespace observees::capi
