// A loopback stand-in for the parts of GitHub that an OAuth App sign-in uses: the web
// authorize and token endpoints and the REST API's /user, /user/emails and /user/orgs.
//
// github.com cannot be reached from tests, so this serves the request and answer shapes of
// GitHub's documented API (OAuth App web application flow; REST "users", "emails" and
// "orgs" endpoints) with the fields a sign-in reads. It is a stand-in, not an emulation:
// scopes are recorded and echoed but not enforced, there are no rate limits, no device flow,
// and authorization is approved at once for the current user.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "support/test_ca.hpp"
#include "support/tls_fixture.hpp"

namespace gatehouse::testing {

// A registered OAuth App.
struct GithubOAuthApp {
    std::string client_id;
    std::string client_secret;
    // The registered "Authorization callback URL": a redirect_uri must start with it.
    std::string callback_url;
};

struct GithubEmail {
    std::string email;
    bool primary = false;
    bool verified = true;
};

struct GithubUser {
    std::int64_t id = 0;
    std::string login;
    std::string name;
    std::vector<GithubEmail> emails;
    std::vector<std::string> orgs;  // organization logins
};

// One request the stand-in received, for assertions.
struct GithubRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> params;  // query string and form body, merged
    std::string authorization;                  // the Authorization header, "" when none
    std::string accept;                         // the Accept header
};

// An HTTPS server on 127.0.0.1 whose base URL serves both github.com's web endpoints and
// api.github.com's (pass base_url() as both). Its certificate is issued by a TestCa it owns,
// or the one passed in. Thread-safe: the server answers on its own threads while a test
// changes the current user or reads the requests.
//
//   GET  /login/oauth/authorize   client_id, redirect_uri, state, scope. Unknown client_id:
//                                 404 page. A redirect_uri outside the app's callback URL:
//                                 302 to the callback URL with error=redirect_uri_mismatch.
//                                 Otherwise 302 to redirect_uri (default: the callback URL)
//                                 with code and state. No current user: 500.
//   POST /login/oauth/access_token client_id, client_secret, code, redirect_uri (form body
//                                 or query). With "Accept: application/json" answers JSON,
//                                 else form-encoded, as GitHub does. Success:
//                                 {access_token, token_type:"bearer", scope}. Errors come
//                                 with status 200, as GitHub's do: incorrect_client_credentials,
//                                 redirect_uri_mismatch, bad_verification_code (unknown,
//                                 reused or 10-minute-old code).
//   GET  /user, /user/emails, /user/orgs
//                                 "Authorization: Bearer TOKEN" or "token TOKEN"; 401
//                                 {"message":"Requires authentication"} without one,
//                                 {"message":"Bad credentials"} for an unknown token.
class GithubStandIn {
  public:
    // Throws std::runtime_error when the server cannot start.
    GithubStandIn(std::vector<GithubOAuthApp> apps, std::vector<GithubUser> users,
                  std::shared_ptr<const TestCa> ca = nullptr);
    ~GithubStandIn();
    GithubStandIn(const GithubStandIn&) = delete;
    GithubStandIn& operator=(const GithubStandIn&) = delete;

    // "https://localhost:PORT", no trailing slash.
    std::string base_url() const;
    int port() const;
    // The CA certificate (PEM file) to trust for base_url().
    const std::string& ca_file() const { return ca_->ca_file(); }

    // Who the next authorizations sign in as; the first user until set. Throws
    // std::invalid_argument when no user has `login`.
    void set_current_user(const std::string& login);
    // Every request so far, oldest first.
    std::vector<GithubRequest> requests() const;

  private:
    struct State;
    std::shared_ptr<const TestCa> ca_;
    std::shared_ptr<State> state_;  // shared with the server's handlers
    std::unique_ptr<TestHttpsServer> server_;
};

}  // namespace gatehouse::testing
