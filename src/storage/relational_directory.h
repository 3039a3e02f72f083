// RelationalDirectory: UserDirectory over the fixture's tables (accounts, domains, users, logins,
// admins, role overrides, courses, enrollments) on any engine Db (engine.h). Every permission check
// is one statement, whatever the number of admin rows (admin_permissions.h). Thread-safe if Db is.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "observees/user_directory.h"
#include "secrets.h"
#include "storage/admin_permissions.h"
#include "storage/records.h"
#include "storage/sql.h"
#include "storage/storage_guard.h"
#include "storage/unique_id.h"

namespace observees::storage {

namespace directory_sql {

inline constexpr char kFindUser[] = "SELECT " OBSERVEES_USER_COLUMNS " FROM users WHERE id = ?1";
template <typename D>
inline constexpr auto kFindUsers = Concat("SELECT " OBSERVEES_USER_COLUMNS " FROM users WHERE id", D::kInIdArray1);
inline constexpr char kFindUserBySisId[] =
    "SELECT id FROM users WHERE sis_user_id = ?1 AND workflow_state <> 'deleted'";
inline constexpr char kFindUserBySisIdInRoot[] =
    "SELECT u.id FROM users u WHERE u.sis_user_id = ?1 AND u.workflow_state <> 'deleted' AND EXISTS (SELECT 1 "
    "FROM logins l WHERE l.user_id = u.id AND l.account_id = ?2 AND l.workflow_state = 'active')";
inline constexpr char kFindAccount[] =
    "SELECT id, name, parent_id, root_account_id, self_registration, avatars FROM accounts WHERE id = ?1";
inline constexpr char kRootAccountIds[] = "SELECT id FROM accounts WHERE parent_id IS NULL ORDER BY id";
inline constexpr char kRootAccountForDomain[] =
    "SELECT a.root_account_id FROM account_domains d JOIN accounts a ON a.id = d.account_id WHERE d.domain = ?1";

// Rule 27: the roots of user `param` through active logins, enrollments that are not deleted,
// rejected or student view, and active admin memberships.
#define OBSERVEES_ROOTS_OF(param)                                                                             \
  "SELECT a.root_account_id FROM logins l JOIN accounts a ON a.id = l.account_id WHERE l.user_id = " param    \
  " AND l.workflow_state = 'active' UNION SELECT c.root_account_id FROM enrollments e JOIN courses c ON "     \
  "c.id = e.course_id WHERE e.user_id = " param                                                               \
  " AND e.workflow_state NOT IN ('deleted', 'rejected') AND e.type <> 'StudentViewEnrollment' UNION "         \
  "SELECT a.root_account_id FROM admins ad JOIN accounts a ON a.id = ad.account_id WHERE ad.user_id = " param \
  " AND ad.workflow_state = 'active'"

inline constexpr char kRootAccountsOf[] = OBSERVEES_ROOTS_OF("?1") " ORDER BY 1";

// The root account ?2 itself: HasRootAccountPermission.
inline constexpr char kHasRootPermission[] = "WITH RECURSIVE " OBSERVEES_GRANTING_CTE(
    "ad.account_id = ?2") ", " OBSERVEES_UP_FROM_GRANTING " SELECT 1 FROM granting g WHERE " OBSERVEES_ADMIN_HOLDS
                          " LIMIT 1";

// The roots of user ?2 where ?1 holds ?3 on the root itself: RootAccountsWithPermission.
inline constexpr char kRootsWithPermission[] =
    "WITH RECURSIVE roots(id) AS (" OBSERVEES_ROOTS_OF("?2") "), " OBSERVEES_GRANTING_CTE(
        "ad.account_id IN (SELECT id FROM roots)") ", " OBSERVEES_UP_FROM_GRANTING
                                                   " SELECT DISTINCT g.account_id FROM granting g "
                                                   "WHERE " OBSERVEES_ADMIN_HOLDS " ORDER BY 1";

// Account ?2 or one of its ancestors: HasAccountChainPermission.
inline constexpr char kChainPermission[] =
    "WITH RECURSIVE chain(id, depth) AS (SELECT CAST(?2 AS BIGINT), 0 UNION ALL SELECT a.parent_id, chain.depth + 1 "
    "FROM chain JOIN accounts a ON a.id = chain.id WHERE a.parent_id IS NOT NULL AND chain.depth < "
    "64), " OBSERVEES_GRANTING_CTE(
        "ad.account_id IN (SELECT id FROM chain)") ", " OBSERVEES_UP_FROM_GRANTING
                                                   " SELECT 1 FROM granting g WHERE " OBSERVEES_ADMIN_HOLDS " LIMIT 1";

// Rule 23 for student ?2: (a) an admin row on the chain of a non-deleted course where the student has a
// non-deleted enrollment, or (b) a course role of ?1's in such a course (teacher, TA, designer,
// observer) that the nearest role override on the course's chain enables.
inline constexpr char kCoursesPermission[] =
    "WITH RECURSIVE courses_of(account_id) AS (SELECT DISTINCT c.account_id FROM enrollments e JOIN courses c "
    "ON c.id = e.course_id WHERE e.user_id = ?2 AND e.workflow_state <> 'deleted' AND c.workflow_state <> 'deleted'), "
    "chain(id, depth) AS (SELECT account_id, 0 FROM courses_of UNION ALL SELECT a.parent_id, chain.depth + 1 "
    "FROM chain JOIN accounts a ON a.id = chain.id WHERE a.parent_id IS NOT NULL AND chain.depth < 64), "
    "roles(account_id, role) AS (SELECT DISTINCT c.account_id, ae.type FROM enrollments se "
    "JOIN courses c ON c.id = se.course_id JOIN enrollments ae ON ae.course_id = se.course_id "
    "WHERE se.user_id = ?2 AND se.workflow_state <> 'deleted' AND c.workflow_state <> 'deleted' "
    "AND ae.user_id = ?1 AND ae.workflow_state <> 'deleted' "
    "AND ae.type IN ('TeacherEnrollment', 'TaEnrollment', 'DesignerEnrollment', 'ObserverEnrollment')), "
    OBSERVEES_GRANTING_CTE("ad.account_id IN (SELECT id FROM chain)") ", "
    OBSERVEES_UP_CTE("SELECT account_id, role, account_id, 0 FROM granting WHERE explicit IS NULL "
                     "UNION SELECT account_id, role, account_id, 0 FROM roles")
    " SELECT 1 FROM granting g WHERE " OBSERVEES_ADMIN_HOLDS
    " UNION ALL SELECT 1 FROM roles r WHERE " OBSERVEES_NEAREST_OVERRIDE("r.account_id", "r.role") " <> 0 LIMIT 1";

// Rule 22a.
inline constexpr char kHasStudentEnrollment[] =
    "SELECT 1 FROM enrollments WHERE user_id = ?1 AND type IN ('StudentEnrollment', 'StudentViewEnrollment') "
    "AND workflow_state NOT IN ('rejected', 'inactive', 'deleted') LIMIT 1";
inline constexpr char kAvatarsEnabledFor[] =
    "SELECT 1 FROM accounts WHERE avatars <> 0 AND id IN (" OBSERVEES_ROOTS_OF("?1") ") LIMIT 1";

inline constexpr char kIsRoot[] = "SELECT 1 FROM accounts WHERE id = ?1 AND parent_id IS NULL";
// The unique index on logins covers every non-deleted login, suspended ones included.
inline constexpr char kLoginTaken[] =
    "SELECT 1 FROM logins WHERE account_id = ?1 AND unique_id_folded = ?2 AND workflow_state <> 'deleted'";
inline constexpr char kInsertUser[] =
    "INSERT INTO users (name, sortable_name, short_name, created_at, workflow_state) "
    "VALUES (?1, ?2, ?3, ?4, 'registered') RETURNING id";
inline constexpr char kInsertLogin[] =
    "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded, password_hash, workflow_state) "
    "VALUES (?1, ?2, ?3, ?4, ?5, 'active')";
inline constexpr char kDeleteLogins[] = "DELETE FROM logins WHERE user_id = ?1";
inline constexpr char kDeleteUser[] = "DELETE FROM users WHERE id = ?1";

}  // namespace directory_sql

template <typename Db>
class RelationalDirectory final : public UserDirectory {
 public:
  explicit RelationalDirectory(std::shared_ptr<Db> db) : db_(std::move(db)) {}

  Result<std::optional<User>> FindUser(UserId id) override {
    return GuardStorage("FindUser", [&]() -> Result<std::optional<User>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(directory_sql::kFindUser, id);
      if (!row.Next()) return std::optional<User>();
      return std::optional<User>(ReadUser(row));
    });
  }

  Result<std::optional<UserId>> FindUserBySisId(std::string_view sis_user_id) override {
    return GuardStorage("FindUserBySisId", [&]() -> Result<std::optional<UserId>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(directory_sql::kFindUserBySisId, sis_user_id);
      if (!row.Next()) return std::optional<UserId>();
      return std::optional<UserId>(row.Int(0));
    });
  }

  Result<std::optional<UserId>> FindUserBySisIdInRootAccount(std::string_view sis_user_id,
                                                             AccountId root_account) override {
    return GuardStorage("FindUserBySisIdInRootAccount", [&]() -> Result<std::optional<UserId>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(directory_sql::kFindUserBySisIdInRoot, sis_user_id, root_account);
      if (!row.Next()) return std::optional<UserId>();
      return std::optional<UserId>(row.Int(0));
    });
  }

  Result<std::vector<User>> FindUsers(std::span<const UserId> ids) override {
    return GuardStorage("FindUsers", [&]() -> Result<std::vector<User>> {
      std::vector<User> users;
      if (ids.empty()) return users;
      auto lease = db_->Acquire();
      auto rows = lease->Query(directory_sql::kFindUsers<Dialect>.data(), IdArray{ids});
      while (rows.Next()) users.push_back(ReadUser(rows));
      return users;
    });
  }

  Result<std::optional<Account>> FindAccount(AccountId id) override {
    return GuardStorage("FindAccount", [&]() -> Result<std::optional<Account>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(directory_sql::kFindAccount, id);
      if (!row.Next()) return std::optional<Account>();
      Account account;
      account.id = row.Int(0);
      account.name = row.Text(1);
      account.parent_id = row.OptionalInt(2);
      account.root_account_id = row.Int(3);
      const std::string self_registration = row.Text(4);
      account.self_registration = self_registration == "all"        ? SelfRegistration::kAll
                                  : self_registration == "observer" ? SelfRegistration::kObserver
                                                                    : SelfRegistration::kNone;
      account.avatars = row.Flag(5);
      return std::optional<Account>(std::move(account));
    });
  }

  Result<std::vector<AccountId>> RootAccountIds() override {
    return GuardStorage("RootAccountIds", [&]() -> Result<std::vector<AccountId>> {
      auto lease = db_->Acquire();
      return Ids(lease->Query(directory_sql::kRootAccountIds));
    });
  }

  Result<std::optional<AccountId>> RootAccountForDomain(std::string_view host) override {
    return GuardStorage("RootAccountForDomain", [&]() -> Result<std::optional<AccountId>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(directory_sql::kRootAccountForDomain, FoldUniqueId(host));  // stored in lowercase
      if (!row.Next()) return std::optional<AccountId>();
      return std::optional<AccountId>(row.Int(0));
    });
  }

  Result<std::vector<AccountId>> RootAccountsOf(UserId user) override {
    return GuardStorage("RootAccountsOf", [&]() -> Result<std::vector<AccountId>> {
      auto lease = db_->Acquire();
      return Ids(lease->Query(directory_sql::kRootAccountsOf, user));
    });
  }

  Result<bool> HasRootAccountPermission(UserId actor, AccountId root_account, Permission permission) override {
    return GuardStorage("HasRootAccountPermission", [&]() -> Result<bool> {
      auto lease = db_->Acquire();
      return lease->Query(directory_sql::kHasRootPermission, actor, root_account, PermissionName(permission)).Next();
    });
  }

  Result<std::vector<AccountId>> RootAccountsWithPermission(UserId actor, UserId user, Permission permission) override {
    return GuardStorage("RootAccountsWithPermission", [&]() -> Result<std::vector<AccountId>> {
      auto lease = db_->Acquire();
      return Ids(lease->Query(directory_sql::kRootsWithPermission, actor, user, PermissionName(permission)));
    });
  }

  Result<bool> HasPermissionInCoursesOf(UserId actor, UserId student, Permission permission) override {
    return GuardStorage("HasPermissionInCoursesOf", [&]() -> Result<bool> {
      auto lease = db_->Acquire();
      return lease->Query(directory_sql::kCoursesPermission, actor, student, PermissionName(permission)).Next();
    });
  }

  Result<bool> HasAccountChainPermission(UserId actor, AccountId account, Permission permission) override {
    return GuardStorage("HasAccountChainPermission", [&]() -> Result<bool> {
      auto lease = db_->Acquire();
      return lease->Query(directory_sql::kChainPermission, actor, account, PermissionName(permission)).Next();
    });
  }

  Result<bool> HasStudentEnrollment(UserId user) override {
    return GuardStorage("HasStudentEnrollment", [&]() -> Result<bool> {
      auto lease = db_->Acquire();
      return lease->Query(directory_sql::kHasStudentEnrollment, user).Next();
    });
  }

  Result<bool> AvatarsEnabledFor(UserId user) override {
    return GuardStorage("AvatarsEnabledFor", [&]() -> Result<bool> {
      auto lease = db_->Acquire();
      return lease->Query(directory_sql::kAvatarsEnabledFor, user).Next();
    });
  }

  Result<UserId> CreateUser(const NewUser& user, Timestamp now) override {
    return GuardStorage("CreateUser", [&]() -> Result<UserId> {
      if (user.unique_id.empty()) return InvalidArgument("unique_id must not be empty", "pseudonym[unique_id]");
      // Argon2id runs before a connection or the write lock is taken.
      Result<std::string> hash = secrets::HashPassword(user.password, db_->password_hashing());
      if (!hash.ok()) return hash.status();
      const std::string folded = FoldUniqueId(user.unique_id);

      auto txn = db_->BeginWrite();
      auto& conn = txn.conn();
      if (!conn.Query(directory_sql::kIsRoot, user.root_account_id).Next()) {
        return NotFound("root account " + std::to_string(user.root_account_id) + " does not exist");
      }
      if (conn.Query(directory_sql::kLoginTaken, user.root_account_id, folded).Next()) return UniqueIdTaken();
      UserId id = 0;
      {
        auto inserted = conn.Query(directory_sql::kInsertUser, user.name, user.sortable_name, user.short_name, now);
        if (!inserted.Next()) return Internal("the new user has no id");
        id = inserted.Int(0);
      }
      try {
        conn.Exec(directory_sql::kInsertLogin, id, user.root_account_id, user.unique_id, folded, *hash);
      } catch (const StorageError& e) {
        // A concurrent CreateUser (on another PostgreSQL server) committed the same login after the
        // check: the unique index refused ours. The transaction rolls back with `txn`.
        if (e.unique_violation()) return UniqueIdTaken();
        throw;
      }
      txn.Commit();
      return id;
    });
  }

  Status DeleteNewUser(UserId user) override {
    return GuardStorage("DeleteNewUser", [&]() -> Status {
      auto txn = db_->BeginWrite();
      txn.conn().Exec(directory_sql::kDeleteLogins, user);
      if (txn.conn().Exec(directory_sql::kDeleteUser, user) == 0) {
        return NotFound("user " + std::to_string(user) + " does not exist");
      }
      txn.Commit();
      return Status::Ok();
    });
  }

 private:
  using Dialect = typename Db::Dialect;

  template <typename Rows>
  static std::vector<AccountId> Ids(Rows rows) {
    std::vector<AccountId> ids;
    while (rows.Next()) ids.push_back(rows.Int(0));
    return ids;
  }

  static Status UniqueIdTaken() {
    return Status(StatusCode::kAlreadyExists, "unique_id is already in use in this account", "pseudonym[unique_id]");
  }

  std::shared_ptr<Db> db_;
};

}  // namespace observees::storage
