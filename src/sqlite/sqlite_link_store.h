// SqliteLinkStore: LinkStore over the SQLite default database (tables observation_links,
// pairing_codes, failed_attempts, audit_log). Thread-safe per sqlite.h's connection model.
#pragma once

#include <memory>

#include "observees/link_store.h"
#include "sqlite/sqlite_database.h"

namespace observees {

// The connection of a transaction begun by SqliteLinkStore::BeginWrite, so that other stores on the
// same database (the enrollment mirror) write inside it; nullptr for any other LinkTransaction.
SqliteConnection* SqliteTransactionConnection(LinkTransaction& txn);

class SqliteLinkStore final : public LinkStore {
 public:
  explicit SqliteLinkStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  Result<std::unique_ptr<LinkTransaction>> BeginWrite() override;
  std::unique_ptr<ReadSnapshot> BeginRead() override { return db_->PinForReads(); }
  Result<std::vector<Link>> LinksBetween(UserId student, UserId observer) override;
  Result<std::vector<Link>> ActiveLinksOfObserver(UserId observer) override;
  Result<std::vector<Link>> ActiveLinksOfStudent(UserId student) override;
  Result<std::optional<PairingCodeRecord>> FindActiveCode(std::string_view code, Timestamp now) override;
  Result<std::optional<PairingCodeRecord>> FindCode(CodeId id) override;
  Result<CodePage> ListCodes(UserId student, CodeStateFilter states, Timestamp now, std::int64_t offset,
                             int limit) override;
  Result<std::optional<AttemptTicket>> ReserveAttempt(std::span<const std::string> keys, int max_failures,
                                                      Timestamp since, Timestamp now) override;
  Status ReleaseAttempt(const AttemptTicket& ticket) override;
  Result<std::vector<AuditEntry>> ReadAudit(std::int64_t after_id, int limit) override;

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace observees
