// The one check of a bearer secret presented to an org: SCIM tokens (the IdP's, "ghs_…") and
// admin API keys ("gha_…") alike. The SCIM endpoints and the admin API both call it, so both
// refuse the same way and neither can be weakened alone.
#pragma once

#include <string_view>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// The org's SCIM tokens or its admin API keys.
using BearerKind = store::CredentialKind;

// The refusal of an admin API key (401). SCIM tokens are refused with kScimUnauthorized
// (provisioning_service.hpp), the code the SCIM endpoints have always answered.
inline constexpr std::string_view kAdminKeyUnauthorized = "admin.unauthorized";

// An accepted secret: the org it belongs to and its stored record (last use up to date).
struct BearerCredential {
    core::Org org;
    core::BearerToken token;

    // Who the use cases see: Caller::scim_token or Caller::admin_key of the record.
    Caller caller(BearerKind kind) const;
};

// Checks `authorization`, the raw Authorization header value ("Bearer <secret>", scheme in
// any case), against the active secrets of `kind` of `org`. The secret's SHA-256 is looked up,
// then compared again with the stored hash in constant time, so the decision does not depend
// on timing. A missing header, another scheme, an empty secret, or an unknown, revoked or
// other org's secret all fail with the same error: kScimUnauthorized or kAdminKeyUnauthorized
// with one sentence, so a refusal tells a stranger nothing. A valid SCIM token of an org with
// SCIM turned off fails with kScimDisabled, checked only after the token was accepted.
// Records the secret's last use at most once a minute, so reads stay read-only. Store
// failures are returned as they are. Thread-safe.
Result<BearerCredential> authenticate_bearer(store::Store& store, const util::Clock& clock,
                                             const core::Org& org, std::string_view authorization,
                                             BearerKind kind);

}  // namespace gatehouse::service
