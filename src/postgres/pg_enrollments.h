// PgEnrollments: EnrollmentStore over the PostgreSQL backend's enrollments table, with Canvas's linked
// observer enrollments (rules 10-13) as SqliteEnrollments implements them. Link-driven changes are
// written through the PgLinkStore transaction it is handed, so a link and its enrollments commit
// together. Thread-safe.
#pragma once

#include <memory>

#include "observees/enrollment_store.h"
#include "postgres/pg_database.h"

namespace observees {

class PgEnrollments final : public EnrollmentStore {
 public:
  explicit PgEnrollments(std::shared_ptr<PostgresDatabase> db) : db_(std::move(db)) {}

  // kInternal when `txn` is not a PgLinkStore transaction.
  Status OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) override;
  Result<std::optional<Course>> FindCourse(std::int64_t course_id) override;
  Result<std::vector<Enrollment>> EnrollmentsOf(UserId user) override;
  Result<Enrollment> Enroll(const EnrollmentRequest& request, Timestamp now) override;

 private:
  std::shared_ptr<PostgresDatabase> db_;
};

}  // namespace observees
