// Issue 12 item 7: signing out takes a POST with the session's CSRF token. A GET of the
// sign-out URL (a link or an image on any site) only shows the confirmation form.
#include "sign_out.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t found = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
    return found;
}

bool signed_in(SamlGateway& gw, const std::string& cookie) {
    auto page = gw.landing(cookie);
    REQUIRE(page);
    return contains(page->body, "ada@example.com");
}

// The CSRF token /me gives the session, which the forms must carry.
std::string session_csrf(const SamlGateway& gw, const std::string& cookie) {
    auto me = gw.client().Get("/api/0/organizations/acme/me",
                              {{"Cookie", "gatehouse_session=" + cookie}});
    REQUIRE(me);
    REQUIRE(me->status == 200);
    return nlohmann::json::parse(me->body)["csrf_token"];
}

const std::string kSignOutForm = R"(<form method="post" action="/auth/logout/acme/">)";

}  // namespace

TEST_CASE("sign-out by GET shows a confirmation form and ends no session") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    auto page = gw.client().Get("/auth/logout/acme/", {{"Cookie", "gatehouse_session=" + cookie}});
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK_FALSE(page->has_header("Location"));
    CHECK_FALSE(page->has_header("Set-Cookie"));
    CHECK(contains(page->body, kSignOutForm));
    CHECK(csrf_field(page->body) == session_csrf(gw, cookie));
    CHECK(contains(page->body, R"(<button type="submit">Sign out</button>)"));
    CHECK(signed_in(gw, cookie));
}

TEST_CASE("sign-out by GET without a session of the org sends to the org's landing page") {
    SamlGateway gw;
    for (const std::string cookie : {"", "forged"}) {
        httplib::Headers headers;
        if (!cookie.empty()) headers.emplace("Cookie", "gatehouse_session=" + cookie);
        auto res = gw.client().Get("/auth/logout/acme/", headers);
        REQUIRE(res);
        CHECK(res->status == 303);
        CHECK(res->get_header_value("Location") == "/organizations/acme/");
        CHECK_FALSE(res->has_header("Set-Cookie"));
    }
}

TEST_CASE("sign-out by POST with the CSRF token ends the session and starts IdP logout") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    const RawAnswer answer = post_sign_out(gw, cookie, sign_out_token(gw, cookie));
    CHECK(answer.status() == 200);
    CHECK(answer.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
    const std::string next = sign_out_next(answer);
    CHECK(next.rfind(std::string(kIdpSlo) + "?SAMLRequest=", 0) == 0);
    CHECK(contains(next, "&Signature="));
    // The signed LogoutRequest names the session's subject.
    CHECK(contains(redirect_message_xml(next, "SAMLRequest"), "ada@example.com"));
    // The page moves on by itself and offers the link; its own CSP stays as strict as any.
    CHECK(contains(answer.body(), "Continue to your identity provider"));
    CHECK(contains(answer.header("Content-Security-Policy"), "form-action 'self';"));
    CHECK_FALSE(signed_in(gw, cookie));
    auto check =
        gw.client().Get("/auth/check?org=acme", {{"Cookie", "gatehouse_session=" + cookie}});
    REQUIRE(check);
    CHECK(check->status == 401);
}

TEST_CASE("sign-out by POST without the CSRF token or with another one ends nothing") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    const std::string other = gw.sign_in("bob@example.com");
    for (const std::string& token : {std::string(), std::string(64, '0'), sign_out_token(gw, other),
                                     sign_out_token(gw, cookie).substr(1)}) {
        CAPTURE(token);
        const RawAnswer answer = post_sign_out(gw, cookie, token);
        CHECK(answer.status() == 403);
        CHECK_FALSE(answer.has_header("Set-Cookie"));
        CHECK_FALSE(answer.has_header("Refresh"));
        CHECK(signed_in(gw, cookie));
    }
    const RawAnswer without_field = raw_post_form(gw.server->port(), "/auth/logout/acme/", "",
                                                  {"Cookie: gatehouse_session=" + cookie});
    CHECK(without_field.status() == 403);
    CHECK(signed_in(gw, cookie));
}

TEST_CASE("sign-out by POST from another site's page ends nothing") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    const RawAnswer answer = post_sign_out(gw, cookie, sign_out_token(gw, cookie), "acme",
                                           {"Origin: https://attacker.example"});
    CHECK(answer.status() == 403);
    CHECK_FALSE(answer.has_header("Set-Cookie"));
    CHECK(signed_in(gw, cookie));
}

TEST_CASE("sign-out of one org leaves a session of another org alone") {
    SamlGateway gw;
    REQUIRE(run_gatehouse({"--db", gw.db, "org", "create", "globex"}).exit_code == 0);
    const std::string cookie = gw.sign_in("ada@example.com");
    const RawAnswer answer = post_sign_out(gw, cookie, sign_out_token(gw, cookie), "globex");
    CHECK(answer.status() == 303);
    CHECK(answer.header("Location") == "/organizations/globex/");
    CHECK_FALSE(answer.has_header("Set-Cookie"));
    CHECK(signed_in(gw, cookie));
}

TEST_CASE("sign-out of a password session goes back to the landing page") {
    SamlGateway gw;
    const std::string password = "correct horse battery staple";
    auto added = run_gatehouse({"--db", gw.db, "member", "add", "--org", "acme", "--email",
                                "ada@example.com", "--role", "admin", "--password-stdin"},
                               password + "\n");
    REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    auto login = gw.client().Post("/auth/login/acme/",
                                  "email=ada%40example.com&password=" + util::url_encode(password),
                                  "application/x-www-form-urlencoded");
    REQUIRE(login);
    REQUIRE(login->status == 303);
    const std::string cookie = SamlGateway::session_cookie(*login);
    const RawAnswer answer = post_sign_out(gw, cookie, sign_out_token(gw, cookie));
    CHECK(answer.status() == 303);
    CHECK(answer.header("Location") == "/organizations/acme/");
    CHECK(answer.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
    CHECK_FALSE(signed_in(gw, cookie));
}

TEST_CASE("every signed-in page signs out with a form that posts the session's CSRF token") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    auto landing = gw.landing(cookie);
    REQUIRE(landing);
    // The layout's header and the landing card each have one, and no sign-out link is left.
    CHECK(count(landing->body, kSignOutForm) == 1);
    CHECK(count(landing->body,
                R"(<form class="bar-signout" method="post" action="/auth/logout/acme/">)") == 1);
    CHECK(count(landing->body, R"(name="csrf_token" value=")" + session_csrf(gw, cookie) + "\"") ==
          2);
    CHECK_FALSE(contains(landing->body, R"(href="/auth/logout/)"));
}
