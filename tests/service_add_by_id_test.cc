// E6: an administrator links an observer to a student by id (rules 7, 27, 47-50; D3, D9), through
// ObservationService only.
#include <catch2/catch.hpp>

#include "support/world.h"

namespace observees::testing {
namespace {

TEST_CASE("an admin links an observer to a student by id", "[E6][rule47][rule49]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> added = w.service->AddObserveeById(w.As(kAda), kQuinn, kChild, RootAccountScope::Domain());
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  CHECK(added->user.id == kChild);
  CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});

  const std::vector<AuditEntry> created = OfAction(w.AuditAfter(mark), AuditAction::kCreated);
  REQUIRE(created.size() == 1);
  CHECK(created[0].method == LinkMethod::kAdministrator);
  CHECK(created[0].actor == std::optional<UserId>(kAda));
  CHECK(created[0].observer_id == std::optional<UserId>(kQuinn));
  CHECK(created[0].student_id == kChild);
}

TEST_CASE("adding by id an existing link succeeds without a duplicate", "[E6][rule49]") {
  World w = MakeWorld();
  REQUIRE(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kOk);
  const std::vector<Link> first = w.LinksBetween(kChild, kQuinn);
  REQUIRE(first.size() == 1);
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> again = w.service->AddObserveeById(w.As(kAda), kQuinn, kChild, RootAccountScope::Domain());
  REQUIRE(OutcomeOf(again) == StatusCode::kOk);
  CHECK(again->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  const std::vector<Link> second = w.LinksBetween(kChild, kQuinn);
  REQUIRE(second.size() == 1);
  CHECK(second[0].id == first[0].id);
  CHECK(OfAction(w.AuditAfter(mark), AuditAction::kCreated).empty());
}

TEST_CASE("without root_account_id only the domain root account is linked", "[E6][rule50][D3]") {
  World w = MakeWorld();
  SECTION("on Default's domain") {
    Result<LinkedUser> added =
        w.service->AddObserveeById(w.As(kDana, kDefault), kWalt, kBo, RootAccountScope::Domain());
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
    CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  }
  SECTION("on External's domain") {
    Result<LinkedUser> added =
        w.service->AddObserveeById(w.As(kDana, kExternal), kWalt, kBo, RootAccountScope::Domain());
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
}

TEST_CASE("root_account_id all links every shared root where the admin manages observers", "[E6][rule48]") {
  World w = MakeWorld();
  SECTION("an admin of both roots") {
    Result<LinkedUser> added = w.service->AddObserveeById(w.As(kDana), kWalt, kBo, RootAccountScope::All());
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault, kExternal});
    CHECK(Sorted(added->observation_link_root_account_ids) == std::vector<AccountId>{kDefault, kExternal});
  }
  SECTION("an admin of Default only") {
    Result<LinkedUser> added = w.service->AddObserveeById(w.As(kAda), kWalt, kBo, RootAccountScope::All());
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kDefault});
    CHECK(added->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  }
}

TEST_CASE("an explicit root_account_id links only that root account", "[E6][rule48][rule27]") {
  World w = MakeWorld();
  SECTION("a shared root") {
    Result<LinkedUser> added =
        w.service->AddObserveeById(w.As(kDana), kWalt, kBo, RootAccountScope::Account(kExternal));
    REQUIRE(OutcomeOf(added) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kWalt) == std::vector<AccountId>{kExternal});
  }
  SECTION("an unknown account: 404") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kDana), kWalt, kBo, RootAccountScope::Account(kUnknownAccount))) ==
          StatusCode::kNotFound);
    CHECK(w.LinksBetween(kBo, kWalt).empty());
  }
  SECTION("a root the two do not share: 404") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kDana), kQuinn, kChild, RootAccountScope::Account(kExternal))) ==
          StatusCode::kNotFound);
    CHECK(w.LinksBetween(kChild, kQuinn).empty());
  }
}

TEST_CASE("self-managed users may not add observees by id, even for themselves", "[E6][rule47][Q9]") {
  World w = MakeWorld();
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kQuinn), kQuinn, kChild, RootAccountScope::Domain())) ==
        StatusCode::kPermissionDenied);
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kQuinn), kQuinn, kChild, RootAccountScope::All())) ==
        StatusCode::kPermissionDenied);
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kPat), kPat, kChild, RootAccountScope::Domain())) ==
        StatusCode::kPermissionDenied);
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kChild), kQuinn, kChild, RootAccountScope::Domain())) ==
        StatusCode::kPermissionDenied);
  CHECK(w.LinksBetween(kChild, kQuinn).empty());
}

TEST_CASE("an observee from an external account is not found", "[E6][rule48]") {
  World w = MakeWorld();
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kQuinn, kXena, RootAccountScope::Domain())) ==
        StatusCode::kNotFound);
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kDana), kQuinn, kXena, RootAccountScope::All())) ==
        StatusCode::kNotFound);
  CHECK(w.LinksBetween(kXena, kQuinn).empty());
}

TEST_CASE("who may add observees by id", "[E6][rule48][rule28]") {
  World w = MakeWorld();
  SECTION("a custom role granted manage_user_observers") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kCora), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kChild, kQuinn) == std::vector<AccountId>{kDefault});
  }
  SECTION("an admin whose manage_user_observers is off: 403") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kNico), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kPermissionDenied);
  }
  SECTION("a custom role without the permission: 403") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kHal), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kPermissionDenied);
  }
  SECTION("a sub-account admin: 403") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kSandra), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kPermissionDenied);
  }
  SECTION("an admin of another root account, on the shared root's domain: 403") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kEzra, kDefault), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kEzra, kExternal), kQuinn, kChild, RootAccountScope::All())) ==
          StatusCode::kPermissionDenied);
  }
  SECTION("an admin of another root account, on their own domain: nothing shared in scope, 404") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kEzra, kExternal), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kNotFound);
  }
  SECTION("anonymous: 401") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.Anonymous(), kQuinn, kChild, RootAccountScope::Domain())) ==
          StatusCode::kUnauthenticated);
  }
  SECTION("an unknown or deleted observer: 404") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kUnknownUser, kChild, RootAccountScope::Domain())) ==
          StatusCode::kNotFound);
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kDeleted, kChild, RootAccountScope::Domain())) ==
          StatusCode::kNotFound);
  }
  SECTION("an unknown or deleted student: 404") {
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kQuinn, kUnknownUser, RootAccountScope::Domain())) ==
          StatusCode::kNotFound);
    CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kQuinn, kDeleted, RootAccountScope::Domain())) ==
          StatusCode::kNotFound);
    CHECK(w.LinksBetween(kDeleted, kQuinn).empty());
  }
  CHECK(w.LinksBetween(kChild, kQuinn).size() <= 1);
}

TEST_CASE("an admin restores a deleted link with its old id", "[E6][rule7]") {
  World w = MakeWorld();
  const std::vector<Link> before = w.LinksBetween(kChild, kGina);
  REQUIRE(before.size() == 1);
  REQUIRE(before[0].state == LinkState::kDeleted);
  const std::int64_t mark = w.LastAuditId();
  Result<LinkedUser> added = w.service->AddObserveeById(w.As(kAda), kGina, kChild, RootAccountScope::Domain());
  REQUIRE(OutcomeOf(added) == StatusCode::kOk);
  const std::vector<Link> after = w.LinksBetween(kChild, kGina);
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == before[0].id);
  CHECK(after[0].state == LinkState::kActive);
  const std::vector<AuditEntry> restored = OfAction(w.AuditAfter(mark), AuditAction::kRestored);
  REQUIRE(restored.size() == 1);
  CHECK(restored[0].link_id == std::optional<LinkId>(before[0].id));
  CHECK(restored[0].method == LinkMethod::kAdministrator);
}

TEST_CASE("an admin cannot make a user observe themselves", "[E6][rule3]") {
  World w = MakeWorld();
  CHECK(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kChild, kChild, RootAccountScope::Domain())) ==
        StatusCode::kSelfObservation);
  CHECK(w.LinksBetween(kChild, kChild).empty());
}

// D9: a legacy link with no root account matches every root account.
constexpr char kLegacyFixture[] = R"json(
{
  "accounts": [{"id": 1, "name": "Default", "domains": ["canvas.test"], "self_registration": "observer"}],
  "users": [
    {"id": 5, "name": "Ada Admin"},
    {"id": 10, "name": "Pat Parent", "logins": [{"account_id": 1, "unique_id": "pat", "password": "pw-pat-10-secret"}]},
    {"id": 11, "name": "Child Smith", "logins": [{"account_id": 1, "unique_id": "child", "password": "pw-child-11-secret"}],
     "tokens": ["tok-child-11-secret"]}
  ],
  "admins": [{"user_id": 5, "account_id": 1, "role": "AccountAdmin"}],
  "links": [{"observer_id": 10, "student_id": 11}]
}
)json";

TEST_CASE("a legacy link without a root account counts as a link in every root account", "[D9][rule6][rule43]") {
  World w = MakeWorld(kLegacyFixture);
  const std::vector<Link> before = w.LinksBetween(kChild, kPat);
  REQUIRE(before.size() == 1);
  CHECK_FALSE(before[0].root_account_id.has_value());

  SECTION("the observer sees the student") {
    Result<UserPage> page = w.service->ListObservees(w.As(kPat), kPat, ListOptions{});
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(IdsOf(*page) == std::vector<UserId>{kChild});
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kPat), kPat, kChild)) == StatusCode::kOk);
  }
  SECTION("adding by id makes no second link") {
    REQUIRE(OutcomeOf(w.service->AddObserveeById(w.As(kAda), kPat, kChild, RootAccountScope::Domain())) ==
            StatusCode::kOk);
    const std::vector<Link> after = w.LinksBetween(kChild, kPat);
    REQUIRE(after.size() == 1);
    CHECK(after[0].id == before[0].id);
  }
  SECTION("adding by token makes no second link") {
    REQUIRE(OutcomeOf(w.AddWithToken(kPat, kChildToken)) == StatusCode::kOk);
    CHECK(w.LinksBetween(kChild, kPat).size() == 1);
  }
  SECTION("an admin's view leaves the legacy root out") {
    Result<LinkedUser> shown = w.service->ShowObservee(w.As(kAda), kPat, kChild);
    REQUIRE(OutcomeOf(shown) == StatusCode::kOk);
    CHECK(shown->observation_link_root_account_ids.empty());
  }
  SECTION("an admin removes it") {
    REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kPat, kChild)) == StatusCode::kOk);
    const std::vector<Link> after = w.LinksBetween(kChild, kPat);
    REQUIRE(after.size() == 1);
    CHECK(after[0].state == LinkState::kDeleted);
  }
}

}  // namespace
}  // namespace observees::testing
