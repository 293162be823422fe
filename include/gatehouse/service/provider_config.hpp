// Configuring an org's SAML identity provider from IdP metadata XML or from manual fields.
// Both paths produce the same stored configuration, validated before anything is written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/idp_metadata.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// What an admin supplies. Exactly one of `metadata_xml` or the manual fields
// (`idp_entity_id` + `sso_url` + at least one certificate) must be given.
struct ProviderInput {
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
// transaction with an audit entry. Errors: "org.not_found", "saml.config.ambiguous" (both
// metadata and manual fields), "saml.config.incomplete" (naming the missing field),
// "saml.config.url_invalid", "saml.config.skew_invalid", the "saml.metadata.*" and
// "saml.certificate.invalid" codes of the saml layer, "saml.preset.unknown".
Result<ConfiguredProvider> configure_provider(store::Store& store, const util::Clock& clock,
                                              const std::string& org_slug,
                                              const ProviderInput& input, const std::string& actor);

}  // namespace gatehouse::service
