// E7: removing an observee (rules 7, 8, 30, 51-55; D3), through ObservationService only.
#include <catch2/catch.hpp>

#include "support/world.h"

namespace observees::testing {
namespace {

TEST_CASE("observers may remove their own observees, and the link is soft-deleted", "[E7][rule55][rule8]") {
  World w = MakeWorld();
  const std::vector<Link> before = w.LinksBetween(kChild, kPat);
  REQUIRE(before.size() == 1);
  const std::int64_t mark = w.LastAuditId();

  Result<LinkedUser> removed = w.service->RemoveObservee(w.As(kPat), kPat, kChild);
  REQUIRE(OutcomeOf(removed) == StatusCode::kOk);
  CHECK(removed->user.id == kChild);
  CHECK(removed->observation_link_root_account_ids.empty());  // computed after the deletion

  const std::vector<Link> after = w.LinksBetween(kChild, kPat);
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == before[0].id);
  CHECK(after[0].state == LinkState::kDeleted);

  const std::vector<AuditEntry> audit = OfAction(w.AuditAfter(mark), AuditAction::kRemoved);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].link_id == std::optional<LinkId>(before[0].id));
  CHECK(audit[0].method == LinkMethod::kObserver);
  CHECK(audit[0].actor == std::optional<UserId>(kPat));
  CHECK(audit[0].student_id == kChild);
  CHECK(audit[0].observer_id == std::optional<UserId>(kPat));

  Result<UserPage> page = w.service->ListObservees(w.As(kPat), kPat, ListOptions{});
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  CHECK(IdsOf(*page) == std::vector<UserId>{kAnother});
  CHECK(OutcomeOf(w.service->ShowObservee(w.As(kPat), kPat, kChild)) == StatusCode::kNotFound);
}

TEST_CASE("a removed link is restored with its old id when added again", "[E7][rule7]") {
  World w = MakeWorld();
  const std::vector<Link> before = w.LinksBetween(kChild, kPat);
  REQUIRE(before.size() == 1);
  REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kPat), kPat, kChild)) == StatusCode::kOk);
  REQUIRE(OutcomeOf(w.AddWithToken(kPat, kChildToken)) == StatusCode::kOk);
  const std::vector<Link> after = w.LinksBetween(kChild, kPat);
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == before[0].id);
  CHECK(after[0].state == LinkState::kActive);
}

TEST_CASE("removing where nothing is linked is not found", "[E7][rule53]") {
  World w = MakeWorld();
  SECTION("never linked") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kPat), kPat, kBo)) == StatusCode::kNotFound);
  }
  SECTION("already deleted") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kGina), kGina, kChild)) == StatusCode::kNotFound);
  }
  SECTION("removed twice") {
    REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kPat), kPat, kChild)) == StatusCode::kOk);
    const std::int64_t mark = w.LastAuditId();
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kPat), kPat, kChild)) == StatusCode::kNotFound);
    CHECK(w.AuditAfter(mark).empty());
  }
  SECTION("an unknown student") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kPat), kPat, kUnknownUser)) == StatusCode::kNotFound);
  }
  SECTION("a deleted student") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kPat), kPat, kDeleted)) == StatusCode::kNotFound);
  }
}

TEST_CASE("root_account_id removes only that root account's link", "[E7][D3][rule56]") {
  World w = MakeWorld();
  REQUIRE(w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault, kExternal});
  SECTION("an id: that root account only") {
    Result<LinkedUser> removed =
        w.service->RemoveObservee(w.As(kOlivia), kOlivia, kBo, RootAccountScope::Account(kExternal));
    REQUIRE(OutcomeOf(removed) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault});
    CHECK(removed->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  }
  SECTION("all: every link") {
    Result<LinkedUser> removed = w.service->RemoveObservee(w.As(kOlivia), kOlivia, kBo, RootAccountScope::All());
    REQUIRE(OutcomeOf(removed) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia).empty());
    CHECK(w.LinksBetween(kBo, kOlivia).size() == 2);
    CHECK(removed->observation_link_root_account_ids.empty());
  }
  SECTION("absent (the domain): every link") {
    Result<LinkedUser> removed = w.service->RemoveObservee(w.As(kOlivia), kOlivia, kBo, RootAccountScope::Domain());
    REQUIRE(OutcomeOf(removed) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia).empty());
  }
  SECTION("the default argument: every link") {
    REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kOlivia), kOlivia, kBo)) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia).empty());
  }
  SECTION("an unknown account: 404 and nothing removed") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kOlivia), kOlivia, kBo,
                                              RootAccountScope::Account(kUnknownAccount))) == StatusCode::kNotFound);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault, kExternal});
  }
  SECTION("a root account without a link between them: 404") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kPat), kPat, kChild, RootAccountScope::Account(kExternal))) ==
          StatusCode::kNotFound);
    CHECK(w.ActiveLinkRoots(kChild, kPat) == std::vector<AccountId>{kDefault});
  }
}

TEST_CASE("an admin removes only the links in root accounts where they manage observers", "[E7][rule52]") {
  World w = MakeWorld();
  SECTION("an admin of Default") {
    const std::int64_t mark = w.LastAuditId();
    Result<LinkedUser> removed = w.service->RemoveObservee(w.As(kAda), kOlivia, kBo);
    REQUIRE(OutcomeOf(removed) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kExternal});
    const std::vector<AuditEntry> audit = OfAction(w.AuditAfter(mark), AuditAction::kRemoved);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].method == LinkMethod::kAdministrator);
    CHECK(audit[0].actor == std::optional<UserId>(kAda));
    CHECK(audit[0].root_account_id == std::optional<AccountId>(kDefault));
  }
  SECTION("an admin of External") {
    REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kEzra, kExternal), kOlivia, kBo)) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault});
  }
  SECTION("an admin of both") {
    REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(kDana), kOlivia, kBo)) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia).empty());
  }
  SECTION("an admin of Default naming External: nothing they may remove, 404") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kOlivia, kBo, RootAccountScope::Account(kExternal))) ==
          StatusCode::kNotFound);
    CHECK(w.ActiveLinkRoots(kBo, kOlivia) == std::vector<AccountId>{kDefault, kExternal});
  }
  SECTION("an admin of Default, for a link only in External: 404") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kOlivia, kXena)) == StatusCode::kNotFound);
    CHECK(w.ActiveLinkRoots(kXena, kOlivia) == std::vector<AccountId>{kExternal});
  }
}

TEST_CASE("who may remove a user's observee", "[E7][rule51][rule30]") {
  World w = MakeWorld();
  SECTION("an admin with manage_user_observers") {
    Result<LinkedUser> removed = w.service->RemoveObservee(w.As(kAda), kPat, kChild);
    REQUIRE(OutcomeOf(removed) == StatusCode::kOk);
    CHECK(removed->user.id == kChild);
    CHECK(w.ActiveLinkRoots(kChild, kPat).empty());
  }
  SECTION("a custom role granted manage_user_observers") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kCora), kPat, kChild)) == StatusCode::kOk);
    CHECK(w.ActiveLinkRoots(kChild, kPat).empty());
  }
  SECTION("refused callers change nothing") {
    SECTION("an admin whose manage_user_observers is off: 403") {
      CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kNico), kPat, kChild)) == StatusCode::kPermissionDenied);
    }
    SECTION("a sub-account admin: 403") {
      CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kSandra), kPat, kChild)) == StatusCode::kPermissionDenied);
    }
    SECTION("an admin of another root account only: 403") {
      CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kEzra, kExternal), kPat, kChild)) ==
            StatusCode::kPermissionDenied);
    }
    SECTION("the student, who is not the subject: 403") {
      CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kChild), kPat, kChild)) == StatusCode::kPermissionDenied);
    }
    SECTION("anonymous: 401") {
      CHECK(OutcomeOf(w.service->RemoveObservee(w.Anonymous(), kPat, kChild)) == StatusCode::kUnauthenticated);
    }
    SECTION("an unknown observer: 404") {
      CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kUnknownUser, kChild)) == StatusCode::kNotFound);
    }
    SECTION("a deleted observer: 404") {
      CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kDeleted, kChild)) == StatusCode::kNotFound);
    }
    CHECK(w.ActiveLinkRoots(kChild, kPat) == std::vector<AccountId>{kDefault});
  }
  SECTION("an observer with no root account at all: 404 for an admin") {
    CHECK(OutcomeOf(w.service->RemoveObservee(w.As(kAda), kNell, kChild)) == StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace observees::testing
