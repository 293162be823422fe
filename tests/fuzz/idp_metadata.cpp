// Fuzzes the reading of IdP metadata (saml::parse_idp_metadata), which an admin pastes or
// Gatehouse fetches from a URL the admin gave: the input is the metadata XML.
#include "gatehouse/saml/idp_metadata.hpp"

#include "fuzz_support.hpp"
#include "gatehouse/saml/signature.hpp"

using namespace gatehouse;

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto metadata = saml::parse_idp_metadata(fuzz::as_text(data, size));
    fuzz::trace_result("parse_idp_metadata", metadata);
    if (!metadata) {
        if (metadata.error().code.empty()) fuzz::invariant_broken("refused without a reason code");
        return 0;
    }
    // Accepted metadata is what a provider is configured from: an entity, an endpoint, and
    // certificates that the signature checker can load.
    if (metadata->entity_id.empty()) fuzz::invariant_broken("accepted without an entity ID");
    if (metadata->sso_url.empty()) fuzz::invariant_broken("accepted without an SSO URL");
    if (metadata->certificates.empty()) fuzz::invariant_broken("accepted without a certificate");
    if (!saml::TrustedKeys::from_certificates(metadata->certificates)) {
        fuzz::invariant_broken("accepted a certificate the signature checker refuses");
    }
    for (const auto& certificate : metadata->certificates) {
        if (!saml::describe_certificate(certificate)) {
            fuzz::invariant_broken("accepted a certificate that cannot be described");
        }
    }
    core::SamlProvider provider;
    saml::apply_idp_metadata(*metadata, provider);
    if (provider.idp_entity_id != metadata->entity_id) fuzz::invariant_broken("entity not applied");
    return 0;
}
