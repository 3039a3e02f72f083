// observees_bench: the in-process benchmarks of issue 7. For each operation (list a page, show, add by
// id, remove, redeem a pairing code) it times the service beside the same statements run as raw
// prepared SQLite on the same file in the same run, and the same calls through the C ABI and the REST
// router; then the operations at 10^4, 10^5 and 10^6 links; read throughput on 1, 2 and 4 threads;
// reads on one thread while an Argon2id check runs on another; and, given --postgres, the operations and
// the read throughput on PostgreSQL beside SQLite. Rows go to OUT/cpp.tsv for report.py.
//
// Usage: observees_bench WORKDIR OUTDIR [--sizes 10000,100000,1000000] [--quick] [--postgres CONNINFO]
//                        [--only overhead,scale,threads,stall,postgres]
//        observees_bench WORKDIR OUTDIR --profile OP/FACE | OP@LINKS [CALLS]   (under callgrind; see Profile)
//        observees_bench WORKDIR OUTDIR --check-statements   (see CheckStatements; a ctest entry)
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.h"
#include "observees.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/storage.h"
#include "sqlite/sqlite_database.h"
#include "statement_log.h"
#include "storage/relational_directory.h"
#include "storage/relational_enrollments.h"
#include "storage/relational_link_store.h"
#if OBSERVEES_BENCH_WITH_LIBPQ
#include "pg_replay.h"
#include "storage/engine.h"
#endif

namespace observees::bench {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "observees_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename R>
void Check(const R& result, const char* what) {
  if (!result.ok()) Die(std::string(what) + ": " + result.status().message());
}
void CheckStatus(const Status& status, const char* what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.message());
}

// ---- The data -----------------------------------------------------------------------------------

constexpr UserId kAdmin = 5;
constexpr UserId kObserver = 10;
constexpr AccountId kRoot = 1;
constexpr std::int64_t kNow = 1764000000;  // created_at / expires_at base of the bulk rows

// Accounts, an administrator (5), an observer (10) linked to students 20..29, and students 30..39 with
// an enrollment each and no link: each layer of the ratio section cycles its own pair.
std::string FixtureJson(bool with_password) {
  std::string users = R"({"id": 5, "name": "Ada Admin", "tokens": ["token-admin"],
    "logins": [{"account_id": 1, "unique_id": "admin"}]},
    {"id": 10, "name": "Pat Parent", "tokens": ["token-obs"],
     "logins": [{"account_id": 1, "unique_id": "pat")";
  users += with_password ? R"(, "password": "secret-pat-1"}]})" : "}]}";
  std::string enrollments;
  std::string links;
  for (int id = 20; id < 40; ++id) {
    const std::string s = std::to_string(id);
    users += R"(, {"id": )" + s + R"(, "name": "Student )" + s + R"(", "logins": [{"account_id": 1, "unique_id": "s)" +
             s + R"("}]})";
    if (!enrollments.empty()) enrollments += ", ";
    enrollments += R"({"id": )" + std::to_string(500 + id) + R"(, "user_id": )" + s +
                   R"(, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "active"})";
    if (id < 30) {
      if (!links.empty()) links += ", ";
      links += R"({"observer_id": 10, "student_id": )" + s + R"(, "root_account_id": 1, "workflow_state": "active"})";
    }
  }
  return R"({"accounts": [{"id": 1, "name": "Bench", "domains": ["bench.test"], "self_registration": "observer"}],
  "users": [)" +
         users + R"(],
  "admins": [{"user_id": 5, "account_id": 1}],
  "courses": [{"id": 100, "account_id": 1, "workflow_state": "available"}],
  "enrollments": [)" +
         enrollments + R"(],
  "links": [)" +
         links + "]}";
}

// The bulk population of a database with `links` links: S = links/4 students (ids 1000..), S observers
// (ids 1000+S..), observer o observing the 4 students ((4o+j)*7919 mod S), j < 4; a login each; and
// links/100 pairing codes. Raw SQL in one transaction.
struct Population {
  std::int64_t links = 0;
  std::int64_t students() const { return links / 4; }
  UserId Student(std::int64_t index) const { return 1000 + index; }
  UserId Observer(std::int64_t index) const { return 1000 + students() + index; }
  UserId StudentOf(std::int64_t observer_index, int j) const {
    return Student(((observer_index * 4 + j) * 7919) % students());
  }
};

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "?";
    sqlite3_free(error);
    Die("sql failed: " + message + " in " + sql.substr(0, 80));
  }
}

void Populate(const std::string& path, const Population& p) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("cannot open " + path);
  const std::string s = std::to_string(p.students());
  const std::string t = std::to_string(kNow);
  Exec(db, "PRAGMA synchronous = OFF; BEGIN");
  Exec(db, "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < 2 * " + s +
               ") INSERT INTO users (id, name, sortable_name, short_name, created_at) "
               "SELECT 1000 + i, 'User ' || i, 'User, ' || (i * 104729 % 1000003), 'U' || i, " +
               t + " FROM c");
  Exec(db,
       "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded) "
       "SELECT id, 1, 'u' || id, 'u' || id FROM users WHERE id >= 1000");
  Exec(db, "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < " + std::to_string(p.links) +
               ") INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, "
               "created_at, updated_at) SELECT 1000 + (i * 7919) % " +
               s + ", 1000 + " + s + " + i / 4, 1, 'active', " + t + ", " + t + " FROM c");
  Exec(db, "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < " +
               std::to_string(p.links / 100) +
               ") INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state) "
               "SELECT 1000 + i % " +
               s + ", randomblob(32), " + t + ", " + t + " + 604800, 'active' FROM c");
  Exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
}

Storage Open(const std::string& path, PasswordHashing hashing = PasswordHashing::kFastest) {
  StorageOptions options;
  options.location = path;
  options.password_hashing = hashing;
  auto backend = OpenStorage(options);
  Check(backend, "OpenSqlite");
  return std::move(*backend);
}

// A new file at `path` (any old one removed) holding FixtureJson(with_password) only.
Storage OpenFixture(const std::string& path, PasswordHashing hashing, bool with_password) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  Storage backend = Open(path, hashing);
  CheckStatus(LoadFixture(backend, FixtureJson(with_password)), "LoadFixture");
  return backend;
}

std::shared_ptr<const ObservationService> NewService(const ServiceDependencies& deps) {
  auto created = ObservationService::Create(deps);
  Check(created, "ObservationService::Create");
  return std::move(*created);
}

std::string DatabasePath(const std::string& dir, std::int64_t links) {
  return dir + "/links-" + std::to_string(links) + ".db";
}

// Creates DatabasePath(dir, links) anew (any old file removed).
std::string MakeDatabase(const std::string& dir, std::int64_t links) {
  const std::string path = DatabasePath(dir, links);
  const auto start = Clock::now();
  OpenFixture(path, PasswordHashing::kFastest, false);  // closed again before the raw population
  Populate(path, Population{links});
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("generated %s (%lld links) in %.1f s\n", path.c_str(), static_cast<long long>(links), seconds);
  return path;
}

// True if `path` is a database holding at least `links` links (a finished MakeDatabase).
bool HoldsLinks(const std::string& path, std::int64_t links) {
  if (!std::filesystem::exists(path)) return false;
  sqlite3* db = nullptr;
  std::int64_t count = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM observation_links", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      count = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return count >= links;
}

// ---- Raw SQLite: the service's statements, prepared once --------------------------------------

class Raw {
 public:
  explicit Raw(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      Die("raw open " + path);
    }
    sqlite3_busy_timeout(db_, 10000);
    // The pool's connection settings (sqlite_database.cc), so that the baseline reads pages as it does.
    const std::string settings = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA mmap_size = " +
                                 std::to_string(StorageOptions{}.mmap_bytes);
    Exec(db_, settings.c_str());
  }
  ~Raw() {
    for (auto* s : statements_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;

  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      Die(std::string("raw prepare: ") + sqlite3_errmsg(db_));
    }
    statements_.push_back(s);
    return s;
  }
  // Steps through every row, reading every column; returns the rows, and in `value` column `column`
  // of the last.
  int Run(sqlite3_stmt* s, std::int64_t* value = nullptr, int column = 0) {
    int rows = 0;
    int rc = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      ++rows;
      const int n = sqlite3_column_count(s);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(s, c) == SQLITE_TEXT || sqlite3_column_type(s, c) == SQLITE_BLOB) {
          sink_ += static_cast<std::size_t>(sqlite3_column_bytes(s, c));
        } else {
          sink_ += static_cast<std::size_t>(sqlite3_column_int64(s, c));
        }
      }
      if (value != nullptr) *value = sqlite3_column_int64(s, column);
    }
    if (rc != SQLITE_DONE) Die(std::string("raw step: ") + sqlite3_errmsg(db_));
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rows;
  }
  void Exec(const char* sql) { observees::bench::Exec(db_, sql); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* db() const { return db_; }

 private:
  static void Exec(sqlite3* db, const char* sql) { observees::bench::Exec(db, sql); }
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
  std::size_t sink_ = 0;
};

void Bind(sqlite3_stmt* s, int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void BindBlob(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_blob(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// The one statement of RawOps that is not the service's own: the service sorts a page with ICU after
// FindUsers, the raw baseline in SQL (--check-statements knows this, and only this, stand-in).
const char* const kServiceFindUsers = storage::directory_sql::kFindUsers<SqliteDialect>.data();
const std::string kRawFindUsers = std::string(kServiceFindUsers) + " ORDER BY sortable_name, id";

// The statements the operations run, read from src/storage/ (the texts the service's stores run on
// SQLite); --check-statements checks that each raw face runs its service call's statements.
struct RawOps {
  Raw& raw;
  sqlite3_stmt* find_user;
  sqlite3_stmt* find_users;
  sqlite3_stmt* links_of_observer;
  sqlite3_stmt* links_between;
  sqlite3_stmt* root_accounts_of;
  sqlite3_stmt* roots_with_permission;
  sqlite3_stmt* find_link;
  sqlite3_stmt* restore_link;
  sqlite3_stmt* insert_link;
  sqlite3_stmt* remove_link;
  sqlite3_stmt* audit;
  sqlite3_stmt* follow_plan;
  sqlite3_stmt* revive_follower;
  sqlite3_stmt* followers;
  sqlite3_stmt* unfollow;
  sqlite3_stmt* find_code;
  sqlite3_stmt* consume_code;
  sqlite3_stmt* set_code_link;
  sqlite3_stmt* prune_attempts;
  sqlite3_stmt* count_attempts;
  sqlite3_stmt* prune_stale_attempts;
  sqlite3_stmt* insert_attempt;
  sqlite3_stmt* delete_attempt;
  sqlite3_stmt* code_hash;
  sqlite3_stmt* begin;
  sqlite3_stmt* read_begin;
  sqlite3_stmt* commit;

  explicit RawOps(Raw& r)
      : raw(r),
        find_user(r.Prepare(storage::directory_sql::kFindUser)),
        find_users(r.Prepare(kRawFindUsers.c_str())),
        links_of_observer(r.Prepare(storage::link_sql::kActiveLinksOfObserver)),
        links_between(r.Prepare(storage::link_sql::kLinksBetween)),
        root_accounts_of(r.Prepare(storage::directory_sql::kRootAccountsOf)),
        roots_with_permission(r.Prepare(storage::directory_sql::kRootsWithPermission)),
        find_link(r.Prepare(storage::link_sql::kFindLinkForWrite<SqliteDialect>.data())),
        restore_link(r.Prepare(storage::link_sql::kRestoreLink)),
        insert_link(r.Prepare(storage::link_sql::kInsertLink)),
        remove_link(r.Prepare(storage::link_sql::kRemoveLink)),
        audit(r.Prepare(storage::link_sql::kAppendAudit)),
        follow_plan(r.Prepare(storage::enrollment_sql::kFollowPlan)),
        revive_follower(r.Prepare(storage::enrollment_sql::kReviveFollower)),
        followers(r.Prepare(storage::enrollment_sql::kFollowersOfLink)),
        unfollow(r.Prepare(storage::enrollment_sql::kDeleteFollower)),
        find_code(r.Prepare(storage::link_sql::kFindActiveCode)),
        consume_code(r.Prepare(storage::link_sql::kConsumeCode)),
        set_code_link(r.Prepare(storage::link_sql::kSetCodeLink)),
        prune_attempts(r.Prepare(storage::link_sql::kPruneAttempts)),
        count_attempts(r.Prepare(storage::link_sql::kCountAttempts)),
        prune_stale_attempts(r.Prepare(storage::link_sql::kPruneStaleAttempts)),
        insert_attempt(r.Prepare(storage::link_sql::kInsertAttempt)),
        delete_attempt(r.Prepare(storage::link_sql::kDeleteAttempt)),
        code_hash(r.Prepare("SELECT code_hash FROM pairing_codes WHERE user_id = ? AND workflow_state = 'active' "
                            "ORDER BY id DESC LIMIT 1")),
        begin(r.Prepare("BEGIN IMMEDIATE")),
        read_begin(r.Prepare("BEGIN")),
        commit(r.Prepare("COMMIT")) {}

  void User(UserId id) {
    Bind(find_user, 1, id);
    raw.Run(find_user);
  }
  void RootsOf(UserId id) {
    Bind(root_accounts_of, 1, id);
    raw.Run(root_accounts_of);
  }
  // Rule 28 for the administrator: the roots of `subject` where they hold manage_user_observers.
  void AdminManages(UserId subject) {
    Bind(roots_with_permission, 1, kAdmin);
    Bind(roots_with_permission, 2, subject);
    Bind(roots_with_permission, 3, std::string("manage_user_observers"));
    raw.Run(roots_with_permission);
  }
  // The limiter's reservation (D6) for one key, in its own transaction; returns the row's id.
  std::int64_t ReserveAttempt(const std::string& key, std::int64_t now) {
    raw.Run(begin);
    Bind(prune_attempts, 1, key);
    Bind(prune_attempts, 2, now - 900);
    raw.Run(prune_attempts);
    Bind(count_attempts, 1, key);
    Bind(count_attempts, 2, now - 900);
    raw.Run(count_attempts);
    Bind(prune_stale_attempts, 1, now - 3600);  // the longest default window: the anonymous budget's
    raw.Run(prune_stale_attempts);
    Bind(insert_attempt, 1, key);
    Bind(insert_attempt, 2, now);
    std::int64_t id = 0;
    raw.Run(insert_attempt, &id);
    raw.Run(commit);
    return id;
  }
  void Between(UserId student, UserId observer) {
    Bind(links_between, 1, student);
    Bind(links_between, 2, observer);
    raw.Run(links_between);
  }
  void Audit(std::int64_t now, UserId actor, const char* action, UserId student, UserId observer, std::int64_t link) {
    Bind(audit, 1, now);
    Bind(audit, 2, actor);
    Bind(audit, 3, std::string(action));
    Bind(audit, 4, std::string("administrator"));
    Bind(audit, 5, student);
    Bind(audit, 6, observer);
    Bind(audit, 7, kRoot);
    Bind(audit, 8, link);
    raw.Run(audit);
  }

  // E1: FindUser, the observer's active links, the users in one statement; in one read transaction.
  void List(UserId observer) {
    raw.Run(read_begin);
    User(observer);
    Bind(links_of_observer, 1, observer);
    std::string ids = "[";
    int rc = 0;
    while ((rc = sqlite3_step(links_of_observer)) == SQLITE_ROW) {
      if (ids.size() > 1) ids += ',';
      ids += std::to_string(sqlite3_column_int64(links_of_observer, 1));
    }
    sqlite3_reset(links_of_observer);
    ids += ']';
    Bind(find_users, 1, ids);
    raw.Run(find_users);
    raw.Run(commit);
  }
  // E4: both users, the links between them; in one read transaction.
  void Show(UserId observer, UserId student) {
    raw.Run(read_begin);
    User(observer);
    User(student);
    Between(student, observer);
    raw.Run(commit);
  }
  // The link's transaction of E6 / E3: find, restore or insert, audit, follow the student's enrollments.
  std::int64_t Link(UserId observer, UserId student, std::int64_t now) {
    Bind(find_link, 1, student);
    Bind(find_link, 2, observer);
    Bind(find_link, 3, kRoot);
    std::int64_t id = 0;
    if (raw.Run(find_link, &id) == 1) {
      Bind(restore_link, 1, now);
      Bind(restore_link, 2, id);
      raw.Run(restore_link);
    } else {
      Bind(insert_link, 1, student);
      Bind(insert_link, 2, observer);
      Bind(insert_link, 3, kRoot);
      Bind(insert_link, 4, now);
      raw.Run(insert_link, &id);
    }
    Audit(now, kAdmin, "restored", student, observer, id);
    // Rule 10's reads in one statement; the deleted observer enrollment PrepareRawPair left, revived.
    Bind(follow_plan, 1, student);
    Bind(follow_plan, 2, kRoot);
    Bind(follow_plan, 3, observer);
    std::int64_t follower = 0;
    raw.Run(follow_plan, &follower, 12);
    Bind(revive_follower, 1, std::string("active"));
    Bind(revive_follower, 2, kRoot);
    Bind(revive_follower, 5, now);
    Bind(revive_follower, 6, follower);
    raw.Run(revive_follower);
    if (raw.Changes() != 1) Die("raw follow: no observer enrollment to revive (PrepareRawPair)");
    return id;
  }
  // E6 by an administrator: the checks in one read transaction, then the write.
  void AddById(UserId observer, UserId student, std::int64_t now) {
    raw.Run(read_begin);
    User(observer);
    User(student);
    RootsOf(observer);
    RootsOf(student);
    AdminManages(observer);
    raw.Run(commit);
    raw.Run(begin);
    Link(observer, student, now);
    raw.Run(commit);
    Between(student, observer);
  }
  // E7 by an administrator: the checks in one read transaction, then the write.
  void Remove(UserId observer, UserId student, std::int64_t now) {
    raw.Run(read_begin);
    User(observer);
    RootsOf(observer);
    AdminManages(observer);
    User(student);
    Bind(links_between, 1, student);
    Bind(links_between, 2, observer);
    std::int64_t id = 0;
    raw.Run(links_between, &id);
    raw.Run(commit);
    raw.Run(begin);
    Bind(remove_link, 1, now);
    Bind(remove_link, 2, id);
    raw.Run(remove_link);
    Audit(now, kAdmin, "removed", student, observer, id);
    Bind(followers, 1, observer);
    Bind(followers, 2, student);
    Bind(followers, 3, kRoot);
    std::int64_t follower = 0;
    raw.Run(followers, &follower);
    Bind(unfollow, 1, now);
    Bind(unfollow, 2, follower);
    raw.Run(unfollow);
    if (raw.Changes() != 1) Die("raw unfollow: no observer enrollment to delete");
    raw.Run(commit);
  }
  // E3 with a pairing code, by the observer: the limiter's reservation, the code, both users, the
  // roots; then consume, link and withdraw the reservation at once. (The code's keyed hash, ~1 us in
  // the service, is computed by the caller here.)
  void Redeem(UserId observer, const std::string& hash, std::int64_t now) {
    User(observer);
    const std::int64_t attempt = ReserveAttempt("user:" + std::to_string(observer), now);
    BindBlob(find_code, 1, hash);
    Bind(find_code, 2, now);
    if (sqlite3_step(find_code) != SQLITE_ROW) Die("raw redeem: no code");
    const std::int64_t code = sqlite3_column_int64(find_code, 0);
    const UserId student = sqlite3_column_int64(find_code, 1);
    sqlite3_reset(find_code);
    sqlite3_clear_bindings(find_code);
    raw.Run(read_begin);
    User(student);
    RootsOf(observer);
    RootsOf(student);
    raw.Run(commit);
    raw.Run(begin);
    Bind(consume_code, 1, observer);
    Bind(consume_code, 2, now);
    Bind(consume_code, 3, code);
    raw.Run(consume_code);
    Audit(now, observer, "code_redeemed", student, observer, 0);
    const std::int64_t link = Link(observer, student, now);
    Bind(set_code_link, 1, link);
    Bind(set_code_link, 2, code);
    raw.Run(set_code_link);
    Bind(delete_attempt, 1, attempt);
    raw.Run(delete_attempt);
    raw.Run(commit);
    Between(student, observer);
  }
  // EXPLAIN QUERY PLAN of every statement: a row per statement with the number of full scans of a
  // table (json_each and constant rows aside), so growth is seen to come from index seeks.
  void Plans(Results& out) {
    const sqlite3_stmt* all[] = {find_user,
                                 find_users,
                                 links_of_observer,
                                 links_between,
                                 root_accounts_of,
                                 roots_with_permission,
                                 find_link,
                                 restore_link,
                                 insert_link,
                                 remove_link,
                                 audit,
                                 follow_plan,
                                 revive_follower,
                                 followers,
                                 unfollow,
                                 find_code,
                                 consume_code,
                                 set_code_link,
                                 prune_attempts,
                                 count_attempts,
                                 prune_stale_attempts,
                                 insert_attempt,
                                 delete_attempt};
    int index = 0;
    for (const sqlite3_stmt* statement : all) {
      const std::string sql = sqlite3_sql(const_cast<sqlite3_stmt*>(statement));
      sqlite3_stmt* plan = raw.Prepare(("EXPLAIN QUERY PLAN " + sql).c_str());
      int scans = 0;
      std::string details;
      while (sqlite3_step(plan) == SQLITE_ROW) {
        const std::string detail = reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
        details += (details.empty() ? "" : "; ") + detail;
        if (detail.rfind("SCAN ", 0) == 0 && detail.find("json_each") == std::string::npos &&
            detail.find("CONSTANT ROW") == std::string::npos) {
          ++scans;
        }
      }
      sqlite3_reset(plan);
      const std::string name = "stmt" + std::to_string(index++);
      out.Row("plan", name, "scans", scans);
      std::printf("  plan %-7s %-60.60s -> %s\n", name.c_str(), sql.c_str(), details.c_str());
    }
  }
  std::string LatestCodeHash(UserId student) {
    Bind(code_hash, 1, student);
    std::string hash;
    if (sqlite3_step(code_hash) == SQLITE_ROW) {
      hash.assign(static_cast<const char*>(sqlite3_column_blob(code_hash, 0)),
                  static_cast<std::size_t>(sqlite3_column_bytes(code_hash, 0)));
    }
    sqlite3_reset(code_hash);
    return hash;
  }
};

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---- The service's calls -------------------------------------------------------------------

struct Ops {
  const ObservationService& service;

  void List(UserId observer) const {
    auto page = service.ListObservees(Caller{observer, kRoot, {}}, observer, ListOptions{1, 10, false});
    Check(page, "ListObservees");
  }
  void Show(UserId observer, UserId student) const {
    Check(service.ShowObservee(Caller{observer, kRoot, {}}, observer, student), "ShowObservee");
  }
  void Add(UserId observer, UserId student) const {
    Check(service.AddObserveeById(Caller{kAdmin, kRoot, {}}, observer, student, RootAccountScope::Domain()),
          "AddObserveeById");
  }
  void Remove(UserId observer, UserId student) const {
    Check(service.RemoveObservee(Caller{kAdmin, kRoot, {}}, observer, student, RootAccountScope::All()),
          "RemoveObservee");
  }
  std::string NewCode(UserId student) const {
    auto code = service.CreatePairingCode(Caller{student, kRoot, {}}, student);
    Check(code, "CreatePairingCode");
    return code->code;
  }
  void Redeem(UserId observer, const std::string& code) const {
    AddObserveeRequest request;
    request.pairing_code = code;
    Check(service.AddObservee(Caller{observer, kRoot, {}}, observer, request), "AddObservee(pairing_code)");
  }
};

struct Counts {
  int runs = 5;
  int reads = 400;
  int writes = 150;
  int warmup = 50;
};

constexpr const char* kOps[] = {"list", "show", "add", "remove", "redeem"};

// Leaves observer 10 and `student` as a service add and remove leave them (a deleted link, a deleted
// observer enrollment), so the raw statements' follow and unfollow update a row, as the service's do.
void PrepareRawPair(const Ops& ops, UserId student) {
  ops.Add(kObserver, student);
  ops.Remove(kObserver, student);
}

// One of kOps through `ops` on the fixture's users: observer 10's page of 10; student 20; add by id of
// student 32 (removed again, untimed); its removal (added first, untimed); redemption of a fresh code
// of student 30 (made, and the link removed, untimed).
Timed ServiceCall(const Ops& ops, const std::string& op) {
  if (op == "list") return {[&ops] { ops.List(kObserver); }};
  if (op == "show") return {[&ops] { ops.Show(kObserver, 20); }};
  if (op == "add") return {[&ops] { ops.Add(kObserver, 32); }, nullptr, [&ops] { ops.Remove(kObserver, 32); }};
  if (op == "remove") return {[&ops] { ops.Remove(kObserver, 32); }, [&ops] { ops.Add(kObserver, 32); }};
  if (op != "redeem") Die("unknown operation " + op);
  auto code = std::make_shared<std::string>();
  return {[&ops, code] { ops.Redeem(kObserver, *code); }, [&ops, code] { *code = ops.NewCode(30); },
          [&ops] { ops.Remove(kObserver, 30); }};
}

// One of kOps as raw SQLite through `sql`, on pairs ServiceCall leaves alone: observer 10's page and
// student 20; add by id and removal of student 33; redemption of a fresh code of student 31 (made, and
// the link removed, through `ops`, untimed). PrepareRawPair(ops, 33) and (ops, 31) first.
Timed RawCall(RawOps& sql, const Ops& ops, const std::string& op) {
  if (op == "list") return {[&sql] { sql.List(kObserver); }};
  if (op == "show") return {[&sql] { sql.Show(kObserver, 20); }};
  auto add = [&sql] { sql.AddById(kObserver, 33, NowSeconds()); };
  auto remove = [&sql] { sql.Remove(kObserver, 33, NowSeconds()); };
  if (op == "add") return {add, nullptr, remove};
  if (op == "remove") return {remove, add};
  if (op != "redeem") Die("unknown operation " + op);
  auto hash = std::make_shared<std::string>();
  return {[&sql, hash] { sql.Redeem(kObserver, *hash, NowSeconds()); },
          [&sql, &ops, hash] {
            ops.NewCode(31);
            *hash = sql.LatestCodeHash(31);
          },
          [&ops] { ops.Remove(kObserver, 31); }};
}

// list and show, and the scale section's variants of them (list_raw, list_hot, show_raw).
bool IsRead(const std::string& op) { return op.rfind("list", 0) == 0 || op.rfind("show", 0) == 0; }

// `faces` of one operation measured in turns, with the counts of a read or a write.
std::vector<Sample> InTurns(const std::string& op, const Counts& n, const std::vector<Timed>& faces) {
  return IsRead(op) ? MeasureInTurns(n.runs, n.reads, n.warmup, faces)
                    : MeasureInTurns(n.runs, n.writes, n.warmup / 5, faces);
}

// ---- Section 2: overhead against raw SQLite, and the other faces ------------------------------

void Overhead(const std::string& path, const Counts& n, Results& out) {
  std::printf("\n== overhead: service vs raw SQLite vs C ABI vs REST router (%s)\n", path.c_str());
  Storage backend = Open(path);
  const std::shared_ptr<const ObservationService> service = NewService(backend.Dependencies());
  const Ops ops{*service};
  Raw raw(path);
  RawOps sql(raw);

  obs_service* c = nullptr;
  if (obs_service_open(path.c_str(), R"({"password_hashing": "fastest"})", &c) != OBS_OK) {
    Die(std::string("obs_service_open: ") + obs_last_error());
  }
  auto router = rest::Router::Create(service, backend.directory, backend.authenticator);
  Check(router, "Router::Create");

  auto c_check = [](obs_status status, char* json, const char* what) {
    obs_free(json);
    if (status != OBS_OK) Die(std::string(what) + ": " + obs_last_error());
  };
  auto rest_call = [&](const char* method, const std::string& target, const char* token, std::string body = {}) {
    rest::Request request;
    request.method = method;
    request.target = target;
    request.headers = {{"Host", "bench.test"}, {"Authorization", std::string("Bearer ") + token}};
    if (!body.empty()) request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = std::move(body);
    request.peer = "127.0.0.1";
    const rest::Response response = (*router)->Handle(request);
    if (response.status != 200) Die("REST " + target + ": " + std::to_string(response.status) + " " + response.body);
  };
  // The faces of one operation (service, raw, capi, rest), measured in turns.
  auto faces = [&](const std::string& op, Timed c_call, Timed rest_call_) {
    const auto samples =
        InTurns(op, n, {ServiceCall(ops, op), RawCall(sql, ops, op), std::move(c_call), std::move(rest_call_)});
    const char* names[] = {"service", "raw", "capi", "rest"};
    for (std::size_t i = 0; i < samples.size(); ++i) out.Sampled("overhead", op + "/" + names[i], samples[i]);
  };

  // list and show: observer 10's page of 10, and student 20.
  faces("list", {[&] {
          char* json = nullptr;
          c_check(obs_list_observees(c, kObserver, kRoot, kObserver, 1, 10, 0, &json), json, "list");
        }},
        {[&] { rest_call("GET", "/api/v1/users/self/observees?per_page=10", "token-obs"); }});
  faces("show", {[&] {
          char* json = nullptr;
          c_check(obs_show_observee(c, kObserver, kRoot, kObserver, 20, &json), json, "show");
        }},
        {[&] { rest_call("GET", "/api/v1/users/self/observees/20", "token-obs"); }});

  // add by id and remove: each face cycles its own pair (10 with 32..35); add times the add, remove the remove.
  PrepareRawPair(ops, 33);
  PrepareRawPair(ops, 31);
  auto c_add = [&] {
    char* json = nullptr;
    c_check(obs_add_observee_by_id(c, kAdmin, kRoot, kObserver, 34, OBS_SCOPE_DOMAIN, &json), json, "add");
  };
  auto c_remove = [&] {
    char* json = nullptr;
    c_check(obs_remove_observee(c, kAdmin, kRoot, kObserver, 34, OBS_SCOPE_ALL, &json), json, "remove");
  };
  auto rest_add = [&] { rest_call("PUT", "/api/v1/users/10/observees/35", "token-admin"); };
  auto rest_remove = [&] { rest_call("DELETE", "/api/v1/users/10/observees/35", "token-admin"); };
  faces("add", {c_add, nullptr, c_remove}, {rest_add, nullptr, rest_remove});
  faces("remove", {c_remove, c_add}, {rest_remove, rest_add});

  // redeem: a fresh code (untimed), the redemption (timed), the link removed again (untimed).
  std::string request;
  std::string code;
  faces("redeem",
        {[&] {
           char* json = nullptr;
           c_check(obs_add_observee(c, kObserver, kRoot, kObserver, request.c_str(), OBS_SCOPE_DOMAIN, &json), json,
                   "redeem");
         },
         [&] { request = R"({"pairing_code": ")" + ops.NewCode(37) + "\"}"; }, [&] { ops.Remove(kObserver, 37); }},
        {[&] { rest_call("POST", "/api/v1/users/self/observees", "token-obs", "pairing_code=" + code); },
         [&] { code = ops.NewCode(38); }, [&] { ops.Remove(kObserver, 38); }});
  obs_service_close(&c);
}

// ---- Section 3: scale ------------------------------------------------------------------------

// One database size of the scale section: its service, its raw connection and its random draws.
struct AtSize {
  std::int64_t links;
  Storage backend;
  std::shared_ptr<const ObservationService> service;
  Ops ops;
  Raw raw;
  RawOps sql;
  Population p;
  std::mt19937_64 random{42};
  std::int64_t o = 0;  // the observer drawn for the next call
  std::int64_t s = 0;  // the student drawn for the next add

  AtSize(const std::string& path, std::int64_t n)
      : links(n),
        backend(Open(path)),
        service(NewService(backend.Dependencies())),
        ops{*service},
        raw(path),
        sql(raw),
        p{n} {}
  void DrawObserver() { o = std::uniform_int_distribution<std::int64_t>(0, p.students() - 1)(random); }
  void DrawPair() {  // a random observer and a random bulk student with no link yet
    DrawObserver();
    do {
      s = std::uniform_int_distribution<std::int64_t>(0, p.students() - 1)(random);
    } while (p.Student(s) == p.StudentOf(o, 0) || p.Student(s) == p.StudentOf(o, 1) ||
             p.Student(s) == p.StudentOf(o, 2) || p.Student(s) == p.StudentOf(o, 3));
  }
};

// The scale section's operation `op` at one size. Random observers and students across the whole table:
// every call walks the indexes from the root; list_hot asks for one observer again and again (its pages
// stay cached, so only the depth of the indexes grows).
Timed ScaleCall(AtSize& z, const std::string& op) {
  auto draw = [&z] { z.DrawObserver(); };
  if (op == "list") return {[&z] { z.ops.List(z.p.Observer(z.o)); }, draw};
  if (op == "list_raw") return {[&z] { z.sql.List(z.p.Observer(z.o)); }, draw};
  if (op == "list_hot") return {[&z] { z.ops.List(z.p.Observer(1)); }};
  if (op == "show") return {[&z] { z.ops.Show(z.p.Observer(z.o), z.p.StudentOf(z.o, 2)); }, draw};
  if (op == "show_raw") return {[&z] { z.sql.Show(z.p.Observer(z.o), z.p.StudentOf(z.o, 2)); }, draw};
  if (op == "add") {  // a new link, removed again
    return {[&z] { z.ops.Add(z.p.Observer(z.o), z.p.Student(z.s)); }, [&z] { z.DrawPair(); },
            [&z] { z.ops.Remove(z.p.Observer(z.o), z.p.Student(z.s)); }};
  }
  if (op == "remove") {
    return {[&z] { z.ops.Remove(z.p.Observer(z.o), z.p.Student(z.s)); },
            [&z] {
              z.DrawPair();
              z.ops.Add(z.p.Observer(z.o), z.p.Student(z.s));
            }};
  }
  if (op != "redeem") Die("unknown scale operation " + op);
  // A code of student 30 (enrolled), by a random bulk observer (a new link).
  auto code = std::make_shared<std::string>();
  return {[&z, code] { z.ops.Redeem(z.p.Observer(z.o), *code); },
          [&z, code] {
            z.DrawObserver();
            *code = z.ops.NewCode(30);
          },
          [&z] { z.ops.Remove(z.p.Observer(z.o), 30); }};
}

// Every operation at every size, the sizes taking turns run by run (so the machine's drift falls on all
// sizes alike), and the query plans of every statement on the largest.
void Scale(const std::vector<std::string>& paths, const std::vector<std::int64_t>& sizes, const Counts& n,
           Results& out) {
  std::vector<std::unique_ptr<AtSize>> at;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    std::printf("\n== scale: %lld links (%s)\n", static_cast<long long>(sizes[i]), paths[i].c_str());
    at.push_back(std::make_unique<AtSize>(paths[i], sizes[i]));
  }
  std::printf("\n== scale: the sizes in turns\n");
  at.back()->sql.Plans(out);
  for (const std::string op : {"list", "list_raw", "list_hot", "show", "show_raw", "add", "remove", "redeem"}) {
    std::vector<Timed> calls;
    for (auto& z : at) calls.push_back(ScaleCall(*z, op));
    const auto samples = InTurns(op, n, calls);
    for (std::size_t i = 0; i < at.size(); ++i) {
      out.Sampled("scale", op + "/" + std::to_string(at[i]->links), samples[i]);
    }
  }
}

// ---- Section 4: concurrency ------------------------------------------------------------------

using Rounds = std::map<int, std::vector<double>>;  // threads -> calls/s of each round
constexpr int kRounds = 5;                          // of each thread count, taking turns (1, 2, 4, 1, 2, 4, ...)

// `threads` threads each running read(t, i) for i < calls, t the thread's index; the calls per second.
double Throughput(int threads, int calls, const std::function<void(int, int)>& read) {
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&read, calls, t] {
      for (int i = 0; i < calls; ++i) read(t, i);
    });
  }
  for (auto& worker : workers) worker.join();
  return threads * calls / std::chrono::duration<double>(Clock::now() - start).count();
}

// A face of the concurrency section: prepare(threads, round) runs untimed before each of its turns (one
// per thread count and round; it may set up per-thread state), then read(t, i) is timed as Throughput's.
struct Face {
  std::function<void(int threads, int round)> prepare;
  std::function<void(int t, int i)> read;
};

// kRounds rounds; in each, 1, 2 and 4 threads, and for each thread count every face in turn, the order
// of the faces rotating from round to round (so the machine's drift, and any cost of going first, falls
// on all faces alike). The calls/s of each face, by thread count.
std::vector<Rounds> FaceRounds(const std::vector<Face>& faces, int calls) {
  std::vector<Rounds> rounds(faces.size());
  for (int round = 0; round < kRounds; ++round) {
    for (int threads : {1, 2, 4}) {
      for (std::size_t turn = 0; turn < faces.size(); ++turn) {
        const std::size_t f = (turn + static_cast<std::size_t>(round)) % faces.size();
        faces[f].prepare(threads, round);
        rounds[f][threads].push_back(Throughput(threads, calls, faces[f].read));
      }
    }
  }
  return rounds;
}

// The (observer, student) = pair_of(o) the reads ask for, o drawn at random from [0, pairs), each thread
// from its own generator, seeded by thread and round (so every face draws the same pairs).
struct RandomPairs {
  std::int64_t pairs;
  std::function<std::pair<UserId, UserId>(std::int64_t)> pair_of;
  std::vector<std::mt19937_64> random;

  void Seed(int threads, int round) {
    random.clear();
    for (int t = 0; t < threads; ++t) random.emplace_back(static_cast<std::uint64_t>(t * 31 + round) + 7);
  }
  std::pair<UserId, UserId> Draw(int t) {
    return pair_of(std::uniform_int_distribution<std::int64_t>(0, pairs - 1)(random[static_cast<std::size_t>(t)]));
  }
};

// Call i of thread t: a show (i even) or a list of the pair it draws, through `reads` (Ops or RawOps).
template <typename Reads>
void ShowOrList(Reads& reads, RandomPairs& draws, int t, int i) {
  const auto [observer, student] = draws.Draw(t);
  if (i % 2 == 0) {
    reads.Show(observer, student);
  } else {
    reads.List(observer);
  }
}

// Show and list alternating on one service, shared by the threads.
Face ServiceFace(const Ops& ops, RandomPairs& draws) {
  return {[&draws](int threads, int round) { draws.Seed(threads, round); },
          [&ops, &draws](int t, int i) { ShowOrList(ops, draws, t, i); }};
}

// Rows ops_per_s (the median round), min_ops_per_s and max_ops_per_s per thread count, and a line each.
void ReportRounds(Results& out, const std::string& section, const char* label, const Rounds& rounds) {
  for (const auto& [threads, values] : rounds) {
    out.Row(section, std::to_string(threads), "ops_per_s", Percentile(values, 0.5));
    out.Row(section, std::to_string(threads), "min_ops_per_s", Percentile(values, 0.0));
    out.Row(section, std::to_string(threads), "max_ops_per_s", Percentile(values, 1.0));
    std::printf("  %s%d thread(s): %9.0f calls/s (median of 5; min %.0f, max %.0f)\n", label, threads,
                Percentile(values, 0.5), Percentile(values, 0.0), Percentile(values, 1.0));
  }
}

// The median over rounds of each round's own 2-thread / 1-thread throughput (neighbours in time).
double MedianScaling(const Rounds& rounds) {
  std::vector<double> ratios;
  for (std::size_t r = 0; r < rounds.at(1).size(); ++r) ratios.push_back(rounds.at(2)[r] / rounds.at(1)[r]);
  return Percentile(ratios, 0.5);
}

void Concurrency(const std::string& path, std::int64_t links, int calls, Results& out) {
  std::printf("\n== read throughput, one service, 1/2/4 threads (%s)\n", path.c_str());
  Storage backend = Open(path);
  const auto service = NewService(backend.Dependencies());
  const Ops ops{*service};
  const Population p{links};
  RandomPairs draws{p.students(),
                    [&p](std::int64_t o) {
                      return std::pair<UserId, UserId>{p.Observer(o), p.StudentOf(o, 1)};
                    },
                    {}};
  // SQLite's own limit: the same reads as raw SQLite, one connection per thread, opened once (as the
  // service's pool is) and used by the first `threads` threads.
  std::vector<std::unique_ptr<Raw>> connections;
  std::vector<std::unique_ptr<RawOps>> statements;
  for (int t = 0; t < 4; ++t) {
    connections.push_back(std::make_unique<Raw>(path));
    statements.push_back(std::make_unique<RawOps>(*connections.back()));
  }
  const Face raw{[&](int threads, int round) { draws.Seed(threads, round); },
                 [&](int t, int i) { ShowOrList(*statements[static_cast<std::size_t>(t)], draws, t, i); }};
  // The machine's own limit: a fixed CPU loop per call (its 1-thread calls/s gives its length), touching
  // no shared memory: it shows how much of the cores the machine gives, not how much shared cache or
  // memory bandwidth reads get.
  std::vector<std::uint64_t> sinks(64 * 4);
  const Face cpu{[](int, int) {},
                 [&sinks](int t, int) {
                   std::uint64_t x = 88172645463325252ULL + static_cast<std::uint64_t>(t);
                   for (int k = 0; k < 6000; ++k) {
                     x ^= x << 13;
                     x ^= x >> 7;
                     x ^= x << 17;
                   }
                   sinks[static_cast<std::size_t>(t) * 64] += x;  // 512 bytes apart: no line shared
                 }};
  const std::vector<Rounds> rounds = FaceRounds({ServiceFace(ops, draws), raw, cpu}, calls);
  ReportRounds(out, "threads_raw", "raw SQLite, ", rounds[1]);
  ReportRounds(out, "threads_cpu", "CPU loop, ", rounds[2]);
  ReportRounds(out, "threads", "", rounds[0]);
  const double service_scaling = MedianScaling(rounds[0]), raw_scaling = MedianScaling(rounds[1]),
               cpu_scaling = MedianScaling(rounds[2]);
  out.Row("threads_scaling", "service", "ratio", service_scaling);
  out.Row("threads_scaling", "raw", "ratio", raw_scaling);
  out.Row("threads_scaling", "cpu", "ratio", cpu_scaling);
  std::printf(
      "  1 -> 2 threads (median of the rounds' own ratios): service %.2fx, raw SQLite %.2fx, CPU loop "
      "%.2fx; service / CPU loop %.2f\n",
      service_scaling, raw_scaling, cpu_scaling, service_scaling / cpu_scaling);
}

// Reads on one thread while another runs Argon2id (kInteractive) password checks.
void Stall(const std::string& dir, Results& out) {
  std::printf("\n== Argon2id on one thread, reads on another\n");
  Storage backend = OpenFixture(dir + "/stall.db", PasswordHashing::kInteractive, true);
  const auto service = NewService(backend.Dependencies());
  const Ops ops{*service};

  std::atomic<bool> hashing{false};
  std::atomic<bool> done{false};
  std::vector<double> quiet;
  std::vector<double> during;
  std::vector<double> checks;
  std::thread checker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    const auto until = Clock::now() + std::chrono::milliseconds(1500);
    while (Clock::now() < until) {
      hashing = true;
      const auto start = Clock::now();
      auto user = backend.authenticator->CheckPassword(kRoot, "pat", "secret-pat-1");
      checks.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      hashing = false;
      Check(user, "CheckPassword");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    done = true;
  });
  while (!done) {
    const bool busy_before = hashing;
    const auto start = Clock::now();
    ops.Show(kObserver, 20);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    (busy_before && hashing ? during : quiet).push_back(us);
  }
  checker.join();
  auto row = [&](const char* name, const std::vector<double>& v) {
    out.Row("stall", name, "p50_us", Percentile(v, 0.5));
    out.Row("stall", name, "p99_us", Percentile(v, 0.99));
    out.Row("stall", name, "max_us", Percentile(v, 1.0));
    out.Row("stall", name, "calls", static_cast<double>(v.size()));
    std::printf("  show %-22s p50 %8.2f us  p99 %8.2f us  max %9.2f us  (%zu calls)\n", name, Percentile(v, 0.5),
                Percentile(v, 0.99), Percentile(v, 1.0), v.size());
  };
  row("without_argon2", quiet);
  row("during_argon2", during);
  out.Row("stall", "check_password", "p50_ms", Percentile(checks, 0.5));
  out.Row("stall", "check_password", "calls", static_cast<double>(checks.size()));
  std::printf("  CheckPassword (Argon2id interactive): p50 %.1f ms, %zu checks\n", Percentile(checks, 0.5),
              checks.size());
}

// ---- Section 5: PostgreSQL -------------------------------------------------------------------

// The round trips one call of `s` waits for on `storage` (its setup and teardown not counted): the most
// over five calls, after one uncounted.
std::int64_t RoundTripsOf(const Storage& storage, const Timed& s) {
  std::int64_t most = 0;
  for (int i = 0; i < 6; ++i) {
    if (s.setup) s.setup();
    const std::int64_t before = storage.Stats().round_trips;
    s.call();
    const std::int64_t after = storage.Stats().round_trips;
    if (s.teardown) s.teardown();
    if (i > 0) most = std::max(most, after - before);
  }
  return most;
}

// The five operations as in the overhead section on a fresh PostgreSQL schema seeded with
// FixtureJson, each beside the SQLite service on a fresh file with the same fixture; then the read
// throughput of both on 1/2/4 threads (`calls` reads a thread, over the fixture's ten links). The schema,
// named after this process, is dropped before (a killed run's) and after.
void Postgres(const std::string& conninfo, const std::string& dir, const Counts& n, int calls, Results& out) {
  std::printf("\n== postgres: the service on PostgreSQL beside SQLite, fixture data\n");
  StorageOptions options;
  options.location = "postgresql:" + conninfo;
  options.schema = "observees_bench_" + std::to_string(getpid());
  options.password_hashing = PasswordHashing::kFastest;
  CheckStatus(DropPostgresSchema(conninfo, options.schema), "DropPostgresSchema");
  {
    auto pg = OpenStorage(options);
    Check(pg, "OpenPostgres");
    CheckStatus(LoadFixture(*pg, FixtureJson(false)), "LoadFixture(PostgreSQL)");
    Storage sqlite = OpenFixture(dir + "/fixture.db", PasswordHashing::kFastest, false);
    const auto pg_service = NewService(pg->Dependencies());
    const auto sqlite_service = NewService(sqlite.Dependencies());
    const Ops pg_ops{*pg_service};
    const Ops sqlite_ops{*sqlite_service};
    for (const std::string op : kOps) {
      const Timed call = ServiceCall(pg_ops, op);
      const std::int64_t round_trips = RoundTripsOf(*pg, call);
      out.Row("postgres", op + "/pg", "round_trips", static_cast<double>(round_trips));
      std::vector<Timed> faces = {call, ServiceCall(sqlite_ops, op)};
#if OBSERVEES_BENCH_WITH_LIBPQ
      // The raw libpq face replays what one steady-state call sent. Redemption is left out: each call
      // redeems a fresh code, so a replay of one call's statements would look up a spent one.
      std::unique_ptr<PgReplay> replay;
      if (op != "redeem") {
        PgTrace trace;
        auto* db = storage::DatabaseOf<PostgresDatabase>(*pg);
        if (db == nullptr) Die("the PostgreSQL storage has no PostgresDatabase");
        if (call.setup) call.setup();
        db->TraceStatements(&trace);
        call.call();
        db->TraceStatements(nullptr);
        if (call.teardown) call.teardown();
        replay = std::make_unique<PgReplay>(conninfo, options.schema, std::move(trace));
        if (replay->round_trips() != round_trips) Die("the replay of " + op + " waits a different number of times");
        faces.push_back(Timed{[&replay] { replay->Run(); }, call.setup, call.teardown});
      }
#endif
      const std::vector<Sample> samples = InTurns(op, n, faces);
      out.Sampled("postgres", op + "/pg", samples[0]);
      out.Sampled("postgres", op + "/sqlite", samples[1]);
      std::printf("  %-34s %.2fx, %lld round trips\n", (op + " PG/SQLite p50").c_str(),
                  samples[0].p50() / samples[1].p50(), static_cast<long long>(round_trips));
      if (samples.size() > 2) {
        out.Sampled("postgres", op + "/libpq", samples[2]);
        out.Row("postgres", op + "/pg_vs_libpq", "ratio", samples[0].p50() / samples[2].p50());
        std::printf("  %-34s %.2fx p50, %.2fx median of runs\n", (op + " service/raw libpq").c_str(),
                    samples[0].p50() / samples[2].p50(), samples[0].median_of_runs() / samples[2].median_of_runs());
      }
    }
    auto fixture_pair = [](std::int64_t o) { return std::pair<UserId, UserId>{kObserver, 20 + o}; };
    RandomPairs pg_draws{10, fixture_pair, {}};
    RandomPairs sqlite_draws{10, fixture_pair, {}};
    const auto rounds = FaceRounds({ServiceFace(pg_ops, pg_draws), ServiceFace(sqlite_ops, sqlite_draws)}, calls);
    ReportRounds(out, "threads_pg", "PostgreSQL, ", rounds[0]);
    ReportRounds(out, "threads_pg_sqlite", "SQLite, ", rounds[1]);
  }
  CheckStatus(DropPostgresSchema(conninfo, options.schema), "DropPostgresSchema");
}

// ---- Instruction counts (--profile) ---------------------------------------------------------

// The one function valgrind counts: run as `valgrind --tool=callgrind --toggle-collect='*ProfiledCall*'
// observees_bench WORK OUT --profile OP`, the total Ir divided by the calls is the instructions of one
// OP, free of timing noise. Setup and teardown of each call run outside it.
[[gnu::noinline]] void ProfiledCall(const std::function<void()>& call) { call(); }

// `calls` calls of s inside ProfiledCall, after `warmup` uncounted ones.
void RunProfiled(const Timed& s, int calls, int warmup) {
  for (int i = 0; i < calls + warmup; ++i) {
    if (s.setup) s.setup();
    if (i < warmup) {
      s.call();
    } else {
      ProfiledCall(s.call);
    }
    if (s.teardown) s.teardown();
  }
}

// --profile OP@N: the scale section's OP (list, list_raw, show, ...) at N links, `calls` random draws as
// there after as many uncounted ones (so that the cache simulation counts a warm state, not first
// touches). Reuses WORKDIR's database of that size if a finished one is there (generating 10^6 links
// under valgrind takes long): run once without valgrind first.
void ProfileAtSize(const std::string& dir, const std::string& op, std::int64_t links, int calls) {
  std::string path = DatabasePath(dir, links);
  if (!HoldsLinks(path, links)) path = MakeDatabase(dir, links);
  AtSize z(path, links);
  RunProfiled(ScaleCall(z, op), calls, calls);
  std::printf("profiled %d calls of %s at %lld links\n", calls, op.c_str(), static_cast<long long>(links));
}

// The overhead section's operations on one 10^4-link database, each as OP/service (ServiceCall) and
// OP/raw (RawCall), as Overhead times them, for --profile and --check-statements.
class Steps {
 public:
  explicit Steps(const std::string& path)
      : backend_(Open(path)), service_(NewService(backend_.Dependencies())), ops_{*service_}, raw_(path), sql_(raw_) {
    PrepareRawPair(ops_, 33);
    PrepareRawPair(ops_, 31);
    for (const std::string op : kOps) {
      steps_.emplace(op + "/service", ServiceCall(ops_, op));
      steps_.emplace(op + "/raw", RawCall(sql_, ops_, op));
    }
  }
  Steps(const Steps&) = delete;
  Steps& operator=(const Steps&) = delete;

  const Timed& Get(const std::string& name) const {
    const auto found = steps_.find(name);
    if (found == steps_.end()) Die("unknown operation " + name);
    return found->second;
  }
  sqlite3* raw_db() const { return raw_.db(); }

 private:
  Storage backend_;
  std::shared_ptr<const ObservationService> service_;
  Ops ops_;
  Raw raw_;
  RawOps sql_;
  std::map<std::string, Timed> steps_;
};

// --profile OP: OP (list, show, add, remove, redeem, each /service or /raw, as in the overhead section)
// `calls` times on a fresh 10^4-link database, after ten uncounted calls; or OP@N (ProfileAtSize).
void Profile(const std::string& dir, const std::string& op, int calls) {
  if (const auto at = op.find('@'); at != std::string::npos) {
    return ProfileAtSize(dir, op.substr(0, at), std::stoll(op.substr(at + 1)), calls);
  }
  const Steps steps(MakeDatabase(dir, 10000));
  RunProfiled(steps.Get(op), calls, 10);
  std::printf("profiled %d calls of %s\n", calls, op.c_str());
}

// ---- --check-statements: the raw baseline runs the service's statements ----------------------

// A statement's text with whitespace runs folded to one space, and no trailing space or ';'.
std::string Folded(const std::string& sql) {
  std::string folded;
  for (const char ch : sql) {
    if (std::isspace(static_cast<unsigned char>(ch)) == 0) {
      folded += ch;
    } else if (!folded.empty() && folded.back() != ' ') {
      folded += ' ';
    }
  }
  while (!folded.empty() && (folded.back() == ' ' || folded.back() == ';')) folded.pop_back();
  return folded;
}

// The statements a call ran, cut into its transactions (BEGIN.. to COMMIT or ROLLBACK) and the runs of
// autocommit statements between them, in order; each piece's texts sorted.
using Pieces = std::vector<std::vector<std::string>>;

Pieces Cut(const std::vector<std::string>& texts) {
  Pieces pieces;
  bool in_transaction = false;  // the last piece is a transaction not ended yet
  bool in_run = false;          // the last piece is a run of autocommit statements
  for (const std::string& text : texts) {
    const bool begin = text.rfind("BEGIN", 0) == 0;
    if (begin || (!in_transaction && !in_run)) {
      pieces.emplace_back();
      in_transaction = begin;
      in_run = !begin;
    }
    pieces.back().push_back(text);
    if (in_transaction && (text == "COMMIT" || text == "ROLLBACK")) in_transaction = false;
  }
  for (auto& piece : pieces) std::sort(piece.begin(), piece.end());
  return pieces;
}

// The folded texts the call of s starts, in order; its setup and teardown untraced. s runs once
// untraced first, so the traced call is the steady state the timed loops measure (a restored link, not
// the first insert). Dies unless every statement ran on `raw` (raw_face) or none did (a service face).
std::vector<std::string> TracedCall(const Timed& s, sqlite3* raw, bool raw_face, const std::string& name) {
  for (const bool traced : {false, true}) {
    if (s.setup) s.setup();
    statement_log::Take();
    s.call();
    const auto started = statement_log::Take();
    if (s.teardown) s.teardown();
    if (!traced) continue;
    std::vector<std::string> texts;
    for (const auto& statement : started) {
      if ((statement.db == raw) != raw_face) Die(name + " ran a statement on the other face's connection");
      texts.push_back(Folded(statement.sql));
    }
    if (texts.empty()) Die(name + " ran no statement: is the trace installed?");
    return texts;
  }
  return {};
}

// The connection settings (PRAGMAs but journal_mode and user_version, which the pool runs once) each
// traced connection ran, by connection.
std::map<sqlite3*, std::vector<std::string>> Settings(const std::vector<statement_log::Started>& started) {
  std::map<sqlite3*, std::vector<std::string>> settings;
  for (const auto& statement : started) {
    const std::string text = Folded(statement.sql);
    if (text.rfind("PRAGMA ", 0) != 0 || text.find("journal_mode") != std::string::npos ||
        text.find("user_version") != std::string::npos) {
      continue;
    }
    settings[statement.db].push_back(text);
  }
  for (auto& [db, texts] : settings) std::sort(texts.begin(), texts.end());
  return settings;
}

// One operation's service and raw faces, traced and compared as CheckStatements says; prints a line and
// returns the differences, a line each (empty: the same).
std::string Compare(const std::string& name, const Timed& service_call, const Timed& raw_call, sqlite3* raw_db) {
  const Pieces service = Cut(TracedCall(service_call, raw_db, false, name + ", service"));
  auto raw_texts = TracedCall(raw_call, raw_db, true, name + ", raw");
  std::replace(raw_texts.begin(), raw_texts.end(), kRawFindUsers, std::string(kServiceFindUsers));
  const Pieces raw = Cut(raw_texts);
  const bool same = service == raw;
  std::printf("%-13s service %zu transactions/runs, raw %zu: %s\n", name.c_str(), service.size(), raw.size(),
              same ? "the same statements" : "DIFFERENT");
  std::string differences;
  for (std::size_t i = 0; !same && i < std::max(service.size(), raw.size()); ++i) {
    const std::vector<std::string> none;
    const auto& a = i < service.size() ? service[i] : none;
    const auto& b = i < raw.size() ? raw[i] : none;
    std::vector<std::string> service_only;
    std::vector<std::string> raw_only;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(service_only));
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(raw_only));
    const std::string where = name + ", piece " + std::to_string(i + 1);
    for (const auto& text : service_only) differences += where + ", service only: " + text + "\n";
    for (const auto& text : raw_only) differences += where + ", raw only: " + text + "\n";
  }
  return differences;
}

// Each operation's raw face must run its service call's statements: the same transactions and autocommit
// runs in the same order, each holding the same texts as many times (order inside a piece aside;
// kRawFindUsers counts as the service's FindUsers), so the baseline does the service's database work and
// no other; and the raw connection must run the pool's connection settings. Checked for the overhead
// section's faces and for the scale section's list and show on bulk users (the threads section makes
// the same calls). Prints a line per operation; dies listing the differences, so that a change to src/sqlite/'s
// SQL that RawOps does not follow fails the ctest entry that runs this.
void CheckStatements(const std::string& dir) {
  const std::string path = MakeDatabase(dir, 10000);
  statement_log::Take();
  const Steps steps(path);  // opens the pool's connections and the raw one
  std::string differences;
  const auto settings = Settings(statement_log::Take());
  const auto raw_settings = settings.find(steps.raw_db());
  if (raw_settings == settings.end() || settings.size() < 2) Die("no connection settings were traced");
  for (const auto& [db, texts] : settings) {
    if (texts != raw_settings->second) {
      differences += "connection settings: the pool's differ from the raw connection's\n";
      break;
    }
  }
  for (const std::string op : kOps) {
    differences += Compare(op, steps.Get(op + "/service"), steps.Get(op + "/raw"), steps.raw_db());
  }
  AtSize bulk(path, 10000);  // the scale and threads sections' reads, on bulk users
  for (const std::string op : {"list", "show"}) {
    differences += Compare(op + " (bulk)", ScaleCall(bulk, op), ScaleCall(bulk, op + "_raw"), bulk.raw.db());
  }
  if (!differences.empty()) Die("the raw baseline no longer runs the service's statements:\n" + differences);
}

// The machine's noise: the same fixed CPU loop, timed again and again.
void Noise(Results& out, const char* name) {
  volatile std::uint64_t sink = 0;
  auto loop = [&] {
    std::uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    sink = sink + x;
  };
  const Sample s = Measure(15, 1, 3, loop);
  out.Row("noise", name, "min_us", s.min_of_runs());
  out.Row("noise", name, "median_us", s.median_of_runs());
  out.Row("noise", name, "max_us", s.max_of_runs());
  std::printf("noise (%s): fixed CPU loop min/median/max %.1f / %.1f / %.1f us\n", name, s.min_of_runs(),
              s.median_of_runs(), s.max_of_runs());
}

// Between sections: what one section wrote must not be flushed while the next measures. Checkpoints
// each database's WAL into its file (and truncates the WAL), has the kernel write every dirty page
// (sync), then lets the machine rest a second; prints how long the writes took.
void Settle(const std::vector<std::string>& paths) {
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& path : paths) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
      sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    }
    sqlite3_close(db);
  }
  ::sync();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::printf("\n(settled: checkpoints and sync took %.2f s, then 1 s of rest)\n", seconds);
}

}  // namespace
}  // namespace observees::bench

int main(int argc, char** argv) {
  using namespace observees::bench;
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: observees_bench WORKDIR OUTDIR [--sizes N,N,...] [--quick] [--postgres CONNINFO] "
                 "[--only SECTION,...]\n"
                 "       observees_bench WORKDIR OUTDIR --profile list/service|list/raw|...|list@LINKS [CALLS]\n"
                 "       observees_bench WORKDIR OUTDIR --check-statements\n");
    return 2;
  }
  // As a multi-threaded embedder should (sqlite.h); the threads section is measured with it.
  if (!observees::DisableSqliteMemoryStatistics()) Die("SQLite was in use before main");
  const std::string work = argv[1];
  const std::string out_dir = argv[2];
  std::vector<std::int64_t> sizes = {10000, 100000, 1000000};
  Counts counts;
  std::string postgres;  // a libpq conninfo; empty: no PostgreSQL section
  std::string only;      // --only overhead,scale,threads,stall,postgres: those sections; empty: all
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--check-statements") {
      if (!statement_log::Install()) Die("sqlite3_auto_extension failed");
      std::filesystem::create_directories(work);
      CheckStatements(work);
      return 0;
    }
    if (arg == "--profile" && i + 1 < argc) {
      std::filesystem::create_directories(work);
      Profile(work, argv[i + 1], i + 2 < argc ? std::stoi(argv[i + 2]) : 100);
      return 0;
    }
    if (arg == "--quick") {
      counts = Counts{3, 100, 40, 10};
    } else if (arg == "--only" && i + 1 < argc) {
      only = "," + std::string(argv[++i]) + ",";
    } else if (arg == "--postgres" && i + 1 < argc) {
      postgres = argv[++i];
    } else if (arg == "--sizes" && i + 1 < argc) {
      sizes.clear();
      std::string list = argv[++i];
      for (std::size_t at = 0; at < list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        sizes.push_back(std::stoll(list.substr(at, comma - at)));
        at = comma + 1;
      }
    } else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  std::filesystem::create_directories(work);
  std::filesystem::create_directories(out_dir);
  Results out(out_dir + "/cpp.tsv");
  if (!out.ok()) Die("cannot write " + out_dir + "/cpp.tsv");
  Noise(out, "start");

  auto runs = [&](const char* section) {
    return only.empty() || only.find(std::string(",") + section + ",") != std::string::npos;
  };
  std::vector<std::string> paths;
  for (const std::int64_t size : sizes) paths.push_back(MakeDatabase(work, size));
  if (runs("overhead")) {
    Overhead(paths.front(), counts, out);
    Settle(paths);
  }
  if (runs("scale")) {
    Scale(paths, sizes, counts, out);
    Settle(paths);
  }
  if (runs("threads")) {
    Concurrency(paths.front(), sizes.front(), counts.reads * 25, out);
    Settle(paths);
  }
  if (runs("stall")) Stall(work, out);
  if (!runs("postgres")) {
  } else if (postgres.empty()) {
    std::printf("\n== postgres: skipped (no --postgres CONNINFO)\n");
  } else {
    Postgres(postgres, work, counts, counts.reads * 10, out);
  }
  Noise(out, "end");
  // The database the HTTP and Python benchmarks use.
  std::printf("\nbase database: %s\n", paths.front().c_str());
  return 0;
}
