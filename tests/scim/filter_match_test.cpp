#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gatehouse/scim/filter.hpp"

using namespace gatehouse::scim;
using nlohmann::json;

namespace {

json email(std::string_view value, std::string_view type) {
    return {{"value", value}, {"type", type}};
}

// A User as RFC 7643 §8.2 shows it, trimmed to what the cases below need.
json barbara() {
    json user = {
        {"schemas", {std::string(kCoreUserSchema), std::string(kEnterpriseUserSchema)}},
        {"id", "2819c223-7f76-453a-919d-413861904646"},
        {"externalId", "Ext-42"},
        {"userName", "BJensen@example.com"},
        {"name", {{"familyName", "Jensen"}, {"givenName", "Barbara"}}},
        {"displayName", "Babs Jensen"},
        {"nickName", ""},
        {"title", nullptr},
        {"phoneNumbers", json::array()},
        {"active", true},
        {"loginCount", 7},
        {"emails", {email("bjensen@example.com", "work"), email("babs@jensen.org", "home")}},
        {"meta",
         {{"resourceType", "User"},
          {"created", "2026-01-10T08:00:00Z"},
          {"lastModified", "2026-03-01T12:30:00Z"}}},
    };
    user[std::string(kEnterpriseUserSchema)] = {{"employeeNumber", "701984"},
                                                {"manager", {{"value", "26118915"}}}};
    return user;
}

bool match(std::string_view text, const json& resource = barbara(),
           const AttributeTypes& types = AttributeTypes::scim_core()) {
    auto filter = parse_filter(text);
    INFO(text, " -> ", filter.ok() ? std::string() : filter.error().message);
    REQUIRE(filter.ok());
    return matches(**filter, resource, types);
}

gatehouse::Status validated(std::string_view text, const AttributeTypes& types) {
    auto filter = parse_filter(text);
    REQUIRE(filter.ok());
    return validate_filter(**filter, types);
}

}  // namespace

TEST_CASE("eq matches userName case-insensitively and rejects a different name") {
    CHECK(match(R"(userName eq "bjensen@EXAMPLE.com")"));
    CHECK_FALSE(match(R"(userName eq "bjensen")"));
}

TEST_CASE("eq on externalId and id is case-exact") {
    CHECK(match(R"(externalId eq "Ext-42")"));
    CHECK_FALSE(match(R"(externalId eq "ext-42")"));
    CHECK(match(R"(id eq "2819c223-7f76-453a-919d-413861904646")"));
    CHECK_FALSE(match(R"(id eq "2819C223-7F76-453A-919D-413861904646")"));
}

TEST_CASE("ne matches a different value and never an absent attribute") {
    CHECK(match(R"(displayName ne "Someone Else")"));
    CHECK_FALSE(match(R"(displayName ne "babs jensen")"));
    CHECK_FALSE(match(R"(nonexistent ne "x")"));
}

TEST_CASE("co, sw and ew test substrings, prefixes and suffixes case-insensitively") {
    CHECK(match(R"(displayName co "S JEN")"));
    CHECK_FALSE(match(R"(displayName co "smith")"));
    CHECK(match(R"(displayName sw "babs")"));
    CHECK_FALSE(match(R"(displayName sw "jensen")"));
    CHECK(match(R"(displayName ew "JENSEN")"));
    CHECK_FALSE(match(R"(displayName ew "babs")"));
}

TEST_CASE("co on a case-exact attribute respects case") {
    CHECK(match(R"(externalId co "t-4")"));
    CHECK_FALSE(match(R"(externalId co "T-4")"));
}

TEST_CASE("gt, ge, lt and le order strings lexically, ignoring case unless case-exact") {
    CHECK(match(R"(displayName gt "BABS")"));
    CHECK_FALSE(match(R"(displayName gt "babs jensen")"));
    CHECK(match(R"(displayName ge "BABS JENSEN")"));
    CHECK(match(R"(displayName lt "c")"));
    CHECK_FALSE(match(R"(displayName lt "Babs")"));
    CHECK(match(R"(displayName le "babs jensen")"));
    // Case-exact: 'E' (0x45) sorts before 'e' (0x65).
    CHECK(match(R"(externalId lt "ext")"));
}

TEST_CASE("numbers compare numerically and never equal strings") {
    CHECK(match("loginCount gt 5"));
    CHECK(match("loginCount ge 7"));
    CHECK_FALSE(match("loginCount lt 7"));
    CHECK(match("loginCount le 7.0"));
    CHECK(match("loginCount eq 7"));
    CHECK_FALSE(match("loginCount gt 10"));
    CHECK_FALSE(match("loginCount eq \"7\""));
    CHECK_FALSE(match("userName eq 7"));
}

TEST_CASE("boolean literals match boolean attributes, including Entra ID's string booleans") {
    CHECK(match("active eq true"));
    CHECK_FALSE(match("active eq false"));
    CHECK(match("active ne false"));
    json entra = barbara();
    entra["active"] = "False";
    CHECK(match("active eq false", entra));
    CHECK_FALSE(match("displayName eq true"));
}

TEST_CASE("ordering a boolean attribute never matches") {
    CHECK_FALSE(match(R"(active gt "a")"));
    CHECK_FALSE(match(R"(active lt "z")"));
}

TEST_CASE("dateTime attributes compare as instants, whatever the offset") {
    CHECK(match(R"(meta.created gt "2026-01-01T00:00:00Z")"));
    CHECK_FALSE(match(R"(meta.created lt "2026-01-10T08:00:00Z")"));
    CHECK(match(R"(meta.lastModified eq "2026-03-01T13:30:00+01:00")"));
    CHECK(match(R"(meta.lastModified le "2026-03-01T13:30:00+01:00")"));
    CHECK_FALSE(match(R"(meta.lastModified gt "2026-03-01T13:30:00+01:00")"));
}

TEST_CASE("a dateTime comparison with an unreadable operand matches nothing") {
    CHECK_FALSE(match(R"(meta.created gt "last tuesday")"));
    CHECK_FALSE(match(R"(meta.created ne "last tuesday")"));
}

TEST_CASE("pr needs a value that is not missing, null, empty or an empty list") {
    CHECK(match("userName pr"));
    CHECK(match("name pr"));
    CHECK(match("active pr"));
    CHECK_FALSE(match("nonexistent pr"));
    CHECK_FALSE(match("title pr"));
    CHECK_FALSE(match("nickName pr"));
    CHECK_FALSE(match("phoneNumbers pr"));
    json empty_name = barbara();
    empty_name["name"] = json::object({{"familyName", ""}});
    CHECK_FALSE(match("name pr", empty_name));
}

TEST_CASE("eq null matches a missing or empty attribute and ne null a present one") {
    CHECK(match("nonexistent eq null"));
    CHECK(match("title eq null"));
    CHECK(match("nickName eq null"));
    CHECK_FALSE(match("userName eq null"));
    CHECK(match("userName ne null"));
    CHECK_FALSE(match("title ne null"));
}

TEST_CASE("a sub-attribute path compares inside a complex attribute") {
    CHECK(match(R"(name.familyName eq "jensen")"));
    CHECK_FALSE(match(R"(name.givenName eq "jensen")"));
}

TEST_CASE("a multi-valued attribute matches when any of its values matches") {
    CHECK(match(R"(emails.value eq "babs@jensen.org")"));
    CHECK(match(R"(emails.type eq "home")"));
    CHECK_FALSE(match(R"(emails.type eq "other")"));
    CHECK(match(R"(schemas eq "urn:ietf:params:scim:schemas:core:2.0:User")"));
}

TEST_CASE("a complex multi-valued attribute compared directly compares its value") {
    CHECK(match(R"(emails co "jensen.org")"));
    CHECK(match(R"(emails eq "BJENSEN@example.com")"));
    CHECK_FALSE(match(R"(emails eq "work")"));
}

TEST_CASE("a value path needs one element to satisfy the whole bracketed filter") {
    CHECK(match(R"(emails[type eq "work" and value co "@example.com"])"));
    CHECK_FALSE(match(R"(emails[type eq "home" and value co "@example.com"])"));
    CHECK_FALSE(match(R"(phoneNumbers[type eq "work"])"));
    CHECK_FALSE(match(R"(nonexistent[type eq "work"])"));
}

TEST_CASE("Entra ID's value path with a trailing sub-attribute comparison matches one element") {
    CHECK(match(R"(emails[type eq "work"].value eq "bjensen@example.com")"));
    CHECK_FALSE(match(R"(emails[type eq "home"].value eq "bjensen@example.com")"));
}

TEST_CASE("a value path applies the element's sub-attribute types") {
    json with_primary = barbara();
    with_primary["emails"][0]["primary"] = "True";
    CHECK(match(R"(emails[primary eq true].value co "example.com")", with_primary));
    CHECK_FALSE(match(R"(emails[primary eq false])", with_primary));
}

TEST_CASE("schema-URN-qualified paths reach core and extension attributes") {
    CHECK(match(R"(urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com")"));
    const std::string enterprise = std::string(kEnterpriseUserSchema) + ":";
    CHECK(match(enterprise + R"(employeeNumber eq "701984")"));
    CHECK(match(enterprise + R"(manager.value eq "26118915")"));
    CHECK_FALSE(match(R"(urn:example:other:1.0:User:employeeNumber eq "701984")"));
}

TEST_CASE("not inverts its operand") {
    CHECK(match(R"(not (userName eq "nobody"))"));
    CHECK_FALSE(match("not (active eq true)"));
}

TEST_CASE("and binds tighter than or when evaluating, and parentheses change that") {
    const std::string_view tail = R"(displayName eq "nobody" and active eq false)";
    CHECK(match("userName pr or " + std::string(tail)));
    CHECK_FALSE(match("(userName pr or displayName eq \"nobody\") and active eq false"));
}

TEST_CASE("attribute names in the resource match case-insensitively") {
    json shouting = {{"USERNAME", "bjensen"}, {"Emails", {email("b@example.com", "WORK")}}};
    CHECK(match(R"(userName eq "bjensen")", shouting));
    CHECK(match(R"(emails[TYPE eq "work"])", shouting));
}

TEST_CASE("a Group's members are searched by value") {
    const json group = {{"displayName", "Tour Guides"},
                        {"members", {{{"value", "2819c223"}, {"display", "Babs Jensen"}}}}};
    CHECK(match(R"(members[value eq "2819c223"])", group));
    CHECK(match(R"(members.display sw "babs")", group));
    CHECK_FALSE(match(R"(members[value eq "902c246b"])", group));
}

TEST_CASE("caller-supplied attribute types override the defaults") {
    AttributeTypes types = AttributeTypes::scim_core();
    types.set("userName", AttributeTraits{AttributeType::string, true, false});
    CHECK_FALSE(match(R"(userName eq "bjensen@EXAMPLE.com")", barbara(), types));
    CHECK(match(R"(userName eq "BJensen@example.com")", barbara(), types));
}

TEST_CASE("the default attribute table follows RFC 7643") {
    const auto& types = AttributeTypes::scim_core();
    CHECK(types.lookup({"", "id", ""}).case_exact);
    CHECK(types.lookup({"", "externalId", ""}).case_exact);
    CHECK_FALSE(types.lookup({"", "userName", ""}).case_exact);
    CHECK_FALSE(types.lookup({"", "emails", "value"}).case_exact);
    CHECK(types.lookup({"", "meta", "lastModified"}).type == AttributeType::date_time);
    CHECK(types.lookup({"", "active", ""}).type == AttributeType::boolean);
    CHECK(types.lookup({"", "emails", ""}).multi_valued);
    CHECK(types.lookup({std::string(kCoreUserSchema), "ID", ""}).case_exact);
    CHECK(types.compared({"", "members", ""}).type == AttributeType::string);
}

TEST_CASE("validate_filter rejects ordering a boolean attribute") {
    const auto status = validated(R"(active gt "a")", AttributeTypes::scim_core());
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == kInvalidFilterCode);
    CHECK(status.error().message.find("\"active\" is a boolean attribute") != std::string::npos);
}

TEST_CASE("validate_filter rejects substring operators on non-string attributes") {
    AttributeTypes types = AttributeTypes::scim_core();
    types.set("loginCount", AttributeTraits{AttributeType::integer, false, false});
    CHECK_FALSE(validated(R"(loginCount co "7")", types).ok());
    CHECK_FALSE(validated(R"(active sw "t")", types).ok());
}

TEST_CASE("validate_filter checks inside value paths and under not") {
    const auto status = validated(R"(not (emails[primary ge "a"]))", AttributeTypes::scim_core());
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("emails[primary]") != std::string::npos);
}

TEST_CASE("validate_filter accepts filters that compare attributes by their types") {
    const auto& types = AttributeTypes::scim_core();
    CHECK(validated(R"(userName co "j" and meta.created gt "2026-01-01T00:00:00Z")", types).ok());
    CHECK(validated(R"(active eq true or emails[type sw "w"])", types).ok());
}

TEST_CASE("the filters Entra ID and Okta send find the user they name") {
    CHECK(match(R"(userName eq "bjensen@example.com")"));
    CHECK(match(R"(externalId eq "Ext-42")"));
    CHECK(match(R"(displayName eq "Babs Jensen")"));
    CHECK(match(R"(emails[type eq "work"].value eq "bjensen@example.com")"));
    CHECK_FALSE(match(R"(displayName eq "Tour Guides")"));
}

TEST_CASE("matches_element evaluates a PATCH value filter against one element") {
    auto path = parse_patch_path(R"(emails[type eq "WORK" and primary eq true])");
    REQUIRE(path.ok());
    const json work = {{"value", "b@example.com"}, {"type", "work"}, {"primary", "True"}};
    const json home = {{"value", "b@home.org"}, {"type", "home"}, {"primary", false}};
    const auto& types = AttributeTypes::scim_core();
    CHECK(matches_element(*path->value_filter, work, path->attribute, types));
    CHECK_FALSE(matches_element(*path->value_filter, home, path->attribute, types));
    CHECK_FALSE(matches_element(*path->value_filter, json("work"), path->attribute, types));
}

TEST_CASE("integers parsed from a request body compare exactly beyond 2^53") {
    const json resource = json::parse(R"({"serial": 9007199254740993})");
    CHECK(match("serial eq 9007199254740993", resource));
    CHECK_FALSE(match("serial eq 9007199254740992", resource));
    CHECK(match("serial gt 9007199254740992", resource));
}
