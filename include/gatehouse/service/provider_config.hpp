// Configuring an org's SAML identity provider from an IdP metadata URL, metadata XML or
// manual fields. All three produce the same stored configuration, validated before anything
// is written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/idp_metadata.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/metadata_source.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// What an admin supplies. Exactly one of `metadata_url`, `metadata_xml` or the manual fields
// (`idp_entity_id` + `sso_url` + at least one certificate) must be given.
struct ProviderInput {
    std::string metadata_url;  // fetched now, and again by the periodic refresh
    std::string metadata_xml;
    std::string idp_entity_id;
    std::string sso_url;
    std::string slo_url;
    std::vector<std::string> certificates;          // PEM or bare base64 DER
    std::string preset = "generic";                 // attribute mapping preset
    std::optional<core::AttributeMapping> mapping;  // overrides the preset when given
    std::optional<bool> allow_idp_initiated;
    std::optional<bool> jit_provisioning;
    std::optional<bool> require_signed_assertion;
    std::optional<bool> allow_sha1;
    std::optional<int> clock_skew_seconds;
};

// The stored configuration as shown back to the admin.
struct ConfiguredProvider {
    core::SamlProvider provider;
    std::vector<saml::CertificateSummary> certificates;
};

// Validates `input` and stores it as the org's IdP, replacing any previous one, in one
// transaction with an audit entry by `caller`. The identity provider decides who is who, so
// a caller without owner rights is refused first (kOwnerOnly, recorded as a failure audit
// entry; nothing is fetched). A URL configuration fetches the document from `source`
// (not owned; may be null when no URL is given) before the transaction starts, and stores
// the URL with the fetch time so the refresh can keep it current; metadata XML or manual
// fields clear both. Errors: kOwnerOnly, "org.not_found", "saml.config.ambiguous" (more
// than one of URL, metadata and manual fields), "saml.config.incomplete" (naming the missing
// field), "saml.config.url_invalid", "saml.config.skew_invalid",
// "saml.metadata_url.unavailable" (a URL but no source), the "saml.metadata_url.*" codes of
// the source, the "saml.metadata.*" and "saml.certificate.invalid" codes of the saml layer,
// "saml.preset.unknown". Thread-safe when `source` is.
Result<ConfiguredProvider> configure_provider(store::Store& store, const util::Clock& clock,
                                              const std::string& org_slug,
                                              const ProviderInput& input, const Caller& caller,
                                              MetadataSource* source = nullptr);

// The configuration `metadata_xml` describes, as configure_provider and the metadata
// refresh both read it: entity ID, endpoints and certificates set, the rest of `base`
// kept. Errors: the "saml.metadata.*" codes of saml::parse_idp_metadata.
Result<core::SamlProvider> provider_from_metadata(std::string_view metadata_xml,
                                                  core::SamlProvider base = {});

// Describes each of the provider's certificates in order. Fails with
// "saml.certificate.invalid" naming the 1-based position of the first one that is not an
// X.509 certificate.
Result<std::vector<saml::CertificateSummary>> describe_certificates(
    const core::SamlProvider& provider);

}  // namespace gatehouse::service
