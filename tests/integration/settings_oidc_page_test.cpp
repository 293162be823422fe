// The OpenID Connect / GitHub card of the auth settings page: what it shows, and the form's
// refusals, each shown next to its field with nothing changed. Saving a provider against a
// real OpenID provider is covered by the OpenID integration and browser tests.
#include "settings_auth_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

TEST_CASE("auth settings page shows the OpenID redirect URI to copy") {
    AuthPage page;
    auto res = page.get(page.owner());
    REQUIRE(res->status == 200);
    CHECK(contains(res->body, R"(id="oidc-callback-url">)" + html(kBaseUrl) +
                                  html("/auth/callback/acme/") + "</code>"));
    CHECK(contains(res->body, R"(data-copy-from="oidc-callback-url")"));
    CHECK(contains(res->body, R"(id="oidc-form")"));
}

TEST_CASE("an OpenID provider form with an http issuer is refused next to the issuer") {
    AuthPage page;
    auto res = page.post(page.owner(), "oidc",
                         {{"oidc_kind", "oidc"},
                          {"oidc_issuer", "http://op.example.test"},
                          {"oidc_client_id", "client"},
                          {"oidc_client_secret", "typed-secret-5521"}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="oidc-issuer-error")"));
    CHECK(contains(res->body, "value=\"" + html("http://op.example.test") + "\""));
    CHECK_FALSE(contains(res->body, "typed-secret-5521"));
    CHECK(page.api_view()["oidc"].is_null());
    CHECK(page.api_view()["saml"]["idp_entity_id"] == page.gw.idp.entity_id());
}

TEST_CASE("a GitHub provider form without an organization is refused next to the organizations") {
    AuthPage page;
    auto res = page.post(page.owner(), "oidc",
                         {{"oidc_kind", "github"},
                          {"oidc_client_id", "Ov23abc"},
                          {"oidc_client_secret", "secret"},
                          {"oidc_allowed_orgs", ""}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="oidc-allowed-orgs-error")"));
    CHECK(page.api_view()["oidc"].is_null());
}

TEST_CASE("a manager's OpenID provider form is refused with 403, nothing changed") {
    AuthPage page;
    auto res = page.post(page.manager(), "oidc",
                         {{"oidc_kind", "github"},
                          {"oidc_client_id", "Ov23abc"},
                          {"oidc_client_secret", "secret"},
                          {"oidc_allowed_orgs", "acme-corp"}});
    CHECK(res->status == 403);
    CHECK(page.api_view()["oidc"].is_null());
    CHECK(page.api_view()["saml"]["idp_entity_id"] == page.gw.idp.entity_id());
}

TEST_CASE("an owner's GitHub provider form replaces SAML, and the page never shows the secret") {
    AuthPage page;
    const std::string owner = page.owner();
    auto res = page.post(owner, "oidc",
                         {{"oidc_kind", "github"},
                          {"oidc_client_id", "Ov23abc"},
                          {"oidc_client_secret", "github-secret-8841"},
                          {"oidc_allowed_orgs", "Acme-Corp\nacme-labs"}});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == kPage + std::string("?saved=oidc"));
    const auto view = page.api_view();
    CHECK(view["saml"].is_null());
    CHECK(view["oidc"]["kind"] == "github");
    CHECK(view["oidc"]["allowed_orgs"] == nlohmann::json::array({"acme-corp", "acme-labs"}));
    CHECK(view["oidc"]["client_secret_set"] == true);
    CHECK(view.dump().find("github-secret-8841") == std::string::npos);
    auto shown = page.get(owner);
    CHECK(contains(shown->body, R"(id="oidc-current-client-id">Ov23abc</code>)"));
    CHECK_FALSE(contains(shown->body, "github-secret-8841"));
}

TEST_CASE(
    "the login URL of an org that signs in with GitHub goes to GitHub, bound to the browser") {
    AuthPage page;
    page.post(page.owner(), "oidc",
              {{"oidc_kind", "github"},
               {"oidc_client_id", "Ov23abc"},
               {"oidc_client_secret", "secret"},
               {"oidc_allowed_orgs", "acme-corp"}});
    auto res = page.gw.client().Get("/auth/login/acme/");
    REQUIRE(res);
    CHECK(res->status == 302);
    const std::string location = res->get_header_value("Location");
    CHECK(location.rfind("https://github.com/login/oauth/authorize?", 0) == 0);
    CHECK(contains(location, "client_id=Ov23abc"));
    CHECK(contains(location, "code_challenge_method=S256"));
    CHECK(contains(res->get_header_value("Set-Cookie"), "gh_login="));
}
