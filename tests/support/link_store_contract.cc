#include "support/link_store_contract.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/storage_test_util.h"

namespace observees::storage_test {
namespace {

using namespace std::chrono_literals;

constexpr UserId kStudent = 11;
constexpr UserId kObserver = 10;
constexpr UserId kOtherStudent = 12;
constexpr UserId kOtherObserver = 20;
constexpr AccountId kRoot = 1;
constexpr AccountId kOtherRoot = 2;
constexpr Timestamp kT1 = kT0 + 1h;
constexpr Timestamp kT2 = kT0 + 2h;
constexpr Timestamp kWeekLater = kT0 + std::chrono::hours(24 * 7);

std::unique_ptr<LinkTransaction> Begin(LinkStore& store) { return ValueOf(store.BeginWrite()); }

// Create-or-restore in its own committed transaction.
LinkChange CreateOrRestoreCommitted(LinkStore& store, UserId student, UserId observer, AccountId root, Timestamp now) {
  auto txn = Begin(store);
  LinkChange change = ValueOf(txn->CreateOrRestoreLink(student, observer, root, now));
  RequireOk(txn->Commit());
  return change;
}

bool RemoveCommitted(LinkStore& store, LinkId link, Timestamp now) {
  auto txn = Begin(store);
  const bool removed = ValueOf(txn->RemoveLink(link, now));
  RequireOk(txn->Commit());
  return removed;
}

std::optional<CodeId> InsertCodeCommitted(LinkStore& store, UserId student, const std::string& code,
                                          Timestamp expires_at, Timestamp now) {
  auto txn = Begin(store);
  auto id = ValueOf(txn->InsertCode(student, code, expires_at, now));
  RequireOk(txn->Commit());
  return id;
}

CodeId NewCode(LinkStore& store, UserId student, const std::string& code, Timestamp expires_at, Timestamp now) {
  const auto id = InsertCodeCommitted(store, student, code, expires_at, now);
  REQUIRE(id.has_value());
  return *id;
}

bool ConsumeCommitted(LinkStore& store, CodeId code, UserId used_by, Timestamp now) {
  auto txn = Begin(store);
  const bool consumed = ValueOf(txn->ConsumeCode(code, used_by, now));
  if (consumed) RequireOk(txn->Commit());
  return consumed;
}

// The id and owner of the code active under this string at `now`, if any.
std::optional<CodeId> ActiveCodeId(LinkStore& store, const std::string& code, Timestamp now) {
  const auto found = ValueOf(store.FindActiveCode(code, now));
  return found ? std::optional<CodeId>(found->id) : std::nullopt;
}
std::optional<UserId> ActiveCodeOwner(LinkStore& store, const std::string& code, Timestamp now) {
  const auto found = ValueOf(store.FindActiveCode(code, now));
  return found ? std::optional<UserId>(found->user_id) : std::nullopt;
}

std::vector<LinkId> Ids(const std::vector<Link>& links) {
  std::vector<LinkId> ids;
  for (const auto& link : links) ids.push_back(link.id);
  return ids;
}

std::optional<AttemptTicket> Reserve(LinkStore& store, const std::vector<std::string>& keys, int max_failures,
                                     Timestamp since, Timestamp now) {
  std::vector<AttemptKey> counters;
  for (const std::string& key : keys) counters.push_back({key, max_failures, since});
  return ValueOf(store.ReserveAttempt(counters, now, since)).ticket;
}

AuditEntry MakeAudit(Timestamp at, AuditAction action, LinkMethod method, UserId student) {
  AuditEntry entry;
  entry.at = at;
  entry.action = action;
  entry.method = method;
  entry.student_id = student;
  return entry;
}

}  // namespace

void RunLinkStoreContract(const std::function<std::shared_ptr<LinkStore>()>& make_empty_store) {
  const std::shared_ptr<LinkStore> store_owner = make_empty_store();
  REQUIRE(store_owner != nullptr);
  LinkStore& store = *store_owner;

  SECTION("a new store holds no links, codes or audit entries") {
    CHECK(ValueOf(store.LinksBetween(kStudent, kObserver)).empty());
    CHECK(ValueOf(store.ActiveLinksOfObserver(kObserver)).empty());
    CHECK(ValueOf(store.ActiveLinksOfStudent(kStudent)).empty());
    CHECK_FALSE(ValueOf(store.FindActiveCode("Ab3dE9", kT0)).has_value());
    CHECK_FALSE(ValueOf(store.FindCode(1)).has_value());
    CHECK(ValueOf(store.ReadAudit(0, 100)).empty());
  }

  // ---- Links (rules 4-8) ----

  SECTION("create-or-restore creates an active link the first time") {
    const LinkChange change = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0);
    CHECK(change.kind == LinkChange::Kind::kCreated);
    CHECK(change.link.id > 0);
    CHECK(change.link.student_id == kStudent);
    CHECK(change.link.observer_id == kObserver);
    CHECK(change.link.root_account_id == kRoot);
    CHECK(change.link.state == LinkState::kActive);
    CHECK(Iso(change.link.created_at) == Iso(kT0));

    const auto links = ValueOf(store.LinksBetween(kStudent, kObserver));
    REQUIRE(links.size() == 1);
    CHECK(links[0].id == change.link.id);
    CHECK(links[0].student_id == kStudent);
    CHECK(links[0].observer_id == kObserver);
    CHECK(links[0].root_account_id == kRoot);
    CHECK(links[0].state == LinkState::kActive);
    CHECK(Iso(links[0].created_at) == Iso(kT0));
    CHECK(Ids(ValueOf(store.ActiveLinksOfObserver(kObserver))) == std::vector<LinkId>{change.link.id});
    CHECK(Ids(ValueOf(store.ActiveLinksOfStudent(kStudent))) == std::vector<LinkId>{change.link.id});
  }

  SECTION("create-or-restore of an active link is idempotent and keeps its id") {
    const LinkChange first = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0);
    const LinkChange second = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT1);
    CHECK(second.kind == LinkChange::Kind::kUnchanged);
    CHECK(second.link.id == first.link.id);
    CHECK(second.link.state == LinkState::kActive);
    CHECK(Iso(second.link.created_at) == Iso(kT0));

    SECTION("also twice within one transaction") {
      auto txn = Begin(store);
      const LinkChange a = ValueOf(txn->CreateOrRestoreLink(kStudent, kObserver, kRoot, kT2));
      const LinkChange b = ValueOf(txn->CreateOrRestoreLink(kStudent, kObserver, kRoot, kT2));
      RequireOk(txn->Commit());
      CHECK(a.kind == LinkChange::Kind::kUnchanged);
      CHECK(b.kind == LinkChange::Kind::kUnchanged);
      CHECK(b.link.id == first.link.id);
    }
    CHECK(ValueOf(store.LinksBetween(kStudent, kObserver)).size() == 1);
  }

  SECTION("a removed link comes back with its old id") {
    const LinkChange created = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0);
    REQUIRE(RemoveCommitted(store, created.link.id, kT1));
    const LinkChange restored = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT2);
    CHECK(restored.kind == LinkChange::Kind::kRestored);
    CHECK(restored.link.id == created.link.id);
    CHECK(restored.link.state == LinkState::kActive);
    CHECK(restored.link.root_account_id == kRoot);
    CHECK(Iso(restored.link.created_at) == Iso(kT0));

    const auto links = ValueOf(store.LinksBetween(kStudent, kObserver));
    REQUIRE(links.size() == 1);
    CHECK(links[0].id == created.link.id);
    CHECK(links[0].state == LinkState::kActive);
    CHECK(Ids(ValueOf(store.ActiveLinksOfObserver(kObserver))) == std::vector<LinkId>{created.link.id});
    CHECK(Ids(ValueOf(store.ActiveLinksOfStudent(kStudent))) == std::vector<LinkId>{created.link.id});
  }

  SECTION("one link per (student, observer, root account); another root account gets its own link") {
    const LinkChange in_root = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0);
    const LinkChange in_other_root = CreateOrRestoreCommitted(store, kStudent, kObserver, kOtherRoot, kT0);
    CHECK(in_other_root.kind == LinkChange::Kind::kCreated);
    CHECK(in_other_root.link.id != in_root.link.id);
    CHECK(in_other_root.link.root_account_id == kOtherRoot);
    CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT1);
    CreateOrRestoreCommitted(store, kStudent, kObserver, kOtherRoot, kT1);

    const auto links = ValueOf(store.LinksBetween(kStudent, kObserver));
    REQUIRE(links.size() == 2);
    CHECK(links[0].id < links[1].id);
    CHECK(links[0].root_account_id == kRoot);
    CHECK(links[1].root_account_id == kOtherRoot);
    CHECK(ValueOf(store.ActiveLinksOfObserver(kObserver)).size() == 2);

    SECTION("removing one root account's link leaves the other active") {
      REQUIRE(RemoveCommitted(store, in_root.link.id, kT2));
      CHECK(Ids(ValueOf(store.ActiveLinksOfObserver(kObserver))) == std::vector<LinkId>{in_other_root.link.id});
    }
  }

  SECTION("links have a direction: the observer is not observed by the student") {
    const LinkChange link = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0);
    CHECK(ValueOf(store.LinksBetween(kObserver, kStudent)).empty());
    CHECK(ValueOf(store.ActiveLinksOfObserver(kStudent)).empty());
    CHECK(ValueOf(store.ActiveLinksOfStudent(kObserver)).empty());
    const LinkChange reverse = CreateOrRestoreCommitted(store, kObserver, kStudent, kRoot, kT0);
    CHECK(reverse.kind == LinkChange::Kind::kCreated);
    CHECK(reverse.link.id != link.link.id);
  }

  SECTION("removing a link is a soft delete, and only the first removal counts") {
    const LinkChange created = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0);
    CHECK(RemoveCommitted(store, created.link.id, kT1));

    const auto links = ValueOf(store.LinksBetween(kStudent, kObserver));
    REQUIRE(links.size() == 1);
    CHECK(links[0].id == created.link.id);
    CHECK(links[0].state == LinkState::kDeleted);
    CHECK(links[0].root_account_id == kRoot);
    CHECK(ValueOf(store.ActiveLinksOfObserver(kObserver)).empty());
    CHECK(ValueOf(store.ActiveLinksOfStudent(kStudent)).empty());

    CHECK_FALSE(RemoveCommitted(store, created.link.id, kT2));
    CHECK(ValueOf(store.LinksBetween(kStudent, kObserver)).size() == 1);
  }

  SECTION("removing a link that does not exist reports false") { CHECK_FALSE(RemoveCommitted(store, 4242, kT0)); }

  SECTION("active link lists are in ascending id order and leave deleted links out") {
    const LinkId a = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0).link.id;
    const LinkId b = CreateOrRestoreCommitted(store, kOtherStudent, kObserver, kRoot, kT0).link.id;
    const LinkId c = CreateOrRestoreCommitted(store, 13, kObserver, kRoot, kT0).link.id;
    const LinkId d = CreateOrRestoreCommitted(store, kStudent, kOtherObserver, kRoot, kT0).link.id;
    REQUIRE(RemoveCommitted(store, b, kT1));

    std::vector<LinkId> expected_observer{a, c};
    std::sort(expected_observer.begin(), expected_observer.end());
    CHECK(Ids(ValueOf(store.ActiveLinksOfObserver(kObserver))) == expected_observer);

    std::vector<LinkId> expected_student{a, d};
    std::sort(expected_student.begin(), expected_student.end());
    CHECK(Ids(ValueOf(store.ActiveLinksOfStudent(kStudent))) == expected_student);

    for (const auto& link : ValueOf(store.ActiveLinksOfObserver(kObserver))) {
      CHECK(link.observer_id == kObserver);
      CHECK(link.state == LinkState::kActive);
    }
    for (const auto& link : ValueOf(store.ActiveLinksOfStudent(kStudent))) {
      CHECK(link.student_id == kStudent);
      CHECK(link.state == LinkState::kActive);
    }
  }

  // ---- Transactions ----

  SECTION("a transaction destroyed without Commit leaves nothing") {
    SECTION("a created link") {
      {
        auto txn = Begin(store);
        ValueOf(txn->CreateOrRestoreLink(kStudent, kObserver, kRoot, kT0));
      }
      CHECK(ValueOf(store.LinksBetween(kStudent, kObserver)).empty());
      CHECK(ValueOf(store.ActiveLinksOfObserver(kObserver)).empty());
    }
    SECTION("a removal") {
      const LinkId id = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0).link.id;
      {
        auto txn = Begin(store);
        REQUIRE(ValueOf(txn->RemoveLink(id, kT1)));
      }
      const auto links = ValueOf(store.LinksBetween(kStudent, kObserver));
      REQUIRE(links.size() == 1);
      CHECK(links[0].state == LinkState::kActive);
    }
    SECTION("a restore") {
      const LinkId id = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0).link.id;
      REQUIRE(RemoveCommitted(store, id, kT1));
      {
        auto txn = Begin(store);
        CHECK(ValueOf(txn->CreateOrRestoreLink(kStudent, kObserver, kRoot, kT2)).kind == LinkChange::Kind::kRestored);
      }
      const auto links = ValueOf(store.LinksBetween(kStudent, kObserver));
      REQUIRE(links.size() == 1);
      CHECK(links[0].state == LinkState::kDeleted);
    }
    SECTION("an inserted code") {
      {
        auto txn = Begin(store);
        REQUIRE(ValueOf(txn->InsertCode(kStudent, "Ab3dE9", kWeekLater, kT0)).has_value());
      }
      CHECK_FALSE(ValueOf(store.FindActiveCode("Ab3dE9", kT0)).has_value());
    }
    SECTION("a consumed code") {
      const CodeId code = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
      {
        auto txn = Begin(store);
        REQUIRE(ValueOf(txn->ConsumeCode(code, kObserver, kT1)));
      }
      const auto found = ValueOf(store.FindActiveCode("Ab3dE9", kT1));
      REQUIRE(found.has_value());
      CHECK(found->id == code);
      CHECK_FALSE(found->deleted);
      CHECK_FALSE(found->used_by.has_value());
    }
    SECTION("an audit entry") {
      {
        auto txn = Begin(store);
        RequireOk(txn->AppendAudit(MakeAudit(kT0, AuditAction::kCreated, LinkMethod::kAdministrator, kStudent)));
      }
      CHECK(ValueOf(store.ReadAudit(0, 100)).empty());
    }
    SECTION("and the next transaction can still write") {
      { auto abandoned = Begin(store); }
      const LinkChange change = CreateOrRestoreCommitted(store, kStudent, kObserver, kRoot, kT0);
      CHECK(change.kind == LinkChange::Kind::kCreated);
    }
  }

  SECTION("a committed transaction makes all of its changes visible together") {
    LinkId link = 0;
    CodeId code = 0;
    {
      auto txn = Begin(store);
      const auto inserted = ValueOf(txn->InsertCode(kStudent, "Ab3dE9", kWeekLater, kT0));
      REQUIRE(inserted.has_value());
      code = *inserted;
      REQUIRE(ValueOf(txn->ConsumeCode(code, kObserver, kT0)));
      link = ValueOf(txn->CreateOrRestoreLink(kStudent, kObserver, kRoot, kT0)).link.id;
      RequireOk(txn->Commit());
    }
    CHECK(Ids(ValueOf(store.LinksBetween(kStudent, kObserver))) == std::vector<LinkId>{link});
    const auto record = ValueOf(store.FindCode(code));
    REQUIRE(record.has_value());
    CHECK(record->deleted);
  }

  // ---- Pairing codes (rules 14-19) ----

  SECTION("an inserted code is found by its exact string while it is active") {
    const CodeId id = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    const auto found = ValueOf(store.FindActiveCode("Ab3dE9", kT0));
    REQUIRE(found.has_value());
    CHECK(found->id == id);
    CHECK(found->user_id == kStudent);
    CHECK(Iso(found->created_at) == Iso(kT0));
    CHECK(Iso(found->expires_at) == Iso(kWeekLater));
    CHECK_FALSE(found->deleted);
    CHECK_FALSE(found->used_by.has_value());
    CHECK_FALSE(found->used_at.has_value());

    const auto by_id = ValueOf(store.FindCode(id));
    REQUIRE(by_id.has_value());
    CHECK(by_id->id == id);
    CHECK(by_id->user_id == kStudent);
    CHECK(Iso(by_id->expires_at) == Iso(kWeekLater));
  }

  SECTION("code lookup is exact and case-sensitive") {
    NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    CHECK_FALSE(ValueOf(store.FindActiveCode("ab3de9", kT0)).has_value());
    CHECK_FALSE(ValueOf(store.FindActiveCode("AB3DE9", kT0)).has_value());
    CHECK_FALSE(ValueOf(store.FindActiveCode("Ab3dE", kT0)).has_value());
    CHECK_FALSE(ValueOf(store.FindActiveCode("Ab3dE9 ", kT0)).has_value());
    CHECK_FALSE(ValueOf(store.FindActiveCode("", kT0)).has_value());
    CHECK(ValueOf(store.FindActiveCode("Ab3dE9", kT0)).has_value());
  }

  SECTION("codes that differ only in case are different codes") {
    const CodeId upper = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    const CodeId lower = NewCode(store, kOtherStudent, "ab3de9", kWeekLater, kT0);
    CHECK(upper != lower);
    CHECK(ActiveCodeOwner(store, "Ab3dE9", kT0) == kStudent);
    CHECK(ActiveCodeOwner(store, "ab3de9", kT0) == kOtherStudent);
  }

  SECTION("a code is active strictly before its expires_at") {
    NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    CHECK(ValueOf(store.FindActiveCode("Ab3dE9", kWeekLater - 1s)).has_value());
    CHECK_FALSE(ValueOf(store.FindActiveCode("Ab3dE9", kWeekLater)).has_value());
    CHECK_FALSE(ValueOf(store.FindActiveCode("Ab3dE9", kWeekLater + 1s)).has_value());
  }

  SECTION("a student may hold several active codes") {
    const CodeId first = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    const CodeId second = NewCode(store, kStudent, "Zz9Yy8", kWeekLater, kT1);
    CHECK(first != second);
    CHECK(ActiveCodeId(store, "Ab3dE9", kT1) == first);
    CHECK(ActiveCodeId(store, "Zz9Yy8", kT1) == second);
  }

  SECTION("a code can be consumed once") {
    const CodeId id = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    CHECK(ConsumeCommitted(store, id, kObserver, kT1));
    CHECK_FALSE(ValueOf(store.FindActiveCode("Ab3dE9", kT1)).has_value());
    const auto record = ValueOf(store.FindCode(id));
    REQUIRE(record.has_value());
    CHECK(record->deleted);
    CHECK(record->used_by == kObserver);
    REQUIRE(record->used_at.has_value());
    CHECK(Iso(*record->used_at) == Iso(kT1));

    CHECK_FALSE(ConsumeCommitted(store, id, kOtherObserver, kT2));
    const auto again = ValueOf(store.FindCode(id));
    REQUIRE(again.has_value());
    CHECK(again->used_by == kObserver);
  }

  SECTION("a second consume in the same transaction fails") {
    const CodeId id = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    auto txn = Begin(store);
    CHECK(ValueOf(txn->ConsumeCode(id, kObserver, kT1)));
    CHECK_FALSE(ValueOf(txn->ConsumeCode(id, kOtherObserver, kT1)));
  }

  SECTION("an expired code cannot be consumed") {
    const CodeId id = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    CHECK_FALSE(ConsumeCommitted(store, id, kObserver, kWeekLater));
    const auto record = ValueOf(store.FindCode(id));
    REQUIRE(record.has_value());
    CHECK_FALSE(record->deleted);
    CHECK_FALSE(record->used_by.has_value());
  }

  SECTION("an unknown code id cannot be consumed") { CHECK_FALSE(ConsumeCommitted(store, 4242, kObserver, kT0)); }

  SECTION("InsertCode refuses a string that an active code already has") {
    const CodeId first = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    CHECK_FALSE(InsertCodeCommitted(store, kOtherStudent, "Ab3dE9", kWeekLater + 1h, kT1).has_value());
    CHECK_FALSE(InsertCodeCommitted(store, kStudent, "Ab3dE9", kWeekLater + 1h, kT1).has_value());
    const auto found = ValueOf(store.FindActiveCode("Ab3dE9", kT1));
    REQUIRE(found.has_value());
    CHECK(found->id == first);
    CHECK(found->user_id == kStudent);
  }

  SECTION("InsertCode reuses the string of an expired code") {
    const CodeId old_code = NewCode(store, kStudent, "Ab3dE9", kT1, kT0);
    const auto reused = InsertCodeCommitted(store, kOtherStudent, "Ab3dE9", kWeekLater, kT1);
    REQUIRE(reused.has_value());
    CHECK(*reused != old_code);
    const auto found = ValueOf(store.FindActiveCode("Ab3dE9", kT1));
    REQUIRE(found.has_value());
    CHECK(found->id == *reused);
    CHECK(found->user_id == kOtherStudent);
  }

  SECTION("InsertCode reuses the string of a consumed code") {
    const CodeId old_code = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    REQUIRE(ConsumeCommitted(store, old_code, kObserver, kT1));
    const auto reused = InsertCodeCommitted(store, kOtherStudent, "Ab3dE9", kWeekLater, kT1);
    REQUIRE(reused.has_value());
    CHECK(*reused != old_code);
    CHECK(ActiveCodeId(store, "Ab3dE9", kT1) == *reused);
  }

  SECTION("two racing consumers of one code: exactly one wins") {
    const CodeId id = NewCode(store, kStudent, "Ab3dE9", kWeekLater, kT0);
    constexpr int kThreads = 8;
    std::latch start(kThreads);
    std::array<int, kThreads> outcome{};  // 1 consumed and committed, 0 refused, -1 storage error
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto txn = store.BeginWrite();
        if (!txn.ok()) {
          outcome[i] = -1;
          return;
        }
        auto consumed = (*txn)->ConsumeCode(id, 100 + i, kT1);
        if (!consumed.ok()) {
          outcome[i] = -1;
        } else if (*consumed) {
          outcome[i] = (*txn)->Commit().ok() ? 1 : -1;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(std::count(outcome.begin(), outcome.end(), 1) == 1);
    CHECK(std::count(outcome.begin(), outcome.end(), 0) == kThreads - 1);
    CHECK(std::count(outcome.begin(), outcome.end(), -1) == 0);
    const auto record = ValueOf(store.FindCode(id));
    REQUIRE(record.has_value());
    CHECK(record->deleted);
    const auto winner = std::find(outcome.begin(), outcome.end(), 1) - outcome.begin();
    CHECK(record->used_by == 100 + winner);
  }

  SECTION("racing create-or-restore of one triple makes one row") {
    constexpr int kThreads = 8;
    std::latch start(kThreads);
    std::array<std::optional<LinkChange>, kThreads> changes;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto txn = store.BeginWrite();
        if (!txn.ok()) return;
        auto change = (*txn)->CreateOrRestoreLink(kStudent, kObserver, kRoot, kT0);
        if (change.ok() && (*txn)->Commit().ok()) changes[i] = *change;
      });
    }
    for (auto& thread : threads) thread.join();
    int created = 0;
    for (const auto& change : changes) {
      REQUIRE(change.has_value());
      if (change->kind == LinkChange::Kind::kCreated) ++created;
    }
    CHECK(created == 1);
    const auto links = ValueOf(store.LinksBetween(kStudent, kObserver));
    REQUIRE(links.size() == 1);
    for (const auto& change : changes) CHECK(change->link.id == links[0].id);
  }

  // ---- The attempt limiter's counter (D6) ----

  SECTION("ReserveAttempt refuses once max_failures rows exist since the window start") {
    const std::vector<std::string> keys{"user:10"};
    for (int i = 0; i < 3; ++i) {
      const auto ticket = Reserve(store, keys, 3, kT0 - 15min, kT0);
      REQUIRE(ticket.has_value());
      CHECK(ticket->ids.size() == 1);
    }
    CHECK_FALSE(Reserve(store, keys, 3, kT0 - 15min, kT0).has_value());
    CHECK_FALSE(Reserve(store, keys, 3, kT0 - 15min, kT0 + 1s).has_value());
  }

  SECTION("a released reservation makes room") {
    const std::vector<std::string> keys{"user:10"};
    std::optional<AttemptTicket> last;
    for (int i = 0; i < 3; ++i) {
      last = Reserve(store, keys, 3, kT0 - 15min, kT0);
      REQUIRE(last.has_value());
    }
    REQUIRE_FALSE(Reserve(store, keys, 3, kT0 - 15min, kT0).has_value());
    RequireOk(store.ReleaseAttempt(*last));
    CHECK(Reserve(store, keys, 3, kT0 - 15min, kT0).has_value());
    CHECK_FALSE(Reserve(store, keys, 3, kT0 - 15min, kT0).has_value());
  }

  SECTION("a reservation released inside a transaction makes room once it commits, not before") {
    const std::vector<std::string> keys{"user:10", "login:1:pat"};
    std::optional<AttemptTicket> last;
    for (int i = 0; i < 2; ++i) {
      last = Reserve(store, keys, 2, kT0 - 15min, kT0);
      REQUIRE(last.has_value());
    }
    {
      auto rolled_back = Begin(store);
      RequireOk(rolled_back->ReleaseAttempt(*last));
    }  // destroyed without Commit: rolled back
    REQUIRE_FALSE(Reserve(store, keys, 2, kT0 - 15min, kT0).has_value());
    auto txn = Begin(store);
    RequireOk(txn->ReleaseAttempt(*last));
    RequireOk(txn->Commit());
    CHECK(Reserve(store, keys, 2, kT0 - 15min, kT0).has_value());
    CHECK_FALSE(Reserve(store, keys, 2, kT0 - 15min, kT0).has_value());
  }

  SECTION("attempts before the window start do not count; those at its start do") {
    const std::vector<std::string> keys{"login:1:pat"};
    for (int i = 0; i < 2; ++i) REQUIRE(Reserve(store, keys, 2, kT0 - 15min, kT0).has_value());
    // The window starts exactly at kT0: both rows still count.
    CHECK_FALSE(Reserve(store, keys, 2, kT0, kT0 + 15min).has_value());
    // The window starts after kT0: neither counts.
    CHECK(Reserve(store, keys, 2, kT0 + 1s, kT0 + 15min).has_value());
  }

  SECTION("keys are counted separately, and a refusal adds a row for no key") {
    const std::vector<std::string> full{"user:10"};
    const std::vector<std::string> both{"user:10", "login:1:sam"};
    const std::vector<std::string> other{"login:1:sam"};
    for (int i = 0; i < 2; ++i) REQUIRE(Reserve(store, full, 2, kT0 - 15min, kT0).has_value());
    CHECK_FALSE(Reserve(store, both, 2, kT0 - 15min, kT0).has_value());
    CHECK_FALSE(Reserve(store, both, 2, kT0 - 15min, kT0).has_value());
    // Had the refusals added rows for "login:1:sam", it would be full by now.
    const auto first = Reserve(store, other, 2, kT0 - 15min, kT0);
    REQUIRE(first.has_value());
    CHECK(first->ids.size() == 1);
    CHECK(Reserve(store, other, 2, kT0 - 15min, kT0).has_value());
    CHECK_FALSE(Reserve(store, other, 2, kT0 - 15min, kT0).has_value());
  }

  SECTION("a reservation over several keys returns one row per key") {
    const std::vector<std::string> keys{"user:10", "login:1:sam", "client:127.0.0.1"};
    const auto ticket = Reserve(store, keys, 5, kT0 - 15min, kT0);
    REQUIRE(ticket.has_value());
    REQUIRE(ticket->ids.size() == 3);
    CHECK(ticket->ids[0] != ticket->ids[1]);
    CHECK(ticket->ids[1] != ticket->ids[2]);
    CHECK(ticket->ids[0] != ticket->ids[2]);
  }

  SECTION("each key has its own limit and window, and a refusal names the first key at its limit") {
    const std::vector<AttemptKey> keys{{"client:10.0.0.1", 5, kT0 - 15min}, {"anonymous-root:1", 2, kT0 - 1h}};
    for (int i = 0; i < 2; ++i) REQUIRE(ValueOf(store.ReserveAttempt(keys, kT0, kT0 - 1h)).ticket.has_value());
    const AttemptReservation refused = ValueOf(store.ReserveAttempt(keys, kT0, kT0 - 1h));
    CHECK_FALSE(refused.ticket.has_value());
    CHECK(refused.refused_key == 1);
    // The first key alone still has room: its limit is 5, not the other key's 2.
    const std::vector<AttemptKey> client_only{keys[0]};
    CHECK(ValueOf(store.ReserveAttempt(client_only, kT0, kT0 - 1h)).ticket.has_value());
    // The second key's longer window still holds its rows an hour later, minus one second.
    const std::vector<AttemptKey> later{{"anonymous-root:1", 2, kT0 + 1s}};
    CHECK(ValueOf(store.ReserveAttempt(later, kT0 + 1h, kT0 + 1s)).ticket.has_value());
  }

  // ---- Audit log ----

  SECTION("audit entries come back in order, with paging after an id") {
    AuditEntry created = MakeAudit(kT0, AuditAction::kCreated, LinkMethod::kPairingCode, kStudent);
    created.actor = kObserver;
    created.observer_id = kObserver;
    created.root_account_id = kRoot;
    created.link_id = 7;
    created.code_id = 3;
    AuditEntry removed = MakeAudit(kT1, AuditAction::kRemoved, LinkMethod::kObserver, kStudent);
    removed.actor = kObserver;
    removed.observer_id = kObserver;
    removed.root_account_id = kRoot;
    removed.link_id = 7;
    const AuditEntry code_created =
        MakeAudit(kT2, AuditAction::kCodeCreated, LinkMethod::kSelfRegistration, kOtherStudent);

    {
      auto txn = Begin(store);
      RequireOk(txn->AppendAudit(created));
      RequireOk(txn->AppendAudit(removed));
      RequireOk(txn->Commit());
    }
    {
      auto txn = Begin(store);
      RequireOk(txn->AppendAudit(code_created));
      RequireOk(txn->Commit());
    }

    // The store numbers them, ascending in the order they were appended.
    const auto all = ValueOf(store.ReadAudit(0, 100));
    REQUIRE(all.size() == 3);
    const std::vector<std::int64_t> ids = {all[0].id, all[1].id, all[2].id};
    CHECK(ids[0] > 0);
    CHECK(ids[0] < ids[1]);
    CHECK(ids[1] < ids[2]);

    CHECK(Iso(all[0].at) == Iso(kT0));
    CHECK(all[0].actor == kObserver);
    CHECK(all[0].action == AuditAction::kCreated);
    CHECK(all[0].method == LinkMethod::kPairingCode);
    CHECK(all[0].student_id == kStudent);
    CHECK(all[0].observer_id == kObserver);
    CHECK(all[0].root_account_id == kRoot);
    CHECK(all[0].link_id == 7);
    CHECK(all[0].code_id == 3);

    CHECK(all[1].action == AuditAction::kRemoved);
    CHECK(all[1].method == LinkMethod::kObserver);
    CHECK_FALSE(all[1].code_id.has_value());

    CHECK(Iso(all[2].at) == Iso(kT2));
    CHECK(all[2].action == AuditAction::kCodeCreated);
    CHECK(all[2].method == LinkMethod::kSelfRegistration);
    CHECK(all[2].student_id == kOtherStudent);
    CHECK_FALSE(all[2].actor.has_value());
    CHECK_FALSE(all[2].observer_id.has_value());
    CHECK_FALSE(all[2].root_account_id.has_value());
    CHECK_FALSE(all[2].link_id.has_value());

    const auto first_two = ValueOf(store.ReadAudit(0, 2));
    REQUIRE(first_two.size() == 2);
    CHECK(first_two[1].id == ids[1]);
    const auto after_first = ValueOf(store.ReadAudit(ids[0], 100));
    REQUIRE(after_first.size() == 2);
    CHECK(after_first[0].id == ids[1]);
    CHECK(after_first[1].id == ids[2]);
    const auto page = ValueOf(store.ReadAudit(ids[0], 1));
    REQUIRE(page.size() == 1);
    CHECK(page[0].id == ids[1]);
    CHECK(ValueOf(store.ReadAudit(ids[2], 100)).empty());
  }
}

}  // namespace observees::storage_test
