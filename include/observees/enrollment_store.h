// EnrollmentStore: course enrollments, and the hook that makes an observer follow a linked student
// into their courses (docs/rules.md, rules 10-13). A host LMS implements it over its enrollment
// tables; the SQLite default implements Canvas's rules over the fixture's. Implementations must be
// safe to call from many threads at once; nothing throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "observees/export.h"
#include "observees/link_store.h"
#include "observees/status.h"
#include "observees/types.h"

namespace observees {

enum class LinkEvent { kCreated, kRestored, kRemoved };

struct Course {
  std::int64_t id = 0;
  AccountId account_id = 0;
  AccountId root_account_id = 0;
  std::string workflow_state;  // "available", "unpublished", "completed", "deleted"
};

// A user to enroll, or an enrollment to change: the user's enrollment of `type` in the course (and
// section) is created, or its state changed when it exists.
struct EnrollmentRequest {
  std::int64_t course_id = 0;
  UserId user_id = 0;
  std::string type = "StudentEnrollment";
  std::string workflow_state = "active";
  std::optional<std::int64_t> course_section_id;
};

class OBSERVEES_EXPORT EnrollmentStore {
 public:
  EnrollmentStore() = default;
  EnrollmentStore(const EnrollmentStore&) = delete;
  EnrollmentStore& operator=(const EnrollmentStore&) = delete;
  virtual ~EnrollmentStore() = default;

  // Called by the service inside `txn`, the transaction that changed `link`, before it commits; a
  // failure rolls the link change back. An implementation over the same database as the LinkStore
  // writes through that transaction (the SQLite default does, and so needs the SqliteLinkStore's own
  // transaction: behind a wrapping LinkStore it answers kInternal and the link change rolls back). Rules 10 (created,
  // restored) and 11 (removed): only the courses of the link's root account are touched.
  virtual Status OnLinkChanged(LinkTransaction& txn, const Link& link, LinkEvent event, Timestamp now) = 0;

  // Called by the service inside `txn` right after it began, before the link changes `ahead` names:
  // a store may start the reads OnLinkChanged will make (and take the locks it will take, so that
  // every transaction takes them in the same order). The default does nothing; a failure rolls the
  // transaction back.
  virtual Status PrepareLinkChanges(LinkTransaction& txn, const WriteAhead& ahead) {
    (void)txn;
    (void)ahead;
    return Status::Ok();
  }

  virtual Result<std::optional<Course>> FindCourse(std::int64_t course_id) = 0;
  // The user's enrollments of every type and state, by id.
  virtual Result<std::vector<Enrollment>> EnrollmentsOf(UserId user) = 0;

  // Creates or changes an enrollment and, for a student enrollment, mirrors it to the observers with a
  // non-deleted link in the course's root account (rules 12-13), all in one transaction.
  // kInvalidArgument for an unknown type or state; kNotFound for an unknown course.
  virtual Result<Enrollment> Enroll(const EnrollmentRequest& request, Timestamp now) = 0;
};

}  // namespace observees
