// Byte-level text helpers the parsers share (the C ABI's arguments, the REST parameters, the SIS
// import, the attempt limiter's keys): UTF-8 well-formedness and ASCII-only case folding, which unlike
// std::tolower never depends on the process's locale. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace observees {

// Whether `text` is well-formed UTF-8 (ICU's check: no overlong form, surrogate, or code point past
// U+10FFFF). A NUL byte is well-formed.
bool IsValidUtf8(std::string_view text);

// HTTP's optional white space (RFC 9110 OWS), and what Ruby's String#strip removes (Canvas strips every
// SIS field with it).
inline constexpr std::string_view kHttpWhitespace = " \t";
inline constexpr std::string_view kRubyStripped{" \t\n\v\f\r\0", 7};

// `text` without the bytes of `characters` at either end.
std::string_view TrimAscii(std::string_view text, std::string_view characters);

// `text` with A-Z made a-z; every other byte as it is.
std::string AsciiLower(std::string_view text);

// Whether `a` equals `b`, or `text` starts with `prefix`, but for the case of A-Z.
bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b);
bool StartsWithIgnoringAsciiCase(std::string_view text, std::string_view prefix);

}  // namespace observees
