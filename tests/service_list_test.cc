// E1 / E2: listing observees and observers (rules 5, 26-38, 42), through ObservationService only.
#include <catch2/catch.hpp>

#include "support/world.h"

namespace observees::testing {
namespace {

ListOptions Page(int page, int per_page = 0, bool avatars = false) {
  ListOptions options;
  options.page = page;
  options.per_page = per_page;
  options.include_avatar_url = avatars;
  return options;
}

const LinkedUser* Find(const UserPage& page, UserId id) {
  for (const LinkedUser& user : page.users) {
    if (user.user.id == id) return &user;
  }
  return nullptr;
}

TEST_CASE("an observer lists the students they observe, ordered by sortable name", "[E1][rule32][rule33]") {
  World w = MakeWorld();
  Result<UserPage> page = w.service->ListObservees(w.As(kPat), kPat, Page(1));
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  // "Another Smith" (Smith, Another) sorts before "Child Smith" (Smith, Child), whatever their ids.
  CHECK(IdsOf(*page) == std::vector<UserId>{kAnother, kChild});
  CHECK(page->total == 2);
  CHECK(page->page == 1);
  CHECK(page->per_page == 10);
}

TEST_CASE("a deleted link does not list its student", "[E1][rule32][rule5]") {
  World w = MakeWorld();
  Result<UserPage> page = w.service->ListObservees(w.As(kGina), kGina, Page(1));
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  CHECK(page->users.empty());
  CHECK(page->total == 0);
}

TEST_CASE("a student linked in two root accounts is listed once", "[E1][E2][rule5]") {
  World w = MakeWorld();
  Result<UserPage> observees = w.service->ListObservees(w.As(kOlivia), kOlivia, Page(1));
  REQUIRE(OutcomeOf(observees) == StatusCode::kOk);
  CHECK(IdsOf(*observees) == std::vector<UserId>{kBo, kXena});
  CHECK(observees->total == 2);

  Result<UserPage> observers = w.service->ListObservers(w.As(kBo), kBo, Page(1));
  REQUIRE(OutcomeOf(observers) == StatusCode::kOk);
  CHECK(IdsOf(*observers) == std::vector<UserId>{kOlivia});
  CHECK(observers->total == 1);
}

TEST_CASE("the user fields come from the directory, with sortable and short names defaulted", "[E1][rule33][3.1]") {
  World w = MakeWorld();
  Result<UserPage> page = w.service->ListObservees(w.As(kPat), kPat, Page(1));
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  const LinkedUser* child = Find(*page, kChild);
  REQUIRE(child != nullptr);
  CHECK(child->user.name == "Child Smith");
  CHECK(child->user.sortable_name == "Smith, Child");
  CHECK(child->user.short_name == "Child Smith");
  CHECK(child->user.created_at == At("2024-02-01T08:30:00Z"));
  CHECK_FALSE(child->include_avatar_url);
}

TEST_CASE("ordering is case- and accent-insensitive, ties broken by id", "[E1][rule33]") {
  World w = MakeWorld();
  Result<UserPage> page = w.service->ListObservees(w.As(kCole), kCole, Page(1));
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  // "Abe, élodie" (45) and "Abe, Elodie" (46) are equal at primary strength: the lower id first.
  // "adams, zack" before "Adams, Zoe" (case ignored); "Élan, Zed" before "Ellis, Amy" (accent ignored).
  CHECK(IdsOf(*page) == std::vector<UserId>{kElodieAccent, kElodie, kZackLower, kZoe, kElan, kEllis});
}

TEST_CASE("observers of a student are ordered by sortable name too", "[E2][rule38][rule33]") {
  World w = MakeWorld();
  Result<UserPage> page = w.service->ListObservers(w.As(kAnother), kAnother, Page(1));
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  // "Mom, Mona" (24) before "Parent, Pat" (10).
  CHECK(IdsOf(*page) == std::vector<UserId>{kMona, kPat});
}

TEST_CASE("a student lists their observers, without deleted links", "[E2][rule38]") {
  World w = MakeWorld();
  Result<UserPage> page = w.service->ListObservers(w.As(kChild), kChild, Page(1));
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  // Gina's link to Child is deleted.
  CHECK(IdsOf(*page) == std::vector<UserId>{kPat});
  CHECK(page->total == 1);
}

TEST_CASE("pages split the ordered list and a page past the end is empty", "[E1][rule34]") {
  World w = MakeWorld();
  Result<UserPage> first = w.service->ListObservees(w.As(kCole), kCole, Page(1, 4));
  REQUIRE(OutcomeOf(first) == StatusCode::kOk);
  CHECK(IdsOf(*first) == std::vector<UserId>{kElodieAccent, kElodie, kZackLower, kZoe});
  CHECK(first->total == 6);
  CHECK(first->per_page == 4);
  CHECK(first->page == 1);

  Result<UserPage> second = w.service->ListObservees(w.As(kCole), kCole, Page(2, 4));
  REQUIRE(OutcomeOf(second) == StatusCode::kOk);
  CHECK(IdsOf(*second) == std::vector<UserId>{kElan, kEllis});
  CHECK(second->total == 6);
  CHECK(second->page == 2);

  Result<UserPage> past = w.service->ListObservees(w.As(kCole), kCole, Page(3, 4));
  REQUIRE(OutcomeOf(past) == StatusCode::kOk);
  CHECK(past->users.empty());
  CHECK(past->total == 6);

  Result<UserPage> far = w.service->ListObservees(w.As(kCole), kCole, Page(1000, 4));
  REQUIRE(OutcomeOf(far) == StatusCode::kOk);
  CHECK(far->users.empty());
}

TEST_CASE("observers are paginated like observees", "[E2][rule34][rule38]") {
  World w = MakeWorld();
  Result<UserPage> first = w.service->ListObservers(w.As(kAnother), kAnother, Page(1, 1));
  REQUIRE(OutcomeOf(first) == StatusCode::kOk);
  CHECK(IdsOf(*first) == std::vector<UserId>{kMona});
  CHECK(first->total == 2);
  Result<UserPage> second = w.service->ListObservers(w.As(kAnother), kAnother, Page(2, 1));
  REQUIRE(OutcomeOf(second) == StatusCode::kOk);
  CHECK(IdsOf(*second) == std::vector<UserId>{kPat});
  Result<UserPage> past = w.service->ListObservers(w.As(kAnother), kAnother, Page(3, 1));
  REQUIRE(OutcomeOf(past) == StatusCode::kOk);
  CHECK(past->users.empty());
  CHECK(past->total == 2);
}

TEST_CASE("per_page defaults to 10 and is clamped to 1..100", "[E1][rule34]") {
  World w = MakeWorld();
  SECTION("0 means the default") {
    Result<UserPage> page = w.service->ListObservees(w.As(kCole), kCole, Page(1, 0));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(page->per_page == 10);
    CHECK(page->users.size() == 6);
  }
  SECTION("above the maximum is clamped to 100") {
    Result<UserPage> page = w.service->ListObservees(w.As(kCole), kCole, Page(1, 1000));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(page->per_page == 100);
    CHECK(page->users.size() == 6);
  }
  SECTION("below 1 is clamped to 1") {
    Result<UserPage> page = w.service->ListObservees(w.As(kCole), kCole, Page(1, -5));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(page->per_page == 1);
    CHECK(IdsOf(*page) == std::vector<UserId>{kElodieAccent});
    CHECK(page->total == 6);
  }
  SECTION("exactly 100 stays 100") {
    Result<UserPage> page = w.service->ListObservees(w.As(kCole), kCole, Page(1, 100));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(page->per_page == 100);
  }
}

TEST_CASE("the pagination options set the default and the maximum page size", "[E1][rule34][options]") {
  ServiceOptions options;
  options.default_per_page = 3;
  options.max_per_page = 4;
  World w = MakeWorld(kStandardFixture, options);
  Result<UserPage> defaulted = w.service->ListObservees(w.As(kCole), kCole, Page(1, 0));
  REQUIRE(OutcomeOf(defaulted) == StatusCode::kOk);
  CHECK(defaulted->per_page == 3);
  CHECK(IdsOf(*defaulted) == std::vector<UserId>{kElodieAccent, kElodie, kZackLower});
  Result<UserPage> clamped = w.service->ListObservees(w.As(kCole), kCole, Page(1, 50));
  REQUIRE(OutcomeOf(clamped) == StatusCode::kOk);
  CHECK(clamped->per_page == 4);
  CHECK(clamped->users.size() == 4);
}

TEST_CASE("a page below 1 is an invalid argument", "[E1][E2][rule34]") {
  World w = MakeWorld();
  for (int page : {0, -1}) {
    Result<UserPage> observees = w.service->ListObservees(w.As(kPat), kPat, Page(page));
    CHECK(OutcomeOf(observees) == StatusCode::kInvalidArgument);
    Result<UserPage> observers = w.service->ListObservers(w.As(kChild), kChild, Page(page));
    CHECK(OutcomeOf(observers) == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("avatar_url is included only when asked and avatars are on for the user's account", "[E1][E2][rule35]") {
  World w = MakeWorld();
  SECTION("asked, avatars on in Default") {
    Result<UserPage> page = w.service->ListObservees(w.As(kPat), kPat, Page(1, 0, true));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* child = Find(*page, kChild);
    REQUIRE(child != nullptr);
    CHECK(child->include_avatar_url);
    REQUIRE(child->user.avatar_url.has_value());
    CHECK(*child->user.avatar_url == "/images/child.png");
  }
  SECTION("not asked") {
    Result<UserPage> page = w.service->ListObservees(w.As(kPat), kPat, Page(1, 0, false));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    for (const LinkedUser& user : page->users) CHECK_FALSE(user.include_avatar_url);
  }
  SECTION("asked, but avatars are off in External") {
    Result<UserPage> page = w.service->ListObservees(w.As(kYuri, kExternal), kYuri, Page(1, 0, true));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* xena = Find(*page, kXena);
    REQUIRE(xena != nullptr);
    CHECK_FALSE(xena->include_avatar_url);
  }
  SECTION("observers: asked, avatars on in Default") {
    Result<UserPage> page = w.service->ListObservers(w.As(kChild), kChild, Page(1, 0, true));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* pat = Find(*page, kPat);
    REQUIRE(pat != nullptr);
    CHECK(pat->include_avatar_url);
  }
  SECTION("observers: asked, but avatars are off in External") {
    Result<UserPage> page = w.service->ListObservers(w.As(kXena, kExternal), kXena, Page(1, 0, true));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* yuri = Find(*page, kYuri);
    REQUIRE(yuri != nullptr);
    CHECK_FALSE(yuri->include_avatar_url);
  }
}

TEST_CASE("observation_link_root_account_ids lists every link's root account for the user themselves",
          "[E1][E2][rule42]") {
  World w = MakeWorld();
  Result<UserPage> observees = w.service->ListObservees(w.As(kOlivia), kOlivia, Page(1));
  REQUIRE(OutcomeOf(observees) == StatusCode::kOk);
  const LinkedUser* bo = Find(*observees, kBo);
  REQUIRE(bo != nullptr);
  CHECK(Sorted(bo->observation_link_root_account_ids) == std::vector<AccountId>{kDefault, kExternal});
  const LinkedUser* xena = Find(*observees, kXena);
  REQUIRE(xena != nullptr);
  CHECK(xena->observation_link_root_account_ids == std::vector<AccountId>{kExternal});

  Result<UserPage> observers = w.service->ListObservers(w.As(kBo), kBo, Page(1));
  REQUIRE(OutcomeOf(observers) == StatusCode::kOk);
  const LinkedUser* olivia = Find(*observers, kOlivia);
  REQUIRE(olivia != nullptr);
  CHECK(Sorted(olivia->observation_link_root_account_ids) == std::vector<AccountId>{kDefault, kExternal});
}

TEST_CASE("observation_link_root_account_ids is narrowed to the admin's permitted root accounts", "[E1][E2][rule42]") {
  World w = MakeWorld();
  SECTION("an admin of Default only sees Default") {
    Result<UserPage> page = w.service->ListObservees(w.As(kAda), kOlivia, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* bo = Find(*page, kBo);
    REQUIRE(bo != nullptr);
    CHECK(bo->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  }
  SECTION("an admin of External only sees External") {
    Result<UserPage> page = w.service->ListObservees(w.As(kEzra, kExternal), kOlivia, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* bo = Find(*page, kBo);
    REQUIRE(bo != nullptr);
    CHECK(bo->observation_link_root_account_ids == std::vector<AccountId>{kExternal});
  }
  SECTION("an admin of both sees both") {
    Result<UserPage> page = w.service->ListObservees(w.As(kDana), kOlivia, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* bo = Find(*page, kBo);
    REQUIRE(bo != nullptr);
    CHECK(Sorted(bo->observation_link_root_account_ids) == std::vector<AccountId>{kDefault, kExternal});
  }
  SECTION("observers of a student, seen by an admin of Default only") {
    Result<UserPage> page = w.service->ListObservers(w.As(kAda), kBo, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    const LinkedUser* olivia = Find(*page, kOlivia);
    REQUIRE(olivia != nullptr);
    CHECK(olivia->observation_link_root_account_ids == std::vector<AccountId>{kDefault});
  }
}

TEST_CASE("an admin sees every linked student even where they may not manage observers", "[E1][rule32][Q8]") {
  World w = MakeWorld();
  Result<UserPage> page = w.service->ListObservees(w.As(kAda), kOlivia, Page(1));
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  CHECK(IdsOf(*page) == std::vector<UserId>{kBo, kXena});
  const LinkedUser* xena = Find(*page, kXena);
  REQUIRE(xena != nullptr);
  // Olivia observes Xena only in External, where Ada has no rights.
  CHECK(xena->observation_link_root_account_ids.empty());
}

TEST_CASE("who may list a user's observees", "[E1][rule30][rule28][rule29]") {
  World w = MakeWorld();
  SECTION("the observer themselves") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kPat), kPat, Page(1))) == StatusCode::kOk);
  }
  SECTION("an admin of a shared root account with manage_user_observers") {
    Result<UserPage> page = w.service->ListObservees(w.As(kAda), kPat, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(IdsOf(*page) == std::vector<UserId>{kAnother, kChild});
  }
  SECTION("a custom role granted manage_user_observers") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kCora), kPat, Page(1))) == StatusCode::kOk);
  }
  SECTION("an admin whose manage_user_observers is off: 403") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kNico), kPat, Page(1))) == StatusCode::kPermissionDenied);
  }
  SECTION("a custom role without the permission: 403") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kHal), kPat, Page(1))) == StatusCode::kPermissionDenied);
  }
  SECTION("a sub-account admin: manage_user_observers is root-account only, 403") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kSandra), kPat, Page(1))) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin of another root account only: 403") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kEzra, kExternal), kPat, Page(1))) == StatusCode::kPermissionDenied);
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kEzra, kDefault), kPat, Page(1))) == StatusCode::kPermissionDenied);
  }
  SECTION("another user without rights: 403") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kChild), kPat, Page(1))) == StatusCode::kPermissionDenied);
  }
  SECTION("a subject with no root account at all: 404 for an admin") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kAda), kNell, Page(1))) == StatusCode::kNotFound);
  }
  SECTION("a subject with no root account at all may still list their own (empty) observees") {
    Result<UserPage> page = w.service->ListObservees(w.As(kNell), kNell, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(page->users.empty());
  }
  SECTION("anonymous: 401") {
    CHECK(OutcomeOf(w.service->ListObservees(w.Anonymous(), kPat, Page(1))) == StatusCode::kUnauthenticated);
  }
  SECTION("an unknown user: 404") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kAda), kUnknownUser, Page(1))) == StatusCode::kNotFound);
  }
  SECTION("a deleted user: 404") {
    CHECK(OutcomeOf(w.service->ListObservees(w.As(kAda), kDeleted, Page(1))) == StatusCode::kNotFound);
  }
}

TEST_CASE("who may list a student's observers", "[E2][rule38][rule30]") {
  World w = MakeWorld();
  SECTION("the student themselves") {
    CHECK(OutcomeOf(w.service->ListObservers(w.As(kChild), kChild, Page(1))) == StatusCode::kOk);
  }
  SECTION("an admin with manage_user_observers on a shared root account") {
    Result<UserPage> page = w.service->ListObservers(w.As(kAda), kChild, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(IdsOf(*page) == std::vector<UserId>{kPat});
  }
  SECTION("the student's own observer is not the subject: 403") {
    CHECK(OutcomeOf(w.service->ListObservers(w.As(kPat), kChild, Page(1))) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin whose manage_user_observers is off: 403") {
    CHECK(OutcomeOf(w.service->ListObservers(w.As(kNico), kChild, Page(1))) == StatusCode::kPermissionDenied);
  }
  SECTION("an admin of another root account only: 403") {
    CHECK(OutcomeOf(w.service->ListObservers(w.As(kEzra, kExternal), kChild, Page(1))) ==
          StatusCode::kPermissionDenied);
  }
  SECTION("an admin of External for a student in both roots") {
    Result<UserPage> page = w.service->ListObservers(w.As(kEzra, kExternal), kBo, Page(1));
    REQUIRE(OutcomeOf(page) == StatusCode::kOk);
    CHECK(IdsOf(*page) == std::vector<UserId>{kOlivia});
    CHECK(page->users.front().observation_link_root_account_ids == std::vector<AccountId>{kExternal});
  }
  SECTION("a student with no root account: 404 for an admin") {
    CHECK(OutcomeOf(w.service->ListObservers(w.As(kAda), kNell, Page(1))) == StatusCode::kNotFound);
  }
  SECTION("anonymous: 401") {
    CHECK(OutcomeOf(w.service->ListObservers(w.Anonymous(), kChild, Page(1))) == StatusCode::kUnauthenticated);
  }
  SECTION("an unknown user: 404") {
    CHECK(OutcomeOf(w.service->ListObservers(w.As(kAda), kUnknownUser, Page(1))) == StatusCode::kNotFound);
  }
  SECTION("a deleted user: 404") {
    CHECK(OutcomeOf(w.service->ListObservers(w.As(kAda), kDeleted, Page(1))) == StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace observees::testing
