// Replays, request by request, what Okta's SCIM 2.0 provisioning sends to an app over a
// user's and a group's life cycle, against the real server.
//
// Shapes as documented by Okta:
//   "Okta and SCIM Version 2.0"
//     https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
//   "Build your SCIM API service"
//     https://developer.okta.com/docs/guides/build-provisioning-integration/prepare-api
// Okta checks for an existing user with `filter=userName eq "…"&startIndex=1&count=100`,
// creates with POST, updates profiles with a full PUT, deactivates and reactivates with
// {"op":"replace","value":{"active":…}} (it never deletes users), and pushes groups with
// POST, renames them with a path-less replace that repeats the id, changes members with
// add/remove PATCH operations and unlinks them with DELETE.
#include "integration/scim_gateway.hpp"

using gatehouse::testing::filter_param;
using gatehouse::testing::json;
using gatehouse::testing::kScimGroup;
using gatehouse::testing::kScimUser;
using gatehouse::testing::patch_op;
using gatehouse::testing::ScimGateway;

namespace {

json okta_user(const std::string& given, const std::string& family) {
    return {
        {"schemas", {kScimUser}},
        {"userName", "dade.murphy@example.com"},
        {"name", {{"givenName", given}, {"familyName", family}}},
        {"emails", {{{"primary", true}, {"value", "dade.murphy@example.com"}, {"type", "work"}}}},
        {"displayName", given + " " + family},
        {"locale", "en-US"},
        {"externalId", "00ujl29u0le5T6Aj10h7"},
        {"groups", json::array()},
        {"password", "1mz050nq"},
        {"active", true}};
}

}  // namespace

TEST_CASE("SCIM Okta user life cycle: lookup, create, PUT update, deactivate, reactivate") {
    ScimGateway gw;
    const std::string lookup = "/Users?" + filter_param("userName eq \"dade.murphy@example.com\"") +
                               "&startIndex=1&count=100";
    auto missing = gw.get(lookup);
    REQUIRE(missing.status == 200);
    CHECK(missing.body["totalResults"] == 0);
    CHECK(missing.body["Resources"].empty());
    CHECK(missing.header("Content-Type") == "application/scim+json");

    auto created = gw.post("/Users", okta_user("Dade", "Murphy"));
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    CHECK(created.body["active"] == true);
    CHECK_FALSE(created.body.contains("password"));
    CHECK(created.header("Location") == created.body["meta"]["location"]);
    CHECK(created.header("ETag") == "W/\"1\"");

    auto found = gw.get(lookup);
    REQUIRE(found.status == 200);
    CHECK(found.body["totalResults"] == 1);
    CHECK(found.body["Resources"][0]["id"] == id);

    auto fetched = gw.get("/Users/" + id);
    REQUIRE(fetched.status == 200);
    CHECK(fetched.header("ETag") == fetched.body["meta"]["version"]);

    json updated = okta_user("Dade", "Zero Cool");
    updated["id"] = id;
    auto replaced = gw.put("/Users/" + id, updated);
    REQUIRE(replaced.status == 200);
    CHECK(replaced.body["name"]["familyName"] == "Zero Cool");
    CHECK(replaced.body["displayName"] == "Dade Zero Cool");

    auto deactivated =
        gw.patch("/Users/" + id, patch_op({{{"op", "replace"}, {"value", {{"active", false}}}}}));
    REQUIRE(deactivated.status == 200);
    CHECK(deactivated.body["active"] == false);
    CHECK(gw.get("/Users/" + id).body["active"] == false);

    auto reactivated =
        gw.patch("/Users/" + id, patch_op({{{"op", "replace"}, {"value", {{"active", true}}}}}));
    REQUIRE(reactivated.status == 200);
    CHECK(reactivated.body["active"] == true);

    auto deprovisioned =
        gw.patch("/Users/" + id, patch_op({{{"op", "replace"}, {"value", {{"active", false}}}}}));
    REQUIRE(deprovisioned.status == 200);
    CHECK(gw.get(lookup).body["Resources"][0]["active"] == false);
}

TEST_CASE("SCIM Okta group push: lookup, create, rename, add and remove members, unlink") {
    ScimGateway gw;
    const std::string dade = gw.post("/Users", okta_user("Dade", "Murphy")).body["id"];
    json kate_body = okta_user("Kate", "Libby");
    kate_body["userName"] = "kate.libby@example.com";
    kate_body["externalId"] = "00ujl29u0le5T6Aj10h8";
    const std::string kate = gw.post("/Users", kate_body).body["id"];

    const std::string lookup =
        "/Groups?" + filter_param("displayName eq \"Hackers\"") + "&startIndex=1&count=100";
    CHECK(gw.get(lookup).body["totalResults"] == 0);

    auto created = gw.post(
        "/Groups",
        {{"schemas", {kScimGroup}}, {"displayName", "Hackers"}, {"members", json::array()}});
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    CHECK(created.body["members"].empty());

    auto renamed = gw.patch(
        "/Groups/" + id,
        patch_op({{{"op", "replace"}, {"value", {{"id", id}, {"displayName", "Elite Hackers"}}}}}));
    REQUIRE(renamed.status == 200);
    CHECK(renamed.body["displayName"] == "Elite Hackers");

    auto added =
        gw.patch("/Groups/" + id,
                 patch_op({{{"op", "add"},
                            {"path", "members"},
                            {"value",
                             {{{"value", dade}, {"display", "dade.murphy@example.com"}},
                              {{"value", kate}, {"display", "kate.libby@example.com"}}}}}}));
    REQUIRE(added.status == 200);
    CHECK(added.body["members"].size() == 2);

    auto removed =
        gw.patch("/Groups/" + id,
                 patch_op({{{"op", "remove"}, {"path", "members[value eq \"" + dade + "\"]"}}}));
    REQUIRE(removed.status == 200);
    REQUIRE(removed.body["members"].size() == 1);
    CHECK(removed.body["members"][0]["value"] == kate);

    auto pushed = gw.put("/Groups/" + id, {{"schemas", {kScimGroup}},
                                           {"id", id},
                                           {"displayName", "Elite Hackers"},
                                           {"members", {{{"value", dade}}}}});
    REQUIRE(pushed.status == 200);
    REQUIRE(pushed.body["members"].size() == 1);
    CHECK(pushed.body["members"][0]["value"] == dade);
    auto user = gw.get("/Users/" + dade);
    REQUIRE(user.body["groups"].size() == 1);
    CHECK(user.body["groups"][0]["value"] == id);

    CHECK(gw.del("/Groups/" + id).status == 204);
    CHECK(gw.get("/Groups/" + id).status == 404);
    CHECK(gw.get("/Users/" + dade).status == 200);
}
