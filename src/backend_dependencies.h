// The one home of "a backend's interfaces as ServiceDependencies", for SqliteBackend, PostgresBackend
// and Storage alike.
#pragma once

#include <memory>
#include <utility>

#include "observees/clock.h"
#include "observees/observation_service.h"
#include "observees/random.h"

namespace observees {

// `backend`'s four interfaces, `clock` (default: SystemClock()) and SecureRandom().
template <typename Backend>
ServiceDependencies DependenciesOf(const Backend& backend, std::shared_ptr<Clock> clock) {
  ServiceDependencies deps;
  deps.directory = backend.directory;
  deps.authenticator = backend.authenticator;
  deps.links = backend.links;
  deps.enrollments = backend.enrollments;
  deps.clock = clock ? std::move(clock) : SystemClock();
  deps.random = SecureRandom();
  return deps;
}

}  // namespace observees
