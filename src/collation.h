// Orders users as Canvas's database collation does (rule 33): sortable name under ICU's root
// collation at primary strength (case- and accent-insensitive), then id. Thread-safe.
#pragma once

#include <vector>

#include "observees/types.h"

namespace observees {

// Sorts `users` in place. Falls back to byte order if ICU cannot open its collator.
void SortBySortableName(std::vector<User>& users);

}  // namespace observees
