// The settings page's Test configuration starts an SP-initiated request like the Login URL
// does, bound to the owner's browser: the report is shown to that browser, and a Response
// posted from any other is reported as a failed check, leaving the test pending.
#include "settings_auth_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// The test AuthnRequest the settings form started, and the login cookie it set.
struct StartedTest {
    std::string request_id;
    std::string login_cookie;  // "gh_login=…"
};

StartedTest start_test(AuthPage& page) {
    auto res = page.post(page.owner(), "test", {});
    REQUIRE(res->status == 303);
    const std::string header = res->get_header_value("Set-Cookie");
    REQUIRE(header.rfind("gh_login=", 0) == 0);
    StartedTest started;
    started.login_cookie = header.substr(0, header.find(';'));
    // httplib hands the Location over percent-decoded, which leaves the base64 of the
    // deflated AuthnRequest as it was before encoding.
    const std::string location = res->get_header_value("Location");
    const auto from = location.find("SAMLRequest=") + 12;
    const auto deflated =
        util::base64_decode(location.substr(from, location.find('&', from) - from));
    REQUIRE(deflated.has_value());
    auto xml = util::inflate_raw(*deflated, 1 << 20);
    REQUIRE(xml.ok());
    started.request_id = root_id(*xml);
    return started;
}

}  // namespace

TEST_CASE("Test configuration sets the login cookie and reports to the owner's browser") {
    AuthPage page;
    const auto started = start_test(page);
    auto report = page.gw.post_acs_from(
        started.login_cookie, page.gw.response_for(started.request_id, "ada@example.com"));
    REQUIRE(report);
    CHECK(report->status == 200);
    CHECK_MESSAGE(contains(report->body, "SAML test sign-in: passed"), report->body);
}

TEST_CASE("Test configuration's Response posted from another browser is reported as failed") {
    AuthPage page;
    const auto started = start_test(page);
    const std::string response = page.gw.response_for(started.request_id, "ada@example.com");
    auto other = page.gw.post_acs_from("", response);
    REQUIRE(other);
    CHECK(other->status == 200);
    CHECK_FALSE(other->has_header("Set-Cookie"));
    CHECK(contains(other->body, "saml.response.browser_mismatch"));
    CHECK_FALSE(contains(other->body, "SAML test sign-in: passed"));
    // Still pending for the owner's browser.
    auto own = page.gw.post_acs_from(started.login_cookie, response);
    REQUIRE(own);
    CHECK(contains(own->body, "SAML test sign-in: passed"));
}
