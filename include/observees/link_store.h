// LinkStore: where observation links, pairing codes, attempt counters and the audit log live.
// Every rule that needs atomicity is a LinkTransaction: a code is consumed and its link made in one,
// and create-or-restore runs inside one, so two racing callers can never both win. No SQL dialect or
// storage type shows through, so a PostgreSQL store is as natural as the SQLite default.
// Implementations must be safe to call from many threads at once; a LinkTransaction belongs to the
// thread that began it. Storage failures come back as kInternal; nothing throws.
// Users and accounts are plain ids to a LinkStore: it keeps no users of its own and checks none (the
// UserDirectory does), so the SQLite default's link store works beside any directory. An integrator's
// own store keeps codes and tokens as observees/secret_hash.h's SecretHash, never in clear.
// Lifetimes: the store must outlive every transaction and snapshot it began. A transaction object may
// outlive its Commit() (or its failure) for as long as the store lives; after Commit() only its
// destructor may be called, which then does nothing.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "observees/export.h"
#include "observees/sis_import.h"
#include "observees/status.h"
#include "observees/types.h"

namespace observees {

// What CreateOrRestoreLink did.
struct LinkChange {
  enum class Kind { kCreated, kRestored, kUnchanged };
  Link link;
  Kind kind = Kind::kUnchanged;
};

// Failed-attempt rows reserved by ReserveAttempt, one per key.
struct AttemptTicket {
  std::vector<std::int64_t> ids;
};

// One counter ReserveAttempt checks: at most `max_failures` rows under `name` at or after `since`.
struct AttemptKey {
  std::string name;  // e.g. "user:12", "login:1:pat", "anonymous-root:1"
  int max_failures = 1;
  Timestamp since;
};

// What ReserveAttempt did: reserved one row per key (`ticket`), or refused because keys[refused_key]
// was at its limit.
struct AttemptReservation {
  std::optional<AttemptTicket> ticket;
  std::size_t refused_key = 0;
};

// Which code states a listing wants (CodeStateAt); all false selects nothing.
struct CodeStateFilter {
  bool active = true;
  bool used = false;
  bool expired = false;
  bool revoked = false;

  static CodeStateFilter ActiveOnly() { return {}; }
  static CodeStateFilter All() { return {true, true, true, true}; }
  bool Matches(CodeState state) const {
    switch (state) {
      case CodeState::kActive: return active;
      case CodeState::kUsed: return used;
      case CodeState::kExpired: return expired;
      case CodeState::kRevoked: return revoked;
    }
    return false;
  }
};

// One page of a student's codes, newest first (created_at, then id, descending).
struct CodePage {
  std::vector<PairingCodeRecord> codes;
  std::int64_t total = 0;  // matching codes in all pages
};

// Reads a call is about to make through a backend's interfaces, named when its snapshot begins
// (LinkStore::BeginRead) so that a store paying per round trip (PostgreSQL) can send them together.
// A hint only: every call still happens and gets its own answer, and a store may ignore it.
struct ReadAhead {
  std::vector<UserId> users;                                     // UserDirectory::FindUser
  std::vector<UserId> root_accounts_of;                          // UserDirectory::RootAccountsOf
  std::vector<std::pair<UserId, UserId>> managed_root_accounts;  // RootAccountsWithPermission(actor,
                                                                 //   user, kManageUserObservers)
  std::vector<UserId> links_of_observer;                         // LinkStore::ActiveLinksOfObserver
  std::vector<UserId> links_of_student;                          // LinkStore::ActiveLinksOfStudent
  std::vector<std::pair<UserId, UserId>> links_between;          // LinkStore::LinksBetween(student, observer)
};

// The link changes a write transaction is about to make (LinkStore::BeginWrite,
// EnrollmentStore::PrepareLinkChanges), with the same intent and the same status: a hint.
struct WriteAhead {
  struct Change {
    UserId student = 0;
    UserId observer = 0;
    std::optional<AccountId> root_account;  // the link's (nullopt: a legacy link)
    bool removal = false;                   // RemoveLink; otherwise CreateOrRestoreLink
  };
  std::vector<Change> links;
};

// A read snapshot (LinkStore::BeginRead), ended by destroying it on the thread that began it.
class OBSERVEES_EXPORT ReadSnapshot {
 public:
  ReadSnapshot() = default;
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  virtual ~ReadSnapshot() = default;
};

// A write transaction. It rolls back when destroyed unless Commit() succeeded; after any failed call
// the caller must not commit. Between BeginWrite() and Commit() the thread must not read through the
// LinkStore nor begin a read snapshot (the SQLite default's ":memory:" has one connection, held by the
// transaction).
class OBSERVEES_EXPORT LinkTransaction {
 public:
  LinkTransaction() = default;
  LinkTransaction(const LinkTransaction&) = delete;
  LinkTransaction& operator=(const LinkTransaction&) = delete;
  virtual ~LinkTransaction() = default;

  // Rule 7: the link for (student, observer) matching `root_account` (or a legacy NULL-root link),
  // restored with its old id when deleted, created otherwise. Never two rows for one triple. A link it
  // creates or restores remembers `sis_import`, the SIS import making it active (none: anything
  // else), which is how a data set owns links (ActiveLinksOfDataSet); an active link keeps its own.
  virtual Result<LinkChange> CreateOrRestoreLink(UserId student, UserId observer, AccountId root_account, Timestamp now,
                                                 std::optional<std::int64_t> sis_import = std::nullopt) = 0;
  // Soft-deletes an active link; false when it was not active.
  virtual Result<bool> RemoveLink(LinkId link, Timestamp now) = 0;

  // Marks a code used by `used_by`, only if it is still active at `now`; false when it is not (someone
  // else consumed it, or it expired): the caller must then roll back.
  virtual Result<bool> ConsumeCode(CodeId code, UserId used_by, Timestamp now) = 0;
  // Records the link a consumed code's redemption made or found.
  virtual Status SetCodeLink(CodeId code, LinkId link) = 0;
  // Revokes a code (workflow_state "deleted", revoked_by, revoked_at) only if it is active at `now`
  // (not deleted, expires_at > now); false otherwise (already used, revoked or expired), changing
  // nothing. A revoked code is never found by FindActiveCode again.
  virtual Result<bool> RevokeCode(CodeId code, UserId revoked_by, Timestamp now) = 0;

  // Stores a new code for `student` unless an active code with the same string exists at `now`
  // (rule 17); nullopt on such a collision. `code` is never stored in clear: a keyed hash of it, and
  // where the store can, an encrypted copy that FindCode and ListCodes open.
  virtual Result<std::optional<CodeId>> InsertCode(UserId student, std::string_view code, Timestamp expires_at,
                                                   Timestamp now) = 0;

  // Appends an audit entry (its id is the store's); a store may send it with the commit.
  virtual Status AppendAudit(const AuditEntry& entry) = 0;

  // SIS imports (sis_import.h). Takes the import lock of `record.root_account_id` until this
  // transaction ends (imports of one root account write one at a time), then stores the record and
  // answers its id; but when `newest_seen` is given and the newest import of that root account is no
  // longer that one (0: none), another import committed since the caller read: nullopt, nothing written.
  virtual Result<std::optional<std::int64_t>> BeginSisImport(const SisImportRecord& record,
                                                             std::optional<std::int64_t> newest_seen) = 0;
  // Stores the state, counts, message, progress and times of the record with `record.id`.
  virtual Status FinishSisImport(const SisImportRecord& record) = 0;
  // The links a data set owns (docs/sis-import.md, batch mode): active links of `root_account` that an
  // import of `root_account` with this diffing_data_set_identifier made active, ascending id.
  virtual Result<std::vector<Link>> ActiveLinksOfDataSet(AccountId root_account, std::string_view data_set) = 0;

  // LinkStore::ReleaseAttempt inside this transaction: the reservation is withdrawn when it commits,
  // and still counts when it rolls back.
  virtual Status ReleaseAttempt(const AttemptTicket& ticket) = 0;

  virtual Status Commit() = 0;
};

class OBSERVEES_EXPORT LinkStore {
 public:
  LinkStore() = default;
  LinkStore(const LinkStore&) = delete;
  LinkStore& operator=(const LinkStore&) = delete;
  virtual ~LinkStore() = default;

  // Starts a write transaction; concurrent writers wait for each other. `ahead` says what it will
  // change, for a store that can start its reads at once.
  virtual Result<std::unique_ptr<LinkTransaction>> BeginWrite(const WriteAhead& ahead = {}) = 0;

  // Every link between the two users, deleted ones included, ascending id.
  virtual Result<std::vector<Link>> LinksBetween(UserId student, UserId observer) = 0;
  // Non-deleted links where `observer` observes someone, ascending id.
  virtual Result<std::vector<Link>> ActiveLinksOfObserver(UserId observer) = 0;
  // Non-deleted links where someone observes `student`, ascending id.
  virtual Result<std::vector<Link>> ActiveLinksOfStudent(UserId student) = 0;

  // Non-deleted links of root account `root_account` (legacy NULL-root ones excluded) with id >
  // `after_id`, ascending id, at most `limit`: a page of the SIS export.
  virtual Result<std::vector<Link>> ActiveLinksInRootAccount(AccountId root_account, LinkId after_id, int limit) = 0;

  // The code with this string that is active at `now` (not deleted, expires_at > now), if any.
  virtual Result<std::optional<PairingCodeRecord>> FindActiveCode(std::string_view code, Timestamp now) = 0;
  // The code with this id in any state; `code` is set when the store can show it in clear.
  virtual Result<std::optional<PairingCodeRecord>> FindCode(CodeId id) = 0;
  // `student`'s codes whose state at `now` the filter selects, newest first, skipping `offset` and
  // returning at most `limit`, with the total count; `code` set as in FindCode.
  virtual Result<CodePage> ListCodes(UserId student, CodeStateFilter states, Timestamp now, std::int64_t offset,
                                     int limit) = 0;

  // The attempt limiter's counter (D6), atomically: when every key has fewer than its `max_failures`
  // rows at or after its `since`, adds one row per key at `now` and returns them; otherwise names the
  // first key at its limit and adds nothing. It may also delete a few rows of any key older than
  // `prune_before` (no later than every key's `since`), so that keys never used again do not pile up.
  virtual Result<AttemptReservation> ReserveAttempt(std::span<const AttemptKey> keys, Timestamp now,
                                                    Timestamp prune_before) = 0;
  // Withdraws a reservation: the attempt succeeded and does not count as a failure.
  virtual Status ReleaseAttempt(const AttemptTicket& ticket) = 0;

  // The import record `id` of `root_account`, if any.
  virtual Result<std::optional<SisImportRecord>> FindSisImport(AccountId root_account, std::int64_t id) = 0;
  // The import records of `root_account`, newest (highest id) first, skipping `offset`, at most `limit`.
  virtual Result<std::vector<SisImportRecord>> ListSisImports(AccountId root_account, std::int64_t offset,
                                                              int limit) = 0;

  // Audit entries with id > `after_id`, ascending, at most `limit`.
  virtual Result<std::vector<AuditEntry>> ReadAudit(std::int64_t after_id, int limit) = 0;

  // Optional: while the answer lives, the calling thread's reads through this store and the other
  // interfaces of its backend see one state (the one of the first read) and share one transaction
  // (fewer locks, a consistent answer). The thread must not begin a write meanwhile (the SQLite
  // default's BeginWrite then fails with kInternal), and must destroy it itself. nullptr when the
  // store has none (the default: every read stands alone), when the thread already holds one (it goes
  // on), or when one cannot begin. `ahead` names the reads to come, for a store that can send them at once.
  virtual std::unique_ptr<ReadSnapshot> BeginRead(const ReadAhead& ahead = {}) {
    (void)ahead;
    return nullptr;
  }
};

}  // namespace observees
