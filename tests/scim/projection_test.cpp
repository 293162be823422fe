#include "gatehouse/scim/projection.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <utility>
#include <vector>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/user.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

const std::string kEnterprise(kEnterpriseUserSchema);

json user_resource() {
    return {
        {"schemas", json::array({std::string(kCoreUserSchema), kEnterprise})},
        {"id", "u-1"},
        {"userName", "ada@example.com"},
        {"name", {{"givenName", "Ada"}, {"familyName", "Lovelace"}}},
        {"emails",
         json::array({{{"value", "ada@example.com"}, {"type", "work"}, {"primary", true}}})},
        {"active", true},
        {kEnterprise, {{"department", "Engineering"}, {"employeeNumber", "7"}}},
        {"meta", {{"resourceType", "User"}, {"location", "https://gh.example/scim/v2/Users/u-1"}}}};
}

json project_with(std::optional<std::string_view> attributes,
                  std::optional<std::string_view> excluded = std::nullopt) {
    auto projection = parse_projection(attributes, excluded);
    REQUIRE(projection.ok());
    return project(user_resource(), *projection);
}

}  // namespace

TEST_CASE("project without attributes or excludedAttributes returns the resource unchanged") {
    CHECK(project_with(std::nullopt) == user_resource());
    CHECK(project_with("") == user_resource());
}

TEST_CASE("attributes=userName keeps userName plus id, schemas and meta.resourceType") {
    const json out = project_with("userName");
    CHECK(out == json{{"schemas", user_resource()["schemas"]},
                      {"id", "u-1"},
                      {"userName", "ada@example.com"},
                      {"meta", {{"resourceType", "User"}}}});
}

TEST_CASE("attributes are matched case-insensitively and may carry white space") {
    const json out = project_with(" USERNAME , Active ");
    CHECK(out["userName"] == "ada@example.com");
    CHECK(out["active"] == true);
    CHECK_FALSE(out.contains("name"));
}

TEST_CASE("attributes=name.givenName keeps only that sub-attribute") {
    CHECK(project_with("name.givenName")["name"] == json{{"givenName", "Ada"}});
}

TEST_CASE("attributes=emails.value keeps that sub-attribute of every email") {
    CHECK(project_with("emails.value")["emails"] == json::array({{{"value", "ada@example.com"}}}));
}

TEST_CASE("attributes with a URN-qualified extension attribute keeps only it in the extension") {
    const json out = project_with(kEnterprise + ":department");
    CHECK(out[kEnterprise] == json{{"department", "Engineering"}});
    CHECK_FALSE(out.contains("userName"));
}

TEST_CASE("attributes with the bare extension URN keeps the whole extension") {
    CHECK(project_with(kEnterprise)[kEnterprise] == user_resource()[kEnterprise]);
}

TEST_CASE("attributes with a core-URN-qualified name selects the core attribute") {
    CHECK(project_with(std::string(kCoreUserSchema) + ":userName")["userName"] ==
          "ada@example.com");
}

TEST_CASE("excludedAttributes drops the named attributes and keeps the rest") {
    const json out = project_with(std::nullopt, "emails,name.familyName");
    CHECK_FALSE(out.contains("emails"));
    CHECK(out["name"] == json{{"givenName", "Ada"}});
    CHECK(out["userName"] == "ada@example.com");
    CHECK(out["meta"]["location"] == "https://gh.example/scim/v2/Users/u-1");
}

TEST_CASE("excludedAttributes=members is how Entra ID asks for a Group without its members") {
    json group = {{"schemas", json::array({std::string(kCoreGroupSchema)})},
                  {"id", "g-1"},
                  {"displayName", "Engineering"},
                  {"members", json::array({{{"value", "u-1"}}})},
                  {"meta", {{"resourceType", "Group"}}}};
    auto projection = parse_projection(std::nullopt, "members");
    REQUIRE(projection.ok());
    const json out = project(group, *projection);
    CHECK_FALSE(out.contains("members"));
    CHECK(out["displayName"] == "Engineering");
}

TEST_CASE("excludedAttributes cannot remove id, schemas or meta.resourceType") {
    const json out = project_with(std::nullopt, "id,schemas,meta");
    CHECK(out["id"] == "u-1");
    CHECK(out.contains("schemas"));
    CHECK(out["meta"] == json{{"resourceType", "User"}});
}

TEST_CASE("excluding the last extension attribute drops the extension object") {
    const json out =
        project_with(std::nullopt, kEnterprise + ":department," + kEnterprise + ":employeeNumber");
    CHECK_FALSE(out.contains(kEnterprise));
}

TEST_CASE("project never returns a password, even when asked for it") {
    json resource = user_resource();
    resource["password"] = "hunter2";
    auto asked = parse_projection("password,userName", std::nullopt);
    REQUIRE(asked.ok());
    CHECK_FALSE(project(resource, *asked).contains("password"));
    CHECK_FALSE(project(resource, Projection{}).contains("password"));
}

TEST_CASE("parse_projection rejects attributes and excludedAttributes together") {
    auto both = parse_projection("userName", "emails");
    REQUIRE_FALSE(both.ok());
    CHECK(to_scim_error(both.error()).scim_type == "invalidValue");
}

TEST_CASE("parse_projection rejects a name that is no attribute path or has no URN qualifier") {
    auto broken = parse_projection("emails[type eq", std::nullopt);
    REQUIRE_FALSE(broken.ok());
    CHECK(to_scim_error(broken.error()).scim_type == "invalidValue");
    CHECK(broken.error().message.find("attributes") != std::string::npos);
    auto unqualified = parse_projection(std::nullopt, "custom:x");
    REQUIRE_FALSE(unqualified.ok());
    CHECK(unqualified.error().message.find("excludedAttributes") != std::string::npos);
}

TEST_CASE("attributes with a value filter return the attribute it filters, as Entra ID asks") {
    CHECK(project_with("emails[type eq \"work\"]")["emails"] == user_resource()["emails"]);
    CHECK(project_with("emails[type eq \"work\"].value")["emails"] ==
          json::array({{{"value", "ada@example.com"}}}));
    const json out = project_with(std::nullopt, "emails[type eq \"work\"].type");
    CHECK(out["emails"] == json::array({{{"value", "ada@example.com"}, {"primary", true}}}));
}

TEST_CASE("a client's own extension is selected or excluded by its bare URN and its attributes") {
    const std::string acme = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    json resource = user_resource();
    resource[acme] = {{"badge", "7"}, {"floor", "3"}};
    const auto with = [&](std::optional<std::string_view> attributes,
                          std::optional<std::string_view> excluded) {
        auto projection = parse_projection(attributes, excluded);
        REQUIRE(projection.ok());
        return project(resource, *projection);
    };
    CHECK(with(acme, std::nullopt)[acme] == resource[acme]);
    CHECK(with(acme + ":badge", std::nullopt)[acme] == json{{"badge", "7"}});
    CHECK_FALSE(with(std::nullopt, acme).contains(acme));
    CHECK(with(std::nullopt, acme + ":floor")[acme] == json{{"badge", "7"}});
}

TEST_CASE("attributes naming an attribute the resource lacks select nothing") {
    const json out = project_with("nickName");
    CHECK(out == json{{"schemas", user_resource()["schemas"]},
                      {"id", "u-1"},
                      {"meta", {{"resourceType", "User"}}}});
}

TEST_CASE("project taking the resource over gives what the copying form gives") {
    json with_password = user_resource();
    with_password["password"] = "secret";
    const std::vector<std::pair<std::optional<std::string_view>, std::optional<std::string_view>>>
        requests = {{std::nullopt, std::nullopt},
                    {"userName,name.givenName", std::nullopt},
                    {std::nullopt, "emails,name.familyName"},
                    {std::nullopt, "meta"},
                    {std::nullopt, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
                    {"password", std::nullopt}};
    for (const auto& [attributes, excluded] : requests) {
        auto projection = parse_projection(attributes, excluded);
        REQUIRE(projection.ok());
        const json& original = with_password;
        json taken = with_password;
        CHECK(project(std::move(taken), *projection) == project(original, *projection));
    }
}

TEST_CASE("project taking the resource over never returns a password") {
    json resource = user_resource();
    resource["password"] = "secret";
    auto projection = parse_projection(std::nullopt, std::nullopt);
    REQUIRE(projection.ok());
    CHECK_FALSE(project(std::move(resource), *projection).contains("password"));
}
