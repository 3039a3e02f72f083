#include "options.h"

#include <algorithm>
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

// A comma list of IP addresses, appended to options.trusted_proxies.
Status ParseTrustedProxies(std::string_view list, ServerOptions& options) {
  for (;;) {
    const std::size_t comma = list.find(',');
    const std::string address(list.substr(0, comma));
    boost::system::error_code ec;
    options.trusted_proxies.push_back(boost::asio::ip::make_address(address, ec));
    if (ec) return InvalidArgument("--trusted-proxy wants IP addresses (e.g. 127.0.0.1,::1), not '" + address + "'");
    if (comma == std::string_view::npos) return Status::Ok();
    list.remove_prefix(comma + 1);
  }
}

// A decimal integer in [min, max] into `out` (int or std::size_t).
template <typename T>
Status ParseCount(std::string_view flag, std::string_view value, std::int64_t min, std::int64_t max, T& out) {
  const auto n = ParseInteger(value, min, max);
  if (!n)
    return InvalidArgument(std::string(flag) + " wants a number in " + std::to_string(min) + ".." +
                           std::to_string(max));
  out = static_cast<T>(*n);
  return Status::Ok();
}

Status ParseSeconds(std::string_view flag, std::string_view value, std::chrono::seconds& out) {
  const auto seconds = ParseInteger(value, 1, 24 * 3600);
  if (!seconds) return InvalidArgument(std::string(flag) + " wants a number of seconds in 1..86400");
  out = std::chrono::seconds(*seconds);
  return Status::Ok();
}

bool IsValueFlag(std::string_view flag) {
  for (std::string_view known : {"--db",
                                 "--schema",
                                 "--seed",
                                 "--listen",
                                 "--default-root-account",
                                 "--threads",
                                 "--max-body-bytes",
                                 "--request-timeout",
                                 "--idle-timeout",
                                 "--max-connections",
                                 "--secret-key-file",
                                 "--trusted-proxy",
                                 "--code-length",
                                 "--anonymous-max-failures",
                                 "--anonymous-window",
                                 "--token-max-failures",
                                 "--write-threads",
                                 "--write-queue",
                                 "--hash-threads",
                                 "--hash-queue",
                                 "--busy-timeout"}) {
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
    } else if (flag == "--secret-key-file") {
      if (value.empty()) return InvalidArgument("--secret-key-file wants a file holding the at-rest key");
      options.secret_key_file = std::string(value);
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
    } else if (flag == "--max-connections") {
      const auto connections = ParseInteger(value, 1, 1000000);
      if (!connections) return InvalidArgument("--max-connections wants a number in 1..1000000");
      options.max_connections = static_cast<std::size_t>(*connections);
    } else if (flag == "--trusted-proxy") {
      OBSERVEES_RETURN_IF_ERROR(ParseTrustedProxies(value, options));
    } else if (flag == "--code-length") {
      const auto length = ParseInteger(value, 4, 10);
      if (!length) return InvalidArgument("--code-length wants a number in 4..10");
      options.code_length = static_cast<int>(*length);
    } else if (flag == "--anonymous-max-failures") {
      OBSERVEES_RETURN_IF_ERROR(ParseCount(flag, value, 1, 1000000, options.anonymous_max_failures));
    } else if (flag == "--anonymous-window") {
      OBSERVEES_RETURN_IF_ERROR(ParseSeconds(flag, value, options.anonymous_window));
    } else if (flag == "--token-max-failures") {
      OBSERVEES_RETURN_IF_ERROR(ParseCount(flag, value, 1, 1000000, options.token_max_failures));
    } else if (flag == "--write-threads") {
      OBSERVEES_RETURN_IF_ERROR(ParseCount(flag, value, 1, 64, options.write_threads));
    } else if (flag == "--write-queue") {
      OBSERVEES_RETURN_IF_ERROR(ParseCount(flag, value, 0, 100000, options.write_queue));
    } else if (flag == "--hash-threads") {
      OBSERVEES_RETURN_IF_ERROR(ParseCount(flag, value, 1, 64, options.hash_threads));
    } else if (flag == "--hash-queue") {
      OBSERVEES_RETURN_IF_ERROR(ParseCount(flag, value, 0, 100000, options.hash_queue));
    } else if (flag == "--busy-timeout") {
      OBSERVEES_RETURN_IF_ERROR(ParseCount(flag, value, 0, 600000, options.busy_timeout_ms));
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

std::size_t DefaultMaxConnections(std::uint64_t fd_limit) {
  constexpr std::uint64_t kHeadroom = 64;
  constexpr std::uint64_t kMost = 10000;
  if (fd_limit <= 2 * kHeadroom) return static_cast<std::size_t>(std::max<std::uint64_t>(1, fd_limit / 2));
  return static_cast<std::size_t>(std::min(fd_limit - kHeadroom, kMost));
}

std::string Usage() {
  return R"(Usage: observees-server [options]

Serves Canvas's User Observees API (observees::rest::Router) over HTTP/1.1, on an SQLite database
or on PostgreSQL.
Prints "listening on http://HOST:PORT" as its first line on standard output once it accepts
connections; logs one line per request on standard error. SIGINT or SIGTERM stops it cleanly.

Options:
  --db PATH|URL              SQLite database file, created if missing; ":memory:" for a private
                             in-memory database; or a PostgreSQL database: postgresql://... or
                             postgresql:KEY=VALUE... (libpq conninfo) (default: observees.db)
  --schema NAME              PostgreSQL only: the schema holding the tables, created if missing;
                             servers sharing one database use the same (default: observees)
  --seed FIXTURE.json        load this fixture before serving; loading it again changes nothing
  --secret-key-file PATH     the at-rest key: a file holding 64 hex digits (openssl rand -hex 32),
                             not open to other users; what production deployments use, so that a
                             copy of the database alone does not yield its codes and tokens
                             (default: the file OBSERVEES_SECRET_KEY_FILE names; without either,
                             the key is kept in the database). Every server sharing one database
                             needs the same key; codes and tokens stored under another do not match
  --listen HOST:PORT         address to listen on; port 0 picks a free port; IPv6 as [::1]:PORT
                             (default: 127.0.0.1:8080)
  --default-root-account ID  root account of a request whose Host matches no account's domains
                             (default: the root account with the lowest id)
  --trusted-proxy ADDR[,ADDR...]
                             a reverse proxy in front of the server (repeatable): for a request from
                             one of these addresses, the client is the right-most address of
                             X-Forwarded-For that is not a listed proxy (for the attempt limiter and
                             the log). Without it the header is ignored (default: none)
  --code-length N            characters of a new pairing code, 4..10; longer codes make guessing
                             one slower (default: 6)
  --anonymous-max-failures N failed anonymous pairing-code redemptions (self-registration) per root
                             account and --anonymous-window, whatever the client addresses; once
                             spent, anonymous self-registration answers 429 (signed-in observers
                             keep their own limits) and one warning is logged (default: 100)
  --anonymous-window SECONDS that budget's window, 1..86400 (default: 3600)
  --token-max-failures N     unknown bearer tokens a client may send per window before 429 (default: 100)
  --threads N                threads serving connections, 1..256 (default: 4)
  --write-threads N          threads running requests that may wait for the database's write lock,
                             1..64, so that a held lock never stalls reads (default: 2)
  --write-queue N            such requests waiting beyond those threads, 0..100000; more get 503
                             with Retry-After (default: 256)
  --hash-threads N           threads hashing and checking passwords (Argon2id), 1..64, at a lower
                             CPU priority than the serving threads (default: half the cores, at
                             least 1)
  --hash-queue N             requests waiting for them, 0..100000; more get 503 with Retry-After
                             (default: 32)
  --busy-timeout MS          SQLite only: how long a write waits for another process's lock, after
                             which the request gets 503 with Retry-After (default: 10000)
  --max-body-bytes N         largest request body; larger ones get 413 (default: 65536)
  --request-timeout SECONDS  time allowed to read one request and to write its response (default: 30)
  --idle-timeout SECONDS     time a kept-alive connection may wait for its next request (default: 60)
  --max-connections N        open connections at most, 1..1000000; at the cap a new connection
                             closes the one idle the longest (503 when none is idle) (default: the
                             file-descriptor limit minus 64, at most 10000)
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

For cron jobs, without serving (docs/sis-import.md):
  observees-server import --db PATH|URL --root-account ID [--schema NAME] [--secret-key-file PATH]
                          [--dry-run] [--actor USER_ID] [--batch-mode --diffing-data-set-identifier ID
                          [--change-threshold PERCENT]] FILE|-
      imports a user_observers.csv (all of it or nothing); prints a summary line and one line per
      warning or error; exits 0 when written (or, with --dry-run, when it could be), 1 when refused
  observees-server export --db PATH|URL --root-account ID [--schema NAME] [--secret-key-file PATH] [FILE|-]
      writes the root account's active links as user_observers.csv
)";
}

}  // namespace observees::server
