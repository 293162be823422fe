// Sign-in with OpenID Connect end to end: the real gateway binary, a real oidc-provider and
// a browser stand-in, from GET /auth/login/acme/ to the session, and the ways a callback is
// refused that do not need a hostile ID token (oidc_hostile_test.cpp has those).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "oidc_gateway.hpp"

using namespace gatehouse::testing;
using namespace gatehouse::testing::oidc_it;

namespace {

// `url` with query parameter `name` set to `value` (the parameter must be present).
std::string with_param(const std::string& url, const std::string& name, const std::string& value) {
    const auto start = url.find(name + "=", url.find('?'));
    REQUIRE(start != std::string::npos);
    const auto end = url.find('&', start);
    return url.substr(0, start) + name + "=" + gatehouse::util::url_encode(value) +
           (end == std::string::npos ? "" : url.substr(end));
}

}  // namespace

TEST_CASE("OIDC sign-in through oidc-provider lands as the SCIM-provisioned member") {
    OidcGateway gw;
    const std::string scim_id = gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());

    const CallbackResult result = gw.sign_in(browser);

    REQUIRE_MESSAGE(result.response.status == 303, result.response.body);
    CHECK(result.response.header("Location") == "/organizations/acme/");
    CHECK(sets_session_cookie(result.response));
    CHECK(query_value(result.callback_url, "iss") == shared_provider().issuer());
    const auto me = gw.me(session_of(browser));
    REQUIRE(me->status == 200);
    const json member = json::parse(me->body).at("member");
    CHECK(member.at("id") == scim_id);
    CHECK(member.at("email") == ada().email);
    CHECK(member.at("state") == "active");
    CHECK(json::parse(me->body).at("session").at("method") == "oidc");
    const auto resource = gw.scim("GET", "/Users/" + scim_id);
    REQUIRE(resource->status == 200);
    CHECK(json::parse(resource->body).at("active") == true);
}

TEST_CASE("OIDC sign-in redeems the code with PKCE and client authentication") {
    OidcGateway gw;
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    const std::size_t before = shared_provider().token_requests().size();

    REQUIRE(gw.sign_in(browser).response.status == 303);

    const auto requests = shared_provider().token_requests();
    REQUIRE(requests.size() == before + 1);
    const TokenRequest& exchange = requests.back();
    CHECK(exchange.grant_type == "authorization_code");
    CHECK(exchange.code_verifier);
    CHECK(exchange.client_auth_method != "none");
    CHECK(exchange.status == 200);
}

TEST_CASE("OIDC sign-in picks up rotated provider keys by fetching the JWKS again") {
    OidcGateway gw;  // configuring fetched the JWKS
    const auto fetched = std::chrono::steady_clock::now();
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    REQUIRE(gw.sign_in(browser).response.status == 303);

    shared_provider().rotate_keys(/*keep_old=*/false);
    // Past the gateway's 5-second refetch interval, so the new kid may be fetched.
    std::this_thread::sleep_until(fetched + std::chrono::seconds(6));
    WebClient later(shared_provider().ca_file());
    const CallbackResult result = gw.sign_in(later);

    CHECK_MESSAGE(result.response.status == 303, gw.latest_refusal());
    CHECK(sets_session_cookie(result.response));
}

TEST_CASE("Google sign-in refuses an account of another hosted domain") {
    OidcGateway gw({.provider = SignInWith::google});
    WebClient browser(shared_provider().ca_file());

    const CallbackResult result = gw.sign_in(browser, otto().sub);

    check_refused(gw, result, "oidc.google.hosted_domain");
}

TEST_CASE("Google sign-in accepts an account of the configured hosted domain") {
    OidcGateway gw({.provider = SignInWith::google});
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());

    const CallbackResult result = gw.sign_in(browser, ada().sub);

    CHECK_MESSAGE(result.response.status == 303, gw.latest_refusal());
    CHECK(gw.me(session_of(browser))->status == 200);
}

TEST_CASE("OIDC sign-in refuses an unverified email and creates no member") {
    OidcGateway gw;
    const int members = gw.member_count();
    WebClient browser(shared_provider().ca_file());

    const CallbackResult result = gw.sign_in(browser, una().sub);

    check_refused(gw, result, "oidc.email_unverified");
    CHECK(gw.member_count() == members);
}

TEST_CASE("OIDC sign-in refuses a replayed callback: the state works once") {
    OidcGateway gw;
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    const CallbackResult first = gw.sign_in(browser);
    REQUIRE(first.response.status == 303);

    const CallbackResult replay{first.callback_url, browser.get(first.callback_url)};

    check_refused(gw, replay, "oidc.callback.unknown_state");
}

TEST_CASE("OIDC sign-in refuses a used authorization code presented with a fresh state") {
    OidcGateway gw;
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    const CallbackResult first = gw.sign_in(browser);
    REQUIRE(first.response.status == 303);
    const std::string used_code = query_value(first.callback_url, "code");

    // A new sign-in in the same browser whose state is fresh, answered with the used code.
    // The gateway exchanges it with the new login's PKCE verifier, but oidc-provider looks
    // for a consumed code before it checks PKCE, so what refuses it is the code's reuse.
    const std::string fresh = gw.reach_callback(browser);
    const std::string url = with_param(fresh, "code", used_code);
    const CallbackResult result{url, browser.get(url)};

    check_refused(gw, result, "oidc.token_endpoint.error");
    CHECK(shared_provider().token_requests().back().error == "invalid_grant");
    CHECK(gw.latest_failure().at("details").at("detail").get<std::string>().find("invalid_grant") !=
          std::string::npos);
}

TEST_CASE("OIDC sign-in refuses a callback from another browser and lets the first finish") {
    OidcGateway gw;
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    const std::string url = gw.reach_callback(browser);
    WebClient other(shared_provider().ca_file());

    const CallbackResult stolen{url, other.get(url)};

    check_refused(gw, stolen, "oidc.callback.browser_mismatch");
    const WebResponse own = browser.get(url);
    CHECK(own.status == 303);
    CHECK(sets_session_cookie(own));
}

TEST_CASE("OIDC sign-in refuses a member deactivated over SCIM") {
    OidcGateway gw;
    gw.set_active(gw.provision(ada().email), false);
    WebClient browser(shared_provider().ca_file());

    const CallbackResult result = gw.sign_in(browser);

    check_refused(gw, result, "oidc.member.deactivated");
}

TEST_CASE("OIDC session ends at once when SCIM deactivates the member") {
    OidcGateway gw;
    const std::string scim_id = gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    REQUIRE(gw.sign_in(browser).response.status == 303);
    const std::string session = session_of(browser);
    REQUIRE(gw.me(session)->status == 200);

    gw.set_active(scim_id, false);

    CHECK(gw.me(session)->status == 401);
}

TEST_CASE("OIDC sign-in still works while Require SSO refuses a member's password") {
    OidcGateway gw;
    const std::string password = "correct horse battery staple";
    gw.cli({"member", "add", "--org", "acme", "--email", ada().email, "--role", "member",
            "--password-stdin"},
           password + "\n");
    gw.cli({"auth", "set", "--org", "acme", "--require-sso", "on"});

    auto by_password = gw.client().Post("/auth/login/acme/",
                                        "email=" + gatehouse::util::url_encode(ada().email) +
                                            "&password=" + gatehouse::util::url_encode(password),
                                        "application/x-www-form-urlencoded");
    REQUIRE(by_password);
    CHECK(by_password->status == 303);
    CHECK(by_password->get_header_value("Location") == "/auth/login/acme/?reason=sso_required");
    CHECK(by_password->get_header_value("Set-Cookie").find(kSessionCookie) == std::string::npos);

    WebClient browser(shared_provider().ca_file());
    const CallbackResult result = gw.sign_in(browser);
    CHECK_MESSAGE(result.response.status == 303, gw.latest_refusal());
    const auto me = gw.me(session_of(browser));
    REQUIRE(me->status == 200);
    CHECK(json::parse(me->body).at("member").at("email") == ada().email);
}
