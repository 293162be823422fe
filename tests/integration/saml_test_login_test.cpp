// "Test configuration" through the real binary: `gatehouse saml test` starts a test sign-in
// on the server's database; the IdP's Response to it gets a report page, not a session.
#include <signal.h>

#include "gatehouse/store/store.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// Runs `gatehouse saml test` against the gateway's database and key pair; returns the
// AuthnRequest ID of the URL it printed.
std::string start_test_from_cli(SamlGateway& gw) {
    auto started =
        run_gatehouse({"--db", gw.db, "saml", "test", "--org", "acme", "--base-url", kBaseUrl,
                       "--sp-key", gw.dir.file("sp.key"), "--sp-cert", gw.dir.file("sp.crt")});
    REQUIRE_MESSAGE(started.exit_code == 0, started.err);
    std::string url = started.out;
    while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
    REQUIRE_MESSAGE(url.rfind(std::string(kIdpSso) + "?SAMLRequest=", 0) == 0, url);
    return root_id(redirect_message_xml(url, "SAMLRequest"));
}

std::int64_t member_count(const std::string& db_path) {
    auto store = store::open_sqlite_store(db_path);
    REQUIRE(store.ok());
    std::int64_t total = -1;
    REQUIRE((*store)->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("acme");
        REQUIRE(org.has_value());
        total = tx.list_members(org->id, {}, {}).total;
        return {};
    }));
    return total;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("saml test: the ACS answers a test sign-in with a report page and no session") {
    SamlGateway gw;
    const auto members_before = member_count(gw.db);
    auto res = gw.post_acs(gw.response_for(start_test_from_cli(gw), "ada@example.com"));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK_FALSE(res->has_header("Set-Cookie"));
    const std::string& page = res->body;
    CHECK_MESSAGE(contains(page, "SAML test sign-in: passed"), page);
    CHECK(contains(page, "signature verified with a configured certificate"));
    CHECK(contains(page, "attributes mapped"));
    CHECK_FALSE(contains(page, ">failed<"));
    CHECK(contains(page, "<code>firstName</code>"));
    CHECK(contains(page, "<code>Lovelace</code>"));
    CHECK(contains(page, "create member (JIT)"));
    CHECK(member_count(gw.db) == members_before);
}

TEST_CASE("saml test: the report names the attribute each mapped value came from") {
    SamlGateway gw;
    auto res = gw.post_acs(
        gw.response_with(start_test_from_cli(gw), "AAdzZWNyZXQx-opaque",
                         "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                         {{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                           {"ada@example.com"}},
                          {"urn:oid:2.5.4.42", {"Ada"}},
                          {"memberOf", {"eng"}}}));
    REQUIRE(res);
    CHECK(res->status == 200);
    const std::string& page = res->body;
    CHECK_MESSAGE(contains(page, "SAML test sign-in: passed"), page);
    CHECK(contains(page, "from <code>NameID</code>"));
    // The page escapes '/' as the template engine does.
    CHECK(contains(page,
                   "from <code>http:&#x2F;&#x2F;schemas.xmlsoap.org&#x2F;ws&#x2F;2005&#x2F;"
                   "05&#x2F;identity&#x2F;claims&#x2F;emailaddress</code>"));
    CHECK(contains(page, "from <code>urn:oid:2.5.4.42</code>"));
    CHECK(contains(page, "from <code>memberOf</code>"));
    CHECK_FALSE(contains(page, "id=\"no-email\""));
}

TEST_CASE("saml test: a Response without email passes and says what sign-in would do") {
    SamlGateway gw;
    auto res = gw.post_acs(gw.response_with(start_test_from_cli(gw), "AAdzZWNyZXQx-opaque",
                                            "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                                            {{"uid", {"ada"}}}));
    REQUIRE(res);
    const std::string& page = res->body;
    CHECK_MESSAGE(contains(page, "SAML test sign-in: passed"), page);
    CHECK(contains(page, "id=\"no-email\""));
    CHECK(contains(page, "saml.member.email_missing"));
    CHECK(contains(page, "attributes present: uid"));
}

TEST_CASE("saml test: a failing test Response gets a report naming the failed check") {
    SamlGateway gw;
    const std::string request_id = start_test_from_cli(gw);
    std::string xml = *util::base64_decode(gw.response_for(request_id, "ada@example.com"));
    xml.replace(xml.find("Lovelace"), 8, "Babbage!");  // breaks the signature
    auto res = gw.post_acs(util::base64_encode(xml));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK_FALSE(res->has_header("Set-Cookie"));
    CHECK_MESSAGE(contains(res->body, "SAML test sign-in: failed"), res->body);
    CHECK(contains(res->body, "saml.signature.invalid"));
    CHECK(contains(res->body, "not run"));
    CHECK_FALSE(contains(res->body, "Babbage"));  // unverified content is not shown
}

TEST_CASE("saml test: the report page escapes what the IdP sent") {
    SamlGateway gw;
    const util::UnixTime now = util::SystemClock{}.now();
    ResponseSpec spec;
    spec.response_id = "_r-escape";
    spec.assertion_id = "_a-escape";
    spec.response_issuer = gw.idp.entity_id();
    spec.assertion_issuer = gw.idp.entity_id();
    spec.destination = std::string(kBaseUrl) + "/saml/acs/acme/";
    spec.recipient = spec.destination;
    spec.audience = std::string(kBaseUrl) + "/saml/metadata/acme/";
    spec.in_response_to = start_test_from_cli(gw);
    spec.name_id = "ada@example.com";
    spec.issue_instant = now;
    spec.not_before = now - 60;
    spec.not_on_or_after = now + 300;
    spec.subject_not_on_or_after = now + 300;
    spec.attributes = {{"email", {"ada@example.com"}}, {"department", {"<script>x()</script>"}}};
    auto escaped =
        gw.post_acs(util::base64_encode(gw.idp.sign(build_response_xml(spec), spec.assertion_id)));
    REQUIRE(escaped);
    CHECK(escaped->status == 200);
    CHECK_FALSE(contains(escaped->body, "<script>"));
    CHECK(contains(escaped->body, "&lt;script&gt;"));
}

TEST_CASE("saml test: a normal sign-in still gets its session beside a pending test") {
    SamlGateway gw;
    start_test_from_cli(gw);
    auto res = gw.post_acs(gw.response_for(gw.start_login(), "ada@example.com"));
    REQUIRE(res);
    CHECK(res->status == 303);
    CHECK(res->has_header("Set-Cookie"));
}

TEST_CASE("saml test: the command refuses an org without an IdP") {
    SamlGateway gw;
    REQUIRE(run_gatehouse({"--db", gw.db, "org", "create", "globex"}).exit_code == 0);
    auto started =
        run_gatehouse({"--db", gw.db, "saml", "test", "--org", "globex", "--base-url", kBaseUrl,
                       "--sp-key", gw.dir.file("sp.key"), "--sp-cert", gw.dir.file("sp.crt")});
    CHECK(started.exit_code == 1);
    CHECK(contains(started.err, "saml.not_configured"));
}
