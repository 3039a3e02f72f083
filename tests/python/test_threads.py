"""One service handle, 8 threads: every call answers correctly, each thread sees its own errors, one
pairing code is redeemed exactly once (D1), and close() waits for the calls in flight."""

import threading
import unittest

from support import ALEX, PARENT, ROOT, SPARE_PARENTS, STUDENT, open_world, observees

THREADS = 8


def run_threads(target):
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def body(index):
        barrier.wait()
        try:
            results[index] = target(index)
        except BaseException as error:  # reported by the test, not lost in the thread
            results[index] = error

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


class ThreadsTest(unittest.TestCase):
    def test_eight_threads_on_one_handle(self):
        with open_world() as s:
            def work(index):
                parent = SPARE_PARENTS[index]
                for round_ in range(10):
                    code = s.create_pairing_code(STUDENT, ROOT, STUDENT)["code"]
                    self.assertEqual(s.add_observee(parent, ROOT, parent, pairing_code=code)["id"], STUDENT)
                    self.assertEqual(s.list_observees(PARENT, ROOT, PARENT)["users"][0]["id"], ALEX)
                    try:
                        s.show_observee(parent, ROOT, parent, ALEX)
                        raise AssertionError("no link, yet shown")
                    except observees.NotFound as error:
                        self.assertTrue(error.message)
                    try:
                        s.list_observees(parent, ROOT, parent, page=0)
                        raise AssertionError("page 0 accepted")
                    except observees.InvalidArgument as error:
                        self.assertIn("page", error.message)  # this thread's message, not another's
                    if round_ % 3 == 1:  # the last round (9) leaves a link
                        s.remove_observee(parent, ROOT, parent, STUDENT)
                return "ok"

            results = run_threads(work)
            self.assertEqual(results, ["ok"] * THREADS)
            self.assertEqual(s.list_observers(STUDENT, ROOT, STUDENT, per_page=100)["total"], THREADS)

    def test_one_code_is_redeemed_once_under_a_race(self):
        with open_world() as s:
            code = s.create_pairing_code(STUDENT, ROOT, STUDENT)["code"]

            def redeem(index):
                parent = SPARE_PARENTS[index]
                try:
                    return s.add_observee(parent, ROOT, parent, pairing_code=code)["id"]
                except observees.InvalidCode:
                    return "refused"

            results = run_threads(redeem)
            self.assertEqual(sorted(results, key=str), sorted([STUDENT] + ["refused"] * (THREADS - 1), key=str))
            self.assertEqual(s.list_observers(STUDENT, ROOT, STUDENT)["total"], 1)

    def test_close_waits_for_calls_in_flight(self):
        s = open_world()
        started = threading.Event()

        def call(index):
            outcomes = []
            for _ in range(50):
                started.set()
                try:
                    outcomes.append(s.list_observees(PARENT, ROOT, PARENT)["total"])
                except observees.InvalidArgument as error:
                    self.assertIn("closed", error.message)
                    outcomes.append("closed")
            return outcomes

        closer = threading.Thread(target=lambda: (started.wait(), s.close()))
        closer.start()
        results = run_threads(call)
        closer.join()
        self.assertTrue(s.closed)
        for outcomes in results:
            self.assertIsInstance(outcomes, list)
            self.assertTrue(set(outcomes) <= {1, "closed"})

    def test_close_returns_only_after_the_call_in_flight_and_later_calls_are_refused(self):
        s = open_world()
        lib = observees.load_library()
        real = lib.obs_show_observee
        entered, release = threading.Event(), threading.Event()

        def held(*args):  # the library call, held open until the test releases it
            entered.set()
            release.wait(30)
            return real(*args)

        answers = []
        lib.obs_show_observee = held
        try:
            caller = threading.Thread(target=lambda: answers.append(s.show_observee(PARENT, ROOT, PARENT, ALEX)))
            caller.start()
            self.assertTrue(entered.wait(30))
            closer = threading.Thread(target=s.close)
            closer.start()
            closer.join(0.3)
            self.assertTrue(closer.is_alive())  # waiting for the call in flight
            self.assertTrue(s.closed)
            with self.assertRaises(observees.InvalidArgument) as raised:  # a new call is refused meanwhile
                s.list_observees(PARENT, ROOT, PARENT)
            self.assertIn("closed", raised.exception.message)
            release.set()
            caller.join(30)
            closer.join(30)
        finally:
            release.set()
            lib.obs_show_observee = real
        self.assertFalse(closer.is_alive())
        self.assertEqual([answer["id"] for answer in answers], [ALEX])  # answered on the open handle


if __name__ == "__main__":
    unittest.main()
