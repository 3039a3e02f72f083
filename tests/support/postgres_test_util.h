// The PostgreSQL tests' access to a server: the environment variable OBSERVEES_TEST_POSTGRES holds a
// libpq conninfo (scripts/test starts a throwaway cluster and sets it). Without it every PostgreSQL
// test says so with a WARN and checks nothing else: the test command's PostgreSQL stage fails when
// its tests were skipped, so a skip never passes silently there.
#pragma once

#include <optional>
#include <string>

#include "observees/storage.h"

namespace observees::storage_test {

// The conninfo of the test server, or nullopt (after a WARN naming the variable) when none is set.
std::optional<std::string> TestPostgresConninfo();

// A schema of its own on the test server, unique across processes, dropped with everything in it on
// destruction. Each PostgreSQL test (or world) takes one so tests never see each other's rows.
class ScopedPostgresSchema {
 public:
  explicit ScopedPostgresSchema(std::string conninfo);
  ~ScopedPostgresSchema();
  ScopedPostgresSchema(const ScopedPostgresSchema&) = delete;
  ScopedPostgresSchema& operator=(const ScopedPostgresSchema&) = delete;
  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }
  // Options for OpenPostgres on this schema: the cheapest password hashing, `connections` pooled.
  StorageOptions Options(int connections = 4) const;

 private:
  std::string conninfo_;
  std::string name_;
};

}  // namespace observees::storage_test
