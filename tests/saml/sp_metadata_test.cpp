#include "gatehouse/saml/sp_metadata.hpp"

#include <doctest/doctest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <cstdarg>
#include <cstdio>
#include <memory>

#include "gatehouse/saml/xml.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;

namespace {

constexpr const char* kMetadataSchema =
    "/usr/lib/python3/dist-packages/onelogin/saml2/schemas/saml-schema-metadata-2.0.xsd";

Certificate sp_certificate() {
    static const Certificate certificate = [] {
        util::FixedClock clock(1795423500);
        auto generated = generate_sp_credentials("sp.example.test", clock, 365);
        REQUIRE(generated.ok());
        auto parsed = Certificate::parse(generated->certificate_pem);
        REQUIRE(parsed.ok());
        return *parsed;
    }();
    return certificate;
}

}  // namespace

namespace gatehouse::testing {
namespace {

void collect_error(void* sink, const char* format, ...) {
    va_list args;
    va_start(args, format);
    char line[512];
    std::vsnprintf(line, sizeof line, format, args);
    va_end(args);
    *static_cast<std::string*>(sink) += line;
}

}  // namespace

// Validation errors reported by libxml2, or empty when `xml` conforms to `schema_file`,
// one of the OASIS schemas that Debian's python3-onelogin-saml2 installs (scripts/setup
// installs the package). The other SAML tests declare and reuse it.
std::string schema_errors(const std::string& xml, const char* schema_file) {
    std::string errors;
    std::unique_ptr<xmlSchemaParserCtxt, decltype(&xmlSchemaFreeParserCtxt)> parser(
        xmlSchemaNewParserCtxt(schema_file), xmlSchemaFreeParserCtxt);
    REQUIRE(parser);
    std::unique_ptr<xmlSchema, decltype(&xmlSchemaFree)> schema(xmlSchemaParse(parser.get()),
                                                                xmlSchemaFree);
    REQUIRE_MESSAGE(schema, "cannot load " << schema_file << " (install python3-onelogin-saml2)");
    std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> validator(
        xmlSchemaNewValidCtxt(schema.get()), xmlSchemaFreeValidCtxt);
    xmlSchemaSetValidErrors(validator.get(), collect_error, collect_error, &errors);
    auto doc = parse_untrusted_xml(xml);
    REQUIRE(doc.ok());
    if (xmlSchemaValidateDoc(validator.get(), doc->get()) != 0 && errors.empty()) {
        errors = "invalid";
    }
    return errors;
}

}  // namespace gatehouse::testing

using gatehouse::testing::schema_errors;

namespace {

xmlNode* sso_descriptor(const XmlDocument& doc) {
    xmlNode* sso = first_child_element(doc.root(), ns::metadata, "SPSSODescriptor");
    REQUIRE(sso != nullptr);
    return sso;
}

}  // namespace

TEST_CASE("sp_endpoints builds the org's URLs under the base URL, with or without its slash") {
    const auto endpoints = sp_endpoints("https://gh.example.com/", "acme");
    CHECK(endpoints.entity_id == "https://gh.example.com/saml/metadata/acme/");
    CHECK(endpoints.acs_url == "https://gh.example.com/saml/acs/acme/");
    CHECK(endpoints.sls_url == "https://gh.example.com/saml/sls/acme/");
    CHECK(endpoints.login_url == "https://gh.example.com/auth/login/acme/");
    CHECK(sp_endpoints("https://gh.example.com", "acme").acs_url == endpoints.acs_url);
}

TEST_CASE("SP metadata conforms to the SAML 2.0 metadata schema") {
    const std::string xml =
        build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate());
    CHECK(schema_errors(xml, kMetadataSchema) == "");
}

TEST_CASE("SP metadata names the metadata URL as entity ID and asks for signed messages") {
    auto doc = parse_untrusted_xml(
        build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate()));
    REQUIRE(doc.ok());
    CHECK(is_element(doc->root(), ns::metadata, "EntityDescriptor"));
    CHECK(attribute(doc->root(), "entityID") == "https://gh.example.com/saml/metadata/acme/");
    xmlNode* sso = sso_descriptor(*doc);
    CHECK(attribute(sso, "AuthnRequestsSigned") == "true");
    CHECK(attribute(sso, "WantAssertionsSigned") == "true");
    CHECK(attribute(sso, "protocolSupportEnumeration") == std::string(ns::protocol));
}

TEST_CASE("SP metadata carries the SP certificate for signing and for encryption") {
    auto doc = parse_untrusted_xml(
        build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate()));
    REQUIRE(doc.ok());
    const auto keys = child_elements(sso_descriptor(*doc), ns::metadata, "KeyDescriptor");
    REQUIRE(keys.size() == 2);
    CHECK(attribute(keys[0], "use") == "signing");
    CHECK(attribute(keys[1], "use") == "encryption");
    for (xmlNode* key : keys) {
        const auto certificates = descendant_elements(key, ns::xmldsig, "X509Certificate");
        REQUIRE(certificates.size() == 1);
        CHECK(element_text(certificates[0]) == sp_certificate().der_base64());
    }
}

TEST_CASE("SP metadata during a rollover carries the current, then the next certificate") {
    util::FixedClock clock(1795423500);
    auto generated = generate_sp_credentials("next.example.test", clock, 365);
    REQUIRE(generated.ok());
    auto next = Certificate::parse(generated->certificate_pem);
    REQUIRE(next.ok());
    const std::string xml =
        build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate(), &*next);
    CHECK(schema_errors(xml, kMetadataSchema) == "");
    auto doc = parse_untrusted_xml(xml);
    REQUIRE(doc.ok());
    const auto keys = child_elements(sso_descriptor(*doc), ns::metadata, "KeyDescriptor");
    REQUIRE(keys.size() == 4);
    const std::vector<std::pair<std::string, std::string>> expected{
        {"signing", sp_certificate().der_base64()},
        {"encryption", sp_certificate().der_base64()},
        {"signing", next->der_base64()},
        {"encryption", next->der_base64()}};
    for (std::size_t i = 0; i < keys.size(); ++i) {
        CHECK(attribute(keys[i], "use") == expected[i].first);
        const auto certificates = descendant_elements(keys[i], ns::xmldsig, "X509Certificate");
        REQUIRE(certificates.size() == 1);
        CHECK(element_text(certificates[0]) == expected[i].second);
    }
    CHECK(build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate(),
                            nullptr) ==
          build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate()));
}

TEST_CASE("SP metadata offers single logout on both bindings and a default POST ACS") {
    auto doc = parse_untrusted_xml(
        build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate()));
    REQUIRE(doc.ok());
    xmlNode* sso = sso_descriptor(*doc);
    const auto logout = child_elements(sso, ns::metadata, "SingleLogoutService");
    REQUIRE(logout.size() == 2);
    CHECK(attribute(logout[0], "Binding") == std::string(binding::http_redirect));
    CHECK(attribute(logout[1], "Binding") == std::string(binding::http_post));
    CHECK(attribute(logout[0], "Location") == "https://gh.example.com/saml/sls/acme/");
    CHECK(attribute(logout[1], "Location") == "https://gh.example.com/saml/sls/acme/");
    xmlNode* acs = first_child_element(sso, ns::metadata, "AssertionConsumerService");
    REQUIRE(acs != nullptr);
    CHECK(attribute(acs, "Binding") == std::string(binding::http_post));
    CHECK(attribute(acs, "Location") == "https://gh.example.com/saml/acs/acme/");
    CHECK(attribute(acs, "index") == "0");
    CHECK(attribute(acs, "isDefault") == "true");
}

TEST_CASE("SP metadata lists the emailAddress, persistent and unspecified NameID formats") {
    auto doc = parse_untrusted_xml(
        build_sp_metadata(sp_endpoints("https://gh.example.com", "acme"), sp_certificate()));
    REQUIRE(doc.ok());
    std::vector<std::string> formats;
    for (xmlNode* format : child_elements(sso_descriptor(*doc), ns::metadata, "NameIDFormat")) {
        formats.push_back(element_text(format));
    }
    CHECK(formats == std::vector<std::string>{std::string(nameid_format::email),
                                              std::string(nameid_format::persistent),
                                              std::string(nameid_format::unspecified)});
}

TEST_CASE("SP metadata escapes markup in URLs instead of injecting it") {
    SpEndpoints endpoints = sp_endpoints("https://gh.example.com", "acme");
    endpoints.entity_id = "https://x.test/?a=1&b=\"><evil/>";
    auto doc = parse_untrusted_xml(build_sp_metadata(endpoints, sp_certificate()));
    REQUIRE(doc.ok());
    CHECK(attribute(doc->root(), "entityID") == endpoints.entity_id);
    CHECK(element_children(doc->root()).size() == 1);
}
