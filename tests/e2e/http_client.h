// A small HTTP/1.1 client for the end-to-end tests: one connection, synchronous calls, every one
// bounded by a timeout. Beast's synchronous operations cannot time out, so each call runs Beast's
// asynchronous operation on the client's own io_context until it completes or the stream's deadline
// passes. Calls throw std::runtime_error on a failure or a timeout. Not thread-safe: one client per
// thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace observees::e2e {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  bool keep_alive = false;

  // The first header with this name (case-insensitive), if any.
  std::optional<std::string> Header(std::string_view name) const;
};

class HttpClient {
 public:
  // Connects to host:port; `timeout` bounds each later call.
  HttpClient(const std::string& host, unsigned short port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request (Host set to host:port, Content-Length from `body`) and reads its response.
  HttpResponse Send(const std::string& method, const std::string& target, const HeaderList& headers = {},
                    const std::string& body = {});

  // Writes bytes as they are, for malformed requests.
  void WriteRaw(std::string_view bytes);

  // Reads one response; none when the server closes the connection before one arrives.
  std::optional<HttpResponse> ReadResponse();

  // Whether the server closes the connection (reads to end of stream, dropping what arrives) within
  // `within`; false when it is still open then.
  bool ServerCloses(std::chrono::milliseconds within);

 private:
  // Runs the io_context until `done` (set by the operation's handler); throws when it does not.
  void RunUntil(const bool& done, const char* what);

  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::string host_;  // "host:port", the Host header
  std::chrono::milliseconds timeout_;
};

}  // namespace observees::e2e
