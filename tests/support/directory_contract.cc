#include "support/directory_contract.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "support/storage_test_util.h"

namespace observees::storage_test {

// Accounts: 1 and 2 are roots, 3 under 1, 4 under 3. Admins: Ada (1) AccountAdmin on 1; Sue (2)
// AccountAdmin on 3 only; Hal (3) a "Helper" on 1, which an override on 1 grants manage_user_observers;
// Nora (4) AccountAdmin on 1 whose own column refuses it; Dee (5) a deleted AccountAdmin on 1; Cora (6) a
// Helper on 3, where a nearer override refuses it; Ann (16) AccountAdmin on 2 without a login.
// Students: Sam (10) in course 100 (account 4), Eve (18, no login) in course 200 (account 2); Rex (15)
// rejected in 100. Tia (14) teaches 100, and an override on 1 lets teachers generate pairing codes.
// Tom (11) holds Sam's unique_id in root 2; Del (12) is deleted; Sus (13) has a suspended login.
const std::string_view kDirectoryContractFixture = R"({
  "accounts": [
    {"id": 1, "name": "One", "domains": ["one.test"], "self_registration": "observer", "avatars": true},
    {"id": 2, "name": "Two", "domains": ["two.test", "Two.Example"]},
    {"id": 3, "name": "One Science", "parent_id": 1},
    {"id": 4, "name": "One Biology", "parent_id": 3}
  ],
  "users": [
    {"id": 1, "name": "Ada Admin", "logins": [{"account_id": 1, "unique_id": "ada", "password": "ada-pw"}],
     "tokens": ["tok-ada"]},
    {"id": 2, "name": "Sue Sub", "logins": [{"account_id": 1, "unique_id": "sue", "password": "sue-pw"}]},
    {"id": 3, "name": "Hal Helper", "logins": [{"account_id": 1, "unique_id": "hal", "password": "hal-pw"}]},
    {"id": 4, "name": "Nora Nope", "logins": [{"account_id": 1, "unique_id": "nora", "password": "nora-pw"}]},
    {"id": 5, "name": "Dee Deleted Admin", "logins": [{"account_id": 1, "unique_id": "dee", "password": "dee-pw"}]},
    {"id": 6, "name": "Cora Helper", "logins": [{"account_id": 1, "unique_id": "cora", "password": "cora-pw"}]},
    {"id": 10, "name": "Sam Student", "sortable_name": "Student, Sam", "short_name": "Sam", "sis_user_id": "S-10",
     "avatar_url": "/a/sam.png", "pronouns": "they/them", "created_at": "2024-01-06T10:00:00Z",
     "logins": [{"account_id": 1, "unique_id": "Sam@Example.com", "password": "sam-pw"}],
     "tokens": ["tok-sam", {"token": "tok-sam-expired", "expires_at": "2024-05-01T00:00:00Z"},
                {"token": "tok-sam-deleted", "workflow_state": "deleted"}]},
    {"id": 11, "name": "Tom Two", "logins": [{"account_id": 2, "unique_id": "sam@example.com", "password": "tom-pw"}]},
    {"id": 12, "name": "Del Gone", "sis_user_id": "S-12", "workflow_state": "deleted",
     "logins": [{"account_id": 1, "unique_id": "del", "password": "del-pw"}], "tokens": ["tok-del"]},
    {"id": 13, "name": "Sus Pended",
     "logins": [{"account_id": 1, "unique_id": "sus", "password": "sus-pw", "workflow_state": "suspended"}]},
    {"id": 14, "name": "Tia Teacher", "logins": [{"account_id": 1, "unique_id": "tia", "password": "tia-pw"}]},
    {"id": 15, "name": "Rex Rejected", "logins": [{"account_id": 1, "unique_id": "rex", "password": "rex-pw"}]},
    {"id": 16, "name": "Ann Admin Two"},
    {"id": 18, "name": "Eve Student Two"}
  ],
  "admins": [
    {"user_id": 1, "account_id": 1, "role": "AccountAdmin"},
    {"user_id": 2, "account_id": 3, "role": "AccountAdmin"},
    {"user_id": 3, "account_id": 1, "role": "Helper"},
    {"user_id": 4, "account_id": 1, "role": "AccountAdmin", "permissions": {"manage_user_observers": false}},
    {"user_id": 5, "account_id": 1, "role": "AccountAdmin", "workflow_state": "deleted"},
    {"user_id": 6, "account_id": 3, "role": "Helper"},
    {"user_id": 16, "account_id": 2, "role": "AccountAdmin"}
  ],
  "role_overrides": [
    {"account_id": 1, "role": "Helper", "permission": "manage_user_observers", "enabled": true},
    {"account_id": 3, "role": "Helper", "permission": "manage_user_observers", "enabled": false},
    {"account_id": 1, "role": "TeacherEnrollment", "permission": "generate_observer_pairing_code", "enabled": true}
  ],
  "courses": [
    {"id": 100, "account_id": 4, "name": "Biology"},
    {"id": 200, "account_id": 2, "name": "Chemistry"}
  ],
  "enrollments": [
    {"user_id": 10, "course_id": 100, "type": "StudentEnrollment"},
    {"user_id": 14, "course_id": 100, "type": "TeacherEnrollment"},
    {"user_id": 15, "course_id": 100, "type": "StudentEnrollment", "workflow_state": "rejected"},
    {"user_id": 18, "course_id": 200, "type": "StudentEnrollment"}
  ]
})";

namespace {

using Ids = std::vector<std::int64_t>;
constexpr auto kManage = Permission::kManageUserObservers;
constexpr auto kGenerate = Permission::kGenerateObserverPairingCode;
constexpr auto kStudents = Permission::kManageStudents;

std::optional<UserId> UserOf(const Result<std::optional<UserId>>& result) { return ValueOf(result); }

NewUser Parent(std::string unique_id, AccountId root = 1) {
  return NewUser{.name = "New Parent",
                 .sortable_name = "Parent, New",
                 .short_name = "New",
                 .root_account_id = root,
                 .unique_id = std::move(unique_id),
                 .password = "a-secret-password"};
}

void CheckRefusedWithoutSecret(const Status& status, StatusCode code) {
  CHECK(CodeName(status) == CodeName(code));
  CHECK(status.message().find("a-secret-password") == std::string::npos);
}

}  // namespace

void RunUserDirectoryContract(const std::function<std::shared_ptr<UserDirectory>(std::string_view)>& seeded) {
  const std::shared_ptr<UserDirectory> store = seeded(kDirectoryContractFixture);
  REQUIRE(store);
  UserDirectory& d = *store;

  SECTION("FindUser answers every field, deleted users included, and nullopt for an unknown id") {
    const auto sam = ValueOf(d.FindUser(10));
    REQUIRE(sam.has_value());
    CHECK(sam->id == 10);
    CHECK(sam->name == "Sam Student");
    CHECK(sam->sortable_name == "Student, Sam");
    CHECK(sam->short_name == "Sam");
    CHECK(sam->sis_user_id == std::optional<std::string>("S-10"));
    CHECK(sam->avatar_url == std::optional<std::string>("/a/sam.png"));
    CHECK(sam->pronouns == std::optional<std::string>("they/them"));
    CHECK(Iso(sam->created_at) == "2024-01-06T10:00:00Z");
    CHECK_FALSE(sam->deleted);
    const auto del = ValueOf(d.FindUser(12));
    REQUIRE(del.has_value());
    CHECK(del->deleted);
    CHECK_FALSE(ValueOf(d.FindUser(999)).has_value());
    CHECK_FALSE(ValueOf(d.FindUser(-1)).has_value());
  }

  SECTION("FindUserBySisId skips deleted users and unknown ids") {
    CHECK(UserOf(d.FindUserBySisId("S-10")) == std::optional<UserId>(10));
    CHECK_FALSE(UserOf(d.FindUserBySisId("S-12")).has_value());
    CHECK_FALSE(UserOf(d.FindUserBySisId("s-10")).has_value());
    CHECK_FALSE(UserOf(d.FindUserBySisId("")).has_value());
  }

  SECTION("FindUsers answers the known ids among those asked and skips the rest") {
    const std::vector<UserId> asked = {11, 999, 10, 12};
    Ids found;
    for (const User& u : ValueOf(d.FindUsers(asked))) found.push_back(u.id);
    std::sort(found.begin(), found.end());
    CHECK(found == Ids{10, 11, 12});
    CHECK(ValueOf(d.FindUsers({})).empty());
  }

  SECTION("FindAccount gives parent and root; RootAccountIds are the roots ascending") {
    const auto biology = ValueOf(d.FindAccount(4));
    REQUIRE(biology.has_value());
    CHECK(biology->name == "One Biology");
    CHECK(biology->parent_id == std::optional<AccountId>(3));
    CHECK(biology->root_account_id == 1);
    const auto one = ValueOf(d.FindAccount(1));
    REQUIRE(one.has_value());
    CHECK_FALSE(one->parent_id.has_value());
    CHECK(one->root_account_id == 1);
    CHECK(one->avatars);
    CHECK_FALSE(ValueOf(d.FindAccount(999)).has_value());
    CHECK(ValueOf(d.RootAccountIds()) == Ids{1, 2});
  }

  SECTION("RootAccountForDomain finds the root whose domain list holds the host (stored lowercase)") {
    CHECK(ValueOf(d.RootAccountForDomain("one.test")) == std::optional<AccountId>(1));
    CHECK(ValueOf(d.RootAccountForDomain("two.example")) == std::optional<AccountId>(2));
    CHECK_FALSE(ValueOf(d.RootAccountForDomain("nowhere.test")).has_value());
    CHECK_FALSE(ValueOf(d.RootAccountForDomain("")).has_value());
  }

  SECTION("RootAccountsOf follows logins, live enrollments and admin rows (rule 27)") {
    CHECK(ValueOf(d.RootAccountsOf(10)) == Ids{1});  // login and enrollment, one root
    CHECK(ValueOf(d.RootAccountsOf(11)) == Ids{2});  // login only
    CHECK(ValueOf(d.RootAccountsOf(16)) == Ids{2});  // admin only
    CHECK(ValueOf(d.RootAccountsOf(18)) == Ids{2});  // enrollment only
    CHECK(ValueOf(d.RootAccountsOf(999)).empty());
  }

  SECTION("HasRootAccountPermission: own column, then the nearest override, then the role's default") {
    CHECK(ValueOf(d.HasRootAccountPermission(1, 1, kManage)));
    CHECK(ValueOf(d.HasRootAccountPermission(1, 1, kGenerate)));
    CHECK(ValueOf(d.HasRootAccountPermission(1, 1, kStudents)));
    CHECK_FALSE(ValueOf(d.HasRootAccountPermission(1, 2, kManage)));    // not an admin there
    CHECK_FALSE(ValueOf(d.HasRootAccountPermission(2, 1, kManage)));    // admin of a sub-account only
    CHECK(ValueOf(d.HasRootAccountPermission(3, 1, kManage)));          // a custom role, by override
    CHECK_FALSE(ValueOf(d.HasRootAccountPermission(3, 1, kGenerate)));  // no override, not AccountAdmin
    CHECK_FALSE(ValueOf(d.HasRootAccountPermission(4, 1, kManage)));    // the row's own column refuses
    CHECK(ValueOf(d.HasRootAccountPermission(4, 1, kGenerate)));        // ... that permission only
    CHECK_FALSE(ValueOf(d.HasRootAccountPermission(5, 1, kManage)));    // a deleted admin row
    CHECK_FALSE(ValueOf(d.HasRootAccountPermission(999, 1, kManage)));
  }

  SECTION("RootAccountsWithPermission: the user's roots where the actor holds it on the root") {
    CHECK(ValueOf(d.RootAccountsWithPermission(1, 10, kManage)) == Ids{1});
    CHECK(ValueOf(d.RootAccountsWithPermission(1, 11, kManage)).empty());
    CHECK(ValueOf(d.RootAccountsWithPermission(16, 11, kManage)) == Ids{2});
    CHECK(ValueOf(d.RootAccountsWithPermission(3, 10, kManage)) == Ids{1});
    CHECK(ValueOf(d.RootAccountsWithPermission(4, 10, kManage)).empty());
    CHECK(ValueOf(d.RootAccountsWithPermission(2, 10, kManage)).empty());
  }

  SECTION("HasAccountChainPermission looks from the account upward, the nearest override winning") {
    CHECK(ValueOf(d.HasAccountChainPermission(2, 4, kManage)));  // admin on 3, asked about 4
    CHECK(ValueOf(d.HasAccountChainPermission(2, 3, kManage)));
    CHECK_FALSE(ValueOf(d.HasAccountChainPermission(2, 1, kManage)));  // 1 is above 3
    CHECK(ValueOf(d.HasAccountChainPermission(1, 4, kManage)));
    CHECK(ValueOf(d.HasAccountChainPermission(3, 4, kManage)));        // override on 1 for the row on 1
    CHECK_FALSE(ValueOf(d.HasAccountChainPermission(6, 4, kManage)));  // override on 3 for the row on 3
    CHECK_FALSE(ValueOf(d.HasAccountChainPermission(5, 4, kManage)));
  }

  SECTION("HasPermissionInCoursesOf: admins of the course's chain and course roles an override enables") {
    CHECK(ValueOf(d.HasPermissionInCoursesOf(2, 10, kManage)));  // Sue on 3, course 100 on 4
    CHECK(ValueOf(d.HasPermissionInCoursesOf(1, 10, kManage)));
    CHECK_FALSE(ValueOf(d.HasPermissionInCoursesOf(2, 18, kManage)));   // Eve's course is in root 2
    CHECK(ValueOf(d.HasPermissionInCoursesOf(14, 10, kGenerate)));      // Tia teaches Sam, override on 1
    CHECK_FALSE(ValueOf(d.HasPermissionInCoursesOf(14, 10, kManage)));  // no override for that one
    CHECK_FALSE(ValueOf(d.HasPermissionInCoursesOf(14, 18, kGenerate)));
    CHECK_FALSE(ValueOf(d.HasPermissionInCoursesOf(6, 10, kManage)));
  }

  SECTION("HasStudentEnrollment counts live student enrollments only (rule 22a)") {
    CHECK(ValueOf(d.HasStudentEnrollment(10)));
    CHECK(ValueOf(d.HasStudentEnrollment(18)));
    CHECK_FALSE(ValueOf(d.HasStudentEnrollment(15)));  // rejected
    CHECK_FALSE(ValueOf(d.HasStudentEnrollment(14)));  // a teacher
    CHECK_FALSE(ValueOf(d.HasStudentEnrollment(999)));
  }

  SECTION("AvatarsEnabledFor follows the avatars setting of the user's root accounts") {
    CHECK(ValueOf(d.AvatarsEnabledFor(10)));
    CHECK_FALSE(ValueOf(d.AvatarsEnabledFor(11)));
    CHECK_FALSE(ValueOf(d.AvatarsEnabledFor(999)));
  }

  SECTION("CreateUser makes a user with one login; DeleteNewUser undoes it once") {
    const UserId id = ValueOf(d.CreateUser(Parent("new.parent"), kT0));
    const auto made = ValueOf(d.FindUser(id));
    REQUIRE(made.has_value());
    CHECK(made->name == "New Parent");
    CHECK(made->sortable_name == "Parent, New");
    CHECK(made->short_name == "New");
    CHECK(Iso(made->created_at) == Iso(kT0));
    CHECK_FALSE(made->deleted);
    CHECK(ValueOf(d.RootAccountsOf(id)) == Ids{1});
    CheckRefusedWithoutSecret(d.CreateUser(Parent("NEW.parent"), kT0).status(), StatusCode::kAlreadyExists);
    CHECK(ValueOf(d.CreateUser(Parent("new.parent", 2), kT0)) != id);  // another root: free
    RequireOk(d.DeleteNewUser(id));
    CHECK_FALSE(ValueOf(d.FindUser(id)).has_value());
    CHECK(CodeName(d.DeleteNewUser(id)) == CodeName(StatusCode::kNotFound));
  }

  SECTION("CreateUser refuses a unique_id taken in that root account, suspended logins included") {
    CheckRefusedWithoutSecret(d.CreateUser(Parent("SAM@example.COM"), kT0).status(), StatusCode::kAlreadyExists);
    CheckRefusedWithoutSecret(d.CreateUser(Parent("sam@example.com", 2), kT0).status(), StatusCode::kAlreadyExists);
    CheckRefusedWithoutSecret(d.CreateUser(Parent("sus"), kT0).status(), StatusCode::kAlreadyExists);
    CHECK(ValueOf(d.RootAccountIds()) == Ids{1, 2});
  }
}

void RunAuthenticatorContract(const std::function<std::shared_ptr<Authenticator>(std::string_view)>& seeded) {
  const std::shared_ptr<Authenticator> store = seeded(kDirectoryContractFixture);
  REQUIRE(store);
  Authenticator& a = *store;

  SECTION("FindLogin matches an active login case-insensitively, in the root account asked") {
    CHECK(UserOf(a.FindLogin(1, "sam@example.com")) == std::optional<UserId>(10));
    CHECK(UserOf(a.FindLogin(1, "SAM@EXAMPLE.COM")) == std::optional<UserId>(10));
    CHECK(UserOf(a.FindLogin(2, "Sam@Example.com")) == std::optional<UserId>(11));
    CHECK_FALSE(UserOf(a.FindLogin(2, "ada")).has_value());
    CHECK_FALSE(UserOf(a.FindLogin(1, "sus")).has_value());  // suspended
    CHECK_FALSE(UserOf(a.FindLogin(1, "del")).has_value());  // the user is deleted
    CHECK_FALSE(UserOf(a.FindLogin(1, "")).has_value());
    CHECK_FALSE(UserOf(a.FindLogin(999, "ada")).has_value());
  }

  SECTION("CheckPassword answers the login's owner for its own password only") {
    CHECK(ValueOf(a.CheckPassword(1, "SAM@example.com", "sam-pw")) == 10);
    CHECK(ValueOf(a.CheckPassword(2, "sam@example.com", "tom-pw")) == 11);
    for (const auto& [root, login, password] : std::vector<std::tuple<AccountId, std::string, std::string>>{
             {1, "sam@example.com", "tom-pw"},  // another root's password
             {1, "sam@example.com", "SAM-PW"},  // passwords are case-sensitive
             {1, "sam@example.com", ""},
             {1, "sus", "sus-pw"},  // suspended
             {1, "del", "del-pw"},  // deleted user
             {1, "nobody", "a-secret-password"},
             {2, "ada", "ada-pw"}}) {
      INFO(root << " " << login);
      const Status status = a.CheckPassword(root, login, password).status();
      CHECK(CodeName(status) == CodeName(StatusCode::kInvalidCredentials));
      if (!password.empty()) CHECK(status.message().find(password) == std::string::npos);
    }
  }

  SECTION("UserForAccessToken answers active, unexpired tokens of live users only") {
    CHECK(UserOf(a.UserForAccessToken("tok-sam", kT0)) == std::optional<UserId>(10));
    CHECK(UserOf(a.UserForAccessToken("tok-ada", kT0)) == std::optional<UserId>(1));
    CHECK_FALSE(UserOf(a.UserForAccessToken("tok-sam-expired", kT0)).has_value());
    CHECK(UserOf(a.UserForAccessToken("tok-sam-expired", kT0 - std::chrono::hours(24 * 60))) ==
          std::optional<UserId>(10));  // before its expiry
    CHECK_FALSE(UserOf(a.UserForAccessToken("tok-sam-deleted", kT0)).has_value());
    CHECK_FALSE(UserOf(a.UserForAccessToken("tok-del", kT0)).has_value());
    CHECK_FALSE(UserOf(a.UserForAccessToken("tok-sa", kT0)).has_value());
    CHECK_FALSE(UserOf(a.UserForAccessToken("", kT0)).has_value());
  }
}

}  // namespace observees::storage_test
