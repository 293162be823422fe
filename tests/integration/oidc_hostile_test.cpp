// Hostile ID tokens from a real provider: oidc-provider answers the gateway's code exchange
// with a token that is wrong in exactly one way, and the gateway must refuse the sign-in
// with the reason code of that defect, show the browser only a reference, and start no
// session.
#include <doctest/doctest.h>

#include "oidc_gateway.hpp"

using namespace gatehouse::testing;
using namespace gatehouse::testing::oidc_it;

namespace {

// Signs Ada (a SCIM-provisioned member) in on a fresh gateway while the provider answers
// with an ID token spoiled by `mutation`; checks the refusal against `reason`.
void check_sign_in_refused(IdTokenMutation mutation, const std::string& reason) {
    OidcGateway gw;
    gw.provision(ada().email);
    WebClient browser(shared_provider().ca_file());
    const std::string url = gw.reach_callback(browser);

    shared_provider().mutate_next_token(mutation);
    const CallbackResult result{url, browser.get(url)};

    check_refused(gw, result, reason);
    CHECK(session_of(browser).empty());
}

}  // namespace

TEST_CASE("OIDC sign-in refuses an ID token whose nonce is not the login's") {
    check_sign_in_refused(IdTokenMutation::wrong_nonce, "oidc.token.nonce");
}

TEST_CASE("OIDC sign-in refuses an ID token issued to another client") {
    check_sign_in_refused(IdTokenMutation::wrong_audience, "oidc.token.audience");
}

TEST_CASE("OIDC sign-in refuses an expired ID token") {
    check_sign_in_refused(IdTokenMutation::expired, "oidc.token.expired");
}

TEST_CASE("OIDC sign-in refuses an ID token changed after signing") {
    check_sign_in_refused(IdTokenMutation::tampered, "oidc.token.signature");
}

TEST_CASE("OIDC sign-in refuses an unsigned ID token (alg none)") {
    check_sign_in_refused(IdTokenMutation::alg_none, "oidc.token.algorithm");
}

TEST_CASE("OIDC sign-in refuses an ID token signed with HS256 and the client secret") {
    check_sign_in_refused(IdTokenMutation::hs256, "oidc.token.algorithm");
}

TEST_CASE("OIDC sign-in refuses an ID token from another issuer") {
    check_sign_in_refused(IdTokenMutation::wrong_issuer, "oidc.token.issuer");
}

// The first unknown kid after configuring may or may not fetch the JWKS again (at most one
// fetch per 5 s); the key is never published, so the sign-in is refused either way.
TEST_CASE("OIDC sign-in refuses an ID token signed by a key the provider never published") {
    check_sign_in_refused(IdTokenMutation::unknown_kid, "oidc.token.unknown_key");
}
