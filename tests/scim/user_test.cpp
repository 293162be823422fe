#include "gatehouse/scim/user.hpp"

#include <doctest/doctest.h>

#include "gatehouse/scim/error.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

// The smallest valid POST /Users body; tests add or change one thing at a time.
json user_body(std::string user_name = "ada@example.com") {
    return {{"schemas", json::array({std::string(kCoreUserSchema)})}, {"userName", user_name}};
}

json with(json body, const std::string& key, json value) {
    body[key] = std::move(value);
    return body;
}

std::string scim_type_of(const Result<ScimUser>& result) {
    REQUIRE_FALSE(result.ok());
    const ScimError error = to_scim_error(result.error());
    CHECK(error.status == 400);
    return error.scim_type;
}

ScimUser stored_user() {
    ScimUser user;
    user.id = "2819c223-7f76-453a-919d-413861904646";
    user.user_name = "ada@example.com";
    user.name = {"Ada", "Lovelace", ""};
    user.emails = {{"ada@example.com", "work", true}};
    return user;
}

}  // namespace

TEST_CASE("decode_user reads an Okta POST body with name, emails, active and externalId") {
    json body = user_body();
    body["externalId"] = "00u1abcd";
    body["name"] = {{"givenName", "Ada"}, {"familyName", "Lovelace"}};
    body["emails"] =
        json::array({{{"primary", true}, {"value", "ada@example.com"}, {"type", "work"}}});
    body["displayName"] = "Ada Lovelace";
    body["active"] = true;
    auto user = decode_user(body);
    REQUIRE(user.ok());
    CHECK(user->user_name == "ada@example.com");
    CHECK(user->external_id == "00u1abcd");
    CHECK(user->name.given_name == "Ada");
    CHECK(user->name.family_name == "Lovelace");
    CHECK(user->display_name == "Ada Lovelace");
    REQUIRE(user->emails.size() == 1);
    CHECK(user->emails[0].primary);
    CHECK(user->active);
    CHECK_FALSE(user->org_role.has_value());
}

TEST_CASE("decode_user matches attribute names case-insensitively") {
    json body = {{"Schemas", json::array({std::string(kCoreUserSchema)})},
                 {"USERNAME", "ada"},
                 {"Name", {{"GIVENNAME", "Ada"}}},
                 {"Active", false}};
    auto user = decode_user(body);
    REQUIRE(user.ok());
    CHECK(user->user_name == "ada");
    CHECK(user->name.given_name == "Ada");
    CHECK_FALSE(user->active);
}

TEST_CASE("decode_user keeps name parts exactly as sent, never inventing placeholders") {
    auto user = decode_user(with(user_body(), "name", {{"familyName", "Lovelace"}}));
    REQUIRE(user.ok());
    CHECK(user->name.given_name.empty());
    CHECK(user->name.family_name == "Lovelace");
    const json encoded = encode_user(*user, {}, "https://gh.example/scim/v2");
    CHECK(encoded["name"] == json{{"familyName", "Lovelace"}});
}

TEST_CASE("decode_user accepts Entra ID's string booleans \"True\" and \"False\" for active") {
    auto inactive = decode_user(with(user_body(), "active", "False"));
    REQUIRE(inactive.ok());
    CHECK_FALSE(inactive->active);
    auto active = decode_user(with(user_body(), "active", "True"));
    REQUIRE(active.ok());
    CHECK(active->active);
}

TEST_CASE("decode_user rejects an active value that is not a boolean") {
    CHECK(scim_type_of(decode_user(with(user_body(), "active", "yes"))) == "invalidValue");
    CHECK(scim_type_of(decode_user(with(user_body(), "active", 1))) == "invalidValue");
}

TEST_CASE("decode_user treats a body without active as an active user") {
    auto user = decode_user(user_body());
    REQUIRE(user.ok());
    CHECK(user->active);
}

TEST_CASE("decode_user requires a non-blank string userName") {
    json missing = user_body();
    missing.erase("userName");
    CHECK(scim_type_of(decode_user(missing)) == "invalidValue");
    CHECK(scim_type_of(decode_user(user_body("  "))) == "invalidValue");
    auto numeric = decode_user(with(user_body(), "userName", 42));
    CHECK(scim_type_of(numeric) == "invalidValue");
    CHECK(numeric.error().message.find("userName") != std::string::npos);
}

TEST_CASE("decode_user rejects emails that are not an array, lack a value or have two primaries") {
    auto not_array = decode_user(with(user_body(), "emails", "ada@example.com"));
    CHECK(scim_type_of(not_array) == "invalidValue");
    CHECK(not_array.error().message.find("emails") != std::string::npos);
    CHECK(scim_type_of(decode_user(
              with(user_body(), "emails", json::array({{{"type", "work"}}})))) == "invalidValue");
    json two_primaries = json::array(
        {{{"value", "a@x.com"}, {"primary", true}}, {{"value", "b@x.com"}, {"primary", "True"}}});
    auto result = decode_user(with(user_body(), "emails", two_primaries));
    CHECK(scim_type_of(result) == "invalidValue");
    CHECK(result.error().message.find("primary") != std::string::npos);
}

TEST_CASE("decode_user rejects a name or externalId of the wrong type") {
    CHECK(scim_type_of(decode_user(with(user_body(), "name", "Ada"))) == "invalidValue");
    CHECK(scim_type_of(decode_user(with(user_body(), "name", {{"givenName", 7}}))) ==
          "invalidValue");
    CHECK(scim_type_of(decode_user(with(user_body(), "externalId", 7))) == "invalidValue");
}

TEST_CASE("decode_user reads orgRole plainly, URN-qualified, or nested under the core URN") {
    auto plain = decode_user(with(user_body(), "orgRole", "admin"));
    REQUIRE(plain.ok());
    CHECK(plain->org_role == core::Role::admin);
    auto qualified = decode_user(with(user_body(), std::string(kOrgRoleUrn), "Manager"));
    REQUIRE(qualified.ok());
    CHECK(qualified->org_role == core::Role::manager);
    auto nested =
        decode_user(with(user_body(), std::string(kCoreUserSchema), {{"orgRole", "BILLING"}}));
    REQUIRE(nested.ok());
    CHECK(nested->org_role == core::Role::billing);
}

TEST_CASE("decode_user reports a blank orgRole as absent so the org default applies") {
    auto user = decode_user(with(user_body(), "orgRole", "  "));
    REQUIRE(user.ok());
    CHECK_FALSE(user->org_role.has_value());
}

TEST_CASE("decode_user refuses orgRole owner and names the allowed roles") {
    auto owner = decode_user(with(user_body(), "orgRole", "owner"));
    CHECK(scim_type_of(owner) == "invalidValue");
    CHECK(owner.error().message.find("admin, manager, billing, member") != std::string::npos);
    CHECK(scim_type_of(decode_user(with(user_body(), "orgRole", "superuser"))) == "invalidValue");
    CHECK(scim_type_of(decode_user(with(user_body(), "orgRole", json::array({"admin"})))) ==
          "invalidValue");
}

TEST_CASE("decode_user keeps the enterprise extension exactly as sent") {
    json extension = {{"employeeNumber", "701984"},
                      {"department", "Engineering"},
                      {"manager", {{"value", "26118915-6090-4610-87e4-49d8ca9f808d"}}}};
    json body = user_body();
    body["schemas"].push_back(std::string(kEnterpriseUserSchema));
    body[std::string(kEnterpriseUserSchema)] = extension;
    auto user = decode_user(body);
    REQUIRE(user.ok());
    CHECK(user->enterprise == extension);
    CHECK(scim_type_of(decode_user(with(user_body(), std::string(kEnterpriseUserSchema), "x"))) ==
          "invalidValue");
}

TEST_CASE("decode_user rejects a schemas entry that is no URN, or names another resource") {
    json body = user_body();
    body["schemas"].push_back("custom-1.0-User");
    auto result = decode_user(body);
    CHECK(scim_type_of(result) == "invalidValue");
    CHECK(result.error().message.find("custom-1.0-User") != std::string::npos);
    body["schemas"] = json::array({std::string(kCoreUserSchema), std::string(kCoreGroupSchema)});
    CHECK(scim_type_of(decode_user(body)) == "invalidValue");
    body["schemas"] = json::array(
        {std::string(kCoreUserSchema), "urn:ietf:params:scim:api:messages:2.0:PatchOp"});
    CHECK(scim_type_of(decode_user(body)) == "invalidValue");
}

TEST_CASE("decode_user rejects schemas without the core User schema with invalidValue") {
    json body = user_body();
    body["schemas"] = json::array({std::string(kEnterpriseUserSchema)});
    CHECK(scim_type_of(decode_user(body)) == "invalidValue");
}

TEST_CASE("decode_user answers a missing or non-array schemas with invalidSyntax") {
    json missing = user_body();
    missing.erase("schemas");
    CHECK(scim_type_of(decode_user(missing)) == "invalidSyntax");
    CHECK(scim_type_of(decode_user(with(user_body(), "schemas", std::string(kCoreUserSchema)))) ==
          "invalidSyntax");
    CHECK(scim_type_of(decode_user(with(user_body(), "schemas", json::array({1})))) ==
          "invalidSyntax");
    CHECK(scim_type_of(decode_user(json::array())) == "invalidSyntax");
}

TEST_CASE("decode_user ignores read-only id, meta and groups sent by the client") {
    json body = user_body();
    body["id"] = "chosen-by-client";
    body["meta"] = {{"resourceType", "User"}};
    body["groups"] = json::array({{{"value", "g1"}}});
    auto user = decode_user(body);
    REQUIRE(user.ok());
    CHECK(user->id.empty());
}

TEST_CASE("encode_user writes schemas, id, meta with location and weak version") {
    const json out = encode_user(stored_user(), ResourceMeta{1700000000, 1700000600, 3},
                                 "https://gh.example/api/0/organizations/acme/scim/v2/");
    CHECK(out["schemas"] == json::array({std::string(kCoreUserSchema)}));
    CHECK(out["id"] == "2819c223-7f76-453a-919d-413861904646");
    CHECK(out["userName"] == "ada@example.com");
    CHECK(out["active"] == true);
    CHECK(out["meta"]["resourceType"] == "User");
    CHECK(out["meta"]["created"] == "2023-11-14T22:13:20Z");
    CHECK(out["meta"]["lastModified"] == "2023-11-14T22:23:20Z");
    CHECK(out["meta"]["location"] ==
          "https://gh.example/api/0/organizations/acme/scim/v2/Users/"
          "2819c223-7f76-453a-919d-413861904646");
    CHECK(out["meta"]["version"] == "W/\"3\"");
    CHECK_FALSE(out.contains("externalId"));
    CHECK_FALSE(out.contains("groups"));
}

TEST_CASE("encode_user writes orgRole once, plainly, as the core schema places it") {
    ScimUser user = stored_user();
    user.org_role = core::Role::manager;
    const json out = encode_user(user, {}, "https://gh.example/scim/v2");
    CHECK(out["orgRole"] == "manager");
    CHECK_FALSE(out.contains(std::string(kOrgRoleUrn)));
}

TEST_CASE("encode_user adds the enterprise schema and object only when the extension is set") {
    ScimUser user = stored_user();
    user.enterprise = {{"department", "Engineering"}};
    const json out = encode_user(user, {}, "https://gh.example/scim/v2");
    CHECK(out["schemas"].size() == 2);
    CHECK(out["schemas"][1] == std::string(kEnterpriseUserSchema));
    CHECK(out[std::string(kEnterpriseUserSchema)]["department"] == "Engineering");
}

TEST_CASE("encode_user lists groups with value, display and $ref") {
    const json out =
        encode_user(stored_user(), {}, "https://gh.example/scim/v2", {{"g-1", "Engineering"}});
    REQUIRE(out["groups"].size() == 1);
    CHECK(out["groups"][0]["value"] == "g-1");
    CHECK(out["groups"][0]["display"] == "Engineering");
    CHECK(out["groups"][0]["$ref"] == "https://gh.example/scim/v2/Groups/g-1");
}

TEST_CASE("an encoded user decodes back to the same values") {
    ScimUser user = stored_user();
    user.external_id = "ext-1";
    user.display_name = "Ada";
    user.active = false;
    user.org_role = core::Role::billing;
    auto again = decode_user(encode_user(user, {}, "https://gh.example/scim/v2"));
    REQUIRE(again.ok());
    CHECK(again->user_name == user.user_name);
    CHECK(again->external_id == "ext-1");
    CHECK(again->name.family_name == "Lovelace");
    CHECK(again->emails[0].value == "ada@example.com");
    CHECK_FALSE(again->active);
    CHECK(again->org_role == core::Role::billing);
}

TEST_CASE("preferred_email picks the primary email, else the first, else nothing") {
    ScimUser user;
    CHECK(preferred_email(user).empty());
    user.emails = {{"home@x.com", "home", false}, {"work@x.com", "work", true}};
    CHECK(preferred_email(user) == "work@x.com");
    user.emails[1].primary = false;
    CHECK(preferred_email(user) == "home@x.com");
}
