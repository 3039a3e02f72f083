#include "client_address.h"

#include <algorithm>
#include <optional>

#include "text.h"

namespace observees::server {
namespace {

namespace ip = boost::asio::ip;

// One X-Forwarded-For entry: an address, possibly with a port; none when it is not one.
std::optional<ip::address> ParseEntry(std::string_view entry) {
  if (entry.starts_with('[')) {  // [IPv6] or [IPv6]:port
    const std::size_t close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    entry = entry.substr(1, close - 1);
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {  // IPv4:port
    entry = entry.substr(0, entry.find(':'));
  }
  boost::system::error_code ec;
  const ip::address address = ip::make_address(std::string(entry), ec);
  if (ec) return std::nullopt;
  return Unmapped(address);
}

bool IsTrusted(const ip::address& address, const std::vector<ip::address>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(),
                     [&](const ip::address& proxy) { return Unmapped(proxy) == address; });
}

}  // namespace

ip::address Unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

ip::address ClientAddress(const ip::address& peer, std::string_view forwarded_for,
                          const std::vector<ip::address>& trusted) {
  const ip::address direct = Unmapped(peer);
  if (!IsTrusted(direct, trusted)) return direct;
  ip::address client = direct;
  while (!forwarded_for.empty()) {
    const std::size_t comma = forwarded_for.rfind(',');
    const std::string_view entry =
        TrimAscii(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1), kHttpWhitespace);
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    if (entry.empty()) continue;
    const std::optional<ip::address> address = ParseEntry(entry);
    if (!address) return direct;
    client = *address;
    if (!IsTrusted(client, trusted)) return client;
  }
  return client;
}

std::string ClientKey(const ip::address& client) {
  const ip::address address = Unmapped(client);
  if (address.is_v4()) return address.to_string();
  ip::address_v6::bytes_type bytes = address.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace observees::server
