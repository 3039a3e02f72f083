#include "options.h"

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace observees::server {

std::optional<std::int64_t> ParseInteger(std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) return std::nullopt;
  return value;
}

namespace {

// HOST:PORT, with an IPv6 host in brackets ([::1]:8080).
Status ParseListen(std::string_view text, ServerOptions& options) {
  const Status bad =
      InvalidArgument("--listen wants HOST:PORT (e.g. 127.0.0.1:8080, [::1]:0), not '" + std::string(text) + "'");
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad;  // an IPv6 address without brackets
  }
  const auto port = ParseInteger(text.substr(colon + 1), 0, 65535);
  if (host.empty() || !port) return bad;
  options.listen_host = std::string(host);
  options.listen_port = static_cast<unsigned short>(*port);
  return Status::Ok();
}

Status ParseSeconds(std::string_view flag, std::string_view value, std::chrono::seconds& out) {
  const auto seconds = ParseInteger(value, 1, 24 * 3600);
  if (!seconds) return InvalidArgument(std::string(flag) + " wants a number of seconds in 1..86400");
  out = std::chrono::seconds(*seconds);
  return Status::Ok();
}

bool IsValueFlag(std::string_view flag) {
  for (std::string_view known : {"--db", "--schema", "--seed", "--listen", "--default-root-account", "--threads",
                                 "--max-body-bytes", "--request-timeout", "--idle-timeout"}) {
    if (flag == known) return true;
  }
  return false;
}

}  // namespace

Result<CommandLine> ParseCommandLine(int argc, const char* const* argv) {
  CommandLine line;
  ServerOptions& options = line.options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      line.help = true;
      continue;
    }
    if (arg == "--fast-password-hashing") {
      options.fast_password_hashing = true;
      continue;
    }
    if (arg == "--harness" || arg == "--harness-allow-remote") {
      (arg == "--harness" ? options.harness : options.harness_allow_remote) = true;
      continue;
    }
    // Every other flag takes a value: "--flag VALUE" or "--flag=VALUE".
    std::string_view flag = arg;
    std::string_view value;
    if (const std::size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (arg.starts_with("--") && i + 1 < argc) {
      value = argv[++i];
    } else if (arg.starts_with("--")) {
      return InvalidArgument(IsValueFlag(arg) ? std::string(arg) + " wants a value"
                                              : "unknown option " + std::string(arg));
    } else {
      return InvalidArgument("unexpected argument '" + std::string(arg) + "'");
    }

    if (!IsValueFlag(flag)) return InvalidArgument("unknown option " + std::string(flag));
    if (flag == "--db") {
      if (value.empty()) return InvalidArgument("--db wants a path, :memory: or a postgresql:// URL");
      options.db_path = std::string(value);
    } else if (flag == "--schema") {
      if (value.empty()) return InvalidArgument("--schema wants a PostgreSQL schema name");
      options.db_schema = std::string(value);
    } else if (flag == "--seed") {
      if (value.empty()) return InvalidArgument("--seed wants a fixture file");
      options.seed_path = std::string(value);
    } else if (flag == "--listen") {
      OBSERVEES_RETURN_IF_ERROR(ParseListen(value, options));
    } else if (flag == "--default-root-account") {
      const auto id = ParseInteger(value, 1, INT64_MAX);
      if (!id) return InvalidArgument("--default-root-account wants a positive account id");
      options.default_root_account = *id;
    } else if (flag == "--threads") {
      const auto threads = ParseInteger(value, 1, 256);
      if (!threads) return InvalidArgument("--threads wants a number in 1..256");
      options.threads = static_cast<int>(*threads);
    } else if (flag == "--max-body-bytes") {
      const auto bytes = ParseInteger(value, 1, 64 * 1024 * 1024);
      if (!bytes) return InvalidArgument("--max-body-bytes wants a number in 1..67108864");
      options.max_body_bytes = static_cast<std::size_t>(*bytes);
    } else if (flag == "--request-timeout") {
      OBSERVEES_RETURN_IF_ERROR(ParseSeconds(flag, value, options.request_timeout));
    } else if (flag == "--idle-timeout") {
      OBSERVEES_RETURN_IF_ERROR(ParseSeconds(flag, value, options.idle_timeout));
    } else {
      return InvalidArgument("unknown option " + std::string(flag));
    }
  }
  if (options.harness_allow_remote && !options.harness) {
    return InvalidArgument("--harness-allow-remote only makes sense with --harness");
  }
  return line;
}

std::string Usage() {
  return R"(Usage: observees-server [options]

Serves Canvas's User Observees API (observees::rest::Router) over HTTP/1.1 on an SQLite database.
Prints "listening on http://HOST:PORT" as its first line on standard output once it accepts
connections; logs one line per request on standard error. SIGINT or SIGTERM stops it cleanly.

Options:
  --db PATH|URL              SQLite database file, created if missing; ":memory:" for a private
                             in-memory database; or a PostgreSQL database: postgresql://... or
                             postgresql:KEY=VALUE... (libpq conninfo) (default: observees.db)
  --schema NAME              PostgreSQL only: the schema holding the tables, created if missing;
                             servers sharing one database use the same (default: observees)
  --seed FIXTURE.json        load this fixture before serving; loading it again changes nothing
  --listen HOST:PORT         address to listen on; port 0 picks a free port; IPv6 as [::1]:PORT
                             (default: 127.0.0.1:8080)
  --default-root-account ID  root account of a request whose Host matches no account's domains
                             (default: the root account with the lowest id)
  --threads N                threads serving connections, 1..256 (default: 4)
  --max-body-bytes N         largest request body; larger ones get 413 (default: 65536)
  --request-timeout SECONDS  time allowed to read one request and to write its response (default: 30)
  --idle-timeout SECONDS     time a kept-alive connection may wait for its next request (default: 60)
  --fast-password-hashing    hash fixture passwords with libsodium's cheapest Argon2id limits;
                             FOR TESTS AND BENCHMARKS ONLY, never for real passwords
  --harness                  test-harness mode: JSON control routes under /__observees/ (reset to
                             the --seed fixture, read/set/advance the clock, read the audit log,
                             load a fixture; docs/harness.md) and a clock that stands still until
                             moved; refused on a non-loopback --listen address
  --harness-allow-remote     allow --harness on a non-loopback address (anyone who can reach it
                             can erase the data)
  -h, --help                 print this help and exit

Exit status: 0 after a clean shutdown, 1 on a runtime error (a bad fixture, an address in use),
2 on a bad command line.
)";
}

}  // namespace observees::server
