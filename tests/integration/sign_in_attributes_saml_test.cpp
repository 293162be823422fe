// Roles and teams from SAML sign-in through the real gateway: the org option on the settings
// page, the admin API and the CLI; a signed Response carrying role and groups attributes; a
// refused sign-in for a role the org does not accept.
#include <algorithm>

#include "gatehouse/store/store.hpp"
#include "settings_auth_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

// The stored member with `email`, and the slugs of its teams, read from the gateway's store.
struct StoredMember {
    core::Member member;
    std::vector<std::string> teams;
};

StoredMember stored_member(const std::string& db, const std::string& email) {
    auto opened = store::open_sqlite_store(db);
    REQUIRE(opened.ok());
    StoredMember out;
    REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("acme");
        REQUIRE(org.has_value());
        const auto member = tx.member_by_email(org->id, email);
        REQUIRE(member.has_value());
        out.member = *member;
        for (const auto& team : tx.teams_of_member(org->id, member->id)) {
            out.teams.push_back(team.slug);
        }
        return {};
    }));
    std::sort(out.teams.begin(), out.teams.end());
    return out;
}

void turn_on(const SamlGateway& gw) {
    auto set = run_gatehouse(
        {"--db", gw.db, "auth", "set", "--org", "acme", "--sign-in-attributes", "on"});
    REQUIRE_MESSAGE(set.exit_code == 0, set.err);
}

std::string signed_response(const SamlGateway& gw, const std::string& request_id,
                            const std::string& role, std::vector<std::string> groups) {
    return gw.response_with(request_id, "ada@example.com",
                            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                            {{"email", {"ada@example.com"}},
                             {"firstName", {"Ada"}},
                             {"role", {role}},
                             {"groups", std::move(groups)}});
}

}  // namespace

TEST_CASE("the CLI turns roles and teams from sign-in on and shows it, refusing other values") {
    SamlGateway gw;
    auto set = run_gatehouse(
        {"--db", gw.db, "auth", "set", "--org", "acme", "--sign-in-attributes", "on"});
    REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    CHECK(set.out.find("\"apply_sign_in_attributes\": true") != std::string::npos);
    auto shown = run_gatehouse({"--db", gw.db, "auth", "show", "--org", "acme"});
    CHECK(shown.out.find("\"apply_sign_in_attributes\": true") != std::string::npos);
    auto refused = run_gatehouse(
        {"--db", gw.db, "auth", "set", "--org", "acme", "--sign-in-attributes", "maybe"});
    CHECK(refused.exit_code != 0);
}

TEST_CASE("a SAML sign-in carrying role and groups gives the member that role and those teams") {
    SamlGateway gw;
    turn_on(gw);
    auto res =
        gw.post_acs(signed_response(gw, gw.start_login(), "Manager", {"Platform Team", "eng"}));
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 303, res->body, gw.server->log());
    const auto stored = stored_member(gw.db, "ada@example.com");
    CHECK(stored.member.role == core::Role::manager);
    CHECK(stored.teams == std::vector<std::string>{"eng", "platform-team"});

    // The next sign-in names other groups: the member leaves the teams sign-in made.
    auto again = gw.post_acs(signed_response(gw, gw.start_login(), "billing", {"eng"}));
    REQUIRE(again);
    REQUIRE(again->status == 303);
    const auto after = stored_member(gw.db, "ada@example.com");
    CHECK(after.member.role == core::Role::billing);
    CHECK(after.teams == std::vector<std::string>{"eng"});
}

TEST_CASE("a SAML sign-in carrying a role the org does not accept is refused with a clear page") {
    SamlGateway gw;
    turn_on(gw);
    auto res = gw.post_acs(signed_response(gw, gw.start_login(), "superuser", {}));
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(res->body.find("sent a role that acme does not accept") != std::string::npos);
    CHECK(res->body.find("Ask your administrator") != std::string::npos);
    CHECK(res->body.find("superuser") == std::string::npos);
    CHECK(res->get_header_value("Set-Cookie").find("gatehouse_session=") == std::string::npos);
    auto audit = run_gatehouse(
        {"--db", gw.db, "audit", "acme", "--action", "saml.sign_in", "--outcome", "failure"});
    CHECK(audit.out.find("sso.role_invalid") != std::string::npos);
    CHECK(audit.out.find("superuser") != std::string::npos);
}

TEST_CASE("the settings page explains roles and teams from sign-in and an owner turns it on") {
    AuthPage page;
    const std::string cookie = page.owner();
    auto shown = page.get(cookie);
    const bool explained =
        shown->body.find("Members managed over SCIM keep SCIM&#39;s values.") !=
            std::string::npos ||
        shown->body.find("Members managed over SCIM keep SCIM's values.") != std::string::npos;
    CHECK(explained);
    CHECK(shown->body.find(R"(name="apply_sign_in_attributes")") != std::string::npos);
    auto res = page.post(cookie, "options",
                         {{"default_role", "member"},
                          {"switches", "on"},
                          {"jit_provisioning", "on"},
                          {"apply_sign_in_attributes", "on"}});
    CHECK(res->status == 303);
    CHECK(page.api_view()["apply_sign_in_attributes"] == true);
}

TEST_CASE("a manager's forged post cannot turn roles and teams from sign-in on") {
    AuthPage page;
    const std::string cookie = page.manager();
    auto res = page.post(cookie, "options",
                         {{"default_role", "member"},
                          {"switches", "on"},
                          {"jit_provisioning", "on"},
                          {"apply_sign_in_attributes", "on"}});
    CHECK(res->status == 403);
    CHECK(page.api_view()["apply_sign_in_attributes"] == false);
}

TEST_CASE("the admin API turns roles and teams from sign-in on and refuses a non-boolean") {
    AuthPage page;
    const httplib::Headers key = {{"Authorization", "Bearer " + page.api_key}};
    auto res = page.gw.client().Patch("/api/0/organizations/acme/auth/", key,
                                      R"({"apply_sign_in_attributes": true})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(json::parse(res->body)["apply_sign_in_attributes"] == true);
    auto bad = page.gw.client().Patch("/api/0/organizations/acme/auth/", key,
                                      R"({"apply_sign_in_attributes": "yes"})", "application/json");
    REQUIRE(bad);
    CHECK(bad->status == 400);
    CHECK(page.api_view()["apply_sign_in_attributes"] == true);
}
