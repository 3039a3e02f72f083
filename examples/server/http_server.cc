#include "http_server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

namespace observees::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// After a failed accept (e.g. out of file descriptors), how long to wait before the next.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

std::string Describe(const tcp::endpoint& endpoint) {
  const std::string host = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + host + "]:" + port : host + ":" + port;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Create(asio::io_context& io, const tcp::endpoint& endpoint,
                                                       const SessionConfig& config) {
  auto strand = asio::make_strand(io);
  tcp::acceptor acceptor(strand);
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
  return std::unique_ptr<HttpServer>(new HttpServer(io, strand, std::move(acceptor), config));
}

HttpServer::HttpServer(asio::io_context& io, Strand strand, tcp::acceptor acceptor, const SessionConfig& config)
    : io_(io), strand_(std::move(strand)), acceptor_(std::move(acceptor)), retry_(strand_), config_(config) {}

tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpServer::Start() {
  asio::post(strand_, [this] { Accept(); });
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
  asio::post(strand_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
  });
  for (const auto& session : live) session->Shutdown();
}

void HttpServer::Accept() {
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](boost::system::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void HttpServer::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;  // stopped
  if (ec) {
    std::fprintf(stderr, "observees-server: accept failed: %s\n", ec.message().c_str());
    retry_.expires_after(kAcceptRetry);
    retry_.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  std::shared_ptr<HttpSession> session;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;  // `socket` closes as it goes out of scope
    session = std::make_shared<HttpSession>(std::move(socket), config_);
    if (sessions_.size() >= prune_at_) {
      std::erase_if(sessions_, [](const std::weak_ptr<HttpSession>& weak) { return weak.expired(); });
      prune_at_ = std::max<std::size_t>(64, 2 * sessions_.size());
    }
    sessions_.push_back(session);
  }
  session->Start();
  Accept();
}

}  // namespace observees::server
