#include "support/postgres_test_util.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>

namespace observees::storage_test {

std::optional<std::string> TestPostgresConninfo() {
  const char* conninfo = std::getenv("OBSERVEES_TEST_POSTGRES");
  if (conninfo == nullptr || *conninfo == '\0') {
    WARN("SKIPPED: no PostgreSQL server (set OBSERVEES_TEST_POSTGRES to a libpq conninfo)");
    return std::nullopt;
  }
  return std::string(conninfo);
}

ScopedPostgresSchema::ScopedPostgresSchema(std::string conninfo) : conninfo_(std::move(conninfo)) {
  static std::atomic<int> counter{0};
  name_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  // A leftover from an earlier process with the same pid would be reused: start clean.
  const Status dropped = DropPostgresSchema(conninfo_, name_);
  INFO(dropped.ToString());
  REQUIRE(dropped.ok());
}

ScopedPostgresSchema::~ScopedPostgresSchema() { (void)DropPostgresSchema(conninfo_, name_); }

StorageOptions ScopedPostgresSchema::Options(int connections) const {
  StorageOptions options;
  options.location = "postgresql:" + conninfo_;
  options.schema = name_;
  options.connections = connections;
  options.password_hashing = PasswordHashing::kFastest;
  return options;
}

}  // namespace observees::storage_test
