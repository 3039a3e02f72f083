// Who a request comes from, for the attempt limiter's key and the access log: the peer's address,
// or, when the peer is a trusted reverse proxy (--trusted-proxy), the right-most address of
// X-Forwarded-For that is not itself a trusted proxy. Pure functions; IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d) count as IPv4 throughout.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace observees::server {

// `address` with an IPv4-mapped IPv6 address as the IPv4 one.
boost::asio::ip::address Unmapped(const boost::asio::ip::address& address);

// The client's address. `forwarded_for` holds the X-Forwarded-For values in order, joined by ','
// (empty when there is none); it counts only when `peer` is in `trusted`. Then the entries are read
// right to left, skipping trusted ones: the first other is the client; when all are trusted, the
// left-most is; when the one found is not an address (a misconfigured proxy), the peer is. Entries
// may carry a port ("192.0.2.1:5000", "[2001:db8::1]:5000").
boost::asio::ip::address ClientAddress(const boost::asio::ip::address& peer, std::string_view forwarded_for,
                                       const std::vector<boost::asio::ip::address>& trusted);

// The limiter's key for a client: an IPv4 address as it is; an IPv6 one as its /64 prefix
// ("2001:db8:1:2::/64"), since one subscriber commonly holds a whole /64.
std::string ClientKey(const boost::asio::ip::address& client);

}  // namespace observees::server
