#include "gatehouse/service/provider_config.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "service/metadata_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::IdpDocument;
using gatehouse::testing::kMetadataUrl;
using gatehouse::testing::MetadataFixture;

namespace {

std::vector<std::string> fingerprints_of(const service::ConfiguredProvider& configured) {
    std::vector<std::string> result;
    for (const auto& summary : configured.certificates)
        result.push_back(summary.sha256_fingerprint);
    return result;
}

IdpDocument two_certificate_idp() {
    IdpDocument idp;
    idp.slo_url = "https://idp.example.com/slo";
    idp.certificates = {gatehouse::testing::shared_test_idp().identity().certificate_pem,
                        gatehouse::testing::other_test_idp().identity().certificate_pem};
    return idp;
}

}  // namespace

TEST_CASE(
    "configure_provider from a metadata URL stores the document's IdP with the URL and fetch "
    "time") {
    MetadataFixture f;
    const auto configured = f.configure_from_url(two_certificate_idp());
    const auto stored = f.stored();
    CHECK(stored.idp_entity_id == "https://idp.example.com/entity");
    CHECK(stored.sso_url == "https://idp.example.com/sso");
    CHECK(stored.slo_url == "https://idp.example.com/slo");
    CHECK(stored.certificates.size() == 2);
    CHECK(stored.metadata_url == kMetadataUrl);
    REQUIRE(stored.metadata_fetched_at.has_value());
    CHECK(*stored.metadata_fetched_at == f.clock.now());
    CHECK(f.source.fetches() == 1);
}

TEST_CASE(
    "configure_provider from a metadata URL shows every certificate's subject, fingerprint and "
    "expiry") {
    MetadataFixture f;
    const auto configured = f.configure_from_url(two_certificate_idp());
    REQUIRE(configured.certificates.size() == 2);
    const auto& idp = gatehouse::testing::shared_test_idp();
    CHECK(configured.certificates[0].sha256_fingerprint ==
          gatehouse::testing::fingerprint(idp.identity().certificate_pem));
    for (const auto& summary : configured.certificates) {
        CHECK(summary.subject.find("CN=") != std::string::npos);
        CHECK(summary.not_after > summary.not_before);
    }
}

TEST_CASE(
    "configure_provider stores the same configuration from a URL, metadata XML and manual fields") {
    MetadataFixture f;
    const IdpDocument idp = two_certificate_idp();
    const auto from_url = f.configure_from_url(idp);

    const core::Org xml_org = f.make_org("xml-org");
    service::ProviderInput xml_input;
    xml_input.metadata_xml = gatehouse::testing::metadata_document(idp);
    auto from_xml = f.configure(xml_input, "xml-org");
    REQUIRE(from_xml.ok());

    const core::Org manual_org = f.make_org("manual-org");
    service::ProviderInput manual_input;
    manual_input.idp_entity_id = idp.entity_id;
    manual_input.sso_url = idp.sso_url;
    manual_input.slo_url = idp.slo_url;
    manual_input.certificates = idp.certificates;
    auto from_manual = f.configure(manual_input, "manual-org");
    REQUIRE(from_manual.ok());

    for (const auto* other : {&*from_xml, &*from_manual}) {
        CHECK(other->provider.idp_entity_id == from_url.provider.idp_entity_id);
        CHECK(other->provider.sso_url == from_url.provider.sso_url);
        CHECK(other->provider.slo_url == from_url.provider.slo_url);
        CHECK(fingerprints_of(*other) == fingerprints_of(from_url));
        CHECK(other->provider.metadata_url.empty());
        CHECK_FALSE(other->provider.metadata_fetched_at.has_value());
    }
    CHECK(f.stored(xml_org.id).metadata_url.empty());
    CHECK(f.stored(manual_org.id).metadata_url.empty());
}

TEST_CASE("configure_provider records the metadata URL in the configuration's audit entry") {
    MetadataFixture f;
    f.configure_from_url(IdpDocument{});
    const auto entries = f.audit("saml.provider.configure");
    REQUIRE(entries.size() == 1);
    CHECK(nlohmann::json::parse(entries[0].details)["metadata_url"] == kMetadataUrl);
}

TEST_CASE("configure_provider refuses a metadata URL when it has no source to fetch it") {
    MetadataFixture f;
    service::ProviderInput input;
    input.metadata_url = kMetadataUrl;
    auto configured =
        service::configure_provider(*f.db, f.clock, "acme", input, service::Caller::cli(), nullptr);
    REQUIRE_FALSE(configured.ok());
    CHECK(configured.error().code == "saml.metadata_url.unavailable");
}

TEST_CASE("configure_provider refuses a metadata URL given together with metadata XML") {
    MetadataFixture f;
    f.publish(IdpDocument{});
    service::ProviderInput input;
    input.metadata_url = kMetadataUrl;
    input.metadata_xml = gatehouse::testing::metadata_document(IdpDocument{});
    auto configured = f.configure(input);
    REQUIRE_FALSE(configured.ok());
    CHECK(configured.error().code == "saml.config.ambiguous");
    CHECK(f.source.fetches() == 0);
}

TEST_CASE("configure_provider refuses a metadata URL given together with manual fields") {
    MetadataFixture f;
    f.publish(IdpDocument{});
    service::ProviderInput input;
    input.metadata_url = kMetadataUrl;
    input.sso_url = "https://idp.example.com/sso";
    auto configured = f.configure(input);
    REQUIRE_FALSE(configured.ok());
    CHECK(configured.error().code == "saml.config.ambiguous");
    CHECK(f.source.fetches() == 0);
}

TEST_CASE("configure_provider passes on the fetch error of a metadata URL and stores nothing") {
    MetadataFixture f;
    f.source.serve(kMetadataUrl, fail("saml.metadata_url.private_address",
                                      "The host resolves to 10.0.0.1, a private network address."));
    service::ProviderInput input;
    input.metadata_url = kMetadataUrl;
    auto configured = f.configure(input);
    REQUIRE_FALSE(configured.ok());
    CHECK(configured.error().code == "saml.metadata_url.private_address");
    CHECK(configured.error().message.find("10.0.0.1") != std::string::npos);
    CHECK(f.audit("saml.provider.configure").empty());
}

TEST_CASE("configure_provider refuses a fetched document that is not IdP metadata") {
    MetadataFixture f;
    f.source.serve(kMetadataUrl, std::string("<html><body>Sign in</body></html>"));
    service::ProviderInput input;
    input.metadata_url = kMetadataUrl;
    auto configured = f.configure(input);
    REQUIRE_FALSE(configured.ok());
    CHECK(configured.error().code.rfind("saml.metadata.", 0) == 0);
}

TEST_CASE("configuring from metadata XML clears an earlier metadata URL") {
    MetadataFixture f;
    f.configure_from_url(IdpDocument{});
    service::ProviderInput input;
    input.metadata_xml = gatehouse::testing::metadata_document(IdpDocument{});
    REQUIRE(f.configure(input).ok());
    const auto stored = f.stored();
    CHECK(stored.metadata_url.empty());
    CHECK_FALSE(stored.metadata_fetched_at.has_value());
}
