#include "gatehouse/service/org_rename.hpp"

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"

namespace gatehouse::service {
namespace {

Error org_not_found(const std::string& slug) {
    return fail("org.not_found", "No organization with the slug '" + slug + "'.");
}

}  // namespace

Result<core::Org> OrgRename::rename_org(const std::string& org_slug, const std::string& new_slug,
                                        const Caller& caller) {
    const std::string action = "org.rename";
    if (auto allowed = authorize_identity_change(store_, clock_, org_slug, caller,
                                                 IdentityRule::org_slug, action);
        !allowed) {
        return allowed.error();
    }
    if (!core::is_valid_org_slug(new_slug)) {
        return fail(std::string(kInvalidSlug),
                    "An organization slug is 1 to 64 characters of a-z, 0-9 and '-', and does not "
                    "start or end with '-'.");
    }
    const nlohmann::json details = {{"old", org_slug}, {"new", new_slug}};
    core::Org renamed;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        const util::UnixTime now = clock_.now();
        if (auto s = tx.rename_org(org->id, new_slug, now); !s) return s;
        auto found = tx.org_by_id(org->id);
        if (!found) return fail(store::kNotFound, "The organization no longer exists.");
        renamed = std::move(*found);
        core::AuditEntry entry = audit_entry(renamed, caller.actor, action, new_slug, details);
        entry.at = now;
        return tx.append_audit(entry);
    });
    if (!status) {
        if (status.error().code == store::kConflict) {
            record_refusal(store_, clock_, org_slug, caller.actor, action, new_slug, status.error(),
                           details);
        }
        return status.error();
    }
    return renamed;
}

Result<core::Org> OrgRename::remove_org_alias(const std::string& org_slug, const std::string& alias,
                                              const Caller& caller) {
    const std::string action = "org.alias.remove";
    if (auto allowed = authorize_identity_change(store_, clock_, org_slug, caller,
                                                 IdentityRule::org_slug, action);
        !allowed) {
        return allowed.error();
    }
    core::Org changed;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        if (auto s = tx.delete_org_alias(org->id, alias); !s) return s;
        changed = *tx.org_by_id(org->id);
        core::AuditEntry entry = audit_entry(changed, caller.actor, action, alias);
        entry.at = clock_.now();
        return tx.append_audit(entry);
    });
    if (!status) return status.error();
    return changed;
}

}  // namespace gatehouse::service
