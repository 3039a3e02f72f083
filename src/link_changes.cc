// LinkChanges: a link change with its audit entry and enrollment changes (see link_changes.h).
#include "link_changes.h"

namespace observees {

Status LinkChanges::Prepare(const WriteAhead& ahead) const {
  if (enrollments_ == nullptr) return Status::Ok();
  return enrollments_->PrepareLinkChanges(txn_, ahead);
}

AuditEntry LinkChanges::Audit(AuditAction action, const Link& link) const {
  AuditEntry entry;
  entry.at = now_;
  entry.actor = actor_;
  entry.action = action;
  entry.method = method_;
  entry.student_id = link.student_id;
  entry.observer_id = link.observer_id;
  entry.root_account_id = link.root_account_id;
  entry.link_id = link.id;
  entry.sis_import_id = sis_import_;
  return entry;
}

Result<LinkChange> LinkChanges::CreateOrRestore(UserId student, UserId observer, AccountId root_account) const {
  auto change = txn_.CreateOrRestoreLink(student, observer, root_account, now_, sis_import_);
  if (!change.ok() || change->kind == LinkChange::Kind::kUnchanged) return change;
  const bool created = change->kind == LinkChange::Kind::kCreated;
  OBSERVEES_RETURN_IF_ERROR(
      txn_.AppendAudit(Audit(created ? AuditAction::kCreated : AuditAction::kRestored, change->link)));
  if (enrollments_ != nullptr) {
    OBSERVEES_RETURN_IF_ERROR(
        enrollments_->OnLinkChanged(txn_, change->link, created ? LinkEvent::kCreated : LinkEvent::kRestored, now_));
  }
  return change;
}

Result<bool> LinkChanges::Remove(const Link& link) const {
  auto removed = txn_.RemoveLink(link.id, now_);
  if (!removed.ok() || !*removed) return removed;
  OBSERVEES_RETURN_IF_ERROR(txn_.AppendAudit(Audit(AuditAction::kRemoved, link)));
  if (enrollments_ != nullptr)
    OBSERVEES_RETURN_IF_ERROR(enrollments_->OnLinkChanged(txn_, link, LinkEvent::kRemoved, now_));
  return true;
}

}  // namespace observees
