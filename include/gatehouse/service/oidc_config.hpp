// Configuring an org's OpenID Connect, Google Workspace or GitHub sign-in provider: checked
// against the issuer's own discovery document and keys before anything is stored, owner-only,
// and replacing the org's SAML provider (an org signs in with one provider).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/outbound_http.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Google's issuer, used for the google kind when no issuer is given.
inline constexpr const char* kGoogleIssuer = "https://accounts.google.com";

// What an admin supplies.
struct OidcProviderInput {
    core::OidcKind kind = core::OidcKind::oidc;
    std::string issuer;  // oidc: required; google: kGoogleIssuer when empty; github: ignored
    std::string client_id;
    // Required for a new provider; empty keeps the stored secret when the kind, issuer and
    // client ID stay the same (changing other settings without pasting the secret again).
    std::string client_secret;
    // google: at least one; any other issuer: when given, only ID tokens whose `hd` claim
    // names one of them are accepted
    std::vector<std::string> hosted_domains;
    std::vector<std::string> allowed_orgs;  // github: at least one
    std::optional<int> clock_skew_seconds;
    std::optional<bool> jit_provisioning;
    // The ID token claims carrying the org role and the groups; nullopt keeps the stored
    // name (none for a new provider), "" clears it. Ignored for GitHub.
    std::optional<std::string> role_claim;
    std::optional<std::string> groups_claim;
};

// The stored configuration as shown back: never the client secret.
struct OidcProviderView {
    core::OidcKind kind = core::OidcKind::oidc;
    std::string issuer;
    std::string client_id;
    bool client_secret_set = false;
    std::vector<std::string> hosted_domains;
    std::vector<std::string> allowed_orgs;
    int clock_skew_seconds = 180;
    std::string role_claim;
    std::string groups_claim;
    std::string authorization_endpoint;  // from the discovery document; empty for GitHub
    std::size_t signing_keys = 0;        // usable keys in the cached JWKS
    std::optional<util::UnixTime> keys_fetched_at;
};

// The view of a stored provider (no network).
OidcProviderView describe_oidc_provider(const core::OidcProvider& provider);

// Validates `input`, fetches and checks the issuer's discovery document and JWKS through
// `http` (not for GitHub), and stores the provider in one transaction with an audit entry
// ("oidc.provider.configure", never the secret), deleting the org's SAML provider. Refused
// first, before anything is fetched, for a caller without owner rights (kOwnerOnly,
// audited). `github_url` is GitHub's web base URL, stored as the GitHub provider's issuer.
// Google's issuer is always the google kind, hosted domains required, whatever `input.kind`
// says. Errors: kOwnerOnly, "org.not_found", "oidc.config.incomplete" (naming what is missing),
// "oidc.config.issuer_invalid" (not https), "oidc.config.skew_invalid" (0–600 seconds),
// "oidc.config.domain_invalid", "oidc.fetch.unavailable" (no `http`), and the
// "oidc.fetch.*", "oidc.discovery.*", "oidc.jwks.*" codes of the fetch. Thread-safe when
// `http` is.
Result<OidcProviderView> configure_oidc_provider(store::Store& store, const util::Clock& clock,
                                                 const std::string& org_slug,
                                                 const OidcProviderInput& input,
                                                 const Caller& caller, OutboundHttp* http,
                                                 const std::string& github_url);

// The org's provider as shown to admins; nullopt when it has none. Errors: "org.not_found",
// store errors.
Result<std::optional<OidcProviderView>> oidc_provider_view(store::Store& store,
                                                           const std::string& org_slug);

// Removes the org's OpenID or GitHub provider (owner-only, audited
// "oidc.provider.remove"). Removing none is not an error. Refused while Require SSO is on
// ("auth.require_sso.on"), since only the break-glass owner could then sign in.
Status remove_oidc_provider(store::Store& store, const util::Clock& clock,
                            const std::string& org_slug, const Caller& caller);

}  // namespace gatehouse::service
