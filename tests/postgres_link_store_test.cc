// The PostgreSQL link store: the LinkStore contract suite on a fresh schema per pass, and its atomic
// rules across two backends opened on one schema, standing for two servers sharing a database. Threads
// start together on a latch; loops are bounded; nothing sleeps. Catch2 assertions are not thread-safe,
// so threads record outcomes and the test thread checks them. Without OBSERVEES_TEST_POSTGRES every
// test WARNs and checks nothing (support/postgres_test_util.h).
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "observees/storage.h"
#include "support/link_store_contract.h"
#include "support/postgres_test_util.h"
#include "support/storage_test_util.h"

namespace observees::storage_test {
namespace {

using namespace std::chrono_literals;

constexpr AccountId kRoot = 1;
constexpr Timestamp kT1 = kT0 + 1h;
constexpr Timestamp kWeekLater = kT0 + std::chrono::hours(24 * 7);
constexpr int kThreads = 8;  // split evenly between the two servers
constexpr int kRounds = 5;

std::shared_ptr<LinkStore> OpenLinks(const ScopedPostgresSchema& schema) {
  return ValueOf(OpenStorage(schema.Options(4))).links;
}

TEST_CASE("the PostgreSQL link store keeps the LinkStore contract", "[postgres][contract]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  // Declared before the suite's store, so each schema outlives the store opened on it.
  std::vector<std::unique_ptr<ScopedPostgresSchema>> schemas;
  RunLinkStoreContract([&] {
    schemas.push_back(std::make_unique<ScopedPostgresSchema>(*conninfo));
    return OpenLinks(*schemas.back());
  });
}

// Two backends with their own pools on one schema: two servers sharing a database.
struct TwoServers {
  explicit TwoServers(const std::string& conninfo) : schema(conninfo) {
    for (auto& server : servers) server = OpenLinks(schema);
  }
  // The server thread `i` talks to: even threads the first, odd threads the second.
  LinkStore& For(int i) { return *servers[static_cast<std::size_t>(i % 2)]; }

  ScopedPostgresSchema schema;
  std::array<std::shared_ptr<LinkStore>, 2> servers;
};

// Runs `body(i)` on `threads` threads that start together.
template <typename Body>
void RunTogether(int threads, Body body) {
  std::latch start(threads);
  std::vector<std::thread> running;
  running.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    running.emplace_back([&start, &body, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
  for (auto& thread : running) thread.join();
}

// What a racing thread saw: a storage error's text, empty when there was none.
std::vector<std::string> NoErrors() { return std::vector<std::string>(kThreads); }

CodeId NewCode(LinkStore& store, UserId student, const std::string& code) {
  auto txn = ValueOf(store.BeginWrite());
  const auto id = ValueOf(txn->InsertCode(student, code, kWeekLater, kT0));
  REQUIRE(id.has_value());
  RequireOk(txn->Commit());
  return *id;
}

TEST_CASE("racing redemptions of one code on two servers: one consumer, one link", "[postgres][concurrency][D1]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  TwoServers world(*conninfo);
  for (int round = 0; round < kRounds; ++round) {
    const UserId student = 1000 + round;
    const CodeId code = NewCode(world.For(0), student, "Rd" + std::to_string(round) + "Xq7");
    std::vector<int> consumed(kThreads, 0);  // 1: consumed, linked and committed
    std::vector<std::string> errors = NoErrors();
    RunTogether(kThreads, [&](int i) {
      const UserId observer = 100 + i;
      auto& error = errors[static_cast<std::size_t>(i)];
      auto txn = world.For(i).BeginWrite();
      if (!txn.ok()) return void(error = txn.status().ToString());
      const auto won = (*txn)->ConsumeCode(code, observer, kT1);
      if (!won.ok()) return void(error = won.status().ToString());
      if (!*won) return;  // refused: rolls back
      const auto link = (*txn)->CreateOrRestoreLink(student, observer, kRoot, kT1);
      if (!link.ok()) return void(error = link.status().ToString());
      const Status linked = (*txn)->SetCodeLink(code, link->link.id);
      if (!linked.ok()) return void(error = linked.ToString());
      const Status committed = (*txn)->Commit();
      if (!committed.ok()) return void(error = committed.ToString());
      consumed[static_cast<std::size_t>(i)] = 1;
    });
    INFO("round " << round);
    for (const auto& error : errors) CHECK(error == "");
    REQUIRE(std::count(consumed.begin(), consumed.end(), 1) == 1);
    const UserId winner = 100 + (std::find(consumed.begin(), consumed.end(), 1) - consumed.begin());

    const auto links = ValueOf(world.For(1).ActiveLinksOfStudent(student));
    REQUIRE(links.size() == 1);
    CHECK(links[0].observer_id == winner);
    const auto record = ValueOf(world.For(1).FindCode(code));
    REQUIRE(record.has_value());
    CHECK(record->deleted);
    CHECK(record->used_by == winner);
    CHECK(record->link_id == links[0].id);
  }
}

TEST_CASE("racing create-or-restore of one triple on two servers makes or restores one row",
          "[postgres][concurrency][rule7]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  TwoServers world(*conninfo);
  constexpr UserId kObserver = 3000;
  for (int round = 0; round < kRounds; ++round) {
    const UserId student = 2000 + round;
    // Odd rounds race to restore a removed link instead of creating one.
    const bool restore = round % 2 == 1;
    if (restore) {
      auto txn = ValueOf(world.For(0).BeginWrite());
      const LinkId id = ValueOf(txn->CreateOrRestoreLink(student, kObserver, kRoot, kT0)).link.id;
      REQUIRE(ValueOf(txn->RemoveLink(id, kT0)));
      RequireOk(txn->Commit());
    }
    std::vector<std::optional<LinkChange>> changes(kThreads);
    std::vector<std::string> errors = NoErrors();
    RunTogether(kThreads, [&](int i) {
      auto& error = errors[static_cast<std::size_t>(i)];
      auto txn = world.For(i).BeginWrite();
      if (!txn.ok()) return void(error = txn.status().ToString());
      const auto change = (*txn)->CreateOrRestoreLink(student, kObserver, kRoot, kT1);
      if (!change.ok()) return void(error = change.status().ToString());
      const Status committed = (*txn)->Commit();
      if (!committed.ok()) return void(error = committed.ToString());
      changes[static_cast<std::size_t>(i)] = *change;
    });
    INFO("round " << round << (restore ? " (restore)" : " (create)"));
    for (const auto& error : errors) CHECK(error == "");
    const auto rows = ValueOf(world.For(1).LinksBetween(student, kObserver));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == LinkState::kActive);
    int winners = 0;
    for (const auto& change : changes) {
      REQUIRE(change.has_value());
      CHECK(change->link.id == rows[0].id);
      CHECK(change->link.state == LinkState::kActive);
      if (change->kind != LinkChange::Kind::kUnchanged) {
        ++winners;
        CHECK(change->kind == (restore ? LinkChange::Kind::kRestored : LinkChange::Kind::kCreated));
      }
    }
    CHECK(winners == 1);
  }
}

TEST_CASE("racing attempt reservations on two servers never exceed the limit", "[postgres][concurrency][D6]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  TwoServers world(*conninfo);
  constexpr int kLimit = 5;
  constexpr int kAttemptsPerThread = 4;  // 32 attempts, and no thread's own key reaches the limit
  const Timestamp since = kT0 - 15min;
  const std::vector<AttemptKey> user_key{{"user:10", kLimit, since}};
  const std::vector<AttemptKey> login_key{{"login:1:sam", kLimit, since}};

  // Every thread reserves both shared keys (half in the other order) and one key of its own.
  auto race = [&] {
    std::vector<std::vector<AttemptTicket>> tickets(kThreads);
    std::vector<std::string> errors = NoErrors();
    RunTogether(kThreads, [&](int i) {
      std::vector<AttemptKey> keys{
          {"user:10", kLimit, since}, {"login:1:sam", kLimit, since}, {"client:" + std::to_string(i), kLimit, since}};
      if (i % 4 >= 2) std::swap(keys[0], keys[1]);
      for (int attempt = 0; attempt < kAttemptsPerThread; ++attempt) {
        const auto reserved = world.For(i).ReserveAttempt(keys, kT0, since);
        if (!reserved.ok()) return void(errors[static_cast<std::size_t>(i)] = reserved.status().ToString());
        if (reserved->ticket) tickets[static_cast<std::size_t>(i)].push_back(*reserved->ticket);
      }
    });
    for (const auto& error : errors) CHECK(error == "");
    std::vector<AttemptTicket> all;
    for (const auto& mine : tickets) all.insert(all.end(), mine.begin(), mine.end());
    return all;
  };
  auto refused_everywhere = [&] {
    for (int server = 0; server < 2; ++server) {
      CHECK_FALSE(ValueOf(world.For(server).ReserveAttempt(user_key, kT0, since)).ticket.has_value());
      CHECK_FALSE(ValueOf(world.For(server).ReserveAttempt(login_key, kT0, since)).ticket.has_value());
    }
  };

  // Each success adds one row per key and a refusal none, so exactly kLimit successes means exactly
  // kLimit rows under each shared key.
  const std::vector<AttemptTicket> first = race();
  CHECK(first.size() == static_cast<std::size_t>(kLimit));
  for (const auto& ticket : first) CHECK(ticket.ids.size() == 3);
  refused_everywhere();

  // Released from either server, the rows are gone for both: the next race again admits kLimit.
  for (std::size_t i = 0; i < first.size(); ++i) RequireOk(world.For(static_cast<int>(i)).ReleaseAttempt(first[i]));
  const std::vector<AttemptTicket> second = race();
  CHECK(second.size() == static_cast<std::size_t>(kLimit));
  refused_everywhere();
}

TEST_CASE("racing insertions of one code string on two servers leave one active code",
          "[postgres][concurrency][rule17]") {
  const auto conninfo = TestPostgresConninfo();
  if (!conninfo) return;
  TwoServers world(*conninfo);
  for (int round = 0; round < kRounds; ++round) {
    const std::string code = "Ic" + std::to_string(round) + "Zz9";
    std::vector<std::optional<CodeId>> inserted(kThreads);
    std::vector<std::string> errors = NoErrors();
    RunTogether(kThreads, [&](int i) {
      auto& error = errors[static_cast<std::size_t>(i)];
      auto txn = world.For(i).BeginWrite();
      if (!txn.ok()) return void(error = txn.status().ToString());
      const auto id = (*txn)->InsertCode(4000 + i, code, kWeekLater, kT0);
      if (!id.ok()) return void(error = id.status().ToString());
      const Status committed = (*txn)->Commit();
      if (!committed.ok()) return void(error = committed.ToString());
      inserted[static_cast<std::size_t>(i)] = *id;
    });
    INFO("round " << round);
    for (const auto& error : errors) CHECK(error == "");
    const auto winner = std::find_if(inserted.begin(), inserted.end(), [](const auto& id) { return id.has_value(); });
    REQUIRE(winner != inserted.end());
    CHECK(std::count_if(inserted.begin(), inserted.end(), [](const auto& id) { return id.has_value(); }) == 1);
    const UserId owner = 4000 + (winner - inserted.begin());
    for (int server = 0; server < 2; ++server) {
      const auto active = ValueOf(world.For(server).FindActiveCode(code, kT0));
      REQUIRE(active.has_value());
      CHECK(active->id == **winner);
      CHECK(active->user_id == owner);
    }
    // One stored code per round so far, whoever owns it: the losers stored nothing.
    std::int64_t stored = 0;
    for (int i = 0; i < kThreads; ++i) {
      stored += ValueOf(world.For(0).ListCodes(4000 + i, CodeStateFilter::All(), kT0, 0, 100)).total;
    }
    CHECK(stored == round + 1);
  }
}

}  // namespace
}  // namespace observees::storage_test
