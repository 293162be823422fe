// The SLS acts on each IdP-initiated LogoutRequest once: its ID is remembered, and the same
// request sent again is refused without ending any session.
#include <doctest/doctest.h>

#include "gatehouse/util/time.hpp"
#include "sso_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::TestLoginFixture;

namespace {

// A LogoutRequest for `name_id` from the test IdP, as the raw query of a Redirect-binding GET.
std::string logout_request_query(const TestLoginFixture& f, const std::string& id,
                                 const std::string& name_id) {
    const std::string xml =
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" +
        id + "\" Version=\"2.0\" IssueInstant=\"" + util::format_iso8601(f.clock.now()) +
        "\" Destination=\"" + f.endpoints.sls_url + "\"><saml:Issuer>" +
        testing::shared_test_idp().entity_id() + "</saml:Issuer><saml:NameID>" + name_id +
        "</saml:NameID></samlp:LogoutRequest>";
    const std::string octets =
        "SAMLRequest=" + util::url_encode(util::base64_encode(util::deflate_raw(xml))) +
        "&SigAlg=" + util::url_encode("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    return octets + "&Signature=" +
           util::url_encode(util::base64_encode(testing::shared_test_idp().sign_bytes(octets)));
}

std::string signed_in_token(TestLoginFixture& f) {
    auto outcome = f.sso.complete_login(f.org, f.response_for(f.start_real()), "", f.browser);
    REQUIRE(std::holds_alternative<service::SignIn>(outcome));
    return std::get<service::SignIn>(outcome).session.token;
}

bool session_alive(TestLoginFixture& f, const std::string& token) {
    return service::resolve_session(*f.db, token, {}, f.clock.now()).has_value();
}

}  // namespace

TEST_CASE("SLS refuses a replayed LogoutRequest and leaves the newer session alone") {
    TestLoginFixture f;
    const std::string query = logout_request_query(f, "_idp-logout-1", "ada@example.com");
    const std::string first_session = signed_in_token(f);
    auto first = f.sso.single_logout(f.org, query, {});
    REQUIRE(std::holds_alternative<service::LogoutRedirect>(first));
    CHECK_FALSE(session_alive(f, first_session));

    const std::string newer_session = signed_in_token(f);
    auto replayed = f.sso.single_logout(f.org, query, {});
    REQUIRE(std::holds_alternative<service::SsoFailure>(replayed));
    CHECK(std::get<service::SsoFailure>(replayed).error.code == "saml.logout.replay");
    CHECK(session_alive(f, newer_session));
}

TEST_CASE("a replayed LogoutRequest is audited with its reason code") {
    TestLoginFixture f;
    const std::string query = logout_request_query(f, "_idp-logout-1", "ada@example.com");
    REQUIRE(std::holds_alternative<service::LogoutRedirect>(f.sso.single_logout(f.org, query, {})));
    (void)f.sso.single_logout(f.org, query, {});
    const auto entries = f.audit("saml.logout");
    REQUIRE(entries.size() == 2);
    CHECK(entries.front().outcome == "failure");
    CHECK(entries.front().reason_code == "saml.logout.replay");
    CHECK(entries.back().outcome == "success");
}

TEST_CASE("LogoutRequests with different IDs are each acted on") {
    TestLoginFixture f;
    for (const std::string id : {"_idp-logout-1", "_idp-logout-2"}) {
        CAPTURE(id);
        const std::string token = signed_in_token(f);
        auto outcome =
            f.sso.single_logout(f.org, logout_request_query(f, id, "ada@example.com"), {});
        REQUIRE(std::holds_alternative<service::LogoutRedirect>(outcome));
        CHECK_FALSE(session_alive(f, token));
    }
}

TEST_CASE("a LogoutRequest ID is remembered for the configured replay lifetime, then forgotten") {
    TestLoginFixture f;
    const std::string query = logout_request_query(f, "_idp-logout-1", "ada@example.com");
    REQUIRE(std::holds_alternative<service::LogoutRedirect>(f.sso.single_logout(f.org, query, {})));
    bool seen_before = false;
    bool seen_after = false;
    const util::UnixTime expires = f.clock.now() + f.sso.settings().logout_replay_seconds;
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        seen_before = tx.logout_request_seen(f.org.id, "_idp-logout-1", expires - 1);
        seen_after = tx.logout_request_seen(f.org.id, "_idp-logout-1", expires);
        return {};
    }));
    CHECK(seen_before);
    CHECK_FALSE(seen_after);
}

TEST_CASE("a LogoutRequest ID outlives a short floor while the SAML layer would still accept it") {
    TestLoginFixture f;
    auto settings = TestLoginFixture::settings();
    settings.logout_replay_seconds = 1;
    service::SsoService sso(*f.db, f.clock, settings, testing::sp_credentials());
    const std::string query = logout_request_query(f, "_idp-logout-1", "ada@example.com");
    REQUIRE(std::holds_alternative<service::LogoutRedirect>(sso.single_logout(f.org, query, {})));
    // Its IssueInstant keeps it acceptable for max_issue_age_seconds (300) plus the skew.
    f.clock.advance(120);
    auto replayed = sso.single_logout(f.org, query, {});
    REQUIRE(std::holds_alternative<service::SsoFailure>(replayed));
    CHECK(std::get<service::SsoFailure>(replayed).error.code == "saml.logout.replay");
}
