// Login CSRF at the service level: every SP-initiated AuthnRequest is bound to the login
// cookie of the browser that started it, and the ACS accepts a Response to it only from that
// browser. IdP-initiated sign-in and unbound test sign-ins need no cookie.
#include <doctest/doctest.h>

#include "sso_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::TestLoginFixture;

namespace {

service::SsoFailure failure_of(const service::SsoResult<service::SignIn>& outcome) {
    REQUIRE(std::holds_alternative<service::SsoFailure>(outcome));
    return std::get<service::SsoFailure>(outcome);
}

service::SignIn sign_in_of(const service::SsoResult<service::SignIn>& outcome) {
    if (const auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
        FAIL(failure->error.code << ": " << failure->error.message);
    }
    return std::get<service::SignIn>(outcome);
}

}  // namespace

TEST_CASE("ACS refuses a Response posted without the login cookie and leaves the request pending") {
    TestLoginFixture f;
    const auto request_id = f.start_real();
    const auto response = f.response_for(request_id);
    CHECK(failure_of(f.sso.complete_login(f.org, response, "", "")).error.code ==
          "saml.response.browser_mismatch");
    CHECK(f.pending(request_id));
    CHECK(f.member_count() == 0);
}

TEST_CASE("ACS refuses a Response posted with another browser's login cookie") {
    TestLoginFixture f;
    const auto request_id = f.start_real();
    const std::string attacker = util::random_token(32);
    (void)f.start_real(attacker);  // the other browser is bound to requests of its own
    const auto response = f.response_for(request_id);
    CHECK(failure_of(f.sso.complete_login(f.org, response, "", attacker)).error.code ==
          "saml.response.browser_mismatch");
    CHECK(f.pending(request_id));
}

TEST_CASE("the browser that started the login signs in with the Response a mismatch left pending") {
    TestLoginFixture f;
    const auto request_id = f.start_real();
    const auto response = f.response_for(request_id);
    (void)failure_of(f.sso.complete_login(f.org, response, "", "another browser"));
    const auto signed_in = sign_in_of(f.sso.complete_login(f.org, response, "", f.browser));
    CHECK(signed_in.member.email == "ada@example.com");
    CHECK_FALSE(f.pending(request_id));
}

TEST_CASE("a browser mismatch is audited as a refused sign-in with its reason code") {
    TestLoginFixture f;
    (void)f.sso.complete_login(f.org, f.response_for(f.start_real()), "", "");
    const auto entries = f.audit("saml.sign_in");
    REQUIRE(entries.size() == 1);
    CHECK(entries.front().outcome == "failure");
    CHECK(entries.front().reason_code == "saml.response.browser_mismatch");
}

TEST_CASE("ACS accepts through accept_response only the browser bound to the request") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_real());
    auto refused = f.sso.accept_response(f.org, response, "", "");
    REQUIRE(std::holds_alternative<service::SsoFailure>(refused));
    CHECK(std::get<service::SsoFailure>(refused).error.code == "saml.response.browser_mismatch");
    auto accepted = f.sso.accept_response(f.org, response, "", f.browser);
    REQUIRE(std::holds_alternative<service::AcsResult>(accepted));
    CHECK(std::holds_alternative<service::SignIn>(std::get<service::AcsResult>(accepted)));
}

TEST_CASE("one login cookie binds several pending requests, as tabs and orgs share it") {
    TestLoginFixture f;
    const auto first = f.start_real();
    const auto second = f.start_real();
    (void)sign_in_of(f.sso.complete_login(f.org, f.response_for(second), "", f.browser));
    (void)sign_in_of(f.sso.complete_login(f.org, f.response_for(first), "", f.browser));
}

TEST_CASE("start_login stores only the SHA-256 of the login cookie") {
    TestLoginFixture f;
    const auto request_id = f.start_real();
    std::optional<store::PendingAuthnRequest> pending;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        pending = tx.pending_authn_request(f.org.id, request_id, f.clock.now());
        return {};
    }));
    REQUIRE(pending.has_value());
    REQUIRE(pending->browser_hash.has_value());
    CHECK(*pending->browser_hash == util::sha256(f.browser));
}

TEST_CASE("a sign-in request bound to no browser answers no Response") {
    TestLoginFixture f;
    // As a request stored before requests were bound to browsers.
    REQUIRE(f.db->write([&](store::Transaction& tx) {
        return tx.insert_authn_request(f.org.id, "_unbound", "/organizations/acme/",
                                       f.clock.now() + 600);
    }));
    CHECK(failure_of(f.sso.complete_login(f.org, f.response_for("_unbound"), "", f.browser))
              .error.code == "saml.response.browser_mismatch");
}

TEST_CASE("IdP-initiated sign-in needs no login cookie where the org allows it") {
    TestLoginFixture f;
    f.org.allow_idp_initiated = true;
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.update_org(f.org); }));
    (void)sign_in_of(f.sso.complete_login(f.org, f.response_for(""), "", ""));
}

TEST_CASE("a test sign-in bound to a browser is reported only to that browser") {
    TestLoginFixture f;
    const auto request_id = f.start_test("member:7", f.browser);
    const auto response = f.response_for(request_id);
    const auto refused = f.sso.complete_test_login(f.org, response, "another browser");
    REQUIRE(refused.failure.has_value());
    CHECK(refused.failure->code == "saml.response.browser_mismatch");
    CHECK(f.pending(request_id));
    CHECK(f.sso.complete_test_login(f.org, response, f.browser).passed);
}

TEST_CASE("the ACS reports a mismatched test Response as a failed test, signing nobody in") {
    TestLoginFixture f;
    const auto response = f.response_for(f.start_test("member:7", f.browser));
    auto outcome = f.sso.accept_response(f.org, response, "", "");
    REQUIRE(std::holds_alternative<service::AcsResult>(outcome));
    const auto& accepted = std::get<service::AcsResult>(outcome);
    REQUIRE(std::holds_alternative<service::TestReport>(accepted));
    const auto& report = std::get<service::TestReport>(accepted);
    CHECK_FALSE(report.passed);
    REQUIRE(report.failure.has_value());
    CHECK(report.failure->code == "saml.response.browser_mismatch");
    CHECK(f.member_count() == 0);
}

TEST_CASE("a test sign-in started from the API or the CLI is reported to any browser") {
    TestLoginFixture f;
    CHECK(f.sso.complete_test_login(f.org, f.response_for(f.start_test("cli")), "").passed);
}
