#include "gatehouse/service/admin_service.hpp"

#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::service {
namespace {

bool looks_like_email(std::string_view email) {
    const auto at = email.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
           email.find('@', at + 1) == std::string_view::npos &&
           email.find_first_of(" \t\r\n<>\"") == std::string_view::npos && email.size() <= 320;
}

Error org_not_found(const std::string& slug) {
    return fail("org.not_found", "No organization with the slug '" + slug + "'.");
}

// Recording every use would turn each read into a write; a minute is precise enough for an
// admin deciding whether a key is still in use.
constexpr util::UnixTime kTouchInterval = 60;

}  // namespace

std::string scim_token_hash(std::string_view token) { return util::sha256(token); }

std::string_view bearer_token(std::string_view header) {
    constexpr std::string_view scheme = "bearer ";
    if (header.size() <= scheme.size()) return {};
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = header[i];
        const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != scheme[i]) return {};
    }
    std::string_view token = header.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return token;
}

Result<CreatedOrg> AdminService::create_org(const NewOrg& request, const std::string& actor) {
    if (!core::is_valid_org_slug(request.slug)) {
        return fail("org.invalid_slug",
                    "An organization slug is 1 to 64 characters of a-z, 0-9 and '-', and does not "
                    "start or end with '-'.");
    }
    if (!request.owner_email.empty() && !looks_like_email(request.owner_email)) {
        return fail("org.invalid_email", "'" + request.owner_email + "' is not an email address.");
    }
    CreatedOrg created;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        core::Org org;
        org.slug = request.slug;
        org.name = request.name.empty() ? request.slug : request.name;
        org.created_at = clock_.now();
        auto inserted = tx.insert_org(org);
        if (!inserted) return inserted.error();
        created.org = *inserted;
        if (auto s =
                tx.append_audit(audit_entry(created.org, actor, "org.create", created.org.slug));
            !s) {
            return s;
        }
        if (request.owner_email.empty()) return {};
        core::Member owner;
        owner.org_id = created.org.id;
        owner.email = request.owner_email;
        owner.role = core::Role::owner;
        owner.state = core::MemberState::active;
        owner.source = core::MemberSource::owner;
        owner.created_at = clock_.now();
        auto member = tx.insert_member(owner);
        if (!member) return member.error();
        created.owner = *member;
        return tx.append_audit(audit_entry(created.org, actor, "member.create", member->public_id,
                                           {{"role", "owner"}, {"email", owner.email}}));
    });
    if (!status) return status.error();
    return created;
}

Result<std::vector<core::Org>> AdminService::list_orgs() {
    std::vector<core::Org> orgs;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        orgs = tx.list_orgs();
        return {};
    });
    if (!status) return status.error();
    return orgs;
}

Result<core::Org> AdminService::find_org(const std::string& slug) {
    std::optional<core::Org> org;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        org = tx.org_by_slug(slug);
        return {};
    });
    if (!status) return status.error();
    if (!org) return org_not_found(slug);
    return *org;
}

Result<IssuedScimToken> AdminService::create_scim_token(const std::string& org_slug,
                                                        const std::string& description,
                                                        const Caller& caller) {
    if (auto allowed = authorize_identity_change(
            store_, clock_, org_slug, caller, IdentityRule::scim_provisioning, "scim.token.create");
        !allowed) {
        return allowed.error();
    }
    IssuedScimToken issued;
    issued.token = std::string(kScimTokenPrefix) + util::random_token(32);
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        auto record = tx.insert_credential(store::CredentialKind::scim_token, org->id,
                                           scim_token_hash(issued.token), description);
        if (!record) return record.error();
        issued.record = *record;
        if (!org->scim_enabled) {
            org->scim_enabled = true;
            if (auto s = tx.update_org(*org); !s) return s;
        }
        return tx.append_audit(audit_entry(*org, caller.actor, "scim.token.create",
                                           "scim-token:" + std::to_string(record->id),
                                           {{"description", description}}));
    });
    if (!status) return status.error();
    return issued;
}

Status AdminService::revoke_scim_token(const std::string& org_slug, core::RowId token_id,
                                       const Caller& caller) {
    if (auto allowed = authorize_identity_change(
            store_, clock_, org_slug, caller, IdentityRule::scim_provisioning, "scim.token.revoke");
        !allowed) {
        return allowed;
    }
    return store_.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        if (auto s = tx.revoke_credential(store::CredentialKind::scim_token, org->id, token_id,
                                          clock_.now());
            !s)
            return s;
        return tx.append_audit(audit_entry(*org, caller.actor, "scim.token.revoke",
                                           "scim-token:" + std::to_string(token_id)));
    });
}

Result<std::vector<core::ScimToken>> AdminService::list_scim_tokens(const std::string& org_slug) {
    std::vector<core::ScimToken> tokens;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        tokens = tx.list_credentials(store::CredentialKind::scim_token, org->id);
        return {};
    });
    if (!status) return status.error();
    return tokens;
}

Result<int> AdminService::disable_scim(const std::string& org_slug, const Caller& caller) {
    if (auto allowed = authorize_identity_change(store_, clock_, org_slug, caller,
                                                 IdentityRule::scim_provisioning, "scim.disable");
        !allowed) {
        return allowed.error();
    }
    int revoked = 0;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        for (const auto& token : tx.list_credentials(store::CredentialKind::scim_token, org->id)) {
            if (token.revoked_at) continue;
            if (auto s = tx.revoke_credential(store::CredentialKind::scim_token, org->id, token.id,
                                              clock_.now());
                !s)
                return s;
            ++revoked;
        }
        org->scim_enabled = false;
        if (auto s = tx.update_org(*org); !s) return s;
        return tx.append_audit(audit_entry(*org, caller.actor, "scim.disable", org->slug,
                                           {{"tokens_revoked", revoked}}));
    });
    if (!status) return status.error();
    return revoked;
}

Result<IssuedAdminKey> AdminService::create_admin_key(const std::string& org_slug,
                                                      const std::string& description,
                                                      const Caller& caller) {
    if (auto allowed = authorize_identity_change(store_, clock_, org_slug, caller,
                                                 IdentityRule::admin_keys, "admin_key.create");
        !allowed) {
        return allowed.error();
    }
    IssuedAdminKey issued;
    issued.token = std::string(kAdminKeyPrefix) + util::random_token(32);
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        auto record = tx.insert_credential(store::CredentialKind::admin_key, org->id,
                                           util::sha256(issued.token), description);
        if (!record) return record.error();
        issued.record = *record;
        return tx.append_audit(audit_entry(*org, caller.actor, "admin_key.create",
                                           "admin-key:" + std::to_string(record->id),
                                           {{"description", description}}));
    });
    if (!status) return status.error();
    return issued;
}

Status AdminService::revoke_admin_key(const std::string& org_slug, core::RowId key_id,
                                      const Caller& caller) {
    if (auto allowed = authorize_identity_change(store_, clock_, org_slug, caller,
                                                 IdentityRule::admin_keys, "admin_key.revoke");
        !allowed) {
        return allowed;
    }
    return store_.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        if (auto s = tx.revoke_credential(store::CredentialKind::admin_key, org->id, key_id,
                                          clock_.now());
            !s)
            return s;
        return tx.append_audit(audit_entry(*org, caller.actor, "admin_key.revoke",
                                           "admin-key:" + std::to_string(key_id)));
    });
}

Result<std::vector<core::AdminKey>> AdminService::list_admin_keys(const std::string& org_slug) {
    std::vector<core::AdminKey> keys;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        keys = tx.list_credentials(store::CredentialKind::admin_key, org->id);
        return {};
    });
    if (!status) return status.error();
    return keys;
}

Result<core::AdminKey> AdminService::authenticate_admin_key(const core::Org& org,
                                                            std::string_view authorization) {
    const auto unauthorized = [] {
        return fail("admin.unauthorized", "A valid admin API key for this organization is needed.");
    };
    const std::string_view key = bearer_token(authorization);
    if (key.empty()) return unauthorized();
    const std::string hash = util::sha256(key);
    std::optional<core::AdminKey> found;
    const Status read = store_.read([&](store::Transaction& tx) -> Status {
        found = tx.active_credential(store::CredentialKind::admin_key, hash);
        if (!found) return {};
        // The indexed lookup does not compare in constant time; this second comparison
        // makes the decision itself independent of timing.
        const auto stored = tx.credential_hash(store::CredentialKind::admin_key, org.id, found->id);
        if (!stored || !util::constant_time_equal(*stored, hash)) found.reset();
        return {};
    });
    if (!read) return read.error();
    if (!found || found->org_id != org.id) return unauthorized();
    const util::UnixTime now = clock_.now();
    if (!found->last_used_at || now - *found->last_used_at >= kTouchInterval) {
        const Status touched = store_.write([&](store::Transaction& tx) {
            return tx.touch_credential(store::CredentialKind::admin_key, org.id, found->id, now);
        });
        if (!touched) return touched.error();
        found->last_used_at = now;
    }
    return *found;
}

Result<store::PageOf<core::AuditEntry>> AdminService::audit_log(const std::string& org_slug,
                                                                const store::AuditQuery& query) {
    store::PageOf<core::AuditEntry> page;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return org_not_found(org_slug);
        page = tx.list_audit(org->id, query);
        return {};
    });
    if (!status) return status.error();
    return page;
}

}  // namespace gatehouse::service
