// The matching key of a login's unique_id, shared by every storage backend. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace observees {

// The key a login's unique_id is matched by (logins.unique_id_folded): ASCII lowercase, so "Pat@X" and
// "pat@x" are one login. Non-ASCII bytes are kept as they are. Hosts are folded the same way.
std::string FoldUniqueId(std::string_view unique_id);

}  // namespace observees
