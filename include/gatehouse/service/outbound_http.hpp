// Requests the gateway itself sends to an identity provider (OpenID discovery, JWKS, token
// and user-info endpoints, GitHub's API). The service layer decides what to send; the network
// lives behind this interface (the HTTPS implementation is in the http layer), so tests can
// substitute one.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::service {

struct OutboundRequest {
    std::string method = "GET";  // "GET" or "POST"
    std::string url;             // https only
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // for a POST
    std::string content_type = "application/x-www-form-urlencoded";
};

struct OutboundAnswer {
    int status = 0;
    std::string body;
    std::string content_type;
};

class OutboundHttp {
  public:
    virtual ~OutboundHttp() = default;
    // The answer to `request`, whatever its status (a token endpoint's 400 carries the
    // reason). Redirects are followed for GET only. Fails when no answer could be had: the
    // URL is refused (not https, a private address), TLS or the network failed, the deadline
    // passed or the answer is too large; codes start with the implementation's prefix
    // ("oidc.fetch."). Thread-safe.
    virtual Result<OutboundAnswer> send(const OutboundRequest& request) = 0;
};

}  // namespace gatehouse::service
