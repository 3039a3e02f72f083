// CsvReader: the state machine of RFC 4180 over a chunked stream (see csv_reader.h).
#include "sis/csv_reader.h"

#include <utility>

#include "text.h"

namespace observees::sis {

CsvReader::CsvReader(std::istream& in, CsvLimits limits) : in_(in), limits_(limits) {}

int CsvReader::Refill() {
  if (read_failed_ || !in_.good()) {
    if (in_.bad()) read_failed_ = true;
    return -1;
  }
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  const std::streamsize got = in_.gcount();
  if (in_.bad()) read_failed_ = true;
  if (got <= 0) return -1;
  pos_ = 0;
  end_ = static_cast<std::size_t>(got);
  return static_cast<unsigned char>(buffer_[pos_++]);
}

Status CsvReader::Fail(std::int64_t row, std::string message) {
  error_ = InvalidArgument("row " + std::to_string(row) + ": " + std::move(message));
  return error_;
}

Result<const CsvRecord*> CsvReader::Header() {
  if (!error_.ok()) return error_;
  if (!header_read_) {
    auto read = ReadRecord(header_);
    if (!read.ok()) return read.status();
    if (!*read) {
      error_ = InvalidArgument("the file is empty: a header row is required");
      return error_;
    }
    header_read_ = true;
  }
  return &header_;
}

Result<bool> CsvReader::Next(CsvRecord& record) {
  auto header = Header();
  if (!header.ok()) return header.status();
  auto read = ReadRecord(record);
  if (!read.ok() || !*read) return read;
  record.ragged = record.fields.size() != header_.fields.size();
  return true;
}

Result<bool> CsvReader::ReadRecord(CsvRecord& record) {
  if (!error_.ok()) return error_;
  if (!started_) {
    started_ = true;
    static constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
    int matched = 0;
    for (; matched < 3; ++matched) {
      const int c = Get();
      if (c != kBom[matched]) {
        if (c >= 0) Unget();
        break;
      }
    }
    if (matched != 0 && matched != 3) {
      // A partial BOM: put its bytes back (they are all still in the first chunk).
      pos_ -= static_cast<std::size_t>(matched);
    }
  }
  // Skip empty lines: they are not records and are not counted.
  int c = Get();
  while (c == '\n' || c == '\r') c = Get();
  if (c < 0) {
    if (read_failed_) return Fail(rows_ + 1, "the input could not be read");
    return false;
  }
  const std::int64_t row = rows_ + 1;
  record.fields.clear();
  record.row = row;
  record.ragged = false;
  std::size_t record_bytes = 0;
  std::string field;
  auto end_field = [&]() -> Status {
    if (!observees::IsValidUtf8(field)) {
      return Fail(row, "field " + std::to_string(record.fields.size() + 1) + " is not valid UTF-8");
    }
    if (record.fields.size() >= limits_.max_fields) {
      return Fail(row, "more than " + std::to_string(limits_.max_fields) + " fields");
    }
    record.fields.push_back(std::move(field));
    field.clear();
    return Status::Ok();
  };
  auto add = [&](int byte) -> Status {
    if (field.size() >= limits_.max_field_bytes) {
      return Fail(row, "a field is longer than " + std::to_string(limits_.max_field_bytes) + " bytes");
    }
    if (++record_bytes > limits_.max_record_bytes) {
      return Fail(row, "the row is longer than " + std::to_string(limits_.max_record_bytes) + " bytes");
    }
    field.push_back(static_cast<char>(byte));
    return Status::Ok();
  };
  for (;;) {
    if (c == '"' && field.empty()) {
      // A quoted field: up to the closing quote, "" standing for one quote.
      for (;;) {
        c = Get();
        if (c < 0) {
          if (read_failed_) return Fail(row, "the input could not be read");
          return Fail(row, "a quoted field is not closed before the end of the file");
        }
        if (c == '"') {
          c = Get();
          if (c != '"') break;  // the closing quote
        }
        OBSERVEES_RETURN_IF_ERROR(add(c));
      }
      if (c >= 0 && c != ',' && c != '\n' && c != '\r') {
        return Fail(row, "a quoted field is followed by something other than a comma or a line break");
      }
    } else {
      while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
        if (c == '"') return Fail(row, "a quote inside an unquoted field (quote the field and double the quote)");
        OBSERVEES_RETURN_IF_ERROR(add(c));
        c = Get();
      }
    }
    OBSERVEES_RETURN_IF_ERROR(end_field());
    if (c == ',') {
      c = Get();
      continue;
    }
    if (c == '\r') {
      const int next = Get();
      if (next >= 0 && next != '\n') Unget();
    }
    if (c < 0 && read_failed_) return Fail(row, "the input could not be read");
    break;  // the end of the record (a line break or the end of the input)
  }
  rows_ = row;
  return true;
}

}  // namespace observees::sis
