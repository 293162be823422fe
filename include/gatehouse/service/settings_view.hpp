// What the auth settings page of an org shows and the provider actions it offers that have no
// use case elsewhere: the org's settings, IdP certificates, SCIM tokens and password sessions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/idp_metadata.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/metadata_source.hpp"
#include "gatehouse/service/provider_config.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Everything the auth settings page and the admin API's settings show, from one consistent
// moment of the store: both build what they answer from this view and nothing else.
struct AuthSettingsView {
    core::Org org;
    std::optional<core::SamlProvider> provider;          // nullopt while SAML is not configured
    std::vector<saml::CertificateSummary> certificates;  // the readable ones, in stored order
    bool certificates_unreadable = false;             // a stored certificate could not be described
    std::vector<core::ScimToken> scim_tokens;         // every token, revoked too, oldest first
    std::vector<core::ScimToken> active_scim_tokens;  // not revoked, oldest first
    std::int64_t password_sessions = 0;               // what turning Require SSO on would end now
    std::optional<core::OidcProvider> oidc;  // the OpenID Connect or GitHub provider, if any
};

// Reads the view of the org `org_slug`. Errors: "org.not_found", store errors. Thread-safe.
Result<AuthSettingsView> read_auth_settings_view(store::Store& store, const std::string& org_slug);

// Removes the org's IdP with an audit entry "saml.provider.remove" by `caller`. Owner-only
// like every change of the IdP (kOwnerOnly, recorded as a failure audit entry). Refused while
// Require SSO is on ("auth.require_sso.on"), since only the break-glass owner could then sign
// in; "saml.not_configured" when there is none; "org.not_found". Thread-safe.
Status remove_provider(store::Store& store, const util::Clock& clock, const std::string& org_slug,
                       const Caller& caller);

// Fetches the provider's metadata URL again through `source` (not owned) and stores what it
// says, keeping the preset and mapping. Owner-only (kOwnerOnly, checked before anything is
// fetched). Errors: "saml.metadata_url.none" when the provider was not configured from a URL
// (or there is none), and those of configure_provider. Thread-safe when `source` is.
Result<ConfiguredProvider> refresh_provider(store::Store& store, const util::Clock& clock,
                                            const std::string& org_slug, const Caller& caller,
                                            MetadataSource* source);

}  // namespace gatehouse::service
