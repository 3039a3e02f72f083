// The storage layer's edge: every store method runs its body through GuardStorage, so no exception
// from a driver (StorageError, SQLiteCpp's, libpq's, std::bad_alloc) escapes a public function.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "observees/status.h"
#include "storage/values.h"

namespace observees {

// Runs `body` (which returns a Status or Result) and turns any exception into a Status: kUnavailable
// for a busy or unreachable database (the call may succeed later), kInternal otherwise, with a message
// naming `what` and the exception's text, which the drivers keep free of bound values.
template <typename F>
auto GuardStorage(std::string_view what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const storage::StorageError& e) {
    const StatusCode code = e.busy() ? StatusCode::kUnavailable : StatusCode::kInternal;
    return Status(code, std::string("storage failure in ") + std::string(what) + ": " + e.what());
  } catch (const std::exception& e) {
    return Internal(std::string("storage failure in ") + std::string(what) + ": " + e.what());
  } catch (...) {
    return Internal(std::string("storage failure in ") + std::string(what));
  }
}

}  // namespace observees
