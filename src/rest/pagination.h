// Canvas's pagination on the wire (rule 34): the page and per_page parameters, and the Link header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "observees/status.h"
#include "rest/params.h"

namespace observees::rest {

// `page`: absent → 1; a positive decimal integer (clamped to INT_MAX); anything else kInvalidArgument.
Result<int> ParsePage(const std::optional<std::string>& text);

// `per_page` as Ruby's to_i reads it (leading digits, else 0), at least 1; 0 when absent (the service's
// default). The service clamps it to its maximum.
int ParsePerPage(const std::optional<std::string>& text);

// `<URL>; rel="current",<URL>; rel="next",...` with rels current, next, prev, first, last as they
// apply. Each URL is `base_url` + `path` + the query's other parameters (not page, per_page,
// access_token or api_key) + `page=N&per_page=M`.
std::string LinkHeader(std::string_view base_url, std::string_view path, const Params& query, int page, int per_page,
                       std::int64_t total);

}  // namespace observees::rest
