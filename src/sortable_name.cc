#include "sortable_name.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace observees {
namespace {

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    const std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

bool IsSuffix(std::string_view word) {
  static constexpr std::array<std::string_view, 10> kSuffixes = {"Jr",  "Jr.", "Sr", "Sr.", "II",
                                                                 "III", "IV",  "V",  "2nd", "3rd"};
  return std::find(kSuffixes.begin(), kSuffixes.end(), word) != kSuffixes.end();
}

std::string Join(const std::vector<std::string_view>& words, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

}  // namespace

std::string DefaultSortableName(std::string_view name) {
  const auto words = Words(name);
  if (words.size() < 2) return Join(words, 0, words.size());
  std::size_t last = words.size() - 1;  // index of the surname
  if (IsSuffix(words[last]) && last >= 2) --last;
  if (last == 0) return Join(words, 0, words.size());
  return Join(words, last, words.size()) + ", " + Join(words, 0, last);
}

}  // namespace observees
