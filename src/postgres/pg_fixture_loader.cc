// SCAFFOLD: replaced by the real implementation before landing.
#include "observees/fixture.h"

namespace observees {

Status LoadFixture(const PostgresBackend&, std::string_view) { return Internal("LoadFixture: not implemented yet"); }
Status LoadFixtureFile(const PostgresBackend&, const std::string&) { return Internal("LoadFixtureFile: not implemented yet"); }

}  // namespace observees
