// statement_log: the SQL text of every statement each SQLite connection of the process starts, so the
// bench can check that its raw baseline runs the service's own statements (--check-statements).
// Install() before the connections of interest are opened: sqlite3_auto_extension gives every new
// connection a SQLITE_TRACE_STMT callback, which costs every statement a call, so timed runs never
// install it. Recording is thread-safe; Take() hands over what was recorded.
#pragma once

#include <sqlite3.h>

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace observees::bench::statement_log {

struct Started {
  sqlite3* db;      // the connection that ran it
  std::string sql;  // as prepared (sqlite3_sql), parameters unexpanded
};

inline std::mutex& Mutex() {
  static std::mutex mutex;
  return mutex;
}
inline std::vector<Started>& Log() {
  static std::vector<Started> log;
  return log;
}

// SQLITE_TRACE_STMT: `statement` starts running; `text` is its SQL, or "-- ..." when a trigger's program
// starts inside it (not a statement of its own: skipped).
inline int OnStatement(unsigned type, void*, void* statement, void* text) {
  if (type != SQLITE_TRACE_STMT) return 0;
  if (text != nullptr && std::string_view(static_cast<const char*>(text)).substr(0, 2) == "--") return 0;
  auto* s = static_cast<sqlite3_stmt*>(statement);
  const char* sql = sqlite3_sql(s);
  const std::lock_guard<std::mutex> lock(Mutex());
  Log().push_back({sqlite3_db_handle(s), sql != nullptr ? sql : ""});
  return 0;
}

inline int OnOpen(sqlite3* db, const char**, const sqlite3_api_routines*) {
  return sqlite3_trace_v2(db, SQLITE_TRACE_STMT, OnStatement, nullptr);
}

// False if SQLite refused the extension.
inline bool Install() { return sqlite3_auto_extension(reinterpret_cast<void (*)()>(OnOpen)) == SQLITE_OK; }

// The statements started since the last Take(), in order; the log is emptied.
inline std::vector<Started> Take() {
  const std::lock_guard<std::mutex> lock(Mutex());
  return std::exchange(Log(), {});
}

}  // namespace observees::bench::statement_log
