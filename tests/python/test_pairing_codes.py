"""The pairing-code lifecycle through the module: list by state, revoke one, revoke all, refusals."""

import json
import threading
import unittest

from support import ADMIN, PARENT, ROOT, SPARE_PARENTS, STUDENT, TEST_CLOCK, open_world, observees


class PairingCodeLifecycleTest(unittest.TestCase):
    def setUp(self):
        self.service = open_world(TEST_CLOCK)

    def tearDown(self):
        self.service.close()

    def new_code(self):
        return self.service.create_pairing_code(STUDENT, ROOT, STUDENT)["code"]

    def test_a_student_lists_active_codes_newest_first_in_clear(self):
        older = self.new_code()
        self.service.clock_advance(5)
        newer = self.new_code()
        page = self.service.list_pairing_codes(STUDENT, ROOT, STUDENT)
        self.assertEqual(page["total"], 2)
        self.assertEqual([code["code"] for code in page["codes"]], [newer, older])
        self.assertEqual({code["state"] for code in page["codes"]}, {"active"})
        self.assertEqual(self.service.list_pairing_codes(ADMIN, ROOT, STUDENT)["codes"][0]["code"], newer)
        second = self.service.list_pairing_codes(STUDENT, ROOT, STUDENT, page=2, per_page=1)
        self.assertEqual([code["code"] for code in second["codes"]], [older])

    def test_states_are_selected_by_name(self):
        used = self.new_code()
        self.service.add_observee(PARENT, ROOT, PARENT, pairing_code=used)
        listed = self.service.list_pairing_codes(STUDENT, ROOT, STUDENT, states=["used"])["codes"]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["state"], "used")
        self.assertEqual(listed[0]["used_by"], PARENT)
        self.assertIsNotNone(listed[0]["link_id"])
        self.assertEqual(self.service.list_pairing_codes(STUDENT, ROOT, STUDENT)["total"], 0)
        with self.assertRaises(observees.InvalidArgument):
            self.service.list_pairing_codes(STUDENT, ROOT, STUDENT, states=["deleted"])

    def test_revoking_is_idempotent_and_the_code_no_longer_redeems(self):
        code = self.new_code()
        code_id = self.service.list_pairing_codes(STUDENT, ROOT, STUDENT)["codes"][0]["id"]
        revoked = self.service.revoke_pairing_code(STUDENT, ROOT, STUDENT, code_id)
        self.assertEqual((revoked["state"], revoked["changed"], revoked["revoked_by"]), ("revoked", True, STUDENT))
        again = self.service.revoke_pairing_code(ADMIN, ROOT, STUDENT, code_id)
        self.assertEqual((again["state"], again["changed"]), ("revoked", False))
        with self.assertRaises(observees.InvalidCode) as refused:
            self.service.add_observee(PARENT, ROOT, PARENT, pairing_code=code)
        self.assertNotIn(code, str(refused.exception))
        with self.assertRaises(observees.NotFound):
            self.service.revoke_pairing_code(STUDENT, ROOT, STUDENT, code_id + 1000)

    def test_revoke_all_counts_the_active_codes(self):
        self.new_code()
        self.new_code()
        self.assertEqual(self.service.revoke_all_pairing_codes(ADMIN, ROOT, STUDENT), 2)
        self.assertEqual(self.service.revoke_all_pairing_codes(STUDENT, ROOT, STUDENT), 0)
        self.assertEqual(self.service.list_pairing_codes(STUDENT, ROOT, STUDENT, states=["revoked"])["total"], 2)

    def test_refusals(self):
        code = self.new_code()
        with self.assertRaises(observees.PermissionDenied) as refused:
            self.service.list_pairing_codes(PARENT, ROOT, STUDENT)
        self.assertNotIn(code, str(refused.exception))
        with self.assertRaises(observees.Unauthenticated):
            self.service.revoke_all_pairing_codes(0, ROOT, STUDENT)
        with self.assertRaises(observees.InvalidArgument):
            self.service.revoke_pairing_code(STUDENT, ROOT, STUDENT, 0)

    def test_a_redemption_racing_a_revocation_has_one_winner(self):
        code = self.new_code()
        code_id = self.service.list_pairing_codes(STUDENT, ROOT, STUDENT)["codes"][0]["id"]
        outcomes = []
        barrier = threading.Barrier(4)

        def redeem(observer):
            barrier.wait()
            try:
                self.service.add_observee(observer, ROOT, observer, pairing_code=code)
                outcomes.append("redeemed")
            except observees.InvalidCode:
                pass

        def revoke(actor):
            barrier.wait()
            if self.service.revoke_pairing_code(actor, ROOT, STUDENT, code_id)["changed"]:
                outcomes.append("revoked")

        threads = [threading.Thread(target=redeem, args=(SPARE_PARENTS[0],)),
                   threading.Thread(target=redeem, args=(SPARE_PARENTS[1],)),
                   threading.Thread(target=revoke, args=(STUDENT,)),
                   threading.Thread(target=revoke, args=(ADMIN,))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(outcomes), 1)
        state = self.service.list_pairing_codes(STUDENT, ROOT, STUDENT, states=observees.CODE_STATES)["codes"][0]
        self.assertEqual(state["state"], "used" if outcomes == ["redeemed"] else "revoked")


class PairingCodeRestTest(unittest.TestCase):
    def test_the_routes_answer_through_the_router(self):
        with open_world(TEST_CLOCK) as service:
            service.create_pairing_code(STUDENT, ROOT, STUDENT)
            headers = {"Host": "canvas.test", "Authorization": "Bearer token-sam"}
            listed = service.rest("GET", "/api/v1/users/self/observer_pairing_codes?state[]=active", headers)
            self.assertEqual(listed.status, 200)
            self.assertEqual(len(json.loads(listed.body)), 1)
            gone = service.rest("DELETE", "/api/v1/users/self/observer_pairing_codes", headers)
            self.assertEqual((gone.status, json.loads(gone.body)), (200, {"revoked": 1}))
            bad = service.rest("GET", "/api/v1/users/self/observer_pairing_codes?state[]=nope", headers)
            self.assertEqual(bad.status, 400)


if __name__ == "__main__":
    unittest.main()
