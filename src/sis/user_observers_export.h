// The SIS export of a root account's links as user_observers.csv (observer_id, student_id, status),
// the format the import reads: ObservationService::ExportUserObservers calls it. Streams pages of
// links to the output, so memory stays flat in the number of links. Thread-safe as its dependencies are.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "observees/observation_service.h"
#include "observees/sis_import.h"

namespace observees::sis {

Result<SisExportReport> ExportUserObservers(const ServiceDependencies& deps, std::ostream& out, AccountId root_account);

// One CSV field as the export writes it: a value starting with = + - @, a tab or a carriage return gets
// a leading ' (so a spreadsheet does not run it as a formula, OWASP's advice), then the field is quoted
// (RFC 4180, "" for a quote) when it holds a comma, a quote, a line break or the added '.
std::string CsvField(std::string_view value);

}  // namespace observees::sis
