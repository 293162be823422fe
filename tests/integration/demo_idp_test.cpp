// The demo IdP through the real binary (serve --demo-idp): a whole SSO sign-in driven by its
// metadata and form, and every request it must refuse.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/redirect_binding.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/process.hpp"
#include "support/saml_idp.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// Loopback, as --demo-idp requires; the tests reach the server on its real port by path.
constexpr const char* kDemoBase = "http://127.0.0.1:8099";

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// The text mstch escaped back into what the browser would submit.
std::string html_unescape(std::string text) {
    const std::pair<const char*, const char*> entities[] = {
        {"&#x2F;", "/"},  {"&#x3D;", "="}, {"&#x60;", "`"}, {"&#39;", "'"},
        {"&quot;", "\""}, {"&lt;", "<"},   {"&gt;", ">"},   {"&amp;", "&"}};
    for (const auto& [entity, plain] : entities) {
        for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1))
            text.replace(at, std::string(entity).size(), plain);
    }
    return text;
}

// The value of the form field `name` in a page, unescaped; empty when the page has none.
std::string field_value(const std::string& html, const std::string& name) {
    const std::string marker = "name=\"" + name + "\" value=\"";
    const auto start = html.find(marker);
    if (start == std::string::npos) return "";
    const auto from = start + marker.size();
    return html_unescape(html.substr(from, html.find('"', from) - from));
}

std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields)
        body += (body.empty() ? "" : "&") + name + "=" + util::url_encode(value);
    return body;
}

struct DemoGateway {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    saml::GeneratedCredentials sp;
    std::unique_ptr<ServerProcess> server;

    DemoGateway() {
        util::SystemClock clock;
        auto generated = saml::generate_sp_credentials("demo test SP", clock);
        REQUIRE(generated.ok());
        sp = *generated;
        write_file(dir.file("sp.key"), sp.private_key_pem);
        write_file(dir.file("sp.crt"), sp.certificate_pem);
        REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0);
        start();
    }

    void start() {
        server = std::make_unique<ServerProcess>(
            db, std::vector<std::string>{"--base-url", kDemoBase, "--sp-key", dir.file("sp.key"),
                                         "--sp-cert", dir.file("sp.crt"), "--demo-idp"});
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(10, 0);
        c.set_url_encode(false);  // signed Redirect-binding queries must arrive byte for byte
        return c;
    }

    std::string metadata() {
        auto res = client().Get("/demo-idp/metadata");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        return res->body;
    }

    // Configures acme's provider from the demo IdP's own metadata, as an admin would.
    void configure_from_metadata() {
        write_file(dir.file("demo-idp.xml"), metadata());
        auto configured = run_gatehouse(
            {"--db", db, "saml", "configure", "acme", "--metadata-file", dir.file("demo-idp.xml")});
        REQUIRE_MESSAGE(configured.exit_code == 0, configured.err);
    }

    // The demo IdP path (with query) a signed AuthnRequest for `org` would be sent to.
    std::string signed_request_path(const std::string& org, const std::string& acs = "") const {
        auto endpoints = saml::sp_endpoints(kDemoBase, org);
        if (!acs.empty()) endpoints.acs_url = acs;
        util::SystemClock clock;
        const auto request =
            saml::build_authn_request(endpoints, std::string(kDemoBase) + "/demo-idp/sso", clock);
        auto credentials = saml::SpCredentials::from_pem(sp.private_key_pem, sp.certificate_pem);
        REQUIRE(credentials.ok());
        auto url =
            saml::build_redirect_url(std::string(kDemoBase) + "/demo-idp/sso",
                                     saml::SamlMessageKind::request, request.xml, "", *credentials);
        REQUIRE(url.ok());
        return url->substr(std::string(kDemoBase).size());
    }
};

}  // namespace

TEST_CASE("the demo IdP signs a member in through the gateway's login, form and ACS") {
    DemoGateway gw;
    gw.configure_from_metadata();

    // The browser's login cookie, sent with the login start and the ACS post (as the demo
    // IdP's auto-posted form is same-site, even a SameSite=Lax cookie goes along).
    const std::string login_cookie = "gh_login=" + util::random_token(32);
    const std::string location = raw_location(
        gw.server->port(), "/auth/login/acme/?next=%2Forganizations%2Facme%2F", login_cookie);
    const std::string sso = std::string(kDemoBase) + "/demo-idp/sso?";
    REQUIRE(location.rfind(sso, 0) == 0);

    auto form = gw.client().Get(location.substr(std::string(kDemoBase).size()));
    REQUIRE(form);
    REQUIRE(form->status == 200);
    CHECK(form->body.find("<label for=\"demo-email\">Email</label>") != std::string::npos);
    CHECK(form->body.find("signs anyone in") != std::string::npos);

    auto posted =
        gw.client().Post("/demo-idp/sso",
                         form_body({{"org", field_value(form->body, "org")},
                                    {"request_id", field_value(form->body, "request_id")},
                                    {"relay_state", field_value(form->body, "relay_state")},
                                    {"token", field_value(form->body, "token")},
                                    {"email", "ada@demo.test"},
                                    {"first_name", "Ada"},
                                    {"last_name", "Lovelace"},
                                    {"role", ""}}),
                         "application/x-www-form-urlencoded");
    REQUIRE(posted);
    REQUIRE_MESSAGE(posted->status == 200, posted->body);
    CHECK(posted->body.find("data-autosubmit") != std::string::npos);
    CHECK(posted->body.find(">Continue</button>") != std::string::npos);

    auto acs =
        gw.client().Post("/saml/acs/acme/", {{"Cookie", login_cookie}},
                         form_body({{"SAMLResponse", field_value(posted->body, "SAMLResponse")},
                                    {"RelayState", field_value(posted->body, "RelayState")}}),
                         "application/x-www-form-urlencoded");
    REQUIRE(acs);
    REQUIRE_MESSAGE(acs->status == 303, acs->body);
    CHECK(acs->get_header_value("Location") == "/organizations/acme/");
    const std::string cookie = acs->get_header_value("Set-Cookie");
    REQUIRE(cookie.rfind("gatehouse_session=", 0) == 0);

    auto me = gw.client().Get("/api/0/organizations/acme/me",
                              {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    REQUIRE(me);
    REQUIRE(me->status == 200);
    CHECK(me->body.find("ada@demo.test") != std::string::npos);
}

TEST_CASE("the demo IdP metadata names its entity ID, signing certificate and SSO endpoint") {
    DemoGateway gw;
    const std::string xml = gw.metadata();
    CHECK(xml.find("entityID=\"http://127.0.0.1:8099/demo-idp/\"") != std::string::npos);
    CHECK(xml.find("IDPSSODescriptor") != std::string::npos);
    CHECK(xml.find("use=\"signing\"") != std::string::npos);
    CHECK(xml.find("Location=\"http://127.0.0.1:8099/demo-idp/sso\"") != std::string::npos);
    auto index = gw.client().Get("/demo-idp/");
    REQUIRE(index);
    CHECK(index->status == 200);
    CHECK(index->body.find("&#x2F;demo-idp&#x2F;metadata") != std::string::npos);
}

TEST_CASE("serve refuses --demo-idp with a base URL that is not loopback") {
    TempDir dir;
    auto refused =
        run_gatehouse({"--db", dir.file("gatehouse.db"), "serve", "--base-url",
                       "https://gatehouse.example.com", "--listen", "127.0.0.1:0", "--demo-idp"});
    CHECK(refused.exit_code != 0);
    CHECK(refused.err.find("--demo-idp") != std::string::npos);
}

TEST_CASE("serve refuses --demo-idp listening on an address other hosts can reach") {
    TempDir dir;
    for (const std::string listen : {"0.0.0.0:0", "[::]:0", "192.168.1.5:0"}) {
        CAPTURE(listen);
        auto refused = run_gatehouse({"--db", dir.file("gatehouse.db"), "serve", "--base-url",
                                      "http://127.0.0.1:8080", "--listen", listen, "--demo-idp"});
        CHECK(refused.exit_code == 2);
        CHECK(refused.err.find("loopback --listen address") != std::string::npos);
    }
}

TEST_CASE("/demo-idp/ does not exist without --demo-idp") {
    TempDir dir;
    ServerProcess server(dir.file("gatehouse.db"), {"--base-url", kDemoBase});
    httplib::Client c("127.0.0.1", server.port());
    auto res = c.Get("/demo-idp/metadata");
    REQUIRE(res);
    CHECK(res->status == 404);
}

TEST_CASE("the demo IdP refuses a request from an org this gateway does not have") {
    DemoGateway gw;
    auto res = gw.client().Get(gw.signed_request_path("nobody"));
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(res->body.find("No organization of this gateway") != std::string::npos);
}

TEST_CASE("the demo IdP refuses a request that asks for a foreign ACS") {
    DemoGateway gw;
    auto res = gw.client().Get(gw.signed_request_path("acme", "https://evil.test/acs"));
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(res->body.find("SAMLResponse") == std::string::npos);
}

TEST_CASE("the demo IdP refuses a form whose token was tampered with") {
    DemoGateway gw;
    auto form = gw.client().Get(gw.signed_request_path("acme"));
    REQUIRE(form);
    REQUIRE(form->status == 200);
    std::string token = field_value(form->body, "token");
    token[0] = token[0] == 'A' ? 'B' : 'A';
    auto posted = gw.client().Post("/demo-idp/sso",
                                   form_body({{"org", "acme"},
                                              {"request_id", field_value(form->body, "request_id")},
                                              {"relay_state", ""},
                                              {"token", token},
                                              {"email", "eve@demo.test"}}),
                                   "application/x-www-form-urlencoded");
    REQUIRE(posted);
    CHECK(posted->status == 403);
    CHECK(posted->body.find("SAMLResponse") == std::string::npos);
}

TEST_CASE("the demo IdP keeps its key file private and reuses it after a restart") {
    DemoGateway gw;
    const std::string before = gw.metadata();
    struct stat info {};
    REQUIRE(::stat((gw.db + ".demo-idp-key.pem").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    gw.server->stop(SIGTERM);
    gw.start();
    CHECK(gw.metadata() == before);
}

TEST_CASE("the demo IdP form refuses an invalid email next to the form, keeping what was typed") {
    DemoGateway gw;
    auto form = gw.client().Get(gw.signed_request_path("acme"));
    REQUIRE(form);
    REQUIRE(form->status == 200);
    auto posted =
        gw.client().Post("/demo-idp/sso",
                         form_body({{"org", "acme"},
                                    {"request_id", field_value(form->body, "request_id")},
                                    {"relay_state", field_value(form->body, "relay_state")},
                                    {"token", field_value(form->body, "token")},
                                    {"email", "<not an address>"},
                                    {"first_name", "Ada"}}),
                         "application/x-www-form-urlencoded");
    REQUIRE(posted);
    CHECK(posted->status == 422);
    CHECK(posted->body.find(R"(role="alert")") != std::string::npos);
    CHECK(posted->body.find("value=\"&lt;not an address&gt;\"") != std::string::npos);
    CHECK(posted->body.find("SAMLResponse") == std::string::npos);
}
