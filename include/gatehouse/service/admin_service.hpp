// Administration use cases shared by the CLI, the settings pages and the admin API:
// organizations, SCIM bearer tokens, admin API keys and the audit log. Every change is one
// store transaction and one audit entry. SCIM tokens and admin API keys decide who may act
// for the org, so issuing and revoking them is owner-only (see caller.hpp).
#pragma once

#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

struct NewOrg {
    std::string slug;
    std::string name;         // defaults to the slug
    std::string owner_email;  // optional: creates an active owner member
};

struct CreatedOrg {
    core::Org org;
    std::optional<core::Member> owner;
};

// A freshly issued SCIM token. `token` is the only copy of the secret: the store keeps its
// SHA-256 hash, so it cannot be shown again.
struct IssuedScimToken {
    core::ScimToken record;
    std::string token;
};
using IssuedAdminKey = IssuedScimToken;

class AdminService {
  public:
    // `store` and `clock` must outlive the service. Thread-safe.
    AdminService(store::Store& store, const util::Clock& clock) : store_(store), clock_(clock) {}

    // Errors: "org.invalid_slug", "org.invalid_email", store::kConflict (slug taken).
    Result<CreatedOrg> create_org(const NewOrg& request, const std::string& actor);

    Result<std::vector<core::Org>> list_orgs();

    // Errors: "org.not_found" for an unknown slug.
    Result<core::Org> find_org(const std::string& slug);

    // The changes below are owner-only: a caller without owner rights is refused with
    // kOwnerOnly before anything changes, and the refusal is recorded as a failure audit
    // entry of the action it asked for.

    // Issues a new token for the org (turning SCIM on); older tokens keep working until
    // revoked, so an IdP can be moved to the new token without downtime.
    // Errors: kOwnerOnly, "org.not_found".
    Result<IssuedScimToken> create_scim_token(const std::string& org_slug,
                                              const std::string& description, const Caller& caller);

    // Errors: kOwnerOnly, "org.not_found", store::kNotFound (no active token with that id in
    // the org).
    Status revoke_scim_token(const std::string& org_slug, core::RowId token_id,
                             const Caller& caller);

    Result<std::vector<core::ScimToken>> list_scim_tokens(const std::string& org_slug);

    // Turns SCIM off for the org and revokes every active token; returns how many were
    // revoked. A later create_scim_token turns it on again. Errors: kOwnerOnly,
    // "org.not_found".
    Result<int> disable_scim(const std::string& org_slug, const Caller& caller);

    // Admin API keys: bearer secrets ("gha_…") that act on one org's admin API with owner
    // rights. Shown once. Errors: kOwnerOnly, "org.not_found", and for revoke_admin_key
    // store::kNotFound.
    Result<IssuedAdminKey> create_admin_key(const std::string& org_slug,
                                            const std::string& description, const Caller& caller);
    Status revoke_admin_key(const std::string& org_slug, core::RowId key_id, const Caller& caller);
    Result<std::vector<core::AdminKey>> list_admin_keys(const std::string& org_slug);

    // Checks `authorization` (the raw Authorization header value, "Bearer gha_…") against
    // the org's active admin keys, comparing the stored hash in constant time. Fails with
    // "admin.unauthorized" for a missing, malformed, unknown, revoked or other-org key.
    // Records the key's last use at most once a minute.
    Result<core::AdminKey> authenticate_admin_key(const core::Org& org,
                                                  std::string_view authorization);

    // The org's audit log, newest first. Errors: "org.not_found".
    Result<store::PageOf<core::AuditEntry>> audit_log(const std::string& org_slug,
                                                      const store::AuditQuery& query);

  private:
    store::Store& store_;
    const util::Clock& clock_;
};

// The SHA-256 under which a SCIM token is stored and looked up.
std::string scim_token_hash(std::string_view token);

// Prefixes of SCIM tokens and admin keys, so leaked secrets are recognisable by scanners.
inline constexpr const char* kScimTokenPrefix = "ghs_";
inline constexpr const char* kAdminKeyPrefix = "gha_";

// The token of an Authorization header "Bearer <token>" (scheme case-insensitive, RFC 6750
// §2.1), trimmed; empty when the header has another form.
std::string_view bearer_token(std::string_view authorization);

}  // namespace gatehouse::service
