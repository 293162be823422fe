// ProvisioningService on Users: members created, changed, deactivated and deleted over SCIM,
// on a real SQLite store.
#include "service/provisioning_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::json;
using gatehouse::testing::patch_body;
using gatehouse::testing::ProvisioningFixture;
using gatehouse::testing::scim_status;
using gatehouse::testing::scim_type;
using gatehouse::testing::user_body;

TEST_CASE("create_user stores an invited, IdP-managed member with the org's default role") {
    ProvisioningFixture f;
    auto created = f.service.create_user(f.client, user_body("ada@example.com"));
    REQUIRE(created.ok());
    CHECK(created->etag == "W/\"1\"");
    CHECK(created->body["orgRole"] == "member");
    const core::Member m = f.member(created->body["id"].get<std::string>());
    CHECK(m.state == core::MemberState::invited);
    CHECK(m.source == core::MemberSource::scim);
    CHECK(m.idp_managed);
    CHECK(m.email == "ada@example.com");
    CHECK(m.given_name == "Ada");
    CHECK(m.role == core::Role::member);
}

TEST_CASE("create_user keeps emails, name.formatted and the enterprise extension as sent") {
    ProvisioningFixture f;
    const std::string ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    json body = user_body("ada@example.com", {{ext, {{"department", "Engines"}}}});
    body["schemas"].push_back(ext);
    body["name"]["formatted"] = "Ada King, Countess of Lovelace";
    body["emails"].push_back({{"value", "ada@home.example"}, {"type", "home"}});
    auto created = f.service.create_user(f.client, body);
    REQUIRE(created.ok());
    auto read = f.service.get_user(f.client, created->body["id"].get<std::string>(), {});
    REQUIRE(read.ok());
    CHECK(read->body["name"]["formatted"] == "Ada King, Countess of Lovelace");
    CHECK(read->body["emails"].size() == 2);
    CHECK(read->body["emails"][1]["type"] == "home");
    CHECK(read->body[ext]["department"] == "Engines");
}

TEST_CASE(
    "create_user reads orgRole case-insensitively and falls back to the default for a blank one") {
    ProvisioningFixture f;
    auto admin =
        f.service.create_user(f.client, user_body("a@example.com", {{"orgRole", "Admin"}}));
    REQUIRE(admin.ok());
    CHECK(f.member(admin->body["id"].get<std::string>()).role == core::Role::admin);
    auto blank = f.service.create_user(f.client, user_body("b@example.com", {{"orgRole", ""}}));
    REQUIRE(blank.ok());
    CHECK(f.member(blank->body["id"].get<std::string>()).role == core::Role::member);
}

TEST_CASE("create_user refuses the owner role with invalidValue and stores nothing") {
    ProvisioningFixture f;
    auto created =
        f.service.create_user(f.client, user_body("a@example.com", {{"orgRole", "owner"}}));
    REQUIRE_FALSE(created.ok());
    CHECK(scim_status(created.error()) == 400);
    CHECK(scim_type(created.error()) == "invalidValue");
    auto list = f.service.list_users(f.client, {});
    REQUIRE(list.ok());
    CHECK((*list)["totalResults"] == 0);
}

TEST_CASE("create_user refuses a userName taken in another case with 409 uniqueness") {
    ProvisioningFixture f;
    f.create_user("ada@example.com");
    auto again = f.service.create_user(f.client, user_body("ADA@example.com"));
    REQUIRE_FALSE(again.ok());
    CHECK(scim_status(again.error()) == 409);
    CHECK(scim_type(again.error()) == "uniqueness");
    CHECK(again.error().message.find("ADA@example.com") != std::string::npos);
}

TEST_CASE("create_user writes an audit entry naming the token and the new member") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com");
    const auto entries = f.audit("scim.user.");
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].action == "scim.user.create");
    CHECK(entries[0].actor == "scim-token:" + std::to_string(f.client.token.id));
    CHECK(entries[0].target == id);
    CHECK(json::parse(entries[0].details)["after"]["id"] == id);
}

TEST_CASE("patch_user with Okta's active=false deactivates the member and ends their sessions") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com");
    f.open_session(id, "session-1");
    auto patched = f.service.patch_user(
        f.client, id, patch_body({{{"op", "replace"}, {"value", {{"active", false}}}}}));
    REQUIRE(patched.ok());
    CHECK(patched->body["active"] == false);
    CHECK(f.member(id).state == core::MemberState::deactivated);
    CHECK_FALSE(f.session_exists("session-1"));
}

TEST_CASE("reactivation returns an unlinked member to invited and a linked one to active") {
    ProvisioningFixture f;
    const std::string unlinked = f.create_user("a@example.com", {{"active", false}});
    const std::string linked = f.create_user("b@example.com", {{"active", false}});
    core::Member m = f.member(linked);
    m.saml_subject = "b@idp";
    REQUIRE(f.storage.db->write([&](store::Transaction& tx) -> Status {
        auto updated = tx.update_member(m);
        return updated ? Status{} : Status{updated.error()};
    }));
    const json reactivate =
        patch_body({{{"op", "Replace"}, {"path", "active"}, {"value", "True"}}});
    REQUIRE(f.service.patch_user(f.client, unlinked, reactivate).ok());
    REQUIRE(f.service.patch_user(f.client, linked, reactivate).ok());
    CHECK(f.member(unlinked).state == core::MemberState::invited);
    CHECK(f.member(linked).state == core::MemberState::active);
}

TEST_CASE(
    "patch_user that changes nothing (Entra ID's periodic active re-send) keeps version and "
    "audit") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com");
    auto patched = f.service.patch_user(
        f.client, id, patch_body({{{"op", "Replace"}, {"path", "active"}, {"value", "True"}}}));
    REQUIRE(patched.ok());
    CHECK(patched->etag == "W/\"1\"");
    CHECK(f.audit("scim.user.patch").empty());
}

TEST_CASE("patch_user changes the role through orgRole and refuses owner") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com");
    REQUIRE(f.service
                .patch_user(
                    f.client, id,
                    patch_body({{{"op", "replace"}, {"path", "orgRole"}, {"value", "manager"}}}))
                .ok());
    CHECK(f.member(id).role == core::Role::manager);
    auto owner = f.service.patch_user(
        f.client, id, patch_body({{{"op", "replace"}, {"path", "orgRole"}, {"value", "owner"}}}));
    REQUIRE_FALSE(owner.ok());
    CHECK(scim_type(owner.error()) == "invalidValue");
    CHECK(f.member(id).role == core::Role::manager);
}

TEST_CASE("patch_user applies all operations or none") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com");
    auto patched = f.service.patch_user(
        f.client, id,
        patch_body({{{"op", "replace"}, {"path", "displayName"}, {"value", "Countess"}},
                    {{"op", "replace"}, {"path", "userName"}, {"value", 42}}}));
    REQUIRE_FALSE(patched.ok());
    CHECK(scim_status(patched.error()) == 400);
    const core::Member m = f.member(id);
    CHECK(m.display_name.empty());
    CHECK(m.version == 1);
}

TEST_CASE("replace_user without orgRole puts the member back on the org's default role") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com", {{"orgRole", "admin"}});
    auto replaced = f.service.replace_user(f.client, id,
                                           user_body("ada@example.com", {{"displayName", "Ada"}}));
    REQUIRE(replaced.ok());
    CHECK(replaced->etag == "W/\"2\"");
    const core::Member m = f.member(id);
    CHECK(m.role == core::Role::member);
    CHECK(m.display_name == "Ada");
}

TEST_CASE("replace_user refuses a stale If-Match with precondition failed and changes nothing") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com");
    auto stale = f.service.replace_user(
        f.client, id, user_body("ada@example.com", {{"displayName", "X"}}), std::string("W/\"7\""));
    REQUIRE_FALSE(stale.ok());
    CHECK(scim_status(stale.error()) == 412);
    auto fresh = f.service.replace_user(
        f.client, id, user_body("ada@example.com", {{"displayName", "X"}}), std::string("W/\"1\""));
    CHECK(fresh.ok());
}

TEST_CASE("delete_user removes the member, their sessions and memberships, and audits it") {
    ProvisioningFixture f;
    const std::string id = f.create_user("ada@example.com");
    const std::string team = f.create_group("Engineers", {id});
    f.open_session(id, "session-1");
    REQUIRE(f.service.delete_user(f.client, id).ok());
    CHECK_FALSE(f.member_exists(id));
    CHECK_FALSE(f.session_exists("session-1"));
    CHECK(f.team_member_ids(team).empty());
    CHECK(f.audit("scim.user.delete").size() == 1);
}

TEST_CASE("a user id of another org is not found for get, replace, patch and delete") {
    ProvisioningFixture f;
    const service::ScimClient acme = f.client;
    f.client = f.connect("globex");
    const std::string foreign = f.create_user("ada@example.com");
    CHECK(scim_status(f.service.get_user(acme, foreign, {}).error()) == 404);
    CHECK(scim_status(f.service.replace_user(acme, foreign, user_body("x@example.com")).error()) ==
          404);
    CHECK(scim_status(
              f.service
                  .patch_user(acme, foreign,
                              patch_body({{{"op", "replace"}, {"value", {{"active", false}}}}}))
                  .error()) == 404);
    CHECK(scim_status(f.service.delete_user(acme, foreign).error()) == 404);
    CHECK(f.member(foreign).state == core::MemberState::invited);
}

TEST_CASE("list_users finds a userName case-insensitively and pages in a stable order") {
    ProvisioningFixture f;
    for (int i = 0; i < 5; ++i) f.create_user("user" + std::to_string(i) + "@example.com");
    service::ScimQuery query;
    query.filter = "userName eq \"USER3@example.com\"";
    auto found = f.service.list_users(f.client, query);
    REQUIRE(found.ok());
    CHECK((*found)["totalResults"] == 1);
    CHECK((*found)["Resources"][0]["userName"] == "user3@example.com");

    service::ScimQuery page;
    page.page = {2, 2};
    auto listed = f.service.list_users(f.client, page);
    REQUIRE(listed.ok());
    CHECK((*listed)["totalResults"] == 5);
    CHECK((*listed)["startIndex"] == 2);
    CHECK((*listed)["itemsPerPage"] == 2);
    CHECK((*listed)["Resources"][0]["userName"] == "user1@example.com");
    CHECK((*listed)["Resources"][1]["userName"] == "user2@example.com");
}

TEST_CASE("list_users evaluates a filter on attributes kept only as JSON in memory") {
    ProvisioningFixture f;
    f.create_user("a@example.com", {{"name", {{"formatted", "Ada Lovelace"}}}});
    f.create_user("b@example.com", {{"name", {{"formatted", "Grace Hopper"}}}});
    service::ScimQuery query;
    query.filter = "name.formatted sw \"grace\" and active eq true";
    auto found = f.service.list_users(f.client, query);
    REQUIRE(found.ok());
    CHECK((*found)["totalResults"] == 1);
    CHECK((*found)["Resources"][0]["userName"] == "b@example.com");
}

TEST_CASE("list_users filters on emails with a value path") {
    ProvisioningFixture f;
    f.create_user("a@example.com");
    f.create_user("b@other.example");
    service::ScimQuery query;
    query.filter = "emails[type eq \"work\" and value co \"@example.com\"]";
    auto found = f.service.list_users(f.client, query);
    REQUIRE(found.ok());
    CHECK((*found)["totalResults"] == 1);
    CHECK((*found)["Resources"][0]["userName"] == "a@example.com");
}

TEST_CASE(
    "list_users refuses a filter that does not parse with invalidFilter naming the position") {
    ProvisioningFixture f;
    service::ScimQuery query;
    query.filter = "userName eq \"unterminated";
    auto found = f.service.list_users(f.client, query);
    REQUIRE_FALSE(found.ok());
    CHECK(scim_status(found.error()) == 400);
    CHECK(scim_type(found.error()) == "invalidFilter");
    CHECK(found.error().message.find("character") != std::string::npos);
}
