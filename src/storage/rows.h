// The typed reads every driver's result rows share (SqliteRows, PgRows): times and flags over the
// driver's own Int and OptionalInt.
#pragma once

#include <cstdint>
#include <optional>

#include "observees/types.h"
#include "storage/unix_seconds.h"

namespace observees::storage {

// Derived provides Int(column) and OptionalInt(column); columns are 0-based.
template <typename Derived>
class RowReader {
 public:
  Timestamp Time(int column) const { return FromSeconds(self().Int(column)); }
  std::optional<Timestamp> OptionalTime(int column) const {
    const std::optional<std::int64_t> seconds = self().OptionalInt(column);
    if (!seconds) return std::nullopt;
    return FromSeconds(*seconds);
  }
  // A 0/1 flag column.
  bool Flag(int column) const { return self().Int(column) != 0; }
  std::optional<bool> OptionalFlag(int column) const {
    const std::optional<std::int64_t> value = self().OptionalInt(column);
    if (!value) return std::nullopt;
    return *value != 0;
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace observees::storage
