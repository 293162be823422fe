// SCIM 2.0 provisioning use cases: authenticating an IdP's bearer token and creating,
// reading, listing, replacing, patching and deleting Users (members) and Groups (teams).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/scim/list.hpp"
#include "gatehouse/scim/projection.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Error codes of this unit beyond the scim layer's ("scim.<scimType>", scim::kNotFoundCode,
// scim::kPreconditionFailedCode), which callers map with scim::to_scim_error.
inline constexpr std::string_view kScimUnauthorized = "provisioning.unauthorized";  // → 401
inline constexpr std::string_view kScimDisabled = "provisioning.scim_disabled";     // → 403
// A change an IdP may not make to an owner (see the Users operations below).       → 403
inline constexpr std::string_view kScimOwnerProtected = "provisioning.owner_protected";

// An IdP that presented a valid token for the org it addressed.
struct ScimClient {
    core::Org org;
    core::ScimToken token;
    std::string base_url;  // the org's SCIM base, ".../api/0/organizations/{org}/scim/v2"
};

// One resource as returned to the IdP, with the weak ETag of its meta.version
// (W/"<version>"), kept apart because a projection may drop meta.version from the body.
struct ScimResource {
    nlohmann::json body;
    std::string etag;
};

// A list request: filter text (nullopt when absent), page and projection.
struct ScimQuery {
    std::optional<std::string> filter;
    scim::Page page;
    scim::Projection projection;
};

// The optimistic-concurrency precondition of a change: the If-Match header's value, or
// nullopt when the request carries none. "*" matches any version.
using IfMatch = std::optional<std::string>;

// All operations are thread-safe; each change runs in one store write transaction (all or
// nothing) and appends one audit entry with actor "scim-token:<id>". Failures are Errors
// whose codes are the scim layer's, kScimUnauthorized / kScimDisabled, or a store failure
// (which scim::to_scim_error turns into a generic 500).
class ProvisioningService {
  public:
    // `store` and `clock` must outlive the service. With a base URL in `invitations`, a user
    // created active gets an invitation mail (see create_user).
    ProvisioningService(store::Store& store, const util::Clock& clock,
                        InvitationSettings invitations = {})
        : store_(store), clock_(clock), invitations_(std::move(invitations)) {}

    // Checks `authorization` (the raw Authorization header value, "Bearer <token>") against
    // the active tokens of `org`. The stored hash is compared in constant time. A token of
    // another org, a revoked or unknown token, or a malformed header fail with
    // kScimUnauthorized; an org with SCIM turned off fails with kScimDisabled (checked only
    // after the token is valid, so the answer reveals nothing to a stranger). Records the
    // token's last use at most once a minute, so reads stay read-only.
    Result<ScimClient> authenticate(const core::Org& org, std::string_view authorization,
                                    std::string_view scim_base_url);

    // Users. `id` is the member's public id; an id of another org is scim::kNotFoundCode.
    // Creation fails with scim.uniqueness (409) when the userName exists in the org, any
    // case; orgRole "owner" is refused with scim.invalidValue: owner is never provisioned.
    // An owner's identity is the org's, not the IdP's: a replace or patch that would change
    // an owner's userName, emails, externalId, name or displayName, or that sends an orgRole
    // for an owner, fails with kScimOwnerProtected, nothing changed. Deprovisioning an owner
    // (active=false, or delete_user) works like anyone's, except for the org's last active
    // owner (kScimOwnerProtected). Each refusal is recorded as a failure audit entry.
    // A user created active (invited until the first sign-in) with an email gets an
    // invitation "from your identity provider", queued in the creating transaction; one
    // created inactive gets none (it is deactivated: a link would not let it in), nor does
    // one without an email. Deactivating a user ends its pending invitation.
    Result<ScimResource> create_user(const ScimClient& client, const nlohmann::json& body);
    Result<ScimResource> get_user(const ScimClient& client, std::string_view id,
                                  const scim::Projection& projection);
    // A ListResponse. Fails with scim.invalidFilter / invalidValue on a bad filter or page.
    Result<nlohmann::json> list_users(const ScimClient& client, const ScimQuery& query);
    Result<ScimResource> replace_user(const ScimClient& client, std::string_view id,
                                      const nlohmann::json& body, const IfMatch& if_match = {});
    Result<ScimResource> patch_user(const ScimClient& client, std::string_view id,
                                    const nlohmann::json& body, const IfMatch& if_match = {});
    // Deletes the member; their sessions and team memberships go with them. The org's last
    // active owner is refused with kScimOwnerProtected.
    Status delete_user(const ScimClient& client, std::string_view id, const IfMatch& if_match = {});

    // Groups. Team slugs collide with scim.uniqueness (409); a member value that is not a
    // user id of the org is scim.invalidValue naming the id. Members are loaded only when
    // the projection returns them.
    Result<ScimResource> create_group(const ScimClient& client, const nlohmann::json& body);
    Result<ScimResource> get_group(const ScimClient& client, std::string_view id,
                                   const scim::Projection& projection);
    Result<nlohmann::json> list_groups(const ScimClient& client, const ScimQuery& query);
    Result<ScimResource> replace_group(const ScimClient& client, std::string_view id,
                                       const nlohmann::json& body, const IfMatch& if_match = {});
    Result<ScimResource> patch_group(const ScimClient& client, std::string_view id,
                                     const nlohmann::json& body, const IfMatch& if_match = {});
    Status delete_group(const ScimClient& client, std::string_view id,
                        const IfMatch& if_match = {});

  private:
    store::Store& store_;
    const util::Clock& clock_;
    InvitationSettings invitations_;
};

}  // namespace gatehouse::service
