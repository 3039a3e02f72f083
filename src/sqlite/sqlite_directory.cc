#include "sqlite/sqlite_directory.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "admin_permissions.h"
#include "secrets.h"
#include "unique_id.h"
#include "unix_seconds.h"

namespace observees {
namespace {

// Account chains deeper than this are treated as cut off (the fixture loader refuses cycles; this
// only bounds a walk over a hand-edited database).
constexpr int kMaxAccountDepth = 64;

std::optional<std::string> OptionalText(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

constexpr char kFindUserSql[] =
    "SELECT id, name, sortable_name, short_name, created_at, sis_user_id, avatar_url, pronouns, workflow_state "
    "FROM users WHERE id = ?1";
constexpr char kFindUsersSql[] =
    "SELECT id, name, sortable_name, short_name, created_at, sis_user_id, avatar_url, pronouns, workflow_state "
    "FROM users WHERE id IN (SELECT value FROM json_each(?1))";

// Reads a row of kFindUserSql / kFindUsersSql.
User ReadUser(SQLite::Statement& row) {
  User user;
  user.id = row.getColumn(0).getInt64();
  user.name = row.getColumn(1).getString();
  user.sortable_name = row.getColumn(2).getString();
  user.short_name = row.getColumn(3).getString();
  user.created_at = FromSeconds(row.getColumn(4).getInt64());
  user.sis_user_id = OptionalText(row.getColumn(5));
  user.avatar_url = OptionalText(row.getColumn(6));
  user.pronouns = OptionalText(row.getColumn(7));
  user.deleted = row.getColumn(8).getString() == "deleted";
  return user;
}

// The account and its ancestors, nearest first.
constexpr char kAncestorsSql[] = R"sql(
WITH RECURSIVE chain(id, depth) AS (
  SELECT ?1, 0
  UNION ALL
  SELECT a.parent_id, chain.depth + 1 FROM chain JOIN accounts a ON a.id = chain.id
  WHERE a.parent_id IS NOT NULL AND chain.depth < ?2)
SELECT id FROM chain ORDER BY depth)sql";

// One step of the walk up an account chain: the account's role override for (role, permission), if
// any, and its parent. Point lookups on both primary keys, where a recursive CTE would build a queue and
// a sorter on every call.
constexpr char kOverrideStepSql[] =
    "SELECT (SELECT enabled FROM role_overrides WHERE account_id = ?1 AND role = ?2 AND permission = ?3), "
    "(SELECT parent_id FROM accounts WHERE id = ?1)";

std::vector<AccountId> Ancestors(SqliteConnection& conn, AccountId account) {
  ScopedStatement q(conn, kAncestorsSql);
  q->bind(1, account);
  q->bind(2, kMaxAccountDepth);
  std::vector<AccountId> chain;
  while (q->executeStep()) chain.push_back(q->getColumn(0).getInt64());
  return chain;
}

// The nearest role override for (role, permission) on the account or its ancestors, up to
// kMaxAccountDepth levels above it.
std::optional<bool> NearestOverride(SqliteConnection& conn, AccountId account, const std::string& role,
                                    Permission permission) {
  const std::string permission_name(PermissionName(permission));
  std::optional<AccountId> at = account;
  for (int depth = 0; at && depth <= kMaxAccountDepth; ++depth) {
    ScopedStatement q(conn, kOverrideStepSql);
    q->bind(1, *at);
    q->bind(2, role);
    q->bind(3, permission_name);
    q->executeStep();  // one row, always
    if (!q->getColumn(0).isNull()) return q->getColumn(0).getInt64() != 0;
    at.reset();
    if (!q->getColumn(1).isNull()) at = q->getColumn(1).getInt64();
  }
  return std::nullopt;
}

constexpr char kAdminRowsSql[] =
    "SELECT account_id, role, manage_user_observers, generate_observer_pairing_code FROM admins "
    "WHERE user_id = ?1 AND workflow_state = 'active'";
constexpr char kAdminRowsOnAccountSql[] =
    "SELECT account_id, role, manage_user_observers, generate_observer_pairing_code FROM admins "
    "WHERE user_id = ?1 AND account_id = ?2 AND workflow_state = 'active'";

std::optional<bool> OptionalBool(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64() != 0;
}

std::vector<AdminRow> ReadAdminRows(SQLite::Statement& q) {
  std::vector<AdminRow> rows;
  while (q.executeStep()) {
    rows.push_back(AdminRow{q.getColumn(0).getInt64(), q.getColumn(1).getString(), OptionalBool(q.getColumn(2)),
                            OptionalBool(q.getColumn(3))});
  }
  return rows;
}

// admin_permissions.h's rule, with the overrides read through `conn`.
bool AdminHolds(SqliteConnection& conn, const AdminRow& admin, Permission permission) {
  return EffectivePermission(admin, permission, [&](AccountId account, const std::string& role, Permission p) {
    return NearestOverride(conn, account, role, p);
  });
}

// Rule 27: roots through active logins, enrollments that are not deleted, rejected or student view,
// and active admin memberships.
constexpr char kRootAccountsOfSql[] = R"sql(
SELECT a.root_account_id FROM logins l JOIN accounts a ON a.id = l.account_id
WHERE l.user_id = ?1 AND l.workflow_state = 'active'
UNION
SELECT c.root_account_id FROM enrollments e JOIN courses c ON c.id = e.course_id
WHERE e.user_id = ?1 AND e.workflow_state NOT IN ('deleted', 'rejected') AND e.type <> 'StudentViewEnrollment'
UNION
SELECT a.root_account_id FROM admins ad JOIN accounts a ON a.id = ad.account_id
WHERE ad.user_id = ?1 AND ad.workflow_state = 'active'
ORDER BY 1)sql";

std::vector<AccountId> RootAccountsWith(SqliteConnection& conn, UserId user) {
  ScopedStatement q(conn, kRootAccountsOfSql);
  q->bind(1, user);
  std::vector<AccountId> roots;
  while (q->executeStep()) roots.push_back(q->getColumn(0).getInt64());
  return roots;
}

}  // namespace

Result<std::optional<User>> SqliteDirectory::FindUser(UserId id) {
  return GuardStorage("FindUser", [&]() -> Result<std::optional<User>> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kFindUserSql);
    q->bind(1, id);
    if (!q->executeStep()) return std::optional<User>();
    return std::optional<User>(ReadUser(*q));
  });
}

Result<std::optional<UserId>> SqliteDirectory::FindUserBySisId(std::string_view sis_user_id) {
  static constexpr char kSql[] = "SELECT id FROM users WHERE sis_user_id = ?1 AND workflow_state <> 'deleted'";
  return GuardStorage("FindUserBySisId", [&]() -> Result<std::optional<UserId>> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kSql);
    q->bind(1, std::string(sis_user_id));
    if (!q->executeStep()) return std::optional<UserId>();
    return std::optional<UserId>(q->getColumn(0).getInt64());
  });
}

Result<std::vector<User>> SqliteDirectory::FindUsers(std::span<const UserId> ids) {
  return GuardStorage("FindUsers", [&]() -> Result<std::vector<User>> {
    std::vector<User> users;
    if (ids.empty()) return users;
    // The ids travel as one bound JSON array, never as SQL text.
    std::string array = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) array += ',';
      array += std::to_string(ids[i]);
    }
    array += ']';
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kFindUsersSql);
    q->bind(1, array);
    while (q->executeStep()) users.push_back(ReadUser(*q));
    return users;
  });
}

Result<std::optional<Account>> SqliteDirectory::FindAccount(AccountId id) {
  static constexpr char kSql[] =
      "SELECT id, name, parent_id, root_account_id, self_registration, avatars FROM accounts WHERE id = ?1";
  return GuardStorage("FindAccount", [&]() -> Result<std::optional<Account>> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kSql);
    q->bind(1, id);
    if (!q->executeStep()) return std::optional<Account>();
    Account account;
    account.id = q->getColumn(0).getInt64();
    account.name = q->getColumn(1).getString();
    if (!q->getColumn(2).isNull()) account.parent_id = q->getColumn(2).getInt64();
    account.root_account_id = q->getColumn(3).getInt64();
    const std::string self_registration = q->getColumn(4).getString();
    account.self_registration = self_registration == "all"        ? SelfRegistration::kAll
                                : self_registration == "observer" ? SelfRegistration::kObserver
                                                                  : SelfRegistration::kNone;
    account.avatars = q->getColumn(5).getInt64() != 0;
    return std::optional<Account>(std::move(account));
  });
}

Result<std::vector<AccountId>> SqliteDirectory::RootAccountIds() {
  static constexpr char kSql[] = "SELECT id FROM accounts WHERE parent_id IS NULL ORDER BY id";
  return GuardStorage("RootAccountIds", [&]() -> Result<std::vector<AccountId>> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kSql);
    std::vector<AccountId> ids;
    while (q->executeStep()) ids.push_back(q->getColumn(0).getInt64());
    return ids;
  });
}

Result<std::optional<AccountId>> SqliteDirectory::RootAccountForDomain(std::string_view host) {
  static constexpr char kSql[] =
      "SELECT a.root_account_id FROM account_domains d JOIN accounts a ON a.id = d.account_id WHERE d.domain = ?1";
  return GuardStorage("RootAccountForDomain", [&]() -> Result<std::optional<AccountId>> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kSql);
    q->bind(1, FoldUniqueId(host));  // domains are stored in lowercase
    if (!q->executeStep()) return std::optional<AccountId>();
    return std::optional<AccountId>(q->getColumn(0).getInt64());
  });
}

Result<std::vector<AccountId>> SqliteDirectory::RootAccountsOf(UserId user) {
  return GuardStorage("RootAccountsOf", [&]() -> Result<std::vector<AccountId>> {
    auto lease = db_->Acquire();
    return RootAccountsWith(*lease, user);
  });
}

Result<bool> SqliteDirectory::HasRootAccountPermission(UserId actor, AccountId root_account, Permission permission) {
  return GuardStorage("HasRootAccountPermission", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    std::vector<AdminRow> admins;
    {
      ScopedStatement q(*lease, kAdminRowsOnAccountSql);
      q->bind(1, actor);
      q->bind(2, root_account);
      admins = ReadAdminRows(*q);
    }
    for (const AdminRow& admin : admins) {
      if (AdminHolds(*lease, admin, permission)) return true;
    }
    return false;
  });
}

Result<bool> SqliteDirectory::HasPermissionInCoursesOf(UserId actor, UserId student, Permission permission) {
  // The non-deleted courses where the student has a non-deleted enrollment, with their accounts.
  static constexpr char kStudentCoursesSql[] = R"sql(
SELECT DISTINCT c.account_id FROM enrollments e JOIN courses c ON c.id = e.course_id
WHERE e.user_id = ?1 AND e.workflow_state <> 'deleted' AND c.workflow_state <> 'deleted')sql";
  // The actor's course roles in those courses that a role override can enable.
  static constexpr char kActorRolesSql[] = R"sql(
SELECT DISTINCT c.account_id, ae.type FROM enrollments se
JOIN courses c ON c.id = se.course_id
JOIN enrollments ae ON ae.course_id = se.course_id
WHERE se.user_id = ?1 AND se.workflow_state <> 'deleted' AND c.workflow_state <> 'deleted'
  AND ae.user_id = ?2 AND ae.workflow_state <> 'deleted'
  AND ae.type IN ('TeacherEnrollment', 'TaEnrollment', 'DesignerEnrollment', 'ObserverEnrollment'))sql";

  return GuardStorage("HasPermissionInCoursesOf", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    std::vector<AccountId> course_accounts;
    {
      ScopedStatement q(*lease, kStudentCoursesSql);
      q->bind(1, student);
      while (q->executeStep()) course_accounts.push_back(q->getColumn(0).getInt64());
    }
    if (course_accounts.empty()) return false;

    // (a) An admin membership granting the permission on an account of a course's chain.
    std::vector<AdminRow> admins;
    {
      ScopedStatement q(*lease, kAdminRowsSql);
      q->bind(1, actor);
      admins = ReadAdminRows(*q);
    }
    std::set<AccountId> granted;
    for (const AdminRow& admin : admins) {
      if (AdminHolds(*lease, admin, permission)) granted.insert(admin.account_id);
    }
    if (!granted.empty()) {
      for (AccountId account : course_accounts) {
        for (AccountId ancestor : Ancestors(*lease, account)) {
          if (granted.contains(ancestor)) return true;
        }
      }
    }

    // (b) A course role of the actor that a role override on the course's chain enables.
    std::vector<std::pair<AccountId, std::string>> roles;
    {
      ScopedStatement q(*lease, kActorRolesSql);
      q->bind(1, student);
      q->bind(2, actor);
      while (q->executeStep()) roles.emplace_back(q->getColumn(0).getInt64(), q->getColumn(1).getString());
    }
    for (const auto& [account, role] : roles) {
      if (NearestOverride(*lease, account, role, permission).value_or(false)) return true;
    }
    return false;
  });
}

Result<bool> SqliteDirectory::HasAccountChainPermission(UserId actor, AccountId account, Permission permission) {
  return GuardStorage("HasAccountChainPermission", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    std::vector<AdminRow> admins;
    {
      ScopedStatement q(*lease, kAdminRowsSql);
      q->bind(1, actor);
      admins = ReadAdminRows(*q);
    }
    if (admins.empty()) return false;
    const std::vector<AccountId> chain = Ancestors(*lease, account);
    for (const AdminRow& admin : admins) {
      if (std::find(chain.begin(), chain.end(), admin.account_id) != chain.end() &&
          AdminHolds(*lease, admin, permission)) {
        return true;
      }
    }
    return false;
  });
}

Result<bool> SqliteDirectory::HasStudentEnrollment(UserId user) {
  static constexpr char kSql[] = R"sql(
SELECT EXISTS (SELECT 1 FROM enrollments WHERE user_id = ?1
  AND type IN ('StudentEnrollment', 'StudentViewEnrollment')
  AND workflow_state NOT IN ('rejected', 'inactive', 'deleted')))sql";
  return GuardStorage("HasStudentEnrollment", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kSql);
    q->bind(1, user);
    q->executeStep();
    return q->getColumn(0).getInt64() != 0;
  });
}

Result<bool> SqliteDirectory::AvatarsEnabledFor(UserId user) {
  static constexpr char kSql[] = "SELECT avatars FROM accounts WHERE id = ?1";
  return GuardStorage("AvatarsEnabledFor", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    for (AccountId root : RootAccountsWith(*lease, user)) {
      ScopedStatement q(*lease, kSql);
      q->bind(1, root);
      if (q->executeStep() && q->getColumn(0).getInt64() != 0) return true;
    }
    return false;
  });
}

Result<UserId> SqliteDirectory::CreateUser(const NewUser& user, Timestamp now) {
  static constexpr char kIsRootSql[] = "SELECT 1 FROM accounts WHERE id = ?1 AND parent_id IS NULL";
  // The unique index on logins covers every non-deleted login, suspended ones included.
  static constexpr char kLoginTakenSql[] =
      "SELECT 1 FROM logins WHERE account_id = ?1 AND unique_id_folded = ?2 AND workflow_state <> 'deleted'";
  static constexpr char kInsertUserSql[] =
      "INSERT INTO users (name, sortable_name, short_name, created_at, workflow_state) "
      "VALUES (?1, ?2, ?3, ?4, 'registered')";
  static constexpr char kInsertLoginSql[] =
      "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded, password_hash, workflow_state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'active')";

  return GuardStorage("CreateUser", [&]() -> Result<UserId> {
    if (user.unique_id.empty()) return InvalidArgument("unique_id must not be empty", "pseudonym[unique_id]");
    // Argon2id runs before the write lock is taken.
    Result<std::string> hash = secrets::HashPassword(user.password, db_->password_hashing());
    if (!hash.ok()) return hash.status();
    const std::string folded = FoldUniqueId(user.unique_id);

    auto txn = db_->BeginWrite();
    SqliteConnection& conn = txn.conn();
    {
      ScopedStatement q(conn, kIsRootSql);
      q->bind(1, user.root_account_id);
      if (!q->executeStep())
        return NotFound("root account " + std::to_string(user.root_account_id) + " does not exist");
    }
    {
      ScopedStatement q(conn, kLoginTakenSql);
      q->bind(1, user.root_account_id);
      q->bind(2, folded);
      if (q->executeStep()) {
        return Status(StatusCode::kAlreadyExists, "unique_id is already in use in this account",
                      "pseudonym[unique_id]");
      }
    }
    UserId id = 0;
    {
      ScopedStatement q(conn, kInsertUserSql);
      q->bind(1, user.name);
      q->bind(2, user.sortable_name);
      q->bind(3, user.short_name);
      q->bind(4, ToSeconds(now));
      q->exec();
      id = conn.db().getLastInsertRowid();
    }
    {
      ScopedStatement q(conn, kInsertLoginSql);
      q->bind(1, id);
      q->bind(2, user.root_account_id);
      q->bind(3, user.unique_id);
      q->bind(4, folded);
      q->bind(5, *hash);
      q->exec();
    }
    txn.Commit();
    return id;
  });
}

Status SqliteDirectory::DeleteNewUser(UserId user) {
  static constexpr char kDeleteLoginsSql[] = "DELETE FROM logins WHERE user_id = ?1";
  static constexpr char kDeleteUserSql[] = "DELETE FROM users WHERE id = ?1";
  return GuardStorage("DeleteNewUser", [&]() -> Status {
    auto txn = db_->BeginWrite();
    {
      ScopedStatement q(txn.conn(), kDeleteLoginsSql);
      q->bind(1, user);
      q->exec();
    }
    {
      ScopedStatement q(txn.conn(), kDeleteUserSql);
      q->bind(1, user);
      if (q->exec() == 0) return NotFound("user " + std::to_string(user) + " does not exist");
    }
    txn.Commit();
    return Status::Ok();
  });
}

}  // namespace observees
