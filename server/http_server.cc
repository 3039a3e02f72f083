#include "http_server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace observees::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// After a failed accept, how long to wait before the next: shortly when an idle connection was
// closed to free a file descriptor, longer otherwise.
constexpr auto kAcceptRetryFreed = std::chrono::milliseconds(5);
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

// Sent to a connection over the cap when no other can be closed for it.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 48\r\n\r\n{\"errors\":[{\"message\":\"Too many connections.\"}]}";

bool IsOutOfDescriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system;
}

std::string Describe(const tcp::endpoint& endpoint) {
  const std::string host = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + host + "]:" + port : host + ":" + port;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const std::vector<asio::io_context*>& ios,
                                                       const tcp::endpoint& endpoint, const SessionConfig& config,
                                                       std::size_t max_connections) {
  if (ios.empty() || std::find(ios.begin(), ios.end(), nullptr) != ios.end()) {
    return InvalidArgument("the server needs at least one io_context");
  }
  tcp::acceptor acceptor(*ios.front());
  boost::system::error_code ec;
  const auto failed = [&](const char* step) {
    return Internal(std::string("cannot ") + step + " " + Describe(endpoint) + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return failed("open a socket for");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return failed("configure");
  acceptor.bind(endpoint, ec);
  if (ec) return failed("bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen on");
  return std::unique_ptr<HttpServer>(new HttpServer(ios, std::move(acceptor), config, max_connections));
}

HttpServer::HttpServer(std::vector<asio::io_context*> ios, tcp::acceptor acceptor, const SessionConfig& config,
                       std::size_t max_connections)
    : ios_(std::move(ios)),
      acceptor_(std::move(acceptor)),
      retry_(*ios_.front()),
      config_(config),
      max_connections_(std::max<std::size_t>(1, max_connections)) {}

tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpServer::Start() {
  asio::post(acceptor_.get_executor(), [this] { Accept(); });
}

void HttpServer::Stop() {
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    sessions_.clear();
  }
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
  });
  for (const auto& session : live) session->Shutdown();
}

void HttpServer::Accept() {
  // The connection belongs to the next io_context in turn, for its whole life.
  asio::io_context& io = *ios_[next_io_];
  next_io_ = (next_io_ + 1) % ios_.size();
  acceptor_.async_accept(io,
                         [this](boost::system::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void HttpServer::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;  // stopped
  if (ec) {
    if (!accept_failing_) std::fprintf(stderr, "observees-server: accept failed: %s\n", ec.message().c_str());
    accept_failing_ = true;
    bool freed = false;
    if (IsOutOfDescriptors(ec)) {
      std::lock_guard lock(mu_);
      freed = CloseOldestIdle();
    }
    retry_.expires_after(freed ? kAcceptRetryFreed : kAcceptRetry);
    retry_.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  accept_failing_ = false;
  std::shared_ptr<HttpSession> session;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;  // `socket` closes as it goes out of scope
    if (sessions_.size() >= prune_at_ || sessions_.size() >= max_connections_) {
      std::erase_if(sessions_, [](const std::weak_ptr<HttpSession>& weak) { return weak.expired(); });
      prune_at_ = std::max<std::size_t>(64, 2 * sessions_.size());
    }
    if (sessions_.size() >= max_connections_ && !CloseOldestIdle()) {
      boost::system::error_code ignored;  // every connection is busy: this one is refused
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kTooManyConnections.data(), kTooManyConnections.size()), ignored);
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      return Accept();
    }
    session = std::make_shared<HttpSession>(std::move(socket), config_);
    sessions_.push_back(session);
  }
  session->Start();
  Accept();
}

bool HttpServer::CloseOldestIdle() {
  for (;;) {
    std::shared_ptr<HttpSession> oldest;
    std::chrono::steady_clock::time_point oldest_since;
    for (const auto& weak : sessions_) {
      auto session = weak.lock();
      const auto since = session ? session->IdleSince() : std::nullopt;
      if (since && (!oldest || *since < oldest_since)) {
        oldest = std::move(session);
        oldest_since = *since;
      }
    }
    if (!oldest) return false;
    if (oldest->TakeIfIdle()) return true;  // else it just became busy: look again
  }
}

}  // namespace observees::server
