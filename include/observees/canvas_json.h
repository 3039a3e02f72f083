// Canvas's JSON shapes (docs/rules.md section 3): the User object with
// observation_link_root_account_ids, the PairingCode object, and the error bodies with their HTTP
// statuses. Pure functions, thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "observees/export.h"
#include "observees/observation_service.h"
#include "observees/status.h"

namespace observees {

// Keys in Canvas's order: id, name, created_at, sortable_name, short_name, [pronouns], [avatar_url],
// observation_link_root_account_ids. A relative avatar path is made absolute with `base_url`
// (e.g. "https://canvas.test"; rule 35). The values live in `sp` (default: the heap); a list's page
// built on a monotonic resource allocates once.
OBSERVEES_EXPORT boost::json::object UserJson(const LinkedUser& user, std::string_view base_url = {},
                                              boost::json::storage_ptr sp = {});
OBSERVEES_EXPORT boost::json::array UsersJson(const std::vector<LinkedUser>& users, std::string_view base_url = {},
                                              boost::json::storage_ptr sp = {});

// {"user_id", "code", "expires_at", "workflow_state"} and nothing else (section 3.2).
OBSERVEES_EXPORT boost::json::object PairingCodeJson(const PairingCode& code);

// The lifecycle extension's code object (not Canvas's): {"id", "user_id", "code" (in clear or masked),
// "state" (active|used|expired|revoked), "workflow_state" (Canvas's active|deleted), "created_at",
// "expires_at", "used_at", "used_by", "link_id", "revoked_at", "revoked_by"}, null when unset.
OBSERVEES_EXPORT boost::json::object PairingCodeDetailJson(const PairingCodeDetail& detail);
// "active", "used", "expired", "revoked"; and back (nullopt for any other text).
OBSERVEES_EXPORT std::string_view CodeStateName(CodeState state);
OBSERVEES_EXPORT std::optional<CodeState> ParseCodeState(std::string_view name);

// Canvas's Enrollment object: id, user_id, course_id, course_section_id, type, role, enrollment_state,
// associated_user_id, root_account_id, start_at, end_at, created_at, updated_at (null when unset).
OBSERVEES_EXPORT boost::json::object EnrollmentJson(const Enrollment& enrollment);

// An error as Canvas answers it.
struct CanvasError {
  int http_status = 500;
  boost::json::value body;
  bool www_authenticate = false;  // send `WWW-Authenticate: Bearer realm="canvas-lms"`
  int retry_after_seconds = 0;    // > 0: send `Retry-After: N` (503 for a busy storage)
};

// For the observee endpoints (E1-E8): 400, 401 (two bodies), 403, 404, 422 (three bodies), 429, 500,
// and 503 (kUnavailable: Canvas's 500 body, with Retry-After).
OBSERVEES_EXPORT CanvasError ErrorFor(const Status& status);
// For observer self-registration (POST /users), Canvas's sign-up form shape (rule 57):
// 400 {"errors":{"user":{},"pseudonym":{},"observee":{},"pairing_code":{},"recaptcha":null}} with
// the bad field's error under its model: a bad code under pairing_code.code (type "invalid"), a
// kInvalidArgument / kAlreadyExists under the model and attribute its Status field names
// ("pseudonym[unique_id]": pseudonym.unique_id, type "invalid" / "taken"). 403 {} when
// self-registration is not allowed; anything else as ErrorFor.
OBSERVEES_EXPORT CanvasError SelfRegistrationErrorFor(const Status& status);

}  // namespace observees
