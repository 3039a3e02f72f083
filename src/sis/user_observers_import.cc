// user_observers.csv, row by row as Canvas's SIS::UserObserverImporter checks it (see the header).
#include "sis/user_observers_import.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "link_changes.h"
#include "sis/csv_reader.h"
#include "text.h"

namespace observees::sis {
namespace {

// Link changes announced to the enrollment store at a time (its reads ahead are per change).
constexpr std::size_t kBatch = 256;

std::string_view Strip(std::string_view s) { return TrimAscii(s, kRubyStripped); }

struct PairKey {
  UserId student = 0;
  UserId observer = 0;
  bool operator==(const PairKey&) const = default;
};
struct PairHash {
  std::size_t operator()(const PairKey& k) const {
    return std::hash<std::int64_t>()(k.student) * 1000003u ^ std::hash<std::int64_t>()(k.observer);
  }
};

// A checked row, to apply in the second pass.
struct Op {
  std::int64_t row = 0;
  UserId student = 0;
  UserId observer = 0;
  bool removal = false;
  // A removal: the active link the first pass found (0: the one an earlier row of the file makes
  // active), whether it is a legacy NULL-root link, and its index in Importer::removal_ids_.
  LinkId link = 0;
  bool legacy = false;
  std::size_t ids = 0;
};

// The batch options' rules (sis_import.h); kInvalidArgument naming the option otherwise.
Status CheckBatchOptions(const SisImportOptions& options) {
  const auto& data_set = options.diffing_data_set_identifier;
  if (options.batch_mode && !data_set) {
    return InvalidArgument("batch_mode needs a diffing_data_set_identifier naming the data set",
                           "diffing_data_set_identifier");
  }
  if (data_set && !options.batch_mode) {
    return InvalidArgument("diffing_data_set_identifier is only taken with batch_mode", "batch_mode");
  }
  if (data_set && (data_set->empty() || data_set->size() > 128 || !IsValidUtf8(*data_set))) {
    return InvalidArgument("diffing_data_set_identifier must be 1 to 128 bytes of UTF-8",
                           "diffing_data_set_identifier");
  }
  if (options.change_threshold && !options.batch_mode) {
    return InvalidArgument("change_threshold is only taken with batch_mode", "change_threshold");
  }
  if (options.change_threshold && (*options.change_threshold < 1 || *options.change_threshold > 100)) {
    return InvalidArgument("change_threshold must be an integer from 1 to 100", "change_threshold");
  }
  return Status::Ok();
}

// Canvas's messages (lib/sis/user_observer_importer.rb).
std::string CantDelete(std::string_view observer_id, std::string_view student_id) {
  return "Can't delete a non-existent observer for observer: " + std::string(observer_id) +
         ", student: " + std::string(student_id);
}

class Importer {
 public:
  Importer(const ServiceDependencies& deps, const SisImportOptions& options) : deps_(deps), options_(options) {}

  Result<SisImportReport> Run(std::istream& csv) {
    report_.dry_run = options_.dry_run;
    OBSERVEES_RETURN_IF_ERROR(CheckBatchOptions(options_));
    auto root = deps_.directory->FindAccount(options_.root_account);
    if (!root.ok()) return root.status();
    if (!root->has_value()) return NotFound("The specified resource does not exist.");
    if ((*root)->parent_id) return InvalidArgument("the import's account must be a root account", "root_account");
    started_ = deps_.clock->Now();

    OBSERVEES_RETURN_IF_ERROR(ReadRows(csv));
    if (!report_.errors.empty()) return Failed();
    OBSERVEES_RETURN_IF_ERROR(Apply());
    return std::move(report_);
  }

 private:
  // Nothing is imported, so nothing is counted.
  void Clean() {
    report_.created = report_.restored = report_.deleted = report_.batch_deleted = report_.unchanged = 0;
    report_.committed = false;
  }

  // A malformed file: its record (unless a dry run) says so, in a transaction of its own.
  Result<SisImportReport> Failed() {
    Clean();
    report_.state = SisImportState::kFailedWithMessages;
    if (options_.dry_run) return std::move(report_);
    auto txn = deps_.links->BeginWrite();
    if (!txn.ok()) return txn.status();
    auto id = (*txn)->BeginSisImport(Record(SisImportState::kImporting), std::nullopt);
    if (!id.ok()) return id.status();
    if (!*id) return Internal("the failed import's record was not stored");
    report_.id = **id;
    OBSERVEES_RETURN_IF_ERROR((*txn)->FinishSisImport(Record(report_.state)));
    OBSERVEES_RETURN_IF_ERROR((*txn)->Commit());
    return std::move(report_);
  }

  // The record of this import as it stands, in `state` (finished unless kImporting).
  SisImportRecord Record(SisImportState state) const {
    SisImportRecord record;
    record.id = report_.id.value_or(0);
    record.root_account_id = options_.root_account;
    record.user_id = options_.actor;
    record.state = state;
    record.batch_mode = options_.batch_mode;
    record.diffing_data_set_identifier = options_.diffing_data_set_identifier;
    record.change_threshold = options_.change_threshold;
    record.created_at = record.updated_at = started_;
    if (state == SisImportState::kImporting) return record;
    record.progress = 100;
    record.rows = report_.rows;
    record.created = report_.created;
    record.restored = report_.restored;
    record.deleted = report_.deleted;
    record.batch_deleted = report_.batch_deleted;
    record.unchanged = report_.unchanged;
    record.warning_count = static_cast<std::int64_t>(report_.warnings.size());
    record.error_count = static_cast<std::int64_t>(report_.errors.size());
    if (!report_.errors.empty()) record.message = report_.errors.front().message;
    record.ended_at = record.updated_at = deps_.clock->Now();
    return record;
  }

  void Warn(std::int64_t row, std::string message) { report_.warnings.push_back({row, std::move(message)}); }
  // A refused row: a warning, and the import goes on.
  Status Refuse(std::int64_t row, std::string message) {
    Warn(row, std::move(message));
    return Status::Ok();
  }

  // The first pass. A malformed file ends it with an entry in report_.errors.
  Status ReadRows(std::istream& csv) {
    CsvLimits limits;
    limits.max_field_bytes = options_.max_field_bytes;
    limits.max_record_bytes = options_.max_row_bytes;
    limits.max_fields = options_.max_fields;
    CsvReader reader(csv, limits);
    auto header = reader.Header();
    if (!header.ok()) {
      report_.errors.push_back({1, header.status().message()});
      return Status::Ok();
    }
    std::optional<std::size_t> observer_col, student_col, status_col;
    const auto& names = (*header)->fields;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string name = AsciiLower(Strip(names[i]));
      if (name == "observer_id" && !observer_col) observer_col = i;
      if (name == "student_id" && !student_col) student_col = i;
      if (name == "status" && !status_col) status_col = i;
    }
    if (!observer_col || !student_col) {
      report_.errors.push_back({1, "the header must name the observer_id and student_id columns"});
      return Status::Ok();
    }
    const auto snapshot = deps_.links->BeginRead();
    if (!options_.dry_run) {  // the import this file is read after (BeginSisImport checks it)
      auto newest = deps_.links->ListSisImports(options_.root_account, 0, 1);
      if (!newest.ok()) return newest.status();
      newest_seen_ = newest->empty() ? 0 : newest->front().id;
    }
    CsvRecord record;
    for (;;) {
      auto next = reader.Next(record);
      if (!next.ok()) {
        report_.errors.push_back({reader.next_row(), next.status().message()});
        return Status::Ok();
      }
      if (!*next) return Status::Ok();
      ++report_.rows;
      const auto& f = record.fields;
      bool blank = true;
      for (const std::string& field : f) blank = blank && Strip(field).empty();
      if (blank) continue;  // Canvas skips rows whose fields are all empty
      if (record.ragged) {
        Warn(record.row, "The row has " + std::to_string(f.size()) + " fields but the header has " +
                             std::to_string(names.size()) + "; the row was skipped");
        continue;
      }
      const std::string_view observer_id = Strip(f[*observer_col]);
      const std::string_view student_id = Strip(f[*student_col]);
      const std::string status = status_col ? AsciiLower(Strip(f[*status_col])) : std::string();
      OBSERVEES_RETURN_IF_ERROR(CheckRow(record.row, observer_id, student_id, status,
                                         status_col ? Strip(f[*status_col]) : std::string_view()));
    }
  }

  // Canvas's checks of one row, in its order; a passing row becomes an Op.
  Status CheckRow(std::int64_t row, std::string_view observer_id, std::string_view student_id,
                  const std::string& status, std::string_view status_as_written) {
    if (observer_id.empty()) return Refuse(row, "No observer_id given for a user observer");
    if (student_id.empty()) return Refuse(row, "No user_id given for a user observer");
    if (observer_id == student_id) {
      return Refuse(row, "Can't observe yourself user " + std::string(student_id));
    }
    if (status != "active" && status != "deleted") {
      return Refuse(row, "Improper status \"" + std::string(status_as_written) + "\" for a user_observer");
    }
    auto observer = Resolve(observer_id);
    if (!observer.ok()) return observer.status();
    if (!*observer) {
      return Refuse(row, "An observer referenced a non-existent user " + std::string(observer_id));
    }
    auto student = Resolve(student_id);
    if (!student.ok()) return student.status();
    if (!*student) {
      return Refuse(row, "A student referenced a non-existent user " + std::string(student_id));
    }
    if (**observer == **student) {
      return Refuse(row, "Can't observe yourself user " + std::string(student_id));
    }
    Op op{row, **student, **observer, status == "deleted"};
    const PairKey key{op.student, op.observer};
    auto known = active_.find(key);
    if (!op.removal) {
      active_[key] = true;
    } else {
      bool exists = false;
      if (known != active_.end()) {
        exists = known->second;  // as an earlier row of this file left it
      } else {
        auto links = deps_.links->LinksBetween(op.student, op.observer);
        if (!links.ok()) return links.status();
        for (const Link& link : *links) {
          if (link.state != LinkState::kActive) continue;
          if (link.root_account_id == options_.root_account || (!link.root_account_id && !exists)) {
            op.link = link.id;
            op.legacy = !link.root_account_id;
            exists = true;
          }
        }
      }
      if (!exists) return Refuse(row, CantDelete(observer_id, student_id));
      active_[key] = false;
      op.ids = removal_ids_.size();
      removal_ids_.emplace_back(observer_id, student_id);
    }
    ops_.push_back(op);
    return Status::Ok();
  }

  // The user a SIS id names in the import's root account (cached per id).
  Result<std::optional<UserId>> Resolve(std::string_view sis_id) {
    auto cached = resolved_.find(std::string(sis_id));
    if (cached != resolved_.end()) return cached->second;
    auto found = deps_.directory->FindUserBySisIdInRootAccount(sis_id, options_.root_account);
    if (!found.ok()) return found.status();
    resolved_.emplace(std::string(sis_id), *found);
    return *found;
  }

  // The second pass, in one transaction: the record, the batch's check, every op, then the batch's
  // removals. The record comes first, so that its lock orders this import after any other of the root.
  Status Apply() {
    const Timestamp now = deps_.clock->Now();
    auto txn = deps_.links->BeginWrite();
    if (!txn.ok()) return txn.status();
    if (!options_.dry_run) {
      auto id = (*txn)->BeginSisImport(Record(SisImportState::kImporting), newest_seen_);
      if (!id.ok()) return id.status();
      if (!*id) {
        return Status(StatusCode::kAborted,
                      "another SIS import of this root account committed while the file was read; nothing was "
                      "imported: run the import again");
      }
      report_.id = **id;
    }
    std::vector<Link> removals;
    if (options_.batch_mode) {
      auto removal = BatchRemovals(**txn);
      if (!removal.ok()) return removal.status();
      if (!*removal) return Finish(**txn, SisImportState::kAborted);
      removals = std::move(**removal);
    }
    const LinkChanges changes(**txn, deps_.enrollments.get(), options_.actor, LinkMethod::kSisImport, now, report_.id);
    std::unordered_map<PairKey, Link, PairHash> made;  // links made active by this import, by pair
    for (std::size_t first = 0; first < ops_.size(); first += kBatch) {
      const std::size_t last = std::min(ops_.size(), first + kBatch);
      WriteAhead ahead;
      for (std::size_t i = first; i < last; ++i) {
        const Op& op = ops_[i];
        std::optional<AccountId> root = options_.root_account;
        if (op.removal && op.legacy) root.reset();
        ahead.links.push_back({op.student, op.observer, root, op.removal});
      }
      OBSERVEES_RETURN_IF_ERROR(changes.Prepare(ahead));
      for (std::size_t i = first; i < last; ++i) OBSERVEES_RETURN_IF_ERROR(ApplyOne(changes, ops_[i], made));
    }
    OBSERVEES_RETURN_IF_ERROR(RemoveAbsent(changes, removals));
    return Finish(**txn, report_.warnings.empty() ? SisImportState::kImported : SisImportState::kImportedWithMessages);
  }

  // Batch mode: the links the data set owns that no row of the file names (a row that passed the
  // checks, whatever its status), read inside the import's transaction. nullopt when they are more
  // than change_threshold percent of the data set's links: the batch is aborted (report_ says so).
  Result<std::optional<std::vector<Link>>> BatchRemovals(LinkTransaction& txn) {
    auto owned = txn.ActiveLinksOfDataSet(options_.root_account, *options_.diffing_data_set_identifier);
    if (!owned.ok()) return owned.status();
    std::vector<Link> removals;
    for (Link& link : *owned) {
      if (!active_.contains(PairKey{link.student_id, link.observer_id})) removals.push_back(std::move(link));
    }
    const auto total = static_cast<std::int64_t>(owned->size());
    const auto count = static_cast<std::int64_t>(removals.size());
    if (options_.change_threshold && count * 100 > std::int64_t{*options_.change_threshold} * total) {
      // Canvas's SisBatch#change_detected_message, with our type.
      report_.errors.push_back({0, std::to_string(count) + " user_observers would be deleted and exceeds the set " +
                                       "threshold of " + std::to_string(*options_.change_threshold) + "%"});
      report_.batch_removals = std::move(removals);
      return std::optional<std::vector<Link>>();
    }
    return std::optional<std::vector<Link>>(std::move(removals));
  }

  // The batch's removals, after every row, as deletions of this import.
  Status RemoveAbsent(const LinkChanges& changes, const std::vector<Link>& removals) {
    for (std::size_t first = 0; first < removals.size(); first += kBatch) {
      const std::size_t last = std::min(removals.size(), first + kBatch);
      WriteAhead ahead;
      for (std::size_t i = first; i < last; ++i) {
        ahead.links.push_back({removals[i].student_id, removals[i].observer_id, options_.root_account, true});
      }
      OBSERVEES_RETURN_IF_ERROR(changes.Prepare(ahead));
      for (std::size_t i = first; i < last; ++i) {
        auto removed = changes.Remove(removals[i]);
        if (!removed.ok()) return removed.status();
        if (!*removed) continue;  // cannot happen: the import's lock and transaction hold since the read
        ++report_.deleted;
        ++report_.batch_deleted;
        report_.batch_removals.push_back(removals[i]);
      }
    }
    return Status::Ok();
  }

  // Ends the import in `state`: its record, then the commit; a dry run rolls everything back. An
  // aborted batch commits only its record.
  Status Finish(LinkTransaction& txn, SisImportState state) {
    if (state == SisImportState::kAborted) Clean();
    report_.state = state;
    if (options_.dry_run) return Status::Ok();  // the transaction rolls back when destroyed
    OBSERVEES_RETURN_IF_ERROR(txn.FinishSisImport(Record(state)));
    OBSERVEES_RETURN_IF_ERROR(txn.Commit());
    report_.committed = state != SisImportState::kAborted;
    return Status::Ok();
  }

  Status ApplyOne(const LinkChanges& changes, const Op& op, std::unordered_map<PairKey, Link, PairHash>& made) {
    const PairKey key{op.student, op.observer};
    if (!op.removal) {
      auto change = changes.CreateOrRestore(op.student, op.observer, options_.root_account);
      if (!change.ok()) return change.status();
      switch (change->kind) {
        case LinkChange::Kind::kCreated: ++report_.created; break;
        case LinkChange::Kind::kRestored: ++report_.restored; break;
        case LinkChange::Kind::kUnchanged: ++report_.unchanged; break;
      }
      made[key] = change->link;
      return Status::Ok();
    }
    Link link;
    if (op.link != 0) {
      link.id = op.link;
      link.student_id = op.student;
      link.observer_id = op.observer;
      if (!op.legacy) link.root_account_id = options_.root_account;
    } else {
      auto it = made.find(key);
      if (it == made.end()) return Internal("a removal lost the link an earlier row made");
      link = it->second;
    }
    made.erase(key);
    auto removed = changes.Remove(link);
    if (!removed.ok()) return removed.status();
    if (*removed) {
      ++report_.deleted;
    } else {  // removed by someone else since the first pass
      const auto& ids = removal_ids_[op.ids];
      Warn(op.row, CantDelete(ids.first, ids.second));
    }
    return Status::Ok();
  }

  const ServiceDependencies& deps_;
  const SisImportOptions& options_;
  Timestamp started_{};
  std::optional<std::int64_t> newest_seen_;  // the newest import of the root when the file was read
  SisImportReport report_;
  std::vector<Op> ops_;
  std::vector<std::pair<std::string, std::string>> removal_ids_;  // (observer_id, student_id) of removals
  std::unordered_map<PairKey, bool, PairHash> active_;            // pairs seen: active after the row?
  std::unordered_map<std::string, std::optional<UserId>> resolved_;
};

}  // namespace

Result<SisImportReport> ImportUserObservers(const ServiceDependencies& deps, std::istream& csv,
                                            const SisImportOptions& options) {
  return Importer(deps, options).Run(csv);
}

}  // namespace observees::sis
