// RelationalEnrollments: EnrollmentStore over the enrollments table, with Canvas's linked observer
// enrollments (rules 10-13, decided by enrollment_rules.h), on any engine Db (engine.h). Link-driven
// changes are written through the RelationalLinkStore transaction the service hands in, so a link and
// its enrollments commit together; each student's enrollment changes take the student's lock
// (Dialect::LockKey), so a link made while the student is enrolled cannot miss the new enrollment,
// nor the enrollment the new link. Thread-safe if Db is.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "enrollment_rules.h"
#include "observees/enrollment_store.h"
#include "storage/records.h"
#include "storage/relational_link_store.h"
#include "storage/storage_guard.h"
#include "storage/values.h"

namespace observees::storage {

namespace enrollment_sql {

// Rule 10's reads for observer ?3 in one statement: the student ?1's enrollments (StudentEnrollment,
// in root ?2, or every root when ?2 is NULL; only enrollment ?4 when it is not NULL), ordered by
// course, each with the observer enrollment that would follow it (its id and state: a following one
// first, then the oldest) and whether the observer has an active login in its root account.
#define OBSERVEES_FOLLOWER_OF_S(column)                                         \
  "(SELECT o." column                                                           \
  " FROM enrollments o WHERE o.user_id = ?3 AND o.type = 'ObserverEnrollment' " \
  "AND o.associated_user_id = s.user_id AND o.course_id = s.course_id "         \
  "AND o.course_section_id IS NOT DISTINCT FROM s.course_section_id "           \
  "ORDER BY o.workflow_state NOT IN ('deleted', 'inactive') DESC, o.id LIMIT 1)"
inline constexpr char kFollowPlan[] =
    "SELECT s.id, s.user_id, s.course_id, s.course_section_id, s.type, s.workflow_state, s.associated_user_id, "
    "s.root_account_id, s.start_at, s.end_at, s.created_at, s.updated_at, " OBSERVEES_FOLLOWER_OF_S("id")
    ", " OBSERVEES_FOLLOWER_OF_S("workflow_state")
    ", (SELECT 1 FROM logins l WHERE l.user_id = ?3 AND l.account_id = s.root_account_id "
    "AND l.workflow_state = 'active' LIMIT 1) "
    "FROM enrollments s WHERE s.user_id = ?1 AND s.type = 'StudentEnrollment' "
    "AND (CAST(?2 AS BIGINT) IS NULL OR s.root_account_id = ?2) AND (CAST(?4 AS BIGINT) IS NULL OR s.id = ?4) "
    "ORDER BY s.course_id, s.id";
#undef OBSERVEES_FOLLOWER_OF_S
inline constexpr char kReviveFollower[] =
    "UPDATE enrollments SET workflow_state = ?1, root_account_id = ?2, start_at = ?3, end_at = ?4, updated_at = ?5 "
    "WHERE id = ?6";
inline constexpr char kInsertFollower[] =
    "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
    "associated_user_id, start_at, end_at, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, 'ObserverEnrollment', ?5, ?6, ?7, ?8, ?9, ?9)";

// Rule 11: the observer enrollments following the link's student in its root account (every root for a
// legacy link). Found first, then deleted one row a statement: an UPDATE that may touch several rows
// inside a transaction opens SQLite's statement journal, a 64 KiB buffer allocated every time.
inline constexpr char kFollowersOfLink[] =
    "SELECT id FROM enrollments WHERE user_id = ?1 AND associated_user_id = ?2 AND type = 'ObserverEnrollment' "
    "AND workflow_state <> 'deleted' AND (CAST(?3 AS BIGINT) IS NULL OR root_account_id = ?3)";
inline constexpr char kDeleteFollower[] =
    "UPDATE enrollments SET workflow_state = 'deleted', updated_at = ?1 WHERE id = ?2";

// Observers with a non-deleted link to student ?1 in root ?2 or in no root (rule 12).
inline constexpr char kLinkedObservers[] =
    "SELECT DISTINCT observer_id FROM observation_links WHERE student_id = ?1 AND workflow_state = 'active' "
    "AND (root_account_id = ?2 OR root_account_id IS NULL) ORDER BY observer_id";
// An ordinary change of a student enrollment: the observer enrollments still following it copy its
// state; deleted ones stay deleted (rule 13).
inline constexpr char kUpdateFollowers[] =
    "UPDATE enrollments SET workflow_state = ?1, updated_at = ?2 WHERE type = 'ObserverEnrollment' "
    "AND associated_user_id = ?3 AND course_id = ?4 AND course_section_id IS NOT DISTINCT FROM ?5 "
    "AND workflow_state <> 'deleted'";

inline constexpr char kFindCourse[] =
    "SELECT id, account_id, root_account_id, workflow_state FROM courses WHERE id = ?1";
inline constexpr char kEnrollmentsOf[] =
    "SELECT " OBSERVEES_ENROLLMENT_COLUMNS " FROM enrollments WHERE user_id = ?1 ORDER BY id";
inline constexpr char kCourseRoot[] = "SELECT root_account_id FROM courses WHERE id = ?1";
inline constexpr char kUserExists[] = "SELECT 1 FROM users WHERE id = ?1";
// The enrollment a request names: its user, course, type and section, not an observer's copy.
inline constexpr char kRequested[] =
    "SELECT id, workflow_state FROM enrollments WHERE user_id = ?1 AND course_id = ?2 AND type = ?3 "
    "AND course_section_id IS NOT DISTINCT FROM ?4 AND associated_user_id IS NULL ORDER BY id LIMIT 1";
inline constexpr char kSetState[] =
    "UPDATE enrollments SET workflow_state = ?1, updated_at = ?2 WHERE id = ?3 RETURNING " OBSERVEES_ENROLLMENT_COLUMNS;
inline constexpr char kInsertEnrollment[] =
    "INSERT INTO enrollments (user_id, course_id, course_section_id, root_account_id, type, workflow_state, "
    "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING " OBSERVEES_ENROLLMENT_COLUMNS;

}  // namespace enrollment_sql

template <typename Db>
class RelationalEnrollments final : public EnrollmentStore {
 public:
  using Connection = typename Db::Connection;

  explicit RelationalEnrollments(std::shared_ptr<Db> db) : db_(std::move(db)) {}

  // kInternal when `txn` is not a RelationalLinkStore transaction of the same engine.
  Status OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) override {
    return GuardStorage("OnLinkChanged", [&]() -> Status {
      Connection* conn = RelationalLinkTransaction<Db>::ConnectionOf(txn);
      if (conn == nullptr) return Internal("the enrollment store needs its own engine's link store transaction");
      LockStudent(*conn, link.student_id);
      if (event == LinkEvent::kRemoved) {
        std::vector<std::int64_t> ids;
        {
          auto rows =
              conn->Query(enrollment_sql::kFollowersOfLink, link.observer_id, link.student_id, link.root_account_id);
          while (rows.Next()) ids.push_back(rows.Int(0));
        }
        for (const std::int64_t id : ids) conn->Queue(enrollment_sql::kDeleteFollower, now, id);
        return Status::Ok();
      }
      Follow(*conn, link.student_id, link.root_account_id, link.observer_id, std::nullopt, now);
      return Status::Ok();
    });
  }

  // Takes each changed student's lock first (every link-changing transaction takes it before any link
  // row, so two of them cannot wait for each other in a cycle), then starts OnLinkChanged's reads.
  Status PrepareLinkChanges(LinkTransaction& txn, const WriteAhead& ahead) override {
    return GuardStorage("PrepareLinkChanges", [&]() -> Status {
      Connection* conn = RelationalLinkTransaction<Db>::ConnectionOf(txn);
      if (conn == nullptr) return Internal("the enrollment store needs its own engine's link store transaction");
      std::vector<UserId> students;
      for (const WriteAhead::Change& change : ahead.links) students.push_back(change.student);
      std::sort(students.begin(), students.end());
      students.erase(std::unique(students.begin(), students.end()), students.end());
      for (const UserId student : students) LockStudent(*conn, student);
      for (const WriteAhead::Change& change : ahead.links) {
        if (change.removal) {
          conn->Prefetch(enrollment_sql::kFollowersOfLink, change.observer, change.student, change.root_account);
        } else {
          conn->Prefetch(enrollment_sql::kFollowPlan, change.student, change.root_account, change.observer,
                         std::nullopt);
        }
      }
      return Status::Ok();
    });
  }

  Result<std::optional<Course>> FindCourse(std::int64_t course_id) override {
    return GuardStorage("FindCourse", [&]() -> Result<std::optional<Course>> {
      auto lease = db_->Acquire();
      auto row = lease->Query(enrollment_sql::kFindCourse, course_id);
      if (!row.Next()) return std::optional<Course>();
      return std::optional<Course>(Course{row.Int(0), row.Int(1), row.Int(2), row.Text(3)});
    });
  }

  Result<std::vector<Enrollment>> EnrollmentsOf(UserId user) override {
    return GuardStorage("EnrollmentsOf", [&]() -> Result<std::vector<Enrollment>> {
      auto lease = db_->Acquire();
      auto rows = lease->Query(enrollment_sql::kEnrollmentsOf, user);
      std::vector<Enrollment> enrollments;
      while (rows.Next()) enrollments.push_back(ReadEnrollment(rows));
      return enrollments;
    });
  }

  Result<Enrollment> Enroll(const EnrollmentRequest& request, Timestamp now) override {
    OBSERVEES_RETURN_IF_ERROR(enrollment_rules::CheckRequest(request));
    return GuardStorage("Enroll", [&]() -> Result<Enrollment> {
      auto txn = db_->BeginWrite();
      Connection& conn = txn.conn();
      AccountId root = 0;
      {
        auto course = conn.Query(enrollment_sql::kCourseRoot, request.course_id);
        if (!course.Next()) return NotFound("The specified resource does not exist.");
        root = course.Int(0);
      }
      if (!conn.Query(enrollment_sql::kUserExists, request.user_id).Next()) {
        return NotFound("The specified resource does not exist.");
      }
      LockStudent(conn, request.user_id);
      std::optional<std::int64_t> id;
      std::optional<std::string> old_state;  // nullopt: created now
      {
        auto existing = conn.Query(enrollment_sql::kRequested, request.user_id, request.course_id, request.type,
                                   request.course_section_id);
        if (existing.Next()) {
          id = existing.Int(0);
          old_state = existing.Text(1);
        }
      }
      Enrollment enrollment;
      {
        auto written = id ? conn.Query(enrollment_sql::kSetState, request.workflow_state, now, *id)
                          : conn.Query(enrollment_sql::kInsertEnrollment, request.user_id, request.course_id,
                                       request.course_section_id, root, request.type, request.workflow_state, now);
        if (!written.Next()) return Internal("the enrollment was not written");
        enrollment = ReadEnrollment(written);
      }
      if (enrollment.type == "StudentEnrollment") {
        // A change is copied to the observer enrollments still following (rule 13: a deleted one stays
        // deleted); rules 12-13 then decide whether linked observers join.
        if (old_state) {
          conn.Queue(enrollment_sql::kUpdateFollowers, enrollment_rules::MirroredState(enrollment.workflow_state), now,
                     enrollment.user_id, enrollment.course_id, enrollment.course_section_id);
        }
        if (enrollment_rules::ObserversJoin(old_state, enrollment.workflow_state)) {
          std::vector<UserId> observers;
          {
            auto rows = conn.Query(enrollment_sql::kLinkedObservers, enrollment.user_id, root);
            while (rows.Next()) observers.push_back(rows.Int(0));
          }
          for (const UserId observer : observers) {
            Follow(conn, enrollment.user_id, std::nullopt, observer, enrollment.id, now);
          }
        }
      }
      txn.Commit();
      return enrollment;
    });
  }

 private:
  static void LockStudent(Connection& conn, UserId student) {
    Db::Dialect::LockKey(conn, lock_space::kEnrollments, std::to_string(student));
  }

  // Rule 10 for `observer` and `student`'s enrollments in `root` (every root when nullopt; only
  // `enrollment` when given, followed whatever its state; otherwise only those Followed): each gets an
  // observer enrollment copying it, unless one already follows it or the observer has no usable login
  // in its root account; a deleted or inactive one is reused. Enrollments in one course and section
  // share one observer enrollment, written once with the state the last of them leaves it in.
  static void Follow(Connection& conn, UserId student, std::optional<AccountId> root, UserId observer,
                     std::optional<std::int64_t> enrollment, Timestamp now) {
    struct Follower {
      std::optional<std::int64_t> id;  // nullopt: none yet, inserted
      std::string state;
      std::optional<Enrollment> write;  // the student enrollment whose copy to write, if any
    };
    std::map<std::pair<std::int64_t, std::optional<std::int64_t>>, Follower> followers;  // by course, section
    std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> order;
    {
      auto rows = conn.Query(enrollment_sql::kFollowPlan, student, root, observer, enrollment);
      while (rows.Next()) {
        Enrollment e = ReadEnrollment(rows);
        if (!enrollment && !enrollment_rules::Followed(e.workflow_state)) continue;
        if (rows.IsNull(14)) continue;  // no usable login in the course's root account
        const auto key = std::make_pair(e.course_id, e.course_section_id);
        auto [it, fresh] = followers.try_emplace(key);
        if (fresh) {
          order.push_back(key);
          it->second.id = rows.OptionalInt(12);
          if (it->second.id) it->second.state = rows.Text(13);
        }
        Follower& f = it->second;
        if ((f.id || f.write) && enrollment_rules::StillFollowing(f.state)) continue;
        f.state = enrollment_rules::MirroredState(e.workflow_state);
        f.write = std::move(e);
      }
    }
    for (const auto& key : order) {
      const Follower& f = followers.at(key);
      if (!f.write) continue;
      const Enrollment& e = *f.write;
      if (f.id) {
        conn.Queue(enrollment_sql::kReviveFollower, f.state, e.root_account_id, e.start_at, e.end_at, now, *f.id);
      } else {
        conn.Queue(enrollment_sql::kInsertFollower, observer, e.course_id, e.course_section_id, e.root_account_id,
                   f.state, e.user_id, e.start_at, e.end_at, now);
      }
    }
  }

  std::shared_ptr<Db> db_;
};

}  // namespace observees::storage
