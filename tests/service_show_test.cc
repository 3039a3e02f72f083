// E4 / E5: showing one observee or one observer (rules 26, 30, 39-42), through ObservationService only.
#include <catch2/catch.hpp>

#include "support/world.h"

namespace observees::testing {
namespace {

TEST_CASE("an observer shows a linked student", "[E4][rule39]") {
  World w = MakeWorld();
  Result<LinkedUser> shown = w.service->ShowObservee(w.As(kPat), kPat, kChild);
  REQUIRE(OutcomeOf(shown) == StatusCode::kOk);
  CHECK(shown->user.id == kChild);
  CHECK(shown->user.name == "Child Smith");
  CHECK(shown->user.sortable_name == "Smith, Child");
  CHECK(shown->user.created_at == At("2024-02-01T08:30:00Z"));
  CHECK(shown->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  CHECK_FALSE(shown->include_avatar_url);  // E4 takes no includes
}

TEST_CASE("showing a student without a non-deleted link is not found", "[E4][rule39]") {
  World w = MakeWorld();
  SECTION("never linked") { CHECK(OutcomeOf(w.service->ShowObservee(w.As(kPat), kPat, kBo)) == StatusCode::kNotFound); }
  SECTION("the link is deleted") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kGina), kGina, kChild)) == StatusCode::kNotFound);
  }
  SECTION("linked the other way round") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kChild), kChild, kPat)) == StatusCode::kNotFound);
  }
  SECTION("an unknown student") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kPat), kPat, kUnknownUser)) == StatusCode::kNotFound);
  }
  SECTION("a deleted student") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kPat), kPat, kDeleted)) == StatusCode::kNotFound);
  }
}

TEST_CASE("a student linked in any root account is shown, with every root for the observer", "[E4][rule39][rule42]") {
  World w = MakeWorld();
  Result<LinkedUser> shown = w.service->ShowObservee(w.As(kOlivia), kOlivia, kBo);
  REQUIRE(OutcomeOf(shown) == StatusCode::kOk);
  CHECK(Sorted(shown->observation_link_root_account_ids) == std::vector<AccountId>{kDefault, kExternal});
  Result<LinkedUser> external_only = w.service->ShowObservee(w.As(kOlivia), kOlivia, kXena);
  REQUIRE(OutcomeOf(external_only) == StatusCode::kOk);
  CHECK(external_only->observation_link_root_account_ids == std::vector<AccountId>{kExternal});
}

TEST_CASE("an admin sees only the root accounts where they manage observers", "[E4][E5][rule42]") {
  World w = MakeWorld();
  Result<LinkedUser> ada = w.service->ShowObservee(w.As(kAda), kOlivia, kBo);
  REQUIRE(OutcomeOf(ada) == StatusCode::kOk);
  CHECK(ada->observation_link_root_account_ids == std::vector<AccountId>{kDefault});

  Result<LinkedUser> ezra = w.service->ShowObservee(w.As(kEzra, kExternal), kOlivia, kBo);
  REQUIRE(OutcomeOf(ezra) == StatusCode::kOk);
  CHECK(ezra->observation_link_root_account_ids == std::vector<AccountId>{kExternal});

  Result<LinkedUser> dana = w.service->ShowObservee(w.As(kDana), kOlivia, kBo);
  REQUIRE(OutcomeOf(dana) == StatusCode::kOk);
  CHECK(Sorted(dana->observation_link_root_account_ids) == std::vector<AccountId>{kDefault, kExternal});

  Result<LinkedUser> observer = w.service->ShowObserver(w.As(kAda), kBo, kOlivia);
  REQUIRE(OutcomeOf(observer) == StatusCode::kOk);
  CHECK(observer->user.id == kOlivia);
  CHECK(observer->observation_link_root_account_ids == std::vector<AccountId>{kDefault});

  // Olivia observes Xena only in External: Ada may see the link exists, with no root account of hers.
  Result<LinkedUser> xena = w.service->ShowObservee(w.As(kAda), kOlivia, kXena);
  REQUIRE(OutcomeOf(xena) == StatusCode::kOk);
  CHECK(xena->observation_link_root_account_ids.empty());
}

TEST_CASE("who may show a user's observee", "[E4][rule30][rule29]") {
  World w = MakeWorld();
  SECTION("an admin with manage_user_observers on a shared root") {
    Result<LinkedUser> shown = w.service->ShowObservee(w.As(kAda), kPat, kChild);
    REQUIRE(OutcomeOf(shown) == StatusCode::kOk);
    CHECK(shown->user.id == kChild);
  }
  SECTION("an admin whose manage_user_observers is off: 403") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kNico), kPat, kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("a sub-account admin: 403") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kSandra), kPat, kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin of another root account only: 403") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kEzra, kExternal), kPat, kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("the student, who is not the subject of E4: 403") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kChild), kPat, kChild)) == StatusCode::kPermissionDenied);
  }
  SECTION("an observer with no root account at all: 404 for an admin") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kAda), kNell, kChild)) == StatusCode::kNotFound);
  }
  SECTION("anonymous: 401") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.Anonymous(), kPat, kChild)) == StatusCode::kUnauthenticated);
  }
  SECTION("an unknown observer: 404") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kAda), kUnknownUser, kChild)) == StatusCode::kNotFound);
  }
  SECTION("a deleted observer: 404") {
    CHECK(OutcomeOf(w.service->ShowObservee(w.As(kAda), kDeleted, kChild)) == StatusCode::kNotFound);
  }
}

TEST_CASE("a student shows one of their observers", "[E5][rule40]") {
  World w = MakeWorld();
  Result<LinkedUser> shown = w.service->ShowObserver(w.As(kChild), kChild, kPat);
  REQUIRE(OutcomeOf(shown) == StatusCode::kOk);
  CHECK(shown->user.id == kPat);  // E5 returns the observer
  CHECK(shown->user.name == "Pat Parent");
  CHECK(shown->user.created_at == At("2024-01-05T10:00:00Z"));
  CHECK(shown->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
}

TEST_CASE("showing an observer without a non-deleted link is not found", "[E5][rule40]") {
  World w = MakeWorld();
  SECTION("the link is deleted") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kChild), kChild, kGina)) == StatusCode::kNotFound);
  }
  SECTION("never linked") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kChild), kChild, kQuinn)) == StatusCode::kNotFound);
  }
  SECTION("an unknown observer") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kChild), kChild, kUnknownUser)) == StatusCode::kNotFound);
  }
  SECTION("a deleted observer") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kChild), kChild, kDeleted)) == StatusCode::kNotFound);
  }
}

TEST_CASE("the subject of show observer is the student", "[E5][rule26][rule30]") {
  World w = MakeWorld();
  SECTION("the observer is not the subject: 403") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kPat), kChild, kPat)) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin with manage_user_observers") {
    Result<LinkedUser> shown = w.service->ShowObserver(w.As(kAda), kChild, kPat);
    REQUIRE(OutcomeOf(shown) == StatusCode::kOk);
    CHECK(shown->user.id == kPat);
  }
  SECTION("an admin whose manage_user_observers is off: 403") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kNico), kChild, kPat)) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin of another root account only: 403") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kEzra, kExternal), kChild, kPat)) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin of External, for a student in both roots") {
    Result<LinkedUser> shown = w.service->ShowObserver(w.As(kEzra, kExternal), kBo, kOlivia);
    REQUIRE(OutcomeOf(shown) == StatusCode::kOk);
    CHECK(shown->observation_link_root_account_ids == std::vector<AccountId>{kExternal});
  }
  SECTION("anonymous: 401") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.Anonymous(), kChild, kPat)) == StatusCode::kUnauthenticated);
  }
  SECTION("an unknown student: 404") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kAda), kUnknownUser, kPat)) == StatusCode::kNotFound);
  }
  SECTION("a deleted student: 404") {
    CHECK(OutcomeOf(w.service->ShowObserver(w.As(kAda), kDeleted, kPat)) == StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace observees::testing
