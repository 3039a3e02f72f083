#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "observees/storage.h"

// What DisableSqliteMemoryStatistics answered first thing in main, before any SQLite use (the tests
// then run as a multi-threaded embedder should: storage.h); sqlite_read_snapshot_test.cc checks it.
bool g_sqlite_statistics_disabled_in_main = false;

int main(int argc, char* argv[]) {
  g_sqlite_statistics_disabled_in_main = observees::DisableSqliteMemoryStatistics();
  return Catch::Session().run(argc, argv);
}
