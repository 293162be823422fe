// A running gateway whose org "acme" signs in through a real OpenID provider (npm
// oidc-provider on loopback HTTPS) or the GitHub stand-in, for OIDC integration tests: a
// break-glass owner with a password, an admin key and a SCIM token made with the CLI, the
// provider configured with the CLI, and helpers that drive a WebClient through a sign-in
// and read the audit log's reason for a refusal.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "gatehouse/util/encoding.hpp"
#include "support/github_standin.hpp"
#include "support/oidc_op.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_ca.hpp"
#include "support/web_client.hpp"

namespace gatehouse::testing::oidc_it {

using nlohmann::json;

inline constexpr const char* kClientId = "gatehouse-acme";
inline constexpr const char* kClientSecret = "oidc-client-secret-that-must-never-be-shown-7Q3z";
inline constexpr const char* kGithubClientId = "Iv1.gatehouse";
inline constexpr const char* kGithubSecret = "github-client-secret-that-must-never-be-shown-9K";
inline constexpr const char* kOwnerEmail = "root@example.com";
inline constexpr const char* kOwnerPassword = "break the glass in an emergency";
inline constexpr const char* kSessionCookie = "gatehouse_session";
inline constexpr const char* kScimUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr const char* kScimPatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// A loopback port nothing listens on now. Every gateway of the test run listens on it in
// turn (one at a time; the gateway sets SO_REUSEADDR), because the provider must know the
// redirect URI before the first gateway starts.
inline int gateway_port() {
    static const int port = [] {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw std::runtime_error("socket failed");
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            close(fd);
            throw std::runtime_error("no free loopback port");
        }
        close(fd);
        return static_cast<int>(ntohs(address.sin_port));
    }();
    return port;
}

inline std::string gateway_url() { return "http://127.0.0.1:" + std::to_string(gateway_port()); }
inline std::string callback_url() { return gateway_url() + "/auth/callback/acme/"; }
inline std::string login_url() { return gateway_url() + "/auth/login/acme/"; }

// The people at the provider. Ada is the one SCIM provisions; Otto's Google Workspace is
// another domain; Una's address was never verified.
inline OidcAccount ada() {
    return {.sub = "ada-sub",
            .email = "ada@example.com",
            .email_verified = true,
            .given_name = "Ada",
            .family_name = "Lovelace",
            .name = "Ada Lovelace",
            .hd = "example.com"};
}
inline OidcAccount otto() {
    return {.sub = "otto-sub",
            .email = "otto@other.org",
            .email_verified = true,
            .given_name = "Otto",
            .family_name = "Other",
            .name = "Otto Other",
            .hd = "other.org"};
}
inline OidcAccount una() {
    return {.sub = "una-sub",
            .email = "una@example.com",
            .email_verified = false,
            .given_name = "Una",
            .family_name = "Unverified",
            .name = "Una Unverified",
            .hd = "example.com"};
}

// Rhea's ID token carries a role and groups; Ugo's a role no org accepts.
inline OidcAccount rhea() {
    return {.sub = "rhea-sub",
            .email = "rhea@example.com",
            .email_verified = true,
            .given_name = "Rhea",
            .family_name = "Roles",
            .name = "Rhea Roles",
            .hd = "example.com",
            .role = "admin",
            .groups = {"Platform Team", "eng"}};
}
inline OidcAccount ugo() {
    return {.sub = "ugo-sub",
            .email = "ugo@example.com",
            .email_verified = true,
            .given_name = "Ugo",
            .family_name = "Unknown",
            .name = "Ugo Unknown",
            .hd = "example.com",
            .role = "superuser"};
}

// One CA for every fixture server, since the gateway trusts a single CA file.
inline std::shared_ptr<const TestCa> shared_ca() {
    static const auto ca = std::make_shared<const TestCa>();
    return ca;
}

// Starting Node.js and oidc-provider takes a second or two, so the whole run shares one
// provider. Cases select the login they need before each sign-in, and a mutation is used up
// by the sign-in of the case that sets it.
inline OidcProviderProcess& shared_provider() {
    static OidcProviderProcess provider({.clients = {{.client_id = kClientId,
                                                      .client_secret = kClientSecret,
                                                      .redirect_uris = {callback_url()},
                                                      .token_endpoint_auth_method = ""}},
                                         .accounts = {ada(), otto(), una(), rhea(), ugo()},
                                         .signing = {"RS256"},
                                         .login = OidcLogin::automatic},
                                        shared_ca());
    return provider;
}

// GitHub users: Grace belongs to the allowed org, Linus to another, Kim's primary address
// is unverified.
inline GithubStandIn& shared_github() {
    static GithubStandIn github(
        {{.client_id = kGithubClientId,
          .client_secret = kGithubSecret,
          .callback_url = callback_url()}},
        {{.id = 101,
          .login = "grace",
          .name = "Grace Hopper",
          .emails = {{.email = "grace@example.com", .primary = true, .verified = true}},
          .orgs = {"acme-corp"}},
         {.id = 102,
          .login = "linus",
          .name = "Linus Outside",
          .emails = {{.email = "linus@example.com", .primary = true, .verified = true}},
          .orgs = {"elsewhere"}},
         {.id = 103,
          .login = "kim",
          .name = "Kim Unverified",
          .emails = {{.email = "kim@example.com", .primary = true, .verified = false}},
          .orgs = {"acme-corp"}}},
        shared_ca());
    return github;
}

enum class SignInWith { oidc, google, github, nothing };

struct OidcGatewaySetup {
    SignInWith provider = SignInWith::oidc;
    // The gateway may fetch from loopback addresses (the fixtures' only kind).
    bool allow_private_urls = true;
};

// Where a sign-in got to: the callback URL the provider sent the browser to, and the
// gateway's answer to it.
struct CallbackResult {
    std::string callback_url;
    WebResponse response;
};

// Whether `response` sets the session cookie.
inline bool sets_session_cookie(const WebResponse& response) {
    const auto [first, last] = response.headers.equal_range("Set-Cookie");
    for (auto it = first; it != last; ++it) {
        if (it->second.rfind(std::string(kSessionCookie) + "=", 0) == 0) return true;
    }
    return false;
}

// The value of query parameter `name` in `url`, URL-decoded; "" when absent.
inline std::string query_value(const std::string& url, const std::string& name) {
    const auto question = url.find('?');
    if (question == std::string::npos) return {};
    const auto params = util::parse_form(url.substr(question + 1));
    if (!params) return {};
    const auto it = params->find(name);
    return it == params->end() ? std::string() : it->second;
}

struct OidcGateway {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    std::string admin_key;
    std::string scim_token;
    std::unique_ptr<ServerProcess> server;

    explicit OidcGateway(OidcGatewaySetup setup = {}) {
        cli({"org", "create", "acme"});
        cli({"member", "add", "--org", "acme", "--email", kOwnerEmail, "--role", "owner",
             "--break-glass", "--password-stdin"},
            std::string(kOwnerPassword) + "\n");
        admin_key = first_line(cli({"admin-key", "create", "acme", "--quiet"}));
        scim_token = first_line(cli({"scim-token", "create", "acme", "--quiet"}));
        switch (setup.provider) {
            case SignInWith::oidc:
                configure_oidc({});
                break;
            case SignInWith::google:
                configure_oidc({"--kind", "google", "--hosted-domain", "example.com"});
                break;
            case SignInWith::github:
                configure_github();
                break;
            case SignInWith::nothing:
                break;
        }
        std::vector<std::string> flags = {
            "--listen",           "127.0.0.1:" + std::to_string(gateway_port()),
            "--base-url",         gateway_url(),
            "--metadata-ca-file", shared_ca()->ca_file(),
            "--github-url",       shared_github().base_url(),
            "--github-api-url",   shared_github().base_url()};
        if (setup.allow_private_urls) flags.push_back("--allow-private-metadata-urls");
        server = std::make_unique<ServerProcess>(db, std::move(flags));
    }

    // Runs `gatehouse --db DB args…`, requires success and returns its standard output.
    std::string cli(std::vector<std::string> args, const std::string& input = "") const {
        args.insert(args.begin(), {"--db", db});
        const auto result = run_gatehouse(args, input);
        REQUIRE_MESSAGE(result.exit_code == 0, result.err);
        return result.out;
    }

    static std::string first_line(const std::string& text) {
        return text.substr(0, text.find_first_of("\r\n"));
    }

    void configure_oidc(const std::vector<std::string>& extra) const {
        std::vector<std::string> args = {"oidc",
                                         "configure",
                                         "acme",
                                         "--issuer",
                                         shared_provider().issuer(),
                                         "--client-id",
                                         kClientId,
                                         "--client-secret-stdin",
                                         "--allow-private-urls",
                                         "--ca-file",
                                         shared_ca()->ca_file()};
        args.insert(args.end(), extra.begin(), extra.end());
        cli(args, std::string(kClientSecret) + "\n");
    }

    void configure_github() const {
        cli({"github", "configure", "acme", "--client-id", kGithubClientId, "--client-secret-stdin",
             "--allowed-org", "acme-corp", "--github-url", shared_github().base_url()},
            std::string(kGithubSecret) + "\n");
    }

    // Starts a sign-in in `browser` (GET /auth/login/acme/) and follows it through the
    // provider's automatic login of `sub`; returns the callback URL the provider sends the
    // browser to, not yet requested.
    std::string reach_callback(WebClient& browser, const std::string& sub = ada().sub) const {
        shared_provider().select_login(sub);
        return follow_to_callback(browser);
    }
    // The same through the GitHub stand-in, signed in as `login`.
    std::string reach_github_callback(WebClient& browser, const std::string& login) const {
        shared_github().set_current_user(login);
        return follow_to_callback(browser);
    }

    static std::string follow_to_callback(WebClient& browser) {
        const FollowResult result = browser.follow(login_url(), callback_url());
        REQUIRE_MESSAGE(!result.stopped_at.empty(), result.last.status, " ", result.last.url, " ",
                        result.last.body);
        return result.stopped_at;
    }

    // The whole sign-in of `sub`: returns the callback URL and the gateway's answer to it
    // (303 to the landing page with the session cookie, or the error page).
    CallbackResult sign_in(WebClient& browser, const std::string& sub = ada().sub) const {
        const std::string url = reach_callback(browser, sub);
        return {url, browser.get(url)};
    }
    CallbackResult sign_in_with_github(WebClient& browser, const std::string& login) const {
        const std::string url = reach_github_callback(browser, login);
        return {url, browser.get(url)};
    }

    // The latest audit entry of `action` with outcome failure; null when there is none.
    json latest_failure(const std::string& action = "oidc.sign_in") const {
        const std::string out =
            cli({"audit", "acme", "--action", action, "--outcome", "failure", "--limit", "1"});
        if (out.empty()) return nullptr;
        return json::parse(first_line(out));
    }
    // Its reason code; "" when there is none.
    std::string latest_refusal(const std::string& action = "oidc.sign_in") const {
        const json entry = latest_failure(action);
        return entry.is_null() ? std::string() : entry.at("reason_code").get<std::string>();
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(15, 0);
        return c;
    }

    // An admin API call with the admin key; `path` is relative to /api/0/organizations/acme/.
    httplib::Result admin(const std::string& method, const std::string& path,
                          const std::string& body = "") const {
        const httplib::Headers headers = {{"Authorization", "Bearer " + admin_key}};
        const std::string target = "/api/0/organizations/acme/" + path;
        auto c = client();
        auto res = method == "GET"     ? c.Get(target, headers)
                   : method == "POST"  ? c.Post(target, headers, body, "application/json")
                   : method == "PUT"   ? c.Put(target, headers, body, "application/json")
                   : method == "PATCH" ? c.Patch(target, headers, body, "application/json")
                                       : c.Delete(target, headers);
        REQUIRE_MESSAGE(res, "no answer to ", method, " ", target);
        return res;
    }

    // GET /api/0/organizations/acme/me with session cookie `session`.
    httplib::Result me(const std::string& session) const {
        auto res = client().Get("/api/0/organizations/acme/me",
                                {{"Cookie", std::string(kSessionCookie) + "=" + session}});
        REQUIRE(res);
        return res;
    }

    // How many members the admin API lists.
    int member_count() const {
        auto res = admin("GET", "members");
        REQUIRE(res->status == 200);
        return json::parse(res->body).at("total").get<int>();
    }

    // A SCIM request with the org's token; `path` is relative to the SCIM base.
    httplib::Result scim(const std::string& method, const std::string& path,
                         const json& body = nullptr) const {
        const httplib::Headers headers = {{"Authorization", "Bearer " + scim_token}};
        const std::string target = "/api/0/organizations/acme/scim/v2" + path;
        auto c = client();
        auto res = method == "GET" ? c.Get(target, headers)
                   : method == "POST"
                       ? c.Post(target, headers, body.dump(), "application/scim+json")
                       : c.Patch(target, headers, body.dump(), "application/scim+json");
        REQUIRE_MESSAGE(res, "no answer to SCIM ", method, " ", target);
        return res;
    }

    // Provisions `email` over SCIM; returns the SCIM resource ID.
    std::string provision(const std::string& email, const std::string& given = "Ada",
                          const std::string& family = "Lovelace") const {
        const json user = {{"schemas", {kScimUserSchema}},
                           {"userName", email},
                           {"name", {{"givenName", given}, {"familyName", family}}},
                           {"emails", {{{"value", email}, {"type", "work"}, {"primary", true}}}},
                           {"active", true}};
        auto res = scim("POST", "/Users", user);
        REQUIRE_MESSAGE(res->status == 201, res->body);
        return json::parse(res->body).at("id").get<std::string>();
    }

    void set_active(const std::string& scim_id, bool active) const {
        const json patch = {
            {"schemas", {kScimPatchSchema}},
            {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", active}}}}};
        auto res = scim("PATCH", "/Users/" + scim_id, patch);
        REQUIRE_MESSAGE(res->status == 200, res->body);
    }
};

// The session cookie the browser holds for the gateway, or "" when none.
inline std::string session_of(const WebClient& browser) {
    return browser.cookie("127.0.0.1", kSessionCookie).value_or("");
}

// Checks that the gateway refused the sign-in answered by `result` for `reason`: the error
// page (403) shows the audit entry's reference and nothing of the reason, no session cookie
// is set, and the audit log holds the reason.
inline void check_refused(const OidcGateway& gw, const CallbackResult& result,
                          const std::string& reason, const std::string& action = "oidc.sign_in") {
    const json entry = gw.latest_failure(action);
    REQUIRE_MESSAGE(!entry.is_null(), "no refusal audited; the gateway answered ",
                    result.response.status);
    CHECK(entry.at("reason_code") == reason);
    CHECK(result.response.status == 403);
    const std::string reference = entry.at("details").value("reference", "");
    CHECK_FALSE(reference.empty());
    CHECK(result.response.body.find("Reference: <code>" + reference) != std::string::npos);
    CHECK(result.response.body.find(reason) == std::string::npos);
    CHECK_FALSE(sets_session_cookie(result.response));
}

}  // namespace gatehouse::testing::oidc_it
