// A minimal browser stand-in for sign-in tests: GET and form POST over http:// and https://,
// a cookie jar and redirect following, that only ever talks to loopback hosts.
#pragma once

#include <httplib.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::testing {

struct WebResponse {
    std::string method;        // of the request answered: "GET" or "POST"
    std::string url;           // the URL requested
    std::string request_body;  // the form body sent with a POST
    int status = 0;
    httplib::Headers headers;  // exactly as received; names compare case-insensitively
    std::string body;

    // The first value of header `name`, or "" when absent.
    std::string header(const std::string& name) const;
    // Whether the status is 301, 302, 303, 307 or 308.
    bool is_redirect() const;
    // The Location header resolved against `url` (absolute), or "" when there is none.
    // httplib hands the header over percent-decoded; bytes that may not appear in a URL
    // (spaces, non-ASCII) are percent-encoded again, so the result can be requested.
    std::string location() const;
};

// Where WebClient::follow ended.
struct FollowResult {
    // The first redirect target that began with the stop prefix. It was not requested.
    // Empty when the chain ended at a response that is not a redirect.
    std::string stopped_at;
    // The last response received: the redirect to `stopped_at`, or the final page.
    WebResponse last;
};

struct WebCookie {
    std::string host;  // cookies are kept per host name, as browsers do, whatever the port
    std::string name;
    std::string value;
    std::string path;
    bool secure = false;                                             // sent over https:// only
    std::optional<std::chrono::system_clock::time_point> expires{};  // none: a session cookie
};

// Not safe to share between threads. Each request opens a new connection. Redirects are only
// followed by follow(). Cookies honour Path, Max-Age, Expires (IMF-fixdate) and Secure;
// Domain and SameSite are ignored, which is fine for one host per server on loopback.
class WebClient {
  public:
    // `ca_file`: the CA certificates (PEM) that https:// servers are verified against,
    // including their host name. Without one, https:// requests fail.
    explicit WebClient(std::string ca_file = "");

    // Requests `url`, sending the cookies that apply and storing those the answer sets.
    // Throws std::invalid_argument when the URL's host is not "localhost" or "127.0.0.1"
    // (or the URL is not absolute http:// or https://), without sending anything; throws
    // std::runtime_error when no answer arrives (connection, TLS verification, timeout).
    WebResponse get(const std::string& url);
    WebResponse post_form(const std::string& url,
                          const std::vector<std::pair<std::string, std::string>>& fields);

    // GETs `url`, then follows redirects (at most 20): 307 and 308 repeat the method and
    // body, the others GET. Stops without requesting it at the first target that starts
    // with `stop_prefix` (which `url` itself may be; an empty prefix never stops). Throws as
    // get() does, and std::runtime_error when the redirects go on past the limit.
    FollowResult follow(const std::string& url, const std::string& stop_prefix);
    // The same, starting from a response already received (a form POST's redirect).
    FollowResult follow(const WebResponse& response, const std::string& stop_prefix);

    // The value of the cookie `name` stored for `host`, whatever its path; nullopt when
    // there is none or it has expired.
    std::optional<std::string> cookie(const std::string& host, const std::string& name) const;
    // Every unexpired cookie in the jar.
    std::vector<WebCookie> cookies() const;
    void clear_cookies() { jar_.clear(); }

  private:
    WebResponse send(const std::string& method, const std::string& url,
                     const std::string& form_body);

    std::string ca_file_;
    std::vector<WebCookie> jar_;
};

}  // namespace gatehouse::testing
