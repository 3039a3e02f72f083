#include "postgres/pg_enrollments.h"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "enrollment_rules.h"
#include "postgres/pg_link_store.h"
#include "unix_seconds.h"

namespace observees {
namespace {

using enrollment_rules::Followed;
using enrollment_rules::MirroredState;

// The columns ReadEnrollment reads, in its order. A macro so that each statement stays one constant.
#define OBSERVEES_PG_ENROLLMENT_COLUMNS                                                                    \
  "id, user_id, course_id, course_section_id, type, workflow_state, associated_user_id, root_account_id, " \
  "start_at, end_at, created_at, updated_at"

// The one row-to-struct helper; columns as OBSERVEES_PG_ENROLLMENT_COLUMNS.
Enrollment ReadEnrollment(const PgResult& rows, int row) {
  Enrollment e;
  e.id = rows.Int(row, 0);
  e.user_id = rows.Int(row, 1);
  e.course_id = rows.Int(row, 2);
  e.course_section_id = rows.OptionalInt(row, 3);
  e.type = rows.Text(row, 4);
  e.workflow_state = rows.Text(row, 5);
  e.associated_user_id = rows.OptionalInt(row, 6);
  e.root_account_id = rows.Int(row, 7);
  if (const auto start = rows.OptionalInt(row, 8)) e.start_at = FromSeconds(*start);
  if (const auto end = rows.OptionalInt(row, 9)) e.end_at = FromSeconds(*end);
  e.created_at = FromSeconds(rows.Int(row, 10));
  e.updated_at = FromSeconds(rows.Int(row, 11));
  return e;
}

std::vector<Enrollment> ReadEnrollments(const PgResult& rows) {
  std::vector<Enrollment> enrollments;
  enrollments.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) enrollments.push_back(ReadEnrollment(rows, row));
  return enrollments;
}

// Serialises, across every process, the transactions that change `student`'s enrollments or the
// observer enrollments that follow them (Enroll, OnLinkChanged). Under READ COMMITTED each statement
// after the lock sees what the previous holder committed, so a link created while the student is
// enrolled cannot miss the new enrollment, nor the enrollment the new link, and one user's enrollment
// is never inserted twice.
void LockEnrollmentsOf(PgConnection& conn, UserId student) {
  LockKey(conn, lock_space::kEnrollments, std::to_string(student));
}

// Rule 10 for one student enrollment and one observer.
void LinkEnrollment(PgConnection& conn, const Enrollment& student, UserId observer, Timestamp now) {
  static constexpr char kExistingSql[] =
      "SELECT id, workflow_state FROM enrollments WHERE user_id = $1 AND type = 'ObserverEnrollment' "
      "AND associated_user_id = $2 AND course_id = $3 AND course_section_id IS NOT DISTINCT FROM $4::bigint "
      "ORDER BY workflow_state NOT IN ('deleted', 'inactive') DESC, id LIMIT 1";
  // An observer with no usable login in the course's root account cannot be enrolled there.
  static constexpr char kLoginSql[] =
      "SELECT 1 FROM logins WHERE user_id = $1 AND account_id = $2 AND workflow_state = 'active' LIMIT 1";
  static constexpr char kUpdateSql[] =
      "UPDATE enrollments SET workflow_state = $1, root_account_id = $2, start_at = $3, end_at = $4, "
      "updated_at = $5 WHERE id = $6";
  static constexpr char kInsertSql[] =
      "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
      "associated_user_id, start_at, end_at, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, 'ObserverEnrollment', $5, $6, $7, $8, $9, $9)";

  std::optional<std::int64_t> reuse;
  {
    const PgResult existing = conn.Exec(
        kExistingSql,
        PgParams().Int(observer).Int(student.user_id).Int(student.course_id).OptionalInt(student.course_section_id));
    if (!existing.empty()) {
      if (enrollment_rules::StillFollowing(existing.Text(0, 1))) return;
      reuse = existing.Int(0, 0);
    }
  }
  if (conn.Exec(kLoginSql, PgParams().Int(observer).Int(student.root_account_id)).empty()) return;
  const std::string state = MirroredState(student.workflow_state);
  if (reuse) {
    conn.Exec(kUpdateSql, PgParams()
                              .Text(state)
                              .Int(student.root_account_id)
                              .OptionalInt(OptionalSeconds(student.start_at))
                              .OptionalInt(OptionalSeconds(student.end_at))
                              .Int(ToSeconds(now))
                              .Int(*reuse));
    return;
  }
  conn.Exec(kInsertSql, PgParams()
                            .Int(observer)
                            .Int(student.course_id)
                            .OptionalInt(student.course_section_id)
                            .Int(student.root_account_id)
                            .Text(state)
                            .Int(student.user_id)
                            .OptionalInt(OptionalSeconds(student.start_at))
                            .OptionalInt(OptionalSeconds(student.end_at))
                            .Int(ToSeconds(now)));
}

// The student's enrollments rule 10 follows, in courses of `root` (every root for a legacy link).
std::vector<Enrollment> FollowedEnrollments(PgConnection& conn, UserId student, std::optional<AccountId> root) {
  static constexpr char kSql[] = "SELECT " OBSERVEES_PG_ENROLLMENT_COLUMNS
                                 " FROM enrollments WHERE user_id = $1 AND type = 'StudentEnrollment' "
                                 "AND ($2::bigint IS NULL OR root_account_id = $2) ORDER BY course_id, id";
  std::vector<Enrollment> found;
  for (Enrollment& e : ReadEnrollments(conn.Exec(kSql, PgParams().Int(student).OptionalInt(root)))) {
    if (Followed(e.workflow_state)) found.push_back(std::move(e));
  }
  return found;
}

// Observers with a non-deleted link to `student` in `root` or in no root (rule 12).
std::vector<UserId> LinkedObservers(PgConnection& conn, UserId student, AccountId root) {
  static constexpr char kSql[] =
      "SELECT DISTINCT observer_id FROM observation_links WHERE student_id = $1 AND workflow_state = 'active' "
      "AND (root_account_id = $2 OR root_account_id IS NULL) ORDER BY observer_id";
  const PgResult rows = conn.Exec(kSql, PgParams().Int(student).Int(root));
  std::vector<UserId> observers;
  for (int row = 0; row < rows.rows(); ++row) observers.push_back(rows.Int(row, 0));
  return observers;
}

// An ordinary change of a student enrollment: the observer enrollments still following it copy its
// state; deleted ones stay deleted (rule 13).
void UpdateFollowers(PgConnection& conn, const Enrollment& student, Timestamp now) {
  static constexpr char kSql[] =
      "UPDATE enrollments SET workflow_state = $1, updated_at = $2 WHERE type = 'ObserverEnrollment' "
      "AND associated_user_id = $3 AND course_id = $4 AND course_section_id IS NOT DISTINCT FROM $5::bigint "
      "AND workflow_state <> 'deleted'";
  conn.Exec(kSql, PgParams()
                      .Text(MirroredState(student.workflow_state))
                      .Int(ToSeconds(now))
                      .Int(student.user_id)
                      .Int(student.course_id)
                      .OptionalInt(student.course_section_id));
}

// Rule 11: the observer enrollments following the link's student in its root account (every root
// for a legacy link) are deleted.
void UnlinkEnrollments(PgConnection& conn, const Link& link, Timestamp now) {
  static constexpr char kSql[] =
      "UPDATE enrollments SET workflow_state = 'deleted', updated_at = $1 WHERE user_id = $2 "
      "AND associated_user_id = $3 AND type = 'ObserverEnrollment' AND workflow_state <> 'deleted' "
      "AND ($4::bigint IS NULL OR root_account_id = $4)";
  conn.Exec(kSql,
            PgParams().Int(ToSeconds(now)).Int(link.observer_id).Int(link.student_id).OptionalInt(link.root_account_id));
}

// The enrollment `request` names (its user, course, type and section; not an observer's copy) with
// its state before this change: created with the request's state when missing.
struct Upserted {
  Enrollment enrollment;
  std::optional<std::string> old_state;  // nullopt: created now
};

Upserted UpsertEnrollment(PgConnection& conn, const EnrollmentRequest& request, AccountId root, Timestamp now) {
  static constexpr char kExistingSql[] =
      "SELECT id, workflow_state FROM enrollments WHERE user_id = $1 AND course_id = $2 AND type = $3 "
      "AND course_section_id IS NOT DISTINCT FROM $4::bigint AND associated_user_id IS NULL ORDER BY id LIMIT 1";
  static constexpr char kUpdateSql[] =
      "UPDATE enrollments SET workflow_state = $1, updated_at = $2 WHERE id = $3 "
      "RETURNING " OBSERVEES_PG_ENROLLMENT_COLUMNS;
  static constexpr char kInsertSql[] =
      "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING " OBSERVEES_PG_ENROLLMENT_COLUMNS;

  const PgResult existing = conn.Exec(
      kExistingSql,
      PgParams().Int(request.user_id).Int(request.course_id).Text(request.type).OptionalInt(request.course_section_id));
  if (!existing.empty()) {
    const PgResult updated =
        conn.Exec(kUpdateSql, PgParams().Text(request.workflow_state).Int(ToSeconds(now)).Int(existing.Int(0, 0)));
    return Upserted{ReadEnrollment(updated, 0), existing.Text(0, 1)};
  }
  const PgResult inserted = conn.Exec(kInsertSql, PgParams()
                                                      .Int(request.user_id)
                                                      .Int(request.course_id)
                                                      .OptionalInt(request.course_section_id)
                                                      .Int(root)
                                                      .Text(request.type)
                                                      .Text(request.workflow_state)
                                                      .Int(ToSeconds(now)));
  return Upserted{ReadEnrollment(inserted, 0), std::nullopt};
}

}  // namespace

Status PgEnrollments::OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) {
  return GuardStorage("OnLinkChanged", [&]() -> Status {
    PgConnection* conn = PgTransactionConnection(txn);
    if (conn == nullptr) return Internal("the PostgreSQL enrollment store needs a PostgreSQL link store transaction");
    LockEnrollmentsOf(*conn, link.student_id);
    if (event == LinkEvent::kRemoved) {
      UnlinkEnrollments(*conn, link, now);
      return Status::Ok();
    }
    for (const Enrollment& student : FollowedEnrollments(*conn, link.student_id, link.root_account_id)) {
      LinkEnrollment(*conn, student, link.observer_id, now);
    }
    return Status::Ok();
  });
}

Result<std::optional<Course>> PgEnrollments::FindCourse(std::int64_t course_id) {
  static constexpr char kSql[] = "SELECT id, account_id, root_account_id, workflow_state FROM courses WHERE id = $1";
  return GuardStorage("FindCourse", [&]() -> Result<std::optional<Course>> {
    auto lease = db_->Acquire();
    const PgResult rows = lease->Exec(kSql, PgParams().Int(course_id));
    if (rows.empty()) return std::optional<Course>();
    return std::optional<Course>(Course{rows.Int(0, 0), rows.Int(0, 1), rows.Int(0, 2), rows.Text(0, 3)});
  });
}

Result<std::vector<Enrollment>> PgEnrollments::EnrollmentsOf(UserId user) {
  static constexpr char kSql[] =
      "SELECT " OBSERVEES_PG_ENROLLMENT_COLUMNS " FROM enrollments WHERE user_id = $1 ORDER BY id";
  return GuardStorage("EnrollmentsOf", [&]() -> Result<std::vector<Enrollment>> {
    auto lease = db_->Acquire();
    return ReadEnrollments(lease->Exec(kSql, PgParams().Int(user)));
  });
}

Result<Enrollment> PgEnrollments::Enroll(const EnrollmentRequest& request, Timestamp now) {
  OBSERVEES_RETURN_IF_ERROR(enrollment_rules::CheckRequest(request));
  return GuardStorage("Enroll", [&]() -> Result<Enrollment> {
    static constexpr char kCourseSql[] = "SELECT root_account_id FROM courses WHERE id = $1";
    static constexpr char kUserSql[] = "SELECT 1 FROM users WHERE id = $1";
    auto txn = db_->BeginWrite();
    PgConnection& conn = txn.conn();
    const PgResult course = conn.Exec(kCourseSql, PgParams().Int(request.course_id));
    if (course.empty()) return NotFound("The specified resource does not exist.");
    const AccountId root = course.Int(0, 0);
    if (conn.Exec(kUserSql, PgParams().Int(request.user_id)).empty()) {
      return NotFound("The specified resource does not exist.");
    }
    LockEnrollmentsOf(conn, request.user_id);
    Upserted upserted = UpsertEnrollment(conn, request, root, now);
    const Enrollment& enrollment = upserted.enrollment;
    if (enrollment.type == "StudentEnrollment") {
      // A change is copied to the observer enrollments still following (rule 13: a deleted one stays
      // deleted); rules 12-13 then decide whether linked observers join.
      if (upserted.old_state) UpdateFollowers(conn, enrollment, now);
      if (enrollment_rules::ObserversJoin(upserted.old_state, enrollment.workflow_state)) {
        for (const UserId observer : LinkedObservers(conn, enrollment.user_id, root)) {
          LinkEnrollment(conn, enrollment, observer, now);
        }
      }
    }
    txn.Commit();
    return std::move(upserted.enrollment);
  });
}

#undef OBSERVEES_PG_ENROLLMENT_COLUMNS

}  // namespace observees
