// The attempt limiter (D6) under concurrent guessing: 64 threads guess pairing codes for one observer
// at once. The reservation of an attempt is atomic (LinkStore::ReserveAttempt, in the write
// transaction), so no more failures than the limit may be recorded for the observer's key, and every
// guess past the limit is refused with kTooManyAttempts; no guess may answer anything else. The same
// holds for password guesses against one login from many observers (the login key).
#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "support/world.h"

namespace observees::testing {
namespace {

constexpr int kThreads = 64;
constexpr int kGuessesPerThread = 3;
constexpr int kLimit = 10;

std::int64_t FailuresFor(const std::string& path, const std::string& key) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement count(db, "SELECT COUNT(*) FROM failed_attempts WHERE key = ?");
  count.bind(1, key);
  REQUIRE(count.executeStep());
  return count.getColumn(0).getInt64();
}

struct Tally {
  std::atomic<int> invalid{0};
  std::atomic<int> throttled{0};
  std::atomic<int> other{0};
};

template <typename Guess>
void GuessTogether(Tally& tally, Guess guess) {
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kGuessesPerThread; ++i) {
        const StatusCode code = guess(t, i);
        if (code == StatusCode::kInvalidCode || code == StatusCode::kInvalidCredentials) {
          ++tally.invalid;
        } else if (code == StatusCode::kTooManyAttempts) {
          ++tally.throttled;
        } else {
          ++tally.other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace

TEST_CASE("64 threads guessing codes for one observer record no more failures than the limit",
          "[concurrency][D6][limits]") {
  TempDir dir;
  WorldOptions options;
  options.db_path = (dir.path() / "limiter.db").string();
  options.service.limiter.max_failures = kLimit;
  World w = MakeWorld(options);

  Tally tally;
  GuessTogether(tally, [&](int t, int i) {
    const std::string guess = "G" + std::to_string(10000 + t * 10 + i);  // never a real code
    return w.RedeemCode(kQuinn, guess).status().code();
  });
  const std::int64_t recorded = FailuresFor(options.db_path, "user:" + std::to_string(kQuinn));
  WARN("code guesses: " << kThreads * kGuessesPerThread << ", answered invalid " << tally.invalid.load()
                        << ", throttled " << tally.throttled.load() << ", failures recorded " << recorded);
  CHECK(tally.other == 0);
  CHECK(recorded <= kLimit);
  CHECK(tally.invalid <= kLimit);
  CHECK(tally.invalid + tally.throttled == kThreads * kGuessesPerThread);
  // A correct code is refused too, now that the limit is reached (D6).
  CHECK(OutcomeOf(w.RedeemCode(kQuinn, kActiveCode)) == StatusCode::kTooManyAttempts);
  CHECK(w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("64 threads guessing one login's password record no more failures than the limit",
          "[concurrency][D6][limits]") {
  TempDir dir;
  WorldOptions options;
  options.db_path = (dir.path() / "limiter-login.db").string();
  options.service.limiter.max_failures = kLimit;
  World w = MakeWorld(options);

  const std::vector<UserId> observers = {kPat, kQuinn, kWalt, kMona, kOlivia};
  Tally tally;
  GuessTogether(tally, [&](int t, int i) {
    const UserId observer = observers[static_cast<std::size_t>(t) % observers.size()];
    const std::string guess = "wrong-" + std::to_string(t) + "-" + std::to_string(i);
    return w.AddWithCredentials(observer, kChildLogin, guess).status().code();
  });
  const std::int64_t recorded = FailuresFor(options.db_path, "login:1:child");
  WARN("password guesses: " << kThreads * kGuessesPerThread << ", answered invalid " << tally.invalid.load()
                            << ", throttled " << tally.throttled.load() << ", failures recorded " << recorded);
  CHECK(tally.other == 0);
  CHECK(recorded <= kLimit);
  CHECK(tally.invalid <= kLimit);
  CHECK(OutcomeOf(w.AddWithCredentials(kPat, kChildLogin, kChildPassword)) == StatusCode::kTooManyAttempts);
}

}  // namespace observees::testing
