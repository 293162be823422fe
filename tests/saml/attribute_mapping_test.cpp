#include "gatehouse/saml/attribute_mapping.hpp"

#include <doctest/doctest.h>

using namespace gatehouse;
using namespace gatehouse::saml;

namespace {

core::AttributeMapping preset(std::string_view name) {
    auto mapping = mapping_preset(name);
    REQUIRE(mapping.ok());
    return *mapping;
}

core::AttributeMapping okta_like() {
    return {"", "email", "firstName", "lastName", "role", "groups"};
}

}  // namespace

TEST_CASE("the entra preset uses Microsoft's claim URIs and the object identifier as user ID") {
    const auto mapping = preset("entra");
    CHECK(mapping.user_id == "http://schemas.microsoft.com/identity/claims/objectidentifier");
    CHECK(mapping.email == "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
    CHECK(mapping.first_name == "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname");
    CHECK(mapping.last_name == "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname");
}

TEST_CASE("azure is an alias of entra and preset names are case-insensitive") {
    CHECK(preset("Azure").user_id == preset("entra").user_id);
    CHECK(preset("OKTA").email == "email");
}

TEST_CASE("the okta preset uses the NameID as user ID and Okta's attribute names") {
    const auto mapping = preset("okta");
    CHECK(mapping.user_id.empty());
    CHECK(mapping.email == "email");
    CHECK(mapping.first_name == "firstName");
    CHECK(mapping.last_name == "lastName");
}

TEST_CASE("every listed preset name resolves, including auth0 and onelogin") {
    for (const auto& name : mapping_preset_names()) {
        CAPTURE(name);
        CHECK(mapping_preset(name).ok());
        CHECK_FALSE(preset(name).email.empty());
    }
    CHECK(preset("onelogin").email == "User.email");
    CHECK(preset("auth0").user_id ==
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier");
}

TEST_CASE("mapping_preset refuses an unknown name with a reason code") {
    const auto mapping = mapping_preset("ping");
    REQUIRE_FALSE(mapping.ok());
    CHECK(mapping.error().code == "saml.preset.unknown");
}

TEST_CASE("map_identity takes every mapped claim, groups with all their values") {
    const SamlAttributes attributes{{"email", {"ada@example.com"}},
                                    {"firstName", {"Ada"}},
                                    {"lastName", {" Lovelace "}},
                                    {"role", {"admin"}},
                                    {"groups", {"Engineering", "", "Analytical Engines"}}};
    const auto identity = map_identity("00u1abcd", attributes, okta_like());
    REQUIRE(identity.ok());
    CHECK(identity->user_id == "00u1abcd");
    CHECK(identity->email == "ada@example.com");
    CHECK(identity->first_name == "Ada");
    CHECK(identity->last_name == "Lovelace");
    CHECK(identity->role == "admin");
    CHECK(identity->groups == std::vector<std::string>{"Engineering", "Analytical Engines"});
}

TEST_CASE("map_identity reads the user ID from the mapped attribute when one is mapped") {
    const SamlAttributes attributes{
        {"http://schemas.microsoft.com/identity/claims/objectidentifier", {"6f1c-oid"}},
        {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
         {"ada@example.com"}}};
    const auto identity = map_identity("transient-xyz", attributes, preset("entra"));
    REQUIRE(identity.ok());
    CHECK(identity->user_id == "6f1c-oid");
    CHECK(identity->email == "ada@example.com");
}

TEST_CASE("map_identity fails with user_id_missing when the mapped user ID attribute is absent") {
    const SamlAttributes attributes{
        {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
         {"ada@example.com"}}};
    const auto identity = map_identity("ada@example.com", attributes, preset("entra"));
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.error().code == "saml.attribute.user_id_missing");
}

TEST_CASE("map_identity fails with user_id_missing when the NameID is the user ID and is blank") {
    const auto identity = map_identity("  ", {{"email", {"ada@example.com"}}}, okta_like());
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.error().code == "saml.attribute.user_id_missing");
}

TEST_CASE("map_identity falls back to an email-shaped NameID when no email value exists") {
    const auto identity = map_identity("ada@example.com", {{"email", {" "}}}, okta_like());
    REQUIRE(identity.ok());
    CHECK(identity->email == "ada@example.com");
}

TEST_CASE("map_identity fails with email_missing when neither attribute nor NameID is an email") {
    const auto identity = map_identity("00u1abcd", {{"firstName", {"Ada"}}}, okta_like());
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.error().code == "saml.attribute.email_missing");
    CHECK(identity.error().message.find("\"email\"") != std::string::npos);
}

TEST_CASE("map_identity fails with email_invalid when the email attribute is not an address") {
    const auto identity = map_identity("ada@example.com", {{"email", {"ada"}}}, okta_like());
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.error().code == "saml.attribute.email_invalid");
}

TEST_CASE("map_identity leaves unmapped optional claims empty") {
    core::AttributeMapping mapping{"", "email", "", "", "", ""};
    const auto identity =
        map_identity("u1", {{"email", {"a@b.example"}}, {"groups", {"x"}}}, mapping);
    REQUIRE(identity.ok());
    CHECK(identity->first_name.empty());
    CHECK(identity->role.empty());
    CHECK(identity->groups.empty());
}

TEST_CASE("looks_like_email accepts plain addresses and refuses near misses") {
    CHECK(looks_like_email("ada@example.com"));
    CHECK(looks_like_email("a.b+c@sub.example.org"));
    CHECK_FALSE(looks_like_email("ada"));
    CHECK_FALSE(looks_like_email("@example.com"));
    CHECK_FALSE(looks_like_email("ada@"));
    CHECK_FALSE(looks_like_email("ada@localhost"));
    CHECK_FALSE(looks_like_email("ada@example."));
    CHECK_FALSE(looks_like_email("a@b@example.com"));
    CHECK_FALSE(looks_like_email("ada @example.com"));
    CHECK_FALSE(looks_like_email("ada@exa\nmple.com"));
}
