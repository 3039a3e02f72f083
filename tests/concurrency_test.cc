// Many threads against one service over one SQLite file (WAL, four pooled connections): a pairing
// code is redeemed at most once (D1), racing adds of one link make one row (rule 7e), and readers
// listing observees while writers change links see consistent pages. Threads start together on a
// latch; loops are bounded; nothing sleeps or measures time. Catch2 assertions are not thread-safe,
// so threads record outcomes and the test thread checks them.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <latch>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/storage.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

constexpr AccountId kRoot = 1;
constexpr UserId kAdmin = 5;
constexpr UserId kStudent = 11;
constexpr UserId kFirstObserver = 100;
constexpr int kObservers = 16;
constexpr UserId kFirstListed = 200;  // students 200..219 for the readers/writers test
constexpr int kStableListed = 10;     // 200..209: linked by the fixture, never touched
constexpr int kToggledPerWriter = 5;  // 210..214: writer 0, 215..219: writer 1
constexpr int kWriters = 2;
constexpr int kListed = kStableListed + kToggledPerWriter * kWriters;
constexpr char kCode[] = "Qz7Wk2";
constexpr char kStudentToken[] = "token-sam-concurrency";

boost::json::object Person(UserId id, const std::string& name, const std::string& sortable_name,
                           const std::string& unique_id) {
  return {{"id", id},
          {"name", name},
          {"sortable_name", sortable_name},
          {"logins", boost::json::array{boost::json::object{
                         {"account_id", kRoot}, {"unique_id", unique_id}, {"password", unique_id + "-password"}}}}};
}

std::string ConcurrencyFixture() {
  boost::json::array users;
  users.push_back(Person(kAdmin, "Ada Admin", "Admin, Ada", "ada"));
  auto student = Person(kStudent, "Sam Student", "Student, Sam", "sam");
  student["tokens"] = boost::json::array{kStudentToken};
  users.push_back(student);
  for (int i = 0; i < kObservers; ++i) {
    const UserId id = kFirstObserver + i;
    users.push_back(
        Person(id, "Parent " + std::to_string(id), "Parent, P" + std::to_string(id), "parent" + std::to_string(id)));
  }
  boost::json::array links;
  for (int i = 0; i < kListed; ++i) {
    const UserId id = kFirstListed + i;
    users.push_back(Person(id, "Kid " + std::to_string(id), "Kid, A" + std::to_string(id), "kid" + std::to_string(id)));
    if (i < kStableListed) {
      links.push_back(
          boost::json::object{{"observer_id", kFirstObserver}, {"student_id", id}, {"root_account_id", kRoot}});
    }
  }
  boost::json::object fixture{
      {"accounts", boost::json::array{boost::json::object{
                       {"id", kRoot}, {"name", "Default"}, {"domains", boost::json::array{"canvas.test"}}}}},
      {"users", std::move(users)},
      {"admins", boost::json::array{boost::json::object{{"user_id", kAdmin}, {"account_id", kRoot}}}},
      {"links", std::move(links)},
      {"pairing_codes", boost::json::array{boost::json::object{
                            {"user_id", kStudent}, {"code", kCode}, {"expires_at", "2030-01-01T00:00:00Z"}}}}};
  return boost::json::serialize(fixture);
}

// A seeded SQLite file with four connections and a service on it, limiter off.
struct ConcurrentWorld {
  ConcurrentWorld() {
    backend = OpenTestBackend(dir.File("concurrency.db"), clock, 4);
    RequireOk(LoadFixture(backend, ConcurrencyFixture()));
    ServiceOptions options;
    options.limiter.enabled = false;
    service = ValueOf(ObservationService::Create(backend.Dependencies(clock), options));
  }
  TempDir dir;
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(kT0);
  Storage backend;
  std::unique_ptr<ObservationService> service;
};

Caller As(UserId user) { return Caller{user, kRoot, {}}; }

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

TEST_CASE("sixteen observers redeeming one pairing code at once: exactly one wins", "[concurrency][D1]") {
  ConcurrentWorld world;
  const auto code_before = ValueOf(world.backend.links->FindActiveCode(kCode, kT0));
  REQUIRE(code_before.has_value());

  std::vector<Status> outcomes(kObservers);
  RunTogether(kObservers, [&](int i) {
    const UserId observer = kFirstObserver + i;
    AddObserveeRequest request;
    request.pairing_code = kCode;
    outcomes[static_cast<std::size_t>(i)] = world.service->AddObservee(As(observer), observer, request).status();
  });

  std::optional<UserId> winner;
  int wins = 0;
  for (int i = 0; i < kObservers; ++i) {
    const Status& outcome = outcomes[static_cast<std::size_t>(i)];
    INFO("observer " << kFirstObserver + i << ": " << outcome.ToString());
    if (outcome.ok()) {
      ++wins;
      winner = kFirstObserver + i;
    } else {
      CHECK(CodeName(outcome) == CodeName(StatusCode::kInvalidCode));
    }
  }
  REQUIRE(wins == 1);

  const auto links = ValueOf(world.backend.links->ActiveLinksOfStudent(kStudent));
  REQUIRE(links.size() == 1);
  CHECK(links[0].observer_id == *winner);
  std::size_t rows = 0;
  for (int i = 0; i < kObservers; ++i) {
    rows += ValueOf(world.backend.links->LinksBetween(kStudent, kFirstObserver + i)).size();
  }
  CHECK(rows == 1);

  CHECK_FALSE(ValueOf(world.backend.links->FindActiveCode(kCode, kT0)).has_value());
  const auto code_after = ValueOf(world.backend.links->FindCode(code_before->id));
  REQUIRE(code_after.has_value());
  CHECK(code_after->deleted);
  CHECK(code_after->used_by == winner);
}

// Entries of the audit log that record a link created between the pair.
int CreationsAudited(LinkStore& store, UserId student, UserId observer) {
  int created = 0;
  for (const auto& entry : ValueOf(store.ReadAudit(0, 100000))) {
    if (entry.action == AuditAction::kCreated && entry.student_id == student && entry.observer_id == observer) {
      ++created;
    }
  }
  return created;
}

TEST_CASE("sixteen admins adding the same link at once make one link", "[concurrency][rule7]") {
  ConcurrentWorld world;
  constexpr UserId kObserver = kFirstObserver + 1;
  std::vector<Status> outcomes(kObservers);
  RunTogether(kObservers, [&](int i) {
    outcomes[static_cast<std::size_t>(i)] =
        world.service->AddObserveeById(As(kAdmin), kObserver, kStudent, RootAccountScope::Domain()).status();
  });
  for (const auto& outcome : outcomes) {
    INFO(outcome.ToString());
    CHECK(outcome.ok());
  }
  const auto links = ValueOf(world.backend.links->LinksBetween(kStudent, kObserver));
  REQUIRE(links.size() == 1);
  CHECK(links[0].state == LinkState::kActive);
  CHECK(links[0].root_account_id == kRoot);
  CHECK(CreationsAudited(*world.backend.links, kStudent, kObserver) <= 1);
}

TEST_CASE("sixteen requests linking with the student's token at once make one link", "[concurrency][rule7]") {
  ConcurrentWorld world;
  constexpr UserId kObserver = kFirstObserver + 2;
  std::vector<Status> outcomes(kObservers);
  RunTogether(kObservers, [&](int i) {
    AddObserveeRequest request;
    request.access_token = kStudentToken;
    outcomes[static_cast<std::size_t>(i)] = world.service->AddObservee(As(kObserver), kObserver, request).status();
  });
  for (const auto& outcome : outcomes) {
    INFO(outcome.ToString());
    CHECK(outcome.ok());
  }
  const auto links = ValueOf(world.backend.links->LinksBetween(kStudent, kObserver));
  REQUIRE(links.size() == 1);
  CHECK(links[0].state == LinkState::kActive);
  CHECK(CreationsAudited(*world.backend.links, kStudent, kObserver) <= 1);
}

// What is wrong with one page of ListObservees while writers run; empty when nothing is.
std::string PageProblems(const Result<UserPage>& result, int per_page) {
  std::ostringstream problems;
  if (!result.ok()) {
    problems << "listing failed: " << result.status().ToString() << "\n";
    return problems.str();
  }
  const UserPage& page = *result;
  if (page.users.size() > static_cast<std::size_t>(per_page)) {
    problems << "page " << page.page << " holds " << page.users.size() << " users, more than " << per_page << "\n";
  }
  std::set<UserId> seen;
  for (std::size_t i = 0; i < page.users.size(); ++i) {
    const User& user = page.users[i].user;
    if (!seen.insert(user.id).second) problems << "user " << user.id << " twice on page " << page.page << "\n";
    if (user.id < kFirstListed || user.id >= kFirstListed + kListed) {
      problems << "user " << user.id << " is not anyone's observee\n";
    }
    if (page.users[i].observation_link_root_account_ids != std::vector<AccountId>{kRoot}) {
      problems << "user " << user.id << " listed without exactly the link in root account 1\n";
    }
    if (i > 0) {
      const User& previous = page.users[i - 1].user;
      if (std::tie(previous.sortable_name, previous.id) > std::tie(user.sortable_name, user.id)) {
        problems << "user " << previous.id << " listed before " << user.id << "\n";
      }
    }
  }
  if (page.total < static_cast<std::int64_t>(page.users.size())) {
    problems << "total " << page.total << " below the page's " << page.users.size() << " users\n";
  }
  return problems.str();
}

TEST_CASE("readers listing observees while writers add and remove links see consistent pages",
          "[concurrency][rule32]") {
  ConcurrentWorld world;
  constexpr UserId kObserver = kFirstObserver;
  constexpr int kReaders = 8;
  constexpr int kReads = 20;
  constexpr int kRounds = 3;

  std::vector<std::string> reader_problems(kReaders);
  std::vector<std::string> writer_problems(kWriters);
  RunTogether(kReaders + kWriters, [&](int thread) {
    std::ostringstream problems;
    if (thread < kWriters) {
      const UserId first = kFirstListed + kStableListed + thread * kToggledPerWriter;
      for (int round = 0; round < kRounds; ++round) {
        for (UserId student = first; student < first + kToggledPerWriter; ++student) {
          const auto added = world.service->AddObserveeById(As(kAdmin), kObserver, student, RootAccountScope::Domain());
          if (!added.ok()) problems << "add " << student << ": " << added.status().ToString() << "\n";
        }
        for (UserId student = first; student < first + kToggledPerWriter; ++student) {
          const auto removed = world.service->RemoveObservee(As(kAdmin), kObserver, student);
          if (!removed.ok()) problems << "remove " << student << ": " << removed.status().ToString() << "\n";
        }
      }
      writer_problems[static_cast<std::size_t>(thread)] = problems.str();
      return;
    }
    for (int read = 0; read < kReads; ++read) {
      // Everything on one page: the stable observees are always there, and the total agrees.
      ListOptions all;
      all.per_page = 100;
      const auto whole = world.service->ListObservees(As(kObserver), kObserver, all);
      problems << PageProblems(whole, 100);
      if (whole.ok()) {
        std::set<UserId> ids;
        for (const auto& linked : whole->users) ids.insert(linked.user.id);
        for (UserId stable = kFirstListed; stable < kFirstListed + kStableListed; ++stable) {
          if (!ids.count(stable)) problems << "stable observee " << stable << " missing\n";
        }
        if (whole->total != static_cast<std::int64_t>(whole->users.size())) {
          problems << "total " << whole->total << " but " << whole->users.size() << " users on the only page\n";
        }
      }
      // Small pages: each one consistent on its own.
      for (int page = 1; page <= 10; ++page) {
        ListOptions small;
        small.page = page;
        small.per_page = 4;
        const auto listed = world.service->ListObservees(As(kObserver), kObserver, small);
        problems << PageProblems(listed, 4);
        if (!listed.ok() || listed->users.empty()) break;
      }
    }
    reader_problems[static_cast<std::size_t>(thread - kWriters)] = problems.str();
  });

  for (const auto& problems : writer_problems) CHECK(problems == "");
  for (const auto& problems : reader_problems) CHECK(problems == "");

  // Every writer ended with a removal: only the fixture's links are left.
  const auto links = ValueOf(world.backend.links->ActiveLinksOfObserver(kObserver));
  CHECK(links.size() == static_cast<std::size_t>(kStableListed));
  for (const auto& link : links) {
    CHECK(link.student_id >= kFirstListed);
    CHECK(link.student_id < kFirstListed + kStableListed);
  }
  // Each toggled pair kept one row, restored and removed again (rule 7c).
  for (UserId student = kFirstListed + kStableListed; student < kFirstListed + kListed; ++student) {
    const auto rows = ValueOf(world.backend.links->LinksBetween(student, kObserver));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == LinkState::kDeleted);
  }
}

}  // namespace
}  // namespace observees::storage_test
