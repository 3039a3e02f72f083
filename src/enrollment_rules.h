// Canvas's linked observer enrollment rules (docs/rules.md, rules 10-13) as pure decisions over
// workflow states, shared by every EnrollmentStore backend; the SQL that applies them lives in each
// backend. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observees/enrollment_store.h"
#include "observees/status.h"

namespace observees::enrollment_rules {

// kInvalidArgument (field enrollment[type] or enrollment[enrollment_state]) for an unknown type or
// state; OK otherwise.
Status CheckRequest(const EnrollmentRequest& request);

// Rule 10: a student enrollment in this state is followed by linked observers.
bool Followed(std::string_view student_state);

// Rule 10: an observer enrollment in this state already follows its student (it is neither deleted
// nor inactive); otherwise it is reused when the observer follows again.
bool StillFollowing(std::string_view observer_state);

// Rule 10: the observer's state for a student's: the same, except that invited becomes active.
std::string MirroredState(std::string_view student_state);

// Rules 12-13: whether a student enrollment that was in `old_state` (nullopt: it is new) and is now
// in `new_state` brings linked observers in, creating or reviving the observer enrollments they miss.
bool ObserversJoin(const std::optional<std::string>& old_state, std::string_view new_state);

}  // namespace observees::enrollment_rules
