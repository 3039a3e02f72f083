#include "support/pg_inspector.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#if OBSERVEES_TEST_WITH_LIBPQ
#include <libpq-fe.h>
#endif

namespace observees::storage_test {

#if OBSERVEES_TEST_WITH_LIBPQ

struct PgInspector::Connection {
  PGconn* conn = nullptr;
  ~Connection() {
    if (conn != nullptr) PQfinish(conn);
  }
};

namespace {

// The result of `sql`; REQUIREs that it succeeded. The caller PQclears it.
PGresult* Run(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const std::string error = PQresultErrorMessage(result);
    PQclear(result);
    INFO(sql << ": " << error);
    REQUIRE(false);
  }
  return result;
}

std::vector<std::string> Column(PGconn* conn, const std::string& sql) {
  PGresult* result = Run(conn, sql);
  std::vector<std::string> values;
  for (int row = 0; row < PQntuples(result); ++row) values.emplace_back(PQgetvalue(result, row, 0));
  PQclear(result);
  return values;
}

std::string Quoted(const std::string& identifier) { return "\"" + identifier + "\""; }

}  // namespace

PgInspector::PgInspector(const std::string& conninfo, const std::string& schema)
    : conn_(std::make_unique<Connection>()) {
  conn_->conn = PQconnectdb(conninfo.c_str());
  INFO("cannot connect to the test server");
  REQUIRE(PQstatus(conn_->conn) == CONNECTION_OK);
  PQsetNoticeProcessor(
      conn_->conn, [](void*, const char*) {}, nullptr);
  PQclear(Run(conn_->conn, "SET search_path TO " + Quoted(schema)));
}

PgInspector::~PgInspector() = default;

TableDump PgInspector::Dump() {
  TableDump dump;
  const auto tables = Column(conn_->conn,
                             "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                             "AND table_type = 'BASE TABLE' ORDER BY table_name");
  for (const std::string& table : tables) {
    PGresult* result = Run(conn_->conn, "SELECT * FROM " + Quoted(table));
    auto& rows = dump[table];
    for (int row = 0; row < PQntuples(result); ++row) {
      std::string text;
      for (int column = 0; column < PQnfields(result); ++column) {
        if (column > 0) text += " | ";
        text += PQfname(result, column);
        text += "=";
        text += PQgetisnull(result, row, column) ? "NULL" : "'" + std::string(PQgetvalue(result, row, column)) + "'";
      }
      rows.push_back(std::move(text));
    }
    PQclear(result);
    std::sort(rows.begin(), rows.end());
  }
  return dump;
}

std::optional<std::string> PgInspector::Scalar(const std::string& sql) {
  PGresult* result = Run(conn_->conn, sql);
  std::optional<std::string> value;
  if (PQntuples(result) > 0 && PQnfields(result) > 0 && !PQgetisnull(result, 0, 0)) value = PQgetvalue(result, 0, 0);
  PQclear(result);
  return value;
}

#else  // no libpq in this build

struct PgInspector::Connection {};

PgInspector::PgInspector(const std::string&, const std::string&) { FAIL("this build has no libpq"); }
PgInspector::~PgInspector() = default;
TableDump PgInspector::Dump() {
  FAIL("this build has no libpq");
  return {};
}
std::optional<std::string> PgInspector::Scalar(const std::string&) {
  FAIL("this build has no libpq");
  return std::nullopt;
}

#endif

}  // namespace observees::storage_test
