// The storage backends' edge: every backend method runs its body through GuardStorage, so no
// exception from SQLiteCpp or libpq escapes a public function.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "observees/status.h"

namespace observees {

// Runs `body` (which returns a Status or Result) and turns any exception into kInternal with a message
// naming `what` and the exception's text, which the backends keep free of bound values.
template <typename F>
auto GuardStorage(std::string_view what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Internal(std::string("storage failure in ") + std::string(what) + ": " + e.what());
  } catch (...) {
    return Internal(std::string("storage failure in ") + std::string(what));
  }
}

}  // namespace observees
