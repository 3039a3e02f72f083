// The SIS import of user_observers.csv (include/observees/sis_import.h, docs/sis-import.md) over the
// service's dependencies: ObservationService::ImportUserObservers calls it. Two passes over one
// streamed file: the first reads and checks every row and resolves SIS ids (one read snapshot), the
// second writes, in ONE write transaction, the import's record (under the root account's import
// lock), the rows through LinkChanges (audit and enrollments as for any link change) and batch mode's
// removals, committed unless it is a dry run. Thread-safe as its dependencies are.
#pragma once

#include <istream>

#include "observees/observation_service.h"
#include "observees/sis_import.h"

namespace observees::sis {

Result<SisImportReport> ImportUserObservers(const ServiceDependencies& deps, std::istream& csv,
                                            const SisImportOptions& options);

}  // namespace observees::sis
