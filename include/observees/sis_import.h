// SIS import and export of Canvas's user_observers.csv (docs/sis-import.md): the options and the
// reports of ObservationService::ImportUserObservers and ExportUserObservers. Plain data, and the
// names of an import's states.
//
// The file: a mandatory header naming observer_id and student_id (and usually status), in any order
// and any case, other columns ignored; RFC 4180 quoting; UTF-8. Each data row links an observer to a
// student by their SIS user ids in the import's root account (`active`, any case) or removes that link
// (`deleted`). A row Canvas would refuse is a warning naming the row (the header is row 1) with
// Canvas's message, and the import goes on; a malformed file is an error and nothing is imported.
// Every import that is not a dry run leaves a SisImportRecord (the shape of Canvas's SisImport) whose
// id its audit entries carry. Batch mode removes the links a data set owns that the file leaves out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observees/types.h"

namespace observees {

struct SisImportOptions {
  AccountId root_account = 0;   // required: the root account whose logins the SIS ids name
  bool dry_run = false;         // report what the import would do, writing nothing (no record either)
  std::optional<UserId> actor;  // who runs the import, for the audit log (none: the host, e.g. a cron job)
  // Batch mode (docs/sis-import.md): the active links the data set owns in the root account that this
  // file does not name are removed. `batch_mode` and `diffing_data_set_identifier` (1 to 128 bytes of
  // UTF-8, Canvas's limit) go together; either alone is kInvalidArgument.
  bool batch_mode = false;
  std::optional<std::string> diffing_data_set_identifier;
  // With batch_mode only (else kInvalidArgument), 1 to 100: a batch that would remove more than this
  // percentage of the links the data set owns is aborted and writes nothing but its record.
  std::optional<int> change_threshold;
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

// An import's workflow_state, as Canvas's SisBatch names it ("created", "importing", "imported",
// "imported_with_messages", "aborted", "failed", "failed_with_messages").
enum class SisImportState {
  kCreated,
  kImporting,
  kImported,
  kImportedWithMessages,
  kAborted,
  kFailed,
  kFailedWithMessages,
};

// Canvas's name of the state ("imported_with_messages", ...): what storage keeps and JSON shows.
inline std::string_view SisImportStateName(SisImportState state) {
  switch (state) {
    case SisImportState::kCreated: return "created";
    case SisImportState::kImporting: return "importing";
    case SisImportState::kImported: return "imported";
    case SisImportState::kImportedWithMessages: return "imported_with_messages";
    case SisImportState::kAborted: return "aborted";
    case SisImportState::kFailed: return "failed";
    case SisImportState::kFailedWithMessages: return "failed_with_messages";
  }
  return "failed";
}

// The stored record of one import (LinkStore::FindSisImport): enough to answer Canvas's SisImport object.
struct SisImportRecord {
  std::int64_t id = 0;  // assigned by the store
  AccountId root_account_id = 0;
  std::optional<UserId> user_id;  // SisImportOptions::actor
  SisImportState state = SisImportState::kImporting;
  int progress = 0;  // percent; 100 once finished
  bool batch_mode = false;
  std::optional<std::string> diffing_data_set_identifier;
  std::optional<int> change_threshold;
  // SisImportReport's counts; `deleted` includes `batch_deleted`.
  std::int64_t rows = 0;
  std::int64_t created = 0;
  std::int64_t restored = 0;
  std::int64_t deleted = 0;
  std::int64_t batch_deleted = 0;
  std::int64_t unchanged = 0;
  std::int64_t warning_count = 0;
  std::int64_t error_count = 0;
  std::optional<std::string> message;  // why it was aborted, or its first error
  Timestamp created_at{};
  std::optional<Timestamp> ended_at;  // none while it runs
  Timestamp updated_at{};
};

struct SisImportReport {
  std::optional<std::int64_t> id;                     // the import's record (SisImportRecord::id); none for a dry run
  SisImportState state = SisImportState::kImporting;  // the record's final state (a dry run's would-be one)
  // Rows applied, by outcome. `unchanged`: an `active` row whose link was already active.
  std::int64_t created = 0;
  std::int64_t restored = 0;
  std::int64_t deleted = 0;        // `deleted` rows, plus the batch's removals
  std::int64_t batch_deleted = 0;  // of `deleted`, links batch mode removed (absent from the file)
  std::int64_t unchanged = 0;
  std::int64_t rows = 0;                   // data rows read (blank rows included, warned ones too)
  std::vector<SisImportMessage> warnings;  // rows refused, in file order; they changed nothing
  // A malformed file (a bad header, bad UTF-8, broken quoting, a cap exceeded), or a batch over its
  // change_threshold (row 0, state kAborted): nothing was imported and every count is zero.
  std::vector<SisImportMessage> errors;
  // Batch mode: the links the batch removed, ascending id (a dry run's or an aborted batch's: those
  // it would have removed).
  std::vector<Link> batch_removals;
  bool dry_run = false;
  bool committed = false;  // the changes were written (false for a dry run, on errors and when aborted)
};

// What ObservationService::ExportUserObservers wrote.
struct SisExportReport {
  std::int64_t rows = 0;     // links written (status active)
  std::int64_t skipped = 0;  // active links left out: a side without a SIS id, or a deleted user
};

}  // namespace observees
