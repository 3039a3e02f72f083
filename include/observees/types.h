// Value types shared by the service, its storage interfaces and the JSON layer. Plain data, no behaviour.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace observees {

using UserId = std::int64_t;
using AccountId = std::int64_t;
using LinkId = std::int64_t;
using CodeId = std::int64_t;

// Whole seconds since the Unix epoch, UTC: the precision of Canvas's timestamps.
using Timestamp = std::chrono::sys_seconds;

// A user as the directory knows it (Canvas's User, minus what these APIs never show).
struct User {
  UserId id = 0;
  std::string name;
  std::string sortable_name;
  std::string short_name;
  Timestamp created_at{};
  std::optional<std::string> sis_user_id;
  std::optional<std::string> avatar_url;  // may be relative; the JSON layer makes it absolute
  std::optional<std::string> pronouns;
  bool deleted = false;  // soft-deleted users resolve by id only where a rule says so (rule 21)
};

enum class SelfRegistration { kNone, kObserver, kAll };

struct Account {
  AccountId id = 0;
  std::string name;
  std::optional<AccountId> parent_id;  // none: a root account
  AccountId root_account_id = 0;       // itself for a root account
  SelfRegistration self_registration = SelfRegistration::kNone;
  bool avatars = false;
};

// A course enrollment (Canvas's Enrollment, the fields these APIs use). `type` is Canvas's
// ("StudentEnrollment", "ObserverEnrollment", ...), `workflow_state` too ("active", "invited",
// "inactive", "completed", "rejected", "deleted", "creation_pending").
struct Enrollment {
  std::int64_t id = 0;
  UserId user_id = 0;
  std::int64_t course_id = 0;
  std::optional<std::int64_t> course_section_id;
  std::string type;
  std::string workflow_state;
  std::optional<UserId> associated_user_id;  // an observer enrollment's student
  AccountId root_account_id = 0;
  std::optional<Timestamp> start_at;
  std::optional<Timestamp> end_at;
  Timestamp created_at{};
  Timestamp updated_at{};
};

enum class LinkState { kActive, kDeleted };

// An observation link: `observer_id` observes `student_id` in one root account (Canvas: user_observers).
struct Link {
  LinkId id = 0;
  UserId student_id = 0;
  UserId observer_id = 0;
  std::optional<AccountId> root_account_id;  // none only for imported legacy links (D9): match every root
  LinkState state = LinkState::kActive;
  Timestamp created_at{};
  Timestamp updated_at{};
};

// A pairing code's state. `expired` is derived from expires_at at the moment asked, never stored.
enum class CodeState { kActive, kUsed, kExpired, kRevoked };

// A stored pairing code. Only a keyed hash of the code is kept for lookup (and, in stores that can,
// an encrypted copy so the student can see it again).
struct PairingCodeRecord {
  CodeId id = 0;
  UserId user_id = 0;  // the student
  Timestamp created_at{};
  Timestamp expires_at{};
  bool deleted = false;  // Canvas's workflow_state "deleted": used or revoked
  std::optional<UserId> used_by;
  std::optional<Timestamp> used_at;
  std::optional<LinkId> link_id;  // the link the redemption made or found
  std::optional<UserId> revoked_by;
  std::optional<Timestamp> revoked_at;
  // The code in clear: set only by LinkStore::ListCodes and FindCode, and only when the store keeps an
  // encrypted copy it can open (codes stored before that have none).
  std::optional<std::string> code;
};

// The state of `code` at `now`: revoked, used (deleted without a revocation), expired (not deleted,
// expires_at <= now), else active (rule 15).
inline CodeState CodeStateAt(const PairingCodeRecord& code, Timestamp now) {
  if (code.revoked_at) return CodeState::kRevoked;
  if (code.deleted) return CodeState::kUsed;
  if (code.expires_at <= now) return CodeState::kExpired;
  return CodeState::kActive;
}

// A freshly generated code: the only time the code is seen in clear (Canvas's PairingCode object).
struct PairingCode {
  UserId user_id = 0;
  std::string code;
  Timestamp expires_at{};
  std::string workflow_state = "active";
};

// Which root accounts a request means (Canvas's `root_account_id` parameter, rule 27).
struct RootAccountScope {
  enum class Kind { kDomain, kAll, kAccount };
  Kind kind = Kind::kDomain;
  AccountId account = 0;  // with kAccount only

  static RootAccountScope Domain() { return {}; }
  static RootAccountScope All() { return {Kind::kAll, 0}; }
  static RootAccountScope Account(AccountId id) { return {Kind::kAccount, id}; }
};

// How a link change came about, for the audit log.
enum class LinkMethod {
  kCredentials = 1,
  kAccessToken = 2,
  kPairingCode = 3,
  kAdministrator = 4,
  kSelfRegistration = 5,
  kObserver = 6,  // the observer removing their own link
  kFixture = 7,
  kSisImport = 8,  // a SIS import of user_observers.csv (ObservationService::ImportUserObservers)
};

enum class AuditAction {
  kCreated = 1,
  kRestored = 2,
  kRemoved = 3,
  kCodeCreated = 4,
  kCodeRedeemed = 5,
  kCodeRevoked = 6,
};

struct AuditEntry {
  std::int64_t id = 0;  // assigned by the store
  Timestamp at{};
  std::optional<UserId> actor;  // none: anonymous (self-registration) or the fixture
  AuditAction action = AuditAction::kCreated;
  LinkMethod method = LinkMethod::kAdministrator;
  UserId student_id = 0;
  std::optional<UserId> observer_id;
  std::optional<AccountId> root_account_id;
  std::optional<LinkId> link_id;
  std::optional<CodeId> code_id;              // never the code itself
  std::optional<std::int64_t> sis_import_id;  // the SIS import that made the change (SisImportRecord::id)
};

}  // namespace observees
