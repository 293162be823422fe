#include "gatehouse/http/metadata_fetcher.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
// cpp-httplib stays as the outbound client: one blocking HTTPS request per metadata fetch or
// identity provider call, run on a worker or the refresher thread, which its TLS verification
// and redirect handling serve well;
// the event-driven front (front.cpp) is only for what clients send us.
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace gatehouse::http {
namespace {

// Reason codes without their prefix: each public entry point names its errors after its
// purpose ("saml.metadata_url.tls", "oidc.fetch.tls"), see with_prefix.
constexpr const char* kInvalid = "invalid";
constexpr const char* kScheme = "scheme";
constexpr const char* kPrivateAddress = "private_address";
constexpr const char* kUnreachable = "unreachable";
constexpr const char* kTls = "tls";
constexpr const char* kCaFile = "ca_file";
constexpr const char* kStatus = "status";
constexpr const char* kRedirects = "redirects";
constexpr const char* kTooLarge = "too_large";

Error with_prefix(Error error, std::string_view prefix) {
    error.code = std::string(prefix) + "." + error.code;
    return error;
}

// ---- Address scopes ------------------------------------------------------------------

struct Ipv4Block {
    std::uint32_t network;
    int prefix_bits;
    AddressScope scope;
};

// IANA IPv4 special-purpose registry, as far as it matters for outgoing requests.
constexpr std::array<Ipv4Block, 15> kIpv4Blocks{{
    {0x00000000, 8, AddressScope::unspecified},   // 0.0.0.0/8 "this network"
    {0x0a000000, 8, AddressScope::private_use},   // 10.0.0.0/8
    {0x64400000, 10, AddressScope::shared},       // 100.64.0.0/10
    {0x7f000000, 8, AddressScope::loopback},      // 127.0.0.0/8
    {0xa9fe0000, 16, AddressScope::link_local},   // 169.254.0.0/16
    {0xac100000, 12, AddressScope::private_use},  // 172.16.0.0/12
    {0xc0000000, 24, AddressScope::reserved},     // 192.0.0.0/24 IETF protocol assignments
    {0xc0000200, 24, AddressScope::reserved},     // 192.0.2.0/24 TEST-NET-1
    {0xc0586300, 24, AddressScope::reserved},     // 192.88.99.0/24 6to4 relay anycast
    {0xc0a80000, 16, AddressScope::private_use},  // 192.168.0.0/16
    {0xc6120000, 15, AddressScope::reserved},     // 198.18.0.0/15 benchmarking
    {0xc6336400, 24, AddressScope::reserved},     // 198.51.100.0/24 TEST-NET-2
    {0xcb007100, 24, AddressScope::reserved},     // 203.0.113.0/24 TEST-NET-3
    {0xe0000000, 4, AddressScope::multicast},     // 224.0.0.0/4
    {0xf0000000, 4, AddressScope::reserved},      // 240.0.0.0/4, broadcast included
}};

AddressScope classify_ipv4(const unsigned char* bytes) {
    const std::uint32_t address = (std::uint32_t{bytes[0]} << 24) |
                                  (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
                                  std::uint32_t{bytes[3]};
    for (const auto& block : kIpv4Blocks) {
        const int shift = 32 - block.prefix_bits;
        if ((address >> shift) == (block.network >> shift)) return block.scope;
    }
    return AddressScope::global;
}

bool all_zero(const unsigned char* bytes, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (bytes[i] != 0) return false;
    }
    return true;
}

AddressScope classify_ipv6(const unsigned char* b) {
    if (all_zero(b, 16)) return AddressScope::unspecified;
    if (all_zero(b, 15) && b[15] == 1) return AddressScope::loopback;
    // Forms that deliver to an IPv4 address take that address's scope: ::ffff:a.b.c.d
    // (mapped), 64:ff9b::a.b.c.d (NAT64 well-known prefix) and 2002:aabb:ccdd::/48 (6to4).
    if (all_zero(b, 10) && b[10] == 0xff && b[11] == 0xff) return classify_ipv4(b + 12);
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && all_zero(b + 4, 8)) {
        return classify_ipv4(b + 12);
    }
    if (b[0] == 0x20 && b[1] == 0x02) return classify_ipv4(b + 2);
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 &&
        b[5] == 0x01) {
        return AddressScope::private_use;  // 64:ff9b:1::/48, local-use NAT64
    }
    if ((b[0] & 0xfe) == 0xfc) return AddressScope::private_use;                  // fc00::/7
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressScope::link_local;   // fe80::/10
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressScope::private_use;  // fec0::/10
    if (b[0] == 0xff) return AddressScope::multicast;
    // Only 2000::/3 is allocated for global unicast; everything else (IPv4-compatible
    // ::/96, discard-only 100::/64, …) is not somewhere a metadata document lives.
    if ((b[0] & 0xe0) != 0x20) return AddressScope::reserved;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
        return AddressScope::reserved;  // 2001:db8::/32 documentation
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) {
        return AddressScope::reserved;  // 2001::/23 IETF protocol assignments (Teredo, …)
    }
    if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0x00) {
        return AddressScope::reserved;  // 3fff::/20 documentation
    }
    return AddressScope::global;
}

// ---- URLs ------------------------------------------------------------------------------

// An https URL taken apart as the client needs it.
struct HttpsUrl {
    std::string host;  // lowercase name or numeric address, IPv6 without brackets
    int port = 443;
    std::string target = "/";  // path and query, never a fragment

    // Appended piece by piece: GCC 12 at -O3 takes `"literal" + std::string` for an
    // overlapping memcpy and warns (-Wrestrict, a false positive).
    std::string text() const {
        const bool ipv6 = host.find(':') != std::string::npos;
        std::string url = "https://";
        if (ipv6) url += '[';
        url += host;
        if (ipv6) url += ']';
        if (port != 443) {
            url += ':';
            url += std::to_string(port);
        }
        url += target;
        return url;
    }
};

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
}

// Control characters, spaces, non-ASCII bytes and backslashes are refused rather than
// escaped: different URL parsers disagree about them, and the admin can encode them.
bool has_forbidden_character(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f || c == '\\') return true;
    }
    return false;
}

std::string without_fragment(std::string_view target) {
    return std::string(target.substr(0, target.find('#')));
}

Result<HttpsUrl> parse_https_url(std::string_view url) {
    if (!starts_with_ignoring_case(url, "https://")) {
        return fail(kScheme, "The URL must start with https:// (got '" +
                                 std::string(url.substr(0, 64)) + "').");
    }
    if (has_forbidden_character(url)) {
        return fail(kInvalid, "The URL contains spaces, control or non-ASCII characters.");
    }
    const std::string_view rest = url.substr(8);
    const std::size_t authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    if (authority.find('@') != std::string_view::npos) {
        return fail(kInvalid, "The URL must not carry a user name or password.");
    }
    HttpsUrl parsed;
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return fail(kInvalid, "The URL has an unterminated IPv6 address.");
        }
        parsed.host = std::string(authority.substr(1, close - 1));
        in6_addr ignored{};
        if (inet_pton(AF_INET6, parsed.host.c_str(), &ignored) != 1) {
            return fail(kInvalid, "'" + parsed.host + "' is not an IPv6 address.");
        }
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') {
            return fail(kInvalid, "The URL has text after its IPv6 address.");
        }
        if (!after.empty()) port_text = after.substr(1);
        if (!after.empty() && port_text.empty()) {
            return fail(kInvalid, "The URL has an empty port.");
        }
    } else {
        const std::size_t colon = authority.find(':');
        parsed.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return fail(kInvalid, "The URL has an empty port.");
        }
        for (char& c : parsed.host) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
                return fail(kInvalid,
                            "The URL's host may hold only letters, digits, "
                            "dots and dashes.");
            }
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (parsed.host.empty()) return fail(kInvalid, "The URL has no host.");
    if (!port_text.empty()) {
        int port = 0;
        for (const char c : port_text) {
            if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) {
                return fail(kInvalid, "The URL's port is not a number from 1 to 65535.");
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535) {
            return fail(kInvalid, "The URL's port is not a number from 1 to 65535.");
        }
        parsed.port = port;
    }
    if (authority_end != std::string_view::npos) {
        parsed.target = without_fragment(rest.substr(authority_end));
        if (parsed.target.empty() || parsed.target.front() != '/') {
            parsed.target.insert(0, "/");
        }
    }
    return parsed;
}

// Where a Location header points, relative to the URL that answered with it.
Result<HttpsUrl> redirect_target(const HttpsUrl& from, std::string_view location) {
    if (location.empty())
        return fail(kStatus, "A redirect from " + from.text() + " has no Location.");
    if (has_forbidden_character(location)) {
        return fail(kInvalid, "A redirect from " + from.text() + " points to a malformed URL.");
    }
    const std::size_t colon = location.find(':');
    const std::size_t first_delimiter = location.find_first_of("/?#");
    const bool has_scheme = colon != std::string_view::npos && colon > 0 &&
                            (first_delimiter == std::string_view::npos || colon < first_delimiter);
    if (has_scheme) {
        auto target = parse_https_url(location);
        if (!target) {
            return fail(target.error().code, "A redirect from " + from.text() +
                                                 " was refused: " + target.error().message);
        }
        return target;
    }
    if (location.rfind("//", 0) == 0)
        return redirect_target(from, "https:" + std::string(location));
    HttpsUrl target = from;
    if (location.front() == '/') {
        target.target = without_fragment(location);
    } else {
        const std::string path = from.target.substr(0, from.target.find('?'));
        const std::string directory = path.substr(0, path.rfind('/') + 1);
        target.target = directory + without_fragment(location);
    }
    return target;
}

// ---- Resolution ------------------------------------------------------------------------

struct AddrinfoFree {
    void operator()(addrinfo* list) const noexcept { freeaddrinfo(list); }
};

std::string numeric_text(const sockaddr* address) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const void* bytes =
        address->sa_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
    if (!inet_ntop(address->sa_family, bytes, text.data(), text.size())) return {};
    return text.data();
}

// Resolves `host` and returns the address to connect to. Every answer is checked, not just
// the one used: a name that resolves to both a public and an internal address is a
// rebinding attempt as often as it is a misconfiguration.
Result<std::string> checked_address(const std::string& host, bool allow_private) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
    const std::unique_ptr<addrinfo, AddrinfoFree> answers(raw);
    if (rc != 0) {
        return fail(kUnreachable,
                    "The host " + host + " could not be resolved (" + gai_strerror(rc) + ").");
    }
    std::string chosen;
    for (const addrinfo* answer = answers.get(); answer; answer = answer->ai_next) {
        if (answer->ai_family != AF_INET && answer->ai_family != AF_INET6) continue;
        const std::string address = numeric_text(answer->ai_addr);
        const auto scope = classify_address(address);
        if (!scope) continue;
        if (*scope != AddressScope::global && !allow_private) {
            return fail(kPrivateAddress,
                        "The host " + host + " resolves to " + address + ", a " +
                            std::string(describe(*scope)) +
                            " address; the gateway connects only to public addresses.");
        }
        if (chosen.empty()) chosen = address;
    }
    if (chosen.empty()) return fail(kUnreachable, "The host " + host + " has no IP address.");
    return chosen;
}

// ---- One request -------------------------------------------------------------------------

struct X509StoreFree {
    void operator()(X509_STORE* store) const noexcept { X509_STORE_free(store); }
};
using TrustStore = std::unique_ptr<X509_STORE, X509StoreFree>;

// A fresh store per connection: the TLS context takes ownership of it and adds lookups to
// it, so sharing one between concurrent fetches would race.
Result<TrustStore> trust_store(const std::string& ca_file) {
    TrustStore store(X509_STORE_new());
    if (!store || X509_STORE_set_default_paths(store.get()) != 1) {
        ERR_clear_error();
        return fail(kTls, "The system's CA certificates could not be loaded.");
    }
    if (!ca_file.empty() && X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
        ERR_clear_error();
        return fail(kCaFile, "The CA file " + ca_file + " could not be read as PEM certificates.");
    }
    return store;
}

using Deadline = std::chrono::steady_clock::time_point;

std::string seconds_text(int seconds) {
    return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

// Ends a connection when the fetch's deadline passes, whatever httplib is waiting for then.
// httplib bounds each wait (the connect, every read of the handshake, the headers and the
// body) but not their sum, so a server that sends one byte at a time could hold a fetch for as
// long as it liked. A watcher thread shuts the socket's receiving side down at the deadline:
// the read in progress returns end-of-stream at once and the request fails. Only that side:
// OpenSSL still writes an alert when it meets the end, and a write to a socket shut down both
// ways would raise SIGPIPE, fatal to a command-line process that does not ignore it.
class ConnectionDeadline {
  public:
    explicit ConnectionDeadline(Deadline deadline)
        : watcher_([this, deadline] {
              std::unique_lock lock(mutex_);
              if (changed_.wait_until(lock, deadline, [this] { return done_; })) return;
              fired_ = true;
              if (socket_ >= 0) ::shutdown(socket_, SHUT_RD);
          }) {}

    ~ConnectionDeadline() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        changed_.notify_all();
        watcher_.join();
        if (socket_ >= 0) ::close(socket_);
    }

    ConnectionDeadline(const ConnectionDeadline&) = delete;
    ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

    // Watches the client's socket; httplib calls this (its socket-options hook) before it
    // connects. The watcher keeps a duplicate: httplib closes its own descriptor when the
    // request ends, and the number could then name another thread's file before the watcher
    // stops, while the duplicate names this socket until the destructor closes it.
    void watch(int socket) {
        std::lock_guard lock(mutex_);
        if (socket_ >= 0) ::close(socket_);
        socket_ = ::fcntl(socket, F_DUPFD_CLOEXEC, 0);
        if (fired_ && socket_ >= 0) ::shutdown(socket_, SHUT_RD);
    }

    bool fired() const {
        std::lock_guard lock(mutex_);
        return fired_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool done_ = false;    // guarded by mutex_
    bool fired_ = false;   // guarded by mutex_
    int socket_ = -1;      // guarded by mutex_; a duplicate owned here
    std::thread watcher_;  // last: it starts in the constructor and uses the members above
};

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct Answer {
    int status = 0;
    std::string location;  // for a redirect
    std::string body;      // for anything but a redirect
    std::string content_type;
};

// One HTTP exchange: `request`'s method, headers and body sent to `url` at `address`.
Result<Answer> exchange_once(const HttpsUrl& url, const std::string& address, Deadline deadline,
                             const MetadataFetchOptions& options, const OutboundRequest& request) {
    auto store = trust_store(options.ca_file);
    if (!store) return store.error();
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
        return fail(kUnreachable, "The request to " + url.text() + " did not finish within " +
                                      seconds_text(options.timeout_seconds) + ".");
    }

    httplib::SSLClient client(url.host, url.port);
    // The connection goes to the address that was checked, while SNI and certificate
    // verification still use the host name.
    client.set_hostname_addr_map({{url.host, address}});
    client.enable_server_certificate_verification(true);
    client.set_ca_cert_store(store->release());  // owned by the client's TLS context now
    client.set_follow_location(false);
    client.set_keep_alive(false);
    client.set_connection_timeout(remaining);
    client.set_read_timeout(remaining);
    client.set_write_timeout(remaining);
    ConnectionDeadline connection_deadline(deadline);
    client.set_socket_options(
        [&connection_deadline](socket_t socket) { connection_deadline.watch(socket); });

    Answer answer;
    bool too_large = false;
    httplib::Request message;
    message.method = request.method;
    message.path = url.target;
    message.headers.emplace("User-Agent", "Gatehouse");
    for (const auto& [name, value] : request.headers) message.headers.emplace(name, value);
    if (!request.body.empty() || request.method == "POST") {
        message.body = request.body;
        message.headers.emplace("Content-Type", request.content_type);
    }
    message.response_handler = [&](const httplib::Response& response) {
        answer.status = response.status;
        answer.content_type = response.get_header_value("Content-Type");
        if (is_redirect(response.status)) {
            answer.location = response.get_header_value("Location");
            return false;  // the body of a redirect is never read
        }
        const std::string length = response.get_header_value("Content-Length");
        std::size_t announced = 0;
        const auto [end, error] =
            std::from_chars(length.data(), length.data() + length.size(), announced);
        if (error == std::errc{} && end == length.data() + length.size() &&
            announced > options.max_bytes) {
            too_large = true;
            return false;
        }
        return true;
    };
    message.content_receiver = [&](const char* data, std::size_t size, std::uint64_t,
                                   std::uint64_t) {
        if (answer.body.size() + size > options.max_bytes) {
            too_large = true;
            return false;
        }
        answer.body.append(data, size);
        return true;
    };
    const auto result = client.send(message);

    if (too_large) {
        return fail(kTooLarge, "The answer from " + url.text() + " is larger than " +
                                   std::to_string(options.max_bytes) + " bytes.");
    }
    // Checked before success: a body that runs until the connection closes would look
    // complete when the deadline's shutdown ended it early.
    if (connection_deadline.fired() || (!result && std::chrono::steady_clock::now() >= deadline)) {
        return fail(kUnreachable, url.text() + " did not answer within " +
                                      seconds_text(options.timeout_seconds) + ".");
    }
    if (result) return answer;
    if (answer.status != 0 && result.error() == httplib::Error::Canceled) return answer;
    switch (result.error()) {
        case httplib::Error::SSLConnection:
        case httplib::Error::SSLLoadingCerts:
        case httplib::Error::SSLServerVerification: {
            const long verify = client.get_openssl_verify_result();
            std::string reason = verify != X509_V_OK
                                     ? X509_verify_cert_error_string(verify)
                                     : (result.error() == httplib::Error::SSLServerVerification
                                            ? "the certificate does not name " + url.host
                                            : "the TLS handshake failed");
            return fail(kTls,
                        "The TLS connection to " + url.text() + " was refused: " + reason + ".");
        }
        default:
            return fail(kUnreachable, url.text() + " could not be reached (" +
                                          httplib::to_string(result.error()) + ").");
    }
}

// The answer to `request`, following redirects for a GET; every other method takes the
// first answer, redirect or not (a token endpoint that redirects is misconfigured).
Result<Answer> exchange(const OutboundRequest& request, const MetadataFetchOptions& options) {
    auto current = parse_https_url(request.url);
    if (!current) return current.error();
    const Deadline deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
    const bool follow = request.method == "GET";
    for (int redirects = 0;; ++redirects) {
        auto address = checked_address(current->host, options.allow_private_addresses);
        if (!address) return address.error();
        auto answer = exchange_once(*current, *address, deadline, options, request);
        if (!answer) return answer.error();
        if (!follow || !is_redirect(answer->status)) return answer;
        if (redirects == options.max_redirects) {
            return fail(kRedirects, "The request to " + request.url + " was redirected more than " +
                                        std::to_string(options.max_redirects) + " times.");
        }
        current = redirect_target(*current, answer->location);
        if (!current) return current.error();
    }
}

}  // namespace

std::optional<AddressScope> classify_address(std::string_view numeric_address) {
    const std::string text(numeric_address);
    std::array<unsigned char, 16> bytes{};
    if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return classify_ipv4(bytes.data());
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return classify_ipv6(bytes.data());
    return std::nullopt;
}

std::string_view describe(AddressScope scope) {
    switch (scope) {
        case AddressScope::global:
            return "public";
        case AddressScope::unspecified:
            return "unspecified";
        case AddressScope::loopback:
            return "loopback";
        case AddressScope::private_use:
            return "private network";
        case AddressScope::shared:
            return "shared (carrier-grade NAT)";
        case AddressScope::link_local:
            return "link-local";
        case AddressScope::multicast:
            return "multicast";
        case AddressScope::reserved:
            return "reserved";
    }
    return "reserved";
}

HttpsMetadataSource::HttpsMetadataSource(MetadataFetchOptions options)
    : options_(std::move(options)) {}

Result<std::string> HttpsMetadataSource::fetch(const std::string& url) {
    OutboundRequest request;
    request.url = url;
    request.headers = {{"Accept", "application/samlmetadata+xml, application/xml, text/xml"}};
    auto answer = exchange(request, options_);
    if (!answer) return with_prefix(answer.error(), "saml.metadata_url");
    if (answer->status != 200) {
        return with_prefix(fail(kStatus, url + " answered with HTTP status " +
                                             std::to_string(answer->status) + ", not 200."),
                           "saml.metadata_url");
    }
    return std::move(answer->body);
}

HttpsClient::HttpsClient(MetadataFetchOptions options, std::string code_prefix)
    : options_(std::move(options)), prefix_(std::move(code_prefix)) {}

Result<OutboundAnswer> HttpsClient::send(const OutboundRequest& request) {
    auto answer = exchange(request, options_);
    if (!answer) return with_prefix(answer.error(), prefix_);
    if (is_redirect(answer->status)) {
        return with_prefix(
            fail(kStatus, request.url + " answered with a redirect (" +
                              std::to_string(answer->status) + "), which is not followed for " +
                              request.method + "."),
            prefix_);
    }
    return OutboundAnswer{answer->status, std::move(answer->body), std::move(answer->content_type)};
}

}  // namespace gatehouse::http
