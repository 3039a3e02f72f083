// observees-server: Canvas's User Observees API over HTTP/1.1 (Boost.Beast), on the SQLite default
// backend or on PostgreSQL (--db postgresql://...), for demos, test harnesses and shared deployments.
//
//   observees-server --db PATH --seed FIXTURE.json --listen HOST:PORT [--default-root-account ID]
//                    [--secret-key-file PATH] [--harness [--harness-allow-remote]] [...: see --help]
//
// Its first line on standard output is "listening on http://HOST:PORT"; one line per request goes to
// standard error. SIGINT or SIGTERM stops it: no new connections, in-flight requests finish (for at
// most ServerOptions::shutdown_grace), exit 0; a second signal ends it at once. See --help.
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "access_log.h"
#include "harness.h"
#include "http_server.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/storage.h"
#include "options.h"
#include "secret_key_file.h"
#include "sis_command.h"
#include "work_pool.h"

namespace observees::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
// Niceness added to the password-hashing threads, so that the serving threads win the CPU.
constexpr int kHashThreadNice = 10;

void PrintError(const std::string& message) { std::fprintf(stderr, "observees-server: %s\n", message.c_str()); }

// Runs `io` until it runs out of work or is stopped, reporting (not propagating) what a handler throws.
void RunLoop(asio::io_context& io) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      PrintError(std::string("unexpected error in a handler: ") + e.what());
    }
  }
}

// The first endpoint HOST:PORT resolves to; kInvalidArgument when it resolves to none.
Result<tcp::endpoint> ResolveListen(asio::io_context& io, const ServerOptions& options) {
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(options.listen_host, std::to_string(options.listen_port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return InvalidArgument("--listen: cannot resolve '" + options.listen_host + "'" +
                           (ec ? ": " + ec.message() : std::string()));
  }
  return results.begin()->endpoint();
}

// The text of the fixture file at `path`; nullopt when it cannot be read.
std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return std::nullopt;
  return text;
}

int Serve(const ServerOptions& options) {
  // --harness: one clock, standing at the start time until the harness moves it, for the storage
  // (fixture defaults, token expiry) and the service (codes, the limiter, returned timestamps).
  std::shared_ptr<FakeClock> harness_clock;
  if (options.harness) harness_clock = std::make_shared<FakeClock>(SystemClock()->Now());
  StorageOptions storage;
  if (options.secret_key_file) {
    Result<std::string> key = ReadSecretKeyFile(*options.secret_key_file);
    if (!key.ok()) {
      PrintError(key.status().message());
      return kExitError;
    }
    storage.secret_key = std::move(*key);
    PrintError("at-rest key: from file " + *options.secret_key_file);
  } else {
    PrintError("at-rest key: stored in the database (use --secret-key-file in production)");
  }
  storage.location = options.db_path;
  storage.schema = options.db_schema;
  storage.password_hashing = options.fast_password_hashing ? PasswordHashing::kFastest : PasswordHashing::kInteractive;
  storage.clock = harness_clock;
  storage.busy_timeout_ms = options.busy_timeout_ms;
  Result<Storage> backend = OpenStorage(storage);
  if (!backend.ok()) {
    PrintError("cannot open the database: " + backend.status().message());
    return kExitError;
  }
  std::optional<std::string> seed_json;  // kept for the harness's resets
  if (options.seed_path) {
    const Status seeded = LoadFixtureFile(*backend, *options.seed_path);
    if (!seeded.ok()) {
      PrintError("cannot load " + *options.seed_path + ": " + seeded.message());
      return kExitError;
    }
    if (options.harness) {
      seed_json = ReadFile(*options.seed_path);
      if (!seed_json) {
        PrintError("cannot read " + *options.seed_path + " again for --harness");
        return kExitError;
      }
    }
  }
  ServiceOptions service_options;
  service_options.pairing_codes.length = options.code_length;
  service_options.limiter.anonymous_max_failures = options.anonymous_max_failures;
  service_options.limiter.anonymous_window = options.anonymous_window;
  service_options.limiter.token_max_failures = options.token_max_failures;
  ServiceDependencies deps = backend->Dependencies(harness_clock);
  deps.warn = [](const std::string& line) { PrintError("warning: " + line); };
  auto service = ObservationService::Create(std::move(deps), service_options);
  if (!service.ok()) {
    PrintError("cannot create the service: " + service.status().message());
    return kExitError;
  }
  rest::RouterOptions router_options;
  router_options.default_root_account = options.default_root_account;
  router_options.max_body_bytes = options.max_body_bytes;
  auto router = rest::Router::Create(std::shared_ptr<const ObservationService>(std::move(*service)), backend->directory,
                                     backend->authenticator, router_options);
  if (!router.ok()) {
    PrintError("cannot create the router: " + router.status().message());
    return kExitError;
  }

  AccessLog log(stderr);
  // One io_context per serving thread (http_server.h); each holds work until the server stops, so
  // that a thread with no connection yet keeps running.
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<asio::io_context*> io_list;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> serving;
  for (int i = 0; i < options.threads; ++i) {
    ios.push_back(std::make_unique<asio::io_context>(1));
    io_list.push_back(ios.back().get());
    serving.push_back(asio::make_work_guard(*ios.back()));
  }
  asio::io_context& io = *ios.front();  // also runs the acceptor and the signals
  Result<tcp::endpoint> endpoint = ResolveListen(io, options);
  if (!endpoint.ok()) {
    PrintError(endpoint.status().message());
    return kExitUsage;
  }
  std::optional<Harness> harness;
  if (options.harness) {
    const Status allowed = CheckHarnessEndpoint(*endpoint, options.harness_allow_remote);
    if (!allowed.ok()) {
      PrintError(allowed.message());
      return kExitUsage;
    }
    harness.emplace(*backend, harness_clock, std::move(seed_json));
  }
  // Declared after `ios` and `log`, so destroyed first: by then no session waits for them (work_pool.h).
  const int hash_threads = options.hash_threads > 0
                               ? options.hash_threads
                               : std::max(1, static_cast<int>(std::thread::hardware_concurrency() / 2));
  WorkPool write_pool({.name = "obs-write", .threads = options.write_threads, .max_queued = options.write_queue});
  WorkPool hash_pool(
      {.name = "obs-hash", .threads = hash_threads, .max_queued = options.hash_queue, .nice = kHashThreadNice});
  SessionConfig config;
  config.write_pool = &write_pool;
  config.hash_pool = &hash_pool;
  config.router = router->get();
  config.harness = harness ? &*harness : nullptr;
  config.log = &log;
  config.max_body_bytes = options.max_body_bytes;
  config.max_header_bytes = options.max_header_bytes;
  config.request_timeout = options.request_timeout;
  config.idle_timeout = options.idle_timeout;
  config.trusted_proxies = options.trusted_proxies.empty() ? nullptr : &options.trusted_proxies;
  rlimit fd_limit{};
  const std::size_t max_connections =
      options.max_connections
          ? *options.max_connections
          : DefaultMaxConnections(::getrlimit(RLIMIT_NOFILE, &fd_limit) == 0 ? fd_limit.rlim_cur : 1024);
  auto server = HttpServer::Create(io_list, *endpoint, config, max_connections);
  if (!server.ok()) {
    PrintError(server.status().message());
    return kExitError;
  }

  // Stopping: the first signal stops the server and gives in-flight requests shutdown_grace; the
  // signals then get their default action back, so a second one ends the process at once.
  std::mutex mu;
  std::condition_variable changed;
  bool stop_requested = false;
  int running = options.threads;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    std::fprintf(stderr, "observees-server: signal %d, stopping\n", signal_number);
    boost::system::error_code ignored;
    signals.clear(ignored);
    (*server)->Stop();
    serving.clear();  // each thread ends once its connections have closed
    std::lock_guard lock(mu);
    stop_requested = true;
    changed.notify_all();
  });

  const std::string host =
      options.listen_host.find(':') == std::string::npos ? options.listen_host : "[" + options.listen_host + "]";
  std::printf("listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>((*server)->local_endpoint().port()));
  std::fflush(stdout);

  (*server)->Start();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(options.threads));
  for (int i = 0; i < options.threads; ++i) {
    threads.emplace_back([&, i] {
      RunLoop(*ios[static_cast<std::size_t>(i)]);
      std::lock_guard lock(mu);
      --running;
      changed.notify_all();
    });
  }
  bool clean = true;
  {
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return stop_requested || running == 0; });
    clean = stop_requested;
    if (!changed.wait_for(lock, options.shutdown_grace, [&] { return running == 0; })) {
      PrintError("requests still running after the shutdown grace period; closing them");
      for (const auto& context : ios) context->stop();
    }
  }
  for (std::thread& thread : threads) thread.join();
  if (!clean) {
    PrintError("stopped serving unexpectedly");
    return kExitError;
  }
  return 0;
}

}  // namespace
}  // namespace observees::server

int main(int argc, char** argv) {
  using namespace observees::server;
  observees::DisableSqliteMemoryStatistics();  // before any thread uses SQLite (storage.h)
  try {
    std::signal(SIGPIPE, SIG_IGN);  // a closed stdout or stderr must not kill the server
    if (IsSisCommand(argc, argv)) return RunSisCommand(argc, argv);
    auto line = ParseCommandLine(argc, argv);
    if (!line.ok()) {
      std::fprintf(stderr, "observees-server: %s\nTry 'observees-server --help'.\n", line.status().message().c_str());
      return kExitUsage;
    }
    if (line->help) {
      std::fputs(Usage().c_str(), stdout);
      return 0;
    }
    if (const char* key_file = std::getenv("OBSERVEES_SECRET_KEY_FILE");
        !line->options.secret_key_file && key_file != nullptr && *key_file != '\0') {
      line->options.secret_key_file = key_file;
    }
    return Serve(line->options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "observees-server: %s\n", e.what());
    return kExitError;
  } catch (...) {
    std::fprintf(stderr, "observees-server: unexpected error\n");
    return kExitError;
  }
}
