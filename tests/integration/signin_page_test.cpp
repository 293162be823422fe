// The pages people see when they sign in, through the real gateway: the sign-in page and its
// links, password refusals, the SSO-required page, SAML refusals, the landing page and the
// error pages.
#include <nlohmann/json.hpp>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/encoding.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

const std::string kPassword = "correct horse battery staple";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A gateway whose org acme has a SAML provider, a member with a password and a break-glass
// owner.
struct SignInGateway : SamlGateway {
    explicit SignInGateway(std::vector<std::string> configure_args = {})
        : SamlGateway(std::move(configure_args)) {
        auto added = run_gatehouse({"--db", db, "member", "add", "--org", "acme", "--email",
                                    "ada@example.com", "--role", "admin", "--password-stdin"},
                                   kPassword + "\n");
        REQUIRE_MESSAGE(added.exit_code == 0, added.err);
        // Require SSO can be turned on only with a break-glass owner to fall back on.
        auto owner = run_gatehouse(
            {"--db", db, "member", "add", "--org", "acme", "--email", "root@example.com", "--role",
             "owner", "--break-glass", "--password-stdin"},
            kPassword + "\n");
        REQUIRE_MESSAGE(owner.exit_code == 0, owner.err);
    }

    httplib::Result get(const std::string& path) { return client().Get(path); }

    httplib::Result post_password(const std::string& email, const std::string& password,
                                  const std::string& next = "") {
        std::string body =
            "email=" + util::url_encode(email) + "&password=" + util::url_encode(password);
        if (!next.empty()) body += "&next=" + util::url_encode(next);
        return client().Post("/auth/login/acme/", body, "application/x-www-form-urlencoded");
    }

    void require_sso(bool on) {
        auto set = run_gatehouse(
            {"--db", db, "auth", "set", "--org", "acme", "--require-sso", on ? "on" : "off"});
        REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    }

    void deactivate(const std::string& email) {
        auto opened = store::open_sqlite_store(db);
        REQUIRE(opened.ok());
        REQUIRE((*opened)->write([&](store::Transaction& tx) -> Status {
            const auto org = tx.org_by_slug("acme");
            auto member = tx.member_by_email(org->id, email);
            REQUIRE(member.has_value());
            member->state = core::MemberState::deactivated;
            auto updated = tx.update_member(*member);
            if (!updated) return updated.error();
            return {};
        }));
    }
};

bool has_password_form(const std::string& html) {
    return contains(html, R"(<label for="signin-email">Email</label>)") &&
           contains(html, R"(<label for="signin-password">Password</label>)") &&
           contains(html, R"(<button type="submit">Sign in</button>)") &&
           contains(html, R"(type="hidden" name="next")");
}

}  // namespace

TEST_CASE("the Login URL of an org with SAML still goes to the IdP at once") {
    SignInGateway gw;
    CHECK(gw.location_of("/auth/login/acme/").rfind(kIdpSso, 0) == 0);
}

TEST_CASE("?method=password shows the password form and a link back to single sign-on") {
    SignInGateway gw;
    auto page = gw.get("/auth/login/acme/?method=password&next=%2Forganizations%2Facme%2F");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(has_password_form(page->body));
    CHECK(contains(page->body, ">Sign in with single sign-on</a>"));
    CHECK(contains(page->body, R"(name="next" value="&#x2F;organizations&#x2F;acme&#x2F;")"));
}

TEST_CASE("an org without SAML shows the password form without a single sign-on link") {
    TempDir dir;
    const std::string db = dir.file("gatehouse.db");
    REQUIRE(run_gatehouse({"--db", db, "org", "create", "plain"}).exit_code == 0);
    ServerProcess server(db, {"--base-url", kBaseUrl});
    httplib::Client c("127.0.0.1", server.port());
    auto page = c.Get("/auth/login/plain/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(has_password_form(page->body));
    CHECK_FALSE(contains(page->body, "Sign in with single sign-on"));
}

TEST_CASE("with Require SSO on, ?method=password says only the break-glass owner may use it") {
    SignInGateway gw;
    gw.require_sso(true);
    auto page = gw.get("/auth/login/acme/?method=password");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(has_password_form(page->body));
    CHECK(contains(page->body,
                   "acme requires single sign-on. Only the break-glass owner can "
                   "sign in with a password."));
    CHECK_FALSE(contains(page->body, "Sign in with single sign-on"));
}

TEST_CASE("a wrong password re-renders the sign-in page with an alert and the email escaped") {
    SignInGateway gw;
    auto page = gw.post_password("<b>ada</b>@example.com", "not it");
    REQUIRE(page);
    CHECK(page->status == 401);
    CHECK(has_password_form(page->body));
    CHECK(contains(page->body, R"(<p class="notice notice-error" role="alert">The email or )"
                               "password is not right.</p>"));
    CHECK(contains(page->body, "value=\"&lt;b&gt;ada&lt;&#x2F;b&gt;@example.com\""));
    CHECK_FALSE(contains(page->body, "<b>ada"));
    CHECK_FALSE(page->has_header("Set-Cookie"));
}

TEST_CASE("a password form posted from another site is refused before the password is read") {
    SignInGateway gw;
    const std::string body =
        "email=ada%40example.com&password=" + util::url_encode(kPassword) + "&next=";
    auto foreign = gw.client().Post("/auth/login/acme/", {{"Origin", "https://evil.example"}}, body,
                                    "application/x-www-form-urlencoded");
    REQUIRE(foreign);
    CHECK(foreign->status == 403);
    CHECK_FALSE(foreign->has_header("Set-Cookie"));
    CHECK(contains(foreign->body, "sent from another site"));
    // A browser of a page that policy strips of its origin sends "null": refused as well.
    auto opaque = gw.client().Post("/auth/login/acme/", {{"Origin", "null"}}, body,
                                   "application/x-www-form-urlencoded");
    REQUIRE(opaque);
    CHECK(opaque->status == 403);
    auto own = gw.client().Post("/auth/login/acme/", {{"Origin", kBaseUrl}}, body,
                                "application/x-www-form-urlencoded");
    REQUIRE(own);
    CHECK(own->status == 303);
    CHECK(own->has_header("Set-Cookie"));
}

TEST_CASE("a deactivated member's right password gets the same refusal as a wrong one") {
    SignInGateway gw;
    gw.deactivate("ada@example.com");
    auto page = gw.post_password("ada@example.com", kPassword);
    REQUIRE(page);
    CHECK(page->status == 401);
    CHECK(contains(page->body, "The email or password is not right."));
    CHECK_FALSE(contains(page->body, "deactivated"));
}

TEST_CASE("a password refused by Require SSO lands on the SSO-required page") {
    SignInGateway gw;
    gw.require_sso(true);
    auto refused = gw.post_password("ada@example.com", kPassword, "/organizations/acme/");
    REQUIRE(refused);
    CHECK(refused->status == 303);
    const std::string location =
        gw.location_of("/auth/login/acme/?reason=sso_required&next=%2Forganizations%2Facme%2F");
    CHECK(location.empty());  // a page, not a redirect to the IdP

    auto page = gw.get("/auth/login/acme/?reason=sso_required&next=%2Forganizations%2Facme%2F");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(contains(page->body, "acme requires single sign-on. Password sign-in is turned off."));
    CHECK(contains(page->body, R"(<button type="submit">Continue with single sign-on</button>)"));
    CHECK(contains(page->body,
                   R"(<form method="get" action="&#x2F;auth&#x2F;login&#x2F;acme&#x2F;">)"));
    CHECK_FALSE(contains(page->body, R"(name="password")"));
    CHECK_FALSE(contains(page->body, "Sign in with a password"));
}

TEST_CASE("the SSO-required page offers the password link while Require SSO is off") {
    SignInGateway gw;
    auto page = gw.get("/auth/login/acme/?reason=sso_required");
    REQUIRE(page);
    CHECK(contains(page->body, ">Sign in with a password</a>"));
    CHECK(contains(page->body, "?method=password"));
}

TEST_CASE("SAML refuses a deactivated member with a message saying so") {
    SignInGateway gw;
    gw.sign_in("ada@example.com");
    gw.deactivate("ada@example.com");
    auto page = gw.post_acs(gw.response_for(gw.start_login(), "ada@example.com"));
    REQUIRE(page);
    CHECK(page->status == 403);
    CHECK(
        contains(page->body, "Your account in acme has been deactivated. Ask your administrator."));
    CHECK(contains(page->body, "Reference:"));
    CHECK(contains(page->body, ">Back to sign-in</a>"));
}

TEST_CASE("SAML refuses an unknown person with just-in-time creation off as having no account") {
    SignInGateway gw({"--jit", "false"});
    auto page = gw.post_acs(gw.response_for(gw.start_login(), "stranger@example.com"));
    REQUIRE(page);
    CHECK(page->status == 403);
    CHECK(contains(page->body, "acme has no account for you"));
}

TEST_CASE("other SAML failures show a generic message and a reference, never the reason") {
    SignInGateway gw;
    auto page = gw.post_acs(gw.response_for("_never-requested", "ada@example.com"));
    REQUIRE(page);
    CHECK(page->status == 403);
    CHECK(contains(page->body, "answer could not be accepted."));
    CHECK(contains(page->body, "Reference:"));
    CHECK_FALSE(contains(page->body, "saml.response"));
    CHECK_FALSE(contains(page->body, "InResponseTo"));
}

TEST_CASE("the landing page shows the signed-in member, role, settings link and sign-out") {
    SignInGateway gw;
    auto signed_in = gw.post_password("ada@example.com", kPassword);
    REQUIRE(signed_in);
    REQUIRE(signed_in->status == 303);
    auto page = gw.landing(SamlGateway::session_cookie(*signed_in));
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(contains(page->body, R"(<strong class="member-email">ada@example.com</strong>)"));
    CHECK(contains(page->body, R"(<strong class="member-role">admin</strong>)"));
    CHECK(contains(page->body, R"(<ul class="teams">)"));
    CHECK(contains(page->body, R"(<button type="submit" class="secondary">Sign out</button>)"));
    CHECK_FALSE(contains(page->body, "Organization settings"));  // admin is not a manager
}

TEST_CASE("the landing page offers sign-in, and the password link only while Require SSO is off") {
    SignInGateway gw;
    auto page = gw.get("/organizations/acme/");
    REQUIRE(page);
    CHECK(contains(page->body, R"(<button type="submit">Sign in</button>)"));
    CHECK(contains(page->body, ">Sign in with a password</a>"));
    gw.require_sso(true);
    auto required = gw.get("/organizations/acme/");
    REQUIRE(required);
    CHECK(contains(required->body, R"(<button type="submit">Sign in</button>)"));
    CHECK_FALSE(contains(required->body, "Sign in with a password"));
}

TEST_CASE("an unknown org answers 404 saying there is no such organization") {
    SignInGateway gw;
    auto page = gw.get("/auth/login/nobody/");
    REQUIRE(page);
    CHECK(page->status == 404);
    CHECK(contains(page->body, "There is no organization with that name here."));
    CHECK(contains(page->body, ">Home</a>"));
}

TEST_CASE("the landing page links an owner to the organization settings") {
    SignInGateway gw;
    auto signed_in = gw.post_password("root@example.com", kPassword);
    REQUIRE(signed_in);
    REQUIRE(signed_in->status == 303);
    auto page = gw.landing(SamlGateway::session_cookie(*signed_in));
    REQUIRE(page);
    CHECK(contains(page->body, R"(<strong class="member-role">owner</strong>)"));
    CHECK(contains(page->body, ">Organization settings</a>"));
}
