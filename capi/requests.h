// Readers of the C ABI's request arguments: the JSON objects of obs_add_observee, obs_enroll_user and
// obs_register_observer, and obs_rest_handle's headers, each into the library's request type. A bad one
// is kInvalidArgument naming the key, never echoing a value. Internal to libobservees_c.
#pragma once

#include <string>
#include <vector>

#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/sis_import.h"
#include "observees/status.h"

namespace observees::capi {

// {"access_token": "..."} | {"pairing_code": "..."} | {"unique_id": "...", "password": "..."}.
Result<AddObserveeRequest> ReadAddRequest(const char* request_json);

// {"course_id": N, "user_id": N, "type": "...", "enrollment_state": "...", "course_section_id": N}.
Result<EnrollmentRequest> ReadEnrollmentRequest(const char* request_json);

// Self-registration's fields, and the client key (for the attempt limiter) beside them.
struct Registration {
  SelfRegistrationRequest request;
  std::string client_key;
};
Result<Registration> ReadRegistration(const char* request_json);

// obs_sis_import's options: NULL or "" (the defaults), or {"dry_run": bool, "actor": N, "batch_mode":
// bool, "diffing_data_set_identifier": "...", "change_threshold": N} (observees.h). root_account unset.
Result<SisImportOptions> ReadSisOptions(const char* options_json);

// NULL (none), [["Name","value"],...] or {"Name": "value"}.
Result<std::vector<rest::Header>> ReadHeaders(const char* headers_json);

}  // namespace observees::capi
