// The service provider's side of an org's SAML trust: its URLs (entity ID, ACS, SLS,
// login) and the SP metadata document that IdP admins load into their IdP.
#pragma once

#include <string>
#include <string_view>

#include "gatehouse/saml/keys.hpp"

namespace gatehouse::saml {

// SAML binding and name-ID format URIs the SP uses.
namespace binding {
inline constexpr std::string_view http_redirect =
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
inline constexpr std::string_view http_post = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
}  // namespace binding
namespace nameid_format {
inline constexpr std::string_view email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
inline constexpr std::string_view persistent =
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
inline constexpr std::string_view unspecified =
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
}  // namespace nameid_format

// Where one org's SP lives. The metadata URL doubles as the SP entity ID, so it must never
// change once an IdP trusts it.
struct SpEndpoints {
    std::string entity_id;  // {base}/saml/metadata/{org}/
    std::string acs_url;    // {base}/saml/acs/{org}/
    std::string sls_url;    // {base}/saml/sls/{org}/
    std::string login_url;  // {base}/auth/login/{org}/
};

// The endpoints for `org_slug` under `base_url` (with or without a trailing slash).
// Precondition: the slug is valid (core::is_valid_org_slug). Thread-safe; pure.
SpEndpoints sp_endpoints(std::string_view base_url, std::string_view org_slug);

// The SP's md:EntityDescriptor as UTF-8 XML: SPSSODescriptor with AuthnRequestsSigned and
// WantAssertionsSigned, the SP certificate for signing and for encryption, SingleLogout
// on both bindings, the supported NameID formats, and the ACS (HTTP-POST, index 0,
// default). Built with libxml2's tree API, so every value is escaped. Thread-safe.
std::string build_sp_metadata(const SpEndpoints& endpoints, const Certificate& sp_certificate);

// The same with `next_certificate` published beside the current one, for signing and for
// encryption, while the SP key rolls over: an IdP that imports the metadata then trusts
// both before the gateway switches to the next key.
std::string build_sp_metadata(const SpEndpoints& endpoints, const Certificate& sp_certificate,
                              const Certificate* next_certificate);

}  // namespace gatehouse::saml
