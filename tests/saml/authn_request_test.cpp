#include "gatehouse/saml/authn_request.hpp"

#include <doctest/doctest.h>

#include "gatehouse/saml/xml.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;

namespace gatehouse::testing {
std::string schema_errors(const std::string& xml, const char* schema_file);  // sp_metadata_test.cpp
}

namespace {

constexpr const char* kProtocolSchema =
    "/usr/lib/python3/dist-packages/onelogin/saml2/schemas/saml-schema-protocol-2.0.xsd";
constexpr util::UnixTime kNow = 1795423500;  // 2026-11-23T08:45:00Z
constexpr const char* kIdpSso = "https://idp.example.com/sso?tenant=a&x=1";

AuthnRequest acme_request() {
    util::FixedClock clock(kNow);
    return build_authn_request(sp_endpoints("https://gh.example.com", "acme"), kIdpSso, clock);
}

}  // namespace

TEST_CASE("an AuthnRequest conforms to the SAML 2.0 protocol schema") {
    CHECK(testing::schema_errors(acme_request().xml, kProtocolSchema) == "");
}

TEST_CASE("an AuthnRequest carries its ID, the clock's instant and the IdP as Destination") {
    const auto request = acme_request();
    auto doc = parse_untrusted_xml(request.xml);
    REQUIRE(doc.ok());
    CHECK(is_element(doc->root(), ns::protocol, "AuthnRequest"));
    CHECK(attribute(doc->root(), "ID") == request.id);
    CHECK(attribute(doc->root(), "Version") == "2.0");
    CHECK(request.issue_instant == kNow);
    CHECK(attribute(doc->root(), "IssueInstant") == "2026-11-23T08:45:00Z");
    CHECK(attribute(doc->root(), "Destination") == kIdpSso);
}

TEST_CASE("an AuthnRequest asks for an HTTP-POST response at the org's ACS from the SP entity") {
    auto doc = parse_untrusted_xml(acme_request().xml);
    REQUIRE(doc.ok());
    CHECK(attribute(doc->root(), "AssertionConsumerServiceURL") ==
          "https://gh.example.com/saml/acs/acme/");
    CHECK(attribute(doc->root(), "ProtocolBinding") == std::string(binding::http_post));
    CHECK(element_text(first_child_element(doc->root(), ns::assertion, "Issuer")) ==
          "https://gh.example.com/saml/metadata/acme/");
    CHECK(attribute(first_child_element(doc->root(), ns::protocol, "NameIDPolicy"),
                    "AllowCreate") == "true");
}

TEST_CASE("every AuthnRequest gets a fresh XML-safe ID") {
    const auto first = acme_request();
    const auto second = acme_request();
    CHECK(first.id != second.id);
    CHECK(first.id[0] == '_');
}

TEST_CASE("is_safe_relay_path accepts local absolute paths with queries") {
    CHECK(is_safe_relay_path("/"));
    CHECK(is_safe_relay_path("/organizations/acme/"));
    CHECK(is_safe_relay_path("/settings/acme/auth/?tab=saml&x=%20y"));
}

TEST_CASE("is_safe_relay_path refuses protocol-relative and backslash hosts") {
    CHECK_FALSE(is_safe_relay_path("//evil.example"));
    CHECK_FALSE(is_safe_relay_path("/\\evil.example"));
    CHECK_FALSE(is_safe_relay_path("\\\\evil.example"));
    CHECK_FALSE(is_safe_relay_path("/ok/..\\evil"));
}

TEST_CASE("is_safe_relay_path refuses absolute URLs and script schemes") {
    CHECK_FALSE(is_safe_relay_path("https://evil.example/"));
    CHECK_FALSE(is_safe_relay_path("javascript:alert(1)"));
    CHECK_FALSE(is_safe_relay_path("evil.example/path"));
    CHECK_FALSE(is_safe_relay_path(""));
}

TEST_CASE("is_safe_relay_path refuses percent-encoded slashes that a proxy could decode") {
    CHECK_FALSE(is_safe_relay_path("/%2f%2fevil.example"));
    CHECK_FALSE(is_safe_relay_path("/%2F%2Fevil.example"));
    CHECK_FALSE(is_safe_relay_path("/%5cevil.example"));
}

TEST_CASE("is_safe_relay_path refuses control characters, spaces, non-ASCII and huge paths") {
    CHECK_FALSE(is_safe_relay_path("/\t/evil.example"));
    CHECK_FALSE(is_safe_relay_path("/a\r\nSet-Cookie: x=1"));
    CHECK_FALSE(is_safe_relay_path(std::string("/a\0b", 4)));
    CHECK_FALSE(is_safe_relay_path("/a b"));
    CHECK_FALSE(is_safe_relay_path("/caf\xc3\xa9"));
    CHECK_FALSE(is_safe_relay_path("/" + std::string(2048, 'a')));
}
