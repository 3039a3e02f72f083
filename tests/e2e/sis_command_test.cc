// observees-server import / export (server/sis_command.h): a cron job's user_observers.csv into a
// database and back, its summary and warnings, its exit statuses; the real binary.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "../support/temp_dir.h"
#include "demo_server.h"
#include "server_process.h"

namespace observees::e2e {
namespace {

using namespace std::chrono_literals;

struct Run {
  int exit = -1;
  std::string out;
  std::string log;
};

Run Command(const std::vector<std::string>& args) {
  ServerProcess process(OBSERVEES_SERVER_BINARY, args);
  Run run;
  run.out = process.RestOfOutput(30s);
  const std::optional<int> exit = process.WaitForExit(30s);
  REQUIRE(exit.has_value());
  run.exit = *exit;
  run.log = process.Log();
  return run;
}

// A database file holding the demo fixture (Pat P-10, Sam S-20, Alex without a SIS id).
std::string SeededDatabase(const storage_test::TempDir& dir) {
  const std::string db = dir.File("observees.db");
  DemoServer server({"--db", db});
  server.process.Signal(SIGTERM);
  REQUIRE(server.process.WaitForExit(10s) == std::optional<int>(0));
  return db;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST_CASE("import: a csv links by SIS ids, warns per row as Canvas numbers them, export gives the link back",
          "[sis_command]") {
  storage_test::TempDir dir;
  const std::string db = SeededDatabase(dir);
  const std::string csv = dir.File("user_observers.csv");
  Write(csv, "observer_id,student_id,status\nP-10,S-20,active\nP-10,NOPE,active\n");

  const Run dry = Command({"import", "--db", db, "--root-account", "1", "--dry-run", csv});
  CHECK(dry.exit == 0);
  CHECK_THAT(dry.out, Catch::StartsWith("dry run: imported_with_messages, 2 rows: 1 created"));

  const Run imported = Command({"import", "--db", db, "--root-account", "1", csv});
  INFO(imported.out << imported.log);
  CHECK(imported.exit == 0);
  CHECK_THAT(imported.out, Catch::Matches("import [0-9]+: imported_with_messages, 2 rows: 1 created, 0 restored, "
                                          "0 deleted \\(0 by the batch\\), 0 unchanged, 1 warnings, 0 errors\n"
                                          "warning: row 3: [^\n]+NOPE[^\n]*\n"));

  const Run exported = Command({"export", "--db", db, "--root-account", "1"});
  CHECK(exported.exit == 0);
  CHECK_THAT(exported.out, Catch::Contains("P-10,S-20,active"));
  CHECK_THAT(exported.log, Catch::Contains("exported 1 links"));

  const Run again = Command({"import", "--db", db, "--root-account", "1", csv});
  CHECK(again.exit == 0);
  CHECK_THAT(again.out, Catch::Contains(": 0 created, 0 restored, 0 deleted (0 by the batch), 1 unchanged"));
}

TEST_CASE("import: a malformed file or an aborted batch writes nothing and exits 1; a bad command line exits 2",
          "[sis_command]") {
  storage_test::TempDir dir;
  const std::string db = SeededDatabase(dir);
  const std::string bad = dir.File("bad.csv");
  Write(bad, "observer,student\nP-10,S-20\n");
  const Run malformed = Command({"import", "--db", db, "--root-account", "1", bad});
  CHECK(malformed.exit == 1);
  CHECK_THAT(malformed.out, Catch::Contains("error: row "));

  const std::string link = dir.File("link.csv");
  Write(link, "observer_id,student_id,status\nP-10,S-20,active\n");
  REQUIRE(Command({"import", "--db", db, "--root-account", "1", "--batch-mode", "--diffing-data-set-identifier",
                   "nightly", link})
              .exit == 0);
  const std::string empty = dir.File("empty.csv");
  Write(empty, "observer_id,student_id,status\n");
  const Run aborted = Command({"import", "--db", db, "--root-account", "1", "--batch-mode",
                               "--diffing-data-set-identifier", "nightly", "--change-threshold", "50", empty});
  CHECK(aborted.exit == 1);
  CHECK_THAT(aborted.out, Catch::Contains(": aborted,"));
  CHECK_THAT(Command({"export", "--db", db, "--root-account", "1"}).out, Catch::Contains("P-10,S-20,active"));

  for (const std::vector<std::string>& args : {std::vector<std::string>{"import", "--root-account", "1", link},
                                               {"import", "--db", db, link},
                                               {"import", "--db", db, "--root-account", "x", link},
                                               {"import", "--db", db, "--root-account", "1", "--bogus", "1"},
                                               {"export", "--db", db, "--root-account", "1", "--dry-run"},
                                               {"import", "--db", db, "--root-account", "1", "a", "b"}}) {
    const Run run = Command(args);
    CHECK(run.exit == 2);
  }
  CHECK(Command({"import", "--db", db, "--root-account", "1", dir.File("missing.csv")}).exit == 1);
}

}  // namespace
}  // namespace observees::e2e
