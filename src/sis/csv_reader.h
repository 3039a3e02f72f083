// CsvReader: a streaming RFC 4180 reader for SIS import files. It reads a std::istream in fixed-size
// chunks, so its memory is one chunk plus the current record whatever the file's size. The first
// record is the header (mandatory: an empty input is an error). Fields may be quoted, with "" for a
// quote and line breaks inside; records end with CRLF, LF or CR; a UTF-8 byte order mark at the start
// is skipped; empty lines are skipped and not counted. Every field must be valid UTF-8. Records are
// numbered as Canvas numbers SIS rows: the header is row 1, the first data record row 2 (a quoted line
// break does not start a new row). A record with another field count than the header is returned with
// `ragged` set: the caller decides. Errors (kInvalidArgument, naming the row) are final: the reader
// returns the same error from then on. Not thread-safe; one reader per stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "observees/status.h"

namespace observees::sis {

struct CsvLimits {
  std::size_t max_field_bytes = std::size_t{64} << 10;  // one field, after unquoting
  std::size_t max_record_bytes = std::size_t{1} << 20;  // every field of one record together
  std::size_t max_fields = 1024;                        // fields in one record
};

struct CsvRecord {
  std::vector<std::string> fields;
  std::int64_t row = 0;  // 1 for the header
  bool ragged = false;   // a data record whose field count differs from the header's
};

class CsvReader {
 public:
  explicit CsvReader(std::istream& in, CsvLimits limits = {});

  // The header record (read on first use). kInvalidArgument for an empty input or a malformed header.
  Result<const CsvRecord*> Header();
  // The next data record into `record`: true when one was read, false at the end of the input.
  Result<bool> Next(CsvRecord& record);
  // The number of the record being read (the one an error is about).
  std::int64_t next_row() const { return rows_ + 1; }

 private:
  // Reads one record (header or data); false at the end.
  Result<bool> ReadRecord(CsvRecord& record);
  // The next byte, or -1 at the end of the input or on a failed read (read_failed_ then says which).
  int Get() {
    if (pos_ < end_) return static_cast<unsigned char>(buffer_[pos_++]);
    return Refill();
  }
  int Refill();
  // Puts back the byte Get() just returned (not after -1).
  void Unget() { --pos_; }
  Status Fail(std::int64_t row, std::string message);

  std::istream& in_;
  CsvLimits limits_;
  std::array<char, 64 * 1024> buffer_{};
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool started_ = false;  // the BOM check ran
  bool read_failed_ = false;
  bool header_read_ = false;
  CsvRecord header_;
  std::int64_t rows_ = 0;  // records read so far
  Status error_ = Status::Ok();
};

}  // namespace observees::sis
