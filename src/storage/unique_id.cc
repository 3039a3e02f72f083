#include "storage/unique_id.h"

namespace observees {

std::string FoldUniqueId(std::string_view unique_id) {
  std::string folded(unique_id);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

}  // namespace observees
