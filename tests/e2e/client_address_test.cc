// Unit tests of observees-server's client address and limiter key (server/client_address.h).
#include "client_address.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace observees::server {
namespace {

namespace ip = boost::asio::ip;

ip::address A(const char* text) { return ip::make_address(text); }

TEST_CASE("the limiter key: IPv4 as it is, IPv6 as its /64, IPv4-mapped IPv6 as IPv4", "[client_address]") {
  CHECK(ClientKey(A("198.51.100.7")) == "198.51.100.7");
  CHECK(ClientKey(A("2001:db8:1:2:aaaa:bbbb:cccc:dddd")) == "2001:db8:1:2::/64");
  CHECK(ClientKey(A("2001:db8:1:2::1")) == ClientKey(A("2001:db8:1:2:ffff::9")));
  CHECK(ClientKey(A("2001:db8:1:3::1")) != ClientKey(A("2001:db8:1:2::1")));
  CHECK(ClientKey(A("::ffff:198.51.100.7")) == "198.51.100.7");
  CHECK(ClientKey(A("::1")) == "::/64");
}

TEST_CASE("X-Forwarded-For counts only from a trusted proxy, right-most untrusted entry first", "[client_address]") {
  const std::vector<ip::address> trusted = {A("10.0.0.1"), A("10.0.0.2"), A("::1")};
  SECTION("an untrusted peer: the header is ignored") {
    CHECK(ClientAddress(A("203.0.113.9"), "198.51.100.7", trusted) == A("203.0.113.9"));
    CHECK(ClientAddress(A("203.0.113.9"), "198.51.100.7", {}) == A("203.0.113.9"));
  }
  SECTION("a trusted peer: the right-most entry that is not a trusted proxy") {
    CHECK(ClientAddress(A("10.0.0.1"), "198.51.100.7", trusted) == A("198.51.100.7"));
    CHECK(ClientAddress(A("10.0.0.1"), "6.6.6.6, 198.51.100.7", trusted) == A("198.51.100.7"));  // forged left part
    CHECK(ClientAddress(A("10.0.0.1"), "6.6.6.6, 198.51.100.7, 10.0.0.2", trusted) == A("198.51.100.7"));
    CHECK(ClientAddress(A("::ffff:10.0.0.1"), "198.51.100.7", trusted) == A("198.51.100.7"));
    CHECK(ClientAddress(A("::1"), "2001:db8::5,", trusted) == A("2001:db8::5"));
  }
  SECTION("ports, brackets and mapped addresses in entries") {
    CHECK(ClientAddress(A("10.0.0.1"), "198.51.100.7:5000", trusted) == A("198.51.100.7"));
    CHECK(ClientAddress(A("10.0.0.1"), "[2001:db8::5]:5000", trusted) == A("2001:db8::5"));
    CHECK(ClientAddress(A("10.0.0.1"), "::ffff:198.51.100.7", trusted) == A("198.51.100.7"));
  }
  SECTION("no header, only proxies, or garbage") {
    CHECK(ClientAddress(A("10.0.0.1"), "", trusted) == A("10.0.0.1"));
    CHECK(ClientAddress(A("10.0.0.1"), "10.0.0.2", trusted) == A("10.0.0.2"));
    CHECK(ClientAddress(A("10.0.0.1"), "198.51.100.7, unknown", trusted) == A("10.0.0.1"));
  }
}

}  // namespace
}  // namespace observees::server
