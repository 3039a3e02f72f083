// The listening side of observees-server: accepts connections on one address and hands each, once,
// to the next of the caller's io_contexts in turn, where an HttpSession serves it. Each io_context is
// meant to be run by one thread, so a connection's every step runs on the thread that accepted it into
// its context: no hop between threads per read or write. The acceptor runs on the first io_context.
// At most `max_connections` connections are open: at the cap a new connection closes the one that has
// waited longest for its next request (and gets 503 when none waits); when accept runs out of file
// descriptors, an idle connection is closed and accepting retries shortly after.
// Thread-safe: Stop may be called from any thread, e.g. a signal handler running on an io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
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
  // permission); kInvalidArgument when `ios` is empty or holds a null. Every io_context must outlive
  // the server; `config`'s router and log must outlive every session.
  static Result<std::unique_ptr<HttpServer>> Create(const std::vector<boost::asio::io_context*>& ios,
                                                    const boost::asio::ip::tcp::endpoint& endpoint,
                                                    const SessionConfig& config, std::size_t max_connections);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address (with the real port when port 0 was asked for).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Starts accepting; returns at once. Call once.
  void Start();

  // Stops accepting; idle connections close now, busy ones after their current response. When the
  // last connection is gone the io_contexts have no work of the server's left. Idempotent.
  void Stop();

 private:
  HttpServer(std::vector<boost::asio::io_context*> ios, boost::asio::ip::tcp::acceptor acceptor,
             const SessionConfig& config, std::size_t max_connections);

  void Accept();
  // Closes the connection idle the longest; false when none is idle. Call with mu_ held.
  bool CloseOldestIdle();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  const std::vector<boost::asio::io_context*> ios_;  // ios_[0] runs the acceptor's and retry_'s handlers
  std::size_t next_io_ = 0;                          // where the next connection goes (the acceptor's handlers only)
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
