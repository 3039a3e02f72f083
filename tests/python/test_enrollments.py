"""Linked observer enrollments through the module: a linked observer follows the student per root account."""

import unittest

from support import ADMIN, PARENT, ROOT, STRANGER, STUDENT, open_world, observees


def observer_enrollments(service, observer, student):
    return [e for e in service.list_enrollments(observer, ROOT, observer)
            if e["type"] == "ObserverEnrollment" and e["associated_user_id"] == student]


class EnrollmentTest(unittest.TestCase):
    def test_a_link_enrolls_the_observer_in_that_root_accounts_courses_only(self):
        with open_world() as service:
            service.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)  # root 1 only
            followed = observer_enrollments(service, PARENT, STUDENT)
            self.assertEqual([(e["course_id"], e["root_account_id"], e["enrollment_state"]) for e in followed],
                             [(100, 1, "active")])

    def test_removing_the_link_deletes_and_relinking_reuses_the_observer_enrollment(self):
        with open_world() as service:
            service.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)
            [first] = observer_enrollments(service, PARENT, STUDENT)
            service.remove_observee(PARENT, ROOT, PARENT, STUDENT)
            [removed] = observer_enrollments(service, PARENT, STUDENT)
            self.assertEqual((removed["id"], removed["enrollment_state"]), (first["id"], "deleted"))
            service.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)
            [restored] = observer_enrollments(service, PARENT, STUDENT)
            self.assertEqual((restored["id"], restored["enrollment_state"]), (first["id"], "active"))

    def test_a_student_enrolled_after_the_link_brings_the_observer_along(self):
        with open_world() as service:
            service.add_observee_by_id(ADMIN, ROOT, PARENT, STUDENT)
            enrollment = service.enroll_user(ADMIN, ROOT, 100, STUDENT, enrollment_state="completed")
            self.assertEqual((enrollment["course_id"], enrollment["enrollment_state"]), (100, "completed"))
            self.assertEqual([e["enrollment_state"] for e in observer_enrollments(service, PARENT, STUDENT)],
                             ["completed"])
            service.enroll_user(ADMIN, ROOT, 100, STUDENT, enrollment_state="active")
            self.assertEqual([e["enrollment_state"] for e in observer_enrollments(service, PARENT, STUDENT)],
                             ["active"])

    def test_enrollments_are_refused_to_strangers_and_bad_requests(self):
        with open_world() as service:
            with self.assertRaises(observees.PermissionDenied):
                service.list_enrollments(STRANGER, ROOT, STUDENT)
            with self.assertRaises(observees.PermissionDenied):
                service.enroll_user(PARENT, ROOT, 100, STUDENT)
            with self.assertRaises(observees.NotFound):
                service.enroll_user(ADMIN, ROOT, 999, STUDENT)
            with self.assertRaises(observees.InvalidArgument):
                service.enroll_user(ADMIN, ROOT, 100, STUDENT, type="PrincipalEnrollment")
            with self.assertRaises(observees.Unauthenticated):
                service.list_enrollments(0, ROOT, STUDENT)


if __name__ == "__main__":
    unittest.main()
