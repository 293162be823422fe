#include "support/web_client.hpp"

#include <strings.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <string_view>

#include "gatehouse/util/encoding.hpp"

namespace gatehouse::testing {
namespace {

constexpr int kMaxRedirects = 20;

struct Url {
    std::string scheme;  // "http" or "https"
    std::string host;    // lowercase
    int port = 0;
    std::string target;  // path and query, never empty; the fragment is dropped

    std::string origin() const { return scheme + "://" + host + ":" + std::to_string(port); }
    std::string path() const { return target.substr(0, target.find('?')); }
};

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

[[noreturn]] void refuse(const std::string& url, const std::string& why) {
    throw std::invalid_argument("WebClient refuses " + url + ": " + why);
}

// The one place a URL becomes a destination, so the loopback rule cannot be bypassed.
Url parse_loopback_url(const std::string& url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) refuse(url, "not an absolute URL");
    Url parsed;
    parsed.scheme = lowercase(url.substr(0, scheme_end));
    if (parsed.scheme != "http" && parsed.scheme != "https") refuse(url, "not http or https");
    const auto authority_start = scheme_end + 3;
    const auto authority_end = url.find_first_of("/?#", authority_start);
    const std::string authority = url.substr(authority_start, authority_end - authority_start);
    if (authority.find('@') != std::string::npos) refuse(url, "user information in the URL");
    const auto colon = authority.rfind(':');
    parsed.host = lowercase(authority.substr(0, colon));
    if (parsed.host != "localhost" && parsed.host != "127.0.0.1") {
        refuse(url, "only localhost and 127.0.0.1 may be reached from tests");
    }
    parsed.port = parsed.scheme == "https" ? 443 : 80;
    if (colon != std::string::npos) {
        const std::string port = authority.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            refuse(url, "bad port");
        }
        parsed.port = std::stoi(port);
    }
    parsed.target = authority_end == std::string::npos ? "/" : url.substr(authority_end);
    parsed.target = parsed.target.substr(0, parsed.target.find('#'));
    if (parsed.target.empty() || parsed.target[0] == '?') parsed.target = "/" + parsed.target;
    return parsed;
}

// RFC 3986 reference resolution, without dot-segment removal (no server here sends any).
// httplib 0.11 percent-decodes a Location header as it reads it, so an authorization URL
// arrives with its spaces ("scope=openid email profile") and non-ASCII bytes bare, which no
// server accepts in a request line. Percent-encodes again every byte that may not appear
// in a URL. What the decoding made of "%26", "%3D", "%23" or "%2B" cannot be told apart from
// the real characters, so such a Location stays changed; no fixture sends one.
std::string reencode_unsafe(const std::string& url) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    static constexpr std::string_view kUnsafe = " \"<>\\^`{|}";
    std::string encoded;
    for (const char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f || kUnsafe.find(c) != std::string_view::npos) {
            encoded += '%';
            encoded += kHex[byte >> 4];
            encoded += kHex[byte & 0x0f];
        } else {
            encoded += c;
        }
    }
    return encoded;
}

std::string resolve(const std::string& base, const std::string& reference) {
    if (reference.find("://") != std::string::npos &&
        reference.find("://") < reference.find_first_of("/?#")) {
        return reference;
    }
    const Url from = parse_loopback_url(base);
    if (reference.starts_with("//")) return from.scheme + ":" + reference;
    if (reference.starts_with("/")) return from.origin() + reference;
    if (reference.starts_with("?")) return from.origin() + from.path() + reference;
    const std::string path = from.path();
    return from.origin() + path.substr(0, path.rfind('/') + 1) + reference;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text) {
    for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%a, %d-%b-%Y %H:%M:%S GMT"}) {
        std::tm parts{};
        const char* end = strptime(text.c_str(), format, &parts);
        if (end && *end == '\0') return std::chrono::system_clock::from_time_t(timegm(&parts));
    }
    return std::nullopt;
}

// RFC 6265 §5.1.4.
std::string default_cookie_path(const std::string& request_path) {
    const auto slash = request_path.rfind('/');
    if (slash == 0 || slash == std::string::npos) return "/";
    return request_path.substr(0, slash);
}

bool path_matches(const std::string& request_path, const std::string& cookie_path) {
    if (!request_path.starts_with(cookie_path)) return false;
    return request_path.size() == cookie_path.size() || cookie_path.ends_with('/') ||
           request_path[cookie_path.size()] == '/';
}

bool expired(const WebCookie& cookie) {
    return cookie.expires && *cookie.expires <= std::chrono::system_clock::now();
}

// Parses one Set-Cookie header received from `url`; nullopt when it has no name=value.
std::optional<WebCookie> parse_set_cookie(const Url& url, const std::string& header) {
    std::vector<std::string> parts;
    for (std::size_t start = 0; start <= header.size();) {
        const auto end = std::min(header.find(';', start), header.size());
        parts.push_back(trim(header.substr(start, end - start)));
        start = end + 1;
    }
    const auto equals = parts.at(0).find('=');
    if (equals == std::string::npos || equals == 0) return std::nullopt;
    WebCookie cookie{.host = url.host,
                     .name = trim(parts[0].substr(0, equals)),
                     .value = trim(parts[0].substr(equals + 1)),
                     .path = default_cookie_path(url.path())};
    bool max_age_seen = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto at = parts[i].find('=');
        const std::string name = lowercase(trim(parts[i].substr(0, at)));
        const std::string value = at == std::string::npos ? "" : trim(parts[i].substr(at + 1));
        if (name == "path" && value.starts_with('/')) {
            cookie.path = value;
        } else if (name == "secure") {
            cookie.secure = true;
        } else if (name == "max-age") {
            // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
            max_age_seen = true;
            try {
                cookie.expires =
                    std::chrono::system_clock::now() + std::chrono::seconds(std::stoll(value));
            } catch (const std::exception&) {
                max_age_seen = false;
            }
        } else if (name == "expires" && !max_age_seen) {
            cookie.expires = parse_http_date(value);
        }
    }
    return cookie;
}

}  // namespace

std::string WebResponse::header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
}

bool WebResponse::is_redirect() const {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string WebResponse::location() const {
    const std::string target = reencode_unsafe(header("Location"));
    return target.empty() ? "" : resolve(url, target);
}

WebClient::WebClient(std::string ca_file) : ca_file_(std::move(ca_file)) {}

WebResponse WebClient::get(const std::string& url) { return send("GET", url, ""); }

WebResponse WebClient::post_form(const std::string& url,
                                 const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty()) body += '&';
        body += util::url_encode(name) + "=" + util::url_encode(value);
    }
    return send("POST", url, body);
}

WebResponse WebClient::send(const std::string& method, const std::string& url,
                            const std::string& form_body) {
    const Url destination = parse_loopback_url(url);
    httplib::Client client(destination.origin());
    // Resolving "localhost" could give ::1, where no fixture listens.
    client.set_hostname_addr_map({{"localhost", "127.0.0.1"}});
    client.set_connection_timeout(5);
    client.set_read_timeout(15);
    client.set_write_timeout(15);
    client.set_follow_location(false);
    // Send the target exactly as given: percent-encoded signatures and state must survive.
    client.set_url_encode(false);
    if (destination.scheme == "https") {
        client.enable_server_certificate_verification(true);
        if (!ca_file_.empty()) client.set_ca_cert_path(ca_file_.c_str());
    }

    httplib::Headers headers = {{"User-Agent", "Gatehouse-WebClient"}};
    std::string cookie_header;
    std::vector<const WebCookie*> matching;
    for (const WebCookie& cookie : jar_) {
        if (cookie.host == destination.host && path_matches(destination.path(), cookie.path) &&
            (!cookie.secure || destination.scheme == "https") && !expired(cookie)) {
            matching.push_back(&cookie);
        }
    }
    // Longer paths first, as RFC 6265 §5.4 asks.
    std::stable_sort(matching.begin(), matching.end(),
                     [](const auto* a, const auto* b) { return a->path.size() > b->path.size(); });
    for (const WebCookie* cookie : matching) {
        if (!cookie_header.empty()) cookie_header += "; ";
        cookie_header += cookie->name + "=" + cookie->value;
    }
    if (!cookie_header.empty()) headers.emplace("Cookie", cookie_header);

    const auto result = method == "POST" ? client.Post(destination.target, headers, form_body,
                                                       "application/x-www-form-urlencoded")
                                         : client.Get(destination.target, headers);
    if (!result) {
        throw std::runtime_error("WebClient: " + method + " " + url +
                                 " got no answer: " + httplib::to_string(result.error()));
    }

    WebResponse response{.method = method,
                         .url = url,
                         .request_body = form_body,
                         .status = result->status,
                         .headers = result->headers,
                         .body = result->body};
    const auto [first, last] = result->headers.equal_range("Set-Cookie");
    for (auto header = first; header != last; ++header) {
        const auto cookie = parse_set_cookie(destination, header->second);
        if (!cookie) continue;
        std::erase_if(jar_, [&](const WebCookie& kept) {
            return kept.host == cookie->host && kept.name == cookie->name &&
                   kept.path == cookie->path;
        });
        if (!expired(*cookie)) jar_.push_back(*cookie);
    }
    return response;
}

namespace {

bool stops_at(const std::string& url, const std::string& stop_prefix) {
    return !stop_prefix.empty() && url.starts_with(stop_prefix);
}

}  // namespace

FollowResult WebClient::follow(const std::string& url, const std::string& stop_prefix) {
    if (stops_at(url, stop_prefix)) return {.stopped_at = url, .last = {}};
    return follow(get(url), stop_prefix);
}

FollowResult WebClient::follow(const WebResponse& response, const std::string& stop_prefix) {
    WebResponse current = response;
    for (int hops = 0; current.is_redirect(); ++hops) {
        const std::string next = current.location();
        if (next.empty()) break;
        if (stops_at(next, stop_prefix)) return {.stopped_at = next, .last = current};
        if (hops == kMaxRedirects) {
            throw std::runtime_error("WebClient: more than 20 redirects, the last to " + next);
        }
        const bool repeat = current.status == 307 || current.status == 308;
        current = repeat ? send(current.method, next, current.request_body) : get(next);
    }
    return {.stopped_at = "", .last = current};
}

std::optional<std::string> WebClient::cookie(const std::string& host,
                                             const std::string& name) const {
    for (const WebCookie& kept : jar_) {
        if (kept.host == lowercase(host) && kept.name == name && !expired(kept)) {
            return kept.value;
        }
    }
    return std::nullopt;
}

std::vector<WebCookie> WebClient::cookies() const {
    std::vector<WebCookie> live;
    std::copy_if(jar_.begin(), jar_.end(), std::back_inserter(live),
                 [](const WebCookie& cookie) { return !expired(cookie); });
    return live;
}

}  // namespace gatehouse::testing
