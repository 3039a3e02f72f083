// The streaming RFC 4180 reader of SIS import files (src/sis/csv_reader.h).
#include "sis/csv_reader.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace observees::sis {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Every record of `text`, header first; REQUIREs that reading succeeds.
Rows ReadAll(const std::string& text, CsvLimits limits = {}) {
  std::istringstream in(text);
  CsvReader reader(in, limits);
  auto header = reader.Header();
  REQUIRE(header.ok());
  Rows rows{(*header)->fields};
  CsvRecord record;
  for (;;) {
    auto next = reader.Next(record);
    REQUIRE(next.ok());
    if (!*next) break;
    rows.push_back(record.fields);
  }
  return rows;
}

// The error reading `text` ends with; REQUIREs one.
Status ErrorOf(const std::string& text, CsvLimits limits = {}) {
  std::istringstream in(text);
  CsvReader reader(in, limits);
  auto header = reader.Header();
  if (!header.ok()) return header.status();
  CsvRecord record;
  for (;;) {
    auto next = reader.Next(record);
    if (!next.ok()) return next.status();
    REQUIRE(*next);  // the input must fail before its end
  }
}

TEST_CASE("csv: plain fields, LF and CRLF, a last record without a line break", "[csv]") {
  CHECK(ReadAll("a,b\n1,2\n3,4\n") == Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}});
  CHECK(ReadAll("a,b\r\n1,2\r\n3,4") == Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}});
  CHECK(ReadAll("a,b\r1,2\r") == Rows{{"a", "b"}, {"1", "2"}});
  CHECK(ReadAll("a,b\n,\n") == Rows{{"a", "b"}, {"", ""}});
}

TEST_CASE("csv: quoted fields with doubled quotes, commas and line breaks inside", "[csv]") {
  CHECK(ReadAll("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n") == Rows{{"a", "b"}, {"x,y", "say \"hi\""}});
  CHECK(ReadAll("a,b\n\"line1\r\nline2\",\"\"\n") == Rows{{"a", "b"}, {"line1\r\nline2", ""}});
}

TEST_CASE("csv: rows are numbered as Canvas does (header 1), quoted line breaks and empty lines aside", "[csv]") {
  std::istringstream in("a,b\n\n\"1\n2\",x\n\r\n3,y\n");
  CsvReader reader(in);
  auto header = reader.Header();
  REQUIRE(header.ok());
  CHECK((*header)->row == 1);
  CsvRecord record;
  REQUIRE(*reader.Next(record));
  CHECK(record.row == 2);
  CHECK(record.fields == std::vector<std::string>{"1\n2", "x"});
  REQUIRE(*reader.Next(record));
  CHECK(record.row == 3);
  CHECK_FALSE(*reader.Next(record));
}

TEST_CASE("csv: a UTF-8 byte order mark is skipped; valid UTF-8 passes", "[csv]") {
  CHECK(ReadAll("\xEF\xBB\xBFobserver_id\nJos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n") ==
        Rows{{"observer_id"}, {"Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"}});
  // A lone first byte of a BOM is data (and here not valid UTF-8).
  CHECK(ErrorOf("\xEF"
                "a\n")
            .message() == "row 1: field 1 is not valid UTF-8");
}

TEST_CASE("csv: a missing header is an error", "[csv]") {
  CHECK(ErrorOf("").code() == StatusCode::kInvalidArgument);
  CHECK(ErrorOf("").message() == "the file is empty: a header row is required");
  CHECK(ErrorOf("\xEF\xBB\xBF\n\r\n").message() == "the file is empty: a header row is required");
}

TEST_CASE("csv: bad UTF-8 is an error naming the row and field", "[csv]") {
  CHECK(ErrorOf("a,b\n1,2\n3,\xFF\n").message() == "row 3: field 2 is not valid UTF-8");
  CHECK(ErrorOf("a\n\xC0\xAF\n").message() == "row 2: field 1 is not valid UTF-8");          // overlong
  CHECK(ErrorOf("a\n\xED\xA0\x80\n").message() == "row 2: field 1 is not valid UTF-8");      // surrogate
  CHECK(ErrorOf("a\n\xF4\x90\x80\x80\n").message() == "row 2: field 1 is not valid UTF-8");  // > U+10FFFF
  CHECK(ErrorOf("a\n\xE2\x82\n").message() == "row 2: field 1 is not valid UTF-8");          // truncated
}

TEST_CASE("csv: malformed quoting is an error naming the row", "[csv]") {
  CHECK(ErrorOf("a\n\"open\n").message() == "row 2: a quoted field is not closed before the end of the file");
  CHECK(ErrorOf("a\nab\"c\n").message() ==
        "row 2: a quote inside an unquoted field (quote the field and double the quote)");
  CHECK(ErrorOf("a\n\"x\"y\n").message() ==
        "row 2: a quoted field is followed by something other than a comma or a line break");
}

TEST_CASE("csv: ragged rows are returned and marked", "[csv]") {
  std::istringstream in("a,b\n1\n1,2\n1,2,3\n");
  CsvReader reader(in);
  CsvRecord record;
  REQUIRE(*reader.Next(record));
  CHECK(record.ragged);
  REQUIRE(*reader.Next(record));
  CHECK_FALSE(record.ragged);
  REQUIRE(*reader.Next(record));
  CHECK(record.ragged);
  CHECK(record.row == 4);
}

TEST_CASE("csv: the field, record and field-count caps are errors naming the row", "[csv]") {
  CsvLimits limits;
  limits.max_field_bytes = 4;
  limits.max_record_bytes = 6;
  limits.max_fields = 3;
  CHECK(ReadAll("a\n1234\n", limits) == Rows{{"a"}, {"1234"}});
  CHECK(ErrorOf("a\n12345\n", limits).message() == "row 2: a field is longer than 4 bytes");
  CHECK(ErrorOf("a\n\"12345\"\n", limits).message() == "row 2: a field is longer than 4 bytes");
  CHECK(ErrorOf("a\n123,456,7\n", limits).message() == "row 2: the row is longer than 6 bytes");
  CHECK(ErrorOf("a\n1,2,3,4\n", limits).message() == "row 2: more than 3 fields");
}

TEST_CASE("csv: records straddling the reader's chunks are read whole", "[csv]") {
  std::string text = "observer_id,student_id\n";
  Rows expected{{"observer_id", "student_id"}};
  for (int i = 0; i < 20000; ++i) {
    const std::string observer = "obs-" + std::to_string(i);
    text += observer + ",\"stu \"\"" + std::to_string(i) + "\"\"\r\nnext\"\r\n";
    expected.push_back({observer, "stu \"" + std::to_string(i) + "\"\r\nnext"});
  }
  REQUIRE(text.size() > 3 * 64 * 1024);
  CHECK(ReadAll(text) == expected);
}

TEST_CASE("csv: after an error the reader keeps answering it", "[csv]") {
  std::istringstream in("a\n\xFF\n2\n");
  CsvReader reader(in);
  CsvRecord record;
  CHECK_FALSE(reader.Next(record).ok());
  auto again = reader.Next(record);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().message() == "row 2: field 1 is not valid UTF-8");
}

}  // namespace
}  // namespace observees::sis
