// An engine is what the shared stores (relational_*.h) run on: a database type Db providing
//   using Connection   Query(sql, args...) -> rows with Next(), Int, OptionalInt, Text, OptionalText,
//                      Bytes, IsNull, Time, OptionalTime, Flag, OptionalFlag (rows.h); Exec(sql, args...)
//                      -> rows changed; Queue(sql, args...) for a statement whose answer is not awaited
//   using Dialect      kForUpdate, kInIdArray1, LockKey, BeginBulkWrite, AfterExplicitIds (sql.h)
//   Acquire()          a lease: *lease is a Connection (the thread's pinned one inside a read snapshot)
//   BeginWrite()       a write transaction: conn(), Commit(); rolls back when destroyed uncommitted
//   PinForReads()      a ReadSnapshot for the calling thread, or nullptr
//   HashCode, HashToken, SealCode, OpenCode, password_hashing(), clock(), Stats()
// SqliteDatabase (src/sqlite/) and PostgresDatabase (src/postgres/) are the two. This file assembles
// a public Storage over one.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "observees/storage.h"
#include "storage/relational_authenticator.h"
#include "storage/relational_directory.h"
#include "storage/relational_enrollments.h"
#include "storage/relational_fixture_loader.h"
#include "storage/relational_link_store.h"
#include "storage/relational_reset.h"

namespace observees {
namespace internal {

// The open database behind a Storage: what Storage's own functions need of it.
class StorageEngine {
 public:
  StorageEngine() = default;
  StorageEngine(const StorageEngine&) = delete;
  StorageEngine& operator=(const StorageEngine&) = delete;
  virtual ~StorageEngine() = default;

  virtual Status LoadFixture(std::string_view json_text) = 0;
  virtual Status Reset(std::optional<std::string_view> fixture_json) = 0;
  virtual StorageStats Stats() const = 0;
};

}  // namespace internal

namespace storage {

template <typename Db>
class Engine final : public internal::StorageEngine {
 public:
  explicit Engine(std::shared_ptr<Db> db) : db_(std::move(db)) {}
  Status LoadFixture(std::string_view json_text) override { return LoadFixtureInto(*db_, json_text); }
  Status Reset(std::optional<std::string_view> fixture_json) override { return ResetInto(*db_, fixture_json); }
  StorageStats Stats() const override { return db_->Stats(); }
  const std::shared_ptr<Db>& database() const { return db_; }

 private:
  std::shared_ptr<Db> db_;
};

// The four stores over `db`, sharing it.
template <typename Db>
Storage AssembleStorage(std::shared_ptr<Db> db, StorageKind kind) {
  Storage storage;
  storage.kind = kind;
  storage.directory = std::make_shared<RelationalDirectory<Db>>(db);
  storage.authenticator = std::make_shared<RelationalAuthenticator<Db>>(db);
  storage.links = std::make_shared<RelationalLinkStore<Db>>(db);
  storage.enrollments = std::make_shared<RelationalEnrollments<Db>>(db);
  storage.engine = std::make_shared<Engine<Db>>(std::move(db));
  return storage;
}

// The database of `storage` when it runs on Db, else nullptr (for tests and tools that look inside).
template <typename Db>
Db* DatabaseOf(const Storage& storage) {
  auto* engine = dynamic_cast<Engine<Db>*>(storage.engine.get());
  return engine == nullptr ? nullptr : engine->database().get();
}

}  // namespace storage
}  // namespace observees
