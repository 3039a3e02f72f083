// Readers of the C ABI's arguments: NUL-terminated strings, ids, scopes, pages and out-pointers, and the
// JSON values inside its JSON arguments. Each answers kInvalidArgument naming the argument (never
// echoing a value: it may be a password or a code). Export is the one way a string leaves the library.
// Internal to libobservees_c.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>

#include "observees/observation_service.h"
#include "observees/status.h"
#include "observees/timestamp.h"

namespace observees::capi {

constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();
constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

// ---- C arguments ----

// A required NUL-terminated UTF-8 string.
Result<std::string_view> Text(const char* text, const char* name);

// kInvalidArgument for a NULL out-pointer.
template <typename T>
Status RequireOut(T** out, const char* name) {
  if (out == nullptr) return InvalidArgument(std::string(name) + " is NULL", name);
  return Status::Ok();
}

// Sets a non-NULL out-pointer to NULL (convention 4: NULL on failure).
template <typename T>
void ClearOut(T** out) {
  if (out != nullptr) *out = nullptr;
}

// A copy of `text` the caller frees with obs_free; throws std::bad_alloc.
char* Export(std::string_view text);

// The acting context (convention 8): a user id >= 0 (0: anonymous), a root account id >= 0.
Result<Caller> CallerOf(std::int64_t acting_user, std::int64_t domain_root_account);

// A user id in a path: positive.
Result<UserId> PathUser(std::int64_t id, const char* name);

// A root-account scope (convention 9).
Result<RootAccountScope> ScopeOf(std::int64_t scope);

// A positive account id.
Result<AccountId> RootAccountOf(std::int64_t root_account, const char* name);

// `page` >= 1 and `per_page` >= 0 (0: the default).
Status CheckPage(std::int32_t page, std::int32_t per_page);

// The list operations' page and flags (OBS_LIST_*).
Result<ListOptions> ListOptionsOf(std::int32_t page, std::int32_t per_page, std::uint32_t flags);

// ---- JSON values ----

// `text` (UTF-8) parsed.
Result<boost::json::value> ParseJson(std::string_view text, const char* name);

// An object whose keys are all among `keys` ("unknown key" naming the first other one).
Result<const boost::json::object*> ObjectOf(const boost::json::value& value, const std::string& name,
                                            std::initializer_list<std::string_view> keys);

// An integer from `low` to `high`.
Result<std::int64_t> IntegerIn(const boost::json::value& value, const std::string& name, std::int64_t low,
                               std::int64_t high);

Result<bool> BooleanOf(const boost::json::value& value, const std::string& name);

// A string with no NUL in it.
Result<std::string> StringOf(const boost::json::value& value, const std::string& name);

// An ISO-8601 time within the range obs_clock_* accept (kEarliestSecond..kLatestSecond).
Result<Timestamp> TimeOf(std::string_view text, const std::string& name);

// The range of the test clock: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr std::int64_t kEarliestSecond = 0;
constexpr std::int64_t kLatestSecond = 253402300799;

}  // namespace observees::capi
