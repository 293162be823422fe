// Roles and teams from OpenID Connect sign-in through the real gateway and a real provider
// (npm oidc-provider): the role and groups claims configured with the CLI, an ID token
// carrying them, and a refused sign-in for a role the org does not accept.
#include <algorithm>

#include "gatehouse/store/store.hpp"
#include "oidc_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using namespace gatehouse::testing::oidc_it;

namespace {

// The role and team slugs of the member with `email`, read from the gateway's store.
std::pair<core::Role, std::vector<std::string>> role_and_teams(const OidcGateway& gw,
                                                               const std::string& email) {
    auto opened = store::open_sqlite_store(gw.db);
    REQUIRE(opened.ok());
    core::Role role = core::Role::member;
    std::vector<std::string> teams;
    REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("acme");
        const auto member = tx.member_by_email(org->id, email);
        REQUIRE(member.has_value());
        role = member->role;
        for (const auto& team : tx.teams_of_member(org->id, member->id)) {
            teams.push_back(team.slug);
        }
        return {};
    }));
    std::sort(teams.begin(), teams.end());
    return {role, teams};
}

// Names the claims with the CLI and turns the org option on.
void use_role_and_groups_claims(const OidcGateway& gw) {
    gw.configure_oidc({"--role-claim", "gatehouse_role", "--groups-claim", "groups"});
    gw.cli({"auth", "set", "--org", "acme", "--sign-in-attributes", "on"});
}

}  // namespace

TEST_CASE("the CLI shows the OpenID provider's role and groups claims") {
    OidcGateway gw;
    gw.configure_oidc({"--role-claim", "gatehouse_role", "--groups-claim", "groups"});
    const std::string shown = gw.cli({"oidc", "show", "acme"});
    CHECK(shown.find("Role claim:     gatehouse_role") != std::string::npos);
    CHECK(shown.find("Groups claim:   groups") != std::string::npos);
    auto view = gw.admin("GET", "auth/");
    CHECK(json::parse(view->body)["oidc"]["groups_claim"] == "groups");
}

TEST_CASE("an OpenID sign-in whose ID token carries role and groups sets them on the member") {
    OidcGateway gw;
    use_role_and_groups_claims(gw);
    WebClient browser(shared_provider().ca_file());
    const auto result = gw.sign_in(browser, rhea().sub);
    REQUIRE_MESSAGE(result.response.status == 303, result.response.body, gw.server->log());
    const auto [role, teams] = role_and_teams(gw, rhea().email);
    CHECK(role == core::Role::admin);
    CHECK(teams == std::vector<std::string>{"eng", "platform-team"});
}

TEST_CASE("an OpenID sign-in carrying a role the org does not accept is refused") {
    OidcGateway gw;
    use_role_and_groups_claims(gw);
    const int before = gw.member_count();
    WebClient browser(shared_provider().ca_file());
    const auto result = gw.sign_in(browser, ugo().sub);
    check_refused(gw, result, "sso.role_invalid");
    CHECK(result.response.body.find("sent a role that acme does not accept") != std::string::npos);
    CHECK(gw.member_count() == before);
    CHECK(gw.latest_failure().at("details").at("detail").get<std::string>().find("superuser") !=
          std::string::npos);
}

TEST_CASE("with the org option off an OpenID sign-in ignores the role it carries") {
    OidcGateway gw;
    gw.configure_oidc({"--role-claim", "gatehouse_role", "--groups-claim", "groups"});
    WebClient browser(shared_provider().ca_file());
    const auto result = gw.sign_in(browser, ugo().sub);
    REQUIRE_MESSAGE(result.response.status == 303, result.response.body);
    const auto [role, teams] = role_and_teams(gw, ugo().email);
    CHECK(role == core::Role::member);
    CHECK(teams.empty());
}
