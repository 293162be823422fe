// What the store keeps for roles and teams from sign-in: the org option, the OpenID
// provider's claim names and which teams a sign-in created.
#include "store_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::StoreFixture;

TEST_CASE("an org keeps its roles-and-teams-from-sign-in option, off by default") {
    StoreFixture f;
    auto org = f.make_org("acme");
    CHECK_FALSE(org.apply_sign_in_attributes);
    org.apply_sign_in_attributes = true;
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.update_org(org); }));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        CHECK(tx.org_by_slug("acme")->apply_sign_in_attributes);
        CHECK(tx.org_by_id(org.id)->apply_sign_in_attributes);
        CHECK(tx.list_orgs().at(0).apply_sign_in_attributes);
        return {};
    }));
}

TEST_CASE("an OpenID provider keeps its role and groups claim names") {
    StoreFixture f;
    const auto org = f.make_org("acme");
    core::OidcProvider p;
    p.org_id = org.id;
    p.issuer = "https://op.example";
    p.client_id = "client";
    p.client_secret = "secret";
    p.role_claim = "gatehouse_role";
    p.groups_claim = "groups";
    REQUIRE(f.db->write([&](store::Transaction& tx) { return tx.put_oidc_provider(p); }));
    REQUIRE(f.db->read([&](store::Transaction& tx) -> Status {
        const auto stored = tx.oidc_provider(org.id);
        REQUIRE(stored.has_value());
        CHECK(stored->role_claim == "gatehouse_role");
        CHECK(stored->groups_claim == "groups");
        return {};
    }));
}

TEST_CASE("a team keeps whether a sign-in created it through insert, update and every read") {
    StoreFixture f;
    const auto acme = f.make_org("acme");
    const auto ada = f.make_member(acme.id, "ada");
    REQUIRE(f.db->write([&](store::Transaction& tx) -> Status {
        core::Team team;
        team.org_id = acme.id;
        team.slug = "eng";
        team.display_name = "Eng";
        team.sign_in_managed = true;
        auto inserted = tx.insert_team(team);
        REQUIRE(inserted.ok());
        CHECK(tx.team_by_public_id(acme.id, inserted->public_id)->sign_in_managed);
        CHECK(tx.list_teams(acme.id, {}, store::Page{0, 10}).items.at(0).sign_in_managed);
        REQUIRE(tx.add_team_member(acme.id, inserted->id, ada.id).ok());
        CHECK(tx.teams_of_member(acme.id, ada.id).at(0).sign_in_managed);
        inserted->sign_in_managed = false;
        REQUIRE(tx.update_team(*inserted).ok());
        CHECK_FALSE(tx.team_by_slug(acme.id, "eng")->sign_in_managed);
        return {};
    }));
}
