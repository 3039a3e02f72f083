#include "sis_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "observees/observation_service.h"
#include "observees/sis_import.h"
#include "observees/storage.h"
#include "options.h"
#include "secret_key_file.h"

namespace observees::server {
namespace {

constexpr int kWritten = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;

struct SisCommandLine {
  std::string command;  // "import" or "export"
  std::string db;
  std::string schema = "observees";
  std::optional<std::string> secret_key_file;
  std::optional<std::string> file;  // none or "-": standard input / output
  SisImportOptions import;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "observees-server: %s\nTry 'observees-server --help'.\n", message.c_str());
  return kUsage;
}

// kInvalidArgument naming the bad argument.
Result<SisCommandLine> Parse(int argc, const char* const* argv) {
  SisCommandLine line;
  line.command = argv[1];
  const bool importing = line.command == "import";
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (importing && (arg == "--dry-run" || arg == "--batch-mode")) {
      (arg == "--dry-run" ? line.import.dry_run : line.import.batch_mode) = true;
      continue;
    }
    if (!arg.starts_with("--") || arg == "-") {
      if (line.file) return InvalidArgument("one file at most, not also '" + std::string(arg) + "'");
      line.file = std::string(arg);
      continue;
    }
    if (i + 1 >= argc) return InvalidArgument(std::string(arg) + " wants a value");
    const std::string value = argv[++i];
    if (arg == "--db") {
      line.db = value;
    } else if (arg == "--schema") {
      line.schema = value;
    } else if (arg == "--secret-key-file") {
      line.secret_key_file = value;
    } else if (arg == "--root-account") {
      const auto id = ParseInteger(value, 1, INT64_MAX);
      if (!id) return InvalidArgument("--root-account wants a positive account id");
      line.import.root_account = *id;
    } else if (importing && arg == "--actor") {
      const auto id = ParseInteger(value, 1, INT64_MAX);
      if (!id) return InvalidArgument("--actor wants a positive user id");
      line.import.actor = *id;
    } else if (importing && arg == "--diffing-data-set-identifier") {
      line.import.diffing_data_set_identifier = value;
    } else if (importing && arg == "--change-threshold") {
      const auto percent = ParseInteger(value, 1, 100);
      if (!percent) return InvalidArgument("--change-threshold wants a percentage in 1..100");
      line.import.change_threshold = static_cast<int>(*percent);
    } else {
      return InvalidArgument("unknown option " + std::string(arg) + " for " + line.command);
    }
  }
  if (line.db.empty()) return InvalidArgument(line.command + " wants --db");
  if (line.import.root_account == 0) return InvalidArgument(line.command + " wants --root-account");
  if (line.file && *line.file == "-") line.file.reset();
  return line;
}

// The service on the command line's database; prints why not and answers none.
std::optional<std::shared_ptr<ObservationService>> OpenService(const SisCommandLine& line, Storage& storage) {
  StorageOptions options;
  options.location = line.db;
  options.schema = line.schema;
  if (line.secret_key_file) {
    Result<std::string> key = ReadSecretKeyFile(*line.secret_key_file);
    if (!key.ok()) {
      std::fprintf(stderr, "observees-server: %s\n", key.status().message().c_str());
      return std::nullopt;
    }
    options.secret_key = std::move(*key);
  }
  Result<Storage> opened = OpenStorage(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "observees-server: cannot open the database: %s\n", opened.status().message().c_str());
    return std::nullopt;
  }
  storage = std::move(*opened);
  auto service = ObservationService::Create(storage.Dependencies());
  if (!service.ok()) {
    std::fprintf(stderr, "observees-server: cannot create the service: %s\n", service.status().message().c_str());
    return std::nullopt;
  }
  return std::shared_ptr<ObservationService>(std::move(*service));
}

int Import(const SisCommandLine& line, const ObservationService& service) {
  std::ifstream file;
  if (line.file) {
    file.open(*line.file, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "observees-server: cannot read %s\n", line.file->c_str());
      return kRefused;
    }
  }
  Result<SisImportReport> report = service.ImportUserObservers(line.file ? file : std::cin, line.import);
  if (!report.ok()) {
    std::fprintf(stderr, "observees-server: import refused, nothing written: %s\n", report.status().ToString().c_str());
    return kRefused;
  }
  const SisImportReport& r = *report;
  const std::string id = r.id ? "import " + std::to_string(*r.id) : std::string("dry run");
  std::printf(
      "%s: %s, %lld rows: %lld created, %lld restored, %lld deleted (%lld by the batch), %lld unchanged, "
      "%zu warnings, %zu errors\n",
      id.c_str(), std::string(SisImportStateName(r.state)).c_str(), static_cast<long long>(r.rows),
      static_cast<long long>(r.created), static_cast<long long>(r.restored), static_cast<long long>(r.deleted),
      static_cast<long long>(r.batch_deleted), static_cast<long long>(r.unchanged), r.warnings.size(), r.errors.size());
  for (const SisImportMessage& m : r.warnings)
    std::printf("warning: row %lld: %s\n", static_cast<long long>(m.row), m.message.c_str());
  for (const SisImportMessage& m : r.errors)
    std::printf("error: row %lld: %s\n", static_cast<long long>(m.row), m.message.c_str());
  return r.errors.empty() && (r.committed || r.dry_run) ? kWritten : kRefused;
}

int Export(const SisCommandLine& line, const ObservationService& service) {
  std::ofstream file;
  if (line.file) {
    file.open(*line.file, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "observees-server: cannot write %s\n", line.file->c_str());
      return kRefused;
    }
  }
  std::ostream& out = line.file ? static_cast<std::ostream&>(file) : std::cout;
  Result<SisExportReport> report = service.ExportUserObservers(out, line.import.root_account);
  out.flush();
  if (!report.ok() || !out) {
    std::fprintf(stderr, "observees-server: export failed: %s\n",
                 report.ok() ? "cannot write the output" : report.status().ToString().c_str());
    return kRefused;
  }
  std::fprintf(stderr, "observees-server: exported %lld links (%lld left out: a side without a SIS id)\n",
               static_cast<long long>(report->rows), static_cast<long long>(report->skipped));
  return kWritten;
}

}  // namespace

bool IsSisCommand(int argc, const char* const* argv) {
  return argc >= 2 && (std::string_view(argv[1]) == "import" || std::string_view(argv[1]) == "export");
}

int RunSisCommand(int argc, const char* const* argv) {
  Result<SisCommandLine> line = Parse(argc, argv);
  if (!line.ok()) return Usage(line.status().message());
  Storage storage;
  const auto service = OpenService(*line, storage);
  if (!service) return kRefused;
  return line->command == "import" ? Import(*line, **service) : Export(*line, **service);
}

}  // namespace observees::server
