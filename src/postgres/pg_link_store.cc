#include "postgres/pg_link_store.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit_text.h"
#include "secrets.h"
#include "unix_seconds.h"

namespace observees {
namespace {

// The columns ReadLink reads, in its order.
#define OBSERVEES_LINK_COLUMNS "id, student_id, observer_id, root_account_id, workflow_state, created_at, updated_at"

// The one row-to-struct helper for links (columns OBSERVEES_LINK_COLUMNS).
Link ReadLink(const PgResult& result, int row) {
  Link link;
  link.id = result.Int(row, 0);
  link.student_id = result.Int(row, 1);
  link.observer_id = result.Int(row, 2);
  link.root_account_id = result.OptionalInt(row, 3);
  link.state = result.Text(row, 4) == "active" ? LinkState::kActive : LinkState::kDeleted;
  link.created_at = FromSeconds(result.Int(row, 5));
  link.updated_at = FromSeconds(result.Int(row, 6));
  return link;
}

std::vector<Link> ReadLinks(const PgResult& result) {
  std::vector<Link> links;
  links.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) links.push_back(ReadLink(result, row));
  return links;
}

// The columns ReadCode reads, in its order (then whatever a query adds).
#define OBSERVEES_CODE_COLUMNS \
  "id, user_id, created_at, expires_at, workflow_state, used_by, used_at, link_id, revoked_by, revoked_at, code_box"

std::optional<Timestamp> OptionalTime(const PgResult& result, int row, int column) {
  const auto seconds = result.OptionalInt(row, column);
  return seconds ? std::optional<Timestamp>(FromSeconds(*seconds)) : std::nullopt;
}

// The one row-to-struct helper for codes; opens the code's box only when `db` is given.
PairingCodeRecord ReadCode(const PgResult& result, int row, const PostgresDatabase* db = nullptr) {
  PairingCodeRecord code;
  code.id = result.Int(row, 0);
  code.user_id = result.Int(row, 1);
  code.created_at = FromSeconds(result.Int(row, 2));
  code.expires_at = FromSeconds(result.Int(row, 3));
  code.deleted = result.Text(row, 4) == "deleted";
  code.used_by = result.OptionalInt(row, 5);
  code.used_at = OptionalTime(result, row, 6);
  code.link_id = result.OptionalInt(row, 7);
  code.revoked_by = result.OptionalInt(row, 8);
  code.revoked_at = OptionalTime(result, row, 9);
  if (db != nullptr && !result.IsNull(row, 10)) code.code = db->OpenCode(result.Bytes(row, 10));
  return code;
}

// Rule 7b's match for (student, observer, root): any state, this root account or a legacy NULL root,
// an active one first, then this root's; locked FOR UPDATE until the transaction ends.
std::optional<Link> FindLinkForUpdate(PgConnection& conn, UserId student, UserId observer, AccountId root) {
  static constexpr char kSql[] =
      "SELECT " OBSERVEES_LINK_COLUMNS
      " FROM observation_links WHERE student_id = $1 AND observer_id = $2 "
      "AND (root_account_id = $3 OR root_account_id IS NULL) "
      "ORDER BY workflow_state = 'active' DESC, root_account_id IS NULL, id LIMIT 1 FOR UPDATE";
  const PgResult found = conn.Exec(kSql, PgParams().Int(student).Int(observer).Int(root));
  if (found.empty()) return std::nullopt;
  return ReadLink(found, 0);
}

// Inserts the active link for the triple; nullopt when a row for it exists (a concurrent transaction
// inserted it and committed first; the insert waits for an uncommitted one to end).
std::optional<Link> InsertLink(PgConnection& conn, UserId student, UserId observer, AccountId root, Timestamp now) {
  static constexpr char kSql[] =
      "INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, created_at, "
      "updated_at) VALUES ($1, $2, $3, 'active', $4, $4) "
      "ON CONFLICT (student_id, observer_id, root_account_id) DO NOTHING RETURNING " OBSERVEES_LINK_COLUMNS;
  const PgResult inserted = conn.Exec(kSql, PgParams().Int(student).Int(observer).Int(root).Int(ToSeconds(now)));
  if (inserted.empty()) return std::nullopt;
  return ReadLink(inserted, 0);
}

// A found (and locked) link: unchanged when active, otherwise restored with its id.
LinkChange RestoreIfDeleted(PgConnection& conn, Link link, Timestamp now) {
  if (link.state == LinkState::kActive) return LinkChange{std::move(link), LinkChange::Kind::kUnchanged};
  static constexpr char kSql[] = "UPDATE observation_links SET workflow_state = 'active', updated_at = $1 WHERE id = $2";
  conn.Exec(kSql, PgParams().Int(ToSeconds(now)).Int(link.id));
  link.state = LinkState::kActive;
  link.updated_at = now;
  return LinkChange{std::move(link), LinkChange::Kind::kRestored};
}

// Deletes a reservation's failed_attempts rows.
void DeleteAttempts(PgConnection& conn, const AttemptTicket& ticket) {
  static constexpr char kSql[] = "DELETE FROM failed_attempts WHERE id = $1";
  for (const std::int64_t id : ticket.ids) conn.Exec(kSql, PgParams().Int(id));
}

// Takes the attempt lock of every key in sorted order, so that two reservations sharing keys never
// wait for each other in a cycle.
void LockAttemptKeys(PgConnection& conn, std::span<const std::string> keys) {
  std::vector<std::string_view> sorted(keys.begin(), keys.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const std::string_view key : sorted) LockKey(conn, lock_space::kFailedAttempt, key);
}

// Drops `key`'s rows older than the window and counts those in it (`since` included).
std::int64_t CountAttempts(PgConnection& conn, const std::string& key, Timestamp since) {
  static constexpr char kPruneSql[] = "DELETE FROM failed_attempts WHERE key = $1 AND at < $2";
  static constexpr char kCountSql[] = "SELECT COUNT(*) FROM failed_attempts WHERE key = $1 AND at >= $2";
  conn.Exec(kPruneSql, PgParams().Text(key).Int(ToSeconds(since)));
  return conn.Exec(kCountSql, PgParams().Text(key).Int(ToSeconds(since))).Int(0, 0);
}

class PgLinkTransaction final : public LinkTransaction {
 public:
  PgLinkTransaction(PostgresDatabase& db, PostgresDatabase::WriteTransaction txn) : db_(db), txn_(std::move(txn)) {}

  Result<LinkChange> CreateOrRestoreLink(UserId student, UserId observer, AccountId root_account,
                                         Timestamp now) override {
    return GuardStorage("CreateOrRestoreLink", [&]() -> Result<LinkChange> {
      if (student == observer) return Status(StatusCode::kSelfObservation, "Cannot observe yourself", "observer_id");
      std::optional<Link> found = FindLinkForUpdate(conn(), student, observer, root_account);
      if (!found) {
        if (auto created = InsertLink(conn(), student, observer, root_account, now)) {
          return LinkChange{std::move(*created), LinkChange::Kind::kCreated};
        }
        // A concurrent insert won: its committed row is visible to this new statement.
        found = FindLinkForUpdate(conn(), student, observer, root_account);
        if (!found) throw PgError("", "the conflicting link row is not visible");
      }
      return RestoreIfDeleted(conn(), std::move(*found), now);
    });
  }

  Result<bool> RemoveLink(LinkId link, Timestamp now) override {
    return GuardStorage("RemoveLink", [&]() -> Result<bool> {
      static constexpr char kSql[] =
          "UPDATE observation_links SET workflow_state = 'deleted', updated_at = $1 "
          "WHERE id = $2 AND workflow_state = 'active'";
      return conn().Exec(kSql, PgParams().Int(ToSeconds(now)).Int(link)).Affected() == 1;
    });
  }

  // One conditional UPDATE: a racing consumer waits for the row lock, and READ COMMITTED re-evaluates
  // the WHERE on the winner's committed row, so it changes nothing.
  Result<bool> ConsumeCode(CodeId code, UserId used_by, Timestamp now) override {
    return GuardStorage("ConsumeCode", [&]() -> Result<bool> {
      static constexpr char kSql[] =
          "UPDATE pairing_codes SET workflow_state = 'deleted', used_by = $1, used_at = $2 "
          "WHERE id = $3 AND workflow_state = 'active' AND expires_at > $2";
      return conn().Exec(kSql, PgParams().Int(used_by).Int(ToSeconds(now)).Int(code)).Affected() == 1;
    });
  }

  Result<bool> RevokeCode(CodeId code, UserId revoked_by, Timestamp now) override {
    return GuardStorage("RevokeCode", [&]() -> Result<bool> {
      static constexpr char kSql[] =
          "UPDATE pairing_codes SET workflow_state = 'deleted', revoked_by = $1, revoked_at = $2 "
          "WHERE id = $3 AND workflow_state = 'active' AND expires_at > $2";
      return conn().Exec(kSql, PgParams().Int(revoked_by).Int(ToSeconds(now)).Int(code)).Affected() == 1;
    });
  }

  Status SetCodeLink(CodeId code, LinkId link) override {
    return GuardStorage("SetCodeLink", [&]() -> Status {
      static constexpr char kSql[] = "UPDATE pairing_codes SET link_id = $1 WHERE id = $2";
      conn().Exec(kSql, PgParams().Int(link).Int(code));
      return Status::Ok();
    });
  }

  // Rule 17 across processes: the code string's advisory lock is held until this transaction ends, so
  // no other writer can check and insert the same string in between.
  Result<std::optional<CodeId>> InsertCode(UserId student, std::string_view code, Timestamp expires_at,
                                           Timestamp now) override {
    return GuardStorage("InsertCode", [&]() -> Result<std::optional<CodeId>> {
      static constexpr char kTakenSql[] =
          "SELECT 1 FROM pairing_codes WHERE code_hash = $1 AND workflow_state = 'active' AND expires_at > $2";
      static constexpr char kInsertSql[] =
          "INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state, code_box) "
          "VALUES ($1, $2, $3, $4, 'active', $5) RETURNING id";
      const std::string hash = db_.HashCode(code);
      LockKey(conn(), lock_space::kPairingCode, hash);
      if (!conn().Exec(kTakenSql, PgParams().Bytes(hash).Int(ToSeconds(now))).empty()) {
        return std::optional<CodeId>();
      }
      const std::string box = db_.SealCode(code);
      const PgResult inserted = conn().Exec(
          kInsertSql,
          PgParams().Int(student).Bytes(hash).Int(ToSeconds(now)).Int(ToSeconds(expires_at)).Bytes(box));
      return std::optional<CodeId>(inserted.Int(0, 0));
    });
  }

  Result<std::int64_t> AppendAudit(const AuditEntry& entry) override {
    return GuardStorage("AppendAudit", [&]() -> Result<std::int64_t> {
      static constexpr char kSql[] =
          "INSERT INTO audit_log (at, actor_id, action, method, student_id, observer_id, root_account_id, "
          "link_id, code_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
      PgParams params;
      params.Int(ToSeconds(entry.at))
          .OptionalInt(entry.actor)
          .Text(AuditActionText(entry.action))
          .Text(LinkMethodText(entry.method))
          .Int(entry.student_id)
          .OptionalInt(entry.observer_id)
          .OptionalInt(entry.root_account_id)
          .OptionalInt(entry.link_id)
          .OptionalInt(entry.code_id);
      return conn().Exec(kSql, params).Int(0, 0);
    });
  }

  // Withdraws a reservation inside this transaction (it commits or rolls back with the rest).
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

  PgConnection& conn() { return txn_.conn(); }

 private:
  PostgresDatabase& db_;
  PostgresDatabase::WriteTransaction txn_;
};

}  // namespace

PgConnection* PgTransactionConnection(LinkTransaction& txn) {
  auto* postgres = dynamic_cast<PgLinkTransaction*>(&txn);
  return postgres == nullptr ? nullptr : &postgres->conn();
}

Result<std::unique_ptr<LinkTransaction>> PgLinkStore::BeginWrite() {
  return GuardStorage("BeginWrite", [&]() -> Result<std::unique_ptr<LinkTransaction>> {
    return std::unique_ptr<LinkTransaction>(std::make_unique<PgLinkTransaction>(*db_, db_->BeginWrite()));
  });
}

Result<std::vector<Link>> PgLinkStore::LinksBetween(UserId student, UserId observer) {
  return GuardStorage("LinksBetween", [&]() -> Result<std::vector<Link>> {
    static constexpr char kSql[] =
        "SELECT " OBSERVEES_LINK_COLUMNS " FROM observation_links WHERE student_id = $1 AND observer_id = $2 "
        "ORDER BY id";
    auto conn = db_->Acquire();
    return ReadLinks(conn->Exec(kSql, PgParams().Int(student).Int(observer)));
  });
}

Result<std::vector<Link>> PgLinkStore::ActiveLinksOfObserver(UserId observer) {
  return GuardStorage("ActiveLinksOfObserver", [&]() -> Result<std::vector<Link>> {
    static constexpr char kSql[] =
        "SELECT " OBSERVEES_LINK_COLUMNS " FROM observation_links WHERE observer_id = $1 "
        "AND workflow_state = 'active' ORDER BY id";
    auto conn = db_->Acquire();
    return ReadLinks(conn->Exec(kSql, PgParams().Int(observer)));
  });
}

Result<std::vector<Link>> PgLinkStore::ActiveLinksOfStudent(UserId student) {
  return GuardStorage("ActiveLinksOfStudent", [&]() -> Result<std::vector<Link>> {
    static constexpr char kSql[] =
        "SELECT " OBSERVEES_LINK_COLUMNS " FROM observation_links WHERE student_id = $1 "
        "AND workflow_state = 'active' ORDER BY id";
    auto conn = db_->Acquire();
    return ReadLinks(conn->Exec(kSql, PgParams().Int(student)));
  });
}

Result<std::optional<PairingCodeRecord>> PgLinkStore::FindActiveCode(std::string_view code, Timestamp now) {
  return GuardStorage("FindActiveCode", [&]() -> Result<std::optional<PairingCodeRecord>> {
    static constexpr char kSql[] =
        "SELECT " OBSERVEES_CODE_COLUMNS ", code_hash "
        "FROM pairing_codes WHERE code_hash = $1 AND workflow_state = 'active' AND expires_at > $2 "
        "ORDER BY id LIMIT 1";
    const std::string hash = db_->HashCode(code);
    auto conn = db_->Acquire();
    const PgResult found = conn->Exec(kSql, PgParams().Bytes(hash).Int(ToSeconds(now)));
    if (found.empty() || !secrets::ConstantTimeEquals(found.Bytes(0, 11), hash)) {
      return std::optional<PairingCodeRecord>();
    }
    return std::optional<PairingCodeRecord>(ReadCode(found, 0));
  });
}

Result<std::optional<PairingCodeRecord>> PgLinkStore::FindCode(CodeId id) {
  return GuardStorage("FindCode", [&]() -> Result<std::optional<PairingCodeRecord>> {
    static constexpr char kSql[] = "SELECT " OBSERVEES_CODE_COLUMNS " FROM pairing_codes WHERE id = $1";
    auto conn = db_->Acquire();
    const PgResult found = conn->Exec(kSql, PgParams().Int(id));
    if (found.empty()) return std::optional<PairingCodeRecord>();
    return std::optional<PairingCodeRecord>(ReadCode(found, 0, db_.get()));
  });
}

Result<CodePage> PgLinkStore::ListCodes(UserId student, CodeStateFilter states, Timestamp now, std::int64_t offset,
                                        int limit) {
  return GuardStorage("ListCodes", [&]() -> Result<CodePage> {
    // The states of CodeStateAt, selected by the flags $3 (active) $4 (used) $5 (expired) $6 (revoked).
#define OBSERVEES_CODE_FILTER                                                                  \
  " WHERE user_id = $1 AND ("                                                                  \
  "($3::integer = 1 AND revoked_at IS NULL AND workflow_state = 'active' AND expires_at > $2) OR "  \
  "($4::integer = 1 AND revoked_at IS NULL AND workflow_state = 'deleted') OR "                \
  "($5::integer = 1 AND revoked_at IS NULL AND workflow_state = 'active' AND expires_at <= $2) OR " \
  "($6::integer = 1 AND revoked_at IS NOT NULL))"
    static constexpr char kCountSql[] = "SELECT COUNT(*) FROM pairing_codes" OBSERVEES_CODE_FILTER;
    static constexpr char kPageSql[] = "SELECT " OBSERVEES_CODE_COLUMNS " FROM pairing_codes" OBSERVEES_CODE_FILTER
                                       " ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8";
#undef OBSERVEES_CODE_FILTER
    PgParams params;
    params.Int(student)
        .Int(ToSeconds(now))
        .Int(states.active ? 1 : 0)
        .Int(states.used ? 1 : 0)
        .Int(states.expired ? 1 : 0)
        .Int(states.revoked ? 1 : 0);
    auto conn = db_->Acquire();
    CodePage page;
    page.total = conn->Exec(kCountSql, params).Int(0, 0);
    params.Int(limit).Int(offset);
    const PgResult rows = conn->Exec(kPageSql, params);
    for (int row = 0; row < rows.rows(); ++row) page.codes.push_back(ReadCode(rows, row, db_.get()));
    return page;
  });
}

// Its own transaction: every key's advisory lock (sorted), then count, then one row per key only when
// all are below the limit. A refusal rolls back and adds nothing.
Result<std::optional<AttemptTicket>> PgLinkStore::ReserveAttempt(std::span<const std::string> keys,
                                                                 int max_failures, Timestamp since,
                                                                 Timestamp now) {
  return GuardStorage("ReserveAttempt", [&]() -> Result<std::optional<AttemptTicket>> {
    static constexpr char kInsertSql[] = "INSERT INTO failed_attempts (key, at) VALUES ($1, $2) RETURNING id";
    auto txn = db_->BeginWrite();
    LockAttemptKeys(txn.conn(), keys);
    for (const std::string& key : keys) {
      if (CountAttempts(txn.conn(), key, since) >= max_failures) return std::optional<AttemptTicket>();
    }
    AttemptTicket ticket;
    for (const std::string& key : keys) {
      ticket.ids.push_back(txn.conn().Exec(kInsertSql, PgParams().Text(key).Int(ToSeconds(now))).Int(0, 0));
    }
    txn.Commit();
    return std::optional<AttemptTicket>(std::move(ticket));
  });
}

Status PgLinkStore::ReleaseAttempt(const AttemptTicket& ticket) {
  return GuardStorage("ReleaseAttempt", [&]() -> Status {
    auto txn = db_->BeginWrite();
    DeleteAttempts(txn.conn(), ticket);
    txn.Commit();
    return Status::Ok();
  });
}

Result<std::vector<AuditEntry>> PgLinkStore::ReadAudit(std::int64_t after_id, int limit) {
  return GuardStorage("ReadAudit", [&]() -> Result<std::vector<AuditEntry>> {
    static constexpr char kSql[] =
        "SELECT id, at, actor_id, action, method, student_id, observer_id, root_account_id, link_id, code_id "
        "FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2";
    auto conn = db_->Acquire();
    const PgResult rows = conn->Exec(kSql, PgParams().Int(after_id).Int(limit));
    std::vector<AuditEntry> entries;
    entries.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
      AuditEntry entry;
      entry.id = rows.Int(row, 0);
      entry.at = FromSeconds(rows.Int(row, 1));
      entry.actor = rows.OptionalInt(row, 2);
      entry.action = AuditActionFromText(rows.Text(row, 3));
      entry.method = LinkMethodFromText(rows.Text(row, 4));
      entry.student_id = rows.Int(row, 5);
      entry.observer_id = rows.OptionalInt(row, 6);
      entry.root_account_id = rows.OptionalInt(row, 7);
      entry.link_id = rows.OptionalInt(row, 8);
      entry.code_id = rows.OptionalInt(row, 9);
      entries.push_back(entry);
    }
    return entries;
  });
}

}  // namespace observees
