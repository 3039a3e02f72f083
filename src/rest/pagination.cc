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

std::string LinkHeader(std::string_view base_url, std::string_view path, const Params& query, int page,
                       int per_page, std::int64_t total) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (const auto& pair : query.pairs()) {
    const std::string& name = pair.first;
    if (name == "page" || name == "per_page" || name == "access_token" || name == "api_key") continue;
    kept.push_back(pair);
  }
  const std::string prefix = std::string(base_url) + std::string(path) + "?" +
                             (kept.empty() ? std::string() : EncodeQuery(kept) + "&");
  auto url = [&](std::int64_t n) {
    return "<" + prefix + "page=" + std::to_string(n) + "&per_page=" + std::to_string(per_page) + ">";
  };
  const std::int64_t last = std::max<std::int64_t>(1, (total + per_page - 1) / per_page);
  std::string header = url(page) + "; rel=\"current\"";
  if (page < last) header += "," + url(page + 1) + "; rel=\"next\"";
  if (page > 1) header += "," + url(page - 1) + "; rel=\"prev\"";
  header += "," + url(1) + "; rel=\"first\"";
  header += "," + url(last) + "; rel=\"last\"";
  return header;
}

}  // namespace observees::rest
