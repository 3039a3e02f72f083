// The PostgreSQL section's raw baseline: a bare libpq client, on a connection of its own to the same
// schema, that replays exactly what one service call sent (PgTrace: the statements, their parameters
// and the sync points) in pipeline mode, each statement prepared once beforehand. The same work in the
// same round trips, without the service, the stores or the driver.
#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <string>
#include <vector>

#include "postgres/pg_database.h"

namespace observees::bench {

class PgReplay {
 public:
  // Connects, sets the search_path to `schema`, prepares the trace's statements. Exits the bench on
  // any failure (it is a measuring tool, not a library).
  PgReplay(const std::string& conninfo, const std::string& schema, PgTrace trace);
  ~PgReplay();
  PgReplay(const PgReplay&) = delete;
  PgReplay& operator=(const PgReplay&) = delete;

  // Replays the trace once; every answer is read and every cell touched. Exits on a failed statement.
  void Run();
  // The round trips one Run() waits for.
  int round_trips() const { return round_trips_; }
  // The bytes of every cell read so far (so that reading them cannot be optimised away).
  std::size_t bytes_read() const { return bytes_read_; }

 private:
  void Drain();  // reads answers up to every sync point sent so far

  PGconn* conn_ = nullptr;
  PgTrace trace_;
  std::vector<std::string> names_;  // prepared statement name per trace step ("" when not prepared)
  int round_trips_ = 0;
  int syncs_ = 0;
  std::size_t bytes_read_ = 0;
};

}  // namespace observees::bench
