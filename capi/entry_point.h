// The prelude the C ABI's entry points with an out-pointer share (observees.h, conventions 4, 6, 11).
// Internal to libobservees_c.
#pragma once

#include "arguments.h"
#include "errors.h"
#include "handle.h"
#include "observees.h"
#include "observees/status.h"

namespace observees::capi {

// Runs `body()` inside Guard once `out` is cleared (NULL on failure) and the handle and `out` (named
// `out_name` in the message) are checked.
template <typename T, typename Body>
obs_status HandleCall(obs_service* service, T** out, const char* out_name, Body&& body) noexcept {
  return Guard([&]() -> Status {
    ClearOut(out);
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    OBSERVEES_RETURN_IF_ERROR(RequireOut(out, out_name));
    return body();
  });
}

}  // namespace observees::capi
