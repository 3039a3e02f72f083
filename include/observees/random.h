// RandomSource: where pairing codes get their randomness. Injected so tests can force collisions.
// Implementations must be safe to call from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "observees/export.h"

namespace observees {

class OBSERVEES_EXPORT RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with uniformly random bytes.
  virtual void Fill(std::span<std::uint8_t> out) = 0;
};

// A cryptographically secure source (libsodium's randombytes).
OBSERVEES_EXPORT std::shared_ptr<RandomSource> SecureRandom();

}  // namespace observees
