// Two observees-server processes on one PostgreSQL database (the deployment of README's "Several
// servers on one PostgreSQL"), hit at the same time: a pairing code is never redeemed twice and a link
// is never made twice, whichever server each request reaches. Needs OBSERVEES_TEST_POSTGRES (a libpq
// conninfo; scripts/test's PostgreSQL stage sets it) and psql to count rows behind the servers' backs;
// without it every test WARNs that it was skipped. Client threads record outcomes; the test thread
// checks them.
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace observees::e2e {
namespace {

namespace json = boost::json;

constexpr int kObservers = 8;  // users 101..108, tokens obs-101-token ...
constexpr int kRounds = 5;     // each round: a fresh code, redeemed by all observers at once
constexpr std::int64_t kStudent = 20;
constexpr std::int64_t kOtherStudent = 21;

std::optional<std::string> Conninfo() {
  const char* conninfo = std::getenv("OBSERVEES_TEST_POSTGRES");
  if (conninfo == nullptr || *conninfo == '\0') {
    WARN("SKIPPED: no PostgreSQL server (set OBSERVEES_TEST_POSTGRES to a libpq conninfo)");
    return std::nullopt;
  }
  return std::string(conninfo);
}

std::string ObserverToken(int i) { return "obs-" + std::to_string(101 + i) + "-token"; }
HeaderList Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// The fixture both servers load: an admin, two students (one enrolled in a course) and kObservers
// observers, all in root 1.
std::string Fixture() {
  json::array users;
  auto user = [&](std::int64_t id, const std::string& name, const std::string& token) {
    users.push_back(
        json::object{{"id", id},
                     {"name", name},
                     {"logins", json::array{json::object{{"account_id", 1}, {"unique_id", "u" + std::to_string(id)}}}},
                     {"tokens", json::array{token}}});
  };
  user(1, "Ada Admin", "admin-token");
  user(kStudent, "Sam Student", "student-token");
  user(kOtherStudent, "Alex Student", "alex-token");
  for (int i = 0; i < kObservers; ++i) user(101 + i, "Observer " + std::to_string(i), ObserverToken(i));
  const json::object fixture{
      {"accounts",
       json::array{json::object{
           {"id", 1}, {"name", "Default"}, {"domains", json::array{"127.0.0.1"}}, {"self_registration", "observer"}}}},
      {"users", users},
      {"admins", json::array{json::object{{"user_id", 1}, {"account_id", 1}}}},
      // Rule 22: a student makes codes where observers may register, and with a student enrollment.
      {"courses", json::array{json::object{{"id", 100}, {"account_id", 1}}}},
      {"enrollments", json::array{json::object{{"id", 500}, {"user_id", kStudent}, {"course_id", 100}}}}};
  return json::serialize(fixture);
}

// psql's one-value answer to `sql`, or "" when psql fails.
std::string Psql(const std::string& conninfo, const std::string& sql) {
  const std::string command = "psql -XAtq -d '" + conninfo + "' -c \"" + sql + "\" 2>/dev/null";
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  if (!pipe) return "";
  std::string out;
  std::array<char, 256> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) out += buffer.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Two servers on one schema of the test database, both seeded with Fixture(); the schema is dropped
// when the pair goes.
struct ServerPair {
  explicit ServerPair(std::string conninfo_in) : conninfo(std::move(conninfo_in)) {
    schema = "e2e_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    fixture_path = std::filesystem::temp_directory_path() / (schema + ".json");
    std::ofstream(fixture_path) << Fixture();
    // The second starts after the first listens: both load the same fixture, the second changes nothing.
    first = Start();
    first_port = first->WaitUntilListening();
    second = Start();
    second_port = second->WaitUntilListening();
  }
  ~ServerPair() {
    first.reset();
    second.reset();
    Psql(conninfo, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    std::filesystem::remove(fixture_path);
  }

  std::unique_ptr<ServerProcess> Start() const {
    return std::make_unique<ServerProcess>(
        OBSERVEES_SERVER_BINARY,
        std::vector<std::string>{"--db", "postgresql:" + conninfo, "--schema", schema, "--seed", fixture_path.string(),
                                 "--listen", "127.0.0.1:0", "--fast-password-hashing", "--threads", "4"});
  }
  unsigned short PortFor(int i) const { return i % 2 == 0 ? first_port : second_port; }
  std::string Count(const std::string& where) const {
    return Psql(conninfo, "SELECT count(*) FROM " + schema + ".observation_links WHERE " + where);
  }

  static inline int counter = 0;
  std::string conninfo;
  std::string schema;
  std::filesystem::path fixture_path;
  std::unique_ptr<ServerProcess> first;
  std::unique_ptr<ServerProcess> second;
  unsigned short first_port = 0;
  unsigned short second_port = 0;
};

TEST_CASE("two servers on one PostgreSQL database never redeem a pairing code twice", "[postgres]") {
  const auto conninfo = Conninfo();
  if (!conninfo) return;
  ServerPair servers(*conninfo);
  std::vector<int> winners_per_round;
  std::set<int> winners;  // an observer may win more than one round: its link then exists already

  for (int round = 0; round < kRounds; ++round) {
    HttpClient student("127.0.0.1", servers.PortFor(round));
    const HttpResponse made =
        student.Send("POST", "/api/v1/users/self/observer_pairing_codes", Bearer("student-token"));
    REQUIRE(made.status == 200);
    const std::string code = json::value_to<std::string>(json::parse(made.body).at("code"));

    // Every observer redeems the same code at once, half through each server.
    std::vector<int> statuses(kObservers, 0);
    std::latch start(kObservers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kObservers; ++i) {
      threads.emplace_back([&, i] {
        try {
          HttpClient client("127.0.0.1", servers.PortFor(i));
          start.arrive_and_wait();
          HeaderList headers = Bearer(ObserverToken(i));
          headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
          statuses[i] = client.Send("POST", "/api/v1/users/self/observees", headers, "pairing_code=" + code).status;
        } catch (const std::exception&) {
          statuses[i] = -1;
        }
      });
    }
    for (auto& thread : threads) thread.join();

    int won = 0;
    for (int i = 0; i < kObservers; ++i) {
      INFO("round " << round << ", observer " << i << ": HTTP " << statuses[i]);
      CHECK((statuses[i] == 200 || statuses[i] == 422));
      if (statuses[i] == 200) {
        ++won;
        winners.insert(101 + i);
      }
    }
    winners_per_round.push_back(won);
  }
  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    CHECK(winners_per_round[round] == 1);
  }
  // One link per winner (and none for anyone else), and every code consumed exactly once.
  CHECK(servers.Count("student_id = " + std::to_string(kStudent)) == std::to_string(winners.size()));
  for (const int winner : winners) {
    CHECK(servers.Count("student_id = " + std::to_string(kStudent) + " AND observer_id = " + std::to_string(winner)) ==
          "1");
  }
  CHECK(Psql(*conninfo, "SELECT count(*) FROM " + servers.schema + ".pairing_codes WHERE used_by IS NOT NULL") ==
        std::to_string(kRounds));
  CHECK(Psql(*conninfo, "SELECT count(*) FROM " + servers.schema + ".audit_log WHERE action = 'code_redeemed'") ==
        std::to_string(kRounds));
}

TEST_CASE("two servers on one PostgreSQL database never make one link twice", "[postgres]") {
  const auto conninfo = Conninfo();
  if (!conninfo) return;
  ServerPair servers(*conninfo);

  // The administrator links each observer to the other student from both servers at once, twice over.
  constexpr int kRequests = 2 * kObservers;
  std::vector<int> statuses(kRequests, 0);
  std::latch start(kRequests);
  std::vector<std::thread> threads;
  for (int r = 0; r < kRequests; ++r) {
    threads.emplace_back([&, r] {
      try {
        HttpClient client("127.0.0.1", servers.PortFor(r));
        start.arrive_and_wait();
        const std::string target =
            "/api/v1/users/" + std::to_string(101 + r / 2) + "/observees/" + std::to_string(kOtherStudent);
        statuses[r] = client.Send("PUT", target, Bearer("admin-token")).status;
      } catch (const std::exception&) {
        statuses[r] = -1;
      }
    });
  }
  for (auto& thread : threads) thread.join();

  for (int r = 0; r < kRequests; ++r) {
    INFO("request " << r << ": HTTP " << statuses[r]);
    CHECK(statuses[r] == 200);
  }
  CHECK(servers.Count("student_id = " + std::to_string(kOtherStudent)) == std::to_string(kObservers));
  CHECK(Psql(*conninfo, "SELECT count(*) FROM " + servers.schema +
                            ".audit_log WHERE action = 'created' AND student_id = " + std::to_string(kOtherStudent)) ==
        std::to_string(kObservers));
  // Each server sees every link the other made.
  for (int i = 0; i < 2; ++i) {
    HttpClient client("127.0.0.1", servers.PortFor(i));
    const HttpResponse observers = client.Send(
        "GET", "/api/v1/users/" + std::to_string(kOtherStudent) + "/observers?per_page=100", Bearer("admin-token"));
    REQUIRE(observers.status == 200);
    CHECK(json::parse(observers.body).as_array().size() == static_cast<std::size_t>(kObservers));
  }
}

}  // namespace
}  // namespace observees::e2e
