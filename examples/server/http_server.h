// The listening side of observees-server: accepts connections on one address and serves each with an
// HttpSession on its own strand of the io_context the caller runs (on as many threads as it likes).
// At most `max_connections` connections are open: at the cap a new connection closes the one that has
// waited longest for its next request (and gets 503 when none waits); when accept runs out of file
// descriptors, an idle connection is closed and accepting retries shortly after.
// Thread-safe: Stop may be called from any thread, e.g. a signal handler running on the io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "http_session.h"
#include "observees/status.h"

namespace observees::server {

class HttpServer {
 public:
  // Binds `endpoint` and listens. kInternal naming the address when it cannot (in use, not local, no
  // permission). `io` must outlive the server; `config`'s router and log must outlive every session.
  static Result<std::unique_ptr<HttpServer>> Create(boost::asio::io_context& io,
                                                    const boost::asio::ip::tcp::endpoint& endpoint,
                                                    const SessionConfig& config, std::size_t max_connections);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address (with the real port when port 0 was asked for).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Starts accepting; returns at once. Call once.
  void Start();

  // Stops accepting; idle connections close now, busy ones after their current response. When the
  // last connection is gone the io_context runs out of work. Idempotent.
  void Stop();

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  HttpServer(boost::asio::io_context& io, Strand strand, boost::asio::ip::tcp::acceptor acceptor,
             const SessionConfig& config, std::size_t max_connections);

  void Accept();
  // Closes the connection idle the longest; false when none is idle. Call with mu_ held.
  bool CloseOldestIdle();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  Strand strand_;  // runs the acceptor's and retry_'s handlers
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // waits before accepting again after a failed accept
  const SessionConfig config_;
  const std::size_t max_connections_;
  bool accept_failing_ = false;  // the last accept failed (only the first of a run is reported)

  std::mutex mu_;  // guards what follows
  bool stopping_ = false;
  std::vector<std::weak_ptr<HttpSession>> sessions_;  // may hold expired entries, pruned as it grows
  std::size_t prune_at_ = 64;
};

}  // namespace observees::server
