// How an entry point of the C ABI reports: the calling thread's last error (observees.h, convention 5)
// and Guard, which turns a body's Status, or any exception, into an obs_status (convention 6).
// Internal to libobservees_c.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "observees.h"
#include "observees/status.h"

namespace observees::capi {

// Thrown by RequireService (handle.h) for a closed or foreign handle: Guard answers OBS_MISUSE, a code
// of the C ABI's with no StatusCode twin.
struct Misuse {
  const char* message;
};

// The calling thread's message of its last failed call ("" after a success).
std::string& LastError() noexcept;

// Sets the last error to `message` (or "" when even that fails) and returns `code`.
obs_status Report(obs_status code, const char* message) noexcept;

// Runs one entry point's body (returning a Status): clears the last error, turns a non-OK Status into its
// code and message (the code's name for an empty message), Misuse into OBS_MISUSE, and every other
// exception into OBS_INTERNAL.
template <typename Body>
obs_status Guard(Body&& body) noexcept {
  try {
    LastError().clear();
    const Status status = body();
    if (status.ok()) return OBS_OK;
    LastError() = status.message().empty() ? std::string(StatusCodeName(status.code())) : status.message();
    return static_cast<obs_status>(status.code());
  } catch (const Misuse& misuse) {
    return Report(OBS_MISUSE, misuse.message);
  } catch (const std::bad_alloc&) {
    return Report(OBS_INTERNAL, "out of memory");
  } catch (...) {
    return Report(OBS_INTERNAL, "unexpected internal failure");
  }
}

}  // namespace observees::capi
