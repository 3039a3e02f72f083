#include "pairing_code_generator.h"

#include <array>
#include <set>

namespace observees {

Status ValidatePairingCodeOptions(const PairingCodeOptions& options) {
  if (options.length < 4 || options.length > 10) {
    return InvalidArgument("pairing code length must be between 4 and 10", "pairing_codes.length");
  }
  std::set<char> distinct;
  for (const char c : options.alphabet) {
    if (c <= ' ' || c > '~') {
      return InvalidArgument("pairing code alphabet must be printable ASCII", "pairing_codes.alphabet");
    }
    if (!distinct.insert(c).second) {
      return InvalidArgument("pairing code alphabet repeats a character", "pairing_codes.alphabet");
    }
  }
  if (distinct.size() < 10) {
    return InvalidArgument("pairing code alphabet needs at least 10 characters", "pairing_codes.alphabet");
  }
  if (options.lifetime < std::chrono::minutes(1)) {
    return InvalidArgument("pairing code lifetime must be at least one minute", "pairing_codes.lifetime");
  }
  if (options.max_active_per_student < 1 || options.max_active_per_student > 10000) {
    return InvalidArgument("pairing code max_active_per_student must be between 1 and 10000",
                           "pairing_codes.max_active_per_student");
  }
  return Status::Ok();
}

std::string DrawPairingCode(const PairingCodeOptions& options, RandomSource& random) {
  const auto n = static_cast<unsigned>(options.alphabet.size());
  const unsigned limit = 256 - 256 % n;  // bytes at or above this would favour the first characters
  std::string code;
  std::array<std::uint8_t, 32> buffer{};
  while (code.size() < static_cast<std::size_t>(options.length)) {
    random.Fill(buffer);
    for (const std::uint8_t b : buffer) {
      if (b >= limit) continue;
      code += options.alphabet[b % n];
      if (code.size() == static_cast<std::size_t>(options.length)) break;
    }
  }
  return code;
}

}  // namespace observees
