// Password sign-in against guessing, through the real gateway: the 429 page with Retry-After
// once an account has failed too often, and under Require SSO one answer for every refused
// password, so the break-glass owner's email cannot be told from anyone else's.
#include <nlohmann/json.hpp>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/encoding.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

const std::string kPassword = "correct horse battery staple";
const std::string kOwnerPassword = "break the glass in an emergency";
const std::string kWrong = "not the right password";

// A gateway whose org has the test IdP, a member with a password and a break-glass owner.
struct GuessingGateway : SamlGateway {
    GuessingGateway() {
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

    void require_sso() {
        auto set =
            run_gatehouse({"--db", db, "auth", "set", "--org", "acme", "--require-sso", "on"});
        REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    }

    httplib::Result sign_in(const std::string& email, const std::string& password) {
        const std::string body = "email=" + util::url_encode(email) +
                                 "&password=" + util::url_encode(password) +
                                 "&next=" + util::url_encode("/organizations/acme/x");
        auto res = client().Post("/auth/login/acme/", body, "application/x-www-form-urlencoded");
        REQUIRE(res);
        return res;
    }

    std::vector<core::AuditEntry> audit() {
        auto opened = store::open_sqlite_store(db);
        REQUIRE(opened.ok());
        std::vector<core::AuditEntry> entries;
        REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
            const auto org = tx.org_by_slug("acme");
            REQUIRE(org.has_value());
            entries = tx.list_audit(org->id, {}).items;
            return {};
        }));
        return entries;
    }
};

// What a browser or a script can observe of an answer.
struct Observed {
    int status;
    std::string location, set_cookie, retry_after, content_type, body;
    bool operator==(const Observed&) const = default;
};

Observed observe(const httplib::Response& res) {
    return {res.status,
            res.get_header_value("Location"),
            res.get_header_value("Set-Cookie"),
            res.get_header_value("Retry-After"),
            res.get_header_value("Content-Type"),
            res.body};
}

}  // namespace

TEST_CASE("password sign-in answers the 6th attempt at an account with 429 and Retry-After") {
    GuessingGateway gw;
    for (int i = 0; i < 5; ++i) CHECK(gw.sign_in("ada@example.com", kWrong)->status == 401);
    auto throttled = gw.sign_in("ada@example.com", kPassword);
    CHECK(throttled->status == 429);
    const int retry_after = std::stoi(throttled->get_header_value("Retry-After"));
    CHECK(retry_after > 0);
    CHECK(retry_after <= 15 * 60);
    CHECK(throttled->body.find("Too many failed sign-in attempts") != std::string::npos);
    CHECK(throttled->body.find("name=\"password\"") != std::string::npos);
    CHECK_FALSE(throttled->has_header("Set-Cookie"));
    bool audited = false;
    for (const auto& entry : gw.audit()) {
        audited = audited || entry.reason_code == "auth.password.throttled";
    }
    CHECK(audited);
}

TEST_CASE("a throttled account leaves the other accounts of the org signing in") {
    GuessingGateway gw;
    for (int i = 0; i < 6; ++i) (void)gw.sign_in("eve@example.com", kWrong);
    CHECK(gw.sign_in("eve@example.com", kWrong)->status == 429);
    CHECK(gw.sign_in("ada@example.com", kPassword)->status == 303);
}

TEST_CASE("under Require SSO the break-glass owner's wrong password answers like every other") {
    GuessingGateway gw;
    gw.require_sso();
    const Observed stranger = observe(*gw.sign_in("eve@example.com", kWrong));
    CHECK(stranger.status == 303);
    CHECK(stranger.set_cookie.empty());
    CHECK(observe(*gw.sign_in("ada@example.com", kWrong)) == stranger);
    CHECK(observe(*gw.sign_in("ada@example.com", kPassword)) == stranger);
    CHECK(observe(*gw.sign_in("root@example.com", kWrong)) == stranger);
    CHECK(observe(*gw.sign_in("ROOT@example.com", kOwnerPassword + "x")) == stranger);
}

TEST_CASE("under Require SSO the break-glass owner still signs in with the right password") {
    GuessingGateway gw;
    gw.require_sso();
    (void)gw.sign_in("root@example.com", kWrong);
    auto owner = gw.sign_in("root@example.com", kOwnerPassword);
    CHECK(owner->status == 303);
    CHECK(owner->get_header_value("Location") == "/organizations/acme/x");
    CHECK(owner->get_header_value("Set-Cookie").rfind("gatehouse_session=", 0) == 0);
}

TEST_CASE("the SSO-required page shows the break-glass owner the way back to the password form") {
    GuessingGateway gw;
    gw.require_sso();
    auto page = gw.client().Get("/auth/login/acme/?reason=sso_required");
    REQUIRE(page);
    CHECK(page->body.find("Holding the break-glass account?") != std::string::npos);
    CHECK(page->body.find("?method=password") != std::string::npos);
}
