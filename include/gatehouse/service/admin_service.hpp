// Administration use cases shared by the CLI and the admin API: organizations and SCIM
// bearer tokens. Every change is one store transaction and one audit entry.
#pragma once

#include <string>
#include <vector>

#include "gatehouse/core/domain.hpp"
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

class AdminService {
  public:
    // `store` and `clock` must outlive the service. Thread-safe.
    AdminService(store::Store& store, const util::Clock& clock) : store_(store), clock_(clock) {}

    // Errors: "org.invalid_slug", "org.invalid_email", store::kConflict (slug taken).
    Result<CreatedOrg> create_org(const NewOrg& request, const std::string& actor);

    Result<std::vector<core::Org>> list_orgs();

    // Errors: "org.not_found" for an unknown slug.
    Result<core::Org> find_org(const std::string& slug);

    // Issues a new token for the org; older tokens keep working until revoked, so an IdP
    // can be moved to the new token without downtime.
    Result<IssuedScimToken> create_scim_token(const std::string& org_slug,
                                              const std::string& description,
                                              const std::string& actor);

    // Errors: "org.not_found", store::kNotFound (no active token with that id in the org).
    Status revoke_scim_token(const std::string& org_slug, core::RowId token_id,
                             const std::string& actor);

    Result<std::vector<core::ScimToken>> list_scim_tokens(const std::string& org_slug);

  private:
    store::Store& store_;
    const util::Clock& clock_;
};

// The SHA-256 under which a SCIM token is stored and looked up.
std::string scim_token_hash(std::string_view token);

// Prefix of every SCIM token, so leaked tokens are recognisable by secret scanners.
inline constexpr const char* kScimTokenPrefix = "ghs_";

}  // namespace gatehouse::service
