// Status and Result<T>: how every public operation reports its outcome. Errors are values; no public
// function of the library throws. Both types are plain values, safe to copy between threads.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "observees/export.h"

namespace observees {

// Stable codes: the numeric values are part of the ABI (the C ABI exposes them) and never change.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,     // malformed or missing input (Canvas: 400)
  kNotFound = 2,            // unknown or deleted user, account, or link (Canvas: 404)
  kUnauthenticated = 3,     // no caller where one is required (Canvas: 401 "user authorization required")
  kPermissionDenied = 4,    // a known caller who may not act (Canvas: 403 "unauthorized")
  kInvalidCode = 5,         // pairing code unknown, expired, used or revoked (Canvas: 422 / 400)
  kTooManyAttempts = 6,     // the attempt limiter refused the call (D6; REST: 429)
  kUnknownObservee = 7,     // token, login or shared root account not found (Canvas: 422 "Unknown observee.")
  kInvalidCredentials = 8,  // wrong password, or a throttled login check (Canvas: 401, D5)
  kSelfObservation = 9,     // observer and student are the same user (Canvas: 422 "Cannot observe yourself")
  kAlreadyExists = 10,      // a unique value is taken (e.g. a login's unique_id at self-registration)
  kAborted = 11,            // a concurrent change won a race; the caller may retry
  kInternal = 12,           // a storage or library failure; nothing was changed
  kUnavailable = 13,        // storage is busy (a lock held past the wait) or unreachable; nothing was
                            // changed and the same call may succeed later (REST: 503 with Retry-After)
};

// Short stable name of a code, e.g. "not_found".
OBSERVEES_EXPORT std::string_view StatusCodeName(StatusCode code);

// An outcome: OK, or a code with a message meant for people. Messages never contain secrets.
// `field` optionally names the input the error is about (e.g. "pseudonym[unique_id]").
// [[nodiscard]]: a function returning a Status must have it looked at.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }

  // "not_found: user 12 does not exist"
  OBSERVEES_EXPORT std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

inline Status InvalidArgument(std::string m, std::string field = {}) {
  return {StatusCode::kInvalidArgument, std::move(m), std::move(field)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or a non-OK Status; never OK without a value. Reaching for the value of a failed Result
// (value(), *, ->) is a programming error: it prints the status to stderr and aborts, in every build.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "Result built from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Precondition: ok(); aborts otherwise.
  T& value() & {
    Checked();
    return *value_;
  }
  const T& value() const& {
    Checked();
    return *value_;
  }
  T&& value() && {
    Checked();
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Checked() const {
    if (value_.has_value()) [[likely]]
      return;
    std::fprintf(stderr, "observees: the value of a failed Result was used: %s\n", status_.ToString().c_str());
    std::abort();
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace observees

// Propagates a non-OK Status (or the status of a failed Result) to the caller.
#define OBSERVEES_RETURN_IF_ERROR(expr)                                        \
  do {                                                                         \
    const ::observees::Status observees_status_ = ::observees::ToStatus(expr); \
    if (!observees_status_.ok()) return observees_status_;                     \
  } while (false)

namespace observees {
inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
const Status& ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace observees
