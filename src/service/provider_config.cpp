#include "gatehouse/service/provider_config.hpp"

#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"

namespace gatehouse::service {
namespace {

bool is_http_url(const std::string& url) {
    return (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) &&
           url.find_first_of(" \t\r\n\"<>") == std::string::npos && url.size() > 8;
}

Result<core::SamlProvider> provider_from(const ProviderInput& input, const util::Clock& clock,
                                         MetadataSource* source) {
    const bool manual = !input.idp_entity_id.empty() || !input.sso_url.empty() ||
                        !input.certificates.empty() || !input.slo_url.empty();
    const int ways =
        int{!input.metadata_url.empty()} + int{!input.metadata_xml.empty()} + int{manual};
    if (ways > 1) {
        return fail("saml.config.ambiguous",
                    "Give one of: a metadata URL, IdP metadata, or the IdP's entity ID, SSO URL "
                    "and certificates.");
    }
    if (!input.metadata_url.empty()) {
        if (!source) {
            return fail("saml.metadata_url.unavailable",
                        "Metadata URLs cannot be fetched here; give the metadata XML instead.");
        }
        auto document = source->fetch(input.metadata_url);
        if (!document) return document.error();
        auto provider = provider_from_metadata(*document);
        if (!provider) return provider.error();
        provider->metadata_url = input.metadata_url;
        provider->metadata_fetched_at = clock.now();
        return provider;
    }
    if (!input.metadata_xml.empty()) return provider_from_metadata(input.metadata_xml);
    core::SamlProvider provider;
    if (input.idp_entity_id.empty())
        return fail("saml.config.incomplete", "The IdP entity ID is missing.");
    if (input.sso_url.empty()) return fail("saml.config.incomplete", "The IdP SSO URL is missing.");
    if (input.certificates.empty()) {
        return fail("saml.config.incomplete", "At least one IdP signing certificate is needed.");
    }
    for (const auto* url : {&input.sso_url, &input.slo_url}) {
        if (!url->empty() && !is_http_url(*url)) {
            return fail("saml.config.url_invalid", "'" + *url + "' is not an http(s) URL.");
        }
    }
    provider.idp_entity_id = input.idp_entity_id;
    provider.sso_url = input.sso_url;
    provider.slo_url = input.slo_url;
    provider.certificates = input.certificates;
    return provider;
}

}  // namespace

Result<core::SamlProvider> provider_from_metadata(std::string_view metadata_xml,
                                                  core::SamlProvider base) {
    auto metadata = saml::parse_idp_metadata(metadata_xml);
    if (!metadata) return metadata.error();
    saml::apply_idp_metadata(*metadata, base);
    return base;
}

Result<std::vector<saml::CertificateSummary>> describe_certificates(
    const core::SamlProvider& provider) {
    std::vector<saml::CertificateSummary> summaries;
    for (std::size_t i = 0; i < provider.certificates.size(); ++i) {
        auto summary = saml::describe_certificate(provider.certificates[i]);
        if (!summary) {
            return fail("saml.certificate.invalid", "IdP certificate " + std::to_string(i + 1) +
                                                        " is not an X.509 certificate.");
        }
        summaries.push_back(std::move(*summary));
    }
    return summaries;
}

Result<ConfiguredProvider> configure_provider(store::Store& store, const util::Clock& clock,
                                              const std::string& org_slug,
                                              const ProviderInput& input, const Caller& caller,
                                              MetadataSource* source) {
    if (auto allowed =
            authorize_identity_change(store, clock, org_slug, caller,
                                      IdentityRule::identity_provider, "saml.provider.configure");
        !allowed) {
        return allowed.error();
    }
    auto built = provider_from(input, clock, source);
    if (!built) return built.error();
    ConfiguredProvider result;
    result.provider = std::move(*built);
    auto certificates = describe_certificates(result.provider);
    if (!certificates) return certificates.error();
    result.certificates = std::move(*certificates);
    auto mapping = saml::mapping_preset(input.preset);
    if (!mapping) return mapping.error();
    result.provider.preset = input.preset;
    result.provider.mapping = input.mapping.value_or(*mapping);
    if (input.allow_sha1) result.provider.options.allow_sha1 = *input.allow_sha1;
    if (input.require_signed_assertion) {
        result.provider.options.require_signed_assertion = *input.require_signed_assertion;
    }
    if (input.clock_skew_seconds) {
        if (*input.clock_skew_seconds < 0 || *input.clock_skew_seconds > 600) {
            return fail("saml.config.skew_invalid", "The clock skew must be 0 to 600 seconds.");
        }
        result.provider.options.clock_skew_seconds = *input.clock_skew_seconds;
    }
    result.provider.updated_at = clock.now();

    const Status stored = store.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return fail("org.not_found", "No organization with the slug '" + org_slug + "'.");
        result.provider.org_id = org->id;
        if (input.allow_idp_initiated) org->allow_idp_initiated = *input.allow_idp_initiated;
        if (input.jit_provisioning) org->jit_provisioning = *input.jit_provisioning;
        if (auto s = tx.update_org(*org); !s) return s;
        // An org signs in with one provider: SAML replaces OpenID Connect or GitHub.
        if (auto s = tx.delete_oidc_provider(org->id); !s) return s;
        if (auto s = tx.put_saml_provider(result.provider); !s) return s;
        nlohmann::json fingerprints = nlohmann::json::array();
        for (const auto& c : result.certificates) fingerprints.push_back(c.sha256_fingerprint);
        nlohmann::json details = {{"sso_url", result.provider.sso_url},
                                  {"preset", result.provider.preset},
                                  {"certificates", fingerprints}};
        if (!result.provider.metadata_url.empty()) {
            details["metadata_url"] = result.provider.metadata_url;
        }
        return tx.append_audit(audit_entry(org->id, clock.now(), caller.actor,
                                           "saml.provider.configure", result.provider.idp_entity_id,
                                           "success", "", details));
    });
    if (!stored) return stored.error();
    return result;
}

}  // namespace gatehouse::service
