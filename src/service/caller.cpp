#include "gatehouse/service/caller.hpp"

#include "audit_entry.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::service {

Caller Caller::cli() { return Caller{"cli", CallerKind::cli}; }

Caller Caller::admin_key(core::RowId key_id) {
    return Caller{"admin-key:" + std::to_string(key_id), CallerKind::admin_key};
}

Caller Caller::scim_token(core::RowId token_id) {
    return Caller{"scim-token:" + std::to_string(token_id), CallerKind::scim_token};
}

Caller Caller::signed_in(const core::Member& member) {
    const CallerKind kind = member.role == core::Role::owner     ? CallerKind::owner
                            : member.role == core::Role::manager ? CallerKind::manager
                                                                 : CallerKind::member;
    return Caller{"member:" + member.public_id, kind};
}

bool Caller::acts_as_owner() const {
    return kind == CallerKind::owner || kind == CallerKind::admin_key || kind == CallerKind::cli;
}

bool Caller::may_manage_members() const { return acts_as_owner() || kind == CallerKind::manager; }

std::string_view describe(IdentityRule rule) {
    switch (rule) {
        case IdentityRule::identity_provider:
            return "the identity provider";
        case IdentityRule::attribute_mapping:
            return "the attribute mapping";
        case IdentityRule::idp_initiated_sign_in:
            return "IdP-initiated sign-in";
        case IdentityRule::jit_provisioning:
            return "just-in-time creation of members";
        case IdentityRule::require_sso:
            return "Require SSO";
        case IdentityRule::saml_validation:
            return "the SAML validation options";
        case IdentityRule::scim_provisioning:
            return "SCIM provisioning and its tokens";
        case IdentityRule::admin_keys:
            return "admin API keys";
        case IdentityRule::audit_retention:
            return "how long the audit log is kept";
        case IdentityRule::sign_in_attributes:
            return "roles and teams from sign-in";
        case IdentityRule::org_slug:
            return "the organization's slug and aliases";
    }
    return "this setting";
}

Status check_identity_rule(const Caller& caller, IdentityRule rule) {
    if (caller.may_change_identity_rules()) return {};
    return fail(std::string(kOwnerOnly), "Only an owner of the organization can change " +
                                             std::string(describe(rule)) +
                                             ": it decides who can sign in as whom.");
}

Status authorize_identity_change(store::Store& store, const util::Clock& clock,
                                 const std::string& org_slug, const Caller& caller,
                                 IdentityRule rule, std::string_view action) {
    auto allowed = check_identity_rule(caller, rule);
    if (!allowed) {
        record_refusal(store, clock, org_slug, caller.actor, std::string(action), org_slug,
                       allowed.error(), {{"setting", describe(rule)}});
    }
    return allowed;
}

Status check_member_admin(const Caller& caller) {
    if (caller.may_manage_members()) return {};
    return fail(std::string(kMembersForbidden),
                "Only owners and managers of the organization can change its members and teams.");
}

void record_refusal(store::Store& store, const util::Clock& clock, const std::string& org_slug,
                    const std::string& actor, std::string action, std::string target,
                    const Error& error, const nlohmann::json& details) {
    const Status written = store.write([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug(org_slug);
        if (!org) return {};
        core::AuditEntry entry =
            audit_entry(*org, actor, action, target, "failure", error.code,
                        details.is_object() ? details : nlohmann::json::object());
        entry.at = clock.now();
        return tx.append_audit(entry);
    });
    if (!written) {
        util::log_event(util::LogLevel::error, "audit.write_failed",
                        {{"org", org_slug},
                         {"action", action},
                         {"reason", error.code},
                         {"code", written.error().code}});
    }
}

}  // namespace gatehouse::service
