// Failed-attempt rows of keys never used again are pruned by later reservations of any key (the
// stale rows' cleanup in LinkStore::ReserveAttempt), so the table does not grow with every address
// that ever guessed. Counted in the file with SQLiteCpp; the statement is the one both engines run.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "observees/storage.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

using namespace std::chrono_literals;

int AttemptRows(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("SELECT COUNT(*) FROM failed_attempts").getInt();
}

TEST_CASE("reservations prune stale rows of other keys, a few at a time", "[sqlite][D6][limits]") {
  TempDir dir;
  const std::string path = dir.File("attempts.db");
  const Storage backend = ValueOf(OpenStorage(FileOptions(path)));
  const Timestamp t0 = Timestamp(std::chrono::seconds(1'800'000'000));
  // 200 addresses fail once each and never come back.
  for (int i = 0; i < 200; ++i) {
    const std::vector<AttemptKey> keys{{"client:10.0." + std::to_string(i), 10, t0 - 15min}};
    REQUIRE(ValueOf(backend.links->ReserveAttempt(keys, t0, t0 - 1h)).ticket.has_value());
  }
  REQUIRE(AttemptRows(path) == 200);

  // Within the window nothing of theirs may go: another key's reservations leave them.
  const std::vector<AttemptKey> recent{{"user:1", 10000, t0 - 15min}};
  for (int i = 0; i < 5; ++i) REQUIRE(ValueOf(backend.links->ReserveAttempt(recent, t0 + 1min, t0 - 1h)).ticket);
  CHECK(AttemptRows(path) == 205);

  // Past every window, each reservation of one busy key removes up to eight stale rows.
  const Timestamp later = t0 + 2h;
  const std::vector<AttemptKey> busy{{"user:2", 10000, later - 15min}};
  for (int i = 0; i < 40; ++i) REQUIRE(ValueOf(backend.links->ReserveAttempt(busy, later, later - 1h)).ticket);
  // The 205 older rows are gone (the first 5 of them were user:1's, also stale); user:2's 40 stay.
  CHECK(AttemptRows(path) == 40);
}

}  // namespace
}  // namespace observees::storage_test
