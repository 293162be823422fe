// The auth settings page's Require SSO, provider removal, Test configuration and SCIM forms
// through the real gateway: confirmations, refusals by the services, sessions ended, and a
// SCIM token shown once that works until it is revoked.
#include "settings_auth_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

TEST_CASE("Require SSO without the confirmation box is refused and stays off") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto res = page.post(cookie, "require-sso", {{"require_sso", "on"}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="confirm-error")"));
    CHECK(page.api_view()["require_sso"] == false);
    CHECK(page.get(cookie)->status == 200);
}

TEST_CASE("Require SSO with the confirmation turns it on and ends the password sessions") {
    AuthPage page;
    const std::string manager = page.manager();
    const std::string cookie = page.owner();
    auto form = page.get(cookie);
    CHECK(contains(form->body, "ends every password session in acme now (2 active)"));
    auto res = page.post(cookie, "require-sso", {{"require_sso", "on"}, {"confirm", "yes"}});
    CHECK(res->status == 200);
    CHECK(contains(res->body, "Require SSO is on. 2 password session(s) were ended."));
    CHECK(page.api_view()["require_sso"] == true);
    CHECK(page.get(manager)->status == 303);
    CHECK(page.get(cookie)->status == 303);
}

TEST_CASE("Require SSO turned on by an SSO-signed-in owner redirects with the count") {
    AuthPage page;
    page.manager();
    const std::string owner = page.gw.sign_in("root@example.com");
    auto res = page.post(owner, "require-sso", {{"require_sso", "on"}, {"confirm", "yes"}});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == kPage + "?saved=require-sso&ended=1");
    auto shown = page.get(owner, res->get_header_value("Location"));
    CHECK(contains(shown->body, "Require SSO is on. 1 password session(s) were ended."));
    CHECK(contains(shown->body, "Turn off Require SSO"));
    auto off = page.post(owner, "require-sso", {{"require_sso", "off"}});
    CHECK(off->status == 303);
    CHECK(page.api_view()["require_sso"] == false);
}

TEST_CASE("Require SSO refusals of the service are shown as the service's message") {
    AuthPage page;
    const std::string cookie = page.owner();
    REQUIRE(page.post(cookie, "provider/remove", {})->status == 303);
    auto res = page.post(cookie, "require-sso", {{"require_sso", "on"}, {"confirm", "yes"}});
    CHECK(res->status == 409);
    CHECK(contains(res->body, "notice-error"));
    CHECK(page.api_view()["require_sso"] == false);
}

TEST_CASE("removing the provider is refused while Require SSO is on") {
    AuthPage page;
    const std::string owner = page.gw.sign_in("root@example.com");
    REQUIRE(page.post(owner, "require-sso", {{"require_sso", "on"}, {"confirm", "yes"}})->status ==
            303);
    auto res = page.post(owner, "provider/remove", {});
    CHECK(res->status == 409);
    CHECK(contains(res->body, "Turn Require SSO off before removing the identity provider"));
    CHECK_FALSE(page.api_view()["saml"].is_null());
}

TEST_CASE("removing the provider clears it and disables Test configuration") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto res = page.post(cookie, "provider/remove", {});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == kPage + "?saved=removed");
    CHECK(page.api_view()["saml"].is_null());
    auto shown = page.get(cookie);
    CHECK(contains(shown->body, R"(aria-describedby="test-hint" disabled>Test configuration)"));
    CHECK(contains(shown->body, "Configure the identity provider first."));
}

TEST_CASE("refreshing metadata is refused for a provider not configured from a URL") {
    AuthPage page;
    auto res = page.post(page.owner(), "provider/refresh", {});
    CHECK(res->status == 422);
    CHECK(contains(res->body, "not configured from a metadata URL"));
}

TEST_CASE("Test configuration sends an owner to the IdP with a test AuthnRequest") {
    AuthPage page;
    auto res = page.post(page.owner(), "test", {});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location").rfind(kIdpSso, 0) == 0);
}

TEST_CASE("Test configuration is refused for a manager, as in the admin API") {
    AuthPage page;
    const std::string cookie = page.manager();
    CHECK(contains(page.get(cookie)->body, "Only an owner can run a test sign-in."));
    auto res = page.post(cookie, "test", {});
    CHECK(res->status == 403);
    CHECK(contains(res->body, "Only an owner can start a test sign-in."));
}

TEST_CASE("enabling SCIM shows a working token once, never again") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto res = page.post(cookie, "scim/enable", {});
    REQUIRE(res->status == 200);
    CHECK(res->get_header_value("Cache-Control") == "no-store");
    CHECK_FALSE(res->has_header("Location"));
    CHECK(contains(res->body, "Copy this token now; it is not shown again."));
    const std::string token =
        capture(res->body, R"re(<code id="scim-token" class="secret">([^<]+)</code>)re");
    REQUIRE_FALSE(token.empty());
    CHECK(page.scim_status(token) == 200);
    auto next = page.get(cookie);
    CHECK_FALSE(contains(next->body, token));
    CHECK(
        contains(next->body, R"(<code id="scim-base-url">)" +
                                 html(std::string(kBaseUrl) + "/api/0/organizations/acme/scim/v2") +
                                 "</code>"));
    CHECK_FALSE(contains(page.gw.server->log(), token));
}

TEST_CASE("a rotation token works alongside the old one until the old one is revoked") {
    AuthPage page;
    const std::string cookie = page.owner();
    const std::string first = page.enable_scim(cookie);
    auto rotated = page.post(cookie, "scim/tokens", {{"description", "okta 2027"}});
    REQUIRE(rotated->status == 200);
    const std::string second =
        capture(rotated->body, R"re(<code id="scim-token" class="secret">([^<]+)</code>)re");
    CHECK(page.scim_status(first) == 200);
    CHECK(page.scim_status(second) == 200);
    CHECK(contains(rotated->body, "okta 2027"));
}

TEST_CASE("revoking a SCIM token from the page makes it answer 401") {
    AuthPage page;
    const std::string cookie = page.owner();
    const std::string token = page.enable_scim(cookie);
    const std::string id = capture(page.get(cookie)->body, R"re(scim/tokens/(\d+)/revoke)re");
    REQUIRE_FALSE(id.empty());
    auto res = page.post(cookie, "scim/tokens/" + id + "/revoke", {});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == kPage + "?saved=token-revoked");
    CHECK(page.scim_status(token) == 401);
    auto again = page.post(cookie, "scim/tokens/" + id + "/revoke", {});
    CHECK(again->status == 404);
}

TEST_CASE("disabling SCIM from the page revokes every token") {
    AuthPage page;
    const std::string cookie = page.owner();
    const std::string token = page.enable_scim(cookie);
    auto res = page.post(cookie, "scim/disable", {});
    CHECK(res->status == 303);
    CHECK(page.scim_status(token) == 401);
    CHECK(page.api_view()["scim"]["enabled"] == false);
    CHECK(contains(page.get(cookie)->body, "Enable SCIM"));
}

TEST_CASE("removing a provider that is not there answers 409 on the page and on the API") {
    AuthPage page;
    const std::string cookie = page.owner();
    REQUIRE(page.post(cookie, "provider/remove", {})->status == 303);
    auto on_page = page.post(cookie, "provider/remove", {});
    CHECK(on_page->status == 409);
    CHECK(contains(on_page->body, "Single sign-on is not configured"));
    auto on_api = page.gw.client().Delete("/api/0/organizations/acme/auth/saml",
                                          {{"Authorization", "Bearer " + page.api_key}});
    REQUIRE(on_api);
    CHECK(on_api->status == on_page->status);
    CHECK(json::parse(on_api->body)["error"] == "saml.not_configured");
}

TEST_CASE("the audit log page and API refuse the same bad filter with 400") {
    AuthPage page;
    const std::string cookie = page.owner();
    const std::string reversed = "?since=2024-05-02&until=2024-05-01";
    auto on_page = page.get(cookie, "/settings/acme/audit-log/" + reversed);
    CHECK(on_page->status == 400);
    CHECK(contains(on_page->body, "The range must not end before it starts."));
    auto on_api = page.gw.client().Get("/api/0/organizations/acme/audit" + reversed,
                                       {{"Authorization", "Bearer " + page.api_key}});
    REQUIRE(on_api);
    CHECK(on_api->status == 400);
    const json body = json::parse(on_api->body);
    CHECK(body["error"] == "audit.filter_invalid");
    CHECK(body["message"] == "until: The range must not end before it starts.");
    auto huge = page.gw.client().Get("/api/0/organizations/acme/audit?page=99999999999",
                                     {{"Authorization", "Bearer " + page.api_key}});
    REQUIRE(huge);
    CHECK(huge->status == 400);
}
