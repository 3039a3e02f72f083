// Clock: where the service reads "now". Injected so that expiry and attempt windows are testable
// without sleeping. Implementations must be safe to call from many threads.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "observees/export.h"
#include "observees/types.h"

namespace observees {

class OBSERVEES_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The system's UTC clock, truncated to whole seconds.
OBSERVEES_EXPORT std::shared_ptr<Clock> SystemClock();

// A clock that stands still until told to move. Thread-safe.
class OBSERVEES_EXPORT FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp(std::chrono::seconds(now_.load())); }
  void Set(Timestamp t) { now_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::seconds by) { now_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace observees
