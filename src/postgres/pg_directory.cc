#include "postgres/pg_directory.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "admin_permissions.h"
#include "secrets.h"
#include "unique_id.h"
#include "unix_seconds.h"

namespace observees {
namespace {

// Account chains deeper than this are treated as cut off, as in SqliteDirectory.
constexpr int kMaxAccountDepth = 64;


// A 0/1 flag column; nullopt for NULL.
std::optional<bool> OptionalFlag(const PgResult& r, int row, int column) {
  const std::optional<std::int64_t> value = r.OptionalInt(row, column);
  if (!value) return std::nullopt;
  return *value != 0;
}

// Ids in PostgreSQL's array literal form ("{1,2,3}"), bound as one `$n::bigint[]` parameter.
std::string BigintArray(std::span<const UserId> ids) {
  std::string array = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) array += ',';
    array += std::to_string(ids[i]);
  }
  array += '}';
  return array;
}

constexpr char kFindUserSql[] =
    "SELECT id, name, sortable_name, short_name, created_at, sis_user_id, avatar_url, pronouns, workflow_state "
    "FROM users WHERE id = $1";
constexpr char kFindUsersSql[] =
    "SELECT id, name, sortable_name, short_name, created_at, sis_user_id, avatar_url, pronouns, workflow_state "
    "FROM users WHERE id = ANY($1::bigint[]) ORDER BY id";

// Reads row `row` of kFindUserSql / kFindUsersSql.
User ReadUser(const PgResult& r, int row) {
  User user;
  user.id = r.Int(row, 0);
  user.name = r.Text(row, 1);
  user.sortable_name = r.Text(row, 2);
  user.short_name = r.Text(row, 3);
  user.created_at = FromSeconds(r.Int(row, 4));
  user.sis_user_id = r.OptionalText(row, 5);
  user.avatar_url = r.OptionalText(row, 6);
  user.pronouns = r.OptionalText(row, 7);
  user.deleted = r.Text(row, 8) == "deleted";
  return user;
}

// The account and its ancestors, nearest first.
constexpr char kAncestorsSql[] = R"sql(
WITH RECURSIVE chain(id, depth) AS (
  SELECT $1::bigint, 0
  UNION ALL
  SELECT a.parent_id, chain.depth + 1 FROM chain JOIN accounts a ON a.id = chain.id
  WHERE a.parent_id IS NOT NULL AND chain.depth < $2::integer)
SELECT id FROM chain ORDER BY depth)sql";

// The nearest role override for (role, permission) on the account or its ancestors.
constexpr char kNearestOverrideSql[] = R"sql(
WITH RECURSIVE chain(id, depth) AS (
  SELECT $1::bigint, 0
  UNION ALL
  SELECT a.parent_id, chain.depth + 1 FROM chain JOIN accounts a ON a.id = chain.id
  WHERE a.parent_id IS NOT NULL AND chain.depth < $4::integer)
SELECT o.enabled FROM chain JOIN role_overrides o ON o.account_id = chain.id
WHERE o.role = $2 AND o.permission = $3
ORDER BY chain.depth LIMIT 1)sql";

std::vector<AccountId> Ancestors(PgConnection& conn, AccountId account) {
  const PgResult r = conn.Exec(kAncestorsSql, PgParams().Int(account).Int(kMaxAccountDepth));
  std::vector<AccountId> chain;
  for (int i = 0; i < r.rows(); ++i) chain.push_back(r.Int(i, 0));
  return chain;
}

std::optional<bool> NearestOverride(PgConnection& conn, AccountId account, const std::string& role,
                                    Permission permission) {
  const PgResult r = conn.Exec(
      kNearestOverrideSql, PgParams().Int(account).Text(role).Text(PermissionName(permission)).Int(kMaxAccountDepth));
  if (r.empty()) return std::nullopt;
  return r.Int(0, 0) != 0;
}

constexpr char kAdminRowsSql[] =
    "SELECT account_id, role, manage_user_observers, generate_observer_pairing_code FROM admins "
    "WHERE user_id = $1 AND workflow_state = 'active'";
constexpr char kAdminRowsOnAccountSql[] =
    "SELECT account_id, role, manage_user_observers, generate_observer_pairing_code FROM admins "
    "WHERE user_id = $1 AND account_id = $2 AND workflow_state = 'active'";

std::vector<AdminRow> ReadAdminRows(const PgResult& r) {
  std::vector<AdminRow> rows;
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back(AdminRow{r.Int(i, 0), r.Text(i, 1), OptionalFlag(r, i, 2), OptionalFlag(r, i, 3)});
  }
  return rows;
}

// admin_permissions.h's rule, with the overrides read through `conn`.
bool AdminHolds(PgConnection& conn, const AdminRow& admin, Permission permission) {
  return EffectivePermission(admin, permission, [&](AccountId account, const std::string& role, Permission p) {
    return NearestOverride(conn, account, role, p);
  });
}

// Rule 27: roots through active logins, enrollments that are not deleted, rejected or student view,
// and active admin memberships.
constexpr char kRootAccountsOfSql[] = R"sql(
SELECT a.root_account_id FROM logins l JOIN accounts a ON a.id = l.account_id
WHERE l.user_id = $1 AND l.workflow_state = 'active'
UNION
SELECT c.root_account_id FROM enrollments e JOIN courses c ON c.id = e.course_id
WHERE e.user_id = $1 AND e.workflow_state NOT IN ('deleted', 'rejected') AND e.type <> 'StudentViewEnrollment'
UNION
SELECT a.root_account_id FROM admins ad JOIN accounts a ON a.id = ad.account_id
WHERE ad.user_id = $1 AND ad.workflow_state = 'active'
ORDER BY 1)sql";

std::vector<AccountId> RootAccountsWith(PgConnection& conn, UserId user) {
  const PgResult r = conn.Exec(kRootAccountsOfSql, PgParams().Int(user));
  std::vector<AccountId> roots;
  for (int i = 0; i < r.rows(); ++i) roots.push_back(r.Int(i, 0));
  return roots;
}

SelfRegistration SelfRegistrationOf(const std::string& text) {
  if (text == "all") return SelfRegistration::kAll;
  if (text == "observer") return SelfRegistration::kObserver;
  return SelfRegistration::kNone;
}

Status UniqueIdTaken() {
  return Status(StatusCode::kAlreadyExists, "unique_id is already in use in this account", "pseudonym[unique_id]");
}

}  // namespace

Result<std::optional<User>> PgDirectory::FindUser(UserId id) {
  return GuardStorage("FindUser", [&]() -> Result<std::optional<User>> {
    auto lease = db_->Acquire();
    const PgResult r = lease->Exec(kFindUserSql, PgParams().Int(id));
    if (r.empty()) return std::optional<User>();
    return std::optional<User>(ReadUser(r, 0));
  });
}

Result<std::optional<UserId>> PgDirectory::FindUserBySisId(std::string_view sis_user_id) {
  static constexpr char kSql[] = "SELECT id FROM users WHERE sis_user_id = $1 AND workflow_state <> 'deleted'";
  return GuardStorage("FindUserBySisId", [&]() -> Result<std::optional<UserId>> {
    auto lease = db_->Acquire();
    const PgResult r = lease->Exec(kSql, PgParams().Text(sis_user_id));
    if (r.empty()) return std::optional<UserId>();
    return std::optional<UserId>(r.Int(0, 0));
  });
}

Result<std::vector<User>> PgDirectory::FindUsers(std::span<const UserId> ids) {
  return GuardStorage("FindUsers", [&]() -> Result<std::vector<User>> {
    std::vector<User> users;
    if (ids.empty()) return users;
    auto lease = db_->Acquire();
    const PgResult r = lease->Exec(kFindUsersSql, PgParams().Text(BigintArray(ids)));
    for (int i = 0; i < r.rows(); ++i) users.push_back(ReadUser(r, i));
    return users;
  });
}

Result<std::optional<Account>> PgDirectory::FindAccount(AccountId id) {
  static constexpr char kSql[] =
      "SELECT id, name, parent_id, root_account_id, self_registration, avatars FROM accounts WHERE id = $1";
  return GuardStorage("FindAccount", [&]() -> Result<std::optional<Account>> {
    auto lease = db_->Acquire();
    const PgResult r = lease->Exec(kSql, PgParams().Int(id));
    if (r.empty()) return std::optional<Account>();
    Account account;
    account.id = r.Int(0, 0);
    account.name = r.Text(0, 1);
    account.parent_id = r.OptionalInt(0, 2);
    account.root_account_id = r.Int(0, 3);
    account.self_registration = SelfRegistrationOf(r.Text(0, 4));
    account.avatars = r.Int(0, 5) != 0;
    return std::optional<Account>(std::move(account));
  });
}

Result<std::vector<AccountId>> PgDirectory::RootAccountIds() {
  static constexpr char kSql[] = "SELECT id FROM accounts WHERE parent_id IS NULL ORDER BY id";
  return GuardStorage("RootAccountIds", [&]() -> Result<std::vector<AccountId>> {
    auto lease = db_->Acquire();
    const PgResult r = lease->Exec(kSql);
    std::vector<AccountId> ids;
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.Int(i, 0));
    return ids;
  });
}

Result<std::optional<AccountId>> PgDirectory::RootAccountForDomain(std::string_view host) {
  static constexpr char kSql[] =
      "SELECT a.root_account_id FROM account_domains d JOIN accounts a ON a.id = d.account_id WHERE d.domain = $1";
  return GuardStorage("RootAccountForDomain", [&]() -> Result<std::optional<AccountId>> {
    auto lease = db_->Acquire();
    const PgResult r = lease->Exec(kSql, PgParams().Text(FoldUniqueId(host)));  // domains are stored in lowercase
    if (r.empty()) return std::optional<AccountId>();
    return std::optional<AccountId>(r.Int(0, 0));
  });
}

Result<std::vector<AccountId>> PgDirectory::RootAccountsOf(UserId user) {
  return GuardStorage("RootAccountsOf", [&]() -> Result<std::vector<AccountId>> {
    auto lease = db_->Acquire();
    return RootAccountsWith(*lease, user);
  });
}

Result<bool> PgDirectory::HasRootAccountPermission(UserId actor, AccountId root_account, Permission permission) {
  return GuardStorage("HasRootAccountPermission", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    const std::vector<AdminRow> admins =
        ReadAdminRows(lease->Exec(kAdminRowsOnAccountSql, PgParams().Int(actor).Int(root_account)));
    for (const AdminRow& admin : admins) {
      if (AdminHolds(*lease, admin, permission)) return true;
    }
    return false;
  });
}

Result<bool> PgDirectory::HasPermissionInCoursesOf(UserId actor, UserId student, Permission permission) {
  // The accounts of the non-deleted courses where the student has a non-deleted enrollment.
  static constexpr char kStudentCoursesSql[] = R"sql(
SELECT DISTINCT c.account_id FROM enrollments e JOIN courses c ON c.id = e.course_id
WHERE e.user_id = $1 AND e.workflow_state <> 'deleted' AND c.workflow_state <> 'deleted')sql";
  // The actor's course roles in those courses that a role override can enable.
  static constexpr char kActorRolesSql[] = R"sql(
SELECT DISTINCT c.account_id, ae.type FROM enrollments se
JOIN courses c ON c.id = se.course_id
JOIN enrollments ae ON ae.course_id = se.course_id
WHERE se.user_id = $1 AND se.workflow_state <> 'deleted' AND c.workflow_state <> 'deleted'
  AND ae.user_id = $2 AND ae.workflow_state <> 'deleted'
  AND ae.type IN ('TeacherEnrollment', 'TaEnrollment', 'DesignerEnrollment', 'ObserverEnrollment'))sql";

  return GuardStorage("HasPermissionInCoursesOf", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    std::vector<AccountId> course_accounts;
    {
      const PgResult r = lease->Exec(kStudentCoursesSql, PgParams().Int(student));
      for (int i = 0; i < r.rows(); ++i) course_accounts.push_back(r.Int(i, 0));
    }
    if (course_accounts.empty()) return false;

    // (a) An admin membership granting the permission on an account of a course's chain.
    std::set<AccountId> granted;
    for (const AdminRow& admin : ReadAdminRows(lease->Exec(kAdminRowsSql, PgParams().Int(actor)))) {
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
    const PgResult roles = lease->Exec(kActorRolesSql, PgParams().Int(student).Int(actor));
    for (int i = 0; i < roles.rows(); ++i) {
      if (NearestOverride(*lease, roles.Int(i, 0), roles.Text(i, 1), permission).value_or(false)) return true;
    }
    return false;
  });
}

Result<bool> PgDirectory::HasAccountChainPermission(UserId actor, AccountId account, Permission permission) {
  return GuardStorage("HasAccountChainPermission", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    const std::vector<AdminRow> admins = ReadAdminRows(lease->Exec(kAdminRowsSql, PgParams().Int(actor)));
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

Result<bool> PgDirectory::HasStudentEnrollment(UserId user) {
  static constexpr char kSql[] = R"sql(
SELECT 1 FROM enrollments WHERE user_id = $1
  AND type IN ('StudentEnrollment', 'StudentViewEnrollment')
  AND workflow_state NOT IN ('rejected', 'inactive', 'deleted')
LIMIT 1)sql";
  return GuardStorage("HasStudentEnrollment", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    return !lease->Exec(kSql, PgParams().Int(user)).empty();
  });
}

Result<bool> PgDirectory::AvatarsEnabledFor(UserId user) {
  static constexpr char kSql[] = "SELECT avatars FROM accounts WHERE id = $1";
  return GuardStorage("AvatarsEnabledFor", [&]() -> Result<bool> {
    auto lease = db_->Acquire();
    for (AccountId root : RootAccountsWith(*lease, user)) {
      const PgResult r = lease->Exec(kSql, PgParams().Int(root));
      if (!r.empty() && r.Int(0, 0) != 0) return true;
    }
    return false;
  });
}

Result<UserId> PgDirectory::CreateUser(const NewUser& user, Timestamp now) {
  static constexpr char kIsRootSql[] = "SELECT 1 FROM accounts WHERE id = $1 AND parent_id IS NULL";
  // logins_unique_id covers every non-deleted login, suspended ones included.
  static constexpr char kLoginTakenSql[] =
      "SELECT 1 FROM logins WHERE account_id = $1 AND unique_id_folded = $2 AND workflow_state <> 'deleted'";
  static constexpr char kInsertUserSql[] =
      "INSERT INTO users (name, sortable_name, short_name, created_at, workflow_state) "
      "VALUES ($1, $2, $3, $4, 'registered') RETURNING id";
  static constexpr char kInsertLoginSql[] =
      "INSERT INTO logins (user_id, account_id, unique_id, unique_id_folded, password_hash, workflow_state) "
      "VALUES ($1, $2, $3, $4, $5, 'active')";

  return GuardStorage("CreateUser", [&]() -> Result<UserId> {
    if (user.unique_id.empty()) return InvalidArgument("unique_id must not be empty", "pseudonym[unique_id]");
    // Argon2id runs before a connection is taken.
    Result<std::string> hash = secrets::HashPassword(user.password, db_->password_hashing());
    if (!hash.ok()) return hash.status();
    const std::string folded = FoldUniqueId(user.unique_id);

    auto txn = db_->BeginWrite();
    PgConnection& conn = txn.conn();
    if (conn.Exec(kIsRootSql, PgParams().Int(user.root_account_id)).empty()) {
      return NotFound("root account " + std::to_string(user.root_account_id) + " does not exist");
    }
    if (!conn.Exec(kLoginTakenSql, PgParams().Int(user.root_account_id).Text(folded)).empty()) {
      return UniqueIdTaken();
    }
    const UserId id =
        conn.Exec(kInsertUserSql,
                  PgParams().Text(user.name).Text(user.sortable_name).Text(user.short_name).Int(ToSeconds(now)))
            .Int(0, 0);
    try {
      conn.Exec(kInsertLoginSql,
                PgParams().Int(id).Int(user.root_account_id).Text(user.unique_id).Text(folded).Text(*hash));
    } catch (const PgError& e) {
      // A concurrent CreateUser committed the same login after our check: logins_unique_id refused
      // ours. The transaction is aborted and rolls back with `txn`.
      if (e.IsUniqueViolation()) return UniqueIdTaken();
      throw;
    }
    txn.Commit();
    return id;
  });
}

Status PgDirectory::DeleteNewUser(UserId user) {
  static constexpr char kDeleteLoginsSql[] = "DELETE FROM logins WHERE user_id = $1";
  static constexpr char kDeleteUserSql[] = "DELETE FROM users WHERE id = $1";
  return GuardStorage("DeleteNewUser", [&]() -> Status {
    auto txn = db_->BeginWrite();
    txn.conn().Exec(kDeleteLoginsSql, PgParams().Int(user));
    if (txn.conn().Exec(kDeleteUserSql, PgParams().Int(user)).Affected() == 0) {
      return NotFound("user " + std::to_string(user) + " does not exist");
    }
    txn.Commit();
    return Status::Ok();
  });
}

}  // namespace observees
