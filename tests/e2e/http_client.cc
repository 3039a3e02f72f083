#include "http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <stdexcept>

namespace observees::e2e {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Slack beyond the stream's own deadline before a call is declared stuck.
constexpr auto kSlack = std::chrono::seconds(5);

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return std::nullopt;
}

HttpClient::HttpClient(const std::string& host, unsigned short port, std::chrono::milliseconds timeout)
    : stream_(io_), host_(host + ":" + std::to_string(port)), timeout_(timeout) {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host), port);
  bool done = false;
  beast::error_code result;
  stream_.expires_after(timeout_);
  stream_.async_connect(endpoint, [&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  RunUntil(done, "connect");
  if (result) throw std::runtime_error("connect to " + host_ + ": " + result.message());
}

void HttpClient::RunUntil(const bool& done, const char* what) {
  io_.restart();
  io_.run_for(timeout_ + kSlack);
  if (!done) throw std::runtime_error(std::string(what) + ": no completion within the timeout");
}

HttpResponse HttpClient::Send(const std::string& method, const std::string& target, const HeaderList& headers,
                              const std::string& body) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, host_);
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") request.prepare_payload();

  bool done = false;
  beast::error_code result;
  stream_.expires_after(timeout_);
  http::async_write(stream_, request, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  RunUntil(done, "write request");
  if (result) throw std::runtime_error("write request: " + result.message());
  auto response = ReadResponse();
  if (!response) throw std::runtime_error("the server closed the connection without a response");
  return *response;
}

void HttpClient::WriteRaw(std::string_view bytes) {
  bool done = false;
  beast::error_code result;
  stream_.expires_after(timeout_);
  asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  RunUntil(done, "write");
  if (result) throw std::runtime_error("write: " + result.message());
}

std::optional<HttpResponse> HttpClient::ReadResponse() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  bool done = false;
  beast::error_code result;
  stream_.expires_after(timeout_);
  http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  RunUntil(done, "read response");
  if (result == http::error::end_of_stream || result == asio::error::connection_reset) return std::nullopt;
  if (result) throw std::runtime_error("read response: " + result.message());
  http::response<http::string_body> message = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) response.headers.emplace_back(field.name_string(), field.value());
  response.body = std::move(message.body());
  response.keep_alive = message.keep_alive();
  return response;
}

bool HttpClient::ServerCloses(std::chrono::milliseconds within) {
  buffer_.clear();
  const auto deadline = std::chrono::steady_clock::now() + within;
  char scratch[4096];
  for (;;) {
    bool done = false;
    beast::error_code result;
    stream_.expires_at(deadline);
    stream_.async_read_some(asio::buffer(scratch), [&](beast::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    io_.restart();
    io_.run_for(within + kSlack);
    if (!done) throw std::runtime_error("read: no completion within the timeout");
    if (result == beast::error::timeout) return false;
    if (result) return true;  // end of stream, or reset: closed either way
  }
}

}  // namespace observees::e2e
