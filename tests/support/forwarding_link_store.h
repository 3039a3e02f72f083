// ForwardingLinkStore / ForwardingLinkTransaction: a LinkStore and a LinkTransaction that forward every
// call to another, for test wrappers that change one behaviour (in the spirit of leveldb's EnvWrapper):
// derive, and override what the test needs. Thread-safe as their bases are.
#pragma once

#include <memory>
#include <utility>

#include "observees/link_store.h"

namespace observees::testing {

class ForwardingLinkTransaction : public LinkTransaction {
 public:
  explicit ForwardingLinkTransaction(std::unique_ptr<LinkTransaction> base) : base_(std::move(base)) {}

  Result<LinkChange> CreateOrRestoreLink(UserId student, UserId observer, AccountId root_account, Timestamp now,
                                         std::optional<std::int64_t> sis_import = std::nullopt) override {
    return base_->CreateOrRestoreLink(student, observer, root_account, now, sis_import);
  }
  Result<bool> RemoveLink(LinkId link, Timestamp now) override { return base_->RemoveLink(link, now); }
  Result<bool> ConsumeCode(CodeId code, UserId used_by, Timestamp now) override {
    return base_->ConsumeCode(code, used_by, now);
  }
  Status SetCodeLink(CodeId code, LinkId link) override { return base_->SetCodeLink(code, link); }
  Result<bool> RevokeCode(CodeId code, UserId revoked_by, Timestamp now) override {
    return base_->RevokeCode(code, revoked_by, now);
  }
  Result<std::optional<CodeId>> InsertCode(UserId student, std::string_view code, Timestamp expires_at,
                                           Timestamp now) override {
    return base_->InsertCode(student, code, expires_at, now);
  }
  Status AppendAudit(const AuditEntry& entry) override { return base_->AppendAudit(entry); }
  Result<std::optional<std::int64_t>> BeginSisImport(const SisImportRecord& record,
                                                     std::optional<std::int64_t> newest_seen) override {
    return base_->BeginSisImport(record, newest_seen);
  }
  Status FinishSisImport(const SisImportRecord& record) override { return base_->FinishSisImport(record); }
  Result<std::vector<Link>> ActiveLinksOfDataSet(AccountId root_account, std::string_view data_set) override {
    return base_->ActiveLinksOfDataSet(root_account, data_set);
  }
  Status ReleaseAttempt(const AttemptTicket& ticket) override { return base_->ReleaseAttempt(ticket); }
  Status Commit() override { return base_->Commit(); }

 private:
  std::unique_ptr<LinkTransaction> base_;
};

class ForwardingLinkStore : public LinkStore {
 public:
  explicit ForwardingLinkStore(std::shared_ptr<LinkStore> base) : base_(std::move(base)) {}

  Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead) override {
    return base_->BeginWrite(ahead);
  }
  Result<std::vector<Link>> LinksBetween(UserId student, UserId observer) override {
    return base_->LinksBetween(student, observer);
  }
  Result<std::vector<Link>> ActiveLinksOfObserver(UserId observer) override {
    return base_->ActiveLinksOfObserver(observer);
  }
  Result<std::vector<Link>> ActiveLinksOfStudent(UserId student) override {
    return base_->ActiveLinksOfStudent(student);
  }
  Result<std::vector<Link>> ActiveLinksInRootAccount(AccountId root_account, LinkId after_id, int limit) override {
    return base_->ActiveLinksInRootAccount(root_account, after_id, limit);
  }
  Result<std::optional<PairingCodeRecord>> FindActiveCode(std::string_view code, Timestamp now) override {
    return base_->FindActiveCode(code, now);
  }
  Result<std::optional<PairingCodeRecord>> FindCode(CodeId id) override { return base_->FindCode(id); }
  Result<CodePage> ListCodes(UserId student, CodeStateFilter states, Timestamp now, std::int64_t offset,
                             int limit) override {
    return base_->ListCodes(student, states, now, offset, limit);
  }
  Result<AttemptReservation> ReserveAttempt(std::span<const AttemptKey> keys, Timestamp now,
                                            Timestamp prune_before) override {
    return base_->ReserveAttempt(keys, now, prune_before);
  }
  Status ReleaseAttempt(const AttemptTicket& ticket) override { return base_->ReleaseAttempt(ticket); }
  std::unique_ptr<ReadSnapshot> BeginRead(const ReadAhead& ahead) override { return base_->BeginRead(ahead); }
  Result<std::optional<SisImportRecord>> FindSisImport(AccountId root_account, std::int64_t id) override {
    return base_->FindSisImport(root_account, id);
  }
  Result<std::vector<SisImportRecord>> ListSisImports(AccountId root_account, std::int64_t offset, int limit) override {
    return base_->ListSisImports(root_account, offset, limit);
  }
  Result<std::vector<AuditEntry>> ReadAudit(std::int64_t after_id, int limit) override {
    return base_->ReadAudit(after_id, limit);
  }

 protected:
  LinkStore& base() { return *base_; }
  // The base's write transaction wrapped in a `Txn(std::unique_ptr<LinkTransaction>, args...)`: what a
  // wrapper's BeginWrite answers to change a transaction's behaviour.
  template <typename Txn, typename... Args>
  Result<std::unique_ptr<LinkTransaction>> BeginWrapped(const WriteAhead& ahead, Args&&... args) {
    auto inner = base_->BeginWrite(ahead);
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<LinkTransaction>(
        std::make_unique<Txn>(std::move(inner).value(), std::forward<Args>(args)...));
  }

 private:
  std::shared_ptr<LinkStore> base_;
};

}  // namespace observees::testing
