// Sign-in with a GitHub OAuth App end to end, against the loopback GitHub stand-in: who is
// let in (a member of an allowed GitHub organization, linked by a verified primary email)
// and who is refused.
#include <doctest/doctest.h>

#include "oidc_gateway.hpp"

using namespace gatehouse::testing;
using namespace gatehouse::testing::oidc_it;

TEST_CASE("GitHub sign-in links a user of an allowed org to the SCIM member by verified email") {
    OidcGateway gw({.provider = SignInWith::github});
    const std::string scim_id = gw.provision("grace@example.com", "Grace", "Hopper");
    WebClient browser(shared_github().ca_file());

    const CallbackResult result = gw.sign_in_with_github(browser, "grace");

    REQUIRE_MESSAGE(result.response.status == 303, gw.latest_refusal());
    CHECK(sets_session_cookie(result.response));
    const auto me = gw.me(session_of(browser));
    REQUIRE(me->status == 200);
    const json member = json::parse(me->body).at("member");
    CHECK(member.at("id") == scim_id);
    CHECK(member.at("email") == "grace@example.com");
    CHECK(member.at("state") == "active");
}

TEST_CASE("GitHub sign-in refuses a user outside the allowed orgs") {
    OidcGateway gw({.provider = SignInWith::github});
    gw.provision("linus@example.com", "Linus", "Outside");
    WebClient browser(shared_github().ca_file());

    const CallbackResult result = gw.sign_in_with_github(browser, "linus");

    check_refused(gw, result, "github.org_not_allowed");
    CHECK(session_of(browser).empty());
}

TEST_CASE("GitHub sign-in refuses a user whose primary email is unverified") {
    OidcGateway gw({.provider = SignInWith::github});
    gw.provision("kim@example.com", "Kim", "Unverified");
    WebClient browser(shared_github().ca_file());

    const CallbackResult result = gw.sign_in_with_github(browser, "kim");

    check_refused(gw, result, "github.email.unverified");
    CHECK(session_of(browser).empty());
}
