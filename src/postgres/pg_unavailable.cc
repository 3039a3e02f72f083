// The PostgreSQL entry points of a build without libpq (OBSERVEES_WITH_POSTGRES off or libpq not
// found): every one answers that the backend is not built in.
#include "observees/fixture.h"
#include "observees/postgres.h"

namespace observees {
namespace {

Status NotBuilt() { return InvalidArgument("this build of observees has no PostgreSQL backend (libpq was not found)"); }

}  // namespace

bool PostgresAvailable() { return false; }
Result<PostgresBackend> OpenPostgres(const PostgresOptions&) { return NotBuilt(); }
int PostgresSchemaVersion() { return 0; }
Status DropPostgresSchema(const std::string&, const std::string&) { return NotBuilt(); }
Status LoadFixture(const PostgresBackend&, std::string_view) { return NotBuilt(); }
Status LoadFixtureFile(const PostgresBackend&, const std::string&) { return NotBuilt(); }

ServiceDependencies PostgresBackend::Dependencies(std::shared_ptr<Clock>) const { return {}; }

}  // namespace observees
