#include "gatehouse/service/bearer_auth.hpp"

#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/provisioning_service.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::service {
namespace {

// Recording every use would turn each read into a write; a minute is precise enough for an
// admin deciding whether a secret is still in use.
constexpr util::UnixTime kTouchInterval = 60;

Error unauthorized(BearerKind kind) {
    if (kind == BearerKind::scim_token) {
        return fail(std::string(kScimUnauthorized),
                    "A valid bearer token for this organization is required.");
    }
    return fail(std::string(kAdminKeyUnauthorized),
                "A valid admin API key for this organization is needed.");
}

}  // namespace

Caller BearerCredential::caller(BearerKind kind) const {
    return kind == BearerKind::scim_token ? Caller::scim_token(token.id)
                                          : Caller::admin_key(token.id);
}

Result<BearerCredential> authenticate_bearer(store::Store& store, const util::Clock& clock,
                                             const core::Org& org, std::string_view authorization,
                                             BearerKind kind) {
    const std::string_view secret = bearer_token(authorization);
    if (secret.empty()) return unauthorized(kind);
    const std::string hash = util::sha256(secret);
    const bool scim = kind == BearerKind::scim_token;
    std::optional<core::BearerToken> found;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        found = tx.active_credential(kind, hash);
        if (!found) return {};
        // The lookup above goes through an index whose comparisons are not constant-time;
        // comparing the stored hash again keeps the final decision independent of timing.
        const auto stored = tx.credential_hash(kind, org.id, found->id);
        if (!stored || !util::constant_time_equal(*stored, hash)) found.reset();
        return {};
    });
    if (!read) return read.error();
    if (!found || found->org_id != org.id) return unauthorized(kind);
    if (scim && !org.scim_enabled) {
        return fail(std::string(kScimDisabled),
                    "SCIM provisioning is turned off for this organization.");
    }
    const util::UnixTime now = clock.now();
    if (!found->last_used_at || now - *found->last_used_at >= kTouchInterval) {
        const Status touched = store.write([&](store::Transaction& tx) {
            return tx.touch_credential(kind, org.id, found->id, now);
        });
        if (!touched) return touched.error();
        found->last_used_at = now;
    }
    return BearerCredential{org, *found};
}

}  // namespace gatehouse::service
