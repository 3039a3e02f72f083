// Concurrency invariants: 16 threads run a random mix of every operation (list, show, add by token,
// code, credentials and id, remove, create code, redeem, self-register) against one service over one
// SQLite file with four pooled connections. Afterwards, read behind the library's back:
//   - at most one observation_links row per (student, observer, root account);
//   - every consumed code produced exactly one kCodeRedeemed audit entry, and every successful
//     redemption consumed exactly one code;
//   - no operation answered a status outside the ones expected for it.
// Threads record outcomes; the test thread checks them (Catch2 is not thread-safe). Loops are bounded.
#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <latch>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/world.h"

namespace observees::testing {
namespace {

constexpr int kThreads = 16;
constexpr int kOpsPerThread = 60;

enum class Op {
  kListObservees,
  kListObservers,
  kShow,
  kAddToken,
  kAddCode,
  kAddCredentials,
  kAddById,
  kRemove,
  kRemoveByAdmin,
  kCreateCode,
  kRegister,
  kCount
};

const char* OpName(Op op) {
  switch (op) {
    case Op::kListObservees: return "list observees";
    case Op::kListObservers: return "list observers";
    case Op::kShow: return "show observee";
    case Op::kAddToken: return "add by token";
    case Op::kAddCode: return "add by code (redeem)";
    case Op::kAddCredentials: return "add by credentials";
    case Op::kAddById: return "add by id";
    case Op::kRemove: return "remove (self)";
    case Op::kRemoveByAdmin: return "remove (admin)";
    case Op::kCreateCode: return "create code";
    case Op::kRegister: return "self-register";
    case Op::kCount: break;
  }
  return "?";
}

// The statuses each operation may answer under this workload; anything else is a failure.
std::set<StatusCode> Expected(Op op) {
  using S = StatusCode;
  switch (op) {
    case Op::kListObservees:
    case Op::kListObservers:
    case Op::kAddToken:
    case Op::kAddById:
    case Op::kCreateCode: return {S::kOk};
    case Op::kShow:
    case Op::kRemove:
    case Op::kRemoveByAdmin: return {S::kOk, S::kNotFound};             // the link may be gone
    case Op::kAddCode: return {S::kOk, S::kInvalidCode};                // another thread redeemed the code first
    case Op::kAddCredentials: return {S::kOk, S::kInvalidCredentials};  // a deliberately wrong password
    case Op::kRegister: return {S::kOk, S::kInvalidCode};
    case Op::kCount: break;
  }
  return {};
}

struct Record {
  Op op;
  StatusCode code;
  std::string message;
};

// Observers acting for themselves (root 1), students whose codes and secrets they use.
const std::vector<UserId> kObservers = {kPat, kQuinn, kWalt, kMona, kOlivia};
struct Student {
  UserId id;
  const char* token;
  const char* login;
  const char* password;
};
const std::vector<Student> kStudents = {{kChild, kChildToken, kChildLogin, kChildPassword},
                                        {kBo, kBoToken, kBoLogin, kBoPassword}};
const std::vector<UserId> kCodeStudents = {kChild, kAnother, kBo};

class CodePool {
 public:
  void Add(std::string code) {
    std::lock_guard lock(mutex_);
    codes_.push_back(std::move(code));
  }
  // A random code made so far (possibly already used); empty when none was made yet.
  std::string Pick(std::mt19937& random) {
    std::lock_guard lock(mutex_);
    if (codes_.empty()) return "Nope00";
    return codes_[std::uniform_int_distribution<std::size_t>(0, codes_.size() - 1)(random)];
  }
  std::vector<std::string> All() {
    std::lock_guard lock(mutex_);
    return codes_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> codes_;
};

}  // namespace

TEST_CASE("16 threads running every operation keep the link, code and audit invariants", "[concurrency][invariants]") {
  TempDir dir;
  const std::string path = (dir.path() / "invariants.db").string();
  WorldOptions options;
  options.db_path = path;
  options.service.limiter.max_failures = 10000;  // the limiter has its own stress test
  World w = MakeWorld(options);
  const std::int64_t audit_start = w.LastAuditId();
  auto consumed_codes = [&path] {
    std::set<CodeId> ids;
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement used(db, "SELECT id FROM pairing_codes WHERE used_by IS NOT NULL");
    while (used.executeStep()) ids.insert(used.getColumn(0).getInt64());
    return ids;
  };
  const std::set<CodeId> consumed_before = consumed_codes();

  CodePool pool;
  std::atomic<int> registrations{0};
  std::vector<std::vector<Record>> records(kThreads);
  std::vector<std::vector<std::string>> redeemed(kThreads);  // codes each thread redeemed successfully

  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<std::uint32_t>(1000 + t));
      auto pick = [&](const auto& items) {
        return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(random)];
      };
      start.arrive_and_wait();
      for (int i = 0; i < kOpsPerThread; ++i) {
        const auto op =
            static_cast<Op>(std::uniform_int_distribution<int>(0, static_cast<int>(Op::kCount) - 1)(random));
        const UserId observer = pick(kObservers);
        const Student student = pick(kStudents);
        Status status;
        switch (op) {
          case Op::kListObservees: status = w.service->ListObservees(w.As(observer), observer, {}).status(); break;
          case Op::kListObservers: status = w.service->ListObservers(w.As(student.id), student.id, {}).status(); break;
          case Op::kShow: status = w.service->ShowObservee(w.As(observer), observer, student.id).status(); break;
          case Op::kAddToken:
            status = w.service->AddObservee(w.As(observer), observer, TokenRequest(student.token)).status();
            break;
          case Op::kAddCode: {
            const std::string code = pool.Pick(random);
            auto result = w.service->AddObservee(w.As(observer), observer, CodeRequest(code));
            status = result.status();
            if (result.ok()) redeemed[static_cast<std::size_t>(t)].push_back(code);
            break;
          }
          case Op::kAddCredentials: {
            const bool wrong = std::uniform_int_distribution<int>(0, 3)(random) == 0;
            status = w.service
                         ->AddObservee(w.As(observer), observer,
                                       CredentialsRequest(student.login, wrong ? "wrong-password" : student.password))
                         .status();
            break;
          }
          case Op::kAddById:
            status = w.service->AddObserveeById(w.As(kAda), observer, student.id, RootAccountScope::Domain()).status();
            break;
          case Op::kRemove: status = w.service->RemoveObservee(w.As(observer), observer, student.id).status(); break;
          case Op::kRemoveByAdmin: status = w.service->RemoveObservee(w.As(kAda), observer, student.id).status(); break;
          case Op::kCreateCode: {
            const UserId s = pick(kCodeStudents);
            auto code = w.service->CreatePairingCode(w.As(s), s);
            status = code.status();
            if (code.ok()) pool.Add(code->code);
            break;
          }
          case Op::kRegister: {
            const std::string code = pool.Pick(random);
            SelfRegistrationRequest request;
            const int n = registrations.fetch_add(1);
            request.name = "Reg Parent " + std::to_string(n);
            request.unique_id = "reg-parent-" + std::to_string(n);
            request.password = "reg-password-" + std::to_string(n);
            request.pairing_code = code;
            auto result = w.service->RegisterObserver(w.Anonymous(), request);
            status = result.status();
            if (result.ok()) redeemed[static_cast<std::size_t>(t)].push_back(code);
            break;
          }
          case Op::kCount: break;
        }
        records[static_cast<std::size_t>(t)].push_back({op, status.code(), status.message()});
      }
    });
  }
  for (auto& thread : threads) thread.join();

  // No unexpected status.
  std::map<Op, std::map<StatusCode, int>> tally;
  int operations = 0;
  for (const auto& thread_records : records) {
    for (const Record& r : thread_records) {
      ++operations;
      ++tally[r.op][r.code];
      INFO(OpName(r.op) << " answered " << StatusCodeName(r.code) << ": " << r.message);
      CHECK(Expected(r.op).count(r.code) == 1);
    }
  }
  CHECK(operations == kThreads * kOpsPerThread);
  std::ostringstream summary;
  for (const auto& [op, codes] : tally) {
    summary << OpName(op) << ":";
    for (const auto& [code, n] : codes) summary << " " << StatusCodeName(code) << "=" << n;
    summary << "\n";
  }
  WARN("concurrent operations checked: " << operations << "\n" << summary.str());

  // At most one row per (student, observer, root account), read from the file.
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement duplicates(db,
                               "SELECT student_id, observer_id, root_account_id, COUNT(*) FROM observation_links "
                               "GROUP BY student_id, observer_id, root_account_id HAVING COUNT(*) > 1");
  while (duplicates.executeStep()) {
    FAIL_CHECK("duplicate link rows for student " << duplicates.getColumn(0).getInt64() << ", observer "
                                                  << duplicates.getColumn(1).getInt64() << ", root "
                                                  << duplicates.getColumn(2).getText());
  }

  // Each code string was redeemed successfully at most once.
  int successful_redemptions = 0;
  std::map<std::string, int> per_code;
  for (const auto& codes : redeemed) {
    for (const std::string& code : codes) {
      ++successful_redemptions;
      ++per_code[code];
    }
  }
  for (const auto& [code, n] : per_code) {
    INFO("code " << code);
    CHECK(n == 1);
  }

  // Every consumed code: exactly one kCodeRedeemed entry; every entry names a consumed code.
  std::set<CodeId> consumed;
  for (const CodeId id : consumed_codes()) {
    if (consumed_before.count(id) == 0) consumed.insert(id);
  }
  std::map<CodeId, int> audit_redemptions;
  for (const AuditEntry& entry : w.AuditAfter(audit_start)) {
    if (entry.action != AuditAction::kCodeRedeemed) continue;
    REQUIRE(entry.code_id.has_value());
    ++audit_redemptions[*entry.code_id];
  }
  for (const CodeId id : consumed) {
    INFO("consumed code id " << id);
    CHECK(audit_redemptions[id] == 1);
  }
  for (const auto& [id, n] : audit_redemptions) {
    INFO("audited code id " << id);
    CHECK(consumed.count(id) == 1);
  }
  CHECK(static_cast<int>(consumed.size()) == successful_redemptions);
  // Every code made was a distinct code.
  const std::vector<std::string> all = pool.All();
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == all.size());
}

}  // namespace observees::testing
