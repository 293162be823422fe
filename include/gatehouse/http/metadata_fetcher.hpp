// Fetching IdP metadata over HTTPS, safely: certificate verification, a timeout, a size cap,
// a limited number of redirects, and no requests to loopback, private or link-local
// addresses unless explicitly allowed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/service/metadata_source.hpp"
#include "gatehouse/service/outbound_http.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::http {

struct MetadataFetchOptions {
    // Allows loopback, private (RFC 1918, fc00::/7), link-local and other non-public
    // addresses. Off by default: an admin-supplied URL must not reach the internal network.
    bool allow_private_addresses = false;
    // Extra CA certificates (PEM file) trusted beside the system's; empty = system only.
    std::string ca_file;
    // The whole fetch must finish within this many seconds: one deadline for every hop's
    // connect, TLS handshake, headers and body, redirects included.
    int timeout_seconds = 10;
    std::size_t max_bytes = 2 * 1024 * 1024;
    int max_redirects = 3;
};

// What kind of network an IP address belongs to, as far as fetching from it is concerned.
// Everything but `global` is refused unless private addresses are allowed.
enum class AddressScope {
    global,       // public unicast: the only scope fetched from by default
    unspecified,  // 0.0.0.0/8, ::
    loopback,     // 127/8, ::1
    private_use,  // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, 64:ff9b:1::/48
    shared,       // 100.64/10 (carrier-grade NAT)
    link_local,   // 169.254/16, fe80::/10
    multicast,    // 224/4, ff00::/8
    reserved,     // documentation, benchmarking, 240/4, broadcast, IETF blocks, non-2000::/3
};

// Classifies a numeric IPv4 or IPv6 address ("10.0.0.1", "fe80::1", "::ffff:127.0.0.1").
// An IPv6 address that delivers to an IPv4 address (IPv4-mapped ::ffff:0:0/96, NAT64
// 64:ff9b::/96, 6to4 2002::/16) takes the scope of the IPv4 address it carries, since that
// is where packets to it end up; IPv6 outside 2000::/3 (IPv4-compatible ::/96 included)
// is reserved. Returns nullopt for text that is not a numeric address (host names
// included). Thread-safe.
std::optional<AddressScope> classify_address(std::string_view numeric_address);

// A few words for an admin: "loopback", "private network", "link-local", …
std::string_view describe(AddressScope scope);

// Fetches metadata documents with the guarantees of MetadataFetchOptions:
// - only https:// URLs without user info; every redirect hop is checked the same way;
// - the host is resolved once per hop, every resolved address must be global (unless
//   allowed), and the connection goes to the checked address, so a second DNS answer
//   cannot point the request elsewhere (DNS rebinding);
// - the server certificate must chain to a system CA or one in `ca_file`, and name the host;
// - one deadline (`timeout_seconds`) covers the connects, TLS handshakes, headers and bodies
//   of every hop: a server that sends a byte at a time is cut off when it passes. Name
//   resolution counts against it, but only the system resolver's own timeouts bound it;
// - the body is cut off as soon as it exceeds `max_bytes`;
// - redirects (301, 302, 303, 307, 308) are followed at most `max_redirects` times.
// Error codes of fetch():
//   "saml.metadata_url.invalid"          not a URL, or it carries user info
//   "saml.metadata_url.scheme"           not https (also for a redirect target)
//   "saml.metadata_url.private_address"  a resolved address is not global (names it)
//   "saml.metadata_url.unreachable"      no DNS answer, no connection, or the timeout passed
//   "saml.metadata_url.tls"              handshake or certificate verification failed
//   "saml.metadata_url.ca_file"          `ca_file` could not be read as PEM certificates
//   "saml.metadata_url.status"           an answer other than 200 or a followed redirect
//   "saml.metadata_url.redirects"        more than `max_redirects` redirects
//   "saml.metadata_url.too_large"        the body is larger than `max_bytes`
// Thread-safe: fetch() keeps no state between calls.
class HttpsMetadataSource final : public service::MetadataSource {
  public:
    explicit HttpsMetadataSource(MetadataFetchOptions options);

    Result<std::string> fetch(const std::string& url) override;

    const MetadataFetchOptions& options() const { return options_; }

  private:
    MetadataFetchOptions options_;
};

using service::OutboundAnswer;
using service::OutboundRequest;

// Any request to an identity provider, with the guarantees of HttpsMetadataSource (https
// only, every resolved address checked, the CA options, one deadline, the size cap). GET
// follows redirects as fetch() does; other methods take the first answer, and a redirect is
// an error. Every status is an answer: the caller reads a 400's body. Error codes are those
// of HttpsMetadataSource::fetch under `code_prefix` instead of "saml.metadata_url" (for
// example "oidc.fetch.private_address"), and "<prefix>.status" for a redirect not followed.
// Thread-safe.
class HttpsClient final : public service::OutboundHttp {
  public:
    HttpsClient(MetadataFetchOptions options, std::string code_prefix);

    Result<OutboundAnswer> send(const OutboundRequest& request) override;

  private:
    MetadataFetchOptions options_;
    std::string prefix_;
};

}  // namespace gatehouse::http
