// An org's sign-in settings: default role, Require SSO, just-in-time creation, IdP-initiated
// sign-in, audit retention and its SAML provider's attribute mapping and validation options,
// read and changed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// What to change; nullopt leaves a setting as it is.
struct AuthSettingsChange {
    std::optional<core::Role> default_role;  // for new SSO members; never owner
    std::optional<bool> require_sso, jit_provisioning, allow_idp_initiated;
    std::optional<std::string> preset;              // refills the mapping from the preset
    std::optional<core::AttributeMapping> mapping;  // applied after preset
    std::optional<int> clock_skew_seconds;          // 0..600
    std::optional<bool> require_signed_assertion;
    std::optional<bool> require_aes_gcm;
    std::optional<int> max_issue_age_seconds;      // kMinIssueAgeSeconds..kMaxIssueAgeSeconds
    std::optional<int> audit_retention_days;       // kMinAuditRetentionDays..kMaxAuditRetentionDays
    std::optional<bool> apply_sign_in_attributes;  // roles and teams from sign-in
};

// Bounds of the settings above: an IssueInstant window shorter than half a minute refuses
// honest IdPs behind a slow network, one longer than a day invites replays; the audit log
// keeps at least a day and at most ten years.
inline constexpr int kMinIssueAgeSeconds = 30;
inline constexpr int kMaxIssueAgeSeconds = 86400;
inline constexpr int kMinAuditRetentionDays = 1;
inline constexpr int kMaxAuditRetentionDays = 3650;

// The org's settings as stored.
struct AuthSettings {
    core::Org org;
    std::optional<core::SamlProvider> provider;  // nullopt while SAML is not configured
};

// The settings after a change, and how many password sessions turning Require SSO on ended.
struct AuthSettingsUpdate {
    core::Org org;
    std::optional<core::SamlProvider> provider;
    std::int64_t sessions_ended = 0;
};

// Reads the org's settings. Errors: "org.not_found". Thread-safe.
Result<AuthSettings> read_auth_settings(store::Store& store, const std::string& org_slug);

// Applies `change` in one write transaction, all or nothing, with one audit entry
// "org.auth_settings.update" by `caller` listing each changed field as {"old", "new"} and the
// sessions ended. Turning Require SSO on ends every password session of the org at once, and
// is refused unless the org has a sign-in provider (SAML, OpenID Connect or GitHub) and an
// active owner with break_glass and a
// password, so the org can never lock itself out.
// Everything but the default role decides who is who, so a caller without owner rights
// (check_identity_rule) may change only the default role: a request that would change any
// other setting to a value other than the stored one is refused with kOwnerOnly, nothing
// changed, and recorded as a failure audit entry. A setting sent with its stored value is no
// change, so a form that sends every field back works for a manager.
// Errors: "org.not_found", "auth.default_role.invalid" (owner), kOwnerOnly,
// "auth.require_sso.not_configured", "auth.require_sso.no_break_glass",
// "saml.preset.unknown", "saml.not_configured" (a provider setting changed while the org has
// no provider), "saml.config.skew_invalid", "saml.config.issue_age_invalid",
// "org.audit_retention_invalid", and store errors. Thread-safe.
Result<AuthSettingsUpdate> update_auth_settings(store::Store& store, const util::Clock& clock,
                                                const std::string& org_slug,
                                                const AuthSettingsChange& change,
                                                const Caller& caller);

// The settings as JSON, for `gatehouse auth show` and `auth set`: the org's options (audit
// retention included) and, when configured, "saml" with preset, mapping and validation
// options (never certificates or keys).
nlohmann::json auth_settings_json(const core::Org& org,
                                  const std::optional<core::SamlProvider>& provider);

}  // namespace gatehouse::service
