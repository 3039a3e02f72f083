// The C ABI's results as JSON text (observees.h, convention 4): users and pages of users (Canvas's
// shapes, from canvas_json.h), pages of pairing codes, the SIS import's report, the REST router's
// headers. Each Put* writes its out-pointer only on success, with a string the caller frees with
// obs_free. Internal to libobservees_c.
#pragma once

#include <string>
#include <vector>

#include "handle.h"
#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/sis_import.h"
#include "observees/status.h"

namespace observees::capi {

// A user (Canvas's User object with observation_link_root_account_ids; avatars made absolute by the
// service's base_url), or the failed status.
Status PutUser(const obs_service& service, const Result<LinkedUser>& user, char** out_json);

// {"users": [...], "page": N, "per_page": M, "total": T}, or the failed status.
Status PutPage(const obs_service& service, const Result<UserPage>& page, char** out_json);

// {"codes": [...], "page", "per_page", "total"}.
std::string PairingCodePageJson(const PairingCodePage& page);

// {"created", "restored", "deleted", "unchanged", "rows", "warnings", "errors", "dry_run", "committed"}.
std::string SisReportJson(const SisImportReport& report);

// [["Name", "value"], ...].
std::string HeadersJson(const std::vector<rest::Header>& headers);

}  // namespace observees::capi
