// The PostgreSQL entry points of a build without libpq (OBSERVEES_WITH_POSTGRES off or libpq not
// found): every one answers that the engine is not built in.
#include "storage/engine_openers.h"

namespace observees {
namespace {

Status NotBuilt() { return InvalidArgument("this build of observees has no PostgreSQL backend (libpq was not found)"); }

}  // namespace

namespace storage {
Result<Storage> OpenPostgresStorage(const std::string&, const StorageOptions&) { return NotBuilt(); }
int PostgresSchemaVersion() { return 0; }
}  // namespace storage

bool PostgresAvailable() { return false; }
Status DropPostgresSchema(const std::string&, const std::string&) { return NotBuilt(); }

}  // namespace observees
