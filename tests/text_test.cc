// src/text.h: the one UTF-8 check and the ASCII-only case folding the parsers share.
#include "text.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

using observees::AsciiLower;
using observees::EqualsIgnoringAsciiCase;
using observees::IsValidUtf8;
using observees::StartsWithIgnoringAsciiCase;

TEST_CASE("IsValidUtf8 takes well-formed UTF-8, a NUL included, and refuses every ill-formed sequence", "[text]") {
  using namespace std::string_view_literals;
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ASCII"));
  CHECK(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // é, €, an emoji
  CHECK(IsValidUtf8("\xf4\x8f\xbf\xbf"));                           // U+10FFFF, the last code point
  CHECK(IsValidUtf8("a\0b"sv));
  for (const char* bad :
       {"\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "abc\xe2\x82", "\xff", "\xc3"}) {
    INFO(std::string(bad));
    CHECK_FALSE(IsValidUtf8(bad));
  }
}

TEST_CASE("TrimAscii drops the given bytes at either end only: HTTP's OWS, or all Ruby's strip drops", "[text]") {
  using namespace std::string_view_literals;
  using observees::TrimAscii;
  CHECK(TrimAscii(" \t name=\"a b\" \t", observees::kHttpWhitespace) == "name=\"a b\"");
  CHECK(TrimAscii("\n 12 \r\n", observees::kHttpWhitespace) == "\n 12 \r\n");
  CHECK(TrimAscii("\0\v\f 12 \r\n\0"sv, observees::kRubyStripped) == "12");
  CHECK(TrimAscii(" \t ", observees::kHttpWhitespace).empty());
  CHECK(TrimAscii("", observees::kRubyStripped).empty());
}

TEST_CASE("ASCII case folding changes A-Z only, whatever the bytes around them", "[text]") {
  CHECK(AsciiLower("Sam.Student@EXAMPLE.org") == "sam.student@example.org");
  CHECK(AsciiLower("\xc3\x89LODIE \xc9") == "\xc3\x89lodie \xc9");  // UTF-8 É and a Latin-1 byte stay
  CHECK(EqualsIgnoringAsciiCase("Content-Type", "content-type"));
  CHECK_FALSE(EqualsIgnoringAsciiCase("Content-Type", "content-typ"));
  CHECK_FALSE(EqualsIgnoringAsciiCase("\xc9", "\xe9"));
  CHECK(StartsWithIgnoringAsciiCase("Content-Disposition: form-data", "content-disposition:"));
  CHECK_FALSE(StartsWithIgnoringAsciiCase("Content", "content-disposition:"));
}
