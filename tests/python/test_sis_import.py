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


if __name__ == "__main__":
    unittest.main()
