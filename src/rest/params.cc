#include "rest/params.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cstdint>
#include <cstdio>

#include "text.h"

namespace observees::rest {
namespace {

namespace json = boost::json;
namespace urls = boost::urls;

// Bytes allowed raw in a request target by RFC 3986 (pchar, '/', '?', '%' for escapes, '#').
bool AllowedRaw(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= '0' && c <= '9') return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
    case '/':
    case '?':
    case '%': return true;
    default: return false;
  }
}

Status CheckValue(std::string_view name, std::string_view value, std::size_t max_bytes) {
  if (name.size() > max_bytes || value.size() > max_bytes) {
    return InvalidArgument("a parameter is longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (!IsCleanUtf8(name) || !IsCleanUtf8(value)) {
    return InvalidArgument("parameters must be valid UTF-8 without NUL characters");
  }
  return Status::Ok();
}

Status Flatten(const json::value& value, const std::string& name, std::size_t max_bytes, Params& out, int depth) {
  if (depth > 8) return InvalidArgument("the JSON body nests too deeply");
  switch (value.kind()) {
    case json::kind::null: return Status::Ok();
    case json::kind::object:
      for (const auto& member : value.get_object()) {
        const std::string key(member.key());
        OBSERVEES_RETURN_IF_ERROR(
            Flatten(member.value(), name.empty() ? key : name + "[" + key + "]", max_bytes, out, depth + 1));
      }
      return Status::Ok();
    case json::kind::array:
      for (const auto& element : value.get_array()) {
        if (element.is_object() || element.is_array()) return InvalidArgument("JSON arrays must hold plain values");
        OBSERVEES_RETURN_IF_ERROR(Flatten(element, name + "[]", max_bytes, out, depth + 1));
      }
      return Status::Ok();
    case json::kind::string: {
      const std::string text(value.get_string());
      OBSERVEES_RETURN_IF_ERROR(CheckValue(name, text, max_bytes));
      out.Add(name, text);
      return Status::Ok();
    }
    case json::kind::bool_: out.Add(name, value.get_bool() ? "true" : "false"); return Status::Ok();
    case json::kind::int64: out.Add(name, std::to_string(value.get_int64())); return Status::Ok();
    case json::kind::uint64: out.Add(name, std::to_string(value.get_uint64())); return Status::Ok();
    case json::kind::double_: out.Add(name, json::serialize(value)); return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

void Params::Merge(const Params& other) { pairs_.insert(pairs_.end(), other.pairs_.begin(), other.pairs_.end()); }

std::optional<std::string> Params::Get(std::string_view name) const {
  for (auto it = pairs_.rbegin(); it != pairs_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::vector<std::string> Params::GetAll(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : pairs_) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::string NormalizeTarget(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (AllowedRaw(c)) {
      out += ch;
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

bool IsCleanUtf8(std::string_view text) {
  return text.find('\0') == std::string_view::npos && observees::IsValidUtf8(text);
}

Result<Params> ParseQuery(std::string_view query, std::size_t max_bytes) {
  Params params;
  if (query.empty()) return params;
  auto parsed = urls::parse_query(query);
  if (!parsed) return InvalidArgument("malformed query string or form body");
  urls::encoding_opts plus_is_space;
  plus_is_space.space_as_plus = true;
  for (const auto& param : *parsed) {
    std::string name = param.key.decode(plus_is_space);
    std::string value = param.has_value ? param.value.decode(plus_is_space) : std::string();
    if (name.empty()) continue;
    OBSERVEES_RETURN_IF_ERROR(CheckValue(name, value, max_bytes));
    params.Add(std::move(name), std::move(value));
  }
  return params;
}

Result<Params> ParseJsonBody(std::string_view body, std::size_t max_bytes) {
  boost::system::error_code error;
  const json::value value = json::parse(body, error);
  if (error) return InvalidArgument("malformed JSON body");
  if (!value.is_object()) return InvalidArgument("the JSON body must be an object");
  Params params;
  OBSERVEES_RETURN_IF_ERROR(Flatten(value, "", max_bytes, params, 0));
  return params;
}

namespace {

std::string_view Trim(std::string_view s) { return TrimAscii(s, kHttpWhitespace); }

// The value of `key` among `; key=value` attributes (quotes removed); nullopt when absent.
std::optional<std::string> Attribute(std::string_view header, std::string_view key) {
  std::size_t pos = header.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = header.substr(pos + 1);
    const std::size_t next = rest.find(';');
    std::string_view item = Trim(rest.substr(0, next));
    pos = next == std::string_view::npos ? next : pos + 1 + next;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || !StartsWithIgnoringAsciiCase(item, key) ||
        Trim(item.substr(0, eq)).size() != key.size()) {
      continue;
    }
    std::string_view value = Trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

}  // namespace

Result<Params> ParseMultipart(std::string_view body, std::string_view content_type, std::size_t max_bytes) {
  const Status malformed = InvalidArgument("malformed multipart/form-data body");
  const auto boundary = Attribute(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) return malformed;
  const std::string delimiter = "--" + *boundary;
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return malformed;
  Params params;
  while (true) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return params;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") return malformed;
    pos += 2;
    const std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return malformed;
    std::optional<std::string> name;
    for (std::size_t line = pos; line < headers_end;) {
      std::size_t eol = body.find("\r\n", line);
      if (eol == std::string_view::npos || eol > headers_end) eol = headers_end;
      const std::string_view header = body.substr(line, eol - line);
      if (StartsWithIgnoringAsciiCase(header, "content-disposition:")) name = Attribute(header, "name");
      line = eol + 2;
    }
    const std::size_t content = headers_end + 4;
    const std::size_t end = body.find("\r\n" + delimiter, content);
    if (end == std::string_view::npos || !name) return malformed;
    std::string value(body.substr(content, end - content));
    OBSERVEES_RETURN_IF_ERROR(CheckValue(*name, value, max_bytes));
    if (!name->empty()) params.Add(std::move(*name), std::move(value));
    pos = end + 2;
  }
}

std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += urls::encode(name, urls::unreserved_chars);
    out += '=';
    out += urls::encode(value, urls::unreserved_chars);
  }
  return out;
}

}  // namespace observees::rest
