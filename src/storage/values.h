// The values the shared stores bind to statements beyond integers, text and NULL, and the one error
// type both drivers throw. Every driver binds:
//   std::int64_t (and narrower integers), std::string_view / std::string / const char* as text, Blob
//   as bytes, IdArray as the list a Dialect's kInIdArray1 fragment tests, std::nullopt as NULL, and
//   std::optional<T> as T or NULL.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace observees::storage {

// Bytes (SQLite BLOB, PostgreSQL bytea): hashes and sealed codes.
struct Blob {
  std::string_view bytes;
};

// A list of ids, bound as one parameter.
struct IdArray {
  std::span<const std::int64_t> ids;
};

// A failed statement or connection, as both drivers report it. what() names the statement's failure
// (SQLite's message, or PostgreSQL's SQLSTATE and primary message) and never a bound value, a row
// value or a connection string.
class StorageError : public std::runtime_error {
 public:
  enum class Kind {
    kOther,
    kBusy,             // a lock stayed held past the wait, or the server is unreachable: retry later
    kUniqueViolation,  // an INSERT or UPDATE hit a unique index
  };
  StorageError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool busy() const { return kind_ == Kind::kBusy; }
  bool unique_violation() const { return kind_ == Kind::kUniqueViolation; }

 private:
  Kind kind_;
};

// The key spaces of a Dialect's LockKey, in one place so no two rules share a lock by accident.
namespace lock_space {
inline constexpr std::string_view kPairingCode = "pairing_code";      // key: the code's hash (rule 17)
inline constexpr std::string_view kFailedAttempt = "failed_attempt";  // key: the limiter key (D6)
inline constexpr std::string_view kEnrollments = "enrollments";       // key: the student id (rules 10-13)
inline constexpr std::string_view kFixture = "fixture";               // key: "load" (one loader at a time)
inline constexpr std::string_view kSisImport = "sis_import";          // key: the root account id
}  // namespace lock_space

}  // namespace observees::storage
