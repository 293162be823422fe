#include "gatehouse/scim/group.hpp"

#include <doctest/doctest.h>

#include "gatehouse/scim/error.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

json group_body(std::string display_name = "Engineering") {
    return {{"schemas", json::array({std::string(kCoreGroupSchema)})},
            {"displayName", display_name}};
}

json member(std::string value) { return {{"value", value}}; }

std::string scim_type_of(const Result<ScimGroup>& result) {
    REQUIRE_FALSE(result.ok());
    return to_scim_error(result.error()).scim_type;
}

ScimGroup stored_group() {
    ScimGroup group;
    group.id = "g-1";
    group.display_name = "Engineering";
    group.members = {{"u-1", "Ada", "User"}, {"u-2", "", ""}};
    return group;
}

}  // namespace

TEST_CASE("decode_group reads displayName, externalId and members from an Entra ID POST") {
    json body = group_body();
    body["externalId"] = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159";
    body["members"] = json::array({member("u-1"), {{"value", "u-2"}, {"display", "Bob"}}});
    auto group = decode_group(body);
    REQUIRE(group.ok());
    CHECK(group->display_name == "Engineering");
    CHECK(group->external_id == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
    REQUIRE(group->members.size() == 2);
    CHECK(group->members[1].value == "u-2");
    CHECK(group->members[1].display == "Bob");
}

TEST_CASE("decode_group reads a member's displayName as its display") {
    json body = group_body();
    body["members"] = json::array({{{"value", "u-1"}, {"displayName", "Ada"}}});
    auto group = decode_group(body);
    REQUIRE(group.ok());
    CHECK(group->members[0].display == "Ada");
}

TEST_CASE("decode_group ignores a urn: member under a reserved SCIM prefix") {
    const std::string near_core = "URN:ietf:params:scim:schemas:core:2.0:Groups";
    json body = group_body();
    body[near_core] = {{"costCenter", "4711"}};
    auto group = decode_group(body);
    REQUIRE(group.ok());
    CHECK(group->ignored == std::vector<std::string>{near_core});
    const json out = encode_group(*group, {}, "https://gh.example/scim/v2");
    CHECK(out["schemas"] == json::array({std::string(kCoreGroupSchema)}));
    CHECK(decode_group(out).ok());
}

TEST_CASE("decode_group keeps an extension object, lists it in schemas, and ignores the rest") {
    const std::string acme = "urn:example:params:scim:schemas:extension:acme:2.0:Group";
    json body = group_body();
    body["schemas"].push_back(acme);
    body[acme] = {{"costCenter", "4711"}};
    body["owner"] = "ada";
    auto group = decode_group(body);
    REQUIRE(group.ok());
    CHECK(group->ignored == std::vector<std::string>{"owner"});
    const json out = encode_group(*group, {}, "https://gh.example/scim/v2");
    CHECK(out[acme] == json{{"costCenter", "4711"}});
    CHECK(out["schemas"] == json::array({std::string(kCoreGroupSchema), acme}));
    CHECK_FALSE(out.contains("owner"));
    body[acme] = json::array({"x"});
    CHECK(scim_type_of(decode_group(body)) == "invalidValue");
}

TEST_CASE("decode_group requires a non-blank string displayName") {
    json missing = group_body();
    missing.erase("displayName");
    CHECK(scim_type_of(decode_group(missing)) == "invalidValue");
    CHECK(scim_type_of(decode_group(group_body(""))) == "invalidValue");
    json numeric = group_body();
    numeric["displayName"] = 5;
    CHECK(scim_type_of(decode_group(numeric)) == "invalidValue");
}

TEST_CASE("decode_group keeps a member listed twice only once") {
    json body = group_body();
    body["members"] = json::array({member("u-1"), member("u-1")});
    auto group = decode_group(body);
    REQUIRE(group.ok());
    CHECK(group->members.size() == 1);
}

TEST_CASE("decode_group rejects members that are not an array of objects with a value") {
    json body = group_body();
    body["members"] = member("u-1");
    CHECK(scim_type_of(decode_group(body)) == "invalidValue");
    body["members"] = json::array({"u-1"});
    CHECK(scim_type_of(decode_group(body)) == "invalidValue");
    body["members"] = json::array({{{"display", "Ada"}}});
    CHECK(scim_type_of(decode_group(body)) == "invalidValue");
}

TEST_CASE("decode_group refuses a nested group as a member") {
    json body = group_body();
    body["members"] = json::array({{{"value", "g-2"}, {"type", "Group"}}});
    auto result = decode_group(body);
    CHECK(scim_type_of(result) == "invalidValue");
    CHECK(result.error().message.find("g-2") != std::string::npos);
}

TEST_CASE("decode_group checks schemas like decode_user does") {
    json user_schema = group_body();
    user_schema["schemas"] = json::array({std::string(kCoreUserSchema)});
    CHECK(scim_type_of(decode_group(user_schema)) == "invalidValue");
    json missing = group_body();
    missing.erase("schemas");
    CHECK(scim_type_of(decode_group(missing)) == "invalidSyntax");
}

TEST_CASE("encode_group lists members with value, $ref, type and display when known") {
    const json out =
        encode_group(stored_group(), ResourceMeta{0, 0, 7}, "https://gh.example/scim/v2");
    CHECK(out["schemas"] == json::array({std::string(kCoreGroupSchema)}));
    CHECK(out["id"] == "g-1");
    CHECK(out["displayName"] == "Engineering");
    REQUIRE(out["members"].size() == 2);
    CHECK(out["members"][0] == json{{"value", "u-1"},
                                    {"$ref", "https://gh.example/scim/v2/Users/u-1"},
                                    {"type", "User"},
                                    {"display", "Ada"}});
    CHECK_FALSE(out["members"][1].contains("display"));
    CHECK(out["meta"]["resourceType"] == "Group");
    CHECK(out["meta"]["location"] == "https://gh.example/scim/v2/Groups/g-1");
    CHECK(out["meta"]["version"] == "W/\"7\"");
}

TEST_CASE("encode_group without members leaves the attribute out entirely") {
    const json out = encode_group(stored_group(), {}, "https://gh.example/scim/v2", false);
    CHECK_FALSE(out.contains("members"));
    ScimGroup empty = stored_group();
    empty.members.clear();
    CHECK(encode_group(empty, {}, "https://gh.example/scim/v2")["members"] == json::array());
}
