// RelationalLinkStore: LinkStore over the observation_links, pairing_codes, failed_attempts,
// audit_log and sis_imports tables, on any engine Db (engine.h). The atomic rules hold on both engines:
//   - create-or-restore (rule 7) finds the pair's link under a row lock (Dialect::kForUpdate), and
//     inserts with ON CONFLICT DO NOTHING on the (student, observer, root) unique index, finding the
//     winner's row when a concurrent insert came first: never two rows for one triple;
//   - a code is consumed and revoked by one conditional UPDATE (a racing consumer finds nothing);
//   - code uniqueness among active codes (rule 17) and the limiter's count-then-insert take a lock on
//     the code's hash or the limiter key (Dialect::LockKey) for the rest of the transaction.
// Thread-safe if Db is; a transaction belongs to the thread that began it.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "observees/link_store.h"
#include "secrets.h"
#include "storage/admin_permissions.h"
#include "storage/audit_text.h"
#include "storage/records.h"
#include "storage/relational_directory.h"
#include "storage/sql.h"
#include "storage/storage_guard.h"
#include "storage/values.h"

namespace observees::storage {

namespace link_sql {

inline constexpr char kLinksBetween[] =
    "SELECT " OBSERVEES_LINK_COLUMNS " FROM observation_links WHERE student_id = ?1 AND observer_id = ?2 ORDER BY id";
inline constexpr char kActiveLinksInRoot[] = "SELECT " OBSERVEES_LINK_COLUMNS
                                             " FROM observation_links WHERE root_account_id = ?1 AND "
                                             "workflow_state = 'active' AND id > ?2 ORDER BY id LIMIT ?3";
inline constexpr char kActiveLinksOfObserver[] =
    "SELECT " OBSERVEES_LINK_COLUMNS
    " FROM observation_links WHERE observer_id = ?1 AND workflow_state = 'active' ORDER BY id";
inline constexpr char kActiveLinksOfStudent[] =
    "SELECT " OBSERVEES_LINK_COLUMNS
    " FROM observation_links WHERE student_id = ?1 AND workflow_state = 'active' ORDER BY id";

// Rule 7b's match for (student, observer, root): any state, this root account or a legacy NULL root,
// an active one first, then this root's; locked until the transaction ends where the engine locks rows.
template <typename D>
inline constexpr auto kFindLinkForWrite =
    Concat("SELECT " OBSERVEES_LINK_COLUMNS
           " FROM observation_links WHERE student_id = ?1 AND observer_id = ?2 "
           "AND (root_account_id = ?3 OR root_account_id IS NULL) "
           "ORDER BY workflow_state = 'active' DESC, root_account_id IS NULL, id LIMIT 1",
           D::kForUpdate);
inline constexpr char kRestoreLink[] =
    "UPDATE observation_links SET workflow_state = 'active', updated_at = ?1, sis_import_id = ?3 WHERE id = ?2";
// No row when one exists for the triple (a concurrent insert committed first; an uncommitted one is
// waited for).
inline constexpr char kInsertLink[] =
    "INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, created_at, "
    "updated_at, sis_import_id) VALUES (?1, ?2, ?3, 'active', ?4, ?4, ?5) "
    "ON CONFLICT (student_id, observer_id, root_account_id) DO NOTHING RETURNING " OBSERVEES_LINK_COLUMNS;
inline constexpr char kRemoveLink[] =
    "UPDATE observation_links SET workflow_state = 'deleted', updated_at = ?1 WHERE id = ?2 AND workflow_state = "
    "'active'";

inline constexpr char kFindActiveCode[] =
    "SELECT " OBSERVEES_CODE_COLUMNS
    ", code_hash FROM pairing_codes "
    "WHERE code_hash = ?1 AND workflow_state = 'active' AND expires_at > ?2 ORDER BY id LIMIT 1";
inline constexpr char kFindCode[] = "SELECT " OBSERVEES_CODE_COLUMNS " FROM pairing_codes WHERE id = ?1";
// The states of CodeStateAt, selected by the flags ?3 (active) ?4 (used) ?5 (expired) ?6 (revoked).
#define OBSERVEES_CODE_FILTER                                                              \
  " WHERE user_id = ?1 AND ("                                                              \
  "(?3 = 1 AND revoked_at IS NULL AND workflow_state = 'active' AND expires_at > ?2) OR "  \
  "(?4 = 1 AND revoked_at IS NULL AND workflow_state = 'deleted') OR "                     \
  "(?5 = 1 AND revoked_at IS NULL AND workflow_state = 'active' AND expires_at <= ?2) OR " \
  "(?6 = 1 AND revoked_at IS NOT NULL))"
inline constexpr char kCountCodes[] = "SELECT COUNT(*) FROM pairing_codes" OBSERVEES_CODE_FILTER;
inline constexpr char kPageOfCodes[] = "SELECT " OBSERVEES_CODE_COLUMNS " FROM pairing_codes" OBSERVEES_CODE_FILTER
                                       " ORDER BY created_at DESC, id DESC LIMIT ?7 OFFSET ?8";
#undef OBSERVEES_CODE_FILTER
inline constexpr char kConsumeCode[] =
    "UPDATE pairing_codes SET workflow_state = 'deleted', used_by = ?1, used_at = ?2 "
    "WHERE id = ?3 AND workflow_state = 'active' AND expires_at > ?2";
inline constexpr char kRevokeCode[] =
    "UPDATE pairing_codes SET workflow_state = 'deleted', revoked_by = ?1, revoked_at = ?2 "
    "WHERE id = ?3 AND workflow_state = 'active' AND expires_at > ?2";
inline constexpr char kSetCodeLink[] = "UPDATE pairing_codes SET link_id = ?1 WHERE id = ?2";
inline constexpr char kCodeTaken[] =
    "SELECT 1 FROM pairing_codes WHERE code_hash = ?1 AND workflow_state = 'active' AND expires_at > ?2";
inline constexpr char kInsertCode[] =
    "INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state, code_box) "
    "VALUES (?1, ?2, ?3, ?4, 'active', ?5) RETURNING id";

inline constexpr char kPruneAttempts[] = "DELETE FROM failed_attempts WHERE key = ?1 AND at < ?2";
// The oldest few rows of any key, when stale: bounded work per reservation (the primary key's order),
// enough to keep rows of keys never used again from piling up.
inline constexpr char kPruneStaleAttempts[] =
    "DELETE FROM failed_attempts WHERE id IN (SELECT id FROM failed_attempts ORDER BY id LIMIT 8) AND at < ?1";
inline constexpr char kCountAttempts[] = "SELECT COUNT(*) FROM failed_attempts WHERE key = ?1 AND at >= ?2";
inline constexpr char kInsertAttempt[] = "INSERT INTO failed_attempts (key, at) VALUES (?1, ?2) RETURNING id";
inline constexpr char kDeleteAttempt[] = "DELETE FROM failed_attempts WHERE id = ?1";

inline constexpr char kAppendAudit[] =
    "INSERT INTO audit_log (at, actor_id, action, method, student_id, observer_id, root_account_id, link_id, "
    "code_id, sis_import_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

inline constexpr char kNewestSisImport[] =
    "SELECT id FROM sis_imports WHERE root_account_id = ?1 ORDER BY id DESC LIMIT 1";
inline constexpr char kInsertSisImport[] =
    "INSERT INTO sis_imports (root_account_id, user_id, workflow_state, progress, batch_mode, "
    "diffing_data_set_identifier, change_threshold, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id";
inline constexpr char kFinishSisImport[] =
    "UPDATE sis_imports SET workflow_state = ?2, progress = ?3, row_count = ?4, created = ?5, restored = ?6, "
    "deleted = ?7, batch_deleted = ?8, unchanged = ?9, warning_count = ?10, error_count = ?11, message = ?12, "
    "ended_at = ?13, updated_at = ?14 WHERE id = ?1";
inline constexpr char kActiveLinksOfDataSet[] =
    "SELECT " OBSERVEES_LINK_COLUMNS
    " FROM observation_links WHERE root_account_id = ?1 AND "
    "workflow_state = 'active' AND sis_import_id IN "
    "(SELECT s.id FROM sis_imports s WHERE s.root_account_id = ?1 AND s.diffing_data_set_identifier = ?2) "
    "ORDER BY id";
inline constexpr char kFindSisImport[] =
    "SELECT " OBSERVEES_SIS_IMPORT_COLUMNS " FROM sis_imports WHERE root_account_id = ?1 AND id = ?2";
inline constexpr char kListSisImports[] = "SELECT " OBSERVEES_SIS_IMPORT_COLUMNS
                                          " FROM sis_imports WHERE root_account_id = ?1 "
                                          "ORDER BY id DESC LIMIT ?2 OFFSET ?3";
inline constexpr char kReadAudit[] =
    "SELECT " OBSERVEES_AUDIT_COLUMNS " FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2";

}  // namespace link_sql

// The reads a ReadAhead names (link_store.h), sent at once through Connection::Prefetch (which a
// connection paying nothing per statement, SQLite's, ignores). Each line binds exactly what its store
// method binds, or the later call would not find it.
template <typename Connection>
void SendReadAhead(Connection& conn, const ReadAhead& ahead) {
  for (const UserId user : ahead.users) conn.Prefetch(directory_sql::kFindUser, user);
  for (const UserId user : ahead.root_accounts_of) conn.Prefetch(directory_sql::kRootAccountsOf, user);
  for (const auto& [actor, user] : ahead.managed_root_accounts) {
    conn.Prefetch(directory_sql::kRootsWithPermission, actor, user, PermissionName(Permission::kManageUserObservers));
  }
  for (const UserId observer : ahead.links_of_observer) conn.Prefetch(link_sql::kActiveLinksOfObserver, observer);
  for (const UserId student : ahead.links_of_student) conn.Prefetch(link_sql::kActiveLinksOfStudent, student);
  for (const auto& [student, observer] : ahead.links_between) conn.Prefetch(link_sql::kLinksBetween, student, observer);
}

// The rows of a reservation, inside the caller's transaction.
template <typename Connection>
void DeleteAttempts(Connection& conn, const AttemptTicket& ticket) {
  for (const std::int64_t id : ticket.ids) conn.Queue(link_sql::kDeleteAttempt, id);
}

template <typename Db>
class RelationalLinkTransaction final : public LinkTransaction {
 public:
  using Connection = typename Db::Connection;

  RelationalLinkTransaction(Db& db, typename Db::WriteTransaction txn) : db_(db), txn_(std::move(txn)) {}

  // The connection of `txn` when it is one of these, for stores writing through it (enrollments).
  static Connection* ConnectionOf(LinkTransaction& txn) {
    auto* relational = dynamic_cast<RelationalLinkTransaction*>(&txn);
    return relational == nullptr ? nullptr : &relational->conn();
  }
  Connection& conn() { return txn_.conn(); }

  Result<LinkChange> CreateOrRestoreLink(UserId student, UserId observer, AccountId root_account, Timestamp now,
                                         std::optional<std::int64_t> sis_import) override {
    return GuardStorage("CreateOrRestoreLink", [&]() -> Result<LinkChange> {
      if (student == observer) return Status(StatusCode::kSelfObservation, "Cannot observe yourself", "observer_id");
      std::optional<Link> found = FindForWrite(student, observer, root_account);
      if (!found) {
        auto inserted = conn().Query(link_sql::kInsertLink, student, observer, root_account, now, sis_import);
        if (inserted.Next()) return LinkChange{ReadLink(inserted), LinkChange::Kind::kCreated};
        // A concurrent insert won: its committed row is visible to this new statement.
        found = FindForWrite(student, observer, root_account);
        if (!found) return Internal("the conflicting link row is not visible");
      }
      LinkChange change{std::move(*found), LinkChange::Kind::kUnchanged};
      if (change.link.state == LinkState::kActive) return change;
      conn().Queue(link_sql::kRestoreLink, now, change.link.id, sis_import);
      change.link.state = LinkState::kActive;
      change.link.updated_at = now;
      change.kind = LinkChange::Kind::kRestored;
      return change;
    });
  }

  Result<bool> RemoveLink(LinkId link, Timestamp now) override {
    return GuardStorage("RemoveLink",
                        [&]() -> Result<bool> { return conn().Exec(link_sql::kRemoveLink, now, link) == 1; });
  }

  // A racing consumer waits for the row (a lock, or the writer lock), and finds it no longer active.
  Result<bool> ConsumeCode(CodeId code, UserId used_by, Timestamp now) override {
    return GuardStorage("ConsumeCode",
                        [&]() -> Result<bool> { return conn().Exec(link_sql::kConsumeCode, used_by, now, code) == 1; });
  }

  Status SetCodeLink(CodeId code, LinkId link) override {
    return GuardStorage("SetCodeLink", [&]() -> Status {
      conn().Queue(link_sql::kSetCodeLink, link, code);
      return Status::Ok();
    });
  }

  Result<bool> RevokeCode(CodeId code, UserId revoked_by, Timestamp now) override {
    return GuardStorage(
        "RevokeCode", [&]() -> Result<bool> { return conn().Exec(link_sql::kRevokeCode, revoked_by, now, code) == 1; });
  }

  // Rule 17 across writers: the code string's lock is held until this transaction ends, so no other
  // writer can check and insert the same string in between.
  Result<std::optional<CodeId>> InsertCode(UserId student, std::string_view code, Timestamp expires_at,
                                           Timestamp now) override {
    return GuardStorage("InsertCode", [&]() -> Result<std::optional<CodeId>> {
      const std::string hash = db_.HashCode(code);
      Db::Dialect::LockKey(conn(), lock_space::kPairingCode, hash);
      if (conn().Query(link_sql::kCodeTaken, Blob{hash}, now).Next()) return std::optional<CodeId>();
      const std::string box = db_.SealCode(code);
      auto inserted = conn().Query(link_sql::kInsertCode, student, Blob{hash}, now, expires_at, Blob{box});
      if (!inserted.Next()) return Internal("the new pairing code has no id");
      return std::optional<CodeId>(inserted.Int(0));
    });
  }

  Status AppendAudit(const AuditEntry& entry) override {
    return GuardStorage("AppendAudit", [&]() -> Status {
      conn().Queue(link_sql::kAppendAudit, entry.at, entry.actor, AuditActionText(entry.action),
                   LinkMethodText(entry.method), entry.student_id, entry.observer_id, entry.root_account_id,
                   entry.link_id, entry.code_id, entry.sis_import_id);
      return Status::Ok();
    });
  }

  // The lock comes first, so the newest id is read once the previous import of the root committed.
  Result<std::optional<std::int64_t>> BeginSisImport(const SisImportRecord& record,
                                                     std::optional<std::int64_t> newest_seen) override {
    return GuardStorage("BeginSisImport", [&]() -> Result<std::optional<std::int64_t>> {
      Db::Dialect::LockKey(conn(), lock_space::kSisImport, std::to_string(record.root_account_id));
      if (newest_seen) {
        std::int64_t newest = 0;
        if (auto rows = conn().Query(link_sql::kNewestSisImport, record.root_account_id); rows.Next()) {
          newest = rows.Int(0);
        }
        if (newest != *newest_seen) return std::optional<std::int64_t>();
      }
      auto inserted = conn().Query(link_sql::kInsertSisImport, record.root_account_id, record.user_id,
                                   SisImportStateName(record.state), record.progress, record.batch_mode,
                                   record.diffing_data_set_identifier, record.change_threshold, record.created_at);
      if (!inserted.Next()) return Internal("the new SIS import has no id");
      return std::optional<std::int64_t>(inserted.Int(0));
    });
  }

  Status FinishSisImport(const SisImportRecord& record) override {
    return GuardStorage("FinishSisImport", [&]() -> Status {
      conn().Queue(link_sql::kFinishSisImport, record.id, SisImportStateName(record.state), record.progress,
                   record.rows, record.created, record.restored, record.deleted, record.batch_deleted, record.unchanged,
                   record.warning_count, record.error_count, record.message, record.ended_at, record.updated_at);
      return Status::Ok();
    });
  }

  Result<std::vector<Link>> ActiveLinksOfDataSet(AccountId root_account, std::string_view data_set) override {
    return GuardStorage("ActiveLinksOfDataSet", [&]() -> Result<std::vector<Link>> {
      return ReadLinks(conn().Query(link_sql::kActiveLinksOfDataSet, root_account, data_set));
    });
  }

  Status ReleaseAttempt(const AttemptTicket& ticket) override {
    return GuardStorage("ReleaseAttempt", [&]() -> Status {
      DeleteAttempts(conn(), ticket);
      return Status::Ok();
    });
  }

  Status Commit() override {
    return GuardStorage("Commit", [&]() -> Status {
      txn_.Commit();
      return Status::Ok();
    });
  }

 private:
  std::optional<Link> FindForWrite(UserId student, UserId observer, AccountId root) {
    auto found = conn().Query(link_sql::kFindLinkForWrite<typename Db::Dialect>.data(), student, observer, root);
    if (!found.Next()) return std::nullopt;
    return ReadLink(found);
  }

  Db& db_;
  typename Db::WriteTransaction txn_;
};

template <typename Db>
class RelationalLinkStore final : public LinkStore {
 public:
  explicit RelationalLinkStore(std::shared_ptr<Db> db) : db_(std::move(db)) {}

  // CreateOrRestoreLink's row-locking finds that `ahead` names are sent at once.
  Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead) override {
    return GuardStorage("BeginWrite", [&]() -> Result<std::unique_ptr<LinkTransaction>> {
      auto txn = std::make_unique<RelationalLinkTransaction<Db>>(*db_, db_->BeginWrite());
      for (const WriteAhead::Change& change : ahead.links) {
        if (change.removal || !change.root_account) continue;
        txn->conn().Prefetch(link_sql::kFindLinkForWrite<typename Db::Dialect>.data(), change.student, change.observer,
                             *change.root_account);
      }
      return std::unique_ptr<LinkTransaction>(std::move(txn));
    });
  }

  Result<std::vector<Link>> LinksBetween(UserId student, UserId observer) override {
    return GuardStorage("LinksBetween", [&]() -> Result<std::vector<Link>> {
      auto lease = db_->Acquire();
      return ReadLinks(lease->Query(link_sql::kLinksBetween, student, observer));
    });
  }

  Result<std::vector<Link>> ActiveLinksInRootAccount(AccountId root_account, LinkId after_id, int limit) override {
    return GuardStorage("ActiveLinksInRootAccount", [&]() -> Result<std::vector<Link>> {
      auto lease = db_->Acquire();
      return ReadLinks(lease->Query(link_sql::kActiveLinksInRoot, root_account, after_id, limit));
    });
  }

  Result<std::vector<Link>> ActiveLinksOfObserver(UserId observer) override {
    return GuardStorage("ActiveLinksOfObserver", [&]() -> Result<std::vector<Link>> {
      auto lease = db_->Acquire();
      return ReadLinks(lease->Query(link_sql::kActiveLinksOfObserver, observer));
    });
  }

  Result<std::vector<Link>> ActiveLinksOfStudent(UserId student) override {
    return GuardStorage("ActiveLinksOfStudent", [&]() -> Result<std::vector<Link>> {
      auto lease = db_->Acquire();
      return ReadLinks(lease->Query(link_sql::kActiveLinksOfStudent, student));
    });
  }

  Result<std::optional<PairingCodeRecord>> FindActiveCode(std::string_view code, Timestamp now) override {
    return GuardStorage("FindActiveCode", [&]() -> Result<std::optional<PairingCodeRecord>> {
      const std::string hash = db_->HashCode(code);
      auto lease = db_->Acquire();
      auto row = lease->Query(link_sql::kFindActiveCode, Blob{hash}, now);
      if (!row.Next() || !secrets::ConstantTimeEquals(row.Bytes(11), hash)) {
        return std::optional<PairingCodeRecord>();
      }
      return std::optional<PairingCodeRecord>(ReadCode(row, static_cast<const Db*>(nullptr)));
    });
  }

  Result<std::optional<PairingCodeRecord>> FindCode(CodeId id) override {
    return GuardStorage("FindCode", [&]() -> Result<std::optional<PairingCodeRecord>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(link_sql::kFindCode, id);
      if (!row.Next()) return std::optional<PairingCodeRecord>();
      return std::optional<PairingCodeRecord>(ReadCode(row, db_.get()));
    });
  }

  Result<CodePage> ListCodes(UserId student, CodeStateFilter states, Timestamp now, std::int64_t offset,
                             int limit) override {
    return GuardStorage("ListCodes", [&]() -> Result<CodePage> {
      auto lease = db_->Acquire();
      CodePage page;
      {
        auto count = lease->Query(link_sql::kCountCodes, student, now, states.active, states.used, states.expired,
                                  states.revoked);
        if (count.Next()) page.total = count.Int(0);
      }
      auto rows = lease->Query(link_sql::kPageOfCodes, student, now, states.active, states.used, states.expired,
                               states.revoked, limit, offset);
      while (rows.Next()) page.codes.push_back(ReadCode(rows, db_.get()));
      return page;
    });
  }

  // Its own transaction: every key's lock (sorted, so that two reservations sharing keys never wait
  // for each other in a cycle), then the counts, then one row per key only when all are below their
  // limits. A refusal rolls back and adds nothing.
  Result<AttemptReservation> ReserveAttempt(std::span<const AttemptKey> keys, Timestamp now,
                                            Timestamp prune_before) override {
    return GuardStorage("ReserveAttempt", [&]() -> Result<AttemptReservation> {
      auto txn = db_->BeginWrite();
      auto& conn = txn.conn();
      std::vector<std::string_view> sorted;
      for (const AttemptKey& key : keys) sorted.push_back(key.name);
      std::sort(sorted.begin(), sorted.end());
      sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
      for (const std::string_view key : sorted) Db::Dialect::LockKey(conn, lock_space::kFailedAttempt, key);
      for (std::size_t i = 0; i < keys.size(); ++i) {
        conn.Queue(link_sql::kPruneAttempts, keys[i].name, keys[i].since);
        auto count = conn.Query(link_sql::kCountAttempts, keys[i].name, keys[i].since);
        if (count.Next() && count.Int(0) >= keys[i].max_failures) return AttemptReservation{std::nullopt, i};
      }
      conn.Queue(link_sql::kPruneStaleAttempts, prune_before);
      AttemptTicket ticket;
      for (const AttemptKey& key : keys) {
        auto inserted = conn.Query(link_sql::kInsertAttempt, key.name, now);
        if (!inserted.Next()) return Internal("the attempt row has no id");
        ticket.ids.push_back(inserted.Int(0));
      }
      txn.Commit();
      return AttemptReservation{std::move(ticket), 0};
    });
  }

  Status ReleaseAttempt(const AttemptTicket& ticket) override {
    return GuardStorage("ReleaseAttempt", [&]() -> Status {
      auto txn = db_->BeginWrite();
      DeleteAttempts(txn.conn(), ticket);
      txn.Commit();
      return Status::Ok();
    });
  }

  Result<std::optional<SisImportRecord>> FindSisImport(AccountId root_account, std::int64_t id) override {
    return GuardStorage("FindSisImport", [&]() -> Result<std::optional<SisImportRecord>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(link_sql::kFindSisImport, root_account, id);
      if (!row.Next()) return std::optional<SisImportRecord>();
      return std::optional<SisImportRecord>(ReadSisImport(row));
    });
  }

  Result<std::vector<SisImportRecord>> ListSisImports(AccountId root_account, std::int64_t offset, int limit) override {
    return GuardStorage("ListSisImports", [&]() -> Result<std::vector<SisImportRecord>> {
      auto lease = db_->Acquire();
      std::vector<SisImportRecord> records;
      for (auto rows = lease->Query(link_sql::kListSisImports, root_account, limit, offset); rows.Next();) {
        records.push_back(ReadSisImport(rows));
      }
      return records;
    });
  }

  Result<std::vector<AuditEntry>> ReadAudit(std::int64_t after_id, int limit) override {
    return GuardStorage("ReadAudit", [&]() -> Result<std::vector<AuditEntry>> {
      auto lease = db_->Acquire();
      auto rows = lease->Query(link_sql::kReadAudit, after_id, limit);
      std::vector<AuditEntry> entries;
      while (rows.Next()) entries.push_back(storage::ReadAudit(rows));
      return entries;
    });
  }

  // The snapshot's connection starts `ahead`'s reads at once; a failure to send them only loses the
  // head start (the calls ask again).
  std::unique_ptr<ReadSnapshot> BeginRead(const ReadAhead& ahead) override {
    std::unique_ptr<ReadSnapshot> pin = db_->PinForReads();
    if (pin) {
      try {
        auto lease = db_->Acquire();
        SendReadAhead(*lease, ahead);
      } catch (...) {
      }
    }
    return pin;
  }

 private:
  std::shared_ptr<Db> db_;
};

}  // namespace observees::storage
