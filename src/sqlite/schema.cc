#include "sqlite/schema.h"

namespace observees::sqlite_schema {
namespace {

// Version 1: the directory tables of the fixture format, then the link tables.
constexpr char kVersion1[] = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  parent_id INTEGER REFERENCES accounts(id),
  root_account_id INTEGER NOT NULL,
  self_registration TEXT NOT NULL DEFAULT 'none' CHECK (self_registration IN ('none', 'observer', 'all')),
  avatars INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE account_domains (
  domain TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id)
) WITHOUT ROWID;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  sortable_name TEXT NOT NULL,
  short_name TEXT NOT NULL,
  sis_user_id TEXT UNIQUE,
  avatar_url TEXT,
  pronouns TEXT,
  created_at INTEGER NOT NULL,
  workflow_state TEXT NOT NULL DEFAULT 'registered'
    CHECK (workflow_state IN ('registered', 'pre_registered', 'creation_pending', 'deleted'))
);

CREATE TABLE logins (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  unique_id TEXT NOT NULL,
  unique_id_folded TEXT NOT NULL,
  password_hash TEXT,
  workflow_state TEXT NOT NULL DEFAULT 'active' CHECK (workflow_state IN ('active', 'suspended', 'deleted'))
);
CREATE UNIQUE INDEX logins_unique_id ON logins(account_id, unique_id_folded) WHERE workflow_state <> 'deleted';
CREATE INDEX logins_user ON logins(user_id);

CREATE TABLE access_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  token_hash BLOB NOT NULL UNIQUE,
  expires_at INTEGER,
  workflow_state TEXT NOT NULL DEFAULT 'active' CHECK (workflow_state IN ('active', 'deleted'))
);
CREATE INDEX access_tokens_user ON access_tokens(user_id);

CREATE TABLE admins (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  role TEXT NOT NULL DEFAULT 'AccountAdmin',
  manage_user_observers INTEGER,
  generate_observer_pairing_code INTEGER,
  workflow_state TEXT NOT NULL DEFAULT 'active' CHECK (workflow_state IN ('active', 'deleted')),
  UNIQUE (user_id, account_id, role)
);

CREATE TABLE role_overrides (
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  role TEXT NOT NULL,
  permission TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  PRIMARY KEY (account_id, role, permission)
) WITHOUT ROWID;

CREATE TABLE courses (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  root_account_id INTEGER NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL DEFAULT '',
  workflow_state TEXT NOT NULL DEFAULT 'available'
    CHECK (workflow_state IN ('available', 'unpublished', 'completed', 'deleted'))
);

CREATE TABLE enrollments (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  course_id INTEGER NOT NULL REFERENCES courses(id),
  course_section_id INTEGER,
  root_account_id INTEGER NOT NULL REFERENCES accounts(id),
  type TEXT NOT NULL CHECK (type IN ('StudentEnrollment', 'StudentViewEnrollment', 'TeacherEnrollment',
                                     'TaEnrollment', 'ObserverEnrollment', 'DesignerEnrollment')),
  workflow_state TEXT NOT NULL CHECK (workflow_state IN ('active', 'invited', 'inactive', 'completed',
                                                         'rejected', 'deleted', 'creation_pending')),
  associated_user_id INTEGER REFERENCES users(id),
  start_at INTEGER,
  end_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX enrollments_user ON enrollments(user_id);
CREATE INDEX enrollments_course ON enrollments(course_id);

CREATE TABLE observation_links (
  id INTEGER PRIMARY KEY,
  student_id INTEGER NOT NULL,
  observer_id INTEGER NOT NULL,
  root_account_id INTEGER,
  workflow_state TEXT NOT NULL CHECK (workflow_state IN ('active', 'deleted')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (student_id <> observer_id)
);
CREATE UNIQUE INDEX observation_links_triple ON observation_links(student_id, observer_id, root_account_id);
CREATE INDEX observation_links_observer ON observation_links(observer_id, workflow_state);

CREATE TABLE pairing_codes (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  code_hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  workflow_state TEXT NOT NULL DEFAULT 'active' CHECK (workflow_state IN ('active', 'deleted')),
  used_by INTEGER,
  used_at INTEGER
);
CREATE INDEX pairing_codes_hash ON pairing_codes(code_hash, workflow_state, expires_at);
CREATE INDEX pairing_codes_user ON pairing_codes(user_id);

CREATE TABLE failed_attempts (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX failed_attempts_key ON failed_attempts(key, at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor_id INTEGER,
  action TEXT NOT NULL,
  method TEXT NOT NULL,
  student_id INTEGER NOT NULL,
  observer_id INTEGER,
  root_account_id INTEGER,
  link_id INTEGER,
  code_id INTEGER
);
)sql";

// Version 2: the pairing-code lifecycle. An encrypted copy of the code (NULL for codes made before),
// who revoked a code and when, and the link its redemption made or found. workflow_state keeps
// Canvas's values: used and revoked codes are both 'deleted'.
constexpr char kVersion2[] = R"sql(
ALTER TABLE pairing_codes ADD COLUMN code_box BLOB;
ALTER TABLE pairing_codes ADD COLUMN revoked_by INTEGER;
ALTER TABLE pairing_codes ADD COLUMN revoked_at INTEGER;
ALTER TABLE pairing_codes ADD COLUMN link_id INTEGER;
CREATE INDEX pairing_codes_user_created ON pairing_codes(user_id, created_at, id);
)sql";

// Version 3: SIS imports (docs/sis-import.md). One record per import that was not a dry run, in
// Canvas's SisBatch terms; the import each audit entry came from; and the import that made each link
// active (NULL once anything else creates or restores it), which is how a data set owns links.
constexpr char kVersion3[] = R"sql(
CREATE TABLE sis_imports (
  id INTEGER PRIMARY KEY,
  root_account_id INTEGER NOT NULL,
  user_id INTEGER,
  workflow_state TEXT NOT NULL CHECK (workflow_state IN ('created', 'importing', 'imported',
    'imported_with_messages', 'aborted', 'failed', 'failed_with_messages')),
  progress INTEGER NOT NULL DEFAULT 0,
  batch_mode INTEGER NOT NULL DEFAULT 0,
  diffing_data_set_identifier TEXT,
  change_threshold INTEGER,
  row_count INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  restored INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  batch_deleted INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  warning_count INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  message TEXT,
  created_at INTEGER NOT NULL,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sis_imports_data_set ON sis_imports(root_account_id, diffing_data_set_identifier);
ALTER TABLE audit_log ADD COLUMN sis_import_id INTEGER;
ALTER TABLE observation_links ADD COLUMN sis_import_id INTEGER;
CREATE INDEX observation_links_sis_import ON observation_links(sis_import_id);
)sql";

constexpr const char* kMigrationList[] = {kVersion1, kVersion2, kVersion3};

}  // namespace

std::span<const char* const> Migrations() { return kMigrationList; }

}  // namespace observees::sqlite_schema
