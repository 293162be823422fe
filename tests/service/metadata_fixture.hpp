// Helpers for tests of IdP configuration from a metadata URL: metadata documents built from
// a few fields, a MetadataSource that serves them from memory, and an org on a real store.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/service/metadata_source.hpp"
#include "gatehouse/service/provider_config.hpp"
#include "store/store_fixture.hpp"
#include "support/saml_idp.hpp"

namespace gatehouse::testing {

// The parts of an IdP's metadata these tests vary.
struct IdpDocument {
    std::string entity_id = "https://idp.example.com/entity";
    std::string sso_url = "https://idp.example.com/sso";
    std::string slo_url;
    std::vector<std::string> certificates = {shared_test_idp().identity().certificate_pem};
};

inline std::string metadata_document(const IdpDocument& idp) {
    const std::string redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
    std::string xml =
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
        "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" +
        idp.entity_id +
        "\"><md:IDPSSODescriptor "
        "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">";
    for (const auto& pem : idp.certificates) {
        auto certificate = saml::Certificate::parse(pem);
        REQUIRE(certificate.ok());
        xml += "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
               certificate->der_base64() +
               "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
    }
    if (!idp.slo_url.empty()) {
        xml += "<md:SingleLogoutService Binding=\"" + redirect + "\" Location=\"" + idp.slo_url +
               "\"/>";
    }
    xml +=
        "<md:SingleSignOnService Binding=\"" + redirect + "\" Location=\"" + idp.sso_url + "\"/>";
    return xml + "</md:IDPSSODescriptor></md:EntityDescriptor>";
}

inline std::string fingerprint(const std::string& pem) {
    auto certificate = saml::Certificate::parse(pem);
    REQUIRE(certificate.ok());
    return certificate->sha256_fingerprint();
}

// Serves documents (or errors) by URL; an unknown URL is unreachable. `before_answer`, when
// set, runs inside fetch() before the answer is returned, to act while a fetch is in flight.
class FakeMetadataSource final : public service::MetadataSource {
  public:
    void serve(const std::string& url, Result<std::string> answer) {
        const std::lock_guard<std::mutex> lock(mutex_);
        answers_.insert_or_assign(url, std::move(answer));
    }

    int fetches() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return fetches_;
    }

    std::function<void()> before_answer;

    Result<std::string> fetch(const std::string& url) override {
        if (before_answer) before_answer();
        const std::lock_guard<std::mutex> lock(mutex_);
        ++fetches_;
        const auto found = answers_.find(url);
        if (found == answers_.end()) {
            return fail("saml.metadata_url.unreachable", url + " could not be reached.");
        }
        return found->second;
    }

  private:
    mutable std::mutex mutex_;
    std::map<std::string, Result<std::string>> answers_;
    int fetches_ = 0;
};

inline constexpr const char* kMetadataUrl = "https://idp.example.com/metadata";

// An org "acme" on a fresh store, and a fake source serving kMetadataUrl.
struct MetadataFixture : StoreFixture {
    util::FixedClock clock{1'800'000'000};
    core::Org org = make_org("acme");
    FakeMetadataSource source;

    void publish(const IdpDocument& idp) { source.serve(kMetadataUrl, metadata_document(idp)); }

    Result<service::ConfiguredProvider> configure(service::ProviderInput input,
                                                  const std::string& slug = "acme") {
        return service::configure_provider(*db, clock, slug, input, service::Caller::cli(),
                                           &source);
    }

    service::ConfiguredProvider configure_from_url(const IdpDocument& idp) {
        publish(idp);
        service::ProviderInput input;
        input.metadata_url = kMetadataUrl;
        auto configured = configure(input);
        REQUIRE_MESSAGE(configured.ok(), (configured.ok() ? "" : configured.error().message));
        return *configured;
    }

    core::SamlProvider stored(core::RowId org_id = 0) {
        std::optional<core::SamlProvider> provider;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            provider = tx.saml_provider(org_id == 0 ? org.id : org_id);
            return {};
        }));
        REQUIRE(provider.has_value());
        return *provider;
    }

    std::vector<core::AuditEntry> audit(const std::string& action) {
        store::AuditQuery query;
        query.action_prefix = action;
        std::vector<core::AuditEntry> entries;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            entries = tx.list_audit(org.id, query).items;
            return {};
        }));
        return entries;
    }
};

}  // namespace gatehouse::testing
