// Draws pairing codes (D7): `length` characters chosen uniformly from the alphabet with bytes from the
// injected RandomSource (rejection sampling, so no character is favoured). Thread-safe if the source is.
#pragma once

#include <string>

#include "observees/random.h"
#include "observees/service_options.h"
#include "observees/status.h"

namespace observees {

// kInvalidArgument when the options cannot make codes (see PairingCodeOptions).
Status ValidatePairingCodeOptions(const PairingCodeOptions& options);

std::string DrawPairingCode(const PairingCodeOptions& options, RandomSource& random);

}  // namespace observees
