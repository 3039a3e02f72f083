// OpenPostgres and PostgresBackend: assemble the PostgreSQL backend's interfaces over one shared pool.
#include <memory>
#include <utility>

#include "observees/clock.h"
#include "observees/postgres.h"
#include "backend_dependencies.h"
#include "observees/random.h"
#include "postgres/pg_authenticator.h"
#include "postgres/pg_database.h"
#include "postgres/pg_directory.h"
#include "postgres/pg_enrollments.h"
#include "postgres/pg_link_store.h"

namespace observees {

Result<PostgresBackend> OpenPostgres(const PostgresOptions& options) {
  Result<std::shared_ptr<PostgresDatabase>> db = PostgresDatabase::Open(options);
  if (!db.ok()) return db.status();
  PostgresBackend backend;
  backend.database = *db;
  backend.directory = std::make_shared<PgDirectory>(backend.database);
  backend.authenticator = std::make_shared<PgAuthenticator>(backend.database);
  backend.links = std::make_shared<PgLinkStore>(backend.database);
  backend.enrollments = std::make_shared<PgEnrollments>(backend.database);
  return backend;
}

ServiceDependencies PostgresBackend::Dependencies(std::shared_ptr<Clock> clock) const {
  return DependenciesOf(*this, std::move(clock));
}

}  // namespace observees
