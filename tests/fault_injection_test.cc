// Fault injection through a LinkStore wrapper (in the spirit of leveldb's EnvWrapper): a storage
// failure after a pairing code was consumed must roll the consumption back with everything else
// (D1: the code is consumed in the same transaction that creates the link).
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "observees/clock.h"
#include "observees/fixture.h"
#include "observees/link_store.h"
#include "observees/observation_service.h"
#include "observees/storage.h"
#include "support/forwarding_link_store.h"
#include "support/storage_test_util.h"

namespace observees::storage_test {
namespace {

// Where the wrapper fails, counted only in a transaction whose ConsumeCode already succeeded.
enum class Fault {
  kNone,
  kLinkAfterConsume,    // CreateOrRestoreLink answers kInternal
  kCommitAfterConsume,  // Commit answers kInternal and does not commit
};

class FaultyLinkStore;

// Delegates to a real transaction, failing where the store's fault says.
class FaultyLinkTransaction final : public testing::ForwardingLinkTransaction {
 public:
  FaultyLinkTransaction(std::unique_ptr<LinkTransaction> base, FaultyLinkStore* store)
      : ForwardingLinkTransaction(std::move(base)), store_(store) {}

  Result<LinkChange> CreateOrRestoreLink(UserId student, UserId observer, AccountId root_account, Timestamp now,
                                         std::optional<std::int64_t> sis_import = std::nullopt) override;
  Result<bool> ConsumeCode(CodeId code, UserId used_by, Timestamp now) override {
    auto consumed = ForwardingLinkTransaction::ConsumeCode(code, used_by, now);
    if (consumed.ok() && *consumed) consumed_code_ = true;
    return consumed;
  }
  Status Commit() override;

 private:
  FaultyLinkStore* store_;
  bool consumed_code_ = false;
};

// A LinkStore that delegates everything to `base` and injects the configured Fault into its
// transactions. Thread-safe as its base is.
class FaultyLinkStore final : public testing::ForwardingLinkStore {
 public:
  using ForwardingLinkStore::ForwardingLinkStore;

  void set_fault(Fault fault) { fault_.store(fault); }
  Fault fault() const { return fault_.load(); }
  int faults_injected() const { return injected_.load(); }
  void CountInjection() { injected_.fetch_add(1); }

  Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead) override {
    auto inner = base().BeginWrite(ahead);
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<LinkTransaction>(std::make_unique<FaultyLinkTransaction>(std::move(inner).value(), this));
  }

 private:
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> injected_{0};
};

Result<LinkChange> FaultyLinkTransaction::CreateOrRestoreLink(UserId student, UserId observer, AccountId root_account,
                                                              Timestamp now, std::optional<std::int64_t> sis_import) {
  if (consumed_code_ && store_->fault() == Fault::kLinkAfterConsume) {
    store_->CountInjection();
    return Internal("injected fault: the link write failed");
  }
  return ForwardingLinkTransaction::CreateOrRestoreLink(student, observer, root_account, now, sis_import);
}

Status FaultyLinkTransaction::Commit() {
  if (consumed_code_ && store_->fault() == Fault::kCommitAfterConsume) {
    store_->CountInjection();
    return Internal("injected fault: the commit failed");
  }
  return ForwardingLinkTransaction::Commit();
}

constexpr UserId kObserver = 10;
constexpr UserId kStudent = 11;
constexpr AccountId kRoot = 1;
constexpr char kCode[] = "Qz7Wk2";

constexpr char kFixture[] = R"json({
  "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"], "self_registration": "observer"}],
  "users": [
    {"id": 10, "name": "Pat Parent", "logins": [{"account_id": 1, "unique_id": "pat", "password": "parent-pass-1"}]},
    {"id": 11, "name": "Sam Student", "logins": [{"account_id": 1, "unique_id": "sam", "password": "student-pass-1"}]}
  ],
  "pairing_codes": [{"user_id": 11, "code": "Qz7Wk2", "expires_at": "2030-01-01T00:00:00Z"}]
})json";

// The SQLite default in memory, seeded, with a service whose LinkStore is the faulty wrapper.
struct FaultyWorld {
  FaultyWorld() {
    StorageOptions options;
    options.password_hashing = PasswordHashing::kFastest;
    options.clock = clock;
    backend = ValueOf(OpenStorage(options));
    RequireOk(LoadFixture(backend, kFixture));
    faulty = std::make_shared<FaultyLinkStore>(backend.links);
    ServiceDependencies deps = backend.Dependencies(clock);
    deps.links = faulty;
    // The SQLite enrollment mirror writes through the SQLite store's own transaction, which the
    // wrapper hides; these tests are about links and codes, so they run without it.
    deps.enrollments = nullptr;
    service = ValueOf(ObservationService::Create(std::move(deps)));
  }

  bool CodeIsActive() const { return ValueOf(backend.links->FindActiveCode(kCode, clock->Now())).has_value(); }

  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(kT0);
  Storage backend;
  std::shared_ptr<FaultyLinkStore> faulty;
  std::unique_ptr<ObservationService> service;
};

Result<LinkedUser> RedeemCode(const ObservationService& service) {
  AddObserveeRequest request;
  request.pairing_code = kCode;
  return service.AddObservee(Caller{kObserver, kRoot, {}}, kObserver, request);
}

// The audit log holds no link creation and no code redemption.
void CheckNoLinkAudited(LinkStore& store) {
  for (const auto& entry : ValueOf(store.ReadAudit(0, 1000))) {
    CHECK(entry.action != AuditAction::kCreated);
    CHECK(entry.action != AuditAction::kRestored);
    CHECK(entry.action != AuditAction::kCodeRedeemed);
  }
}

void CheckRedeemsOnceTheFaultIsGone(FaultyWorld& world) {
  world.faulty->set_fault(Fault::kNone);
  const auto redeemed = RedeemCode(*world.service);
  INFO(redeemed.status().ToString());
  REQUIRE(redeemed.ok());
  CHECK(redeemed->user.id == kStudent);
  CHECK(redeemed->observation_link_root_account_ids == std::vector<AccountId>{kRoot});
  const auto links = ValueOf(world.backend.links->LinksBetween(kStudent, kObserver));
  REQUIRE(links.size() == 1);
  CHECK(links[0].state == LinkState::kActive);
  CHECK(links[0].root_account_id == kRoot);
  CHECK_FALSE(world.CodeIsActive());
}

TEST_CASE("a link write that fails after the code was consumed leaves the code active", "[fault][D1]") {
  FaultyWorld world;
  REQUIRE(world.CodeIsActive());
  const auto code_id = ValueOf(world.backend.links->FindActiveCode(kCode, kT0))->id;

  world.faulty->set_fault(Fault::kLinkAfterConsume);
  const auto failed = RedeemCode(*world.service);
  CHECK(CodeName(failed.status()) == CodeName(StatusCode::kInternal));
  CHECK(world.faulty->faults_injected() == 1);
  CHECK(failed.status().message().find(kCode) == std::string::npos);

  CHECK(world.CodeIsActive());
  const auto record = ValueOf(world.backend.links->FindCode(code_id));
  REQUIRE(record.has_value());
  CHECK_FALSE(record->deleted);
  CHECK_FALSE(record->used_by.has_value());
  CHECK(ValueOf(world.backend.links->LinksBetween(kStudent, kObserver)).empty());
  CheckNoLinkAudited(*world.backend.links);

  CheckRedeemsOnceTheFaultIsGone(world);
  const auto used = ValueOf(world.backend.links->FindCode(code_id));
  REQUIRE(used.has_value());
  CHECK(used->deleted);
  CHECK(used->used_by == kObserver);
}

TEST_CASE("a commit that fails after the code was consumed leaves the code active", "[fault][D1]") {
  FaultyWorld world;
  world.faulty->set_fault(Fault::kCommitAfterConsume);
  const auto failed = RedeemCode(*world.service);
  CHECK(CodeName(failed.status()) == CodeName(StatusCode::kInternal));
  CHECK(world.faulty->faults_injected() == 1);

  CHECK(world.CodeIsActive());
  CHECK(ValueOf(world.backend.links->LinksBetween(kStudent, kObserver)).empty());
  CheckNoLinkAudited(*world.backend.links);

  CheckRedeemsOnceTheFaultIsGone(world);
}

TEST_CASE("a failed self-registration with a code leaves the code active and no user behind", "[fault][D1][D8]") {
  FaultyWorld world;
  SelfRegistrationRequest request;
  request.name = "Olive Observer";
  request.unique_id = "olive";
  request.password = "olive-password-1";
  request.pairing_code = kCode;
  const Caller anonymous{std::nullopt, kRoot, "127.0.0.1"};

  world.faulty->set_fault(Fault::kCommitAfterConsume);
  const auto failed = world.service->RegisterObserver(anonymous, request);
  CHECK(CodeName(failed.status()) == CodeName(StatusCode::kInternal));
  CHECK(world.faulty->faults_injected() == 1);
  CHECK(failed.status().message().find(kCode) == std::string::npos);
  CHECK(failed.status().message().find(request.password) == std::string::npos);
  CHECK(world.CodeIsActive());
  CHECK(ValueOf(world.backend.links->ActiveLinksOfStudent(kStudent)).empty());
  // The half-made user was undone: its unique_id is free again.
  CHECK_FALSE(ValueOf(world.backend.authenticator->FindLogin(kRoot, "olive")).has_value());

  world.faulty->set_fault(Fault::kNone);
  const auto registered = world.service->RegisterObserver(anonymous, request);
  INFO(registered.status().ToString());
  REQUIRE(registered.ok());
  const UserId observer = registered->user.id;
  CHECK(ValueOf(world.backend.authenticator->FindLogin(kRoot, "olive")) == observer);
  const auto links = ValueOf(world.backend.links->LinksBetween(kStudent, observer));
  REQUIRE(links.size() == 1);
  CHECK(links[0].state == LinkState::kActive);
  CHECK(links[0].root_account_id == kRoot);
  CHECK_FALSE(world.CodeIsActive());
}

}  // namespace
}  // namespace observees::storage_test
