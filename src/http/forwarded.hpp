// Which forwarded headers to believe: the client address and scheme of a request that reached
// the gateway through reverse proxies it trusts (--trusted-proxy). Private to the http layer;
// every function here is pure and safe to call from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::http {

// An IPv4 or IPv6 network: "10.0.0.0/8", "127.0.0.1" (a /32), "::1" (a /128), "fd00::/8".
// IPv4-mapped IPv6 forms ("::ffff:10.0.0.0/104") are stored as the IPv4 network they name,
// because addresses are compared in their IPv4 form too.
struct AddressRange {
    bool ipv6 = false;
    // The network in network byte order, host bits zero; an IPv4 range uses the first 4 bytes.
    std::array<std::uint8_t, 16> network{};
    int prefix_length = 0;

    bool operator==(const AddressRange&) const = default;
};

// Parses the --trusted-proxy values: each an address or ADDRESS/PREFIX, surrounding spaces
// ignored. Addresses are read by inet_pton, so brackets, ports, zone IDs ("%eth0") and
// shortened IPv4 forms ("10.1") are refused. A prefix whose host bits are not zero
// ("10.0.0.1/8") is refused too rather than silently widened or narrowed: it is almost always
// a typo for a single host or for another network. On failure: code "config.trusted_proxy"
// and a sentence naming the first bad value.
Result<std::vector<AddressRange>> parse_trusted_proxies(const std::vector<std::string>& texts);

// "10.0.0.0/8", "fd00::/8": the canonical text of a range, for logs.
std::string to_string(const AddressRange& range);

// Whether `address` (a bare IP address, no brackets or port) lies in one of `ranges`. An
// IPv4-mapped IPv6 address ("::ffff:1.2.3.4") is matched as the IPv4 address it carries.
// False for text that is not an address.
bool contains(const std::vector<AddressRange>& ranges, std::string_view address);

// The client address of a request whose TCP peer is `peer` (the textual IP the socket
// reports) and whose X-Forwarded-For header values are `forwarded_for` (every occurrence, in
// order; empty when absent). Several occurrences read as one comma-separated list.
//
// When the peer is not in `trusted`, the header is ignored: anyone can send it. Otherwise the
// list is walked from the right (the entry the nearest proxy appended) leftwards, skipping
// entries that are themselves trusted proxies, and the first untrusted entry is the client:
// entries further left were written by that client and prove nothing. An entry that is not a
// bare IP address ("unknown", "1.2.3.4:5678", "[::1]", an empty item) ends the walk and the
// last trusted hop seen is returned, never the garbage. When every entry is trusted, the
// leftmost.
//
// Addresses come back in canonical form (inet_ntop; IPv4-mapped as IPv4), so that one client
// is one throttle key however a proxy spelled it. A peer that is not an address at all is
// returned unchanged.
std::string forwarded_client_address(std::string_view peer,
                                     const std::vector<std::string>& forwarded_for,
                                     const std::vector<AddressRange>& trusted);

// "https" or "http" from X-Forwarded-Proto when `peer` is trusted and the header occurs once
// holding exactly one of those words (any case, surrounding spaces ignored); else nullopt,
// and the caller keeps the scheme it knows. A list ("https, http") is not believed: which
// hop wrote which part cannot be told.
std::optional<std::string> forwarded_scheme(std::string_view peer,
                                            const std::vector<std::string>& forwarded_proto,
                                            const std::vector<AddressRange>& trusted);

}  // namespace gatehouse::http
