// SqliteEnrollments: EnrollmentStore over the SQLite default's enrollments table, with Canvas's
// linked observer enrollments (rules 10-13). It writes link-driven changes through the SqliteLinkStore
// transaction it is handed, so a link and its enrollments commit together. Thread-safe.
#pragma once

#include <memory>

#include "observees/enrollment_store.h"
#include "sqlite/sqlite_database.h"

namespace observees {

class SqliteEnrollments final : public EnrollmentStore {
 public:
  explicit SqliteEnrollments(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  // kInternal when `txn` is not a SqliteLinkStore transaction.
  Status OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) override;
  Result<std::optional<Course>> FindCourse(std::int64_t course_id) override;
  Result<std::vector<Enrollment>> EnrollmentsOf(UserId user) override;
  Result<Enrollment> Enroll(const EnrollmentRequest& request, Timestamp now) override;

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace observees
