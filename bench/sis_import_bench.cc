// SIS import benchmark (issue 20; prints figures, never a timed test): imports N user_observers.csv
// rows (default 10^5) into an SQLite file database, beside raw SQLite inserting the same links with one
// prepared statement in one transaction, then re-imports the unchanged file.
//
//   sis_import_bench [ROWS] [WORK_DIR]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/storage.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kStudentsPerObserver = 5;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "sis_import_bench: %s\n", what.c_str());
  std::exit(1);
}

// Observers 1..N/5 and as many students, all with SIS ids and a login in root 1.
std::string Fixture(long rows) {
  const long users = rows / kStudentsPerObserver + 1;
  std::string json = R"({"accounts": [{"id": 1, "name": "Root"}], "users": [)";
  for (long i = 0; i < users; ++i) {
    for (const char* kind : {"O", "S"}) {
      const long id = (kind[0] == 'O' ? 1000000 : 2000000) + i;
      if (json.back() == '}') json += ',';
      json += R"({"id": )" + std::to_string(id) + R"(, "name": "U", "sis_user_id": ")" + kind + std::to_string(i) +
              R"(", "logins": [{"account_id": 1, "unique_id": ")" + kind + std::to_string(i) + R"("}]})";
    }
  }
  return json + "]}";
}

// Row i: observer i/5 observes student (i/5 + i%5) mod users, so every pair is distinct.
void Pair(long i, long rows, long& observer, long& student) {
  const long users = rows / kStudentsPerObserver + 1;
  observer = i / kStudentsPerObserver;
  student = (observer + i % kStudentsPerObserver) % users;
}

observees::Storage Open(const std::string& path, long rows) {
  observees::StorageOptions options;
  options.location = path;
  options.password_hashing = observees::PasswordHashing::kFastest;
  auto storage = observees::OpenStorage(options);
  if (!storage.ok()) Die(storage.status().ToString());
  const auto loaded = observees::LoadFixture(*storage, Fixture(rows));
  if (!loaded.ok()) Die(loaded.ToString());
  return std::move(*storage);
}

double RawInserts(const std::string& path, long rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("cannot open " + path);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, "
                     "created_at, updated_at) VALUES (?1, ?2, 1, 'active', ?3, ?3)",
                     -1, &insert, nullptr);
  const auto start = Clock::now();
  sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  for (long i = 0; i < rows; ++i) {
    long observer = 0, student = 0;
    Pair(i, rows, observer, student);
    sqlite3_bind_int64(insert, 1, 2000000 + student);
    sqlite3_bind_int64(insert, 2, 1000000 + observer);
    sqlite3_bind_int64(insert, 3, 1767225600);
    if (sqlite3_step(insert) != SQLITE_DONE) Die(sqlite3_errmsg(db));
    sqlite3_reset(insert);
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) Die(sqlite3_errmsg(db));
  const double seconds = Seconds(start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::atol(argv[1]) : 100000;
  const std::filesystem::path dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path() / "sis_import_bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  if (rows < 1) Die("ROWS must be positive");

  std::string csv = "observer_id,student_id,status\n";
  for (long i = 0; i < rows; ++i) {
    long observer = 0, student = 0;
    Pair(i, rows, observer, student);
    csv += "O" + std::to_string(observer) + ",S" + std::to_string(student) + ",active\n";
  }

  const std::string raw_path = (dir / "raw.db").string();
  { const observees::Storage raw = Open(raw_path, rows); }
  const double raw_seconds = RawInserts(raw_path, rows);

  const observees::Storage storage = Open((dir / "import.db").string(), rows);
  auto service = observees::ObservationService::Create(storage.Dependencies());
  if (!service.ok()) Die(service.status().ToString());
  observees::SisImportOptions options;
  options.root_account = 1;
  auto run = [&](const char* what) {
    std::istringstream in(csv);
    const auto start = Clock::now();
    auto report = (*service)->ImportUserObservers(in, options);
    const double seconds = Seconds(start);
    if (!report.ok()) Die(report.status().ToString());
    if (!report->errors.empty() || !report->warnings.empty()) Die("the import had errors or warnings");
    std::printf("%-22s %8ld rows  %8.3f s  %10.0f rows/s  (created %lld, unchanged %lld)\n", what, rows, seconds,
                static_cast<double>(rows) / seconds, static_cast<long long>(report->created),
                static_cast<long long>(report->unchanged));
    return seconds;
  };
  std::printf("%-22s %8ld rows  %8.3f s  %10.0f rows/s\n", "raw SQLite inserts", rows, raw_seconds,
              static_cast<double>(rows) / raw_seconds);
  const double first = run("import (new links)");
  const double again = run("re-import (unchanged)");
  std::printf("import / raw: %.2fx slower; first import / re-import: %.2fx\n", first / raw_seconds, first / again);
  std::filesystem::remove_all(dir);
  return 0;
}
