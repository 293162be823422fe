// Login CSRF through the real gateway: the Login URL sets the login cookie, and the ACS signs
// in only the browser that started the login. An attacker's own valid Response, auto-posted
// from a victim's browser (no cookie, or the victim's own), is refused and spends nothing.
#include "gatehouse/store/store.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// The attribute `name` of a Set-Cookie header, with its value when it has one ("" when it
// is a flag such as HttpOnly); nullopt when absent. Names compare case-insensitively.
std::optional<std::string> cookie_attribute(const std::string& header, const std::string& name) {
    std::string_view rest = header;
    while (!rest.empty()) {
        const auto semicolon = rest.find(';');
        std::string_view part = rest.substr(0, semicolon);
        rest =
            semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        const auto eq = part.find('=');
        const std::string key(part.substr(0, eq));
        if (key.size() == name.size() && strncasecmp(key.c_str(), name.c_str(), key.size()) == 0) {
            return eq == std::string_view::npos ? std::string() : std::string(part.substr(eq + 1));
        }
    }
    return std::nullopt;
}

bool pending(SamlGateway& gw, const std::string& request_id) {
    auto opened = store::open_sqlite_store(gw.db);
    REQUIRE(opened.ok());
    bool found = false;
    REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("acme");
        REQUIRE(org.has_value());
        found = tx.authn_request_pending(org->id, request_id, util::SystemClock{}.now());
        return {};
    }));
    return found;
}

std::string reason_of_last_sign_in(SamlGateway& gw) {
    auto opened = store::open_sqlite_store(gw.db);
    REQUIRE(opened.ok());
    std::string reason;
    REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("acme");
        store::AuditQuery query;
        query.action_prefix = "saml.sign_in";
        const auto entries = tx.list_audit(org->id, query).items;
        REQUIRE_FALSE(entries.empty());
        reason = entries.front().reason_code;
        return {};
    }));
    return reason;
}

}  // namespace

TEST_CASE("the Login URL sets an HttpOnly login cookie that lives as long as the request") {
    SamlGateway gw;
    auto res = gw.client().Get("/auth/login/acme/");
    REQUIRE(res);
    REQUIRE(res->status == 302);
    const std::string header = res->get_header_value("Set-Cookie");
    REQUIRE(header.rfind("gh_login=", 0) == 0);
    const std::string value = header.substr(9, header.find(';') - 9);
    CHECK(value.size() == 43);
    CHECK(cookie_attribute(header, "HttpOnly").has_value());
    CHECK(cookie_attribute(header, "Path") == "/");
    CHECK(cookie_attribute(header, "Max-Age") == "600");
    // Plain http: SameSite=None would need Secure, which browsers refuse without https.
    CHECK(cookie_attribute(header, "SameSite") == "Lax");
    CHECK_FALSE(cookie_attribute(header, "Domain").has_value());
}

TEST_CASE("the Login URL keeps a browser's login cookie, so its other tabs stay answerable") {
    SamlGateway gw;
    auto res = gw.client().Get("/auth/login/acme/", {{"Cookie", gw.login_cookie}});
    REQUIRE(res);
    CHECK(res->get_header_value("Set-Cookie").rfind(gw.login_cookie + ";", 0) == 0);
    const std::string first = gw.start_login();
    const std::string second = gw.start_login();
    CHECK(gw.post_acs(gw.response_for(first, "ada@example.com"))->status == 303);
    CHECK(gw.post_acs(gw.response_for(second, "ada@example.com"))->status == 303);
}

TEST_CASE("the Login URL replaces a login cookie that it did not make") {
    SamlGateway gw;
    auto res = gw.client().Get("/auth/login/acme/", {{"Cookie", "gh_login=chosen-by-someone"}});
    REQUIRE(res);
    const std::string header = res->get_header_value("Set-Cookie");
    REQUIRE(header.rfind("gh_login=", 0) == 0);
    CHECK(header.find("chosen-by-someone") == std::string::npos);
}

TEST_CASE("ACS refuses an attacker's Response posted from a browser without the login cookie") {
    SamlGateway gw;
    // The attacker starts a login in their own browser and keeps the valid Response.
    const std::string attacker = "gh_login=" + util::random_token(32);
    const std::string request_id = gw.start_login_from(attacker);
    const std::string response = gw.response_for(request_id, "mallory@example.com");
    // A page auto-posts it from the victim's browser, which never started that login.
    auto refused = gw.post_acs_from("", response);
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK_FALSE(refused->has_header("Set-Cookie"));
    CHECK(refused->body.find("browser_mismatch") == std::string::npos);
    CHECK(reason_of_last_sign_in(gw) == "saml.response.browser_mismatch");
    CHECK(pending(gw, request_id));
}

TEST_CASE("ACS refuses an attacker's Response posted with the victim's own login cookie") {
    SamlGateway gw;
    (void)gw.start_login();  // the victim has a login cookie of their own
    const std::string attacker = "gh_login=" + util::random_token(32);
    const std::string request_id = gw.start_login_from(attacker);
    auto refused = gw.post_acs(gw.response_for(request_id, "mallory@example.com"));
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK_FALSE(refused->has_header("Set-Cookie"));
    CHECK(pending(gw, request_id));
    // The request was not spent: the browser that started it still signs in with it.
    auto own = gw.post_acs_from(attacker, gw.response_for(request_id, "mallory@example.com"));
    REQUIRE(own);
    CHECK(own->status == 303);
    CHECK_FALSE(pending(gw, request_id));
}

TEST_CASE("ACS signs in the browser that started the login, with its cookie") {
    SamlGateway gw;
    auto res = gw.post_acs(gw.response_for(gw.start_login(), "ada@example.com"));
    REQUIRE(res);
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Set-Cookie").rfind("gatehouse_session=", 0) == 0);
}

TEST_CASE("IdP-initiated sign-in needs no login cookie where the org allows it") {
    SamlGateway gw({"--allow-idp-initiated", "true"});
    auto res = gw.post_acs_from("", gw.response_for("", "ada@example.com"));
    REQUIRE(res);
    CHECK(res->status == 303);
}

TEST_CASE("an https gateway names the login cookie __Host- and sends it SameSite=None; Secure") {
    SamlGateway gw;
    gw.server->stop(SIGTERM);
    gw.server = std::make_unique<ServerProcess>(
        gw.db, std::vector<std::string>{"--base-url", "https://gatehouse.test", "--sp-key",
                                        gw.dir.file("sp.key"), "--sp-cert", gw.dir.file("sp.crt")});
    auto res = gw.client().Get("/auth/login/acme/");
    REQUIRE(res);
    const std::string header = res->get_header_value("Set-Cookie");
    REQUIRE(header.rfind("__Host-gh_login=", 0) == 0);
    CHECK(cookie_attribute(header, "SameSite") == "None");
    CHECK(cookie_attribute(header, "Secure").has_value());
    CHECK(cookie_attribute(header, "Path") == "/");
    CHECK_FALSE(cookie_attribute(header, "Domain").has_value());
}
