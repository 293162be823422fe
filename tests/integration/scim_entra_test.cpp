// Replays, request by request, what the Microsoft Entra ID provisioning service sends to a
// SCIM app over a user's and a group's life cycle, against the real server.
//
// Shapes as documented by Microsoft:
//   "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
//     https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
//   "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra
//    user provisioning service"
//     https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
// Entra ID checks existence with `filter=userName eq "…"` (and a random userName as a
// connection test), creates with POST, sends PATCH with capitalised ops, string booleans
// ("False"), value-filtered email paths, enterprise-extension URN paths and path-less
// values with dotted keys, re-sends `active` periodically, reads groups with
// excludedAttributes=members, removes members with a value array, and deletes.
#include "integration/scim_gateway.hpp"

using gatehouse::testing::filter_param;
using gatehouse::testing::json;
using gatehouse::testing::kScimEnterprise;
using gatehouse::testing::kScimGroup;
using gatehouse::testing::kScimUser;
using gatehouse::testing::patch_op;
using gatehouse::testing::ScimGateway;

namespace {

json entra_user() {
    return {{"schemas", {kScimUser, kScimEnterprise}},
            {"externalId", "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"},
            {"userName", "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.com"},
            {"active", true},
            {"displayName", "Test User"},
            {"emails",
             {{{"primary", true}, {"type", "work"}, {"value", "Test_User_fd0ea19b@contoso.com"}}}},
            {"name", {{"formatted", "Test User"}, {"familyName", "User"}, {"givenName", "Test"}}},
            {kScimEnterprise, {{"employeeNumber", "1234"}, {"department", "Sales"}}},
            {"urn:ietf:params:scim:schemas:core:2.0:User:orgRole", "Manager"}};
}

}  // namespace

TEST_CASE(
    "SCIM Entra ID user life cycle: existence checks, create, PATCH shapes, re-sends, delete") {
    ScimGateway gw;
    const json user = entra_user();
    const std::string user_name = user["userName"];
    auto probe =
        gw.get("/Users?" + filter_param("userName eq \"8a0cfb9b-ba57-4b76-b1e9-5bd7c3bb7d5a\""));
    REQUIRE(probe.status == 200);
    CHECK(probe.body["totalResults"] == 0);
    CHECK(gw.get("/Users?" + filter_param("userName eq \"" + user_name + "\""))
              .body["totalResults"] == 0);

    auto created = gw.post("/Users", user);
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    CHECK(created.body["orgRole"] == "manager");
    CHECK(created.body[kScimEnterprise]["department"] == "Sales");
    CHECK(created.body["name"]["formatted"] == "Test User");

    auto again = gw.post("/Users", user);
    CHECK(again.status == 409);
    CHECK(again.body["scimType"] == "uniqueness");

    auto found = gw.get("/Users?" + filter_param("userName eq \"" + user_name + "\""));
    CHECK(found.body["totalResults"] == 1);

    auto patched = gw.patch(
        "/Users/" + id,
        patch_op({{{"op", "Replace"},
                   {"path", "emails[type eq \"work\"].value"},
                   {"value", "updatedEmail@microsoft.com"}},
                  {{"op", "Replace"}, {"path", "name.familyName"}, {"value", "updatedFamilyName"}},
                  {{"op", "Add"},
                   {"path", std::string(kScimEnterprise) + ":department"},
                   {"value", "Marketing"}}}));
    REQUIRE(patched.status == 200);
    CHECK(patched.body["emails"][0]["value"] == "updatedEmail@microsoft.com");
    CHECK(patched.body["name"]["familyName"] == "updatedFamilyName");
    CHECK(patched.body[kScimEnterprise]["department"] == "Marketing");

    auto dotted =
        gw.patch("/Users/" + id,
                 patch_op({{{"op", "Replace"},
                            {"value",
                             {{"name.givenName", "Kim"},
                              {"displayName", "Kim User"},
                              {"urn:ietf:params:scim:schemas:core:2.0:User:orgRole", "admin"}}}}}));
    REQUIRE(dotted.status == 200);
    CHECK(dotted.body["name"]["givenName"] == "Kim");
    CHECK(dotted.body["displayName"] == "Kim User");
    CHECK(dotted.body["orgRole"] == "admin");

    const json disable = patch_op({{{"op", "Replace"}, {"path", "active"}, {"value", "False"}}});
    auto disabled = gw.patch("/Users/" + id, disable);
    REQUIRE(disabled.status == 200);
    CHECK(disabled.body["active"] == false);
    auto resent = gw.patch("/Users/" + id, disable);
    REQUIRE(resent.status == 200);
    CHECK(resent.header("ETag") == disabled.header("ETag"));

    auto enabled = gw.patch("/Users/" + id,
                            patch_op({{{"op", "Replace"}, {"path", "active"}, {"value", "True"}}}));
    REQUIRE(enabled.status == 200);
    CHECK(enabled.body["active"] == true);

    CHECK(gw.del("/Users/" + id).status == 204);
    auto gone = gw.get("/Users/" + id);
    CHECK(gone.status == 404);
    CHECK(gone.body["status"] == "404");
    CHECK(gw.get("/Users?" + filter_param("userName eq \"" + user_name + "\""))
              .body["totalResults"] == 0);
}

TEST_CASE(
    "SCIM Entra ID group life cycle: lookup without members, create, rename, members by value "
    "array, delete") {
    ScimGateway gw;
    const std::string member = gw.post("/Users", entra_user()).body["id"];
    const std::string lookup = "/Groups?excludedAttributes=members&" +
                               filter_param("displayName eq \"Group1DisplayName\"");
    auto missing = gw.get(lookup);
    REQUIRE(missing.status == 200);
    CHECK(missing.body["totalResults"] == 0);

    auto created = gw.post("/Groups", {{"schemas", {kScimGroup}},
                                       {"externalId", "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"},
                                       {"displayName", "Group1DisplayName"},
                                       {"members", json::array()}});
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    auto listed = gw.get(lookup);
    REQUIRE(listed.body["totalResults"] == 1);
    CHECK_FALSE(listed.body["Resources"][0].contains("members"));
    CHECK(gw.get("/Groups/" + id + "?excludedAttributes=members").body.contains("members") ==
          false);

    auto renamed =
        gw.patch("/Groups/" + id,
                 patch_op({{{"op", "Replace"},
                            {"path", "displayName"},
                            {"value", "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}}}));
    REQUIRE(renamed.status == 200);
    CHECK(renamed.body["displayName"] == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");

    auto added = gw.patch(
        "/Groups/" + id,
        patch_op({{{"op", "Add"}, {"path", "members"}, {"value", {{{"value", member}}}}}}));
    REQUIRE(added.status == 200);
    CHECK(added.body["members"].size() == 1);
    auto with_member =
        gw.get("/Groups?excludedAttributes=members&" +
               filter_param("id eq \"" + id + "\" and members[value eq \"" + member + "\"]"));
    CHECK(with_member.body["totalResults"] == 1);

    auto removed = gw.patch(
        "/Groups/" + id,
        patch_op({{{"op", "Remove"}, {"path", "members"}, {"value", {{{"value", member}}}}}}));
    REQUIRE(removed.status == 200);
    CHECK(removed.body["members"].empty());
    auto removed_again = gw.patch(
        "/Groups/" + id,
        patch_op({{{"op", "Remove"}, {"path", "members"}, {"value", {{{"value", member}}}}}}));
    CHECK(removed_again.status == 200);

    CHECK(gw.del("/Groups/" + id).status == 204);
    CHECK(gw.get("/Groups/" + id).status == 404);
}
