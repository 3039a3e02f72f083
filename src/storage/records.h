// The one row-to-struct helper of each record the stores read, with the column list it reads (a macro,
// so that each statement stays one constant). Rows is either driver's row type (storage/rows.h).
#pragma once

#include <string>
#include <utility>

#include "observees/types.h"
#include "storage/audit_text.h"

namespace observees::storage {

#define OBSERVEES_USER_COLUMNS \
  "id, name, sortable_name, short_name, created_at, sis_user_id, avatar_url, pronouns, workflow_state"

template <typename Rows>
User ReadUser(const Rows& row) {
  User user;
  user.id = row.Int(0);
  user.name = row.Text(1);
  user.sortable_name = row.Text(2);
  user.short_name = row.Text(3);
  user.created_at = row.Time(4);
  user.sis_user_id = row.OptionalText(5);
  user.avatar_url = row.OptionalText(6);
  user.pronouns = row.OptionalText(7);
  user.deleted = row.Text(8) == "deleted";
  return user;
}

#define OBSERVEES_LINK_COLUMNS "id, student_id, observer_id, root_account_id, workflow_state, created_at, updated_at"

template <typename Rows>
Link ReadLink(const Rows& row) {
  Link link;
  link.id = row.Int(0);
  link.student_id = row.Int(1);
  link.observer_id = row.Int(2);
  link.root_account_id = row.OptionalInt(3);
  link.state = row.Text(4) == "active" ? LinkState::kActive : LinkState::kDeleted;
  link.created_at = row.Time(5);
  link.updated_at = row.Time(6);
  return link;
}

template <typename Rows>
std::vector<Link> ReadLinks(Rows rows) {
  std::vector<Link> links;
  while (rows.Next()) links.push_back(ReadLink(rows));
  return links;
}

// A code's columns, then whatever a query adds after them (column 11 onward).
#define OBSERVEES_CODE_COLUMNS \
  "id, user_id, created_at, expires_at, workflow_state, used_by, used_at, link_id, revoked_by, revoked_at, code_box"

// Opens the code's box (column 10) only when `db` is given.
template <typename Rows, typename Db>
PairingCodeRecord ReadCode(const Rows& row, const Db* db) {
  PairingCodeRecord code;
  code.id = row.Int(0);
  code.user_id = row.Int(1);
  code.created_at = row.Time(2);
  code.expires_at = row.Time(3);
  code.deleted = row.Text(4) == "deleted";
  code.used_by = row.OptionalInt(5);
  code.used_at = row.OptionalTime(6);
  code.link_id = row.OptionalInt(7);
  code.revoked_by = row.OptionalInt(8);
  code.revoked_at = row.OptionalTime(9);
  if (db != nullptr && !row.IsNull(10)) code.code = db->OpenCode(row.Bytes(10));
  return code;
}

#define OBSERVEES_ENROLLMENT_COLUMNS                                                                       \
  "id, user_id, course_id, course_section_id, type, workflow_state, associated_user_id, root_account_id, " \
  "start_at, end_at, created_at, updated_at"

template <typename Rows>
Enrollment ReadEnrollment(const Rows& row) {
  Enrollment e;
  e.id = row.Int(0);
  e.user_id = row.Int(1);
  e.course_id = row.Int(2);
  e.course_section_id = row.OptionalInt(3);
  e.type = row.Text(4);
  e.workflow_state = row.Text(5);
  e.associated_user_id = row.OptionalInt(6);
  e.root_account_id = row.Int(7);
  e.start_at = row.OptionalTime(8);
  e.end_at = row.OptionalTime(9);
  e.created_at = row.Time(10);
  e.updated_at = row.Time(11);
  return e;
}

#define OBSERVEES_AUDIT_COLUMNS \
  "id, at, actor_id, action, method, student_id, observer_id, root_account_id, link_id, code_id, sis_import_id"

template <typename Rows>
AuditEntry ReadAudit(const Rows& row) {
  AuditEntry entry;
  entry.id = row.Int(0);
  entry.at = row.Time(1);
  entry.actor = row.OptionalInt(2);
  entry.action = AuditActionFromText(row.Text(3));
  entry.method = LinkMethodFromText(row.Text(4));
  entry.student_id = row.Int(5);
  entry.observer_id = row.OptionalInt(6);
  entry.root_account_id = row.OptionalInt(7);
  entry.link_id = row.OptionalInt(8);
  entry.code_id = row.OptionalInt(9);
  entry.sis_import_id = row.OptionalInt(10);
  return entry;
}

#define OBSERVEES_SIS_IMPORT_COLUMNS                                                                   \
  "id, root_account_id, user_id, workflow_state, progress, batch_mode, diffing_data_set_identifier, "  \
  "change_threshold, row_count, created, restored, deleted, batch_deleted, unchanged, warning_count, " \
  "error_count, message, created_at, ended_at, updated_at"

template <typename Rows>
SisImportRecord ReadSisImport(const Rows& row) {
  SisImportRecord record;
  record.id = row.Int(0);
  record.root_account_id = row.Int(1);
  record.user_id = row.OptionalInt(2);
  record.state = SisImportStateFromText(row.Text(3));
  record.progress = static_cast<int>(row.Int(4));
  record.batch_mode = row.Flag(5);
  record.diffing_data_set_identifier = row.OptionalText(6);
  if (const auto threshold = row.OptionalInt(7)) record.change_threshold = static_cast<int>(*threshold);
  record.rows = row.Int(8);
  record.created = row.Int(9);
  record.restored = row.Int(10);
  record.deleted = row.Int(11);
  record.batch_deleted = row.Int(12);
  record.unchanged = row.Int(13);
  record.warning_count = row.Int(14);
  record.error_count = row.Int(15);
  record.message = row.OptionalText(16);
  record.created_at = row.Time(17);
  record.ended_at = row.OptionalTime(18);
  record.updated_at = row.Time(19);
  return record;
}

}  // namespace observees::storage
