// One HTTP exchange as route handlers see it: the request, fully read, and the response they
// fill in. Whatever library carries the bytes (see front.hpp) converts to and from these, so
// no handler depends on it.
#pragma once

#include <cstddef>
#include <map>
#include <regex>
#include <string>
#include <string_view>

namespace gatehouse::http {

// Orders header names without regard to ASCII case (RFC 9110 section 5.1).
struct HeaderNameLess {
    bool operator()(std::string_view a, std::string_view b) const;
    using is_transparent = void;
};

// Every field as received, in order within one name; a name may repeat.
using Headers = std::multimap<std::string, std::string, HeaderNameLess>;
// Query parameters, percent-decoded ('+' as a space); a name may repeat.
using Params = std::multimap<std::string, std::string>;

struct Request {
    std::string method;  // "GET", "POST", …; a HEAD request is routed as GET
    std::string target;  // the request target as sent: path and query, still encoded
    std::string path;    // the target's path, percent-decoded
    Headers headers;
    Params params;
    std::string body;     // the whole body: routes run only after it has arrived
    std::smatch matches;  // the route pattern's groups over `path`
    // The TCP peer, and the client as the trusted-proxy rule names it (the peer itself unless
    // the peer is a trusted proxy that forwarded another address).
    std::string peer_address;
    std::string client_address;
    // "https" when the client reached the gateway over TLS as far as the gateway can tell: a
    // trusted proxy said so in X-Forwarded-Proto; else "http".
    std::string scheme = "http";

    bool has_header(std::string_view name) const;
    // The `index`-th value of `name`, or empty when there are fewer.
    std::string get_header_value(std::string_view name, std::size_t index = 0) const;
    std::size_t get_header_value_count(std::string_view name) const;
    bool has_param(const std::string& name) const;
    std::string get_param_value(const std::string& name, std::size_t index = 0) const;
    std::size_t get_param_value_count(const std::string& name) const;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    // Ends the connection after this response: set for answers given before a request body
    // was read, and by the front on shutdown.
    bool close_connection = false;

    // Adds a field (a name may repeat, as Set-Cookie does); a value holding CR or LF is
    // dropped, so no header can be split.
    void set_header(std::string_view name, std::string_view value);
    bool has_header(std::string_view name) const;
    std::string get_header_value(std::string_view name) const;
    void set_content(std::string content, std::string_view content_type);
    // `status` (302 unless given) with Location `url`.
    void set_redirect(std::string_view url, int status = 302);
};

// The first value of each query parameter of `req`, by name: what the services that read a
// query (service/audit_filter.hpp) take.
std::map<std::string, std::string> query_parameters(const Request& req);

// Splits a request target into the percent-decoded path and query parameters. Returns false
// when the target is not origin-form ("/…") or its escapes are malformed.
bool parse_target(std::string_view target, std::string& path, Params& params);

}  // namespace gatehouse::http
