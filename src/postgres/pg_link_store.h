// PgLinkStore: LinkStore over the PostgreSQL backend (tables observation_links, pairing_codes,
// failed_attempts, audit_log). Its atomic rules hold across processes sharing the database:
// create-or-restore under the link row's lock with INSERT ... ON CONFLICT, a code consumed or revoked
// by one conditional UPDATE, and code insertion and attempt reservation serialised per key by
// transaction-scoped advisory locks. Thread-safe per postgres.h's connection model.
#pragma once

#include <memory>

#include "observees/link_store.h"
#include "postgres/pg_database.h"

namespace observees {

// The connection of a transaction begun by PgLinkStore::BeginWrite, so that other stores on the same
// database (the enrollment mirror) write inside it; nullptr for any other LinkTransaction.
PgConnection* PgTransactionConnection(LinkTransaction& txn);

class PgLinkStore final : public LinkStore {
 public:
  explicit PgLinkStore(std::shared_ptr<PostgresDatabase> db) : db_(std::move(db)) {}

  Result<std::unique_ptr<LinkTransaction>> BeginWrite() override;
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
  std::shared_ptr<PostgresDatabase> db_;
};

}  // namespace observees
