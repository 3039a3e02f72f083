// LinkChanges: the one home for what a link change brings with it inside its LinkTransaction: the
// audit entry and the linked observer enrollments (rules 10-13, through the optional EnrollmentStore).
// The service's operations and the SIS import both change links through it. One per transaction,
// used on the thread that holds the transaction.
#pragma once

#include <optional>

#include "observees/enrollment_store.h"
#include "observees/link_store.h"
#include "observees/status.h"
#include "observees/types.h"

namespace observees {

class LinkChanges {
 public:
  // `actor`, `method` and `sis_import` (the SIS import making the changes, if one is) go into every
  // audit entry; `now` is the changes' time.
  LinkChanges(LinkTransaction& txn, EnrollmentStore* enrollments, std::optional<UserId> actor, LinkMethod method,
              Timestamp now, std::optional<std::int64_t> sis_import = std::nullopt)
      : txn_(txn), enrollments_(enrollments), actor_(actor), method_(method), now_(now), sis_import_(sis_import) {}

  // EnrollmentStore::PrepareLinkChanges for the changes to come (before any of them).
  Status Prepare(const WriteAhead& ahead) const;
  // CreateOrRestoreLink (rule 7) on behalf of the SIS import if there is one, then the audit entry
  // and enrollments of a created or restored link.
  Result<LinkChange> CreateOrRestore(UserId student, UserId observer, AccountId root_account) const;
  // RemoveLink, then the audit entry and enrollments; false (nothing else done) when it was not active.
  Result<bool> Remove(const Link& link) const;

  // The audit entry of `action` on `link` by this actor and method.
  AuditEntry Audit(AuditAction action, const Link& link) const;

 private:
  LinkTransaction& txn_;
  EnrollmentStore* enrollments_;
  std::optional<UserId> actor_;
  LinkMethod method_;
  Timestamp now_;
  std::optional<std::int64_t> sis_import_;
};

}  // namespace observees
