// StorageOptions::table_prefix on SQLite: the library's tables and indexes under prefixed names, so
// that they can live in a file another program owns (an LMS's own database). The statements stay
// written with the plain names (src/storage/); each is rewritten once, when a connection prepares it:
// every identifier that names one of the library's tables or indexes gets the prefix, and nothing in
// a string literal, a quoted identifier or a comment changes. The names come from the migrations
// themselves (each CREATE TABLE and CREATE INDEX), so a new migration needs no list kept by hand.
// With a prefix the schema version is kept in the prefixed meta table (row 'schema_version', as on
// PostgreSQL), never in the file's PRAGMA user_version, which belongs to the file's owner.
// Immutable once built; thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

#include "observees/status.h"

namespace observees::sqlite_schema {

class TablePrefix {
 public:
  // kInvalidArgument unless `prefix` is 1..32 ASCII letters, digits and '_', starting with a letter.
  static Status Check(std::string_view prefix);

  // `prefix` (checked) for the tables and indexes the `migrations` create.
  TablePrefix(std::string prefix, std::span<const char* const> migrations);

  const std::string& prefix() const { return prefix_; }
  // `sql` with every one of the library's table and index names (any case) prefixed.
  std::string Rewrite(std::string_view sql) const;

 private:
  std::string prefix_;
  std::unordered_set<std::string> names_;  // lower case
};

}  // namespace observees::sqlite_schema
