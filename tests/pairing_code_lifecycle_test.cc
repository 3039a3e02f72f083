// The pairing-code lifecycle (issue 9): listing a student's codes by state, revoking one or all,
// who may do either and who sees a code in clear, the audit log, a race between a redemption and a
// revocation, and the schema migration that added it.
#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <latch>
#include <thread>

#include "secrets.h"
#include "sqlite/schema.h"
#include "support/world.h"

namespace observees::testing {
namespace {

constexpr std::chrono::seconds kSevenDays = std::chrono::hours(24 * 7);

// The codes of `student` that `caller` sees, all on one page.
std::vector<PairingCodeDetail> CodesOf(const World& w, const Caller& caller, UserId student,
                                       CodeStateFilter states = CodeStateFilter::ActiveOnly()) {
  PairingCodeListOptions options;
  options.states = states;
  options.per_page = 100;
  Result<PairingCodePage> page = w.service->ListPairingCodes(caller, student, options);
  REQUIRE(OutcomeOf(page) == StatusCode::kOk);
  return page->codes;
}

// The id of the active code `code` (REQUIREs it).
CodeId IdOf(const World& w, std::string_view code) {
  const std::optional<PairingCodeRecord> record = w.ActiveCode(code);
  REQUIRE(record.has_value());
  return record->id;
}

PairingCodeRecord Stored(const World& w, CodeId id) {
  Result<std::optional<PairingCodeRecord>> found = w.backend.links->FindCode(id);
  REQUIRE(OutcomeOf(found) == StatusCode::kOk);
  REQUIRE(found->has_value());
  return **found;
}

const PairingCodeDetail* Find(const std::vector<PairingCodeDetail>& codes, CodeId id) {
  for (const PairingCodeDetail& code : codes) {
    if (code.record.id == id) return &code;
  }
  return nullptr;
}

TEST_CASE("a student lists their active codes, newest first, in clear", "[codes][list]") {
  World w = MakeWorld();
  const std::string older = w.NewCode(kChild);
  w.clock->Advance(std::chrono::seconds(10));
  const std::string newer = w.NewCode(kChild);
  const std::vector<PairingCodeDetail> codes = CodesOf(w, w.As(kChild), kChild);
  // The fixture's "Activ1" is active too, but was stored before codes were kept sealed.
  REQUIRE(codes.size() == 3);
  CHECK(codes[0].code == newer);
  CHECK(codes[1].code == older);
  CHECK(codes[2].record.id == IdOf(w, kActiveCode));
  CHECK(codes[2].code == "******");
  for (const PairingCodeDetail& code : codes) {
    CHECK(code.state == CodeState::kActive);
    CHECK(code.record.user_id == kChild);
    CHECK_FALSE(code.record.code.has_value());  // only `code` carries what may be shown
  }
  CHECK(codes[0].record.expires_at == w.Now() + kSevenDays);
}

TEST_CASE("listing selects states: used, expired, revoked on request, never guessed", "[codes][list]") {
  World w = MakeWorld();
  const std::string used = w.NewCode(kChild);
  const std::string revoked = w.NewCode(kChild);
  const std::string active = w.NewCode(kChild);
  const CodeId used_id = IdOf(w, used);
  const CodeId revoked_id = IdOf(w, revoked);
  const CodeId active_id = IdOf(w, active);
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, used)) == StatusCode::kOk);
  REQUIRE(OutcomeOf(w.service->RevokePairingCode(w.As(kChild), kChild, revoked_id)) == StatusCode::kOk);

  const std::vector<PairingCodeDetail> all = CodesOf(w, w.As(kChild), kChild, CodeStateFilter::All());
  REQUIRE(Find(all, used_id) != nullptr);
  CHECK(Find(all, used_id)->state == CodeState::kUsed);
  CHECK(Find(all, revoked_id)->state == CodeState::kRevoked);
  CHECK(Find(all, active_id)->state == CodeState::kActive);
  CHECK(Find(all, IdOf(w, kActiveCode))->state == CodeState::kActive);
  CHECK(all.size() == 6);  // the fixture's expired and used codes too

  CodeStateFilter only_used{false, true, false, false};
  const std::vector<PairingCodeDetail> used_only = CodesOf(w, w.As(kChild), kChild, only_used);
  for (const PairingCodeDetail& code : used_only) CHECK(code.state == CodeState::kUsed);
  CHECK(Find(used_only, used_id) != nullptr);
  CodeStateFilter only_revoked{false, false, false, true};
  const std::vector<PairingCodeDetail> revoked_only = CodesOf(w, w.As(kChild), kChild, only_revoked);
  REQUIRE(revoked_only.size() == 1);
  CHECK(revoked_only[0].record.id == revoked_id);
  CHECK(revoked_only[0].code == revoked);

  // Expiry is derived from expires_at at the moment asked.
  w.clock->Advance(kSevenDays);
  CodeStateFilter only_expired{false, false, true, false};
  const std::vector<PairingCodeDetail> expired = CodesOf(w, w.As(kChild), kChild, only_expired);
  CHECK(Find(expired, active_id) != nullptr);
  CHECK(Find(expired, active_id)->state == CodeState::kExpired);
  CHECK(Find(expired, used_id) == nullptr);  // used stays used after its expiry
  CHECK(Find(expired, revoked_id) == nullptr);
  CHECK(Find(CodesOf(w, w.As(kChild), kChild), active_id) == nullptr);
}

TEST_CASE("a code listing is paginated with a total", "[codes][list]") {
  World w = MakeWorld();
  for (int i = 0; i < 4; ++i) {
    w.NewCode(kChild);
    w.clock->Advance(std::chrono::seconds(1));
  }
  PairingCodeListOptions options;
  options.per_page = 2;
  options.page = 3;  // 5 active codes with the fixture's
  Result<PairingCodePage> last = w.service->ListPairingCodes(w.As(kChild), kChild, options);
  REQUIRE(OutcomeOf(last) == StatusCode::kOk);
  CHECK(last->total == 5);
  CHECK(last->per_page == 2);
  REQUIRE(last->codes.size() == 1);
  CHECK(last->codes[0].record.id == IdOf(w, kActiveCode));
  options.page = 0;
  CHECK(OutcomeOf(w.service->ListPairingCodes(w.As(kChild), kChild, options)) == StatusCode::kInvalidArgument);
}

TEST_CASE("who may list and revoke a student's codes is rule 23's who may create them", "[codes][rule23]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const CodeId id = IdOf(w, code);
  SECTION("the student and administrators over the student's courses") {
    CHECK(CodesOf(w, w.As(kAda), kChild).size() == 2);
    CHECK(CodesOf(w, w.As(kSandra), kChild).size() == 2);
  }
  SECTION("others are refused, and the refusal names no code") {
    for (const UserId stranger : {kTerry, kTina, kQuinn, kPat, kEzra}) {
      CAPTURE(stranger);
      auto listed = w.service->ListPairingCodes(w.As(stranger), kChild, {});
      CHECK(OutcomeOf(listed) == StatusCode::kPermissionDenied);
      CheckNoSecrets(listed, {code});
      auto revoked = w.service->RevokePairingCode(w.As(stranger), kChild, id);
      CHECK(OutcomeOf(revoked) == StatusCode::kPermissionDenied);
      CheckNoSecrets(revoked, {code});
      CHECK(OutcomeOf(w.service->RevokeAllPairingCodes(w.As(stranger), kChild)) == StatusCode::kPermissionDenied);
    }
    CHECK(w.ActiveCode(code).has_value());
  }
  SECTION("anonymous callers are unauthenticated, unknown students not found") {
    CHECK(OutcomeOf(w.service->ListPairingCodes(w.Anonymous(), kChild, {})) == StatusCode::kUnauthenticated);
    CHECK(OutcomeOf(w.service->RevokeAllPairingCodes(w.Anonymous(), kChild)) == StatusCode::kUnauthenticated);
    CHECK(OutcomeOf(w.service->ListPairingCodes(w.As(kAda), kUnknownUser, {})) == StatusCode::kNotFound);
    CHECK(OutcomeOf(w.service->RevokePairingCode(w.As(kAda), kUnknownUser, id)) == StatusCode::kNotFound);
  }
}

TEST_CASE("rule 22's precondition does not apply to listing or revoking", "[codes][rule22]") {
  World w = MakeWorld();
  // Xena's domain (External) allows no self-registration, so she cannot create a code there.
  CHECK(OutcomeOf(w.service->CreatePairingCode(w.As(kXena, kExternal), kXena)) == StatusCode::kPermissionDenied);
  const std::vector<PairingCodeDetail> codes = CodesOf(w, w.As(kXena, kExternal), kXena);
  REQUIRE(codes.size() == 1);  // the fixture's "XenaC0"
  Result<std::int64_t> revoked = w.service->RevokeAllPairingCodes(w.As(kXena, kExternal), kXena);
  REQUIRE(OutcomeOf(revoked) == StatusCode::kOk);
  CHECK(*revoked == 1);
  // Ian has no countable student enrollment (rule 22a) but may still look.
  CHECK(CodesOf(w, w.As(kIan), kIan).empty());
}

TEST_CASE("a code is echoed to the student and administrators, masked for other permitted callers", "[codes][mask]") {
  World w = MakeWorld();
  // Tina teaches course 101 (Arts), whose role override lets teachers make codes for Another.
  Result<PairingCode> made = w.service->CreatePairingCode(w.As(kTina), kAnother);
  REQUIRE(OutcomeOf(made) == StatusCode::kOk);
  const std::string code = made->code;
  const std::vector<PairingCodeDetail> for_teacher = CodesOf(w, w.As(kTina), kAnother);
  REQUIRE(for_teacher.size() == 1);
  CHECK(for_teacher[0].code == code.substr(0, 2) + std::string(code.size() - 2, '*'));
  CHECK(CodesOf(w, w.As(kAnother), kAnother)[0].code == code);
  CHECK(CodesOf(w, w.As(kAda), kAnother)[0].code == code);

  Result<PairingCodeDetail> revoked = w.service->RevokePairingCode(w.As(kTina), kAnother, for_teacher[0].record.id);
  REQUIRE(OutcomeOf(revoked) == StatusCode::kOk);
  CHECK(revoked->code == for_teacher[0].code);
  CHECK(revoked->record.revoked_by == std::optional<UserId>(kTina));
}

TEST_CASE("revoking an active code invalidates it exactly like a used one", "[codes][revoke]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const CodeId id = IdOf(w, code);
  w.clock->Advance(std::chrono::seconds(30));
  Result<PairingCodeDetail> revoked = w.service->RevokePairingCode(w.As(kChild), kChild, id);
  REQUIRE(OutcomeOf(revoked) == StatusCode::kOk);
  CHECK(revoked->changed);
  CHECK(revoked->state == CodeState::kRevoked);
  CHECK(revoked->record.deleted);  // Canvas's workflow_state "deleted"
  CHECK(revoked->record.revoked_by == std::optional<UserId>(kChild));
  CHECK(revoked->record.revoked_at == std::optional<Timestamp>(w.Now()));
  CHECK_FALSE(revoked->record.used_by.has_value());
  CHECK_FALSE(w.ActiveCode(code).has_value());

  Result<LinkedUser> redeemed = w.RedeemCode(kQuinn, code);
  CHECK(OutcomeOf(redeemed) == StatusCode::kInvalidCode);
  Result<LinkedUser> used = w.RedeemCode(kWalt, kUsedCode);
  REQUIRE(OutcomeOf(used) == StatusCode::kInvalidCode);
  CHECK(redeemed.status().message() == used.status().message());
  CheckNoSecrets(redeemed, {code});
  CHECK(w.ActiveLinkRoots(kChild, kQuinn).empty());

  SelfRegistrationRequest registration;
  registration.name = "Rae Revoked";
  registration.unique_id = "rae";
  registration.password = "a-long-password";
  registration.pairing_code = code;
  Result<LinkedUser> registered = w.service->RegisterObserver(w.Anonymous(), registration);
  CHECK(OutcomeOf(registered) == StatusCode::kInvalidCode);
  CheckNoSecrets(registered, {code});
}

TEST_CASE("revoking is idempotent and leaves used and expired codes as they are", "[codes][revoke]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const CodeId id = IdOf(w, code);
  SECTION("a second revocation changes nothing and says so") {
    REQUIRE(w.service->RevokePairingCode(w.As(kChild), kChild, id)->changed);
    const std::int64_t mark = w.LastAuditId();
    w.clock->Advance(std::chrono::seconds(5));
    Result<PairingCodeDetail> again = w.service->RevokePairingCode(w.As(kAda), kChild, id);
    REQUIRE(OutcomeOf(again) == StatusCode::kOk);
    CHECK_FALSE(again->changed);
    CHECK(again->state == CodeState::kRevoked);
    CHECK(again->record.revoked_by == std::optional<UserId>(kChild));
    CHECK(w.AuditAfter(mark).empty());
  }
  SECTION("a used code stays used") {
    REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kOk);
    Result<PairingCodeDetail> tried = w.service->RevokePairingCode(w.As(kChild), kChild, id);
    REQUIRE(OutcomeOf(tried) == StatusCode::kOk);
    CHECK_FALSE(tried->changed);
    CHECK(tried->state == CodeState::kUsed);
    CHECK_FALSE(tried->record.revoked_at.has_value());
  }
  SECTION("an expired code stays expired") {
    w.clock->Advance(kSevenDays);
    Result<PairingCodeDetail> tried = w.service->RevokePairingCode(w.As(kChild), kChild, id);
    REQUIRE(OutcomeOf(tried) == StatusCode::kOk);
    CHECK_FALSE(tried->changed);
    CHECK(tried->state == CodeState::kExpired);
    CHECK_FALSE(tried->record.deleted);
  }
}

TEST_CASE("a code id that is not the student's is not found", "[codes][revoke]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const CodeId id = IdOf(w, code);
  Result<PairingCodeDetail> wrong_student = w.service->RevokePairingCode(w.As(kAda), kAnother, id);
  CHECK(OutcomeOf(wrong_student) == StatusCode::kNotFound);
  CheckNoSecrets(wrong_student, {code});
  CHECK(OutcomeOf(w.service->RevokePairingCode(w.As(kChild), kChild, 987654)) == StatusCode::kNotFound);
  CHECK(w.ActiveCode(code).has_value());
}

TEST_CASE("revoking all of a student's codes revokes only the active ones", "[codes][revoke-all]") {
  World w = MakeWorld();
  const std::string a = w.NewCode(kChild);
  const std::string b = w.NewCode(kChild);
  const std::string other = w.NewCode(kAnother);
  const std::int64_t mark = w.LastAuditId();
  Result<std::int64_t> count = w.service->RevokeAllPairingCodes(w.As(kAda), kChild);
  REQUIRE(OutcomeOf(count) == StatusCode::kOk);
  CHECK(*count == 3);  // a, b and the fixture's "Activ1"
  CHECK_FALSE(w.ActiveCode(a).has_value());
  CHECK_FALSE(w.ActiveCode(b).has_value());
  CHECK_FALSE(w.ActiveCode(kActiveCode).has_value());
  CHECK(w.ActiveCode(other).has_value());
  CHECK(OfAction(w.AuditAfter(mark), AuditAction::kCodeRevoked).size() == 3);
  CHECK(CodesOf(w, w.As(kChild), kChild).empty());
  CodeStateFilter used{false, true, false, false};
  CHECK(CodesOf(w, w.As(kChild), kChild, used).size() == 1);  // the fixture's "Used99" untouched
  CHECK(*w.service->RevokeAllPairingCodes(w.As(kChild), kChild) == 0);
}

TEST_CASE("a used code records who used it, when, and the link it made", "[codes][used]") {
  World w = MakeWorld();
  const std::string code = w.NewCode(kChild);
  const CodeId id = IdOf(w, code);
  w.clock->Advance(std::chrono::seconds(60));
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, code)) == StatusCode::kOk);
  const std::vector<Link> links = w.LinksBetween(kChild, kQuinn);
  REQUIRE(links.size() == 1);
  const PairingCodeRecord stored = Stored(w, id);
  CHECK(stored.used_by == std::optional<UserId>(kQuinn));
  CHECK(stored.used_at == std::optional<Timestamp>(w.Now()));
  CHECK(stored.link_id == std::optional<LinkId>(links[0].id));
  CHECK(CodeStateAt(stored, w.Now()) == CodeState::kUsed);

  // A redemption that finds an existing link records that link.
  const std::string again = w.NewCode(kChild);
  const CodeId again_id = IdOf(w, again);
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, again)) == StatusCode::kOk);
  CHECK(Stored(w, again_id).link_id == std::optional<LinkId>(links[0].id));
}

TEST_CASE("the audit log records creation, use and revocation of a code by id", "[codes][audit]") {
  World w = MakeWorld();
  const std::int64_t mark = w.LastAuditId();
  const std::string used = w.NewCode(kChild);
  const std::string revoked = w.NewCode(kChild);
  const CodeId used_id = IdOf(w, used);
  const CodeId revoked_id = IdOf(w, revoked);
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, used)) == StatusCode::kOk);
  REQUIRE(OutcomeOf(w.service->RevokePairingCode(w.As(kAda), kChild, revoked_id)) == StatusCode::kOk);
  const std::vector<AuditEntry> entries = w.AuditAfter(mark);
  const std::vector<AuditEntry> created = OfAction(entries, AuditAction::kCodeCreated);
  REQUIRE(created.size() == 2);
  CHECK(created[0].code_id == std::optional<CodeId>(used_id));
  const std::vector<AuditEntry> redeemed = OfAction(entries, AuditAction::kCodeRedeemed);
  REQUIRE(redeemed.size() == 1);
  CHECK(redeemed[0].code_id == std::optional<CodeId>(used_id));
  const std::vector<AuditEntry> revocations = OfAction(entries, AuditAction::kCodeRevoked);
  REQUIRE(revocations.size() == 1);
  CHECK(revocations[0].code_id == std::optional<CodeId>(revoked_id));
  CHECK(revocations[0].actor == std::optional<UserId>(kAda));
  CHECK(revocations[0].student_id == kChild);
  CHECK(revocations[0].at == w.Now());
}

TEST_CASE("a redemption racing a revocation of the same code: exactly one wins", "[codes][race][D1]") {
  ServiceOptions no_limiter;
  no_limiter.limiter.enabled = false;  // the losing redeemers' failures would otherwise add up
  World w = MakeWorld(kStandardFixture, no_limiter);
  constexpr int kRounds = 20;
  const UserId redeemers[] = {kQuinn, kWalt, kMona, kGina};
  const UserId revokers[] = {kChild, kAda, kSandra, kChild};
  int redemptions_won = 0;
  int revocations_won = 0;
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    const std::string code = w.NewCode(kChild);
    const CodeId id = IdOf(w, code);
    const std::int64_t mark = w.LastAuditId();
    std::atomic<int> redeemed{0};
    std::atomic<int> revoked{0};
    std::atomic<int> failures{0};
    std::latch start(8);
    std::vector<std::thread> threads;
    // Every third round holds the revokers back a little, so that both sides get to win sometimes.
    const auto revoker_delay = std::chrono::microseconds(round % 3 == 1 ? 3000 : 0);
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        Result<LinkedUser> r = w.service->AddObservee(w.As(redeemers[i]), redeemers[i], CodeRequest(code));
        if (r.ok()) {
          redeemed.fetch_add(1);
        } else if (r.status().code() != StatusCode::kInvalidCode) {
          failures.fetch_add(1);
        }
      });
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        std::this_thread::sleep_for(revoker_delay);
        Result<PairingCodeDetail> r = w.service->RevokePairingCode(w.As(revokers[i]), kChild, id);
        if (!r.ok()) {
          failures.fetch_add(1);
        } else if (r->changed) {
          revoked.fetch_add(1);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(failures.load() == 0);
    REQUIRE(redeemed.load() + revoked.load() == 1);
    const PairingCodeRecord stored = Stored(w, id);
    const std::vector<AuditEntry> entries = w.AuditAfter(mark);
    if (redeemed.load() == 1) {
      ++redemptions_won;
      CHECK(CodeStateAt(stored, w.Now()) == CodeState::kUsed);
      REQUIRE(stored.used_by.has_value());
      REQUIRE(stored.link_id.has_value());
      bool linked = false;
      for (const Link& link : w.LinksBetween(kChild, *stored.used_by)) {
        linked = linked || (link.id == *stored.link_id && link.state == LinkState::kActive);
      }
      CHECK(linked);
      CHECK_FALSE(stored.revoked_at.has_value());
      CHECK(OfAction(entries, AuditAction::kCodeRevoked).empty());
    } else {
      ++revocations_won;
      CHECK(CodeStateAt(stored, w.Now()) == CodeState::kRevoked);
      CHECK_FALSE(stored.used_by.has_value());
      CHECK_FALSE(stored.link_id.has_value());
      CHECK(OfAction(entries, AuditAction::kCodeRedeemed).empty());
      CHECK(OfAction(entries, AuditAction::kCreated).empty());
      CHECK(OfAction(entries, AuditAction::kRestored).empty());
    }
    // Reset the redeemers' links so every round starts alike.
    for (const UserId observer : redeemers) {
      for (const Link& link : w.LinksBetween(kChild, observer)) {
        if (link.state != LinkState::kActive) continue;
        REQUIRE(OutcomeOf(w.service->RemoveObservee(w.As(observer), observer, kChild)) == StatusCode::kOk);
        break;
      }
    }
  }
  CHECK(redemptions_won + revocations_won == kRounds);
  WARN("race: " << redemptions_won << " redemptions and " << revocations_won << " revocations won of " << kRounds
                << " rounds");
}

TEST_CASE("reloading a fixture makes its revoked active code active again, consistently", "[codes][fixture]") {
  World w = MakeWorld();
  const CodeId id = IdOf(w, kActiveCode);
  REQUIRE(w.service->RevokePairingCode(w.As(kChild), kChild, id)->changed);
  REQUIRE(OutcomeOf(LoadFixture(w.backend, kStandardFixture)) == StatusCode::kOk);
  const PairingCodeRecord stored = Stored(w, id);
  CHECK(CodeStateAt(stored, w.Now()) == CodeState::kActive);
  CHECK_FALSE(stored.revoked_by.has_value());
  CHECK(w.ActiveCode(kActiveCode).has_value());
}

TEST_CASE("a version-1 database is migrated forward on open and its codes still redeem", "[codes][schema]") {
  TempDir dir;
  const std::string path = (dir.path() / "v1.db").string();
  constexpr char kOldCode[] = "OldC0d";
  const std::string key(secrets::kKeyBytes, 'k');
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(sqlite_schema::Migrations()[0]);
    SQLite::Statement meta(db, "INSERT INTO meta (key, value) VALUES ('hash_key', ?)");
    meta.bind(1, key.data(), static_cast<int>(key.size()));
    meta.exec();
    const std::string hash = secrets::KeyedHash(key, "pairing_code", kOldCode);
    SQLite::Statement code(db,
                           "INSERT INTO pairing_codes (user_id, code_hash, created_at, expires_at, workflow_state) "
                           "VALUES (?, ?, ?, ?, 'active')");
    code.bind(1, kChild);
    code.bind(2, hash.data(), static_cast<int>(hash.size()));
    code.bind(3, StartTime().time_since_epoch().count() - 60);
    code.bind(4, (StartTime() + kSevenDays).time_since_epoch().count());
    code.exec();
    db.exec("PRAGMA user_version = 1");
  }
  WorldOptions options;
  options.db_path = path;
  World w = MakeWorld(options);
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA user_version").getInt() == StorageSchemaVersion(StorageKind::kSqlite));
    CHECK(StorageSchemaVersion(StorageKind::kSqlite) == 3);
  }
  const std::optional<PairingCodeRecord> old = w.ActiveCode(kOldCode);
  REQUIRE(old.has_value());
  const std::vector<PairingCodeDetail> listed = CodesOf(w, w.As(kChild), kChild);
  REQUIRE(Find(listed, old->id) != nullptr);
  CHECK(Find(listed, old->id)->code == "******");  // no sealed copy: never shown
  REQUIRE(OutcomeOf(w.RedeemCode(kQuinn, kOldCode)) == StatusCode::kOk);
  CHECK(Stored(w, old->id).link_id.has_value());
}

TEST_CASE("the sealed copy of a code is not the code in clear on disk", "[codes][secrets]") {
  WorldOptions options;
  auto dir = std::make_shared<TempDir>();
  options.db_path = (dir->path() / "sealed.db").string();
  std::string code;
  {
    World w = MakeWorld(options);
    code = w.NewCode(kChild);
    CHECK(CodesOf(w, w.As(kChild), kChild)[0].code == code);
  }
  CHECK(dir->AllBytes().find(code) == std::string::npos);
  CHECK(secrets::Open(std::string(secrets::kKeyBytes, 'x'),
                      secrets::Seal(std::string(secrets::kKeyBytes, 'y'), code)) == std::nullopt);
  CHECK(secrets::Open(std::string(secrets::kKeyBytes, 'y'),
                      secrets::Seal(std::string(secrets::kKeyBytes, 'y'), code)) == std::optional<std::string>(code));
}

}  // namespace
}  // namespace observees::testing
