// Timestamps as both storage backends keep them: whole seconds since the Unix epoch, in an integer
// column (NULL for an absent optional time).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "observees/types.h"

namespace observees {

inline std::int64_t ToSeconds(Timestamp t) { return static_cast<std::int64_t>(t.time_since_epoch().count()); }
inline Timestamp FromSeconds(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

inline std::optional<std::int64_t> OptionalSeconds(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return ToSeconds(*t);
}

}  // namespace observees
