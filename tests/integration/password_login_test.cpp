// Password sign-in through the real gateway: the form, the session cookie, the single refusal
// page, and Require SSO turned on from the command line while the server runs.
#include <nlohmann/json.hpp>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/encoding.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

const std::string kPassword = "correct horse battery staple";
const std::string kOwnerPassword = "break the glass in an emergency";

// A gateway whose org has a SAML provider, a member with a password and a break-glass owner.
struct PasswordGateway : SamlGateway {
    PasswordGateway() {
        add_member({"--email", "ada@example.com", "--role", "admin", "--password-stdin"},
                   kPassword);
        add_member(
            {"--email", "root@example.com", "--role", "owner", "--break-glass", "--password-stdin"},
            kOwnerPassword);
    }

    void add_member(std::vector<std::string> flags, const std::string& password) {
        std::vector<std::string> args = {"--db", db, "member", "add", "--org", "acme"};
        args.insert(args.end(), flags.begin(), flags.end());
        auto added = run_gatehouse(args, password + "\n");
        REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    }

    httplib::Result sign_in(const std::string& email, const std::string& password,
                            const std::string& next = "") {
        std::string body =
            "email=" + util::url_encode(email) + "&password=" + util::url_encode(password);
        if (!next.empty()) body += "&next=" + util::url_encode(next);
        return client().Post("/auth/login/acme/", body, "application/x-www-form-urlencoded");
    }

    std::vector<core::AuditEntry> audit(const std::string& action) {
        auto opened = store::open_sqlite_store(db);
        REQUIRE(opened.ok());
        std::vector<core::AuditEntry> entries;
        REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
            const auto org = tx.org_by_slug("acme");
            REQUIRE(org.has_value());
            store::AuditQuery query;
            query.action_prefix = action;
            entries = tx.list_audit(org->id, query).items;
            return {};
        }));
        return entries;
    }
};

bool signed_in_as(SamlGateway& gw, const std::string& cookie, const std::string& email) {
    auto page = gw.landing(cookie);
    REQUIRE(page);
    return page->body.find(email) != std::string::npos;
}

}  // namespace

TEST_CASE("password login sets the session cookie and lands on the requested page") {
    PasswordGateway gw;
    auto res = gw.sign_in("ada@example.com", kPassword, "/organizations/acme/?tab=2");
    REQUIRE(res);
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == "/organizations/acme/?tab=2");
    const std::string cookie_header = res->get_header_value("Set-Cookie");
    CHECK(cookie_header.find("HttpOnly") != std::string::npos);
    CHECK(signed_in_as(gw, SamlGateway::session_cookie(*res), "ada@example.com"));
}

TEST_CASE("password login answers a wrong password and an unknown email with the same 401 page") {
    PasswordGateway gw;
    auto wrong = gw.sign_in("ada@example.com", "not the right password");
    auto unknown = gw.sign_in("eve@example.com", "not the right password");
    REQUIRE(wrong);
    REQUIRE(unknown);
    CHECK(wrong->status == 401);
    CHECK(unknown->status == 401);
    // The page keeps the email typed; apart from that, both answers are the same page.
    auto without_email = [](std::string body, const std::string& email) {
        for (auto at = body.find(email); at != std::string::npos; at = body.find(email))
            body.replace(at, email.size(), "EMAIL");
        return body;
    };
    CHECK(without_email(wrong->body, "ada@example.com") ==
          without_email(unknown->body, "eve@example.com"));
    CHECK(wrong->body.find("The email or password is not right.") != std::string::npos);
    CHECK_FALSE(wrong->has_header("Set-Cookie"));
}

TEST_CASE("password login refuses a body that is not a form with 400") {
    PasswordGateway gw;
    auto res = gw.client().Post(
        "/auth/login/acme/", R"({"email":"ada@example.com","password":"x"})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 400);
}

TEST_CASE("password login refuses an oversized form with 413") {
    PasswordGateway gw;
    auto res = gw.sign_in("ada@example.com", std::string(20 * 1024, 'a'));
    REQUIRE(res);
    CHECK(res->status == 413);
}

TEST_CASE(
    "Require SSO turned on from the CLI ends password sessions and redirects password "
    "logins into SSO, while the break-glass owner still gets in") {
    PasswordGateway gw;
    auto before = gw.sign_in("ada@example.com", kPassword);
    REQUIRE(before);
    REQUIRE(before->status == 303);
    const std::string old_cookie = SamlGateway::session_cookie(*before);
    REQUIRE(signed_in_as(gw, old_cookie, "ada@example.com"));

    auto turned_on =
        run_gatehouse({"--db", gw.db, "auth", "set", "--org", "acme", "--require-sso", "on"});
    REQUIRE_MESSAGE(turned_on.exit_code == 0, turned_on.err);
    CHECK(turned_on.out.find("Password sessions ended: 1") != std::string::npos);
    CHECK_FALSE(signed_in_as(gw, old_cookie, "ada@example.com"));

    auto redirected = gw.sign_in("ada@example.com", kPassword, "/organizations/acme/x");
    REQUIRE(redirected);
    CHECK(redirected->status == 303);
    // httplib's client shows the Location percent-decoded.
    CHECK(redirected->get_header_value("Location") ==
          "/auth/login/acme/?reason=sso_required&next=/organizations/acme/x");
    CHECK_FALSE(redirected->has_header("Set-Cookie"));
    // The login path it names goes on to the IdP.
    CHECK(gw.location_of("/auth/login/acme/?next=%2Forganizations%2Facme%2Fx").rfind(kIdpSso, 0) ==
          0);

    auto owner = gw.sign_in("root@example.com", kOwnerPassword);
    REQUIRE(owner);
    CHECK(owner->status == 303);
    CHECK(signed_in_as(gw, SamlGateway::session_cookie(*owner), "root@example.com"));
    const auto uses = gw.audit("auth.password_sign_in");
    REQUIRE_FALSE(uses.empty());
    CHECK(uses.front().outcome == "success");
    CHECK(nlohmann::json::parse(uses.front().details)["break_glass"] == true);
}

TEST_CASE("auth set refuses Require SSO while the org has no break-glass owner") {
    SamlGateway gw;
    auto refused =
        run_gatehouse({"--db", gw.db, "auth", "set", "--org", "acme", "--require-sso", "on"});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("break-glass") != std::string::npos);
    auto shown = run_gatehouse({"--db", gw.db, "auth", "show", "--org", "acme"});
    REQUIRE(shown.exit_code == 0);
    CHECK(nlohmann::json::parse(shown.out)["require_sso"] == false);
}

TEST_CASE("member list shows each member's role, state and break-glass flag") {
    PasswordGateway gw;
    REQUIRE(run_gatehouse(
                {"--db", gw.db, "member", "add", "--org", "acme", "--email", "bob@example.com"})
                .exit_code == 0);
    auto listed = run_gatehouse({"--db", gw.db, "member", "list", "--org", "acme"});
    REQUIRE(listed.exit_code == 0);
    CHECK(listed.out.find("\tada@example.com\tadmin\tactive\towner\t-\t-\n") != std::string::npos);
    CHECK(listed.out.find("\troot@example.com\towner\tactive\towner\t-\tbreak-glass\n") !=
          std::string::npos);
    CHECK(listed.out.find("\tbob@example.com\tmember\tinvited\tinvited\t-\t-\n") !=
          std::string::npos);
}

TEST_CASE("member set-password reads the new password from standard input") {
    PasswordGateway gw;
    const std::string fresh = "a brand new password for ada";
    auto set = run_gatehouse({"--db", gw.db, "member", "set-password", "--org", "acme", "--email",
                              "ada@example.com", "--password-stdin"},
                             fresh + "\n");
    REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    CHECK(gw.sign_in("ada@example.com", kPassword)->status == 401);
    CHECK(gw.sign_in("ada@example.com", fresh)->status == 303);
}
