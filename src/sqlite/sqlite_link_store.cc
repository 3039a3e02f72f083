#include "sqlite/sqlite_link_store.h"

#include <string>

#include "audit_text.h"
#include "secrets.h"
#include "unix_seconds.h"

namespace observees {
namespace {

// The one row-to-struct helper for links. Columns: id, student_id, observer_id, root_account_id,
// workflow_state, created_at, updated_at.
Link ReadLink(SQLite::Statement& row) {
  Link link;
  link.id = row.getColumn(0).getInt64();
  link.student_id = row.getColumn(1).getInt64();
  link.observer_id = row.getColumn(2).getInt64();
  if (!row.getColumn(3).isNull()) link.root_account_id = row.getColumn(3).getInt64();
  link.state = row.getColumn(4).getString() == "active" ? LinkState::kActive : LinkState::kDeleted;
  link.created_at = FromSeconds(row.getColumn(5).getInt64());
  link.updated_at = FromSeconds(row.getColumn(6).getInt64());
  return link;
}

std::vector<Link> ReadLinks(SQLite::Statement& query) {
  std::vector<Link> links;
  while (query.executeStep()) links.push_back(ReadLink(query));
  query.reset();
  return links;
}

// The columns ReadCode reads, in its order (kCodeColumns, then whatever a query adds).
#define OBSERVEES_CODE_COLUMNS \
  "id, user_id, created_at, expires_at, workflow_state, used_by, used_at, link_id, revoked_by, revoked_at, code_box"

// The one row-to-struct helper for codes; opens the code's box only when `db` is given.
PairingCodeRecord ReadCode(SQLite::Statement& row, const SqliteDatabase* db = nullptr) {
  PairingCodeRecord code;
  auto optional_id = [&](int column) -> std::optional<std::int64_t> {
    if (row.getColumn(column).isNull()) return std::nullopt;
    return row.getColumn(column).getInt64();
  };
  code.id = row.getColumn(0).getInt64();
  code.user_id = row.getColumn(1).getInt64();
  code.created_at = FromSeconds(row.getColumn(2).getInt64());
  code.expires_at = FromSeconds(row.getColumn(3).getInt64());
  code.deleted = row.getColumn(4).getString() == "deleted";
  code.used_by = optional_id(5);
  if (const auto at = optional_id(6)) code.used_at = FromSeconds(*at);
  code.link_id = optional_id(7);
  code.revoked_by = optional_id(8);
  if (const auto at = optional_id(9)) code.revoked_at = FromSeconds(*at);
  const auto box = row.getColumn(10);
  if (db != nullptr && !box.isNull()) {
    code.code = db->OpenCode(std::string_view(static_cast<const char*>(box.getBlob()),
                                              static_cast<std::size_t>(box.getBytes())));
  }
  return code;
}

void BindHash(SQLite::Statement& statement, int index, const std::string& hash) {
  statement.bind(index, hash.data(), static_cast<int>(hash.size()));
}

template <typename T>
void BindOptional(SQLite::Statement& statement, int index, const std::optional<T>& value) {
  if (value) {
    statement.bind(index, static_cast<std::int64_t>(*value));
  } else {
    statement.bind(index);
  }
}

// The rows of a reservation, inside the caller's transaction.
void DeleteAttempts(SqliteConnection& conn, const AttemptTicket& ticket) {
  static constexpr char kSql[] = "DELETE FROM failed_attempts WHERE id = ?";
  for (const std::int64_t id : ticket.ids) {
    auto& remove = conn.Prepare(kSql);
    remove.bind(1, id);
    remove.exec();
  }
}

class SqliteLinkTransaction final : public LinkTransaction {
 public:
  SqliteLinkTransaction(SqliteDatabase& db, SqliteDatabase::WriteTransaction txn) : db_(db), txn_(std::move(txn)) {}

  Result<LinkChange> CreateOrRestoreLink(UserId student, UserId observer, AccountId root_account,
                                         Timestamp now) override {
    return GuardStorage("CreateOrRestoreLink", [&]() -> Result<LinkChange> {
      if (student == observer) return Status(StatusCode::kSelfObservation, "Cannot observe yourself", "observer_id");
      // Rule 7b: any state, this root account or a legacy NULL root; an active match wins.
      static constexpr char kFindSql[] =
          "SELECT id, student_id, observer_id, root_account_id, workflow_state, created_at, updated_at "
          "FROM observation_links WHERE student_id = ? AND observer_id = ? "
          "AND (root_account_id = ? OR root_account_id IS NULL) "
          "ORDER BY workflow_state = 'active' DESC, root_account_id IS NULL, id LIMIT 1";
      auto& find = txn_.conn().Prepare(kFindSql);
      find.bind(1, student);
      find.bind(2, observer);
      find.bind(3, root_account);
      if (find.executeStep()) {
        LinkChange change{ReadLink(find), LinkChange::Kind::kUnchanged};
        find.reset();
        if (change.link.state == LinkState::kActive) return change;
        static constexpr char kRestoreSql[] =
            "UPDATE observation_links SET workflow_state = 'active', updated_at = ? WHERE id = ?";
        auto& restore = txn_.conn().Prepare(kRestoreSql);
        restore.bind(1, ToSeconds(now));
        restore.bind(2, change.link.id);
        restore.exec();
        change.link.state = LinkState::kActive;
        change.link.updated_at = now;
        change.kind = LinkChange::Kind::kRestored;
        return change;
      }
      find.reset();
      static constexpr char kInsertSql[] =
          "INSERT INTO observation_links (student_id, observer_id, root_account_id, workflow_state, created_at, "
          "updated_at) VALUES (?, ?, ?, 'active', ?, ?)";
      auto& insert = txn_.conn().Prepare(kInsertSql);
      insert.bind(1, student);
      insert.bind(2, observer);
      insert.bind(3, root_account);
      insert.bind(4, ToSeconds(now));
      insert.bind(5, ToSeconds(now));
      insert.exec();
      LinkChange change;
      change.kind = LinkChange::Kind::kCreated;
      change.link = Link{txn_.conn().db().getLastInsertRowid(), student, observer, root_account,
                         LinkState::kActive, now, now};
      return change;
    });
  }

  Result<bool> RemoveLink(LinkId link, Timestamp now) override {
    return GuardStorage("RemoveLink", [&]() -> Result<bool> {
      static constexpr char kSql[] =
          "UPDATE observation_links SET workflow_state = 'deleted', updated_at = ? "
          "WHERE id = ? AND workflow_state = 'active'";
      auto& update = txn_.conn().Prepare(kSql);
      update.bind(1, ToSeconds(now));
      update.bind(2, link);
      return update.exec() == 1;
    });
  }

  Result<bool> ConsumeCode(CodeId code, UserId used_by, Timestamp now) override {
    return GuardStorage("ConsumeCode", [&]() -> Result<bool> {
      static constexpr char kSql[] =
          "UPDATE pairing_codes SET workflow_state = 'deleted', used_by = ?, used_at = ? "
          "WHERE id = ? AND workflow_state = 'active' AND expires_at > ?";
      auto& update = txn_.conn().Prepare(kSql);
      update.bind(1, used_by);
      update.bind(2, ToSeconds(now));
      update.bind(3, code);
      update.bind(4, ToSeconds(now));
      return update.exec() == 1;
    });
  }

  Result<bool> RevokeCode(CodeId code, UserId revoked_by, Timestamp now) override {
    return GuardStorage("RevokeCode", [&]() -> Result<bool> {
      static constexpr char kSql[] =
          "UPDATE pairing_codes SET workflow_state = 'deleted', revoked_by = ?, revoked_at = ? "
          "WHERE id = ? AND workflow_state = 'active' AND expires_at > ?";
      auto& update = txn_.conn().Prepare(kSql);
      update.bind(1, revoked_by);
      update.bind(2, ToSeconds(now));
      update.bind(3, code);
      update.bind(4, ToSeconds(now));
      return update.exec() == 1;
    });
  }

  Status SetCodeLink(CodeId code, LinkId link) override {
    return GuardStorage("SetCodeLink", [&]() -> Status {
      static constexpr char kSql[] = "UPDATE pairing_codes SET link_id = ? WHERE id = ?";
      auto& update = txn_.conn().Prepare(kSql);
      update.bind(1, link);
      update.bind(2, code);
      update.exec();
      return Status::Ok();
    });
  }

  Result<std::optional<CodeId>> InsertCode(UserId student, std::string_view code, Timestamp expires_at,
                                           Timestamp now) override {
    return GuardStorage("InsertCode", [&]() -> Result<std::optional<CodeId>> {
      const std::string hash = db_.HashCode(code);
      // Inside the write transaction, so no other writer can add the same active code in between.
      static constexpr char kTakenSql[] =
          "SELECT 1 FROM pairing_codes WHERE code_hash = ? AND workflow_state = 'active' AND expires_at > ?";
      auto& taken = txn_.conn().Prepare(kTakenSql);
      BindHash(taken, 1, hash);
      taken.bind(2, ToSeconds(now));
      const bool collision = taken.executeStep();
      taken.reset();
      if (collision) return std::optional<CodeId>();
      static constexpr char kInsertSql[] =
          "INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state, code_box) "
          "VALUES (?, ?, ?, ?, 'active', ?)";
      const std::string box = db_.SealCode(code);
      auto& insert = txn_.conn().Prepare(kInsertSql);
      insert.bind(1, student);
      BindHash(insert, 2, hash);
      insert.bind(3, ToSeconds(now));
      insert.bind(4, ToSeconds(expires_at));
      BindHash(insert, 5, box);
      insert.exec();
      return std::optional<CodeId>(txn_.conn().db().getLastInsertRowid());
    });
  }

  Result<std::int64_t> AppendAudit(const AuditEntry& entry) override {
    return GuardStorage("AppendAudit", [&]() -> Result<std::int64_t> {
      static constexpr char kSql[] =
          "INSERT INTO audit_log (at, actor_id, action, method, student_id, observer_id, root_account_id, "
          "link_id, code_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
      auto& insert = txn_.conn().Prepare(kSql);
      insert.bind(1, ToSeconds(entry.at));
      BindOptional(insert, 2, entry.actor);
      insert.bind(3, std::string(AuditActionText(entry.action)));
      insert.bind(4, std::string(LinkMethodText(entry.method)));
      insert.bind(5, entry.student_id);
      BindOptional(insert, 6, entry.observer_id);
      BindOptional(insert, 7, entry.root_account_id);
      BindOptional(insert, 8, entry.link_id);
      BindOptional(insert, 9, entry.code_id);
      insert.exec();
      return txn_.conn().db().getLastInsertRowid();
    });
  }

  Status ReleaseAttempt(const AttemptTicket& ticket) override {
    return GuardStorage("ReleaseAttempt", [&]() -> Status {
      DeleteAttempts(txn_.conn(), ticket);
      return Status::Ok();
    });
  }

  SqliteConnection& conn() { return txn_.conn(); }

  Status Commit() override {
    return GuardStorage("Commit", [&]() -> Status {
      txn_.Commit();
      return Status::Ok();
    });
  }

 private:
  SqliteDatabase& db_;
  SqliteDatabase::WriteTransaction txn_;
};

}  // namespace

SqliteConnection* SqliteTransactionConnection(LinkTransaction& txn) {
  auto* sqlite = dynamic_cast<SqliteLinkTransaction*>(&txn);
  return sqlite == nullptr ? nullptr : &sqlite->conn();
}

Result<std::unique_ptr<LinkTransaction>> SqliteLinkStore::BeginWrite() {
  return GuardStorage("BeginWrite", [&]() -> Result<std::unique_ptr<LinkTransaction>> {
    return std::unique_ptr<LinkTransaction>(std::make_unique<SqliteLinkTransaction>(*db_, db_->BeginWrite()));
  });
}

Result<std::vector<Link>> SqliteLinkStore::LinksBetween(UserId student, UserId observer) {
  return GuardStorage("LinksBetween", [&]() -> Result<std::vector<Link>> {
    static constexpr char kSql[] =
        "SELECT id, student_id, observer_id, root_account_id, workflow_state, created_at, updated_at "
        "FROM observation_links WHERE student_id = ? AND observer_id = ? ORDER BY id";
    auto conn = db_->Acquire();
    auto& query = conn->Prepare(kSql);
    query.bind(1, student);
    query.bind(2, observer);
    return ReadLinks(query);
  });
}

Result<std::vector<Link>> SqliteLinkStore::ActiveLinksOfObserver(UserId observer) {
  return GuardStorage("ActiveLinksOfObserver", [&]() -> Result<std::vector<Link>> {
    static constexpr char kSql[] =
        "SELECT id, student_id, observer_id, root_account_id, workflow_state, created_at, updated_at "
        "FROM observation_links WHERE observer_id = ? AND workflow_state = 'active' ORDER BY id";
    auto conn = db_->Acquire();
    auto& query = conn->Prepare(kSql);
    query.bind(1, observer);
    return ReadLinks(query);
  });
}

Result<std::vector<Link>> SqliteLinkStore::ActiveLinksOfStudent(UserId student) {
  return GuardStorage("ActiveLinksOfStudent", [&]() -> Result<std::vector<Link>> {
    static constexpr char kSql[] =
        "SELECT id, student_id, observer_id, root_account_id, workflow_state, created_at, updated_at "
        "FROM observation_links WHERE student_id = ? AND workflow_state = 'active' ORDER BY id";
    auto conn = db_->Acquire();
    auto& query = conn->Prepare(kSql);
    query.bind(1, student);
    return ReadLinks(query);
  });
}

Result<std::optional<PairingCodeRecord>> SqliteLinkStore::FindActiveCode(std::string_view code, Timestamp now) {
  return GuardStorage("FindActiveCode", [&]() -> Result<std::optional<PairingCodeRecord>> {
    static constexpr char kSql[] =
        "SELECT " OBSERVEES_CODE_COLUMNS ", code_hash "
        "FROM pairing_codes WHERE code_hash = ? AND workflow_state = 'active' AND expires_at > ? "
        "ORDER BY id LIMIT 1";
    const std::string hash = db_->HashCode(code);
    auto conn = db_->Acquire();
    auto& query = conn->Prepare(kSql);
    BindHash(query, 1, hash);
    query.bind(2, ToSeconds(now));
    std::optional<PairingCodeRecord> found;
    if (query.executeStep()) {
      const auto stored = query.getColumn(11);
      const std::string_view stored_hash(static_cast<const char*>(stored.getBlob()),
                                         static_cast<std::size_t>(stored.getBytes()));
      if (secrets::ConstantTimeEquals(stored_hash, hash)) found = ReadCode(query);
    }
    query.reset();
    return found;
  });
}

Result<std::optional<PairingCodeRecord>> SqliteLinkStore::FindCode(CodeId id) {
  return GuardStorage("FindCode", [&]() -> Result<std::optional<PairingCodeRecord>> {
    static constexpr char kSql[] = "SELECT " OBSERVEES_CODE_COLUMNS " FROM pairing_codes WHERE id = ?";
    auto conn = db_->Acquire();
    auto& query = conn->Prepare(kSql);
    query.bind(1, id);
    std::optional<PairingCodeRecord> found;
    if (query.executeStep()) found = ReadCode(query, db_.get());
    query.reset();
    return found;
  });
}

Result<CodePage> SqliteLinkStore::ListCodes(UserId student, CodeStateFilter states, Timestamp now,
                                            std::int64_t offset, int limit) {
  return GuardStorage("ListCodes", [&]() -> Result<CodePage> {
    // The states of CodeStateAt, selected by the flags ?3 (active) ?4 (used) ?5 (expired) ?6 (revoked).
#define OBSERVEES_CODE_FILTER                                                                    \
  " WHERE user_id = ?1 AND ("                                                                    \
  "(?3 AND revoked_at IS NULL AND workflow_state = 'active' AND expires_at > ?2) OR "            \
  "(?4 AND revoked_at IS NULL AND workflow_state = 'deleted') OR "                               \
  "(?5 AND revoked_at IS NULL AND workflow_state = 'active' AND expires_at <= ?2) OR "           \
  "(?6 AND revoked_at IS NOT NULL))"
    static constexpr char kCountSql[] = "SELECT COUNT(*) FROM pairing_codes" OBSERVEES_CODE_FILTER;
    static constexpr char kPageSql[] = "SELECT " OBSERVEES_CODE_COLUMNS " FROM pairing_codes" OBSERVEES_CODE_FILTER
                                       " ORDER BY created_at DESC, id DESC LIMIT ?7 OFFSET ?8";
#undef OBSERVEES_CODE_FILTER
    auto conn = db_->Acquire();
    auto bind = [&](SQLite::Statement& query) {
      query.bind(1, student);
      query.bind(2, ToSeconds(now));
      query.bind(3, states.active ? 1 : 0);
      query.bind(4, states.used ? 1 : 0);
      query.bind(5, states.expired ? 1 : 0);
      query.bind(6, states.revoked ? 1 : 0);
    };
    CodePage page;
    {
      ScopedStatement count(*conn, kCountSql);
      bind(*count);
      count->executeStep();
      page.total = count->getColumn(0).getInt64();
    }
    ScopedStatement query(*conn, kPageSql);
    bind(*query);
    query->bind(7, limit);
    query->bind(8, offset);
    while (query->executeStep()) page.codes.push_back(ReadCode(*query, db_.get()));
    return page;
  });
}

Result<std::optional<AttemptTicket>> SqliteLinkStore::ReserveAttempt(std::span<const std::string> keys,
                                                                     int max_failures, Timestamp since,
                                                                     Timestamp now) {
  return GuardStorage("ReserveAttempt", [&]() -> Result<std::optional<AttemptTicket>> {
    static constexpr char kPruneSql[] = "DELETE FROM failed_attempts WHERE key = ? AND at < ?";
    static constexpr char kCountSql[] = "SELECT COUNT(*) FROM failed_attempts WHERE key = ? AND at >= ?";
    static constexpr char kInsertSql[] = "INSERT INTO failed_attempts (key, at) VALUES (?, ?)";
    auto txn = db_->BeginWrite();
    for (const std::string& key : keys) {
      auto& prune = txn.conn().Prepare(kPruneSql);
      prune.bind(1, key);
      prune.bind(2, ToSeconds(since));
      prune.exec();
      auto& count = txn.conn().Prepare(kCountSql);
      count.bind(1, key);
      count.bind(2, ToSeconds(since));
      count.executeStep();
      const std::int64_t failures = count.getColumn(0).getInt64();
      count.reset();
      if (failures >= max_failures) return std::optional<AttemptTicket>();
    }
    AttemptTicket ticket;
    for (const std::string& key : keys) {
      auto& insert = txn.conn().Prepare(kInsertSql);
      insert.bind(1, key);
      insert.bind(2, ToSeconds(now));
      insert.exec();
      ticket.ids.push_back(txn.conn().db().getLastInsertRowid());
    }
    txn.Commit();
    return std::optional<AttemptTicket>(std::move(ticket));
  });
}

Status SqliteLinkStore::ReleaseAttempt(const AttemptTicket& ticket) {
  return GuardStorage("ReleaseAttempt", [&]() -> Status {
    auto txn = db_->BeginWrite();
    DeleteAttempts(txn.conn(), ticket);
    txn.Commit();
    return Status::Ok();
  });
}

Result<std::vector<AuditEntry>> SqliteLinkStore::ReadAudit(std::int64_t after_id, int limit) {
  return GuardStorage("ReadAudit", [&]() -> Result<std::vector<AuditEntry>> {
    static constexpr char kSql[] =
        "SELECT id, at, actor_id, action, method, student_id, observer_id, root_account_id, link_id, code_id "
        "FROM audit_log WHERE id > ? ORDER BY id LIMIT ?";
    auto conn = db_->Acquire();
    auto& query = conn->Prepare(kSql);
    query.bind(1, after_id);
    query.bind(2, limit);
    std::vector<AuditEntry> entries;
    auto optional_id = [&](int column) -> std::optional<std::int64_t> {
      if (query.getColumn(column).isNull()) return std::nullopt;
      return query.getColumn(column).getInt64();
    };
    while (query.executeStep()) {
      AuditEntry entry;
      entry.id = query.getColumn(0).getInt64();
      entry.at = FromSeconds(query.getColumn(1).getInt64());
      entry.actor = optional_id(2);
      entry.action = AuditActionFromText(query.getColumn(3).getString());
      entry.method = LinkMethodFromText(query.getColumn(4).getString());
      entry.student_id = query.getColumn(5).getInt64();
      entry.observer_id = optional_id(6);
      entry.root_account_id = optional_id(7);
      entry.link_id = optional_id(8);
      entry.code_id = optional_id(9);
      entries.push_back(entry);
    }
    query.reset();
    return entries;
  });
}

}  // namespace observees
