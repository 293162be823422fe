// ProvisioningService on Groups: teams created, renamed, re-membered and deleted over SCIM,
// on a real SQLite store, including a group of 20,000 members.
#include <chrono>

#include "gatehouse/scim/projection.hpp"
#include "service/provisioning_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::group_body;
using gatehouse::testing::json;
using gatehouse::testing::patch_body;
using gatehouse::testing::ProvisioningFixture;
using gatehouse::testing::scim_status;
using gatehouse::testing::scim_type;

namespace {

scim::Projection without_members() {
    auto projection = scim::parse_projection(std::nullopt, "members");
    REQUIRE(projection.ok());
    return *projection;
}

}  // namespace

TEST_CASE("create_group makes an IdP-managed team whose slug comes from the display name") {
    ProvisioningFixture f;
    const std::string ada = f.create_user("ada@example.com");
    auto created = f.service.create_group(f.client, group_body("Platform  Engineers", {ada}));
    REQUIRE(created.ok());
    CHECK(created->body["displayName"] == "Platform  Engineers");
    CHECK(created->body["members"][0]["value"] == ada);
    const auto team = f.team(created->body["id"].get<std::string>());
    REQUIRE(team.has_value());
    CHECK(team->slug == "platform-engineers");
    CHECK(team->idp_managed);
    CHECK(f.audit("scim.group.create").size() == 1);
}

TEST_CASE("create_group refuses a display name whose slug is taken with 409 uniqueness") {
    ProvisioningFixture f;
    f.create_group("Platform Engineers");
    auto again = f.service.create_group(f.client, group_body("platform engineers"));
    REQUIRE_FALSE(again.ok());
    CHECK(scim_status(again.error()) == 409);
    CHECK(scim_type(again.error()) == "uniqueness");
    CHECK(again.error().message.find("platform-engineers") != std::string::npos);
}

TEST_CASE("create_group refuses a display name that leaves no slug") {
    ProvisioningFixture f;
    auto created = f.service.create_group(f.client, group_body("!!!"));
    REQUIRE_FALSE(created.ok());
    CHECK(scim_type(created.error()) == "invalidValue");
}

TEST_CASE("create_group refuses an unknown or foreign member id naming it, and stores no team") {
    ProvisioningFixture f;
    const service::ScimClient acme = f.client;
    f.client = f.connect("globex");
    const std::string foreign = f.create_user("mallory@example.com");
    f.client = acme;
    const std::string ada = f.create_user("ada@example.com");
    for (const std::string& bad : {std::string("no-such-user"), foreign}) {
        auto created = f.service.create_group(f.client, group_body("Engineers", {ada, bad}));
        REQUIRE_FALSE(created.ok());
        CHECK(scim_status(created.error()) == 400);
        CHECK(scim_type(created.error()) == "invalidValue");
        CHECK(created.error().message.find(bad) != std::string::npos);
    }
    auto list = f.service.list_groups(f.client, {});
    REQUIRE(list.ok());
    CHECK((*list)["totalResults"] == 0);
}

TEST_CASE("create_group refuses members without a string value or of a type other than User") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    for (const json& bad : {json{{"display", "Ada"}}, json{{"value", 7}},
                            json{{"value", a}, {"type", "Group"}}, json("x")}) {
        json body = group_body("Engineers");
        body["members"].push_back(bad);
        auto created = f.service.create_group(f.client, body);
        REQUIRE_FALSE(created.ok());
        CHECK(scim_type(created.error()) == "invalidValue");
    }
}

TEST_CASE("create_group keeps a member listed twice once") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string group = f.create_group("Engineers", {a, a});
    CHECK(f.team_member_ids(group) == std::vector<std::string>{a});
}

TEST_CASE(
    "patch_group adds members and removes them by value filter and by Entra ID's value array") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string b = f.create_user("b@example.com");
    const std::string c = f.create_user("c@example.com");
    const std::string group = f.create_group("Engineers");
    REQUIRE(f.service
                .patch_group(
                    f.client, group,
                    patch_body({{{"op", "Add"},
                                 {"path", "members"},
                                 {"value", {{{"value", a}}, {{"value", b}}, {{"value", c}}}}}}))
                .ok());
    CHECK(f.team_member_ids(group) == std::vector<std::string>{a, b, c});
    REQUIRE(f.service
                .patch_group(
                    f.client, group,
                    patch_body({{{"op", "remove"}, {"path", "members[value eq \"" + a + "\"]"}}}))
                .ok());
    REQUIRE(
        f.service
            .patch_group(
                f.client, group,
                patch_body({{{"op", "Remove"}, {"path", "members"}, {"value", {{{"value", c}}}}}}))
            .ok());
    CHECK(f.team_member_ids(group) == std::vector<std::string>{b});
    const auto entries = f.audit("scim.group.patch");
    REQUIRE(entries.size() == 3);
    std::size_t most_added = 0;
    for (const auto& entry : entries) {
        most_added = std::max(most_added, json::parse(entry.details)["members_added"].size());
    }
    CHECK(most_added == 3);
}

TEST_CASE("patch_group refuses to add an unknown member and changes nothing") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string group = f.create_group("Engineers");
    auto patched = f.service.patch_group(
        f.client, group,
        patch_body({{{"op", "replace"}, {"path", "displayName"}, {"value", "Builders"}},
                    {{"op", "add"},
                     {"path", "members"},
                     {"value", {{{"value", a}}, {{"value", "ghost"}}}}}}));
    REQUIRE_FALSE(patched.ok());
    CHECK(patched.error().message.find("ghost") != std::string::npos);
    CHECK(f.team_member_ids(group).empty());
    CHECK(f.team(group)->display_name == "Engineers");
}

TEST_CASE(
    "patch_group applies membership operations in order, so add then remove leaves the member "
    "out") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string b = f.create_user("b@example.com");
    const std::string group = f.create_group("Engineers", {a});
    auto patched = f.service.patch_group(
        f.client, group,
        patch_body({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", b}}}}},
                    {{"op", "remove"}, {"path", "members[value eq \"" + b + "\"]"}},
                    {{"op", "add"}, {"path", "members"}, {"value", {{{"value", a}}}}}}));
    REQUIRE(patched.ok());
    CHECK(patched->etag == "W/\"1\"");
    CHECK(f.team_member_ids(group) == std::vector<std::string>{a});
}

TEST_CASE("patch_group refuses a membership-only add of an unknown id, naming it") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string group = f.create_group("Engineers");
    auto patched =
        f.service.patch_group(f.client, group,
                              patch_body({{{"op", "Add"},
                                           {"path", "members"},
                                           {"value", {{{"value", a}}, {{"value", "ghost"}}}}}}));
    REQUIRE_FALSE(patched.ok());
    CHECK(scim_type(patched.error()) == "invalidValue");
    CHECK(patched.error().message.find("ghost") != std::string::npos);
    CHECK(f.team_member_ids(group).empty());
}

TEST_CASE("patch_group refuses a member of a type other than User") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string group = f.create_group("Engineers");
    auto patched =
        f.service.patch_group(f.client, group,
                              patch_body({{{"op", "add"},
                                           {"path", "members"},
                                           {"value", {{{"value", a}, {"type", "Group"}}}}}}));
    REQUIRE_FALSE(patched.ok());
    CHECK(scim_status(patched.error()) == 400);
    CHECK(f.team_member_ids(group).empty());
}

TEST_CASE("patch_group renames the team, moving its slug, and bumps the version") {
    ProvisioningFixture f;
    const std::string group = f.create_group("Engineers");
    auto patched = f.service.patch_group(
        f.client, group,
        patch_body({{{"op", "replace"},
                     {"value", {{"id", group}, {"displayName", "Site Reliability"}}}}}));
    REQUIRE(patched.ok());
    CHECK(patched->etag == "W/\"2\"");
    CHECK(f.team(group)->slug == "site-reliability");
}

TEST_CASE("patch_group refuses a rename onto another team's slug with 409 and keeps the name") {
    ProvisioningFixture f;
    f.create_group("Operators");
    const std::string group = f.create_group("Engineers");
    auto patched = f.service.patch_group(
        f.client, group,
        patch_body({{{"op", "replace"}, {"path", "displayName"}, {"value", "OPERATORS"}}}));
    REQUIRE_FALSE(patched.ok());
    CHECK(scim_status(patched.error()) == 409);
    CHECK(f.team(group)->display_name == "Engineers");
}

TEST_CASE("a membership change keeps the slug of a team whose slug an admin chose") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    core::Team team;
    team.org_id = f.client.org.id;
    team.slug = "plat";
    team.display_name = "Platform";
    REQUIRE(f.storage.db->write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_team(team);
        if (!inserted) return inserted.error();
        team = *inserted;
        return {};
    }));
    auto patched = f.service.patch_group(
        f.client, team.public_id,
        patch_body({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", a}}}}}}));
    REQUIRE(patched.ok());
    CHECK(f.team(team.public_id)->slug == "plat");
    CHECK(f.team(team.public_id)->idp_managed);
}

TEST_CASE("replace_group sets exactly the members it lists") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string b = f.create_user("b@example.com");
    const std::string group = f.create_group("Engineers", {a});
    auto replaced = f.service.replace_group(f.client, group, group_body("Engineers", {b}));
    REQUIRE(replaced.ok());
    CHECK(f.team_member_ids(group) == std::vector<std::string>{b});
    CHECK(replaced->body["members"].size() == 1);
}

TEST_CASE("get_group leaves members out when excludedAttributes names them") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string group = f.create_group("Engineers", {a});
    auto read = f.service.get_group(f.client, group, without_members());
    REQUIRE(read.ok());
    CHECK_FALSE(read->body.contains("members"));
    CHECK(read->body["displayName"] == "Engineers");
}

TEST_CASE("list_groups finds a group by displayName eq, as Entra ID checks for existence") {
    ProvisioningFixture f;
    f.create_group("Engineers");
    const std::string ops = f.create_group("Operators");
    service::ScimQuery query;
    query.filter = "displayName eq \"operators\"";
    query.projection = without_members();
    auto found = f.service.list_groups(f.client, query);
    REQUIRE(found.ok());
    CHECK((*found)["totalResults"] == 1);
    CHECK((*found)["Resources"][0]["id"] == ops);
    CHECK_FALSE((*found)["Resources"][0].contains("members"));
}

TEST_CASE("list_groups filters on a member id") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    f.create_group("Engineers");
    const std::string ops = f.create_group("Operators", {a});
    service::ScimQuery query;
    query.filter = "members[value eq \"" + a + "\"]";
    auto found = f.service.list_groups(f.client, query);
    REQUIRE(found.ok());
    CHECK((*found)["totalResults"] == 1);
    CHECK((*found)["Resources"][0]["id"] == ops);
}

TEST_CASE("delete_group removes the team but not its members") {
    ProvisioningFixture f;
    const std::string a = f.create_user("a@example.com");
    const std::string group = f.create_group("Engineers", {a});
    REQUIRE(f.service.delete_group(f.client, group).ok());
    CHECK_FALSE(f.team(group).has_value());
    CHECK(f.member_exists(a));
    CHECK(scim_status(f.service.get_group(f.client, group, {}).error()) == 404);
}

TEST_CASE("a group of 20,000 members is read with and without its members") {
    ProvisioningFixture f;
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> ids;
    REQUIRE(f.storage.db->write([&](store::Transaction& tx) -> Status {
        for (int i = 0; i < 20000; ++i) {
            core::Member m;
            m.org_id = f.client.org.id;
            m.user_name = "user" + std::to_string(i) + "@example.com";
            m.email = m.user_name;
            auto inserted = tx.insert_member(m);
            if (!inserted) return inserted.error();
            ids.push_back(inserted->public_id);
        }
        return {};
    }));
    const std::string group = f.create_group("Everyone", ids);
    auto full = f.service.get_group(f.client, group, {});
    REQUIRE(full.ok());
    CHECK(full->body["members"].size() == 20000);
    CHECK(full->body["members"][19999]["value"] == ids.back());
    auto slim = f.service.get_group(f.client, group, without_members());
    REQUIRE(slim.ok());
    CHECK_FALSE(slim->body.contains("members"));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    MESSAGE("20,000-member group built and read in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
}
