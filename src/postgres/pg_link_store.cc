// SCAFFOLD: replaced by the real implementation before landing.
#include "postgres/pg_link_store.h"

namespace observees {

PgConnection* PgTransactionConnection(LinkTransaction&) { return nullptr; }

Result<std::unique_ptr<LinkTransaction>> PgLinkStore::BeginWrite() { return Internal("PgLinkStore::BeginWrite: not implemented yet"); }
Result<std::vector<Link>> PgLinkStore::LinksBetween(UserId, UserId) { return Internal("PgLinkStore::LinksBetween: not implemented yet"); }
Result<std::vector<Link>> PgLinkStore::ActiveLinksOfObserver(UserId) { return Internal("PgLinkStore::ActiveLinksOfObserver: not implemented yet"); }
Result<std::vector<Link>> PgLinkStore::ActiveLinksOfStudent(UserId) { return Internal("PgLinkStore::ActiveLinksOfStudent: not implemented yet"); }
Result<std::optional<PairingCodeRecord>> PgLinkStore::FindActiveCode(std::string_view, Timestamp) { return Internal("PgLinkStore::FindActiveCode: not implemented yet"); }
Result<std::optional<PairingCodeRecord>> PgLinkStore::FindCode(CodeId) { return Internal("PgLinkStore::FindCode: not implemented yet"); }
Result<CodePage> PgLinkStore::ListCodes(UserId, CodeStateFilter, Timestamp, std::int64_t, int) { return Internal("PgLinkStore::ListCodes: not implemented yet"); }
Result<std::optional<AttemptTicket>> PgLinkStore::ReserveAttempt(std::span<const std::string>, int, Timestamp, Timestamp) { return Internal("PgLinkStore::ReserveAttempt: not implemented yet"); }
Status PgLinkStore::ReleaseAttempt(const AttemptTicket&) { return Internal("PgLinkStore::ReleaseAttempt: not implemented yet"); }
Result<std::vector<AuditEntry>> PgLinkStore::ReadAudit(std::int64_t, int) { return Internal("PgLinkStore::ReadAudit: not implemented yet"); }

}  // namespace observees
