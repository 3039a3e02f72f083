#include "pg_replay.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

namespace observees::bench {
namespace {

[[noreturn]] void Fail(const std::string& what, PGconn* conn) {
  std::fprintf(stderr, "pg replay: %s: %s\n", what.c_str(), conn ? PQerrorMessage(conn) : "");
  std::exit(2);
}

}  // namespace

PgReplay::PgReplay(const std::string& conninfo, const std::string& schema, PgTrace trace)
    : conn_(PQconnectdb(conninfo.c_str())), trace_(std::move(trace)) {
  if (PQstatus(conn_) != CONNECTION_OK) Fail("connect", conn_);
  char* quoted = PQescapeIdentifier(conn_, schema.c_str(), schema.size());
  if (quoted == nullptr) Fail("schema name", conn_);
  PGresult* set = PQexec(conn_, ("SET search_path TO " + std::string(quoted)).c_str());
  PQfreemem(quoted);
  if (PQresultStatus(set) != PGRES_COMMAND_OK) Fail("search_path", conn_);
  PQclear(set);
  std::map<std::string, std::string> prepared;
  for (const PgTraceStep& step : trace_) {
    std::string name;
    if (step.kind == PgTraceStep::Kind::kPrepared) {
      auto [it, fresh] = prepared.emplace(step.sql, "raw_" + std::to_string(prepared.size()));
      if (fresh) {
        PGresult* made = PQprepare(conn_, it->second.c_str(), step.sql.c_str(), 0, nullptr);
        if (PQresultStatus(made) != PGRES_COMMAND_OK) Fail("prepare " + step.sql, conn_);
        PQclear(made);
      }
      name = it->second;
    }
    if (step.kind == PgTraceStep::Kind::kWaitedSync) ++round_trips_;
    names_.push_back(std::move(name));
  }
  if (PQenterPipelineMode(conn_) != 1) Fail("pipeline mode", conn_);
}

PgReplay::~PgReplay() {
  if (syncs_ > 0) Drain();
  PQfinish(conn_);
}

void PgReplay::Run() {
  for (std::size_t i = 0; i < trace_.size(); ++i) {
    const PgTraceStep& step = trace_[i];
    switch (step.kind) {
      case PgTraceStep::Kind::kPrepared: {
        const std::vector<const char*> values = step.params.Values();
        if (PQsendQueryPrepared(conn_, names_[i].c_str(), step.params.size(), values.data(), step.params.Lengths(),
                                step.params.Formats(), 0) != 1) {
          Fail("send", conn_);
        }
        break;
      }
      case PgTraceStep::Kind::kPlain:
        if (PQsendQueryParams(conn_, step.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
          Fail("send", conn_);
        }
        break;
      case PgTraceStep::Kind::kSync:
      case PgTraceStep::Kind::kWaitedSync:
        if (PQpipelineSync(conn_) != 1) Fail("sync", conn_);
        ++syncs_;
        if (step.kind == PgTraceStep::Kind::kWaitedSync) Drain();
        break;
    }
  }
}

void PgReplay::Drain() {
  while (syncs_ > 0) {
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (PQstatus(conn_) == CONNECTION_BAD) Fail("connection lost", conn_);
      continue;
    }
    switch (PQresultStatus(result)) {
      case PGRES_PIPELINE_SYNC: --syncs_; break;
      case PGRES_TUPLES_OK:
        for (int r = 0; r < PQntuples(result); ++r) {
          for (int c = 0; c < PQnfields(result); ++c)
            bytes_read_ += static_cast<std::size_t>(PQgetlength(result, r, c));
        }
        break;
      case PGRES_COMMAND_OK: break;
      default: Fail(std::string("a replayed statement failed: ") + PQresultErrorMessage(result), nullptr);
    }
    PQclear(result);
  }
}

}  // namespace observees::bench
