// The largest values callers may hand the service (issue 17 item 11), in bytes, checked before
// anything is stored, hashed or looked up. Canvas's own limits where it has them.
#pragma once

#include <cstddef>

namespace observees::input_limits {

inline constexpr std::size_t kNameBytes = 255;      // a user's name, sortable_name, short_name (Canvas: 255)
inline constexpr std::size_t kUniqueIdBytes = 100;  // a login's unique_id (Canvas: 100)
inline constexpr std::size_t kPasswordBytes = 255;  // a password (Canvas's policy: at most 255)
inline constexpr std::size_t kSecretBytes = 1024;   // an access token or pairing code offered for checking

}  // namespace observees::input_limits
