// Canvas's default name forms: "Last, First" from a full name (User#last_name_first), so that
// "Child Smith" sorts as "Smith, Child". A trailing generational suffix stays with the last name:
// "Pat Parent Jr." -> "Parent Jr., Pat".
#pragma once

#include <string>
#include <string_view>

namespace observees {

std::string DefaultSortableName(std::string_view name);

}  // namespace observees
