#include "gatehouse/service/auth_settings.hpp"

#include <algorithm>
#include <cctype>
#include <type_traits>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::service {
namespace {

using nlohmann::json;

constexpr int kMaxClockSkewSeconds = 600;

Error org_not_found(const std::string& slug) {
    return fail("org.not_found", "No organization with the slug '" + slug + "'.");
}

// Collects {"field": {"old": …, "new": …}} for the audit entry, skipping no-op changes.
class ChangeLog {
  public:
    // A field set twice (a preset, then a mapping) keeps the value it had before the request
    // as "old", and drops out when it ends where it began.
    template <typename T>
    void set(const std::string& field, T& target, const T& value) {
        if (target == value) return;
        const json old = changes_.contains(field) ? changes_[field]["old"] : as_json(target);
        target = value;
        if (old == as_json(value)) {
            changes_.erase(field);
        } else {
            changes_[field] = {{"old", old}, {"new", as_json(value)}};
        }
    }
    bool has(const std::string& field) const { return changes_.contains(field); }
    const json& changes() const { return changes_; }

  private:
    template <typename T>
    static json as_json(const T& value) {
        if constexpr (std::is_same_v<T, core::Role>) {
            return std::string(core::to_string(value));
        } else {
            return value;
        }
    }
    json changes_ = json::object();
};

// The name a preset is stored under: lowercase, with Entra's old name folded into the new.
std::string canonical_preset(std::string_view preset) {
    std::string name(preset);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name == "azure" ? "entra" : name;
}

bool touches_provider(const AuthSettingsChange& change) {
    return change.preset || change.mapping || change.clock_skew_seconds ||
           change.require_signed_assertion || change.require_aes_gcm ||
           change.max_issue_age_seconds;
}

// What the change of a field (as ChangeLog names it) decides; nullopt for the default role,
// the one setting a manager may change.
std::optional<IdentityRule> rule_of(const std::string& field) {
    if (field == "default_role") return std::nullopt;
    if (field == "jit_provisioning") return IdentityRule::jit_provisioning;
    if (field == "allow_idp_initiated") return IdentityRule::idp_initiated_sign_in;
    if (field == "require_sso") return IdentityRule::require_sso;
    if (field == "audit_retention_days") return IdentityRule::audit_retention;
    if (field == "apply_sign_in_attributes") return IdentityRule::sign_in_attributes;
    if (field == "preset" || field.rfind("mapping.", 0) == 0) {
        return IdentityRule::attribute_mapping;
    }
    return IdentityRule::saml_validation;
}

// Refuses the first change `caller` may not make. Only real changes count: `log` holds
// no field whose value stays as it was.
Status check_changes_allowed(const ChangeLog& log, const Caller& caller) {
    for (const auto& [field, values] : log.changes().items()) {
        const auto rule = rule_of(field);
        if (!rule) continue;
        if (auto allowed = check_identity_rule(caller, *rule); !allowed) return allowed;
    }
    return {};
}

// Checks what can be checked without the store, so a bad request never opens a write.
Status check_change(const AuthSettingsChange& change) {
    if (change.default_role == core::Role::owner) {
        return fail("auth.default_role.invalid",
                    "New members cannot become owners; choose admin, manager, billing or member.");
    }
    if (change.clock_skew_seconds &&
        (*change.clock_skew_seconds < 0 || *change.clock_skew_seconds > kMaxClockSkewSeconds)) {
        return fail("saml.config.skew_invalid", "The clock skew must be 0 to 600 seconds.");
    }
    if (change.max_issue_age_seconds && (*change.max_issue_age_seconds < kMinIssueAgeSeconds ||
                                         *change.max_issue_age_seconds > kMaxIssueAgeSeconds)) {
        return fail("saml.config.issue_age_invalid",
                    "The maximum age of an IssueInstant must be " +
                        std::to_string(kMinIssueAgeSeconds) + " to " +
                        std::to_string(kMaxIssueAgeSeconds) + " seconds.");
    }
    if (change.audit_retention_days && (*change.audit_retention_days < kMinAuditRetentionDays ||
                                        *change.audit_retention_days > kMaxAuditRetentionDays)) {
        return fail("org.audit_retention_invalid",
                    "The audit log retention must be " + std::to_string(kMinAuditRetentionDays) +
                        " to " + std::to_string(kMaxAuditRetentionDays) + " days.");
    }
    if (change.preset) {
        if (auto preset = saml::mapping_preset(*change.preset); !preset) return preset.error();
    }
    return {};
}

// An owner who can still sign in with a password when the IdP is down or misconfigured.
bool has_break_glass_owner(store::Transaction& tx, core::RowId org_id) {
    store::MemberQuery break_glass_owners;
    break_glass_owners.role = core::Role::owner;
    break_glass_owners.state = core::MemberState::active;
    break_glass_owners.break_glass_with_password = true;
    return tx.count_members(org_id, break_glass_owners) > 0;
}

void apply_mapping(ChangeLog& log, core::AttributeMapping& target,
                   const core::AttributeMapping& value) {
    log.set("mapping.user_id", target.user_id, value.user_id);
    log.set("mapping.email", target.email, value.email);
    log.set("mapping.first_name", target.first_name, value.first_name);
    log.set("mapping.last_name", target.last_name, value.last_name);
    log.set("mapping.role", target.role, value.role);
    log.set("mapping.groups", target.groups, value.groups);
}

// Applies the provider part of `change` to the stored provider.
void apply_provider_change(ChangeLog& log, core::SamlProvider& provider,
                           const AuthSettingsChange& change) {
    if (change.preset) {
        log.set("preset", provider.preset, canonical_preset(*change.preset));
        // check_change has already accepted the name.
        apply_mapping(log, provider.mapping, *saml::mapping_preset(*change.preset));
    }
    if (change.mapping) apply_mapping(log, provider.mapping, *change.mapping);
    if (change.clock_skew_seconds) {
        log.set("clock_skew_seconds", provider.options.clock_skew_seconds,
                *change.clock_skew_seconds);
    }
    if (change.require_signed_assertion) {
        log.set("require_signed_assertion", provider.options.require_signed_assertion,
                *change.require_signed_assertion);
    }
    if (change.require_aes_gcm) {
        log.set("require_aes_gcm", provider.options.require_aes_gcm, *change.require_aes_gcm);
    }
    if (change.max_issue_age_seconds) {
        log.set("max_issue_age_seconds", provider.options.max_issue_age_seconds,
                *change.max_issue_age_seconds);
    }
}

}  // namespace

Result<AuthSettings> read_auth_settings(store::Store& store, const std::string& org_slug) {
    std::optional<AuthSettings> settings;
    const Status status = store.read([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        settings = AuthSettings{*org, tx.saml_provider(org->id)};
        return {};
    });
    if (!status) return status.error();
    return *settings;
}

Result<AuthSettingsUpdate> update_auth_settings(store::Store& store, const util::Clock& clock,
                                                const std::string& org_slug,
                                                const AuthSettingsChange& change,
                                                const Caller& caller) {
    if (auto s = check_change(change); !s) return s.error();
    AuthSettingsUpdate update;
    bool require_sso_turned_on = false;
    json attempted;  // the changes of a refused request, for its failure audit entry
    const Status status = store.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        auto provider = tx.saml_provider(org->id);
        if (touches_provider(change) && !provider) {
            return fail("saml.not_configured",
                        "The organization has no SAML identity provider to change; configure "
                        "one first.");
        }
        ChangeLog log;
        if (change.default_role) log.set("default_role", org->default_role, *change.default_role);
        if (change.jit_provisioning) {
            log.set("jit_provisioning", org->jit_provisioning, *change.jit_provisioning);
        }
        if (change.allow_idp_initiated) {
            log.set("allow_idp_initiated", org->allow_idp_initiated, *change.allow_idp_initiated);
        }
        if (change.require_sso) log.set("require_sso", org->require_sso, *change.require_sso);
        if (change.audit_retention_days) {
            log.set("audit_retention_days", org->audit_retention_days,
                    *change.audit_retention_days);
        }
        if (change.apply_sign_in_attributes) {
            log.set("apply_sign_in_attributes", org->apply_sign_in_attributes,
                    *change.apply_sign_in_attributes);
        }
        if (provider) apply_provider_change(log, *provider, change);
        if (auto allowed = check_changes_allowed(log, caller); !allowed) {
            attempted = log.changes();
            return allowed;
        }
        require_sso_turned_on = log.has("require_sso") && org->require_sso;
        if (require_sso_turned_on) {
            if (!provider && !tx.oidc_provider(org->id)) {
                return fail("auth.require_sso.not_configured",
                            "Require SSO needs a single sign-on provider (SAML, OpenID Connect "
                            "or GitHub); configure one first.");
            }
            if (!has_break_glass_owner(tx, org->id)) {
                return fail("auth.require_sso.no_break_glass",
                            "Require SSO needs an active break-glass owner with a password, so "
                            "the organization cannot lock itself out; add one with 'gatehouse "
                            "member add --role owner --break-glass --password-stdin'.");
            }
        }
        if (provider && touches_provider(change)) {
            provider->updated_at = clock.now();
            if (auto s = tx.put_saml_provider(*provider); !s) return s;
        }
        if (auto s = tx.update_org(*org); !s) return s;
        // Sessions end in the same transaction that turns the setting on, so no password
        // session outlives the moment Require SSO is in force.
        if (require_sso_turned_on) update.sessions_ended = tx.delete_password_sessions(org->id);

        const core::AuditEntry entry = audit_entry(
            org->id, clock.now(), caller.actor, "org.auth_settings.update", org->slug, "success",
            "", json{{"changes", log.changes()}, {"sessions_ended", update.sessions_ended}});
        if (auto s = tx.append_audit(entry); !s) return s;
        update.org = *org;
        update.provider = provider;
        return {};
    });
    if (!status) {
        if (status.error().code == kOwnerOnly) {
            json fields = json::array();
            for (const auto& [field, values] : attempted.items()) fields.push_back(field);
            record_refusal(store, clock, org_slug, caller.actor, "org.auth_settings.update",
                           org_slug, status.error(), {{"fields", fields}});
        }
        return status.error();
    }
    if (require_sso_turned_on) {
        util::log_event(util::LogLevel::info, "auth.require_sso.on",
                        {{"org", update.org.slug}, {"sessions_ended", update.sessions_ended}});
    }
    return update;
}

json auth_settings_json(const core::Org& org, const std::optional<core::SamlProvider>& provider) {
    json out = {{"org", org.slug},
                {"default_role", std::string(core::to_string(org.default_role))},
                {"require_sso", org.require_sso},
                {"jit_provisioning", org.jit_provisioning},
                {"allow_idp_initiated", org.allow_idp_initiated},
                {"audit_retention_days", org.audit_retention_days},
                {"apply_sign_in_attributes", org.apply_sign_in_attributes},
                {"saml", nullptr}};
    if (provider) {
        const auto& m = provider->mapping;
        out["saml"] = {{"idp_entity_id", provider->idp_entity_id},
                       {"preset", provider->preset},
                       {"mapping",
                        {{"user_id", m.user_id},
                         {"email", m.email},
                         {"first_name", m.first_name},
                         {"last_name", m.last_name},
                         {"role", m.role},
                         {"groups", m.groups}}},
                       {"clock_skew_seconds", provider->options.clock_skew_seconds},
                       {"require_signed_assertion", provider->options.require_signed_assertion},
                       {"require_aes_gcm", provider->options.require_aes_gcm},
                       {"max_issue_age_seconds", provider->options.max_issue_age_seconds}};
    }
    return out;
}

}  // namespace gatehouse::service
