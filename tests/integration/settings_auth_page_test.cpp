// The auth settings page (/settings/{org}/auth/) through the real gateway: who may open it,
// the values it shows, CSRF and Origin refusal of its forms, errors shown next to fields with
// nothing changed, and the provider, mapping and sign-in option forms.
#include "settings_auth_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

TEST_CASE("auth settings page shows every service provider value an IdP admin copies") {
    AuthPage page;
    auto res = page.get(page.owner());
    REQUIRE(res->status == 200);
    const std::string base = kBaseUrl;
    const auto shows = [&](const std::string& id, const std::string& path) {
        return contains(res->body, "<code id=\"" + id + "\">" + html(base + path) + "</code>");
    };
    CHECK(shows("sp-entity-id", "/saml/metadata/acme/"));
    CHECK(shows("sp-acs-url", "/saml/acs/acme/"));
    CHECK(shows("sp-sls-url", "/saml/sls/acme/"));
    CHECK(shows("sp-login-url", "/auth/login/acme/"));
    CHECK(shows("sp-relay-state", "/organizations/acme/"));
    CHECK(shows("sp-metadata-url", "/saml/metadata/acme/"));
    CHECK(contains(res->body, R"(data-copy-from="sp-acs-url")"));
}

TEST_CASE("auth settings page shows the configured IdP and its certificate fingerprint") {
    AuthPage page;
    auto res = page.get(page.owner());
    REQUIRE(res->status == 200);
    CHECK(contains(res->body, html(page.gw.idp.entity_id())));
    CHECK(contains(res->body, html(kIdpSso)));
    const std::string fingerprint =
        page.api_view()["saml"]["certificates"][0]["sha256_fingerprint"];
    CHECK(contains(res->body, fingerprint));
    CHECK_FALSE(contains(res->body, "badge-bad\">Expired"));
}

TEST_CASE("auth settings page sends a visitor who is not signed in to sign-in with next") {
    AuthPage page;
    CHECK(page.get("")->status == 303);
    CHECK(page.gw.location_of(kPage) == "/auth/login/acme/?next=%2Fsettings%2Facme%2Fauth%2F");
}

TEST_CASE("auth settings page refuses a plain member with 403 and lets a manager in") {
    AuthPage page;
    CHECK(page.get(page.sign_in("bob@example.com", kPassword))->status == 403);
    CHECK(page.get(page.manager())->status == 200);
}

TEST_CASE("auth settings page carries the security headers") {
    AuthPage page;
    auto res = page.get(page.owner());
    REQUIRE(res->status == 200);
    CHECK(contains(res->get_header_value("Content-Security-Policy"), "frame-ancestors 'none'"));
    CHECK_FALSE(contains(res->get_header_value("Content-Security-Policy"), "unsafe-inline"));
    CHECK(res->get_header_value("X-Frame-Options") == "DENY");
    CHECK(res->get_header_value("Cache-Control") == "no-store");
}

TEST_CASE("auth settings page lets its forms redirect to the IdP's origin and nowhere else") {
    AuthPage page;
    auto res = page.get(page.owner());
    REQUIRE(res->status == 200);
    const std::string sso = kIdpSso;
    const std::string origin = sso.substr(0, sso.find('/', sso.find("://") + 3));
    CHECK(contains(res->get_header_value("Content-Security-Policy"),
                   "form-action 'self' " + origin + ";"));
    CHECK(res->get_header_value_count("Content-Security-Policy") == 1);
}

TEST_CASE("every auth settings form without a csrf_token is refused with 403, nothing changed") {
    AuthPage page;
    const std::string cookie = page.owner();
    page.enable_scim(cookie);  // so that revoking and disabling would change something
    const json before = page.api_view();
    REQUIRE(before["scim"]["tokens"][0]["id"] == 1);
    for (auto& [action, fields] : every_form(page)) {
        auto body = form_body(fields);
        auto res =
            page.gw.client().Post(kPage + action, {{"Cookie", "gatehouse_session=" + cookie}}, body,
                                  "application/x-www-form-urlencoded");
        REQUIRE(res);
        CHECK_MESSAGE(res->status == 403, action);
    }
    CHECK(page.api_view() == before);
}

TEST_CASE("every auth settings form with a wrong csrf_token is refused with 403, nothing changed") {
    AuthPage page;
    const std::string cookie = page.owner();
    page.enable_scim(cookie);  // so that revoking and disabling would change something
    const json before = page.api_view();
    REQUIRE(before["scim"]["tokens"][0]["id"] == 1);
    for (auto& [action, fields] : every_form(page)) {
        fields.emplace_back("csrf_token", util::sha256_hex("a guess"));
        CHECK_MESSAGE(page.post(cookie, action, fields)->status == 403, action);
    }
    CHECK(page.api_view() == before);
}

TEST_CASE("an auth settings form sent from a foreign Origin is refused with 403") {
    AuthPage page;
    const std::string cookie = page.owner();
    const json before = page.api_view();
    auto res = page.post(cookie, "options", {{"default_role", "admin"}},
                         {{"Origin", "https://evil.example"}});
    CHECK(res->status == 403);
    CHECK(page.api_view() == before);
    auto same_site =
        page.post(cookie, "options", {{"default_role", "admin"}}, {{"Origin", kBaseUrl}});
    CHECK(same_site->status == 303);
}

TEST_CASE("a plain member's form post is refused with 403") {
    AuthPage page;
    const std::string cookie = page.sign_in("bob@example.com", kPassword);
    auto res = page.gw.client().Post(kPage + "options", {{"Cookie", "gatehouse_session=" + cookie}},
                                     form_body({{"default_role", "admin"}}),
                                     "application/x-www-form-urlencoded");
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(page.api_view()["default_role"] == "member");
}

TEST_CASE("malformed metadata XML re-renders the page with the error next to the field") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto res = page.post(cookie, "metadata-xml", {{"metadata_xml", "<EntityDescriptor <nope"}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="metadata-xml-error")"));
    CHECK(contains(res->body, R"(aria-describedby="metadata-xml-error")"));
    CHECK(contains(res->body, "&lt;EntityDescriptor &lt;nope</textarea>"));
    CHECK(page.api_view()["saml"]["idp_entity_id"] == page.gw.idp.entity_id());
}

TEST_CASE("an empty metadata URL is refused next to its field and changes nothing") {
    AuthPage page;
    auto res = page.post(page.owner(), "metadata-url", {{"metadata_url", ""}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="metadata-url-error")"));
    CHECK(page.api_view()["saml"]["idp_entity_id"] == page.gw.idp.entity_id());
}

TEST_CASE("a manual configuration without a certificate is refused next to the certificate") {
    AuthPage page;
    auto res = page.post(page.owner(), "manual",
                         {{"idp_entity_id", "https://new-idp.test"},
                          {"sso_url", "https://new-idp.test/sso"},
                          {"certificate", ""}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="certificate-error")"));
    CHECK(contains(res->body, "value=\"" + html("https://new-idp.test/sso") + "\""));
    CHECK(page.api_view()["saml"]["idp_entity_id"] == page.gw.idp.entity_id());
}

TEST_CASE("a manual configuration with an SSO URL that is not http(s) is refused next to it") {
    AuthPage page;
    auto res = page.post(page.owner(), "manual",
                         {{"idp_entity_id", "https://new-idp.test"},
                          {"sso_url", "ftp://new-idp.test/sso"},
                          {"certificate", manual_certificate(page)}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="sso-url-error")"));
    CHECK(page.api_view()["saml"]["idp_entity_id"] == page.gw.idp.entity_id());
}

TEST_CASE("a valid manual configuration answers 303 and the admin API shows it") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto res = page.post(cookie, "manual",
                         {{"idp_entity_id", "https://new-idp.test"},
                          {"sso_url", "https://new-idp.test/sso"},
                          {"slo_url", "https://new-idp.test/slo"},
                          {"certificate", manual_certificate(page)}});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == kPage + "?saved=provider");
    const json view = page.api_view();
    CHECK(view["saml"]["idp_entity_id"] == "https://new-idp.test");
    CHECK(view["saml"]["slo_url"] == "https://new-idp.test/slo");
    auto shown = page.get(cookie, kPage + "?saved=provider");
    CHECK(contains(shown->body, "The identity provider was saved."));
    CHECK(contains(shown->body, html("https://new-idp.test/sso")));
}

TEST_CASE("valid metadata XML configures the provider and keeps the attribute mapping") {
    AuthPage page;
    const std::string cookie = page.owner();
    REQUIRE(page.post(cookie, "mapping", {{"map_email", "mail"}})->status == 303);
    const std::string xml =
        R"(<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://xml-idp.test">)"
        R"(<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">)"
        R"(<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">)"
        R"(<ds:X509Data><ds:X509Certificate>)" +
        capture(manual_certificate(page),
                "-----BEGIN CERTIFICATE-----\\s*([\\s\\S]*?)\\s*-----END CERTIFICATE-----") +
        R"(</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>)"
        R"(<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://xml-idp.test/sso"/>)"
        R"(</md:IDPSSODescriptor></md:EntityDescriptor>)";
    auto res = page.post(cookie, "metadata-xml", {{"metadata_xml", xml}});
    CHECK_MESSAGE(res->status == 303, res->body);
    const json view = page.api_view();
    CHECK(view["saml"]["idp_entity_id"] == "https://xml-idp.test");
    CHECK(view["saml"]["mapping"]["email"] == "mail");
}

TEST_CASE("a value with <script> in it is escaped on the auth settings page") {
    AuthPage page;
    const std::string cookie = page.owner();
    REQUIRE(page.post(cookie, "mapping", {{"map_email", "<script>alert(1)</script>"}})->status ==
            303);
    auto res = page.get(cookie);
    CHECK_FALSE(contains(res->body, "<script>alert(1)"));
    CHECK(contains(res->body, "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
}

TEST_CASE("the attribute mapping form saves every attribute name") {
    AuthPage page;
    auto res = page.post(page.owner(), "mapping",
                         {{"map_user_id", "uid"},
                          {"map_email", "mail"},
                          {"map_first_name", "given"},
                          {"map_last_name", "sn"},
                          {"map_role", "gatehouseRole"},
                          {"map_groups", "memberOf"}});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == kPage + "?saved=mapping");
    const json mapping = page.api_view()["saml"]["mapping"];
    CHECK(mapping == json{{"user_id", "uid"},
                          {"email", "mail"},
                          {"first_name", "given"},
                          {"last_name", "sn"},
                          {"role", "gatehouseRole"},
                          {"groups", "memberOf"}});
}

TEST_CASE("the provider preset form fills the mapping with the preset's names") {
    AuthPage page;
    auto res = page.post(page.owner(), "preset", {{"preset", "okta"}});
    CHECK(res->status == 303);
    const json view = page.api_view();
    CHECK(view["saml"]["preset"] == "okta");
    CHECK_FALSE(view["saml"]["mapping"]["email"].get<std::string>().empty());
    auto unknown = page.post(page.owner(), "preset", {{"preset", "nonsense"}});
    CHECK(unknown->status == 400);
    CHECK(contains(unknown->body, R"(id="preset-error")"));
}

TEST_CASE("the sign-in options form saves the default role and both checkboxes") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto res =
        page.post(cookie, "options",
                  {{"default_role", "manager"}, {"switches", "on"}, {"allow_idp_initiated", "on"}});
    CHECK(res->status == 303);
    json view = page.api_view();
    CHECK(view["default_role"] == "manager");
    CHECK(view["jit_provisioning"] == false);
    CHECK(view["allow_idp_initiated"] == true);
    auto owner_role = page.post(cookie, "options", {{"default_role", "owner"}});
    CHECK(owner_role->status == 400);
    auto unknown_role = page.post(cookie, "options", {{"default_role", "emperor"}});
    CHECK(unknown_role->status == 400);
    CHECK(contains(unknown_role->body, R"(id="default-role-error")"));
    CHECK(page.api_view()["default_role"] == "manager");
}

namespace {

// A self-signed certificate valid from `from` for `days` days.
std::string certificate_valid(util::UnixTime from, int days) {
    auto generated = saml::generate_sp_credentials("idp.example", util::FixedClock(from), days);
    REQUIRE(generated.ok());
    return generated->certificate_pem;
}

void configure_manually(AuthPage& page, const std::string& cookie, const std::string& pem) {
    auto res = page.post(cookie, "manual",
                         {{"idp_entity_id", "https://idp.example"},
                          {"sso_url", "https://idp.example/sso"},
                          {"certificate", pem}});
    REQUIRE_MESSAGE(res->status == 303, res->body);
}

}  // namespace

TEST_CASE("an IdP certificate expiring within 30 days is flagged Expires soon") {
    AuthPage page;
    const std::string cookie = page.owner();
    configure_manually(page, cookie, certificate_valid(util::SystemClock{}.now() - 86400, 10));
    auto res = page.get(cookie);
    CHECK(contains(res->body, R"(<span class="badge badge-warn">Expires soon</span>)"));
    CHECK_FALSE(contains(res->body, "Expired</span>"));
}

TEST_CASE("an expired IdP certificate is flagged Expired") {
    AuthPage page;
    const std::string cookie = page.owner();
    configure_manually(page, cookie, certificate_valid(util::SystemClock{}.now() - 40 * 86400, 20));
    auto res = page.get(cookie);
    CHECK(contains(res->body, R"(<span class="badge badge-bad">Expired</span>)"));
    CHECK_FALSE(contains(res->body, "Expires soon</span>"));
}

TEST_CASE("a metadata URL that cannot be fetched is refused next to its field, nothing changed") {
    AuthPage page;
    auto res = page.post(page.owner(), "metadata-url",
                         {{"metadata_url", "http://127.0.0.1:1/metadata.xml"}});
    CHECK(res->status == 422);
    CHECK(contains(res->body, R"(id="metadata-url-error")"));
    CHECK(contains(res->body, "value=\"" + html("http://127.0.0.1:1/metadata.xml") + "\""));
    CHECK(page.api_view()["saml"]["idp_entity_id"] == page.gw.idp.entity_id());
}

TEST_CASE("a refused sign-in options form is shown again as it was sent") {
    AuthPage page;
    auto res = page.post(page.owner(), "options",
                         {{"default_role", "owner"}, {"allow_idp_initiated", "on"}});
    CHECK(res->status == 400);
    CHECK(contains(res->body, R"(id="default-role-error")"));
    CHECK(contains(res->body,
                   R"(id="allow-idp-initiated" name="allow_idp_initiated" value="on" checked)"));
    CHECK_FALSE(contains(res->body, R"(name="jit_provisioning" value="on" checked)"));
    const json view = page.api_view();
    CHECK(view["allow_idp_initiated"] == false);
    CHECK(view["jit_provisioning"] == true);
}

TEST_CASE("a manager sees the owner-only controls disabled, with the reason") {
    AuthPage page;
    auto res = page.get(page.manager());
    REQUIRE(res->status == 200);
    CHECK(
        contains(res->body, "Only an owner can change this: it decides who can sign in as whom."));
    CHECK(contains(res->body, R"(disabled aria-describedby="idp-owner-only">Remove provider)"));
    CHECK(contains(res->body, R"(<fieldset disabled aria-describedby="options-owner-only">)"));
    CHECK(contains(res->body, R"(<fieldset disabled aria-describedby="validation-owner-only">)"));
    CHECK(contains(res->body, R"(disabled aria-describedby="require-sso-owner-only">)"));
    CHECK(contains(res->body, R"(disabled aria-describedby="scim-owner-only">Enable SCIM)"));
    // The default role stays a manager's to change.
    CHECK(contains(res->body, R"(<select id="default-role" name="default_role")"));
    auto owner = page.get(page.owner());
    CHECK_FALSE(contains(owner->body, "Only an owner can change this"));
    CHECK_FALSE(contains(owner->body, "<fieldset disabled"));
}

TEST_CASE("every owner-only auth settings form a manager posts is refused with 403") {
    AuthPage page;
    page.enable_scim(page.owner());  // so that revoking and disabling would change something
    const json before = page.api_view();
    const std::string cookie = page.manager();
    for (auto& [action, fields] : every_form(page)) {
        if (action == "options") continue;  // the default role is a manager's to change
        auto res = page.post(cookie, action, fields);
        CHECK_MESSAGE(res->status == 403, action);
        CHECK_MESSAGE(contains(res->body, "Only an owner"), action);
    }
    auto switches = page.post(cookie, "options",
                              {{"default_role", "member"},
                               {"switches", "on"},
                               {"jit_provisioning", "on"},
                               {"allow_idp_initiated", "on"}});
    CHECK(switches->status == 403);
    CHECK(page.api_view() == before);
}

TEST_CASE("a manager's sign-in options form changes the default role and nothing else") {
    AuthPage page;
    auto res = page.post(page.manager(), "options", {{"default_role", "billing"}});
    CHECK(res->status == 303);
    const json view = page.api_view();
    CHECK(view["default_role"] == "billing");
    CHECK(view["jit_provisioning"] == true);
    CHECK(view["allow_idp_initiated"] == false);
}

TEST_CASE("the SAML validation form saves AES-GCM and the maximum IssueInstant age") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto res = page.post(cookie, "validation",
                         {{"require_aes_gcm", "on"}, {"max_issue_age_seconds", "120"}});
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == kPage + "?saved=validation");
    json view = page.api_view();
    CHECK(view["saml"]["require_aes_gcm"] == true);
    CHECK(view["saml"]["max_issue_age_seconds"] == 120);
    auto shown = page.get(cookie, kPage + "?saved=validation");
    CHECK(contains(shown->body, "The SAML validation options were saved."));
    CHECK(contains(
        shown->body,
        R"(name="require_aes_gcm" value="on" aria-describedby="require-aes-gcm-hint" checked)"));
    REQUIRE(page.post(cookie, "validation", {{"max_issue_age_seconds", "120"}})->status == 303);
    CHECK(page.api_view()["saml"]["require_aes_gcm"] == false);
}

TEST_CASE("a maximum IssueInstant age out of range is refused next to its field") {
    AuthPage page;
    const std::string cookie = page.owner();
    for (const char* typed : {"29", "86401", "five minutes", ""}) {
        CAPTURE(typed);
        auto res = page.post(cookie, "validation", {{"max_issue_age_seconds", typed}});
        CHECK(res->status == 400);
        CHECK(contains(res->body, R"(id="max-issue-age-error")"));
        CHECK(contains(res->body, "30 to 86400"));
    }
    CHECK(page.api_view()["saml"]["max_issue_age_seconds"] == 300);
}

namespace {

httplib::Result post_retention(AuthPage& page, const std::string& cookie, const std::string& days) {
    const std::string body =
        form_body({{"audit_retention_days", days}, {"csrf_token", page.csrf(cookie)}});
    auto res = page.gw.client().Post("/settings/acme/audit-log/retention",
                                     {{"Cookie", "gatehouse_session=" + cookie}}, body,
                                     "application/x-www-form-urlencoded");
    REQUIRE(res);
    return res;
}

}  // namespace

TEST_CASE("the audit log page sets the retention, from 1 to 3650 days, owners only") {
    AuthPage page;
    const std::string owner = page.owner();
    auto saved = post_retention(page, owner, "90");
    CHECK(saved->status == 303);
    CHECK(saved->get_header_value("Location") == "/settings/acme/audit-log/?saved=retention");
    CHECK(page.api_view()["audit_retention_days"] == 90);
    auto shown = page.get(owner, "/settings/acme/audit-log/?saved=retention");
    CHECK(contains(shown->body, "The audit log retention was saved."));
    CHECK(contains(shown->body, R"(name="audit_retention_days" min="1" max="3650" value="90")"));

    for (const char* typed : {"0", "3651", "forever"}) {
        CAPTURE(typed);
        auto refused = post_retention(page, owner, typed);
        CHECK(refused->status == 400);
        CHECK(contains(refused->body, R"(id="audit-retention-error")"));
    }
    const std::string manager = page.manager();
    auto manager_page = page.get(manager, "/settings/acme/audit-log/");
    CHECK(contains(manager_page->body, "Only an owner can change this"));
    CHECK(contains(manager_page->body, R"(disabled>Save retention)"));
    CHECK(post_retention(page, manager, "1")->status == 403);
    CHECK(page.api_view()["audit_retention_days"] == 90);
}
