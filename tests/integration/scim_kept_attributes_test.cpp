// What the IdP wrote comes back: the core User attributes Gatehouse does not act on
// (addresses, phoneNumbers, title, …), the enterprise extension and extensions of the
// client's own, through POST, PUT, PATCH, GET, lists and attribute projection, on Users and
// Groups; and what is malformed is refused without changing anything.
#include <csignal>

#include "integration/scim_gateway.hpp"

using gatehouse::testing::filter_param;
using gatehouse::testing::json;
using gatehouse::testing::kScimEnterprise;
using gatehouse::testing::kScimError;
using gatehouse::testing::kScimGroup;
using gatehouse::testing::kScimUser;
using gatehouse::testing::patch_op;
using gatehouse::testing::ScimGateway;
using gatehouse::testing::ScimReply;

namespace {

constexpr const char* kAcme = "urn:example:params:scim:schemas:extension:acme:2.0:User";

json user(const std::string& user_name) {
    return {{"schemas", {kScimUser}}, {"userName", user_name}, {"active", true}};
}

json germany() {
    return json::array({{{"type", "work"},
                         {"streetAddress", "Unter den Linden 1"},
                         {"locality", "Berlin"},
                         {"postalCode", "10117"},
                         {"country", "Germany"},
                         {"primary", true}}});
}

// A full profile as an IdP PUTs it: core, enterprise and a custom extension.
json full_profile(const std::string& user_name) {
    json body = user(user_name);
    body["schemas"] = {kScimUser, kScimEnterprise, kAcme};
    body["title"] = "Countess";
    body["addresses"] = germany();
    body["phoneNumbers"] = {{{"value", "+49 30 1234"}, {"type", "work"}}};
    body["name"] = {{"givenName", "Ada"}, {"middleName", "Augusta"}};
    body[kScimEnterprise] = {
        {"employeeNumber", "701984"}, {"costCenter", "4130"}, {"manager", {{"value", "26118915"}}}};
    body[kAcme] = {{"badge", "7"}};
    return body;
}

void check_scim_error(const ScimReply& reply, int status, const std::string& scim_type) {
    CHECK(reply.status == status);
    CHECK(reply.body["schemas"] == json::array({kScimError}));
    CHECK(reply.body["status"] == std::to_string(status));
    CHECK(reply.body["scimType"] == scim_type);
    CHECK(reply.body["detail"].is_string());
}

void check_full_profile(const json& resource) {
    CHECK(resource["title"] == "Countess");
    CHECK(resource["addresses"] == germany());
    CHECK(resource["phoneNumbers"][0]["value"] == "+49 30 1234");
    CHECK(resource["name"]["middleName"] == "Augusta");
    CHECK(resource[kScimEnterprise]["costCenter"] == "4130");
    CHECK(resource[kAcme] == json{{"badge", "7"}});
    CHECK(resource["schemas"] == json::array({kScimUser, kScimEnterprise, kAcme}));
}

}  // namespace

TEST_CASE(
    "SCIM PUT keeps addresses, title, phoneNumbers and extensions; GET and lists return "
    "them") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("ada@example.com")).body["id"];
    auto replaced = gw.put("/Users/" + id, full_profile("ada@example.com"));
    REQUIRE(replaced.status == 200);
    check_full_profile(replaced.body);
    check_full_profile(gw.get("/Users/" + id).body);
    auto listed = gw.get("/Users?" + filter_param("userName eq \"ada@example.com\""));
    REQUIRE(listed.body["totalResults"] == 1);
    check_full_profile(listed.body["Resources"][0]);
    auto by_country = gw.get("/Users?" + filter_param("addresses.country eq \"Germany\""));
    CHECK(by_country.body["totalResults"] == 1);

    // PUT replaces: what the next PUT leaves out is gone.
    auto bare = gw.put("/Users/" + id, user("ada@example.com"));
    REQUIRE(bare.status == 200);
    for (const char* gone : {"title", "addresses", "phoneNumbers", kScimEnterprise, kAcme}) {
        CHECK_FALSE(bare.body.contains(gone));
        CHECK_FALSE(gw.get("/Users/" + id).body.contains(gone));
    }
    CHECK(bare.body["schemas"] == json::array({kScimUser}));
}

TEST_CASE("SCIM attributes and excludedAttributes select kept attributes and extensions") {
    ScimGateway gw;
    auto created = gw.post("/Users", full_profile("ada@example.com"));
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    auto only = gw.get("/Users/" + id + "?attributes=addresses," + kAcme);
    CHECK(only.body["addresses"] == germany());
    CHECK(only.body[kAcme] == json{{"badge", "7"}});
    CHECK_FALSE(only.body.contains("title"));
    CHECK_FALSE(only.body.contains("userName"));
    auto sub = gw.get("/Users?attributes=addresses.country");
    CHECK(sub.body["Resources"][0]["addresses"] == json::array({{{"country", "Germany"}}}));
    auto without = gw.get("/Users/" + id + "?excludedAttributes=addresses," + kAcme + ":badge");
    CHECK_FALSE(without.body.contains("addresses"));
    CHECK_FALSE(without.body.contains(kAcme));
    CHECK(without.body["title"] == "Countess");
}

TEST_CASE("SCIM PATCH adds, replaces by value filter and removes kept attributes") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("ada@example.com")).body["id"];
    auto added = gw.patch("/Users/" + id,
                          patch_op({{{"op", "Add"}, {"path", "addresses"}, {"value", germany()}},
                                    {{"op", "Add"}, {"path", "title"}, {"value", "Countess"}},
                                    {{"op", "Add"}, {"value", {{kAcme, {{"badge", "7"}}}}}}}));
    REQUIRE(added.status == 200);
    CHECK(added.body["addresses"] == germany());
    CHECK(added.body[kAcme] == json{{"badge", "7"}});
    CHECK(added.body["schemas"] == json::array({kScimUser, kAcme}));

    auto replaced = gw.patch(
        "/Users/" + id,
        patch_op({{{"op", "Replace"},
                   {"path", "addresses[type eq \"work\"].locality"},
                   {"value", "Hamburg"}},
                  {{"op", "Replace"}, {"path", std::string(kAcme) + ":badge"}, {"value", "8"}}}));
    REQUIRE(replaced.status == 200);
    CHECK(replaced.body["addresses"][0]["locality"] == "Hamburg");
    CHECK(replaced.body["addresses"][0]["country"] == "Germany");
    CHECK(replaced.body[kAcme] == json{{"badge", "8"}});

    auto removed = gw.patch("/Users/" + id, patch_op({{{"op", "Remove"}, {"path", "addresses"}},
                                                      {{"op", "Remove"}, {"path", kAcme}}}));
    REQUIRE(removed.status == 200);
    const json stored = gw.get("/Users/" + id).body;
    CHECK_FALSE(stored.contains("addresses"));
    CHECK_FALSE(stored.contains(kAcme));
    CHECK(stored["title"] == "Countess");
    CHECK(stored["schemas"] == json::array({kScimUser}));
}

TEST_CASE("SCIM Groups keep an extension through POST, PATCH, PUT and GET") {
    ScimGateway gw;
    const std::string extension = "urn:example:params:scim:schemas:extension:acme:2.0:Group";
    json body = {{"schemas", {kScimGroup, extension}},
                 {"displayName", "Engineering"},
                 {extension, {{"costCenter", "4130"}}}};
    auto created = gw.post("/Groups", body);
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    CHECK(created.body[extension] == json{{"costCenter", "4130"}});
    CHECK(gw.get("/Groups/" + id).body[extension] == json{{"costCenter", "4130"}});
    auto patched = gw.patch(
        "/Groups/" + id,
        patch_op({{{"op", "replace"}, {"path", extension + ":costCenter"}, {"value", "5000"}}}));
    REQUIRE(patched.status == 200);
    CHECK(gw.get("/Groups?excludedAttributes=members").body["Resources"][0][extension] ==
          json{{"costCenter", "5000"}});
    body.erase(extension);
    body["schemas"] = {kScimGroup};
    REQUIRE(gw.put("/Groups/" + id, body).status == 200);
    CHECK_FALSE(gw.get("/Groups/" + id).body.contains(extension));
}

TEST_CASE("SCIM PUT drops attributes no schema defines and logs them") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("ada@example.com")).body["id"];
    json body = user("ada@example.com");
    body["favouriteColour"] = "teal";
    auto replaced = gw.put("/Users/" + id, body);
    REQUIRE(replaced.status == 200);
    CHECK_FALSE(replaced.body.contains("favouriteColour"));
    CHECK_FALSE(gw.get("/Users/" + id).body.contains("favouriteColour"));
    gw.server->stop(SIGTERM);
    const std::string log = gw.server->log();
    CHECK(log.find("scim.attributes_ignored") != std::string::npos);
    CHECK(log.find("favouriteColour") != std::string::npos);
}

TEST_CASE("SCIM refuses malformed kept attributes and extensions with 400 and changes nothing") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", full_profile("ada@example.com")).body["id"];
    const json before = gw.get("/Users/" + id).body;

    json maybe = full_profile("ada@example.com");
    maybe["active"] = "maybe";
    check_scim_error(gw.put("/Users/" + id, maybe), 400, "invalidValue");

    json city = full_profile("ada@example.com");
    city["addresses"] = "Berlin";
    auto shape = gw.put("/Users/" + id, city);
    check_scim_error(shape, 400, "invalidValue");
    CHECK(shape.body["detail"].get<std::string>().find("addresses") != std::string::npos);

    json deep = full_profile("ada@example.com");
    deep[kAcme] = {{"a", {{{"b", {{"c", "d"}}}}}}};
    auto nested = gw.put("/Users/" + id, deep);
    check_scim_error(nested, 400, "invalidValue");
    CHECK(nested.body["detail"].get<std::string>().find(kAcme) != std::string::npos);

    json large = full_profile("ada@example.com");
    large[kAcme] = {{"blob", std::string(100 * 1024, 'x')}};
    auto oversized = gw.put("/Users/" + id, large);
    check_scim_error(oversized, 400, "invalidValue");
    CHECK(oversized.body["detail"].get<std::string>().find("bytes") != std::string::npos);
    check_scim_error(
        gw.patch("/Users/" + id, patch_op({{{"op", "add"},
                                            {"path", std::string(kAcme) + ":blob"},
                                            {"value", std::string(100 * 1024, 'x')}}})),
        400, "invalidValue");

    CHECK(gw.get("/Users/" + id).body == before);
}
