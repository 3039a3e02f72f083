// How a statement is written once for every engine (the stores in src/storage/ run the same text on
// SQLite and PostgreSQL). The conventions:
//   - Placeholders are numbered, ?1 ?2 ...; the PostgreSQL driver turns them into $1 $2 when it
//     prepares a statement, and SQLite reads them as they are.
//   - A parameter whose type its context does not give (an IS NULL test, COALESCE, a recursive CTE's
//     seed) is written CAST(?N AS BIGINT) or CAST(?N AS TEXT): PostgreSQL infers every other type.
//   - Times are Unix seconds (BIGINT), flags 0/1 integers, hashes bytes (Blob): both engines keep the
//     same values.
//   - What truly differs per engine is a fragment of the engine's Dialect (a row lock, a test against
//     a bound list of ids), joined at compile time with Concat, so each engine gets its own constant.
// A connection caches its prepared statements by the text's address: pass the constant itself.
#pragma once

#include <array>
#include <cstddef>

namespace observees::storage {

// The NUL-terminated concatenation of string constants, made at compile time:
//   template <class D> inline constexpr auto kFindSql = Concat("SELECT ...", D::kForUpdate);
//   conn.Query(kFindSql<Dialect>.data(), ...)
template <std::size_t... N>
constexpr std::array<char, (N + ... + 1) - sizeof...(N)> Concat(const char (&... parts)[N]) {
  std::array<char, (N + ... + 1) - sizeof...(N)> out{};
  std::size_t at = 0;
  const auto append = [&](const char* part, std::size_t size) {
    for (std::size_t i = 0; i + 1 < size; ++i) out[at++] = part[i];
  };
  (append(parts, N), ...);
  out[at] = '\0';
  return out;
}

}  // namespace observees::storage
