#include "observees/status.h"

namespace observees {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kInvalidCode: return "invalid_code";
    case StatusCode::kTooManyAttempts: return "too_many_attempts";
    case StatusCode::kUnknownObservee: return "unknown_observee";
    case StatusCode::kInvalidCredentials: return "invalid_credentials";
    case StatusCode::kSelfObservation: return "self_observation";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kAborted: return "aborted";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kUnavailable: return "unavailable";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  if (!message_.empty()) out += ": " + message_;
  return out;
}

}  // namespace observees
