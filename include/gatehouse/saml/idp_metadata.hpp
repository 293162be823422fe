// Reading an IdP's SAML metadata into the org's provider configuration, and describing
// IdP certificates to the admins who paste them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::saml {

// What Gatehouse takes from IdP metadata.
struct IdpMetadata {
    std::string entity_id;
    std::string sso_url;                    // HTTP-Redirect endpoint, else HTTP-POST
    std::string slo_url;                    // same preference; empty when the IdP has none
    std::vector<std::string> certificates;  // signing certificates as PEM, deduplicated
};

// Parses metadata XML: an md:EntityDescriptor, or an md:EntitiesDescriptor holding exactly
// one entity with an IDPSSODescriptor. Signing certificates are those of KeyDescriptors
// with use="signing" or no use; each must parse as X.509. The metadata's own signature,
// if any, is not checked: an admin pastes it or Gatehouse fetches it over TLS, and its
// certificates are shown to the admin (describe_certificate) before they are trusted.
// Reason codes: the "xml.*" codes of parse_untrusted_xml, then
//   "saml.metadata.not_metadata", "saml.metadata.no_idp", "saml.metadata.multiple_idps",
//   "saml.metadata.entity_id_missing", "saml.metadata.no_saml2", "saml.metadata.sso_missing",
//   "saml.metadata.url_invalid", "saml.metadata.certificate_missing",
//   "saml.metadata.certificate_invalid" (naming which one).
// Thread-safe.
Result<IdpMetadata> parse_idp_metadata(std::string_view xml);

// Copies the metadata's entity ID, endpoints and certificates into `provider`, leaving its
// mapping, options and other fields as they are.
void apply_idp_metadata(const IdpMetadata& metadata, core::SamlProvider& provider);

// A certificate as an admin checks it against the IdP's console.
struct CertificateSummary {
    std::string subject;             // RFC 2253, "CN=…,O=…"
    std::string sha256_fingerprint;  // "AA:BB:…"
    util::UnixTime not_before = 0;
    util::UnixTime not_after = 0;
};

// Describes a certificate given as PEM or bare base64 DER. Fails with
// "saml.certificate.invalid". Thread-safe.
Result<CertificateSummary> describe_certificate(std::string_view pem_or_base64_der);

}  // namespace gatehouse::saml
