// One HTTP/1.1 connection of observees-server: reads a request (bounded in size and in time), hands
// it to the REST router, writes the router's response, and repeats while the client keeps the
// connection alive. Every step runs on the connection's io_context, which one thread runs (the
// session's handlers never run concurrently, and need no strand); Shutdown may be called from any
// thread. Malformed or oversized requests get a Canvas-style JSON error and the connection closes.
// Reads are answered on that thread; a request that may wait for the database's write lock, or hash a
// password, is answered on a WorkPool (rest::Router::WorkOf), so neither ever holds a serving thread;
// when that pool is full the request gets 503 with Retry-After and the connection stays open.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "access_log.h"
#include "observees/rest.h"

namespace observees::server {

class Harness;
class WorkPool;

// What every connection shares. `router`, `harness` and `log` must outlive every session.
struct SessionConfig {
  const rest::Router* router = nullptr;
  const Harness* harness = nullptr;  // --harness: answers /__observees/ before the router
  AccessLog* log = nullptr;
  std::size_t max_body_bytes = 64 * 1024;   // larger: 413, then close
  std::size_t max_header_bytes = 8 * 1024;  // request line and headers; larger: 431, then close
  // To read one request (from its first byte), and to write one response.
  std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(30);
  // For a kept-alive connection to send the first byte of its next request.
  std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(60);
  // Peers whose X-Forwarded-For names the client (client_address.h); null or empty: none. Must
  // outlive every session.
  const std::vector<boost::asio::ip::address>* trusted_proxies = nullptr;
  // Where writes (and harness calls that change data) and password hashing run; null: on the
  // connection's thread. Must outlive every session's requests (the server's io_context stops first).
  WorkPool* write_pool = nullptr;
  WorkPool* hash_pool = nullptr;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket` is connected, on an io_context run by one thread.
  HttpSession(boost::asio::ip::tcp::socket socket, const SessionConfig& config);

  // Starts serving; the session keeps itself alive until the connection closes.
  void Start();

  // Since when the connection has waited for its next request (its first: since it was accepted),
  // for the server's connection cap; none while a request is being read or answered, or once
  // TakeIfIdle took it. Thread-safe.
  std::optional<std::chrono::steady_clock::time_point> IdleSince() const;

  // Makes room under the connection cap: when the connection is still idle, closes it (on its
  // io_context) and answers true; afterwards IdleSince is none, so no one takes it twice. Thread-safe.
  bool TakeIfIdle();

  // The server is stopping: an idle connection closes now, a busy one (including one whose next
  // request has begun to arrive) after its current response, sent with "Connection: close".
  // Thread-safe.
  void Shutdown();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  // What a response needs of the request it answers.
  struct ReplyTo {
    unsigned version = 11;
    bool keep_alive = false;
    bool head = false;  // HEAD: the body's length is sent, not the body
  };

  void WaitForRequest();
  void OnIdleRead(boost::beast::error_code ec, std::size_t bytes);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec, std::size_t bytes);
  void OnContinueWritten(boost::beast::error_code ec, std::size_t bytes);
  void ReadBody();
  void OnBody(boost::beast::error_code ec, std::size_t bytes);
  void OnReadError(boost::beast::error_code ec);
  void Handle();
  void Respond(rest::Response response, const ReplyTo& reply);
  void RespondError(int status, const char* message);
  void Write(bool close);
  void OnWrite(bool close, boost::beast::error_code ec, std::size_t bytes);
  void LingerAndClose();
  void Drain();
  void Close();
  void Log(int status, std::string_view method, std::string_view target);
  void SetIdle(bool idle);
  void CancelIfIdle();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  SessionConfig config_;
  std::optional<boost::asio::ip::address> peer_;  // the connection's peer; none when unknown
  std::string client_;  // the current request's client address (client_address.h), for the log

  // The request being read or answered.
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::string method_;  // for the log line
  std::string target_;
  std::chrono::system_clock::time_point start_;
  std::chrono::steady_clock::time_point start_steady_;

  bool idle_ = false;  // waiting for a request's first byte
  // IdleSince's steady_clock ticks while idle_, 0 otherwise; read by the server's acceptor.
  std::atomic<std::chrono::steady_clock::rep> idle_since_{0};
  std::atomic<bool> taken_{false};  // TakeIfIdle took it: close instead of waiting for a request
  bool shutting_down_ = false;      // Shutdown was called
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
};

}  // namespace observees::server
