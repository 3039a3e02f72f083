// Helpers for the storage, fixture and concurrency tests: unwrapping Results inside Catch2 tests,
// opening the SQLite default on a file, and reading a database file behind the library's back
// (every table as text, or the raw bytes) to prove what was or was not written.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "observees/clock.h"
#include "observees/status.h"
#include "observees/storage.h"
#include "observees/timestamp.h"
#include "observees/types.h"

namespace observees::storage_test {

// 2024-06-01T00:00:00Z: "now" in most storage tests.
inline constexpr Timestamp kT0{std::chrono::sys_days{std::chrono::year{2024} / 6 / 1}};

// The value of an OK result; fails the test (naming the caller's line and the status) otherwise.
template <typename T>
T ValueOf(Result<T> result, std::source_location where = std::source_location::current()) {
  INFO(where.file_name() << ":" << where.line() << ": " << result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

// Printable forms for assertions: CHECK(CodeName(r.status()) == CodeName(StatusCode::kNotFound)) and
// CHECK(Iso(link.created_at) == Iso(kT0)) report readable values when they fail.
inline std::string CodeName(StatusCode code) { return std::string(StatusCodeName(code)); }
inline std::string CodeName(const Status& status) { return CodeName(status.code()); }
inline std::string Iso(Timestamp t) { return FormatTimestamp(t); }

inline void RequireOk(const Status& status, std::source_location where = std::source_location::current()) {
  INFO(where.file_name() << ":" << where.line() << ": " << status.ToString());
  REQUIRE(status.ok());
}

// Options for the SQLite file (or ":memory:") at `path`: the cheapest password hashing, a FakeClock at
// kT0, the other options at their defaults.
StorageOptions FileOptions(const std::string& path);

// Opens the SQLite default with the cheapest password hashing and `clock` as its clock.
Storage OpenTestBackend(const std::string& path, std::shared_ptr<Clock> clock, int connections = 4);

// Another program's tables in the SQLite file at `path` (created if missing): one under each plain
// name the library's tables and indexes use, with columns none of its statements name, one row each,
// and PRAGMA user_version 7, as an LMS's own file would have. For StorageOptions::table_prefix tests.
void MakeForeignTables(const std::string& path);
// Whether the tables MakeForeignTables made are still as it made them (and user_version still 7).
bool ForeignTablesIntact(const std::string& path);

// Every row of every table (sqlite_* tables excluded) of the database file at `path`, read through a
// separate read-only SQLiteCpp connection; rows rendered as text with typed cells, sorted per table.
using TableDump = std::map<std::string, std::vector<std::string>>;
TableDump DumpTables(const std::string& path);
// The rows that differ between two dumps, one per line; empty when they are equal.
std::string DiffDumps(const TableDump& before, const TableDump& after);
// Rows in one table of a dump.
std::size_t RowCount(const TableDump& dump, const std::string& table);

// The bytes of a file; empty when it does not exist.
std::string ReadFileBytes(const std::string& path);
// The bytes of a database file and its -wal and -journal files, if present.
std::string ReadDatabaseBytes(const std::string& path);

}  // namespace observees::storage_test
