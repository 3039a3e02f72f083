// SIS import and export of Canvas's user_observers.csv (docs/sis-import.md): the options and the
// reports of ObservationService::ImportUserObservers and ExportUserObservers. Plain data, no behaviour.
//
// The file: a mandatory header naming observer_id and student_id (and usually status), in any order
// and any case, other columns ignored; RFC 4180 quoting; UTF-8. Each data row links an observer to a
// student by their SIS user ids in the import's root account (`active`, any case) or removes that link
// (`deleted`). A row Canvas would refuse is a warning naming the row (the header is row 1) with
// Canvas's message, and the import goes on; a malformed file is an error and nothing is imported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observees/types.h"

namespace observees {

struct SisImportOptions {
  AccountId root_account = 0;   // required: the root account whose logins the SIS ids name
  bool dry_run = false;         // report what the import would do, writing nothing
  std::optional<UserId> actor;  // who runs the import, for the audit log (none: the host, e.g. a cron job)
  // Caps on the file, each refused as an error naming the row (defaults: 64 KiB, 1 MiB, 1024).
  std::size_t max_field_bytes = std::size_t{64} << 10;
  std::size_t max_row_bytes = std::size_t{1} << 20;
  std::size_t max_fields = 1024;
};

// One refused row, or one error (row 0 when the error is about the whole file).
struct SisImportMessage {
  std::int64_t row = 0;
  std::string message;
};

struct SisImportReport {
  // Rows applied, by outcome. `unchanged`: an `active` row whose link was already active.
  std::int64_t created = 0;
  std::int64_t restored = 0;
  std::int64_t deleted = 0;
  std::int64_t unchanged = 0;
  std::int64_t rows = 0;  // data rows read (blank rows included, warned ones too)
  std::vector<SisImportMessage> warnings;  // rows refused, in file order; they changed nothing
  // A malformed file (a bad header, bad UTF-8, broken quoting, a cap exceeded): nothing was imported
  // and every count is zero.
  std::vector<SisImportMessage> errors;
  bool dry_run = false;
  bool committed = false;  // the changes were written (false for a dry run and on errors)
};

// What ObservationService::ExportUserObservers wrote.
struct SisExportReport {
  std::int64_t rows = 0;     // links written (status active)
  std::int64_t skipped = 0;  // active links left out: a side without a SIS id, or a deleted user
};

}  // namespace observees
