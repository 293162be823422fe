#include "gatehouse/saml/idp_metadata.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <utility>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;

namespace {

std::string der_base64(const gatehouse::testing::TestIdp& idp) {
    auto certificate = Certificate::parse(idp.identity().certificate_pem);
    REQUIRE(certificate.ok());
    return certificate->der_base64();
}

std::string first_certificate() { return der_base64(gatehouse::testing::shared_test_idp()); }
std::string second_certificate() { return der_base64(gatehouse::testing::other_test_idp()); }

struct Endpoint {
    std::string_view binding;
    std::string location;
};

struct KeySpec {
    std::optional<std::string> use;
    std::string certificate;
};

// The parts of an IdP's metadata that tests vary.
struct MetadataSpec {
    std::optional<std::string> entity_id = "https://idp.example.com/entity";
    std::string protocols = "urn:oasis:names:tc:SAML:2.0:protocol";
    std::vector<KeySpec> keys = {{"signing", first_certificate()}};
    std::vector<Endpoint> logout = {{binding::http_redirect, "https://idp.example.com/slo"}};
    std::vector<Endpoint> sign_on = {{binding::http_post, "https://idp.example.com/sso/post"},
                                     {binding::http_redirect, "https://idp.example.com/sso"}};
    int entities_wrapping = 0;  // >0: wrap in an EntitiesDescriptor with this many IdP copies
};

std::string endpoint_xml(std::string_view element, const Endpoint& endpoint) {
    return "<md:" + std::string(element) + " Binding=\"" + std::string(endpoint.binding) +
           "\" Location=\"" + endpoint.location + "\"/>";
}

std::string entity_xml(const MetadataSpec& spec) {
    std::string xml = "<md:EntityDescriptor";
    if (spec.entity_id) xml += " entityID=\"" + *spec.entity_id + "\"";
    xml += "><md:IDPSSODescriptor protocolSupportEnumeration=\"" + spec.protocols + "\">";
    for (const auto& key : spec.keys) {
        xml += "<md:KeyDescriptor";
        if (key.use) xml += " use=\"" + *key.use + "\"";
        xml += "><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n" + key.certificate +
               "\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
    }
    for (const auto& endpoint : spec.logout) xml += endpoint_xml("SingleLogoutService", endpoint);
    for (const auto& endpoint : spec.sign_on) xml += endpoint_xml("SingleSignOnService", endpoint);
    return xml + "</md:IDPSSODescriptor></md:EntityDescriptor>";
}

std::string metadata_xml(const MetadataSpec& spec) {
    const std::string namespaces =
        " xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\""
        " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"";
    if (spec.entities_wrapping == 0) {
        std::string xml = entity_xml(spec);
        return xml.insert(std::string_view("<md:EntityDescriptor").size(), namespaces);
    }
    std::string xml = "<md:EntitiesDescriptor" + namespaces + ">";
    xml +=
        "<md:EntityDescriptor entityID=\"https://sp.example.com/\"><md:SPSSODescriptor "
        "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/></"
        "md:EntityDescriptor>";
    for (int i = 0; i < spec.entities_wrapping; ++i) xml += entity_xml(spec);
    return xml + "</md:EntitiesDescriptor>";
}

std::string error_code(const MetadataSpec& spec) {
    auto metadata = parse_idp_metadata(metadata_xml(spec));
    REQUIRE_FALSE(metadata.ok());
    return metadata.error().code;
}

}  // namespace

TEST_CASE(
    "IdP metadata yields the entity ID, the Redirect SSO URL, the SLO URL and the certificate") {
    auto metadata = parse_idp_metadata(metadata_xml({}));
    REQUIRE(metadata.ok());
    CHECK(metadata->entity_id == "https://idp.example.com/entity");
    CHECK(metadata->sso_url == "https://idp.example.com/sso");
    CHECK(metadata->slo_url == "https://idp.example.com/slo");
    REQUIRE(metadata->certificates.size() == 1);
    CHECK(Certificate::parse(metadata->certificates[0])->der_base64() == first_certificate());
    CHECK(metadata->certificates[0].rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
}

TEST_CASE("IdP metadata falls back to the POST SSO endpoint and allows no SLO") {
    MetadataSpec spec;
    spec.sign_on = {{binding::http_post, "https://idp.example.com/sso/post"}};
    spec.logout.clear();
    auto metadata = parse_idp_metadata(metadata_xml(spec));
    REQUIRE(metadata.ok());
    CHECK(metadata->sso_url == "https://idp.example.com/sso/post");
    CHECK(metadata->slo_url.empty());
}

TEST_CASE("IdP metadata takes signing and unmarked keys, skips encryption keys, drops duplicates") {
    MetadataSpec spec;
    spec.keys = {{"encryption", second_certificate()},
                 {std::nullopt, first_certificate()},
                 {"signing", first_certificate()},
                 {"signing", second_certificate()}};
    auto metadata = parse_idp_metadata(metadata_xml(spec));
    REQUIRE(metadata.ok());
    REQUIRE(metadata->certificates.size() == 2);
    CHECK(Certificate::parse(metadata->certificates[0])->der_base64() == first_certificate());
    CHECK(Certificate::parse(metadata->certificates[1])->der_base64() == second_certificate());
}

TEST_CASE("IdP metadata inside an EntitiesDescriptor is read when it holds one IdP") {
    MetadataSpec spec;
    spec.entities_wrapping = 1;
    auto metadata = parse_idp_metadata(metadata_xml(spec));
    REQUIRE(metadata.ok());
    CHECK(metadata->entity_id == "https://idp.example.com/entity");
}

TEST_CASE("an EntitiesDescriptor with several IdPs, or none, is refused") {
    MetadataSpec several;
    several.entities_wrapping = 2;
    CHECK(error_code(several) == "saml.metadata.multiple_idps");
    CHECK(parse_idp_metadata(
              "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"/>")
              .error()
              .code == "saml.metadata.no_idp");
}

TEST_CASE("SP metadata pasted as IdP metadata is refused as having no IdP") {
    const auto sp = sp_endpoints("https://gh.example.com", "acme");
    auto certificate =
        Certificate::parse(gatehouse::testing::shared_test_idp().identity().certificate_pem);
    REQUIRE(certificate.ok());
    auto metadata = parse_idp_metadata(build_sp_metadata(sp, *certificate));
    REQUIRE_FALSE(metadata.ok());
    CHECK(metadata.error().code == "saml.metadata.no_idp");
}

TEST_CASE("a document that is not metadata is refused") {
    CHECK(parse_idp_metadata("<html/>").error().code == "saml.metadata.not_metadata");
    CHECK(parse_idp_metadata("not xml").error().code == "xml.malformed");
}

TEST_CASE("IdP metadata without an entityID is refused") {
    MetadataSpec spec;
    spec.entity_id.reset();
    CHECK(error_code(spec) == "saml.metadata.entity_id_missing");
}

TEST_CASE("IdP metadata that does not support SAML 2.0 is refused") {
    MetadataSpec spec;
    spec.protocols = "urn:oasis:names:tc:SAML:1.1:protocol";
    CHECK(error_code(spec) == "saml.metadata.no_saml2");
}

TEST_CASE("IdP metadata without a usable SSO endpoint is refused") {
    MetadataSpec spec;
    spec.sign_on = {{"urn:oasis:names:tc:SAML:2.0:bindings:SOAP", "https://idp.example.com/soap"}};
    CHECK(error_code(spec) == "saml.metadata.sso_missing");
}

TEST_CASE("IdP metadata with an endpoint that is not an http(s) URL is refused") {
    MetadataSpec sso;
    sso.sign_on = {{binding::http_redirect, "javascript:alert(1)"}};
    CHECK(error_code(sso) == "saml.metadata.url_invalid");
    MetadataSpec slo;
    slo.logout = {{binding::http_redirect, "ftp://idp.example.com/slo"}};
    CHECK(error_code(slo) == "saml.metadata.url_invalid");
}

TEST_CASE("IdP metadata without a signing certificate is refused") {
    MetadataSpec spec;
    spec.keys = {{"encryption", first_certificate()}};
    CHECK(error_code(spec) == "saml.metadata.certificate_missing");
}

TEST_CASE("IdP metadata with a certificate that does not parse names which one") {
    MetadataSpec spec;
    spec.keys = {{"signing", first_certificate()}, {"signing", "bm90IGEgY2VydA=="}};
    auto metadata = parse_idp_metadata(metadata_xml(spec));
    REQUIRE_FALSE(metadata.ok());
    CHECK(metadata.error().code == "saml.metadata.certificate_invalid");
    CHECK(metadata.error().message.find("certificate 2") != std::string::npos);
}

TEST_CASE("apply_idp_metadata sets the IdP fields and keeps the org's mapping and options") {
    core::SamlProvider provider;
    provider.preset = "okta";
    provider.options.clock_skew_seconds = 60;
    auto metadata = parse_idp_metadata(metadata_xml({}));
    REQUIRE(metadata.ok());
    apply_idp_metadata(*metadata, provider);
    CHECK(provider.idp_entity_id == "https://idp.example.com/entity");
    CHECK(provider.sso_url == "https://idp.example.com/sso");
    CHECK(provider.slo_url == "https://idp.example.com/slo");
    CHECK(provider.certificates == metadata->certificates);
    CHECK(provider.preset == "okta");
    CHECK(provider.options.clock_skew_seconds == 60);
}

TEST_CASE("describe_certificate gives subject, fingerprint and validity of PEM or base64 DER") {
    util::FixedClock clock(1795423500);
    auto generated = generate_sp_credentials("idp.example.org", clock, 10);
    REQUIRE(generated.ok());
    auto from_pem = describe_certificate(generated->certificate_pem);
    REQUIRE(from_pem.ok());
    CHECK(from_pem->subject == "CN=idp.example.org");
    CHECK(from_pem->not_before == 1795423500);
    CHECK(from_pem->not_after == 1795423500 + 10 * 86400);
    CHECK(from_pem->sha256_fingerprint.size() == 95);
    auto from_der =
        describe_certificate(Certificate::parse(generated->certificate_pem)->der_base64());
    REQUIRE(from_der.ok());
    CHECK(from_der->sha256_fingerprint == from_pem->sha256_fingerprint);
}

TEST_CASE("describe_certificate refuses text that is not a certificate") {
    auto summary = describe_certificate("hello");
    REQUIRE_FALSE(summary.ok());
    CHECK(summary.error().code == "saml.certificate.invalid");
}
