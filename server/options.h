// The command line of observees-server: what it serves, where, and with which limits. Parsing is a
// pure function of argv; not shared between threads.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observees/status.h"
#include "observees/types.h"

namespace observees::server {

struct ServerOptions {
  std::string db_path = "observees.db";  // --db; ":memory:", or postgresql://... (storage.h)
  std::string db_schema = "observees";   // --schema: PostgreSQL's schema for the tables
  std::optional<std::string> seed_path;  // --seed: a fixture loaded before serving
  // --secret-key-file (else the environment's OBSERVEES_SECRET_KEY_FILE): the at-rest key's file
  // (secret_key_file.h); none: the key lives in the database.
  std::optional<std::string> secret_key_file;
  std::string listen_host = "127.0.0.1";          // --listen HOST:PORT (IPv6 as [::1]:PORT)
  unsigned short listen_port = 8080;              // 0: a free port
  std::optional<AccountId> default_root_account;  // --default-root-account
  int threads = 4;                                // --threads, 1..256
  std::size_t max_body_bytes = 64 * 1024;         // --max-body-bytes; larger bodies get 413
  std::size_t max_header_bytes = 8 * 1024;        // request line and headers; larger gets 431
  std::chrono::seconds request_timeout{30};       // --request-timeout: to read a request, to write a response
  std::chrono::seconds idle_timeout{60};          // --idle-timeout: a kept-alive connection with no request
  // --max-connections, 1..1000000: open connections at most; at the cap the longest-idle one closes
  // for a new one. None: DefaultMaxConnections().
  std::optional<std::size_t> max_connections;
  // --trusted-proxy ADDR[,ADDR...] (repeatable): reverse proxies whose X-Forwarded-For names the
  // client (client_address.h). Empty (default): the header is ignored.
  std::vector<boost::asio::ip::address> trusted_proxies;
  int code_length = 6;  // --code-length: characters of a new pairing code, 4..10 (PairingCodeOptions)
  // --anonymous-max-failures, --anonymous-window, --token-max-failures: the attempt limiter's
  // ceilings (AttemptLimiterOptions in service_options.h, whose defaults these are).
  int anonymous_max_failures = 100;
  std::chrono::seconds anonymous_window = std::chrono::hours(1);
  int token_max_failures = 100;
  // Where requests that may wait for the write lock (--write-threads, --write-queue) and those that
  // may hash a password (--hash-threads, --hash-queue) run (work_pool.h): threads, 1..64, and jobs
  // waiting beyond them, 0..100000. hash_threads 0: half the cores, at least one.
  int write_threads = 2;
  std::size_t write_queue = 256;
  int hash_threads = 0;
  std::size_t hash_queue = 32;
  int busy_timeout_ms = 10000;              // --busy-timeout: SQLite's wait for another process's lock, 0..600000
  std::chrono::seconds shutdown_grace{10};  // on SIGINT/SIGTERM, how long in-flight requests may take
  bool fast_password_hashing = false;       // --fast-password-hashing (tests and benchmarks only)
  bool harness = false;                     // --harness: /__observees/ routes, a settable clock
  bool harness_allow_remote = false;        // --harness-allow-remote: --harness on a non-loopback address
};

struct CommandLine {
  ServerOptions options;
  bool help = false;  // --help: print Usage() and exit 0
};

// kInvalidArgument with a message naming the bad argument (the caller prints it and exits 2).
// Accepts "--flag VALUE" and "--flag=VALUE".
Result<CommandLine> ParseCommandLine(int argc, const char* const* argv);

// The connection cap below a file-descriptor limit of `fd_limit` (RLIMIT_NOFILE): 64 descriptors
// kept for the database, the log and the listener, at most 10,000; half the limit when it is 128
// or less.
std::size_t DefaultMaxConnections(std::uint64_t fd_limit);

// The --help text.
std::string Usage();

// A decimal integer in [min, max] filling all of `text` (for flags and query parameters).
std::optional<std::int64_t> ParseInteger(std::string_view text, std::int64_t min, std::int64_t max);

}  // namespace observees::server
