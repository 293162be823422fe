// Sign-in through the ACS when the IdP sends a persistent, opaque NameID and no email
// attribute: the link rules find a member SCIM provisioned; creating one needs an address.
#include <nlohmann/json.hpp>

#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

constexpr const char* kPersistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

// Provisions a member over SCIM, as Okta or Entra ID would, and returns the HTTP status.
int provision_over_scim(SamlGateway& gw, const std::string& user_name, const std::string& email) {
    auto issued = run_gatehouse({"--db", gw.db, "scim-token", "create", "acme", "--quiet"});
    REQUIRE(issued.exit_code == 0);
    std::string token = issued.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    const nlohmann::json user = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                                 {"userName", user_name},
                                 {"active", true},
                                 {"emails", {{{"value", email}, {"primary", true}}}},
                                 {"name", {{"givenName", "Ada"}, {"familyName", "Lovelace"}}}};
    auto res = gw.client().Post("/api/0/organizations/acme/scim/v2/Users",
                                httplib::Headers{{"Authorization", "Bearer " + token}}, user.dump(),
                                "application/scim+json");
    REQUIRE(res);
    return res->status;
}

}  // namespace

TEST_CASE(
    "a member provisioned with the IdP's persistent NameID signs in with no email attribute") {
    SamlGateway gw;
    const std::string subject = "AAdzZWNyZXQxdSBx7K2cBvQ3Ha8pHnqzYgVk";
    REQUIRE(provision_over_scim(gw, subject, "ada@example.com") == 201);

    auto res =
        gw.post_acs(gw.response_with(gw.start_login(), subject, kPersistent, {{"uid", {"ada"}}}));
    REQUIRE(res);
    CHECK(res->status == 303);
    const std::string cookie = SamlGateway::session_cookie(*res);
    auto landing = gw.landing(cookie);
    REQUIRE(landing);
    CHECK(landing->status == 200);

    auto audit = run_gatehouse({"--db", gw.db, "audit", "acme", "--action", "saml.sign_in"});
    CHECK(audit.out.find(R"("outcome":"success")") != std::string::npos);
    CHECK(audit.out.find(R"("linked":true)") != std::string::npos);
}

TEST_CASE("just-in-time creation without an email is refused, naming the attributes sent") {
    SamlGateway gw;
    auto res =
        gw.post_acs(gw.response_with(gw.start_login(), "opaque-7f3a9c", kPersistent,
                                     {{"uid", {"grace"}}, {"eduPersonAffiliation", {"staff"}}}));
    REQUIRE(res);
    CHECK(res->status != 303);
    CHECK(res->get_header_value("Set-Cookie").find("gatehouse_session=") == std::string::npos);
    auto audit = run_gatehouse({"--db", gw.db, "audit", "acme", "--action", "saml.sign_in"});
    CHECK(audit.out.find("saml.member.email_missing") != std::string::npos);
    CHECK(gw.server->log().find("attributes present: eduPersonAffiliation, uid") !=
          std::string::npos);
}
