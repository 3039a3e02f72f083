// ObservationService: Canvas's User Observees and Observer Pairing Codes rules (docs/rules.md
// sections 2-3, with docs/decisions.md D1-D9) over the UserDirectory, Authenticator and LinkStore it is
// given. It owns every rule: who may act, root-account scoping, create-or-restore, pairing codes and
// the attempt limiter. Thread-safe: one service may be called from many threads at once, as long as
// its dependencies are (the SQLite default's are). No method throws.
#pragma once

#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "observees/authenticator.h"
#include "observees/clock.h"
#include "observees/enrollment_store.h"
#include "observees/export.h"
#include "observees/link_store.h"
#include "observees/random.h"
#include "observees/service_options.h"
#include "observees/sis_import.h"
#include "observees/status.h"
#include "observees/types.h"
#include "observees/user_directory.h"

namespace observees {

// Who is asking, and through which root account's domain.
struct Caller {
  std::optional<UserId> user;  // none: anonymous
  AccountId domain_root_account = 0;
  std::string client_key;  // optional: e.g. the peer address; keys the limiter for anonymous calls
};

// A user as these endpoints return it: Canvas's User plus observation_link_root_account_ids (rule 42).
struct LinkedUser {
  User user;
  std::vector<AccountId> observation_link_root_account_ids;
  bool include_avatar_url = false;  // include[]=avatar_url asked and avatars enabled for the user
};

struct ListOptions {
  int page = 1;      // 1-based; values below 1 are kInvalidArgument
  int per_page = 0;  // 0: the default; otherwise clamped to 1..max_per_page
  bool include_avatar_url = false;
};

struct UserPage {
  std::vector<LinkedUser> users;  // empty past the last page
  std::int64_t total = 0;         // linked users in all pages
  int page = 1;
  int per_page = 10;  // after defaulting and clamping
};

// POST /observees inputs. A present field selects its branch even when empty; precedence is
// access_token > pairing_code > unique_id/password (rule 43.2).
struct AddObserveeRequest {
  std::optional<std::string> access_token;
  std::optional<std::string> pairing_code;
  std::optional<std::string> unique_id;
  std::optional<std::string> password;
  RootAccountScope scope;  // default: the domain root account
};

// Observer self-registration with a pairing code (rule 57, D8), on the caller's domain root account.
struct SelfRegistrationRequest {
  std::string name;
  std::string sortable_name;  // empty: derived from name ("Last, First")
  std::string short_name;     // empty: the name
  std::string unique_id;
  std::string password;
  std::string initial_enrollment_type = "observer";
  std::optional<std::string> pairing_code;
};

// Which of a student's pairing codes to list, and which page (newest first).
struct PairingCodeListOptions {
  CodeStateFilter states = CodeStateFilter::ActiveOnly();
  int page = 1;      // 1-based; values below 1 are kInvalidArgument
  int per_page = 0;  // 0: the default; otherwise clamped to 1..max_per_page
};

// A code as the lifecycle operations show it. `code` is the code in clear for the student and
// administrators, masked ("Ab****") for anyone else, and all asterisks when the store cannot show it.
struct PairingCodeDetail {
  PairingCodeRecord record;  // record.code is never set here: `code` is what may be shown
  CodeState state = CodeState::kActive;
  std::string code;
  bool changed = false;  // revocation only: whether this call revoked the code
};

struct PairingCodePage {
  std::vector<PairingCodeDetail> codes;
  std::int64_t total = 0;
  int page = 1;
  int per_page = 10;
};

// Everything the service runs on. The service shares ownership.
struct ServiceDependencies {
  std::shared_ptr<UserDirectory> directory;      // required
  std::shared_ptr<Authenticator> authenticator;  // required
  std::shared_ptr<LinkStore> links;              // required
  // Optional: mirrors link changes into observer enrollments in the link's transaction (rules 10-13)
  // and answers the enrollment operations; without it those answer kNotFound.
  std::shared_ptr<EnrollmentStore> enrollments;
  std::shared_ptr<Clock> clock;          // default when null: SystemClock()
  std::shared_ptr<RandomSource> random;  // default when null: SecureRandom()
  // Optional: receives one line when the attempt limiter's anonymous budget of a root account is spent
  // (at most once per window per root account). Called on the thread of the refused call.
  std::function<void(const std::string&)> warn;
};

class OBSERVEES_EXPORT ObservationService {
 public:
  // kInvalidArgument for a missing dependency or an option out of range.
  static Result<std::unique_ptr<ObservationService>> Create(ServiceDependencies deps, ServiceOptions options = {});
  ~ObservationService();
  ObservationService(const ObservationService&) = delete;
  ObservationService& operator=(const ObservationService&) = delete;

  // Every operation: kUnauthenticated for an anonymous caller (except RegisterObserver); kNotFound for
  // an unknown or deleted user in the path; kPermissionDenied for a caller who may not act.

  // E1: the students `observer` observes in any root account, by sortable name then id (rule 32-36).
  Result<UserPage> ListObservees(const Caller& caller, UserId observer, const ListOptions& options) const;
  // E2: the observers of `student` (rule 38).
  Result<UserPage> ListObservers(const Caller& caller, UserId student, const ListOptions& options) const;

  // E3: links `observer` to the student named by a token, a pairing code or credentials (rule 43, D1,
  // D2, D4-D6). kUnknownObservee, kInvalidCredentials, kInvalidCode, kSelfObservation,
  // kTooManyAttempts, kInvalidArgument (no input at all). Returns the student.
  Result<LinkedUser> AddObservee(const Caller& caller, UserId observer, const AddObserveeRequest& request) const;

  // E4 / E5: kNotFound when the two share no non-deleted link (rules 39-40).
  Result<LinkedUser> ShowObservee(const Caller& caller, UserId observer, UserId student) const;
  Result<LinkedUser> ShowObserver(const Caller& caller, UserId student, UserId observer) const;

  // E6: administrators only, even for themselves (rules 47-50). Returns the student.
  Result<LinkedUser> AddObserveeById(const Caller& caller, UserId observer, UserId student,
                                     RootAccountScope scope) const;

  // E7: soft-deletes the links the caller may remove, only in scope's root account when it names one
  // (rules 51-56, D3); kDomain and kAll both mean every root account. Returns the student.
  Result<LinkedUser> RemoveObservee(const Caller& caller, UserId observer, UserId student,
                                    RootAccountScope scope = RootAccountScope::All()) const;

  // E8: a new code for `student` (rules 20-24). kPermissionDenied also when the student has no
  // student enrollment or the domain does not allow self-registration (rule 22).
  Result<PairingCode> CreatePairingCode(const Caller& caller, UserId student) const;

  // Pairing-code lifecycle (beyond Canvas). Each: kNotFound for an unknown student (a deleted one
  // still resolves, rule 21); kPermissionDenied unless the caller is the student or may generate codes
  // for them (rule 23; rule 22's precondition does not apply).

  // The student's codes in the requested states, newest first. kInvalidArgument for page < 1.
  Result<PairingCodePage> ListPairingCodes(const Caller& caller, UserId student,
                                           const PairingCodeListOptions& options) const;
  // Revokes one active code of the student's: idempotent. The detail's state says what the code is now
  // and `changed` whether this call revoked it (a used, expired or already revoked code is left as it
  // is). kNotFound for a code id that is not this student's.
  Result<PairingCodeDetail> RevokePairingCode(const Caller& caller, UserId student, CodeId code) const;
  // Revokes every active code of the student's; returns how many this call revoked.
  Result<std::int64_t> RevokeAllPairingCodes(const Caller& caller, UserId student) const;

  // D8 / rule 57: creates an observer with a login in the domain root account and links them to the
  // code's student there. The caller may be anonymous. kPermissionDenied when the domain does not allow
  // observer self-registration; kInvalidCode for a missing, unknown or used code (nothing created);
  // kInvalidArgument / kAlreadyExists for the user's fields. Returns the new observer.
  Result<LinkedUser> RegisterObserver(const Caller& caller, const SelfRegistrationRequest& request) const;

  // GET /users/:user_id/enrollments: the user's enrollments, for the user or an administrator holding
  // manage_students on one of the user's root accounts (kPermissionDenied otherwise).
  Result<std::vector<Enrollment>> ListEnrollments(const Caller& caller, UserId user) const;
  // POST /courses/:course_id/enrollments: administrators holding manage_students on the course's
  // account chain enroll a user or change their enrollment's state; observers with a link in the
  // course's root account follow a student (rules 12-13). kNotFound for an unknown course or user.
  Result<Enrollment> EnrollUser(const Caller& caller, const EnrollmentRequest& request) const;

  // The owner of a bearer token (Authenticator::UserForAccessToken), its failures counted per client
  // (D6): kTooManyAttempts once `client_key` has offered limiter.token_max_failures unknown tokens
  // within the window, a valid token too. nullopt for an unknown token (a failure).
  Result<std::optional<UserId>> UserForAccessToken(std::string_view token, const std::string& client_key) const;

  // SIS import of user_observers.csv read from `csv` (sis_import.h, docs/sis-import.md), in ONE write
  // transaction: every change of the file or none (a dry run rolls it back). A trusted host operation:
  // no caller is checked (the host decides who may import); options.actor is recorded in the audit log
  // with method kSisImport and the import's id (its SisImportRecord, unless a dry run). kNotFound for
  // an unknown root account, kInvalidArgument for one that is not a root or for bad batch options;
  // kAborted when another import of the root account committed while the file was read (nothing
  // written: run it again); a storage failure is its status and nothing is written; a malformed file
  // or a batch over its change_threshold is an OK Result whose report lists errors (no link written).
  Result<SisImportReport> ImportUserObservers(std::istream& csv, const SisImportOptions& options) const;
  // The active links of `root_account` as user_observers.csv (observer_id, student_id, status; CRLF),
  // for the links whose two users have SIS ids, by link id; values that a spreadsheet would run as a
  // formula get a leading ' (docs/sis-import.md). Trusted like the import. kNotFound / kInvalidArgument
  // as for the import; kInternal when a read or `out` fails (what was written is then incomplete).
  Result<SisExportReport> ExportUserObservers(std::ostream& out, AccountId root_account) const;

  const ServiceOptions& options() const;
  // The clock the service reads "now" from (for a host that must agree with it, e.g. token expiry).
  const Clock& clock() const;

 private:
  struct Impl;
  explicit ObservationService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace observees
