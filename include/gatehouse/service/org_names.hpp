// The names an org answers to after a rename, and which of them the gateway speaks to the
// IdP with. Every URL an IdP or SCIM client was given is built from the org's slug; a rename
// keeps the old slug as an alias so those URLs keep resolving, and this unit holds the rule
// for what the gateway sends while an alias exists:
//
//   Received: a SAML Response, LogoutRequest or OIDC callback may name the URLs of the
//   current slug or of any alias (all are the same org's SP).
//   Sent: the SP entity ID and metadata, the AuthnRequest's Issuer and ACS URL, logout
//   messages and the OIDC redirect_uri use the OLDEST alias's URLs, the ones the IdP was
//   configured with before the first rename still in force. Once an owner removes every
//   alias (after updating the IdP), the current slug's URLs are in force.
//
// So an IdP configured before a rename keeps working, IdP- and SP-initiated, until the owner
// says the IdP has been updated by removing the alias.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"

namespace gatehouse::service {

// The slug whose URLs the gateway sends to the org's IdP: the oldest alias, else the slug.
const std::string& idp_facing_slug(const core::Org& org);

// Every slug the org answers to: the slug first, then the aliases oldest first.
std::vector<std::string> org_slugs(const core::Org& org);

// One URL an IdP admin may have copied, before and after a rename.
struct UrlChange {
    std::string what;  // "SP entity ID / metadata URL", "ACS URL", …
    std::string old_url;
    std::string new_url;
};

// The URLs an IdP admin must update when the org's slug goes from `old_slug` to `new_slug`
// under `base_url` (no trailing slash): SP entity ID / metadata URL, ACS, SLS, login URL,
// SCIM base URL and OIDC redirect URI. Pure; the slugs must be valid.
std::vector<UrlChange> rename_url_changes(std::string_view base_url, std::string_view old_slug,
                                          std::string_view new_slug);

}  // namespace gatehouse::service
