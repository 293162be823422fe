// Authentication of an IdP's bearer token (bearer_auth.hpp); the User and Group use cases are
// in provisioning_users.cpp and provisioning_groups.cpp.
#include "gatehouse/service/provisioning_service.hpp"

#include "gatehouse/service/bearer_auth.hpp"

namespace gatehouse::service {

Result<ScimClient> ProvisioningService::authenticate(const core::Org& org,
                                                     std::string_view authorization,
                                                     std::string_view scim_base_url) {
    auto accepted = authenticate_bearer(store_, clock_, org, authorization, BearerKind::scim_token);
    if (!accepted) return accepted.error();
    return ScimClient{org, std::move(accepted->token), std::string(scim_base_url)};
}

}  // namespace gatehouse::service
