// Request parameters as Canvas reads them: the query string, form bodies and JSON bodies, flattened to
// Rails bracket names (`observee[unique_id]`, `include[]`). Decoding is Boost.URL's and Boost.JSON's;
// this file only normalises what real clients send and checks sizes and UTF-8. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "observees/status.h"

namespace observees::rest {

// Decoded name/value pairs in arrival order. A name given twice keeps both; Get returns the last
// (as Rails does).
class Params {
 public:
  void Add(std::string name, std::string value) { pairs_.emplace_back(std::move(name), std::move(value)); }
  // Appends every pair of `other` (later pairs win in Get).
  void Merge(const Params& other);

  std::optional<std::string> Get(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Percent-encodes the bytes real clients send raw although RFC 3986 forbids them (`[`, `]`, `|`, ...,
// and anything outside printable ASCII), so that Boost.URL can parse what curl and browsers send.
std::string NormalizeTarget(std::string_view raw);

// `a=1&b[]=2` (already normalised, no leading '?'); '+' is a space. kInvalidArgument for a broken
// percent escape, invalid UTF-8, a NUL, or a name or value longer than `max_bytes`.
Result<Params> ParseQuery(std::string_view query, std::size_t max_bytes);

// A JSON object body, flattened: objects nest as `a[b]`, arrays as `a[]`, scalars as their text;
// nulls are absent. kInvalidArgument for malformed JSON, a non-object, or an oversized value.
Result<Params> ParseJsonBody(std::string_view body, std::size_t max_bytes);

// A multipart/form-data body (what `curl -F` sends, as Canvas's API examples do), given the request's
// Content-Type with its boundary. Each part's Content-Disposition name is the parameter name and its
// content the value. kInvalidArgument for a missing boundary or a malformed body.
Result<Params> ParseMultipart(std::string_view body, std::string_view content_type, std::size_t max_bytes);

// Whether `text` is valid UTF-8 with no NUL.
bool IsCleanUtf8(std::string_view text);

// `name=value&...`, percent-encoded as Canvas writes its Link URLs (`include%5B%5D=avatar_url`).
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace observees::rest
