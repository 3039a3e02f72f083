#include "enrollment_rules.h"

#include <algorithm>
#include <array>

namespace observees::enrollment_rules {
namespace {

constexpr std::array<std::string_view, 6> kTypes = {"StudentEnrollment", "StudentViewEnrollment", "TeacherEnrollment",
                                                    "TaEnrollment",      "ObserverEnrollment",    "DesignerEnrollment"};
constexpr std::array<std::string_view, 7> kStates = {"active",   "invited", "inactive",        "completed",
                                                     "rejected", "deleted", "creation_pending"};

template <std::size_t N>
bool OneOf(const std::array<std::string_view, N>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

Status CheckRequest(const EnrollmentRequest& request) {
  if (!OneOf(kTypes, request.type)) return InvalidArgument("unknown enrollment type", "enrollment[type]");
  if (!OneOf(kStates, request.workflow_state)) {
    return InvalidArgument("unknown enrollment state", "enrollment[enrollment_state]");
  }
  return Status::Ok();
}

bool Followed(std::string_view state) {
  return state == "active" || state == "invited" || state == "creation_pending" || state == "inactive";
}

bool StillFollowing(std::string_view observer_state) {
  return observer_state != "deleted" && observer_state != "inactive";
}

std::string MirroredState(std::string_view student_state) {
  return student_state == "invited" ? "active" : std::string(student_state);
}

bool ObserversJoin(const std::optional<std::string>& old_state, std::string_view new_state) {
  // Rule 12: a new followed enrollment. Rule 13: a return to an active state from inactive, deleted or
  // completed.
  if (!old_state) return Followed(new_state);
  const bool returned = *old_state == "inactive" || *old_state == "deleted" || *old_state == "completed";
  const bool now_active = new_state == "active" || new_state == "invited" || new_state == "creation_pending";
  return returned && now_active;
}

}  // namespace observees::enrollment_rules
