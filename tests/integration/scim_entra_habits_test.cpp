// Entra ID's habits that a strict reading of RFC 7643/7644 would refuse, against the real
// server: string booleans, group members named with display or displayName, and value
// filters in attribute lists.
#include "integration/scim_gateway.hpp"

using gatehouse::testing::json;
using gatehouse::testing::kScimGroup;
using gatehouse::testing::kScimUser;
using gatehouse::testing::patch_op;
using gatehouse::testing::ScimGateway;

namespace {

json user(const std::string& user_name, json active) {
    return {{"schemas", {kScimUser}},
            {"userName", user_name},
            {"active", std::move(active)},
            {"emails",
             {{{"value", user_name}, {"type", "work"}, {"primary", "True"}},
              {{"value", "home-" + user_name}, {"type", "home"}, {"primary", "False"}}}}};
}

}  // namespace

TEST_CASE(
    "SCIM reads \"True\" and \"False\" for active on POST, PUT and PATCH, refuses \"maybe\"") {
    ScimGateway gw;
    auto created = gw.post("/Users", user("ada@example.com", "False"));
    REQUIRE(created.status == 201);
    CHECK(created.body["active"] == false);
    CHECK(created.body["emails"][0]["primary"] == true);
    const std::string id = created.body["id"];
    json body = user("ada@example.com", "True");
    body["addresses"] = {{{"country", "Germany"}, {"primary", "True"}}};
    auto replaced = gw.put("/Users/" + id, body);
    REQUIRE(replaced.status == 200);
    CHECK(replaced.body["active"] == true);
    CHECK(replaced.body["addresses"][0]["primary"] == true);
    auto patched =
        gw.patch("/Users/" + id, patch_op({{{"op", "Replace"}, {"value", {{"active", "False"}}}}}));
    REQUIRE(patched.status == 200);
    CHECK(patched.body["active"] == false);

    auto refused = gw.patch(
        "/Users/" + id, patch_op({{{"op", "Replace"}, {"path", "active"}, {"value", "maybe"}}}));
    CHECK(refused.status == 400);
    CHECK(refused.body["scimType"] == "invalidValue");
    CHECK(gw.post("/Users", user("bob@example.com", "maybe")).status == 400);
    CHECK(gw.get("/Users/" + id).body["active"] == false);
    CHECK(gw.get("/Users").body["totalResults"] == 1);
}

TEST_CASE("SCIM Group POST and PATCH accept members carrying display, displayName and type") {
    ScimGateway gw;
    const std::string ada = gw.post("/Users", user("ada@example.com", true)).body["id"];
    const std::string bob = gw.post("/Users", user("bob@example.com", true)).body["id"];
    const std::string eve = gw.post("/Users", user("eve@example.com", true)).body["id"];
    auto created = gw.post("/Groups", {{"schemas", {kScimGroup}},
                                       {"displayName", "Engineering"},
                                       {"members", {{{"value", ada}, {"displayName", "Ada"}}}}});
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    auto added = gw.patch(
        "/Groups/" + id,
        patch_op({{{"op", "Add"},
                   {"path", "members"},
                   {"value",
                    {{{"value", bob}, {"display", "Bob"}, {"type", "user"}},
                     {{"value", eve}, {"displayName", "Eve"}, {"$ref", "../Users/" + eve}}}}}}));
    REQUIRE(added.status == 200);
    CHECK(added.body["members"].size() == 3);
    auto replaced = gw.patch(
        "/Groups/" + id,
        patch_op({{{"op", "Replace"},
                   {"path", "members"},
                   {"value", {{{"value", ada}, {"displayName", "Ada"}, {"type", "User"}}}}}}));
    REQUIRE(replaced.status == 200);
    REQUIRE(replaced.body["members"].size() == 1);
    CHECK(replaced.body["members"][0]["value"] == ada);
}

TEST_CASE("SCIM reads emails[type eq \"work\"] in attributes and excludedAttributes as emails") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("ada@example.com", true)).body["id"];
    auto whole = gw.get("/Users/" + id + "?attributes=emails%5Btype%20eq%20%22work%22%5D");
    REQUIRE(whole.status == 200);
    CHECK(whole.body["emails"].size() == 2);
    CHECK_FALSE(whole.body.contains("userName"));
    auto values = gw.get("/Users?attributes=emails%5Btype%20eq%20%22work%22%5D.value");
    REQUIRE(values.status == 200);
    CHECK(values.body["Resources"][0]["emails"][0] == json{{"value", "ada@example.com"}});
    auto without =
        gw.get("/Users/" + id + "?excludedAttributes=emails%5Btype%20eq%20%22work%22%5D");
    REQUIRE(without.status == 200);
    CHECK_FALSE(without.body.contains("emails"));
    CHECK(without.body["userName"] == "ada@example.com");
}
