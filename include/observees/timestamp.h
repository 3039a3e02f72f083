// Canvas's timestamp format: ISO-8601 in UTC with whole seconds, "2012-05-30T17:45:25Z".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observees/export.h"
#include "observees/types.h"

namespace observees {

OBSERVEES_EXPORT std::string FormatTimestamp(Timestamp t);

// Accepts "YYYY-MM-DDTHH:MM:SSZ", optional fractional seconds (dropped) and a "+HH:MM"/"-HH:MM"
// offset instead of "Z". nullopt for anything else, including out-of-range fields.
OBSERVEES_EXPORT std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace observees
