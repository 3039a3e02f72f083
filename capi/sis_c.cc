// Entry points of observees.h: the SIS import and export of user_observers.csv (docs/sis-import.md).
#include <cstddef>
#include <istream>
#include <sstream>
#include <streambuf>

#include "arguments.h"
#include "entry_point.h"
#include "handle.h"
#include "observees.h"
#include "observees/sis_import.h"
#include "requests.h"
#include "results.h"

namespace {

using observees::InvalidArgument;
using observees::Status;
using observees::capi::Export;

// A read-only stream buffer over the caller's bytes (no copy).
class BorrowedBytes final : public std::streambuf {
 public:
  BorrowedBytes(const char* data, std::size_t size) {
    char* begin = const_cast<char*>(data);  // never written: this buffer has no put area
    setg(begin, begin, begin + size);
  }
};

}  // namespace

extern "C" {

obs_status obs_sis_import(obs_service* service, int64_t root_account, const char* csv, size_t csv_len,
                          const char* options_json, char** out_report_json) {
  return observees::capi::HandleCall(service, out_report_json, "out_report_json", [&]() -> Status {
    auto root = observees::capi::RootAccountOf(root_account, "root_account");
    if (!root.ok()) return root.status();
    if (csv == nullptr && csv_len != 0) return InvalidArgument("csv is NULL", "csv");
    auto options = observees::capi::ReadSisOptions(options_json);
    if (!options.ok()) return options.status();
    options->root_account = *root;
    BorrowedBytes bytes(csv == nullptr ? "" : csv, csv_len);
    std::istream in(&bytes);
    auto report = service->service->ImportUserObservers(in, *options);
    if (!report.ok()) return report.status();
    *out_report_json = Export(observees::capi::SisReportJson(*report));
    return Status::Ok();
  });
}

obs_status obs_sis_export(obs_service* service, int64_t root_account, char** out_csv) {
  return observees::capi::HandleCall(service, out_csv, "out_csv", [&]() -> Status {
    auto root = observees::capi::RootAccountOf(root_account, "root_account");
    if (!root.ok()) return root.status();
    std::ostringstream out;
    auto exported = service->service->ExportUserObservers(out, *root);
    if (!exported.ok()) return exported.status();
    *out_csv = Export(out.str());
    return Status::Ok();
  });
}

}  // extern "C"
