#include "gatehouse/scim/discovery.hpp"

#include <doctest/doctest.h>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/list.hpp"
#include "gatehouse/scim/user.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

constexpr std::string_view kBase = "https://gh.example/api/0/organizations/acme/scim/v2/";

// The definition of `name` among a schema's attributes (or sub-attributes).
json attribute_named(const json& attributes, std::string_view name) {
    for (const json& attribute : attributes) {
        if (attribute["name"] == name) return attribute;
    }
    FAIL("no attribute named " << name);
    return {};
}

json schema_document(std::string_view id) {
    auto document = schema(id, kBase);
    REQUIRE(document.ok());
    return *document;
}

}  // namespace

TEST_CASE("ServiceProviderConfig advertises patch, filter with maxResults and ETags only") {
    const json config = service_provider_config(kBase);
    CHECK(config["schemas"][0] == "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
    CHECK(config["patch"]["supported"] == true);
    CHECK(config["bulk"]["supported"] == false);
    CHECK(config["filter"]["supported"] == true);
    CHECK(config["filter"]["maxResults"] == kMaxPageSize);
    CHECK(config["changePassword"]["supported"] == false);
    CHECK(config["sort"]["supported"] == false);
    CHECK(config["etag"]["supported"] == true);
    CHECK(config["meta"]["location"] ==
          "https://gh.example/api/0/organizations/acme/scim/v2/ServiceProviderConfig");
}

TEST_CASE("ServiceProviderConfig names the OAuth bearer token as the primary scheme") {
    const json schemes = service_provider_config(kBase)["authenticationSchemes"];
    REQUIRE(schemes.size() == 1);
    CHECK(schemes[0]["type"] == "oauthbearertoken");
    CHECK(schemes[0]["primary"] == true);
}

TEST_CASE("ResourceTypes lists User with the optional enterprise extension, and Group") {
    const json list = resource_types(kBase);
    CHECK(list["schemas"][0] == std::string(kListResponseSchema));
    CHECK(list["totalResults"] == 2);
    const json user = list["Resources"][0];
    CHECK(user["id"] == "User");
    CHECK(user["endpoint"] == "/Users");
    CHECK(user["schema"] == std::string(kCoreUserSchema));
    CHECK(user["schemaExtensions"][0] ==
          json{{"schema", std::string(kEnterpriseUserSchema)}, {"required", false}});
    CHECK(user["meta"]["location"] ==
          "https://gh.example/api/0/organizations/acme/scim/v2/ResourceTypes/User");
    CHECK(list["Resources"][1]["endpoint"] == "/Groups");
}

TEST_CASE("resource_type finds one type by id case-insensitively and 404s on others") {
    auto group = resource_type("group", kBase);
    REQUIRE(group.ok());
    CHECK((*group)["id"] == "Group");
    auto missing = resource_type("Device", kBase);
    REQUIRE_FALSE(missing.ok());
    CHECK(to_scim_error(missing.error()).status == 404);
}

TEST_CASE("Schemas lists the core User, enterprise User and core Group schemas") {
    const json list = schemas(kBase);
    CHECK(list["totalResults"] == 3);
    CHECK(list["Resources"][0]["id"] == std::string(kCoreUserSchema));
    CHECK(list["Resources"][1]["id"] == std::string(kEnterpriseUserSchema));
    CHECK(list["Resources"][2]["id"] == std::string(kCoreGroupSchema));
    CHECK(list["Resources"][0]["meta"]["location"] ==
          "https://gh.example/api/0/organizations/acme/scim/v2/Schemas/" +
              std::string(kCoreUserSchema));
}

TEST_CASE("the User schema defines userName as required, server-unique and not case-exact") {
    const json user_name =
        attribute_named(schema_document(kCoreUserSchema)["attributes"], "userName");
    CHECK(user_name["required"] == true);
    CHECK(user_name["uniqueness"] == "server");
    CHECK(user_name["caseExact"] == false);
    CHECK(user_name["mutability"] == "readWrite");
    CHECK(user_name["returned"] == "default");
}

TEST_CASE("the User schema defines orgRole with the four provisionable roles") {
    const json role = attribute_named(schema_document(kCoreUserSchema)["attributes"], "orgRole");
    CHECK(role["type"] == "string");
    CHECK(role["canonicalValues"] == json::array({"admin", "manager", "billing", "member"}));
}

TEST_CASE("the User schema marks groups read-only and emails multi-valued with a boolean primary") {
    const json attributes = schema_document(kCoreUserSchema)["attributes"];
    CHECK(attribute_named(attributes, "groups")["mutability"] == "readOnly");
    const json emails = attribute_named(attributes, "emails");
    CHECK(emails["multiValued"] == true);
    CHECK(attribute_named(emails["subAttributes"], "primary")["type"] == "boolean");
    CHECK(attribute_named(attributes, "active")["type"] == "boolean");
}

TEST_CASE("the User schema describes the attributes kept as sent, such as addresses and title") {
    const json attributes = schema_document(kCoreUserSchema)["attributes"];
    const json addresses = attribute_named(attributes, "addresses");
    CHECK(addresses["type"] == "complex");
    CHECK(addresses["multiValued"] == true);
    CHECK(attribute_named(addresses["subAttributes"], "country")["type"] == "string");
    CHECK(attribute_named(addresses["subAttributes"], "primary")["type"] == "boolean");
    CHECK(attribute_named(attributes, "title")["multiValued"] == false);
    CHECK(attribute_named(attributes, "phoneNumbers")["multiValued"] == true);
    CHECK(attribute_named(attributes, "profileUrl")["type"] == "reference");
    const json name = attribute_named(attributes, "name");
    CHECK(attribute_named(name["subAttributes"], "middleName")["type"] == "string");
}

TEST_CASE("the Group schema requires displayName and makes member values immutable") {
    const json attributes =
        schema_document("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP")["attributes"];
    CHECK(attribute_named(attributes, "displayName")["required"] == true);
    const json members = attribute_named(attributes, "members");
    CHECK(attribute_named(members["subAttributes"], "value")["mutability"] == "immutable");
}

TEST_CASE("the enterprise schema defines department and a complex manager") {
    const json attributes = schema_document(kEnterpriseUserSchema)["attributes"];
    CHECK(attribute_named(attributes, "department")["type"] == "string");
    CHECK(attribute_named(attributes, "manager")["type"] == "complex");
}

TEST_CASE("schema 404s on an unknown URN") {
    auto missing = schema("urn:example:custom", kBase);
    REQUIRE_FALSE(missing.ok());
    CHECK(to_scim_error(missing.error()).status == 404);
    CHECK(missing.error().message.find("urn:example:custom") != std::string::npos);
}
