#include "http_session.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/range/iterator_range.hpp>
#include <exception>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

#include "client_address.h"
#include "harness.h"
#include "text.h"
#include "work_pool.h"

namespace observees::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kReadChunk = 4096;
// After a response that closes the connection: how long and how much of the client's unread request
// is read and dropped, so that closing does not reset the connection before the client reads the
// response.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1024 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Canvas's error body: {"errors":[{"message":"..."}]}.
std::string ErrorBody(const char* message) {
  boost::json::value body = {{"errors", boost::json::array{boost::json::object{{"message", message}}}}};
  return boost::json::serialize(body);
}

bool IsParseError(beast::error_code ec) {
  return ec.category() == beast::error_code(http::error::bad_target).category();
}

// Hop-by-hop and framing headers belong to the server, not the router.
bool IsServerHeader(std::string_view name) {
  return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
         beast::iequals(name, "Connection") || beast::iequals(name, "Keep-Alive");
}

std::optional<asio::ip::address> PeerAddress(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  asio::ip::tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return std::nullopt;
  return Unmapped(endpoint.address());
}

// The X-Forwarded-For values of `header`, in order, joined by ','.
std::string ForwardedFor(const http::request_header<>& header) {
  std::string joined;
  for (const auto& field : boost::make_iterator_range(header.equal_range("X-Forwarded-For"))) {
    if (!joined.empty()) joined += ',';
    joined += field.value();
  }
  return joined;
}

// The origin-form of an absolute-form target ("http://host:port/path?query" → "/path?query", RFC
// 9112 3.2.2), with its authority for the Host header; other targets as they are.
std::string OriginForm(std::string_view target, std::string* authority) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && beast::iequals(target.substr(0, scheme.size()), scheme)) {
      const std::string_view rest = target.substr(scheme.size());
      const std::size_t path = rest.find_first_of("/?");
      *authority = std::string(rest.substr(0, path));
      if (path == std::string_view::npos) return "/";
      return (rest[path] == '?' ? "/" : "") + std::string(rest.substr(path));
    }
  }
  return std::string(target);
}

// RFC 9112 6.1 and 6.3 for a request with Transfer-Encoding: 0 when its codings are exactly
// "chunked" (the only one this server decodes); 400 when chunked is not the final coding, once (the
// body's length is then unknown); 501 for any other coding. The caller answers and closes the
// connection, so the body's bytes are never read as a next request.
int CheckTransferEncoding(const http::request_header<>& header) {
  int chunked = 0;
  bool other = false;
  bool chunked_last = false;
  for (const auto& field : boost::make_iterator_range(header.equal_range(http::field::transfer_encoding))) {
    std::string_view list = field.value();
    while (!list.empty()) {
      const std::size_t comma = list.find(',');
      std::string_view coding = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      coding = TrimAscii(coding, kHttpWhitespace);
      if (coding.empty()) continue;  // "a, , b": empty list elements are allowed (RFC 9110 5.6.1)
      chunked_last = beast::iequals(coding, "chunked");
      chunked += chunked_last ? 1 : 0;
      other = other || !chunked_last;
    }
  }
  if (chunked != 1 || !chunked_last) return 400;
  return other ? 501 : 0;
}

// The answer to `request`: the harness's when it owns the path, else the router's. Never throws.
rest::Response Answer(const SessionConfig& config, const rest::Request& request) {
  if (config.harness != nullptr) {
    if (std::optional<rest::Response> answer = config.harness->Handle(request)) return std::move(*answer);
  }
  return config.router->Handle(request);
}

// Where `request` is answered: null for the connection's own thread.
WorkPool* PoolFor(const SessionConfig& config, const rest::Request& request) {
  rest::Router::Work work = rest::Router::Work::kRead;
  if (config.harness != nullptr && std::string_view(request.target).starts_with(kHarnessPrefix)) {
    if (request.method != "GET") work = rest::Router::Work::kPasswordHash;  // a fixture hashes passwords
  } else {
    work = config.router->WorkOf(request);
  }
  switch (work) {
    case rest::Router::Work::kRead: return nullptr;
    case rest::Router::Work::kWrite: return config.write_pool;
    case rest::Router::Work::kPasswordHash: return config.hash_pool;
  }
  return nullptr;
}

// A full WorkPool's answer.
rest::Response ServerBusy() {
  return rest::Response{503,
                        {{"Content-Type", "application/json; charset=utf-8"}, {"Retry-After", "1"}},
                        ErrorBody("The server is busy; try again shortly.")};
}

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, const SessionConfig& config)
    : stream_(std::move(socket)), config_(config), peer_(PeerAddress(stream_.socket())) {
  SetIdle(true);  // a new connection waits for its first request until its thread starts reading
  idle_ = false;  // (nothing to cancel yet: TakeIfIdle's taken_ closes it at its first wait)
}

void HttpSession::Start() {
  asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::WaitForRequest, shared_from_this()));
}

void HttpSession::Shutdown() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->shutting_down_ = true;
    self->CancelIfIdle();
  });
}

std::optional<std::chrono::steady_clock::time_point> HttpSession::IdleSince() const {
  const auto ticks = idle_since_.load(std::memory_order_relaxed);
  if (ticks == 0) return std::nullopt;
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(ticks));
}

bool HttpSession::TakeIfIdle() {
  auto ticks = idle_since_.load(std::memory_order_relaxed);
  if (ticks == 0 || !idle_since_.compare_exchange_strong(ticks, 0)) return false;
  taken_.store(true, std::memory_order_relaxed);  // for a session whose first wait has not begun
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->CancelIfIdle(); });
  return true;
}

void HttpSession::CancelIfIdle() {
  // A request whose first bytes have arrived is in flight: it is read and answered.
  beast::error_code ec;
  if (idle_ && stream_.socket().available(ec) == 0) stream_.cancel();
}

void HttpSession::SetIdle(bool idle) {
  idle_ = idle;
  if (!idle) return idle_since_.store(0, std::memory_order_relaxed);
  // A stamp already there is a new connection's accept time, kept: connections accepted in turn stay
  // in that order however late their threads begin reading them.
  std::chrono::steady_clock::rep unset = 0;
  const auto now =
      std::max<std::chrono::steady_clock::rep>(1, std::chrono::steady_clock::now().time_since_epoch().count());
  idle_since_.compare_exchange_strong(unset, now, std::memory_order_relaxed);
}

// Waits for the first byte of the next request under the idle timeout (unless a pipelined request
// is already buffered), then reads it under the request timeout.
void HttpSession::WaitForRequest() {
  if (shutting_down_ || taken_.load(std::memory_order_relaxed)) return Close();
  if (buffer_.size() > 0) return ReadHeader();
  SetIdle(true);
  stream_.expires_after(config_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          beast::bind_front_handler(&HttpSession::OnIdleRead, shared_from_this()));
}

void HttpSession::OnIdleRead(beast::error_code ec, std::size_t bytes) {
  SetIdle(false);
  if (ec) return Close();  // the client left, stayed idle too long, or the server is stopping
  buffer_.commit(bytes);
  ReadHeader();
}

void HttpSession::ReadHeader() {
  start_ = std::chrono::system_clock::now();
  start_steady_ = std::chrono::steady_clock::now();
  method_.clear();
  target_.clear();
  client_ = peer_ ? peer_->to_string() : "-";
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
  parser_->body_limit(config_.max_body_bytes);
  stream_.expires_after(config_.request_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
}

void HttpSession::OnHeader(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  const Request& request = parser_->get();
  method_ = std::string(request.method_string());
  target_ = std::string(request.target());
  std::string authority;
  OriginForm(target_, &authority);
  if (authority.find('@') != std::string::npos) {  // "http://user:password@host/": never accepted
    return RespondError(400, "A request target must not hold a user name or password.");
  }
  if (request.count(http::field::transfer_encoding) > 0) {
    switch (CheckTransferEncoding(request)) {
      case 0: break;
      case 400: return RespondError(400, "Transfer-Encoding must end in chunked, applied once.");
      default: return RespondError(501, "Transfer-Encoding other than chunked is not supported.");
    }
  }
  if (!parser_->is_done() && beast::iequals(request[http::field::expect], "100-continue")) {
    return asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                             beast::bind_front_handler(&HttpSession::OnContinueWritten, shared_from_this()));
  }
  ReadBody();
}

void HttpSession::OnContinueWritten(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) return Close();
  ReadBody();
}

void HttpSession::ReadBody() {
  if (parser_->is_done()) return Handle();
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::OnBody, shared_from_this()));
}

void HttpSession::OnBody(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  Handle();
}

void HttpSession::OnReadError(beast::error_code ec) {
  if (method_.empty() && parser_) {  // the request line, if it was parsed, for the log
    method_ = std::string(parser_->get().method_string());
    target_ = std::string(parser_->get().target());
  }
  if (ec == http::error::body_limit) return RespondError(413, "Request body too large.");
  if (ec == http::error::header_limit) return RespondError(431, "Request header fields too large.");
  if (ec == beast::error::timeout) {
    Log(408, method_, target_);  // logged, not sent: the client is not reading in time either
    return Close();
  }
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || !IsParseError(ec)) {
    return Close();  // the client left mid-request, or the connection failed
  }
  RespondError(400, "Bad request.");
}

void HttpSession::Handle() {
  Request request = parser_->release();
  parser_.reset();
  rest::Request rest_request;
  rest_request.method = method_;
  std::string authority;
  rest_request.target = OriginForm(target_, &authority);
  rest_request.headers.reserve(static_cast<std::size_t>(std::distance(request.begin(), request.end())) + 1);
  for (const auto& field : request) {
    if (!authority.empty() && field.name() == http::field::host) continue;  // the target's authority wins
    rest_request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  if (!authority.empty()) rest_request.headers.push_back({"Host", authority});
  rest_request.body = std::move(request.body());
  rest_request.scheme = "http";
  if (peer_) {
    const asio::ip::address client = config_.trusted_proxies == nullptr
                                         ? *peer_
                                         : ClientAddress(*peer_, ForwardedFor(request), *config_.trusted_proxies);
    client_ = client.to_string();
    rest_request.peer = ClientKey(client);
  } else {
    rest_request.peer = "-";
  }
  const ReplyTo reply{request.version(), request.keep_alive(), request.method() == http::verb::head};
  WorkPool* pool = PoolFor(config_, rest_request);
  if (pool == nullptr) return Respond(Answer(config_, rest_request), reply);
  // The work guard keeps the io_context running while the pool has the request; the answer comes
  // back to the connection's thread. The job touches only what is thread-safe (the config's router and harness).
  auto job = [self = shared_from_this(), work = asio::make_work_guard(stream_.get_executor()),
              rest_request = std::move(rest_request), reply] {
    asio::post(work.get_executor(), [self, response = Answer(self->config_, rest_request), reply]() mutable {
      self->Respond(std::move(response), reply);
    });
  };
  if (!pool->TryPost(std::move(job))) Respond(ServerBusy(), reply);
}

void HttpSession::Respond(rest::Response response, const ReplyTo& reply) {
  const bool close = shutting_down_ || !reply.keep_alive;
  try {
    response_ = {};
    response_.version(reply.version);
    response_.result(static_cast<unsigned>(response.status));
    for (const rest::Header& header : response.headers) {
      if (!IsServerHeader(header.name)) response_.insert(header.name, header.value);
    }
    response_.body() = std::move(response.body);
  } catch (const std::exception&) {  // a status or header Beast refuses: the router's bug, not the client's
    response_ = {};
    response_.version(reply.version);
    response_.result(http::status::internal_server_error);
    response_.set(http::field::content_type, "application/json; charset=utf-8");
    response_.body() = ErrorBody("An error occurred.");
  }
  response_.keep_alive(!close);
  if (reply.head) {
    response_.content_length(response_.body().size());
    response_.body().clear();
  } else {
    response_.prepare_payload();
  }
  Write(close);
}

void HttpSession::RespondError(int status, const char* message) {
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(status));
  response_.set(http::field::content_type, "application/json; charset=utf-8");
  response_.body() = ErrorBody(message);
  response_.keep_alive(false);
  response_.prepare_payload();
  parser_.reset();
  Write(/*close=*/true);
}

void HttpSession::Write(bool close) {
  stream_.expires_after(config_.request_timeout);
  http::async_write(stream_, response_, beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this(), close));
}

void HttpSession::OnWrite(bool close, beast::error_code ec, std::size_t /*bytes*/) {
  Log(response_.result_int(), method_, target_);
  response_ = {};
  if (ec) return Close();
  if (close) return LingerAndClose();
  WaitForRequest();
}

void HttpSession::LingerAndClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  drained_ = 0;
  Drain();
}

void HttpSession::Drain() {
  stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
    self->drained_ += bytes;
    if (ec || self->drained_ > kLingerBytes) return self->Close();
    self->Drain();
  });
}

void HttpSession::Close() {
  SetIdle(false);
  stream_.close();
}

void HttpSession::Log(int status, std::string_view method, std::string_view target) {
  if (config_.log == nullptr) return;
  config_.log->Write({.start = start_,
                      .peer = client_,
                      .method = method.empty() ? "-" : method,
                      .target = target.empty() ? "-" : target,
                      .status = status,
                      .elapsed = std::chrono::steady_clock::now() - start_steady_});
}

}  // namespace observees::server
