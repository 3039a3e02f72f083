// PgInspector: reads a PostgreSQL test schema behind the library's back, over its own libpq
// connection, to prove what was or was not written (every table as text, the way DumpTables in
// storage_test_util.h renders an SQLite file), and runs raw SQL the way another client would.
// In a build without libpq every call FAILs the test. One thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "support/storage_test_util.h"

namespace observees::storage_test {

class PgInspector {
 public:
  // Connects to `conninfo` with search_path `schema`; REQUIREs success.
  PgInspector(const std::string& conninfo, const std::string& schema);
  ~PgInspector();
  PgInspector(const PgInspector&) = delete;
  PgInspector& operator=(const PgInspector&) = delete;

  // Every row of every table of the schema, rows sorted per table; cells "column=value" in PostgreSQL's
  // text output (bytea as \x hex), NULL as NULL.
  TableDump Dump();
  // Runs `sql` (no parameters) and returns the first column of the first row, nullopt for no row or
  // NULL; REQUIREs success.
  std::optional<std::string> Scalar(const std::string& sql);

 private:
  struct Connection;
  std::unique_ptr<Connection> conn_;
};

}  // namespace observees::storage_test
