// OpenSqlite and SqliteBackend: assemble the SQLite default backend's three interfaces over one
// shared database.
#include <memory>
#include <utility>

#include "observees/clock.h"
#include "backend_dependencies.h"
#include "observees/random.h"
#include "observees/sqlite.h"
#include "sqlite/sqlite_authenticator.h"
#include "sqlite/sqlite_database.h"
#include "sqlite/sqlite_directory.h"
#include "sqlite/sqlite_enrollments.h"
#include "sqlite/sqlite_link_store.h"

namespace observees {

Result<SqliteBackend> OpenSqlite(const SqliteOptions& options) {
  try {
    Result<std::shared_ptr<SqliteDatabase>> db = SqliteDatabase::Open(options);
    if (!db.ok()) return db.status();
    SqliteBackend backend;
    backend.database = *db;
    backend.directory = std::make_shared<SqliteDirectory>(backend.database);
    backend.authenticator = std::make_shared<SqliteAuthenticator>(backend.database);
    backend.links = std::make_shared<SqliteLinkStore>(backend.database);
    backend.enrollments = std::make_shared<SqliteEnrollments>(backend.database);
    return backend;
  } catch (const std::exception& e) {
    return Internal(std::string("cannot open the SQLite backend: ") + e.what());
  } catch (...) {
    return Internal("cannot open the SQLite backend");
  }
}

ServiceDependencies SqliteBackend::Dependencies(std::shared_ptr<Clock> clock) const {
  return DependenciesOf(*this, std::move(clock));
}

}  // namespace observees
