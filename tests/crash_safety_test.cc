// Crash safety: a forked writer process adds links (by id and by pairing code), makes codes and
// removes links in a loop on an SQLite file, reporting through a pipe each operation it starts and
// each it finishes. The parent kills it with SIGKILL at a random moment, 30 rounds, and after each
// reopens the database and checks:
//   - PRAGMA integrity_check is "ok";
//   - every operation reported done is there: the link state it left (unless the operation in flight
//     at the kill touched the same pair), the code it made (active unless redeemed);
//   - the redemption in flight is all or nothing: its link is active exactly when its code is consumed;
//   - every consumed code has a link between its student and the observer who used it.
// The parent forks while it holds no database handle and has started no thread; the writer never
// returns into Catch2 (it _exits).
#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/world.h"

namespace observees::testing {
namespace {

constexpr int kRounds = 30;
constexpr int kMaxOpsPerRound = 100000;  // bound for a writer that is never killed

struct Pair {
  UserId observer;
  UserId student;
  bool by_code;  // linked by redeeming the student's code, else by an administrator
};
const std::vector<Pair> kPairs = {{kQuinn, kChild, true},   {kWalt, kChild, true},    {kMona, kBo, true},
                                  {kQuinn, kAnother, true}, {kWalt, kAnother, false}, {kMona, kChild, false},
                                  {kQuinn, kBo, false}};

Storage Open(const std::string& path) {
  StorageOptions options;
  options.location = path;
  options.connections = 2;
  options.password_hashing = PasswordHashing::kFastest;
  Result<Storage> backend = OpenStorage(options);
  if (!backend.ok()) throw std::runtime_error(backend.status().ToString());
  return std::move(*backend);
}

bool LinkActive(LinkStore& links, const Pair& p) {
  auto between = links.LinksBetween(p.student, p.observer);
  if (!between.ok()) throw std::runtime_error(between.status().ToString());
  for (const Link& link : *between) {
    if (link.state == LinkState::kActive) return true;
  }
  return false;
}

void Report(int fd, const std::string& line) {
  const std::string text = line + "\n";
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) ::_exit(3);
}

// The writer: never returns. Lines: "S <pair> <op> [code]" when it starts an operation, "D <pair> <op>
// [code]" when the operation has committed, "E <message>" on an unexpected failure.
[[noreturn]] void Writer(const std::string& path, int fd, unsigned seed) {
  try {
    Storage backend = Open(path);
    auto created = ObservationService::Create(backend.Dependencies());
    if (!created.ok()) throw std::runtime_error(created.status().ToString());
    const auto& service = **created;
    std::mt19937 random(seed);
    auto as = [](UserId user) { return Caller{user, kDefault, {}}; };
    auto must = [&](const Status& status, const std::string& what) {
      if (!status.ok()) {
        Report(fd, "E " + what + ": " + status.ToString());
        ::_exit(4);
      }
    };
    for (int i = 0; i < kMaxOpsPerRound; ++i) {
      const std::size_t index = std::uniform_int_distribution<std::size_t>(0, kPairs.size() - 1)(random);
      const Pair& p = kPairs[index];
      const std::string id = std::to_string(index);
      if (LinkActive(*backend.links, p)) {
        Report(fd, "S " + id + " remove");
        must(service.RemoveObservee(as(p.observer), p.observer, p.student).status(), "remove");
        Report(fd, "D " + id + " remove");
      } else if (p.by_code) {
        Report(fd, "S " + id + " code");
        auto code = service.CreatePairingCode(as(p.student), p.student);
        must(code.status(), "create code");
        Report(fd, "D " + id + " code " + code->code);
        Report(fd, "S " + id + " redeem " + code->code);
        AddObserveeRequest request;
        request.pairing_code = code->code;
        must(service.AddObservee(as(p.observer), p.observer, request).status(), "redeem");
        Report(fd, "D " + id + " redeem " + code->code);
      } else {
        Report(fd, "S " + id + " add");
        must(service.AddObserveeById(as(kAda), p.observer, p.student, RootAccountScope::Domain()).status(), "add");
        Report(fd, "D " + id + " add");
      }
    }
  } catch (const std::exception& e) {
    Report(fd, std::string("E exception: ") + e.what());
    ::_exit(5);
  }
  ::_exit(0);
}

struct Event {
  char kind;  // 'S' or 'D'
  std::size_t pair;
  std::string op;
  std::string code;
};

}  // namespace

TEST_CASE("a writer killed with SIGKILL at random moments leaves a consistent database", "[crash]") {
  TempDir dir;
  const std::string path = (dir.path() / "crash.db").string();
  {
    Storage backend = Open(path);
    REQUIRE(LoadFixture(backend, kStandardFixture).ok());
  }  // closed before the first fork

  std::mt19937 random(20260101);
  int survived = 0;
  std::size_t operations_checked = 0;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      Writer(path, fds[1], static_cast<unsigned>(round * 7919 + 17));
    }
    ::close(fds[1]);
    // Kill at a random moment: from just after the start to well into the loop.
    ::usleep(std::uniform_int_distribution<useconds_t>(2000, 250000)(random));
    ::kill(pid, SIGKILL);
    int wait_status = 0;
    REQUIRE(::waitpid(pid, &wait_status, 0) == pid);
    std::string reported;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
      reported.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);

    std::vector<Event> events;
    std::istringstream lines(reported);
    for (std::string line; std::getline(lines, line);) {
      INFO("round " << round << ": " << line);
      REQUIRE(line.rfind("E ", 0) != 0);  // the writer hit no unexpected failure
      std::istringstream words(line);
      Event e;
      words >> e.kind >> e.pair >> e.op >> e.code;
      REQUIRE(e.pair < kPairs.size());
      events.push_back(e);
    }

    // What the reports promise: per pair, the state the last finished operation left; the operation in
    // flight (the last "S" without its "D"), if any; the codes made and redeemed.
    std::map<std::size_t, bool> expected_active;
    std::map<std::string, std::size_t> codes_made;
    std::map<std::string, bool> codes_redeemed;
    std::optional<Event> in_flight;
    for (const Event& e : events) {
      if (e.kind == 'S') {
        in_flight = e;
        continue;
      }
      in_flight.reset();
      ++operations_checked;
      if (e.op == "remove") expected_active[e.pair] = false;
      if (e.op == "add" || e.op == "redeem") expected_active[e.pair] = true;
      if (e.op == "code") codes_made[e.code] = e.pair;
      if (e.op == "redeem") codes_redeemed[e.code] = true;
    }

    {
      SQLite::Database db(path, SQLite::OPEN_READONLY);
      CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
      // Every consumed code has a link (in any state: a later remove may have deleted it) between its
      // student and the observer who used it.
      SQLite::Statement orphans(db,
                                "SELECT c.id FROM pairing_codes c WHERE c.used_by IS NOT NULL AND NOT EXISTS "
                                "(SELECT 1 FROM observation_links l WHERE l.student_id = c.user_id "
                                "AND l.observer_id = c.used_by)");
      while (orphans.executeStep())
        FAIL_CHECK("round " << round << ": code " << orphans.getColumn(0).getInt64() << " consumed without its link");
    }

    Storage backend = Open(path);
    const Timestamp now = SystemClock()->Now();
    for (const auto& [index, active] : expected_active) {
      if (in_flight && in_flight->pair == index) continue;  // either outcome of the killed operation is fine
      INFO("round " << round << ", pair " << index);
      CHECK(LinkActive(*backend.links, kPairs[index]) == active);
    }
    for (const auto& [code, index] : codes_made) {
      INFO("round " << round << ", code of pair " << index);
      const bool in_flight_redeem = in_flight && in_flight->op == "redeem" && in_flight->code == code;
      auto found = backend.links->FindActiveCode(code, now);
      REQUIRE(found.ok());
      if (in_flight_redeem) {
        // All or nothing: the pair had no active link before the redemption started.
        CHECK(LinkActive(*backend.links, kPairs[index]) == !found->has_value());
      } else {
        CHECK(found->has_value() == (codes_redeemed.count(code) == 0));
      }
    }
    backend = Storage{};
    ++survived;
  }
  WARN("crash rounds survived: " << survived << ", reported operations checked: " << operations_checked);
  CHECK(survived == kRounds);
}

}  // namespace observees::testing
