#include "gatehouse/saml/idp_metadata.hpp"

#include <algorithm>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/saml/xml.hpp"

namespace gatehouse::saml {
namespace {

// Entities below `node` (an EntitiesDescriptor may nest others) that act as an IdP.
std::vector<xmlNode*> idp_entities(const xmlNode* node) {
    std::vector<xmlNode*> found;
    for (xmlNode* entity : descendant_elements(node, ns::metadata, "EntityDescriptor")) {
        if (first_child_element(entity, ns::metadata, "IDPSSODescriptor")) found.push_back(entity);
    }
    return found;
}

Result<xmlNode*> single_idp_entity(xmlNode* root) {
    if (is_element(root, ns::metadata, "EntityDescriptor")) return root;
    if (!is_element(root, ns::metadata, "EntitiesDescriptor")) {
        return fail("saml.metadata.not_metadata",
                    "The document is not SAML metadata (no md:EntityDescriptor).");
    }
    const auto entities = idp_entities(root);
    if (entities.size() > 1) {
        return fail("saml.metadata.multiple_idps",
                    "The metadata describes " + std::to_string(entities.size()) +
                        " identity providers; paste the metadata of one.");
    }
    if (entities.empty()) {
        return fail("saml.metadata.no_idp", "The metadata describes no identity provider.");
    }
    return entities.front();
}

bool supports_saml2(const xmlNode* descriptor) {
    const auto protocols = attribute(descriptor, "protocolSupportEnumeration");
    return protocols && protocols->find(ns::protocol) != std::string::npos;
}

bool is_web_url(std::string_view url) {
    return url.starts_with("https://") || url.starts_with("http://");
}

// The Location of the first endpoint named `element` with the Redirect binding, else the
// first with the POST binding; empty when there is neither.
Result<std::string> endpoint(const xmlNode* descriptor, std::string_view element) {
    const auto endpoints = child_elements(descriptor, ns::metadata, element);
    for (const auto wanted : {binding::http_redirect, binding::http_post}) {
        for (const xmlNode* candidate : endpoints) {
            if (attribute(candidate, "Binding") != wanted) continue;
            std::string location = attribute(candidate, "Location").value_or("");
            if (!is_web_url(location)) {
                return fail("saml.metadata.url_invalid", "The " + std::string(element) +
                                                             " Location \"" + location +
                                                             "\" is not an http(s) URL.");
            }
            return location;
        }
    }
    return std::string();
}

Result<std::vector<std::string>> signing_certificates(const xmlNode* descriptor) {
    std::vector<std::string> pems;
    std::size_t position = 0;
    for (const xmlNode* key : child_elements(descriptor, ns::metadata, "KeyDescriptor")) {
        const auto use = attribute(key, "use");
        if (use && *use != "signing") continue;
        for (const xmlNode* text : descendant_elements(key, ns::xmldsig, "X509Certificate")) {
            ++position;
            auto certificate = Certificate::parse(element_text(text));
            if (!certificate) {
                return fail("saml.metadata.certificate_invalid",
                            "Signing certificate " + std::to_string(position) +
                                " in the metadata is not a valid X.509 certificate.");
            }
            std::string pem = certificate->pem();
            if (std::find(pems.begin(), pems.end(), pem) == pems.end())
                pems.push_back(std::move(pem));
        }
    }
    if (pems.empty()) {
        return fail("saml.metadata.certificate_missing",
                    "The metadata carries no signing certificate for the identity provider.");
    }
    return pems;
}

}  // namespace

Result<IdpMetadata> parse_idp_metadata(std::string_view xml) {
    auto document = parse_untrusted_xml(xml);
    if (!document) return document.error();
    auto entity = single_idp_entity(document->root());
    if (!entity) return entity.error();

    IdpMetadata metadata;
    metadata.entity_id = attribute(*entity, "entityID").value_or("");
    if (metadata.entity_id.empty()) {
        return fail("saml.metadata.entity_id_missing", "The metadata has no entityID.");
    }
    const auto descriptors = child_elements(*entity, ns::metadata, "IDPSSODescriptor");
    if (descriptors.empty()) {
        return fail("saml.metadata.no_idp", "The entity has no IDPSSODescriptor.");
    }
    const auto descriptor = std::find_if(descriptors.begin(), descriptors.end(), supports_saml2);
    if (descriptor == descriptors.end()) {
        return fail("saml.metadata.no_saml2", "The identity provider does not support SAML 2.0.");
    }

    auto sso = endpoint(*descriptor, "SingleSignOnService");
    if (!sso) return sso.error();
    if (sso->empty()) {
        return fail("saml.metadata.sso_missing",
                    "The metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST "
                    "binding.");
    }
    auto slo = endpoint(*descriptor, "SingleLogoutService");
    if (!slo) return slo.error();
    auto certificates = signing_certificates(*descriptor);
    if (!certificates) return certificates.error();

    metadata.sso_url = std::move(*sso);
    metadata.slo_url = std::move(*slo);
    metadata.certificates = std::move(*certificates);
    return metadata;
}

void apply_idp_metadata(const IdpMetadata& metadata, core::SamlProvider& provider) {
    provider.idp_entity_id = metadata.entity_id;
    provider.sso_url = metadata.sso_url;
    provider.slo_url = metadata.slo_url;
    provider.certificates = metadata.certificates;
}

Result<CertificateSummary> describe_certificate(std::string_view pem_or_base64_der) {
    auto certificate = Certificate::parse(pem_or_base64_der);
    if (!certificate) return certificate.error();
    return CertificateSummary{certificate->subject(), certificate->sha256_fingerprint(),
                              certificate->not_before(), certificate->not_after()};
}

}  // namespace gatehouse::saml
