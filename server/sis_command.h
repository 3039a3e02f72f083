// observees-server's command-line entries for cron jobs (issue 20): import a user_observers.csv into a
// database, or export a root account's links in that format, then exit. No server starts.
//   observees-server import --db PATH|URL --root-account ID [--schema S] [--secret-key-file F]
//                           [--dry-run] [--actor USER_ID] [--batch-mode --diffing-data-set-identifier X
//                           [--change-threshold N]] FILE|-
//   observees-server export --db PATH|URL --root-account ID [--schema S] [--secret-key-file F] [FILE|-]
// An import prints one summary line ("import 7: imported_with_messages, 12 rows: ...") and one line per
// warning or error (row numbers as Canvas's: the header is row 1) on standard output. Exit status: 0
// when the import was written (or, with --dry-run, could be), 1 when it was refused (a malformed file,
// an aborted batch, a concurrent import, a storage failure: nothing written), 2 for a bad command line.
#pragma once

namespace observees::server {

// Whether `argv[1]` names one of these commands.
bool IsSisCommand(int argc, const char* const* argv);

// Runs the command argv[1] names; returns the exit status.
int RunSisCommand(int argc, const char* const* argv);

}  // namespace observees::server
