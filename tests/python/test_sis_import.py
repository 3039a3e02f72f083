"""SIS import and export of user_observers.csv through the module (docs/sis-import.md)."""

import pathlib
import tempfile
import unittest

from support import FAST, observees, world, world_location

CSV = "observer_id,student_id,status\nP-10,S-20,active\nP-10,NOPE,active\n"


def open_sis_world():
    """The shared world, with SIS ids for Pat (P-10) and Sam (S-20)."""
    fixture = world()
    for user in fixture["users"]:
        if user["id"] == 10:
            user["sis_user_id"] = "P-10"
        if user["id"] == 20:
            user["sis_user_id"] = "S-20"
    path, options = world_location(FAST)
    service = observees.Service(path, options)
    service.load_fixture(fixture)
    return service


class SisImportTest(unittest.TestCase):
    def test_import_reports_and_export_round_trips(self):
        with open_sis_world() as service:
            report = service.import_user_observers(CSV, 1)
            self.assertEqual((report["created"], report["committed"]), (1, True))
            self.assertEqual(report["warnings"], [[3, "A student referenced a non-existent user NOPE"]])
            self.assertEqual(service.export_user_observers(1),
                             "observer_id,student_id,status\r\nP-10,S-20,active\r\n")
            again = service.import_user_observers(service.export_user_observers(1).encode(), 1)
            self.assertEqual((again["created"], again["unchanged"]), (0, 1))

    def test_a_dry_run_writes_nothing(self):
        with open_sis_world() as service:
            report = service.import_user_observers(CSV, 1, dry_run=True)
            self.assertEqual((report["created"], report["dry_run"], report["committed"]), (1, True, False))
            self.assertEqual(service.export_user_observers(1), "observer_id,student_id,status\r\n")

    def test_a_path_is_read(self):
        with open_sis_world() as service, tempfile.TemporaryDirectory() as directory:
            path = pathlib.Path(directory) / "user_observers.csv"
            path.write_bytes(CSV.encode())
            self.assertEqual(service.import_user_observers(path, 1)["created"], 1)

    def test_bad_input(self):
        with open_sis_world() as service:
            report = service.import_user_observers(b"\xff", 1)
            self.assertEqual(report["errors"], [[1, "row 1: field 1 is not valid UTF-8"]])
            self.assertFalse(report["committed"])
            with self.assertRaises(TypeError):
                service.import_user_observers(42, 1)
            with self.assertRaises(observees.InvalidArgument):
                service.import_user_observers(CSV, 0)
            with self.assertRaises(observees.NotFound):
                service.import_user_observers(CSV, 999)
            with self.assertRaises(observees.NotFound):
                service.export_user_observers(999)

    def test_each_import_has_an_id_and_batch_mode_removes_what_the_data_set_left_out(self):
        with open_sis_world() as service:
            batch = {"batch_mode": True, "diffing_data_set_identifier": "nightly"}
            first = service.import_user_observers(CSV, 1, actor=10, **batch)
            self.assertEqual((first["workflow_state"], first["created"]), ("imported_with_messages", 1))
            self.assertIsInstance(first["id"], int)
            header = "observer_id,student_id,status\n"
            aborted = service.import_user_observers(header, 1, change_threshold=99, **batch)
            self.assertEqual(aborted["workflow_state"], "aborted")
            self.assertEqual(aborted["errors"],
                             [[0, "1 user_observers would be deleted and exceeds the set threshold of 99%"]])
            self.assertGreater(aborted["id"], first["id"])
            dry = service.import_user_observers(header, 1, dry_run=True, **batch)
            self.assertIsNone(dry["id"])
            self.assertEqual([(r["observer_id"], r["student_id"]) for r in dry["batch_removals"]], [(10, 20)])
            done = service.import_user_observers(header, 1, **batch)
            self.assertEqual((done["deleted"], done["batch_deleted"], done["committed"]), (1, 1, True))
            self.assertEqual(service.export_user_observers(1), "observer_id,student_id,status\r\n")

    def test_bad_batch_options(self):
        with open_sis_world() as service:
            for options in ({"batch_mode": True}, {"diffing_data_set_identifier": "nightly"},
                            {"change_threshold": 10},
                            {"batch_mode": True, "diffing_data_set_identifier": "n", "change_threshold": 0},
                            {"batch_mode": True, "diffing_data_set_identifier": "n", "change_threshold": 101},
                            {"actor": 0}):
                with self.subTest(options=options), self.assertRaises(observees.InvalidArgument):
                    service.import_user_observers(CSV, 1, **options)
            with self.assertRaises(TypeError):
                service.import_user_observers(CSV, 1, batch_mode=1, diffing_data_set_identifier="n")
            self.assertEqual(service.export_user_observers(1), "observer_id,student_id,status\r\n")


if __name__ == "__main__":
    unittest.main()
