// ForwardingLinkStore: a LinkStore that forwards every call to another, for test wrappers that change
// one behaviour (in the spirit of leveldb's EnvWrapper): derive, and override what the test needs.
// Thread-safe as its base is.
#pragma once

#include <memory>
#include <utility>

#include "observees/link_store.h"

namespace observees::testing {

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
  Result<std::vector<AuditEntry>> ReadAudit(std::int64_t after_id, int limit) override {
    return base_->ReadAudit(after_id, limit);
  }

 protected:
  LinkStore& base() { return *base_; }

 private:
  std::shared_ptr<LinkStore> base_;
};

}  // namespace observees::testing
