// Configuring OpenID Connect sign-in through the admin API and the CLI against a real
// provider: who may configure it, which issuers are refused, that the client secret is
// never shown or logged, and the test sign-in an admin starts through the API.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "oidc_gateway.hpp"

using namespace gatehouse::testing;
using namespace gatehouse::testing::oidc_it;

namespace {

json oidc_body(const std::string& issuer) {
    return {{"kind", "oidc"},
            {"issuer", issuer},
            {"client_id", kClientId},
            {"client_secret", kClientSecret},
            {"hosted_domains", json::array()},
            {"clock_skew_seconds", 120},
            {"jit_provisioning", true}};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Signs `email` in with the password form; returns the session cookie's value.
std::string password_session(const OidcGateway& gw, const std::string& email,
                             const std::string& password) {
    auto res = gw.client().Post("/auth/login/acme/",
                                "email=" + gatehouse::util::url_encode(email) +
                                    "&password=" + gatehouse::util::url_encode(password),
                                "application/x-www-form-urlencoded");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 303, res->body);
    const std::string header = res->get_header_value("Set-Cookie");
    const std::string prefix = std::string(kSessionCookie) + "=";
    REQUIRE(header.rfind(prefix, 0) == 0);
    return header.substr(prefix.size(), header.find(';') - prefix.size());
}

}  // namespace

TEST_CASE("OIDC admin API: an admin key configures the provider and never sees the secret") {
    OidcGateway gw({.provider = SignInWith::nothing});

    const auto put = gw.admin("PUT", "auth/oidc", oidc_body(shared_provider().issuer()).dump());

    REQUIRE_MESSAGE(put->status == 200, put->body);
    CHECK_FALSE(contains(put->body, kClientSecret));
    const auto view = gw.admin("GET", "auth/");
    REQUIRE(view->status == 200);
    CHECK_FALSE(contains(view->body, kClientSecret));
    const json oidc = json::parse(view->body).at("oidc");
    CHECK(oidc.at("kind") == "oidc");
    CHECK(oidc.at("issuer") == shared_provider().issuer());
    CHECK(oidc.at("client_id") == kClientId);
    CHECK(oidc.at("client_secret_set") == true);
    CHECK(oidc.at("clock_skew_seconds") == 120);
}

TEST_CASE("OIDC CLI: configure and show never print the client secret") {
    OidcGateway gw({.provider = SignInWith::nothing});
    const auto configured = run_gatehouse(
        {"--db", gw.db, "oidc", "configure", "acme", "--issuer", shared_provider().issuer(),
         "--client-id", kClientId, "--client-secret-stdin", "--allow-private-urls", "--ca-file",
         shared_ca()->ca_file()},
        std::string(kClientSecret) + "\n");
    REQUIRE_MESSAGE(configured.exit_code == 0, configured.err);

    const auto shown = run_gatehouse({"--db", gw.db, "oidc", "show", "acme"});

    REQUIRE(shown.exit_code == 0);
    CHECK(contains(shown.out, shared_provider().issuer()));
    CHECK(contains(shown.out, "(set, never shown)"));
    for (const auto* output : {&configured.out, &configured.err, &shown.out, &shown.err}) {
        CHECK_FALSE(contains(*output, kClientSecret));
    }
}

TEST_CASE("OIDC sign-in never writes the client secret to the server log") {
    OidcGateway gw;
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    REQUIRE(gw.sign_in(browser).response.status == 303);

    // The log reaches the test through a pipe its reader thread drains: wait for the line
    // the sign-in wrote before the answer, rather than reading the log at once.
    std::string log = gw.server->log();
    for (int waited = 0; !contains(log, "oidc.sign_in") && waited < 50; ++waited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        log = gw.server->log();
    }

    CHECK(contains(log, "oidc.sign_in"));
    CHECK_FALSE(contains(log, kClientSecret));
}

TEST_CASE("OIDC admin API: a manager cannot configure the provider") {
    OidcGateway gw({.provider = SignInWith::nothing});
    const std::string password = "correct horse battery staple";
    gw.cli({"member", "add", "--org", "acme", "--email", "mia@example.com", "--role", "manager",
            "--password-stdin"},
           password + "\n");
    const std::string session = password_session(gw, "mia@example.com", password);
    const auto me = gw.me(session);
    REQUIRE(me->status == 200);
    const std::string csrf = json::parse(me->body).at("csrf_token").get<std::string>();

    auto res = gw.client().Put(
        "/api/0/organizations/acme/auth/oidc",
        {{"Cookie", std::string(kSessionCookie) + "=" + session}, {"X-CSRF-Token", csrf}},
        oidc_body(shared_provider().issuer()).dump(), "application/json");

    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(json::parse(res->body).at("error") == "auth.owner_only");
    CHECK(json::parse(gw.admin("GET", "auth/")->body).at("oidc").is_null());
}

TEST_CASE("OIDC admin API refuses an issuer on a private address unless the gateway allows it") {
    OidcGateway gw({.provider = SignInWith::nothing, .allow_private_urls = false});

    const auto put = gw.admin("PUT", "auth/oidc", oidc_body(shared_provider().issuer()).dump());

    CHECK(put->status == 422);
    CHECK(json::parse(put->body).at("error") == "oidc.fetch.private_address");
    CHECK(json::parse(gw.admin("GET", "auth/")->body).at("oidc").is_null());
}

TEST_CASE("OIDC admin API refuses an http:// issuer") {
    OidcGateway gw({.provider = SignInWith::nothing});
    const std::string plain = "http://localhost:" + std::to_string(shared_provider().port());

    const auto put = gw.admin("PUT", "auth/oidc", oidc_body(plain).dump());

    CHECK(put->status == 400);
    CHECK(json::parse(put->body).at("error") == "oidc.config.issuer_invalid");
}

TEST_CASE("OIDC test sign-in through the API reports the claims and signs nobody in") {
    OidcGateway gw;
    shared_provider().select_login(ada().sub);
    const auto started = gw.admin("POST", "auth/test");
    REQUIRE_MESSAGE(started->status == 200, started->body);
    const std::string redirect_url = json::parse(started->body).at("redirect_url");
    CHECK(redirect_url.rfind(shared_provider().issuer() + "/", 0) == 0);
    WebClient browser(shared_provider().ca_file());

    const FollowResult reached = browser.follow(redirect_url, callback_url());
    REQUIRE_MESSAGE(!reached.stopped_at.empty(), reached.last.body);
    const WebResponse report = browser.get(reached.stopped_at);

    CHECK(report.status == 200);
    CHECK(contains(report.body, "OpenID Connect test sign-in: passed"));
    CHECK(contains(report.body, ">email<"));
    CHECK(contains(report.body, ada().email));
    CHECK_FALSE(sets_session_cookie(report));
    CHECK(session_of(browser).empty());
}
