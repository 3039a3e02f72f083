#include "rest/pagination.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <vector>

namespace observees::rest {

Result<int> ParsePage(const std::optional<std::string>& text) {
  if (!text) return 1;
  const Status bad = InvalidArgument("page must be a positive integer", "page");
  if (text->empty()) return bad;
  std::int64_t value = 0;
  for (const char c : *text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad;
    value = std::min<std::int64_t>(value * 10 + (c - '0'), INT_MAX);
  }
  if (value < 1) return bad;
  return static_cast<int>(value);
}

int ParsePerPage(const std::optional<std::string>& text) {
  if (!text) return 0;
  std::size_t i = 0;
  while (i < text->size() && std::isspace(static_cast<unsigned char>((*text)[i]))) ++i;
  bool negative = false;
  if (i < text->size() && ((*text)[i] == '-' || (*text)[i] == '+')) negative = (*text)[i++] == '-';
  std::int64_t value = 0;
  for (; i < text->size() && std::isdigit(static_cast<unsigned char>((*text)[i])); ++i) {
    value = std::min<std::int64_t>(value * 10 + ((*text)[i] - '0'), INT_MAX);
  }
  if (negative || value < 1) return 1;
  return static_cast<int>(value);
}

std::string LinkHeader(std::string_view base_url, std::string_view path, const Params& query, int page, int per_page,
                       std::int64_t total) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (const auto& pair : query.pairs()) {
    const std::string& name = pair.first;
    if (name == "page" || name == "per_page" || name == "access_token" || name == "api_key") continue;
    kept.push_back(pair);
  }
  const std::string prefix =
      std::string(base_url) + std::string(path) + "?" + (kept.empty() ? std::string() : EncodeQuery(kept) + "&");
  std::string header;
  auto add = [&](std::int64_t n, std::string_view rel) {
    if (!header.empty()) header += ',';
    header.append("<").append(prefix).append("page=").append(std::to_string(n));
    header.append("&per_page=").append(std::to_string(per_page)).append(">; rel=\"").append(rel).append("\"");
  };
  const std::int64_t last = std::max<std::int64_t>(1, (total + per_page - 1) / per_page);
  add(page, "current");
  if (page < last) add(page + 1, "next");
  if (page > 1) add(page - 1, "prev");
  add(1, "first");
  add(last, "last");
  return header;
}

}  // namespace observees::rest
