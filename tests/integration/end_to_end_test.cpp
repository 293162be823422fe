// The whole product in one story, through the real server: an org is configured from IdP
// metadata that the test serves over HTTPS on loopback, SCIM is enabled, the IdP pushes a
// user and a group, that user signs in with a Response from an independent IdP
// implementation (Auth0's samlp, from npm) and lands linked to the provisioned member,
// Require SSO ends password sessions, and deprovisioning ends the SAML session at once.
#include <nlohmann/json.hpp>

#include "gatehouse/util/crypto.hpp"
#include "saml_gateway.hpp"
#include "service/metadata_fixture.hpp"
#include "support/tls_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

constexpr const char* kIdpEntity = "https://idp.interop.test/entity";
constexpr const char* kIdpSsoUrl = "https://idp.interop.test/sso";
constexpr const char* kAda = "ada@example.com";
const std::string kOwnerPassword = "correct horse battery staple";
const std::string kRootPassword = "break glass in case of fire";

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

struct Reply {
    int status = 0;
    json body;
    std::string location;
    std::string set_cookie;
};

struct Product {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    const TestIdp& idp = shared_test_idp();
    TlsFiles tls;
    std::unique_ptr<TestHttpsServer> metadata_server;
    std::unique_ptr<ServerProcess> server;
    std::string admin_key;

    Product() {
        util::SystemClock clock;
        auto sp = saml::generate_sp_credentials("gatehouse end-to-end SP", clock);
        REQUIRE(sp.ok());
        write_text(dir.file("sp.key"), sp->private_key_pem);
        write_text(dir.file("sp.crt"), sp->certificate_pem);
        write_text(dir.file("idp.key"), idp.identity().private_key_pem);
        write_text(dir.file("idp.crt"), idp.identity().certificate_pem);

        // The IdP's metadata, as Okta or Entra ID would publish it, over HTTPS.
        write_self_signed(tls, "localhost", "127.0.0.1");
        IdpDocument document;
        document.entity_id = kIdpEntity;
        document.sso_url = kIdpSsoUrl;
        const std::string metadata = metadata_document(document);
        metadata_server = std::make_unique<TestHttpsServer>(tls, [metadata](httplib::Server& s) {
            s.Get("/app/metadata", [metadata](const httplib::Request&, httplib::Response& res) {
                res.set_content(metadata, "application/samlmetadata+xml");
            });
        });

        cli({"org", "create", "acme", "--owner-email", "owner@acme.test"});
        cli({"member", "set-password", "--org", "acme", "--email", "owner@acme.test",
             "--password-stdin"},
            kOwnerPassword + "\n");
        cli({"member", "add", "--org", "acme", "--email", "root@acme.test", "--role", "owner",
             "--break-glass", "--password-stdin"},
            kRootPassword + "\n");
        admin_key = trimmed(cli({"admin-key", "create", "acme", "--quiet"}));

        server = std::make_unique<ServerProcess>(
            db, std::vector<std::string>{"--base-url", kBaseUrl, "--sp-key", dir.file("sp.key"),
                                         "--sp-cert", dir.file("sp.crt"),
                                         "--allow-private-metadata-urls", "--metadata-ca-file",
                                         tls.certificate_file});
    }

    std::string cli(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), {"--db", db});
        auto result = run_gatehouse(args, input);
        REQUIRE_MESSAGE(result.exit_code == 0, result.err);
        return result.out;
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(10, 0);
        return c;
    }

    static Reply reply_of(const httplib::Result& res) {
        REQUIRE(res);
        Reply reply{res->status, json::parse(res->body, nullptr, false),
                    res->get_header_value("Location"), res->get_header_value("Set-Cookie")};
        if (reply.body.is_discarded()) reply.body = nullptr;
        return reply;
    }

    Reply admin(const std::string& method, const std::string& path, const json& body = nullptr) {
        const httplib::Headers headers = {{"Authorization", "Bearer " + admin_key}};
        const std::string full = "/api/0/organizations/acme/" + path;
        const std::string text = body.is_null() ? "" : body.dump();
        if (method == "PUT") return reply_of(client().Put(full, headers, text, "application/json"));
        if (method == "PATCH")
            return reply_of(client().Patch(full, headers, text, "application/json"));
        if (method == "POST")
            return reply_of(client().Post(full, headers, text, "application/json"));
        return reply_of(client().Get(full, headers));
    }

    Reply scim(const std::string& method, const std::string& path, const std::string& token,
               const json& body) {
        const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
        const std::string full = "/api/0/organizations/acme/scim/v2/" + path;
        if (method == "PATCH")
            return reply_of(client().Patch(full, headers, body.dump(), "application/scim+json"));
        return reply_of(client().Post(full, headers, body.dump(), "application/scim+json"));
    }

    Reply password_login(const std::string& email, const std::string& password) {
        const std::string form =
            "email=" + util::url_encode(email) + "&password=" + util::url_encode(password);
        return reply_of(
            client().Post("/auth/login/acme/", form, "application/x-www-form-urlencoded"));
    }

    Reply me(const std::string& cookie) {
        return reply_of(client().Get("/api/0/organizations/acme/me",
                                     {{"Cookie", "gatehouse_session=" + cookie}}));
    }

    // Signs `email` in the way a browser would: SP-initiated login, then the Response that
    // Auth0's samlp issues for that AuthnRequest, posted to the ACS with the login cookie
    // the login start bound it to.
    Reply saml_sign_in(const std::string& email) {
        const std::string login_cookie = std::string(kLoginCookie) + "=" + util::random_token(32);
        const std::string location =
            raw_location(server->port(), "/auth/login/acme/", login_cookie);
        REQUIRE(location.rfind(kIdpSsoUrl, 0) == 0);
        const std::string request_id = root_id(redirect_message_xml(location, "SAMLRequest"));
        const std::string response = run_program(
            {"node", std::string(GATEHOUSE_SOURCE_DIR) + "/tests/interop/node_idp.js", "--key",
             dir.file("idp.key"), "--cert", dir.file("idp.crt"), "--issuer", kIdpEntity,
             "--request-id", request_id, "--audience",
             std::string(kBaseUrl) + "/saml/metadata/acme/", "--recipient",
             std::string(kBaseUrl) + "/saml/acs/acme/", "--email", email, "--sign-assertion"});
        return reply_of(client().Post("/saml/acs/acme/", {{"Cookie", login_cookie}},
                                      "SAMLResponse=" + util::url_encode(response),
                                      "application/x-www-form-urlencoded"));
    }
};

std::string cookie_of(const Reply& reply) {
    const std::string prefix = "gatehouse_session=";
    REQUIRE(reply.set_cookie.rfind(prefix, 0) == 0);
    return reply.set_cookie.substr(prefix.size(), reply.set_cookie.find(';') - prefix.size());
}

int audit_count(Product& product, const std::string& query) {
    auto page = product.admin("GET", "audit?" + query);
    REQUIRE(page.status == 200);
    return page.body["total"].get<int>();
}

}  // namespace

TEST_CASE("end to end: metadata URL, SCIM push, SAML link, Require SSO, deprovisioning") {
    Product product;

    // 1. The IdP admin pastes the metadata URL; the gateway fetches it over HTTPS.
    auto configured = product.admin(
        "PUT", "auth/saml",
        {{"metadata_url", product.metadata_server->url("/app/metadata")}, {"preset", "generic"}});
    REQUIRE_MESSAGE(configured.status == 200, configured.body.dump());
    CHECK(configured.body["saml"]["idp_entity_id"] == kIdpEntity);
    REQUIRE(configured.body["saml"]["certificates"].size() == 1);
    CHECK(configured.body["saml"]["certificates"][0]["sha256_fingerprint"] ==
          fingerprint(product.idp.identity().certificate_pem));

    // 2. SCIM on; 3. the IdP pushes a user with a role, and a group holding them.
    auto enabled = product.admin("POST", "auth/scim");
    REQUIRE(enabled.status == 201);
    const std::string token = enabled.body["token"];
    auto user = product.scim("POST", "Users", token,
                             {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                              {"userName", kAda},
                              {"externalId", "00u-ada"},
                              {"name", {{"givenName", "Ada"}, {"familyName", "Lovelace"}}},
                              {"emails", {{{"value", kAda}, {"primary", true}}}},
                              {"orgRole", "manager"},
                              {"active", true}});
    REQUIRE_MESSAGE(user.status == 201, user.body.dump());
    const std::string ada_id = user.body["id"];
    auto group = product.scim("POST", "Groups", token,
                              {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                               {"displayName", "Platform Team"},
                               {"members", {{{"value", ada_id}}}}});
    REQUIRE(group.status == 201);

    // An owner is signed in with a password before Require SSO.
    auto owner_login = product.password_login("owner@acme.test", kOwnerPassword);
    REQUIRE_MESSAGE(owner_login.status == 303, owner_login.body.dump());
    const std::string owner_cookie = cookie_of(owner_login);
    CHECK(product.me(owner_cookie).status == 200);

    // 4. Ada signs in over SAML and lands on the provisioned member: linked, active, in the
    // team, with the role SCIM gave her, and not duplicated.
    auto signed_in = product.saml_sign_in(kAda);
    REQUIRE(signed_in.status == 303);
    const std::string ada_cookie = cookie_of(signed_in);
    auto me = product.me(ada_cookie);
    REQUIRE(me.status == 200);
    CHECK(me.body["member"]["id"] == ada_id);
    CHECK(me.body["member"]["state"] == "active");
    CHECK(me.body["member"]["role"] == "manager");
    REQUIRE(me.body["teams"].size() == 1);
    CHECK(me.body["teams"][0]["slug"] == "platform-team");
    auto members = product.admin("GET", "members");
    CHECK(members.body["total"] == 3);  // the two owners and Ada
    CHECK(audit_count(product, "action=saml.sign_in&outcome=success") == 1);

    // 5. Require SSO: password sessions end, password logins are sent to SSO, the
    // break-glass owner still gets in and that use is audited; SAML sessions stay.
    auto required = product.admin("PATCH", "auth/", {{"require_sso", true}});
    REQUIRE_MESSAGE(required.status == 200, required.body.dump());
    CHECK(required.body["sessions_ended"].get<int>() >= 1);
    CHECK(product.me(owner_cookie).status == 401);
    auto refused = product.password_login("owner@acme.test", kOwnerPassword);
    CHECK(refused.status == 303);
    CHECK(refused.location.rfind("/auth/login/acme/", 0) == 0);
    CHECK(refused.set_cookie.empty());
    auto glass = product.password_login("root@acme.test", kRootPassword);
    REQUIRE(glass.status == 303);
    CHECK(product.me(cookie_of(glass)).status == 200);
    auto glass_audit = product.admin("GET", "audit?action=auth.password_sign_in&outcome=success");
    REQUIRE(glass_audit.body["total"].get<int>() >= 1);
    CHECK(glass_audit.body["entries"][0]["details"]["break_glass"] == true);
    CHECK(product.me(ada_cookie).status == 200);

    // 6. The IdP deprovisions Ada: her session ends at once, and a fresh, valid assertion
    // for her is refused.
    auto deactivated =
        product.scim("PATCH", "Users/" + ada_id, token,
                     {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                      {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", false}}}}});
    REQUIRE(deactivated.status == 200);
    CHECK(product.me(ada_cookie).status == 401);
    auto after = product.saml_sign_in(kAda);
    CHECK(after.status == 403);
    CHECK(after.set_cookie.empty());
    CHECK(audit_count(product, "action=saml.sign_in&outcome=failure") == 1);
    auto failure = product.admin("GET", "audit?action=saml.sign_in&outcome=failure");
    CHECK(failure.body["entries"][0]["reason_code"] == "saml.member.deactivated");
}
