// SCAFFOLD: replaced by the real implementation before landing.
#include "postgres/pg_enrollments.h"

namespace observees {


Status PgEnrollments::OnLinkChanged(LinkTransaction&, const Link&, LinkEvent, Timestamp) { return Internal("PgEnrollments::OnLinkChanged: not implemented yet"); }
Result<std::optional<Course>> PgEnrollments::FindCourse(std::int64_t) { return Internal("PgEnrollments::FindCourse: not implemented yet"); }
Result<std::vector<Enrollment>> PgEnrollments::EnrollmentsOf(UserId) { return Internal("PgEnrollments::EnrollmentsOf: not implemented yet"); }
Result<Enrollment> PgEnrollments::Enroll(const EnrollmentRequest&, Timestamp) { return Internal("PgEnrollments::Enroll: not implemented yet"); }

}  // namespace observees
