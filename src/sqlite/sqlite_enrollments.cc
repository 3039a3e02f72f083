#include "sqlite/sqlite_enrollments.h"

#include <string_view>

#include "enrollment_rules.h"
#include "sqlite/sqlite_link_store.h"
#include "unix_seconds.h"

namespace observees {
namespace {

using enrollment_rules::Followed;
using enrollment_rules::MirroredState;

template <typename T>
void BindOptional(SQLite::Statement& q, int index, const std::optional<T>& value) {
  if (value) {
    q.bind(index, static_cast<std::int64_t>(*value));
  } else {
    q.bind(index);
  }
}

std::optional<std::int64_t> OptionalInt(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

constexpr char kColumns[] =
    "id, user_id, course_id, course_section_id, type, workflow_state, associated_user_id, root_account_id, "
    "start_at, end_at, created_at, updated_at";

// The one row-to-struct helper; columns in kColumns order.
Enrollment ReadEnrollment(SQLite::Statement& row) {
  Enrollment e;
  e.id = row.getColumn(0).getInt64();
  e.user_id = row.getColumn(1).getInt64();
  e.course_id = row.getColumn(2).getInt64();
  e.course_section_id = OptionalInt(row.getColumn(3));
  e.type = row.getColumn(4).getString();
  e.workflow_state = row.getColumn(5).getString();
  e.associated_user_id = OptionalInt(row.getColumn(6));
  e.root_account_id = row.getColumn(7).getInt64();
  if (const auto start = OptionalInt(row.getColumn(8))) e.start_at = FromSeconds(*start);
  if (const auto end = OptionalInt(row.getColumn(9))) e.end_at = FromSeconds(*end);
  e.created_at = FromSeconds(row.getColumn(10).getInt64());
  e.updated_at = FromSeconds(row.getColumn(11).getInt64());
  return e;
}

// Rule 10 for one student enrollment and one observer.
void LinkEnrollment(SqliteConnection& conn, const Enrollment& student, UserId observer, Timestamp now) {
  static constexpr char kExistingSql[] =
      "SELECT id, workflow_state FROM enrollments WHERE user_id = ?1 AND type = 'ObserverEnrollment' "
      "AND associated_user_id = ?2 AND course_id = ?3 AND course_section_id IS ?4 "
      "ORDER BY workflow_state NOT IN ('deleted', 'inactive') DESC, id LIMIT 1";
  std::optional<std::int64_t> reuse;
  {
    ScopedStatement q(conn, kExistingSql);
    q->bind(1, observer);
    q->bind(2, student.user_id);
    q->bind(3, student.course_id);
    BindOptional(*q, 4, student.course_section_id);
    if (q->executeStep()) {
      if (enrollment_rules::StillFollowing(q->getColumn(1).getString())) return;
      reuse = q->getColumn(0).getInt64();
    }
  }
  // An observer with no usable login in the course's root account cannot be enrolled there.
  static constexpr char kLoginSql[] =
      "SELECT 1 FROM logins WHERE user_id = ?1 AND account_id = ?2 AND workflow_state = 'active' LIMIT 1";
  {
    ScopedStatement q(conn, kLoginSql);
    q->bind(1, observer);
    q->bind(2, student.root_account_id);
    if (!q->executeStep()) return;
  }
  const std::string state = MirroredState(student.workflow_state);
  if (reuse) {
    static constexpr char kUpdateSql[] =
        "UPDATE enrollments SET workflow_state = ?1, root_account_id = ?2, start_at = ?3, end_at = ?4, "
        "updated_at = ?5 WHERE id = ?6";
    ScopedStatement q(conn, kUpdateSql);
    q->bind(1, state);
    q->bind(2, student.root_account_id);
    BindOptional(*q, 3, student.start_at ? std::optional(ToSeconds(*student.start_at)) : std::nullopt);
    BindOptional(*q, 4, student.end_at ? std::optional(ToSeconds(*student.end_at)) : std::nullopt);
    q->bind(5, ToSeconds(now));
    q->bind(6, *reuse);
    q->exec();
    return;
  }
  static constexpr char kInsertSql[] =
      "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
      "associated_user_id, start_at, end_at, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, 'ObserverEnrollment', ?5, ?6, ?7, ?8, ?9, ?9)";
  ScopedStatement q(conn, kInsertSql);
  q->bind(1, observer);
  q->bind(2, student.course_id);
  BindOptional(*q, 3, student.course_section_id);
  q->bind(4, student.root_account_id);
  q->bind(5, state);
  q->bind(6, student.user_id);
  BindOptional(*q, 7, student.start_at ? std::optional(ToSeconds(*student.start_at)) : std::nullopt);
  BindOptional(*q, 8, student.end_at ? std::optional(ToSeconds(*student.end_at)) : std::nullopt);
  q->bind(9, ToSeconds(now));
  q->exec();
}

// The student's enrollments rule 10 follows, in courses of `root` (every root for a legacy link).
std::vector<Enrollment> FollowedEnrollments(SqliteConnection& conn, UserId student, std::optional<AccountId> root) {
  static const std::string kSql = std::string("SELECT ") + kColumns +
                                  " FROM enrollments WHERE user_id = ?1 AND type = 'StudentEnrollment' "
                                  "AND (?2 IS NULL OR root_account_id = ?2) ORDER BY course_id, id";
  ScopedStatement q(conn, kSql.c_str());
  q->bind(1, student);
  BindOptional(*q, 2, root);
  std::vector<Enrollment> found;
  while (q->executeStep()) {
    Enrollment e = ReadEnrollment(*q);
    if (Followed(e.workflow_state)) found.push_back(std::move(e));
  }
  return found;
}

// Observers with a non-deleted link to `student` in `root` or in no root (rule 12).
std::vector<UserId> LinkedObservers(SqliteConnection& conn, UserId student, AccountId root) {
  static constexpr char kSql[] =
      "SELECT DISTINCT observer_id FROM observation_links WHERE student_id = ?1 AND workflow_state = 'active' "
      "AND (root_account_id = ?2 OR root_account_id IS NULL) ORDER BY observer_id";
  ScopedStatement q(conn, kSql);
  q->bind(1, student);
  q->bind(2, root);
  std::vector<UserId> observers;
  while (q->executeStep()) observers.push_back(q->getColumn(0).getInt64());
  return observers;
}

std::optional<Enrollment> EnrollmentById(SqliteConnection& conn, std::int64_t id) {
  static const std::string kSql = std::string("SELECT ") + kColumns + " FROM enrollments WHERE id = ?1";
  ScopedStatement q(conn, kSql.c_str());
  q->bind(1, id);
  if (!q->executeStep()) return std::nullopt;
  return ReadEnrollment(*q);
}

// An ordinary change of a student enrollment: the observer enrollments still following it copy its
// state; deleted ones stay deleted (rule 13).
void UpdateFollowers(SqliteConnection& conn, const Enrollment& student, Timestamp now) {
  static constexpr char kSql[] =
      "UPDATE enrollments SET workflow_state = ?1, updated_at = ?2 WHERE type = 'ObserverEnrollment' "
      "AND associated_user_id = ?3 AND course_id = ?4 AND course_section_id IS ?5 AND workflow_state <> 'deleted'";
  ScopedStatement q(conn, kSql);
  q->bind(1, MirroredState(student.workflow_state));
  q->bind(2, ToSeconds(now));
  q->bind(3, student.user_id);
  q->bind(4, student.course_id);
  BindOptional(*q, 5, student.course_section_id);
  q->exec();
}

}  // namespace

Status SqliteEnrollments::OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) {
  return GuardStorage("OnLinkChanged", [&]() -> Status {
    SqliteConnection* conn = SqliteTransactionConnection(txn);
    if (conn == nullptr) return Internal("the SQLite enrollment store needs a SQLite link store transaction");
    if (event == LinkEvent::kRemoved) {
      // Rule 11: only the observer enrollments of this link's root account. Found first, then deleted
      // one row a statement: an UPDATE that may touch several rows inside a transaction opens a
      // statement journal, a 64 KiB buffer allocated (and the heap grown and trimmed) every time.
      static constexpr char kFindSql[] =
          "SELECT id FROM enrollments WHERE user_id = ?1 AND associated_user_id = ?2 "
          "AND type = 'ObserverEnrollment' AND workflow_state <> 'deleted' AND (?3 IS NULL OR root_account_id = ?3)";
      static constexpr char kDeleteSql[] =
          "UPDATE enrollments SET workflow_state = 'deleted', updated_at = ?1 WHERE id = ?2";
      std::vector<std::int64_t> ids;
      {
        ScopedStatement q(*conn, kFindSql);
        q->bind(1, link.observer_id);
        q->bind(2, link.student_id);
        BindOptional(*q, 3, link.root_account_id);
        while (q->executeStep()) ids.push_back(q->getColumn(0).getInt64());
      }
      for (const std::int64_t id : ids) {
        ScopedStatement q(*conn, kDeleteSql);
        q->bind(1, ToSeconds(now));
        q->bind(2, id);
        q->exec();
      }
      return Status::Ok();
    }
    for (const Enrollment& student : FollowedEnrollments(*conn, link.student_id, link.root_account_id)) {
      LinkEnrollment(*conn, student, link.observer_id, now);
    }
    return Status::Ok();
  });
}

Result<std::optional<Course>> SqliteEnrollments::FindCourse(std::int64_t course_id) {
  static constexpr char kSql[] = "SELECT id, account_id, root_account_id, workflow_state FROM courses WHERE id = ?1";
  return GuardStorage("FindCourse", [&]() -> Result<std::optional<Course>> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kSql);
    q->bind(1, course_id);
    if (!q->executeStep()) return std::optional<Course>();
    return std::optional<Course>(Course{q->getColumn(0).getInt64(), q->getColumn(1).getInt64(),
                                        q->getColumn(2).getInt64(), q->getColumn(3).getString()});
  });
}

Result<std::vector<Enrollment>> SqliteEnrollments::EnrollmentsOf(UserId user) {
  static const std::string kSql = std::string("SELECT ") + kColumns + " FROM enrollments WHERE user_id = ?1 ORDER BY id";
  return GuardStorage("EnrollmentsOf", [&]() -> Result<std::vector<Enrollment>> {
    auto lease = db_->Acquire();
    ScopedStatement q(*lease, kSql.c_str());
    q->bind(1, user);
    std::vector<Enrollment> enrollments;
    while (q->executeStep()) enrollments.push_back(ReadEnrollment(*q));
    return enrollments;
  });
}

Result<Enrollment> SqliteEnrollments::Enroll(const EnrollmentRequest& request, Timestamp now) {
  OBSERVEES_RETURN_IF_ERROR(enrollment_rules::CheckRequest(request));
  return GuardStorage("Enroll", [&]() -> Result<Enrollment> {
    static constexpr char kCourseSql[] = "SELECT root_account_id FROM courses WHERE id = ?1";
    static constexpr char kUserSql[] = "SELECT 1 FROM users WHERE id = ?1";
    static constexpr char kExistingSql[] =
        "SELECT id, workflow_state FROM enrollments WHERE user_id = ?1 AND course_id = ?2 AND type = ?3 "
        "AND course_section_id IS ?4 AND associated_user_id IS NULL ORDER BY id LIMIT 1";
    static constexpr char kUpdateSql[] = "UPDATE enrollments SET workflow_state = ?1, updated_at = ?2 WHERE id = ?3";
    static constexpr char kInsertSql[] =
        "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
    auto txn = db_->BeginWrite();
    SqliteConnection& conn = txn.conn();
    AccountId root = 0;
    {
      ScopedStatement q(conn, kCourseSql);
      q->bind(1, request.course_id);
      if (!q->executeStep()) return NotFound("The specified resource does not exist.");
      root = q->getColumn(0).getInt64();
    }
    {
      ScopedStatement q(conn, kUserSql);
      q->bind(1, request.user_id);
      if (!q->executeStep()) return NotFound("The specified resource does not exist.");
    }
    std::optional<std::int64_t> id;
    std::optional<std::string> old_state;
    {
      ScopedStatement q(conn, kExistingSql);
      q->bind(1, request.user_id);
      q->bind(2, request.course_id);
      q->bind(3, request.type);
      BindOptional(*q, 4, request.course_section_id);
      if (q->executeStep()) {
        id = q->getColumn(0).getInt64();
        old_state = q->getColumn(1).getString();
      }
    }
    if (id) {
      ScopedStatement q(conn, kUpdateSql);
      q->bind(1, request.workflow_state);
      q->bind(2, ToSeconds(now));
      q->bind(3, *id);
      q->exec();
    } else {
      ScopedStatement q(conn, kInsertSql);
      q->bind(1, request.user_id);
      q->bind(2, request.course_id);
      BindOptional(*q, 3, request.course_section_id);
      q->bind(4, root);
      q->bind(5, request.type);
      q->bind(6, request.workflow_state);
      q->bind(7, ToSeconds(now));
      q->exec();
      id = conn.db().getLastInsertRowid();
    }
    Enrollment enrollment = *EnrollmentById(conn, *id);

    if (enrollment.type == "StudentEnrollment") {
      // A change is copied to the observer enrollments still following (rule 13: a deleted one stays
      // deleted); rules 12-13 then decide whether linked observers join.
      if (old_state) UpdateFollowers(conn, enrollment, now);
      if (enrollment_rules::ObserversJoin(old_state, enrollment.workflow_state)) {
        for (const UserId observer : LinkedObservers(conn, enrollment.user_id, root)) {
          LinkEnrollment(conn, enrollment, observer, now);
        }
      }
    }
    txn.Commit();
    return enrollment;
  });
}

}  // namespace observees
