#include "sqlite/table_prefix.h"

#include <cctype>
#include <cstddef>
#include <utility>
#include <vector>

#include "text.h"

namespace observees::sqlite_schema {
namespace {

bool IsIdentifierStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsIdentifierChar(char c) { return IsIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Calls `on_identifier(begin, end)` for each bare identifier of `sql` and `on_other(begin, end)` for
// everything between them (literals, quoted identifiers, comments, numbers, punctuation), in order.
template <typename Identifier, typename Other>
void Scan(std::string_view sql, Identifier on_identifier, Other on_other) {
  std::size_t i = 0;
  std::size_t other = 0;                      // start of the pending non-identifier run
  const auto skip_quoted = [&](char close) {  // from the opening quote; a doubled quote escapes
    for (++i; i < sql.size(); ++i) {
      if (sql[i] == close) {
        if (i + 1 < sql.size() && sql[i + 1] == close) {
          ++i;
          continue;
        }
        ++i;
        return;
      }
    }
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      skip_quoted(c);
    } else if (c == '[') {
      const std::size_t close = sql.find(']', i);
      i = close == std::string_view::npos ? sql.size() : close + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const std::size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '?' || c == '$' || c == ':' || c == '@') {
      // Numbers (1e5, 0x1F) and parameters (?1, :name) are not names.
      for (++i; i < sql.size() && IsIdentifierChar(sql[i]); ++i) {
      }
    } else if (IsIdentifierStart(c)) {
      std::size_t end = i + 1;
      while (end < sql.size() && IsIdentifierChar(sql[end])) ++end;
      if (other < i) on_other(other, i);
      on_identifier(i, end);
      i = end;
      other = end;
    } else {
      ++i;
    }
  }
  if (other < sql.size()) on_other(other, sql.size());
}

}  // namespace

Status TablePrefix::Check(std::string_view prefix) {
  bool ok = !prefix.empty() && prefix.size() <= 32 && std::isalpha(static_cast<unsigned char>(prefix[0])) != 0;
  for (const char c : prefix) ok = ok && c >= 0 && IsIdentifierChar(c);
  if (ok) return Status::Ok();
  return InvalidArgument("table_prefix must be 1 to 32 ASCII letters, digits and '_', starting with a letter",
                         "table_prefix");
}

TablePrefix::TablePrefix(std::string prefix, std::span<const char* const> migrations) : prefix_(std::move(prefix)) {
  // CREATE [UNIQUE] INDEX [IF NOT EXISTS] name, CREATE TABLE [IF NOT EXISTS] name.
  for (const char* migration : migrations) {
    std::vector<std::string> words;
    const std::string_view sql(migration);
    Scan(
        sql, [&](std::size_t begin, std::size_t end) { words.push_back(AsciiLower(sql.substr(begin, end - begin))); },
        [](std::size_t, std::size_t) {});
    for (std::size_t w = 0; w + 2 < words.size(); ++w) {
      if (words[w] != "create") continue;
      std::size_t k = w + 1;
      if (words[k] == "unique") ++k;
      if (k >= words.size() || (words[k] != "table" && words[k] != "index")) continue;
      ++k;
      if (k + 2 < words.size() && words[k] == "if" && words[k + 1] == "not" && words[k + 2] == "exists") k += 3;
      if (k < words.size()) names_.insert(words[k]);
    }
  }
}

std::string TablePrefix::Rewrite(std::string_view sql) const {
  std::string out;
  out.reserve(sql.size() + 16 * prefix_.size());
  Scan(
      sql,
      [&](std::size_t begin, std::size_t end) {
        const std::string_view word = sql.substr(begin, end - begin);
        if (names_.contains(AsciiLower(word))) out += prefix_;
        out += word;
      },
      [&](std::size_t begin, std::size_t end) { out += sql.substr(begin, end - begin); });
  return out;
}

}  // namespace observees::sqlite_schema
