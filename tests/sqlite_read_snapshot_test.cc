// The SQLite default's read snapshots (LinkStore::BeginRead): one state for every interface of the
// backend on the calling thread, no writes meanwhile, nesting, other threads unaffected; and
// DisableSqliteMemoryStatistics, the other half of reading on many threads.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>

#include "observees/fixture.h"
#include "observees/storage.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

// Pat (10) observes nobody yet; Sam (11) is a student; both in root account 1.
constexpr char kFixture[] = R"({
  "accounts": [{"id": 1, "name": "Root"}],
  "users": [
    {"id": 10, "name": "Pat Parent", "logins": [{"account_id": 1, "unique_id": "pat", "password": "pat-password"}]},
    {"id": 11, "name": "Sam Student", "logins": [{"account_id": 1, "unique_id": "sam", "password": "sam-password"}]}
  ]
})";

// A file database in `dir` seeded with kFixture.
Storage Seeded(const TempDir& dir, const std::string& name) {
  Storage backend = OpenTestBackend(dir.File(name), std::make_shared<FakeClock>(kT0));
  RequireOk(LoadFixture(backend, kFixture));
  return backend;
}

void LinkSamToPat(LinkStore& links) {
  auto txn = ValueOf(links.BeginWrite());
  ValueOf(txn->CreateOrRestoreLink(11, 10, 1, kT0));
  RequireOk(txn->Commit());
}

TEST_CASE("a read snapshot keeps one state while another thread writes; a nested one answers nullptr", "[sqlite]") {
  TempDir dir;
  const Storage backend = Seeded(dir, "snapshot.db");

  auto snapshot = backend.links->BeginRead();
  REQUIRE(snapshot != nullptr);
  CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).empty());  // the snapshot is taken at the first read
  CHECK(backend.links->BeginRead() == nullptr);                      // nested: the outer one holds
  std::thread writer([&] { LinkSamToPat(*backend.links); });
  writer.join();
  // Committed on another thread, but this thread still reads the state its snapshot began with.
  CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).empty());
  CHECK(ValueOf(backend.links->LinksBetween(11, 10)).empty());
  snapshot.reset();
  CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).size() == 1);
}

TEST_CASE("a read snapshot of the link store holds for the directory too", "[sqlite]") {
  TempDir dir;
  const Storage backend = Seeded(dir, "snapshot-directory.db");
  auto snapshot = backend.links->BeginRead();
  REQUIRE(snapshot != nullptr);
  CHECK_FALSE(ValueOf(backend.directory->FindUser(12)).has_value());  // the snapshot is taken here
  std::thread loader([&] { RequireOk(LoadFixture(backend, R"({"users": [{"id": 12, "name": "Nia New"}]})")); });
  loader.join();
  CHECK_FALSE(ValueOf(backend.directory->FindUser(12)).has_value());
  snapshot.reset();
  CHECK(ValueOf(backend.directory->FindUser(12)).has_value());
}

TEST_CASE("read snapshots on two databases end in any order, each keeping its own state", "[sqlite]") {
  TempDir dir;
  const Storage first = Seeded(dir, "snapshot-first.db");
  const Storage second = Seeded(dir, "snapshot-second.db");
  auto on_first = first.links->BeginRead();
  auto on_second = second.links->BeginRead();
  REQUIRE(on_first != nullptr);
  REQUIRE(on_second != nullptr);
  CHECK(ValueOf(first.links->ActiveLinksOfObserver(10)).empty());
  CHECK(ValueOf(second.links->ActiveLinksOfObserver(10)).empty());
  std::thread writer([&] {
    LinkSamToPat(*first.links);
    LinkSamToPat(*second.links);
  });
  writer.join();
  on_first.reset();  // the outer one first
  CHECK(ValueOf(first.links->ActiveLinksOfObserver(10)).size() == 1);
  CHECK(ValueOf(second.links->ActiveLinksOfObserver(10)).empty());  // still its snapshot
  {
    auto txn = first.links->BeginWrite();  // no pin is left on the first database
    CHECK(txn.ok());
  }
  on_second.reset();
  CHECK(ValueOf(second.links->ActiveLinksOfObserver(10)).size() == 1);
  auto txn = second.links->BeginWrite();
  CHECK(txn.ok());
}

TEST_CASE("a read snapshot keeps its database alive after the backend is gone", "[sqlite]") {
  TempDir dir;
  std::unique_ptr<ReadSnapshot> snapshot;
  {
    const Storage backend = Seeded(dir, "snapshot-outlives.db");
    snapshot = backend.links->BeginRead();
    REQUIRE(snapshot != nullptr);
    CHECK(ValueOf(backend.directory->FindUser(10)).has_value());
  }
  snapshot.reset();  // ends the transaction and returns the connection to a pool that still exists
  const Storage reopened = OpenTestBackend(dir.File("snapshot-outlives.db"), std::make_shared<FakeClock>(kT0));
  LinkSamToPat(*reopened.links);
  CHECK(ValueOf(reopened.links->ActiveLinksOfObserver(10)).size() == 1);
}

TEST_CASE("a write cannot begin inside a read snapshot, and changes nothing", "[sqlite]") {
  TempDir dir;
  const Storage backend = Seeded(dir, "snapshot-write.db");
  const std::string path = dir.File("snapshot-write.db");
  const TableDump before = DumpTables(path);
  {
    auto snapshot = backend.links->BeginRead();
    REQUIRE(snapshot != nullptr);
    auto txn = backend.links->BeginWrite();
    REQUIRE_FALSE(txn.ok());
    CHECK(CodeName(txn.status()) == CodeName(StatusCode::kInternal));
    CHECK(txn.status().message().find("read snapshot") != std::string::npos);
  }
  CHECK(DiffDumps(before, DumpTables(path)).empty());
  // Once it ends, writes go through again.
  LinkSamToPat(*backend.links);
  CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).size() == 1);
}

TEST_CASE("a read snapshot on one thread leaves other threads' reads and writes alone", "[sqlite]") {
  TempDir dir;
  const Storage backend = Seeded(dir, "snapshot-threads.db");
  auto snapshot = backend.links->BeginRead();
  REQUIRE(snapshot != nullptr);
  CHECK(ValueOf(backend.directory->FindUser(10)).has_value());  // the snapshot is taken here
  std::size_t seen_by_other = 0;
  std::thread other([&] {
    LinkSamToPat(*backend.links);  // this thread has no snapshot: its write goes through
    seen_by_other = ValueOf(backend.links->ActiveLinksOfObserver(10)).size();
  });
  other.join();
  CHECK(seen_by_other == 1);
  CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).empty());
}

TEST_CASE("the in-memory database's one connection serves a read snapshot too", "[sqlite]") {
  const Storage backend = OpenTestBackend("", std::make_shared<FakeClock>(kT0));
  RequireOk(LoadFixture(backend, kFixture));
  LinkSamToPat(*backend.links);
  {
    auto snapshot = backend.links->BeginRead();
    REQUIRE(snapshot != nullptr);
    CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).size() == 1);
    CHECK(ValueOf(backend.directory->FindUser(10)).has_value());
  }
  // The connection went back to the pool: a write after the snapshot finds it.
  const LinkId link = ValueOf(backend.links->LinksBetween(11, 10)).at(0).id;
  auto txn = ValueOf(backend.links->BeginWrite());
  CHECK(ValueOf(txn->RemoveLink(link, kT0)));
  RequireOk(txn->Commit());
  CHECK(ValueOf(backend.links->ActiveLinksOfObserver(10)).empty());
}

}  // namespace
}  // namespace observees::storage_test

extern bool g_sqlite_statistics_disabled_in_main;  // tests/main.cc

namespace observees::storage_test {
namespace {

TEST_CASE("SQLite's allocation statistics go off before first use, and only then", "[sqlite]") {
  CHECK(g_sqlite_statistics_disabled_in_main);
  const Storage backend = OpenTestBackend("", std::make_shared<FakeClock>(kT0));
  RequireOk(LoadFixture(backend, kFixture));
  CHECK(sqlite3_memory_used() == 0);             // nothing counted: the statistics are off
  CHECK_FALSE(DisableSqliteMemoryStatistics());  // SQLite is in use now: refused, changing nothing
}

}  // namespace
}  // namespace observees::storage_test
