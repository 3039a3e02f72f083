#include "support/storage_test_util.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace observees::storage_test {

StorageOptions FileOptions(const std::string& path) {
  StorageOptions options;
  options.location = path;
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = std::make_shared<FakeClock>(kT0);
  return options;
}

Storage OpenTestBackend(const std::string& path, std::shared_ptr<Clock> clock, int connections) {
  StorageOptions options;
  options.location = path;
  options.connections = connections;
  options.password_hashing = PasswordHashing::kFastest;
  options.clock = std::move(clock);
  return ValueOf(OpenStorage(options));
}

namespace {

// The plain names of the library's tables (schema.cc); each gets a foreign table of that name.
constexpr const char* kLibraryTables[] = {"meta",
                                          "accounts",
                                          "account_domains",
                                          "users",
                                          "logins",
                                          "access_tokens",
                                          "admins",
                                          "role_overrides",
                                          "courses",
                                          "enrollments",
                                          "observation_links",
                                          "pairing_codes",
                                          "failed_attempts",
                                          "audit_log",
                                          "sis_imports"};

}  // namespace

void MakeForeignTables(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  for (const char* table : kLibraryTables) {
    db.exec(std::string("CREATE TABLE ") + table + " (lms_only TEXT NOT NULL)");
    db.exec(std::string("INSERT INTO ") + table + " VALUES ('owned by the LMS')");
  }
  db.exec("PRAGMA user_version = 7");
}

bool ForeignTablesIntact(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  for (const char* table : kLibraryTables) {
    SQLite::Statement rows(db, std::string("SELECT lms_only FROM ") + table);
    if (!rows.executeStep() || rows.getColumn(0).getString() != "owned by the LMS" || rows.executeStep()) return false;
  }
  return db.execAndGet("PRAGMA user_version").getInt() == 7;
}

namespace {

std::string Hex(const void* data, int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::string out;
  for (int i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string Cell(const SQLite::Column& column) {
  if (column.isNull()) return "NULL";
  if (column.isInteger()) return "i:" + std::to_string(column.getInt64());
  if (column.isFloat()) return "f:" + std::to_string(column.getDouble());
  if (column.isBlob()) return "b:" + Hex(column.getBlob(), column.getBytes());
  return "t:'" + column.getString() + "'";
}

}  // namespace

TableDump DumpTables(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::vector<std::string> tables;
  SQLite::Statement list(db,
                         "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                         "ORDER BY name");
  while (list.executeStep()) tables.push_back(list.getColumn(0).getString());

  TableDump dump;
  for (const auto& table : tables) {
    auto& rows = dump[table];
    SQLite::Statement select(db, "SELECT * FROM \"" + table + "\"");
    while (select.executeStep()) {
      std::string row;
      for (int i = 0; i < select.getColumnCount(); ++i) {
        if (i > 0) row += " | ";
        row += select.getColumnName(i);
        row += "=";
        row += Cell(select.getColumn(i));
      }
      rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end());
  }
  return dump;
}

std::string DiffDumps(const TableDump& before, const TableDump& after) {
  std::ostringstream out;
  std::set<std::string> tables;
  for (const auto& [name, rows] : before) tables.insert(name);
  for (const auto& [name, rows] : after) tables.insert(name);
  static const std::vector<std::string> kNone;
  for (const auto& table : tables) {
    const auto b = before.find(table);
    const auto a = after.find(table);
    const auto& old_rows = b == before.end() ? kNone : b->second;
    const auto& new_rows = a == after.end() ? kNone : a->second;
    std::vector<std::string> removed;
    std::vector<std::string> added;
    std::set_difference(old_rows.begin(), old_rows.end(), new_rows.begin(), new_rows.end(),
                        std::back_inserter(removed));
    std::set_difference(new_rows.begin(), new_rows.end(), old_rows.begin(), old_rows.end(), std::back_inserter(added));
    for (const auto& row : removed) out << table << " - " << row << "\n";
    for (const auto& row : added) out << table << " + " << row << "\n";
  }
  return out.str();
}

std::size_t RowCount(const TableDump& dump, const std::string& table) {
  const auto it = dump.find(table);
  return it == dump.end() ? 0 : it->second.size();
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string ReadDatabaseBytes(const std::string& path) {
  return ReadFileBytes(path) + ReadFileBytes(path + "-wal") + ReadFileBytes(path + "-journal");
}

}  // namespace observees::storage_test
