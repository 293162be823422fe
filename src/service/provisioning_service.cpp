// Authentication of an IdP's bearer token; the User and Group use cases are in
// provisioning_users.cpp and provisioning_groups.cpp.
#include "gatehouse/service/provisioning_service.hpp"

#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::service {
namespace {

// Recording every use would turn each read into a write; a minute is precise enough for an
// admin deciding whether a token is still in use.
constexpr util::UnixTime kTouchInterval = 60;
Error unauthorized() {
    return fail(std::string(kScimUnauthorized),
                "A valid bearer token for this organization is required.");
}

}  // namespace

Result<ScimClient> ProvisioningService::authenticate(const core::Org& org,
                                                     std::string_view authorization,
                                                     std::string_view scim_base_url) {
    const std::string_view token = bearer_token(authorization);
    if (token.empty()) return unauthorized();
    const std::string hash = scim_token_hash(token);
    std::optional<core::ScimToken> found;
    const Status read = store_.read([&](store::Transaction& tx) -> Status {
        found = tx.active_credential(store::CredentialKind::scim_token, hash);
        if (!found) return {};
        // The lookup above goes through an index whose comparisons are not constant-time;
        // comparing the stored hash again keeps the final decision independent of timing.
        const auto stored =
            tx.credential_hash(store::CredentialKind::scim_token, org.id, found->id);
        if (!stored || !util::constant_time_equal(*stored, hash)) found.reset();
        return {};
    });
    if (!read) return read.error();
    if (!found || found->org_id != org.id) return unauthorized();
    if (!org.scim_enabled) {
        return fail(std::string(kScimDisabled),
                    "SCIM provisioning is turned off for this organization.");
    }
    const util::UnixTime now = clock_.now();
    if (!found->last_used_at || now - *found->last_used_at >= kTouchInterval) {
        const Status touched = store_.write([&](store::Transaction& tx) {
            return tx.touch_credential(store::CredentialKind::scim_token, org.id, found->id, now);
        });
        if (!touched) return touched.error();
        found->last_used_at = now;
    }
    return ScimClient{org, *found, std::string(scim_base_url)};
}

}  // namespace gatehouse::service
