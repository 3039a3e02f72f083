// ObservationService: the operations of the API page, in the order docs/rules.md gives for each.
// Authorization lives in access_rules.cc, the limiter in attempt_limiter.cc, codes in
// pairing_code_generator.cc; this file sequences them and makes every change in one LinkTransaction.
#include "observees/observation_service.h"

#include <algorithm>
#include <map>

#include "access_rules.h"
#include "attempt_limiter.h"
#include "collation.h"
#include "input_limits.h"
#include "link_changes.h"
#include "pairing_code_generator.h"
#include "sis/user_observers_export.h"
#include "sis/user_observers_import.h"
#include "sortable_name.h"
#include "token_failures.h"

namespace observees {
namespace {

// Draws before giving up on finding a code no active code already uses (rule 17).
constexpr int kMaxCodeDraws = 64;

Status UnknownObservee() { return {StatusCode::kUnknownObservee, "Unknown observee."}; }
Status InvalidCode() { return {StatusCode::kInvalidCode, "Invalid pairing code.", "pairing_code"}; }
Status SelfObservation() { return {StatusCode::kSelfObservation, "Cannot observe yourself", "observer_id"}; }
Status InvalidCredentials() { return {StatusCode::kInvalidCredentials, "Invalid credentials provided."}; }

// kInvalidArgument naming `field` when `value` is longer than `limit` bytes.
Status RequireAtMost(const std::string& value, std::size_t limit, const char* field) {
  if (value.size() <= limit) return Status::Ok();
  return InvalidArgument(std::string(field) + " is too long (at most " + std::to_string(limit) + " bytes)", field);
}

Status ValidateOptions(const ServiceOptions& options) {
  OBSERVEES_RETURN_IF_ERROR(ValidatePairingCodeOptions(options.pairing_codes));
  const auto& limiter = options.limiter;
  if (limiter.max_failures < 1 || limiter.max_failures > 10000) {
    return InvalidArgument("limiter max_failures must be between 1 and 10000", "limiter.max_failures");
  }
  if (limiter.window < std::chrono::seconds(1)) {
    return InvalidArgument("limiter window must be at least one second", "limiter.window");
  }
  if (limiter.anonymous_max_failures < 1 || limiter.anonymous_max_failures > 1000000) {
    return InvalidArgument("limiter anonymous_max_failures must be between 1 and 1000000",
                           "limiter.anonymous_max_failures");
  }
  if (limiter.anonymous_window < std::chrono::seconds(1)) {
    return InvalidArgument("limiter anonymous_window must be at least one second", "limiter.anonymous_window");
  }
  if (limiter.token_max_failures < 1 || limiter.token_max_failures > 1000000) {
    return InvalidArgument("limiter token_max_failures must be between 1 and 1000000", "limiter.token_max_failures");
  }
  if (options.max_per_page < 1 || options.max_per_page > 10000) {
    return InvalidArgument("max_per_page must be between 1 and 10000", "max_per_page");
  }
  if (options.default_per_page < 1 || options.default_per_page > options.max_per_page) {
    return InvalidArgument("default_per_page must be between 1 and max_per_page", "default_per_page");
  }
  if (options.min_password_length < 1 || options.min_password_length > 256) {
    return InvalidArgument("min_password_length must be between 1 and 256", "min_password_length");
  }
  return Status::Ok();
}

// Characters of a code a masked listing still shows ("Ab****").
constexpr std::size_t kMaskVisible = 2;
constexpr char kUnavailableCode[] = "******";

// What a listing shows of `record`'s code: in clear when `clear`, else masked.
std::string ShownCode(const PairingCodeRecord& record, bool clear) {
  if (!record.code) return kUnavailableCode;
  if (clear) return *record.code;
  std::string masked = *record.code;
  for (std::size_t i = kMaskVisible; i < masked.size(); ++i) masked[i] = '*';
  if (masked.size() <= kMaskVisible) masked.assign(masked.size(), '*');
  return masked;
}

PairingCodeDetail DetailOf(PairingCodeRecord record, bool clear, Timestamp now) {
  PairingCodeDetail detail;
  detail.state = CodeStateAt(record, now);
  detail.code = ShownCode(record, clear);
  record.code.reset();
  detail.record = std::move(record);
  return detail;
}

AuditEntry CodeAudit(const Caller& caller, AuditAction action, UserId student, CodeId code, Timestamp now) {
  AuditEntry entry;
  entry.at = now;
  entry.actor = caller.user;
  entry.action = action;
  entry.method = LinkMethod::kPairingCode;
  entry.student_id = student;
  entry.code_id = code;
  return entry;
}

// One side of a link: whom the subject's list shows.
enum class Side { kObservees, kObservers };

}  // namespace

struct ObservationService::Impl {
  ServiceDependencies deps;
  ServiceOptions options;
  AccessRules access;
  AttemptLimiter limiter;
  mutable TokenFailures token_failures;

  Impl(ServiceDependencies d, ServiceOptions o)
      : deps(std::move(d)),
        options(std::move(o)),
        access(*deps.directory),
        limiter(options.limiter, *deps.links, *deps.clock, deps.warn),
        token_failures(options.limiter.token_max_failures, options.limiter.window) {}

  UserDirectory& directory() const { return *deps.directory; }
  LinkStore& links() const { return *deps.links; }
  // One snapshot for a run of reads (LinkStore::BeginRead), told which reads are coming; reset it
  // before any write.
  std::unique_ptr<ReadSnapshot> Snapshot(const ReadAhead& ahead) const { return links().BeginRead(ahead); }

  // The reads of SelfOrAdmin(caller, subject): none for the subject themselves, the subject's roots and
  // those the caller manages for anyone else.
  static void AddSelfOrAdminReads(const Caller& caller, UserId subject, ReadAhead& ahead) {
    if (caller.user == subject) return;
    ahead.root_accounts_of.push_back(subject);
    ahead.managed_root_accounts.emplace_back(*caller.user, subject);
  }
  Timestamp Now() const { return deps.clock->Now(); }

  // The non-deleted links between two users.
  Result<std::vector<Link>> ActiveLinksBetween(UserId student, UserId observer) const {
    auto all = links().LinksBetween(student, observer);
    if (!all.ok()) return all.status();
    std::vector<Link> active;
    for (const Link& link : *all) {
      if (link.state == LinkState::kActive) active.push_back(link);
    }
    return active;
  }

  // `other` with the root accounts of `links` (theirs with the subject) the caller may see (rule 42).
  static LinkedUser Decorate(User other, const std::vector<Link>& links, const std::optional<RootAccounts>& visible) {
    LinkedUser out;
    out.user = std::move(other);
    out.observation_link_root_account_ids = AccessRules::LinkRootAccountIds(links, visible);
    return out;
  }

  // Decorate over the links between the two users as they are now, after a change.
  Result<LinkedUser> DecorateNow(User other, UserId student, UserId observer,
                                 const std::optional<RootAccounts>& visible) const {
    auto links_now = ActiveLinksBetween(student, observer);
    if (!links_now.ok()) return links_now.status();
    return Decorate(std::move(other), *links_now, visible);
  }

  // E1 / E2 (rules 32-38).
  Result<UserPage> List(const Caller& caller, UserId subject_id, Side side, const ListOptions& list) const {
    OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
    if (list.page < 1) return InvalidArgument("page must be a positive integer", "page");
    ReadAhead ahead;
    ahead.users = {subject_id};
    (side == Side::kObservees ? ahead.links_of_observer : ahead.links_of_student).push_back(subject_id);
    AddSelfOrAdminReads(caller, subject_id, ahead);
    const auto snapshot = Snapshot(ahead);
    auto subject = access.ActiveUser(subject_id);
    if (!subject.ok()) return subject.status();
    auto visible = access.SelfOrAdmin(caller, subject_id, std::nullopt);
    if (!visible.ok()) return visible.status();

    auto found =
        side == Side::kObservees ? links().ActiveLinksOfObserver(subject_id) : links().ActiveLinksOfStudent(subject_id);
    if (!found.ok()) return found.status();
    std::map<UserId, std::vector<Link>> by_user;
    for (const Link& link : *found) {
      by_user[side == Side::kObservees ? link.student_id : link.observer_id].push_back(link);
    }
    std::vector<UserId> ids;
    ids.reserve(by_user.size());
    for (const auto& entry : by_user) ids.push_back(entry.first);
    auto users = directory().FindUsers(ids);
    if (!users.ok()) return users.status();
    std::vector<User> listed;
    for (User& user : *users) {
      if (!user.deleted && by_user.count(user.id) != 0) listed.push_back(std::move(user));
    }
    SortBySortableName(listed);

    UserPage page;
    page.page = list.page;
    page.per_page = list.per_page == 0 ? options.default_per_page : std::clamp(list.per_page, 1, options.max_per_page);
    page.total = static_cast<std::int64_t>(listed.size());
    const auto first = static_cast<std::int64_t>(page.page - 1) * page.per_page;
    for (std::int64_t i = first; i < page.total && i < first + page.per_page; ++i) {
      LinkedUser item;
      item.user = std::move(listed[static_cast<std::size_t>(i)]);
      item.observation_link_root_account_ids = AccessRules::LinkRootAccountIds(by_user[item.user.id], *visible);
      if (list.include_avatar_url) {
        auto avatars = directory().AvatarsEnabledFor(item.user.id);
        if (!avatars.ok()) return avatars.status();
        item.include_avatar_url = *avatars;
      }
      page.users.push_back(std::move(item));
    }
    return page;
  }

  // Creates or restores the links of `student` and `observer` in `roots`, and consumes `code` first
  // when given (D1): all in one transaction, so either everything happens or nothing does. A passed
  // `attempt` is withdrawn in the same transaction.
  Status MakeLinks(const Caller& caller, UserId student, UserId observer, const RootAccounts& roots, LinkMethod method,
                   std::optional<CodeId> code, AttemptLimiter::Attempt* attempt = nullptr) const {
    const Timestamp now = Now();
    WriteAhead ahead;
    for (const AccountId root : roots) ahead.links.push_back({student, observer, root, false});
    auto txn = links().BeginWrite(ahead);
    if (!txn.ok()) return txn.status();
    LinkTransaction& t = **txn;
    const LinkChanges changes(t, deps.enrollments.get(), caller.user, method, now);
    OBSERVEES_RETURN_IF_ERROR(changes.Prepare(ahead));
    if (code) {
      auto consumed = t.ConsumeCode(*code, observer, now);
      if (!consumed.ok()) return consumed.status();
      if (!*consumed) return InvalidCode();
      AuditEntry redeemed;
      redeemed.at = now;
      redeemed.actor = caller.user;
      redeemed.action = AuditAction::kCodeRedeemed;
      redeemed.method = method;
      redeemed.student_id = student;
      redeemed.observer_id = observer;
      redeemed.code_id = code;
      OBSERVEES_RETURN_IF_ERROR(t.AppendAudit(redeemed));
    }
    for (const AccountId root : roots) {
      auto change = changes.CreateOrRestore(student, observer, root);
      if (!change.ok()) return change.status();
      if (code && root == roots.front()) OBSERVEES_RETURN_IF_ERROR(t.SetCodeLink(*code, change->link.id));
    }
    if (attempt != nullptr) OBSERVEES_RETURN_IF_ERROR(attempt->WithdrawIn(t));
    OBSERVEES_RETURN_IF_ERROR(t.Commit());
    if (attempt != nullptr) attempt->Committed();
    return Status::Ok();
  }

  // The lifecycle operations' preamble: a caller, a student who resolves (rule 21: deleted ones too)
  // and rule 23's permission.
  Status RequireCodeManager(const Caller& caller, UserId student) const {
    OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
    auto target = directory().FindUser(student);
    if (!target.ok()) return target.status();
    if (!target->has_value()) return NotFound("The specified resource does not exist.");
    return access.MayGenerateCodesFor(caller, student);
  }

  // E4 (subject: the observer) and E5 (subject: the student), rules 39-40: the subject passes rule 30,
  // then the other user must exist and share a non-deleted link with them; answers the other user.
  Result<LinkedUser> Show(const Caller& caller, UserId subject, UserId student, UserId observer) const {
    OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
    ReadAhead ahead;
    ahead.users = {subject, subject == observer ? student : observer};
    ahead.links_between = {{student, observer}};
    AddSelfOrAdminReads(caller, subject, ahead);
    const auto snapshot = Snapshot(ahead);
    auto subject_user = access.ActiveUser(subject);
    if (!subject_user.ok()) return subject_user.status();
    auto visible = access.SelfOrAdmin(caller, subject, std::nullopt);
    if (!visible.ok()) return visible.status();
    auto shown = access.ActiveUser(subject == observer ? student : observer);
    if (!shown.ok()) return shown.status();
    auto linked = ActiveLinksBetween(student, observer);
    if (!linked.ok()) return linked.status();
    if (linked->empty()) return NotFound("The specified resource does not exist.");
    return Decorate(std::move(*shown), *linked, *visible);
  }

  // The student E3's request names: who, the pairing code it redeems (if any), and the limiter's
  // attempt, passed, for the branches that check a secret.
  struct Identified {
    UserId student = 0;
    std::optional<CodeId> code;
    AttemptLimiter::Attempt attempt;
  };

  // E3's three branches (rule 43.2-43.5). Each secret is checked under the caller's budget; a
  // password also under its login's, but only once the password is really checked, so that nobody can
  // spend a login's budget with attempts that could never have succeeded (issue 17 item 6).
  Result<Identified> IdentifyStudent(const Caller& caller, UserId observer, const AddObserveeRequest& request) const {
    if (!request.access_token && !request.pairing_code && !request.unique_id && !request.password) {
      return InvalidArgument(
          "one of access_token, pairing_code or observee[unique_id] with observee[password] is required", "observee");
    }
    auto attempt = limiter.Begin({limiter.CallerBudget(caller)});
    if (!attempt.ok()) return attempt.status();
    if (request.access_token) {
      if (request.access_token->size() > input_limits::kSecretBytes) return UnknownObservee();
      auto owner = deps.authenticator->UserForAccessToken(*request.access_token, Now());
      if (!owner.ok()) return owner.status();
      if (!owner->has_value()) return UnknownObservee();
      attempt->Passed();
      return Identified{**owner, std::nullopt, std::move(*attempt)};
    }
    if (request.pairing_code) {
      if (request.pairing_code->size() > input_limits::kSecretBytes) return InvalidCode();
      auto found = links().FindActiveCode(*request.pairing_code, Now());
      if (!found.ok()) return found.status();
      if (!found->has_value()) return InvalidCode();
      attempt->Passed();
      return Identified{(*found)->user_id, (*found)->id, std::move(*attempt)};
    }
    const std::string unique_id = request.unique_id.value_or("");
    const std::string password = request.password.value_or("");
    if (unique_id.size() > input_limits::kUniqueIdBytes) return UnknownObservee();
    const AccountId domain = caller.domain_root_account;
    auto login = deps.authenticator->FindLogin(domain, unique_id);
    if (!login.ok()) return login.status();
    if (!login->has_value()) return UnknownObservee();
    // Rule 43.5: a login whose user shares no root account in scope is unknown, before any password check.
    auto common = access.CommonRootAccounts({observer, **login});
    if (!common.ok()) return common.status();
    auto in_scope = access.Narrow(std::move(*common), request.scope, caller);
    if (!in_scope.ok()) return in_scope.status();
    if (in_scope->empty()) return UnknownObservee();
    OBSERVEES_RETURN_IF_ERROR(limiter.Extend(*attempt, {limiter.LoginBudget(domain, unique_id)}));
    if (password.size() > input_limits::kPasswordBytes) return InvalidCredentials();
    auto user = deps.authenticator->CheckPassword(domain, unique_id, password);
    if (!user.ok()) return user.status();
    attempt->Passed();
    return Identified{*user, std::nullopt, std::move(*attempt)};
  }
};

Result<std::unique_ptr<ObservationService>> ObservationService::Create(ServiceDependencies deps,
                                                                       ServiceOptions options) {
  if (!deps.directory || !deps.authenticator || !deps.links) {
    return InvalidArgument("directory, authenticator and links are required", "dependencies");
  }
  if (!deps.clock) deps.clock = SystemClock();
  if (!deps.random) deps.random = SecureRandom();
  OBSERVEES_RETURN_IF_ERROR(ValidateOptions(options));
  return std::unique_ptr<ObservationService>(
      new ObservationService(std::make_unique<Impl>(std::move(deps), std::move(options))));
}

ObservationService::ObservationService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ObservationService::~ObservationService() = default;

Result<std::vector<Enrollment>> ObservationService::ListEnrollments(const Caller& caller, UserId user) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
  auto subject = s.access.ActiveUser(user);
  if (!subject.ok()) return subject.status();
  if (!s.deps.enrollments) return NotFound("The specified resource does not exist.");
  if (caller.user != user) {
    auto roots = s.directory().RootAccountsWithPermission(*caller.user, user, Permission::kManageStudents);
    if (!roots.ok()) return roots.status();
    if (roots->empty()) return PermissionDenied("user not authorized to perform that action");
  }
  return s.deps.enrollments->EnrollmentsOf(user);
}

Result<Enrollment> ObservationService::EnrollUser(const Caller& caller, const EnrollmentRequest& request) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
  if (!s.deps.enrollments) return NotFound("The specified resource does not exist.");
  auto course = s.deps.enrollments->FindCourse(request.course_id);
  if (!course.ok()) return course.status();
  if (!course->has_value() || (*course)->workflow_state == "deleted") {
    return NotFound("The specified resource does not exist.");
  }
  auto may = s.directory().HasAccountChainPermission(*caller.user, (*course)->account_id, Permission::kManageStudents);
  if (!may.ok()) return may.status();
  if (!*may) return PermissionDenied("user not authorized to perform that action");
  auto user = s.access.ActiveUser(request.user_id);
  if (!user.ok()) return user.status();
  return s.deps.enrollments->Enroll(request, s.Now());
}

Result<std::optional<UserId>> ObservationService::UserForAccessToken(std::string_view token,
                                                                     const std::string& client_key) const {
  const Impl& s = *impl_;
  const Timestamp now = s.Now();
  const bool limited = s.options.limiter.enabled;
  if (limited && !s.token_failures.Admit(client_key, now)) return TooManyAttempts();
  if (token.size() > input_limits::kSecretBytes) {
    if (limited) s.token_failures.Failed(client_key, now);
    return std::optional<UserId>();
  }
  auto user = s.deps.authenticator->UserForAccessToken(token, now);
  if (user.ok() && !user->has_value() && limited) s.token_failures.Failed(client_key, now);
  return user;
}

Result<SisImportReport> ObservationService::ImportUserObservers(std::istream& csv,
                                                                const SisImportOptions& options) const {
  return sis::ImportUserObservers(impl_->deps, csv, options);
}

Result<SisExportReport> ObservationService::ExportUserObservers(std::ostream& out, AccountId root_account) const {
  return sis::ExportUserObservers(impl_->deps, out, root_account);
}

const ServiceOptions& ObservationService::options() const { return impl_->options; }
const Clock& ObservationService::clock() const { return *impl_->deps.clock; }

Result<UserPage> ObservationService::ListObservees(const Caller& caller, UserId observer,
                                                   const ListOptions& options) const {
  return impl_->List(caller, observer, Side::kObservees, options);
}

Result<UserPage> ObservationService::ListObservers(const Caller& caller, UserId student,
                                                   const ListOptions& options) const {
  return impl_->List(caller, student, Side::kObservers, options);
}

Result<LinkedUser> ObservationService::AddObservee(const Caller& caller, UserId observer,
                                                   const AddObserveeRequest& request) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
  auto observer_user = s.access.ActiveUser(observer);
  if (!observer_user.ok()) return observer_user.status();
  auto visible = s.access.SelfOrAdmin(caller, observer, request.scope);
  if (!visible.ok()) return visible.status();

  auto identified = s.IdentifyStudent(caller, observer, request);
  if (!identified.ok()) return identified.status();
  const UserId student_id = identified->student;
  // The checks' snapshot (not before: the limiter writes), declared after `identified` so that it ends
  // first: a passed attempt destroyed unused withdraws itself, in a write.
  ReadAhead ahead;
  ahead.users = {student_id};
  ahead.root_accounts_of = {observer, student_id};
  auto checks = s.Snapshot(ahead);
  auto student = s.directory().FindUser(student_id);
  if (!student.ok()) return student.status();
  if (!student->has_value() || (*student)->deleted) return UnknownObservee();
  if (student_id == observer) return SelfObservation();

  auto common = s.access.CommonRootAccounts({observer, student_id});
  if (!common.ok()) return common.status();
  auto roots = s.access.Narrow(std::move(*common), request.scope, caller);
  if (!roots.ok()) return roots.status();
  if (roots->empty()) return UnknownObservee();  // D2: nothing to link, the code stays active
  if (*visible) {  // an administrator: only where they hold the permission (visible: every such root)
    roots = AccessRules::Intersection(*roots, **visible);
    if (roots->empty()) return PermissionDenied("user not authorized to perform that action");
  }
  checks.reset();

  const LinkMethod method = request.access_token   ? LinkMethod::kAccessToken
                            : request.pairing_code ? LinkMethod::kPairingCode
                                                   : LinkMethod::kCredentials;
  OBSERVEES_RETURN_IF_ERROR(
      s.MakeLinks(caller, student_id, observer, *roots, method, identified->code, &identified->attempt));
  return s.DecorateNow(std::move(**student), student_id, observer, *visible);
}

Result<LinkedUser> ObservationService::ShowObservee(const Caller& caller, UserId observer, UserId student) const {
  return impl_->Show(caller, observer, student, observer);
}

Result<LinkedUser> ObservationService::ShowObserver(const Caller& caller, UserId student, UserId observer) const {
  return impl_->Show(caller, student, student, observer);
}

Result<LinkedUser> ObservationService::AddObserveeById(const Caller& caller, UserId observer, UserId student,
                                                       RootAccountScope scope) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
  ReadAhead ahead;
  ahead.users = {observer, student};
  ahead.root_accounts_of = {observer, student};
  ahead.managed_root_accounts = {{*caller.user, observer}};
  auto snapshot = s.Snapshot(ahead);
  auto observer_user = s.access.ActiveUser(observer);
  if (!observer_user.ok()) return observer_user.status();
  auto student_user = s.access.ActiveUser(student);
  if (!student_user.ok()) return student_user.status();
  auto observer_roots = s.access.RootAccountsOf(observer);
  if (!observer_roots.ok()) return observer_roots.status();
  auto student_roots = s.access.RootAccountsOf(student);
  if (!student_roots.ok()) return student_roots.status();
  auto roots = s.access.Narrow(AccessRules::Intersection(*observer_roots, *student_roots), scope, caller);
  if (!roots.ok()) return roots.status();
  if (roots->empty()) return NotFound("The specified resource does not exist.");  // rule 48: 404
  // Every root of the observer's, for rule 48's 403 and for rule 42's filter of the answer.
  auto managed = s.access.ManagedRootsOf(*caller.user, observer);
  if (!managed.ok()) return managed.status();
  auto permitted = AccessRules::RequireManagePermission(*roots, *managed);  // rule 48: 403
  if (!permitted.ok()) return permitted.status();
  if (student == observer) return SelfObservation();
  snapshot.reset();
  OBSERVEES_RETURN_IF_ERROR(
      s.MakeLinks(caller, student, observer, *permitted, LinkMethod::kAdministrator, std::nullopt));
  return s.DecorateNow(std::move(*student_user), student, observer,
                       AccessRules::Visible(caller, observer, std::move(*managed)));
}

Result<LinkedUser> ObservationService::RemoveObservee(const Caller& caller, UserId observer, UserId student,
                                                      RootAccountScope scope) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
  ReadAhead ahead;
  ahead.users = {observer, student};
  ahead.links_between = {{student, observer}};
  Impl::AddSelfOrAdminReads(caller, observer, ahead);
  auto snapshot = s.Snapshot(ahead);
  auto observer_user = s.access.ActiveUser(observer);
  if (!observer_user.ok()) return observer_user.status();
  auto visible = s.access.SelfOrAdmin(caller, observer, std::nullopt);
  if (!visible.ok()) return visible.status();
  auto student_user = s.access.ActiveUser(student);
  if (!student_user.ok()) return student_user.status();
  if (scope.kind == RootAccountScope::Kind::kAccount) {
    auto account = s.directory().FindAccount(scope.account);
    if (!account.ok()) return account.status();
    if (!account->has_value()) return NotFound("The specified resource does not exist.");
  }

  // Rule 52: the observer removes every link; an administrator those in their permitted root
  // accounts plus legacy NULL-root links. D3: a named root account narrows that to its own link.
  auto linked = s.ActiveLinksBetween(student, observer);
  if (!linked.ok()) return linked.status();
  std::vector<Link> affected;
  std::vector<Link> kept;  // the links left active, for the answer
  for (const Link& link : *linked) {
    const bool in_scope = scope.kind != RootAccountScope::Kind::kAccount || link.root_account_id == scope.account;
    const bool permitted = !*visible || !link.root_account_id ||
                           std::binary_search((*visible)->begin(), (*visible)->end(), *link.root_account_id);
    (in_scope && permitted ? affected : kept).push_back(link);
  }
  if (affected.empty()) return NotFound("The specified resource does not exist.");
  snapshot.reset();

  const Timestamp now = s.Now();
  WriteAhead write_ahead;
  for (const Link& link : affected) write_ahead.links.push_back({student, observer, link.root_account_id, true});
  auto txn = s.links().BeginWrite(write_ahead);
  if (!txn.ok()) return txn.status();
  const LinkMethod method = caller.user == observer ? LinkMethod::kObserver : LinkMethod::kAdministrator;
  const LinkChanges changes(**txn, s.deps.enrollments.get(), caller.user, method, now);
  OBSERVEES_RETURN_IF_ERROR(changes.Prepare(write_ahead));
  for (const Link& link : affected) {
    auto removed = changes.Remove(link);  // false: a concurrent removal got there first
    if (!removed.ok()) return removed.status();
  }
  OBSERVEES_RETURN_IF_ERROR((*txn)->Commit());
  return Impl::Decorate(std::move(*student_user), kept, *visible);
}

Result<PairingCode> ObservationService::CreatePairingCode(const Caller& caller, UserId student) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(AccessRules::RequireCaller(caller));
  auto target = s.directory().FindUser(student);  // rule 21: a deleted user still resolves
  if (!target.ok()) return target.status();
  if (!target->has_value()) return NotFound("The specified resource does not exist.");

  // Rule 22: a student enrollment, and self-registration on the domain.
  auto enrolled = s.directory().HasStudentEnrollment(student);
  if (!enrolled.ok()) return enrolled.status();
  auto domain = s.directory().FindAccount(caller.domain_root_account);
  if (!domain.ok()) return domain.status();
  const bool self_registration = domain->has_value() && (*domain)->self_registration != SelfRegistration::kNone;
  if (!*enrolled || !self_registration) return PermissionDenied("user not authorized to perform that action");
  OBSERVEES_RETURN_IF_ERROR(s.access.MayGenerateCodesFor(caller, student));  // rule 23
  // A ceiling on active codes (issue 17 item 11). Checked before the insert, not in its transaction:
  // creations racing each other may overshoot it by as many as run at once.
  auto active = s.links().ListCodes(student, CodeStateFilter::ActiveOnly(), s.Now(), 0, 0);
  if (!active.ok()) return active.status();
  if (active->total >= s.options.pairing_codes.max_active_per_student) {
    return Status(StatusCode::kTooManyAttempts, "Too many active pairing codes. Revoke one or wait for one to expire.");
  }

  for (int draw = 0; draw < kMaxCodeDraws; ++draw) {
    const Timestamp now = s.Now();
    PairingCode code;
    code.user_id = student;
    code.code = DrawPairingCode(s.options.pairing_codes, *s.deps.random);
    code.expires_at = now + s.options.pairing_codes.lifetime;
    auto txn = s.links().BeginWrite();
    if (!txn.ok()) return txn.status();
    auto id = (*txn)->InsertCode(student, code.code, code.expires_at, now);
    if (!id.ok()) return id.status();
    if (!id->has_value()) continue;  // an active code has this string: draw again (rule 17)
    OBSERVEES_RETURN_IF_ERROR((*txn)->AppendAudit(CodeAudit(caller, AuditAction::kCodeCreated, student, **id, now)));
    OBSERVEES_RETURN_IF_ERROR((*txn)->Commit());
    return code;
  }
  return Internal("could not draw an unused pairing code");
}

Result<PairingCodePage> ObservationService::ListPairingCodes(const Caller& caller, UserId student,
                                                             const PairingCodeListOptions& options) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(s.RequireCodeManager(caller, student));
  if (options.page < 1) return InvalidArgument("page must be a positive integer", "page");
  auto clear = s.access.MaySeeCodesOf(caller, student, s.deps.enrollments.get());
  if (!clear.ok()) return clear.status();
  PairingCodePage page;
  page.page = options.page;
  page.per_page =
      options.per_page == 0 ? s.options.default_per_page : std::clamp(options.per_page, 1, s.options.max_per_page);
  const Timestamp now = s.Now();
  const std::int64_t offset = static_cast<std::int64_t>(page.page - 1) * page.per_page;
  auto found = s.links().ListCodes(student, options.states, now, offset, page.per_page);
  if (!found.ok()) return found.status();
  page.total = found->total;
  for (PairingCodeRecord& record : found->codes) page.codes.push_back(DetailOf(std::move(record), *clear, now));
  return page;
}

Result<PairingCodeDetail> ObservationService::RevokePairingCode(const Caller& caller, UserId student,
                                                                CodeId code) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(s.RequireCodeManager(caller, student));
  auto found = s.links().FindCode(code);
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->user_id != student) return NotFound("The specified resource does not exist.");

  const Timestamp now = s.Now();
  bool changed = false;
  {
    auto txn = s.links().BeginWrite();
    if (!txn.ok()) return txn.status();
    auto revoked = (*txn)->RevokeCode(code, *caller.user, now);
    if (!revoked.ok()) return revoked.status();
    if (*revoked) {
      OBSERVEES_RETURN_IF_ERROR((*txn)->AppendAudit(CodeAudit(caller, AuditAction::kCodeRevoked, student, code, now)));
      OBSERVEES_RETURN_IF_ERROR((*txn)->Commit());
      changed = true;
    }
  }  // not revoked: the transaction rolls back, having changed nothing
  auto after = s.links().FindCode(code);
  if (!after.ok()) return after.status();
  if (!after->has_value()) return Internal("a revoked pairing code disappeared");
  auto clear = s.access.MaySeeCodesOf(caller, student, s.deps.enrollments.get());
  if (!clear.ok()) return clear.status();
  PairingCodeDetail detail = DetailOf(std::move(**after), *clear, now);
  detail.changed = changed;
  return detail;
}

Result<std::int64_t> ObservationService::RevokeAllPairingCodes(const Caller& caller, UserId student) const {
  const Impl& s = *impl_;
  OBSERVEES_RETURN_IF_ERROR(s.RequireCodeManager(caller, student));
  const Timestamp now = s.Now();
  // Read first (no reads inside a write transaction), then revoke each one still active.
  constexpr int kBatch = 500;
  std::vector<CodeId> ids;
  for (std::int64_t offset = 0;; offset += kBatch) {
    auto page = s.links().ListCodes(student, CodeStateFilter::ActiveOnly(), now, offset, kBatch);
    if (!page.ok()) return page.status();
    for (const PairingCodeRecord& record : page->codes) ids.push_back(record.id);
    if (page->codes.size() < static_cast<std::size_t>(kBatch)) break;
  }
  if (ids.empty()) return std::int64_t{0};
  auto txn = s.links().BeginWrite();
  if (!txn.ok()) return txn.status();
  std::int64_t revoked_count = 0;
  for (const CodeId id : ids) {
    auto revoked = (*txn)->RevokeCode(id, *caller.user, now);
    if (!revoked.ok()) return revoked.status();
    if (!*revoked) continue;  // used or revoked since it was listed
    OBSERVEES_RETURN_IF_ERROR((*txn)->AppendAudit(CodeAudit(caller, AuditAction::kCodeRevoked, student, id, now)));
    ++revoked_count;
  }
  OBSERVEES_RETURN_IF_ERROR((*txn)->Commit());
  return revoked_count;
}

Result<LinkedUser> ObservationService::RegisterObserver(const Caller& caller,
                                                        const SelfRegistrationRequest& request) const {
  const Impl& s = *impl_;
  const AccountId domain = caller.domain_root_account;
  auto account = s.directory().FindAccount(domain);
  if (!account.ok()) return account.status();
  const SelfRegistration allowed = account->has_value() ? (*account)->self_registration : SelfRegistration::kNone;
  if (request.initial_enrollment_type != "observer") {
    if (allowed == SelfRegistration::kAll) {
      return InvalidArgument("only observer self-registration is supported", "user[initial_enrollment_type]");
    }
    return PermissionDenied("self-registration is not enabled for this account");
  }
  if (allowed == SelfRegistration::kNone) return PermissionDenied("self-registration is not enabled for this account");

  // The user's own fields first: they hold no secret worth guessing.
  if (request.name.empty()) return InvalidArgument("name is required", "user[name]");
  if (request.unique_id.empty()) return InvalidArgument("login is required", "pseudonym[unique_id]");
  if (request.password.size() < static_cast<std::size_t>(s.options.min_password_length)) {
    return InvalidArgument("password is too short", "pseudonym[password]");
  }
  OBSERVEES_RETURN_IF_ERROR(RequireAtMost(request.name, input_limits::kNameBytes, "user[name]"));
  OBSERVEES_RETURN_IF_ERROR(RequireAtMost(request.sortable_name, input_limits::kNameBytes, "user[sortable_name]"));
  OBSERVEES_RETURN_IF_ERROR(RequireAtMost(request.short_name, input_limits::kNameBytes, "user[short_name]"));
  OBSERVEES_RETURN_IF_ERROR(RequireAtMost(request.unique_id, input_limits::kUniqueIdBytes, "pseudonym[unique_id]"));
  OBSERVEES_RETURN_IF_ERROR(RequireAtMost(request.password, input_limits::kPasswordBytes, "pseudonym[password]"));

  // The code (rule 57), counted by the limiter like any other redemption; an anonymous one also
  // against the domain's anonymous budget, which no number of addresses multiplies (issue 17 item 5).
  std::vector<AttemptLimiter::Budget> budgets{s.limiter.CallerBudget(caller)};
  if (!caller.user) budgets.push_back(s.limiter.AnonymousBudget(domain));
  auto attempt = s.limiter.Begin(budgets);
  if (!attempt.ok()) return attempt.status();
  if (!request.pairing_code || request.pairing_code->size() > input_limits::kSecretBytes) return InvalidCode();
  auto code = s.links().FindActiveCode(*request.pairing_code, s.Now());
  if (!code.ok()) return code.status();
  if (!code->has_value()) return InvalidCode();
  attempt->Passed();
  const UserId student = (*code)->user_id;
  // The student must be someone the domain's observers can observe (D2's rule, applied here too).
  auto student_user = s.directory().FindUser(student);
  if (!student_user.ok()) return student_user.status();
  auto student_roots = s.directory().RootAccountsOf(student);
  if (!student_roots.ok()) return student_roots.status();
  if (!student_user->has_value() || (*student_user)->deleted ||
      std::find(student_roots->begin(), student_roots->end(), domain) == student_roots->end()) {
    return InvalidCode();
  }

  auto taken = s.deps.authenticator->FindLogin(domain, request.unique_id);
  if (!taken.ok()) return taken.status();
  if (taken->has_value()) {
    return Status(StatusCode::kAlreadyExists, "login is already in use", "pseudonym[unique_id]");
  }
  NewUser fields;
  fields.name = request.name;
  fields.sortable_name = request.sortable_name.empty() ? DefaultSortableName(request.name) : request.sortable_name;
  fields.short_name = request.short_name.empty() ? request.name : request.short_name;
  fields.root_account_id = domain;
  fields.unique_id = request.unique_id;
  fields.password = request.password;
  auto observer = s.directory().CreateUser(fields, s.Now());
  if (!observer.ok()) return observer.status();

  const Status linked =
      s.MakeLinks(caller, student, *observer, {domain}, LinkMethod::kSelfRegistration, (*code)->id, &*attempt);
  if (!linked.ok()) {
    (void)s.directory().DeleteNewUser(*observer);  // nothing refers to the user: undo it
    return linked;
  }
  auto created = s.access.ActiveUser(*observer);
  if (!created.ok()) return created.status();
  LinkedUser out;
  out.user = std::move(*created);
  out.observation_link_root_account_ids = {domain};
  return out;
}

}  // namespace observees
