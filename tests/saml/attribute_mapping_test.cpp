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

TEST_CASE("map_identity leaves the email empty when no attribute or NameID holds an address") {
    const auto identity = map_identity("00u1abcd", {{"firstName", {"Ada"}}}, okta_like());
    REQUIRE(identity.ok());
    CHECK(identity->user_id == "00u1abcd");
    CHECK(identity->email.empty());
    CHECK(identity->sources.email.empty());
    CHECK(identity->attribute_names == std::vector<std::string>{"firstName"});
}

TEST_CASE("map_identity fails with email_invalid when the email attribute is not an address") {
    const auto identity = map_identity("ada@example.com", {{"email", {"ada"}}}, okta_like());
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.error().code == "saml.attribute.email_invalid");
}

TEST_CASE("map_identity leaves optional claims empty when neither mapped nor standard") {
    core::AttributeMapping mapping{"", "email", "", "", "", ""};
    const auto identity =
        map_identity("u1", {{"email", {"a@b.example"}}, {"department", {"x"}}}, mapping);
    REQUIRE(identity.ok());
    CHECK(identity->first_name.empty());
    CHECK(identity->role.empty());
    CHECK(identity->groups.empty());
    CHECK(identity->sources.groups.empty());
}

TEST_CASE("map_identity finds the email under every standard name when the mapping misses") {
    const auto generic = preset("generic");
    for (const auto& name : {"email", "mail", "emailAddress", "User.Email",
                             "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                             "http://schemas.xmlsoap.org/claims/EmailAddress",
                             "urn:oid:0.9.2342.19200300.100.1.3", "urn:oid:1.2.840.113549.1.9.1"}) {
        CAPTURE(name);
        for (const auto& preset_name : mapping_preset_names()) {
            CAPTURE(preset_name);
            auto mapping = preset(preset_name);
            mapping.user_id.clear();
            const auto identity =
                map_identity("opaque-7f3a", {{name, {"ada@example.com"}}}, mapping);
            REQUIRE(identity.ok());
            CHECK(identity->email == "ada@example.com");
            CHECK(identity->sources.email == name);
        }
    }
    CHECK(map_identity("x", {{"MAIL", {"ada@example.com"}}}, generic)->sources.email == "MAIL");
}

TEST_CASE("map_identity matches short names case-insensitively and URIs exactly") {
    const auto generic = preset("generic");
    CHECK(map_identity("x", {{"E-Mail", {"ada@example.com"}}}, generic)->email.empty());
    CHECK(map_identity("x", {{"FirstName", {"Ada"}}}, generic)->first_name == "Ada");
    const auto uri = map_identity(
        "x",
        {{"HTTP://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", {"a@b.example"}}},
        generic);
    REQUIRE(uri.ok());
    CHECK(uri->email.empty());
}

TEST_CASE("map_identity takes a UPN claim as the email only when it holds an address") {
    const auto generic = preset("generic");
    const std::string name = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    const std::string upn = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
    auto identity =
        map_identity("AAAAAAAAAAAAAAAAAAAAAD4mxd", {{name, {"ada@contoso.example"}}}, generic);
    REQUIRE(identity.ok());
    CHECK(identity->email == "ada@contoso.example");
    CHECK(identity->sources.email == name);
    identity = map_identity("opaque", {{upn, {"CONTOSO\\ada"}}}, generic);
    REQUIRE(identity.ok());
    CHECK(identity->email.empty());
    // A real email attribute and an address-shaped NameID both come before a UPN.
    identity = map_identity("ada@example.com", {{upn, {"other@contoso.example"}}}, generic);
    CHECK(identity->email == "ada@example.com");
    CHECK(identity->sources.email == "NameID");
    identity =
        map_identity("x", {{upn, {"u@contoso.example"}}, {"mail", {"m@example.com"}}}, generic);
    CHECK(identity->email == "m@example.com");
}

TEST_CASE("map_identity prefers the mapped attribute to every standard name") {
    core::AttributeMapping mapping{"", "corpMail", "given", "family", "", "teams"};
    const auto identity = map_identity("u1",
                                       {{"corpMail", {"ada@corp.example"}},
                                        {"email", {"other@example.com"}},
                                        {"given", {"Ada"}},
                                        {"firstName", {"Nope"}},
                                        {"family", {"Lovelace"}},
                                        {"lastName", {"Nope"}},
                                        {"teams", {"eng"}},
                                        {"groups", {"nope"}}},
                                       mapping);
    REQUIRE(identity.ok());
    CHECK(identity->email == "ada@corp.example");
    CHECK(identity->sources.email == "corpMail");
    CHECK(identity->first_name == "Ada");
    CHECK(identity->last_name == "Lovelace");
    CHECK(identity->groups == std::vector<std::string>{"eng"});
    CHECK(identity->sources.groups == "teams");
}

TEST_CASE("map_identity reads names and groups from the standard claim URIs and OIDs") {
    const auto okta = preset("okta");
    auto identity = map_identity("u1",
                                 {{"urn:oid:2.5.4.42", {"Ada"}},
                                  {"urn:oid:2.5.4.4", {"Lovelace"}},
                                  {"memberOf", {"eng", "ops"}}},
                                 okta);
    REQUIRE(identity.ok());
    CHECK(identity->first_name == "Ada");
    CHECK(identity->sources.first_name == "urn:oid:2.5.4.42");
    CHECK(identity->last_name == "Lovelace");
    CHECK(identity->groups == std::vector<std::string>{"eng", "ops"});
    CHECK(identity->sources.groups == "memberOf");
    identity =
        map_identity("u1",
                     {{"given_name", {"Grace"}},
                      {"family_name", {"Hopper"}},
                      {"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", {"g-1"}}},
                     preset("auth0"));
    REQUIRE_FALSE(identity.ok());  // auth0 maps its user ID attribute, which is absent
    auto auth0 = preset("auth0");
    auth0.user_id.clear();
    identity =
        map_identity("u1",
                     {{"given_name", {"Grace"}},
                      {"family_name", {"Hopper"}},
                      {"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", {"g-1"}}},
                     auth0);
    REQUIRE(identity.ok());
    CHECK(identity->first_name == "Grace");
    CHECK(identity->last_name == "Hopper");
    CHECK(identity->groups == std::vector<std::string>{"g-1"});
}

TEST_CASE("map_identity splits a display name when no given or family name is sent") {
    const auto identity = map_identity(
        "u1", {{"http://schemas.microsoft.com/identity/claims/displayname", {"Ada King Lovelace"}}},
        preset("generic"));
    REQUIRE(identity.ok());
    CHECK(identity->first_name == "Ada");
    CHECK(identity->last_name == "King Lovelace");
    CHECK(identity->sources.first_name ==
          "http://schemas.microsoft.com/identity/claims/displayname");
}

TEST_CASE("map_identity names the NameID as the source of a NameID user ID and email") {
    const auto identity = map_identity("ada@example.com", {}, preset("generic"));
    REQUIRE(identity.ok());
    CHECK(identity->sources.user_id == "NameID");
    CHECK(identity->sources.email == "NameID");
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

TEST_CASE("describe_received lists the attributes the assertion carried") {
    const auto identity =
        map_identity("opaque", {{"uid", {"ada"}}, {"cn", {"Ada"}}}, preset("generic"));
    REQUIRE(identity.ok());
    CHECK(describe_received(*identity) == "attributes present: cn, uid");
    CHECK(describe_received(*map_identity("opaque", {}, preset("generic"))) == "no attributes");
}
