// SCIM Users as members: create, read, list, replace, patch and delete.
#include "gatehouse/core/names.hpp"
#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/patch.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "provisioning_mapping.hpp"

namespace gatehouse::service {
namespace {

using nlohmann::json;
using namespace provisioning;

// Members are read in batches of this size when a filter must be evaluated in memory.
constexpr std::int64_t kScanBatch = 500;

Error user_not_found(std::string_view id) {
    return scim::scim_not_found("There is no user with id \"" + std::string(id) +
                                "\" in this organization.");
}

std::string user_name_taken(const std::string& user_name) {
    return "A user with the userName \"" + user_name + "\" already exists in this organization.";
}

Error owner_protected(std::string detail) {
    return fail(std::string(kScimOwnerProtected), std::move(detail));
}

Error last_owner() {
    return owner_protected(
        "This user is the organization's last active owner and cannot be deprovisioned by "
        "the identity provider; make another member an owner in Gatehouse first.");
}

// SCIM may deprovision an owner, as the IdPs' provisioning guides expect, but never rename,
// re-address or re-role one: the SAML link rules find members by these attributes, so a
// client that could rewrite them could hand an owner's account to another identity.
Status check_owner_change(store::Transaction& tx, const core::Member& before,
                          const core::Member& after, const scim::ScimUser& user) {
    if (before.role != core::Role::owner) return {};
    if (user.org_role) {
        return owner_protected(
            "This user is an owner of the organization; the identity provider cannot change "
            "an owner's role (leave orgRole out for this user).");
    }
    if (const auto attribute = changed_identity_attribute(before, after)) {
        return owner_protected(
            "This user is an owner of the organization; the identity provider "
            "cannot change an owner's " +
            *attribute + ". Change it in Gatehouse, or send it unchanged.");
    }
    if (after.state == core::MemberState::deactivated && is_last_active_owner(tx, before)) {
        return last_owner();
    }
    return {};
}

json member_summary(const core::Member& m) {
    return {{"id", m.public_id},
            {"userName", m.user_name},
            {"externalId", m.external_id},
            {"state", core::to_string(m.state)},
            {"role", core::to_string(m.role)},
            {"version", m.version}};
}

// Stores `user` over `before` (a member of the client's org) when anything changes: ends
// the member's sessions when this deactivates them, and audits the change as `action`.
Result<core::Member> save_user(store::Transaction& tx, const ScimClient& client,
                               const core::Member& before, const scim::ScimUser& user,
                               const char* action, util::UnixTime now) {
    core::Member after = before;
    apply_user(after, user, client.org.default_role);
    if (auto allowed = check_owner_change(tx, before, after, user); !allowed) {
        return allowed.error();
    }
    if (!differs(before, after)) return before;  // Entra ID re-sends `active` periodically
    auto updated = tx.update_member(after);
    if (!updated) return scim_store_error(updated.error(), user_name_taken(after.user_name));
    json details = {{"before", member_summary(before)}, {"after", member_summary(*updated)}};
    if (before.state != core::MemberState::deactivated &&
        updated->state == core::MemberState::deactivated) {
        details["sessions_ended"] = tx.delete_member_sessions(client.org.id, updated->id);
        end_invitation(tx, client.org, *updated, now);
    }
    if (auto s = tx.append_audit(audit_entry(client, now, action, updated->public_id, details));
        !s) {
        return s.error();
    }
    return updated;
}

ScimResource user_resource(store::Transaction& tx, const ScimClient& client,
                           const core::Member& member) {
    return {encode_member(member, client.base_url, tx.teams_of_member(client.org.id, member.id)),
            etag_of(member.version)};
}

// Passes `error` through, first recording a refusal to change an owner as a failure audit
// entry: the transaction that found it has rolled back.
Error audited_refusal(store::Store& store, const util::Clock& clock, const ScimClient& client,
                      const char* action, std::string_view id, Error error) {
    if (error.code == kScimOwnerProtected) {
        record_refusal(store, clock, client.org.slug, Caller::scim_token(client.token.id).actor,
                       action, std::string(id), error);
    }
    return error;
}

}  // namespace

Result<ScimResource> ProvisioningService::create_user(const ScimClient& client, const json& body) {
    auto user = scim::decode_user(body);
    if (!user) return user.error();
    log_ignored(client, "User", user->ignored);
    core::Member member;
    member.org_id = client.org.id;
    member.source = core::MemberSource::scim;
    member.idp_managed = true;
    member.state = core::MemberState::invited;
    member.role = client.org.default_role;
    apply_user(member, *user, client.org.default_role);
    const util::UnixTime now = clock_.now();
    member.created_at = now;
    ScimResource out;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_member(member);
        if (!inserted) return scim_store_error(inserted.error(), user_name_taken(member.user_name));
        const json details = {{"after", member_summary(*inserted)}};
        if (!invitations_.base_url.empty() && inserted->state == core::MemberState::invited) {
            auto invited =
                issue_invitation(tx, clock_, invitations_, client.org, *inserted, std::nullopt);
            if (!invited) return invited.error();
        }
        if (auto s = tx.append_audit(
                audit_entry(client, now, "scim.user.create", inserted->public_id, details));
            !s) {
            return s;
        }
        out = {encode_member(*inserted, client.base_url, {}), etag_of(inserted->version)};
        return {};
    });
    if (!status) return status.error();
    return out;
}

Result<ScimResource> ProvisioningService::get_user(const ScimClient& client, std::string_view id,
                                                   const scim::Projection& projection) {
    ScimResource out;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        auto member = tx.member_by_public_id(client.org.id, id);
        if (!member) return user_not_found(id);
        std::vector<core::Team> teams;
        if (returns_attribute(projection, "groups"))
            teams = tx.teams_of_member(client.org.id, member->id);
        out = {scim::project(encode_member(*member, client.base_url, teams), projection),
               etag_of(member->version)};
        return {};
    });
    if (!status) return status.error();
    return out;
}

Result<json> ProvisioningService::list_users(const ScimClient& client, const ScimQuery& query) {
    auto plan = plan_list_filter(query.filter, ScimResourceType::user);
    if (!plan) return plan.error();
    const scim::FilterPtr& filter = plan->filter;
    store::MemberQuery selected;
    selected.condition = plan->condition;
    const bool in_memory = plan->in_memory();
    const bool with_groups = returns_attribute(query.projection, "groups");
    const std::int64_t offset = query.page.start_index - 1;
    std::vector<json> resources;
    std::int64_t total = 0;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        if (!in_memory) {
            auto page =
                tx.list_members(client.org.id, selected, store::Page{offset, query.page.count});
            total = page.total;
            for (const core::Member& m : page.items) {
                std::vector<core::Team> teams;
                if (with_groups) teams = tx.teams_of_member(client.org.id, m.id);
                resources.push_back(
                    scim::project(encode_member(m, client.base_url, teams), query.projection));
            }
            return {};
        }
        // The filter names an attribute kept only inside the JSON (or an operator SQL cannot
        // express exactly): evaluate it over every member, in id order like the SQL path.
        const auto& types = scim::AttributeTypes::scim_core();
        for (std::int64_t at = 0;; at += kScanBatch) {
            auto batch = tx.list_members(client.org.id, {}, store::Page{at, kScanBatch});
            for (const core::Member& m : batch.items) {
                json resource =
                    encode_member(m, client.base_url, tx.teams_of_member(client.org.id, m.id));
                if (!scim::matches(*filter, resource, types)) continue;
                if (total++ >= offset &&
                    static_cast<std::int64_t>(resources.size()) < query.page.count) {
                    resources.push_back(scim::project(resource, query.projection));
                }
            }
            if (static_cast<std::int64_t>(batch.items.size()) < kScanBatch) break;
        }
        return {};
    });
    if (!status) return status.error();
    return scim::list_response(std::move(resources), total, query.page.start_index);
}

Result<ScimResource> ProvisioningService::replace_user(const ScimClient& client,
                                                       std::string_view id, const json& body,
                                                       const IfMatch& if_match) {
    auto user = scim::decode_user(body);
    if (!user) return user.error();
    log_ignored(client, "User", user->ignored);
    const util::UnixTime now = clock_.now();
    ScimResource out;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = tx.member_by_public_id(client.org.id, id);
        if (!member) return user_not_found(id);
        if (auto s = check_if_match(if_match, member->version); !s) return s;
        auto saved = save_user(tx, client, *member, *user, "scim.user.replace", now);
        if (!saved) return saved.error();
        out = user_resource(tx, client, *saved);
        return {};
    });
    if (!status) {
        return audited_refusal(store_, clock_, client, "scim.user.replace", id, status.error());
    }
    return out;
}

Result<ScimResource> ProvisioningService::patch_user(const ScimClient& client, std::string_view id,
                                                     const json& body, const IfMatch& if_match) {
    const util::UnixTime now = clock_.now();
    ScimResource out;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = tx.member_by_public_id(client.org.id, id);
        if (!member) return user_not_found(id);
        if (auto s = check_if_match(if_match, member->version); !s) return s;
        const auto teams = tx.teams_of_member(client.org.id, member->id);
        auto patched = scim::apply_patch(encode_member(*member, client.base_url, teams, true), body,
                                         scim::ResourceKind::user);
        if (!patched) return patched.error();
        core::Member saved = *member;
        if (patched->summary.changed) {
            auto user = scim::decode_user(patched->resource);
            if (!user) return user.error();
            log_ignored(client, "User", user->ignored);
            auto stored = save_user(tx, client, *member, *user, "scim.user.patch", now);
            if (!stored) return stored.error();
            saved = std::move(*stored);
        }
        out = {encode_member(saved, client.base_url, teams), etag_of(saved.version)};
        return {};
    });
    if (!status) {
        return audited_refusal(store_, clock_, client, "scim.user.patch", id, status.error());
    }
    return out;
}

Status ProvisioningService::delete_user(const ScimClient& client, std::string_view id,
                                        const IfMatch& if_match) {
    const util::UnixTime now = clock_.now();
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = tx.member_by_public_id(client.org.id, id);
        if (!member) return user_not_found(id);
        if (auto s = check_if_match(if_match, member->version); !s) return s;
        if (is_last_active_owner(tx, *member)) return last_owner();
        json details = {{"before", member_summary(*member)},
                        {"sessions_ended", tx.delete_member_sessions(client.org.id, member->id)}};
        if (auto s = tx.delete_member(client.org.id, member->id); !s) return s;
        return tx.append_audit(
            audit_entry(client, now, "scim.user.delete", member->public_id, details));
    });
    if (!status)
        return audited_refusal(store_, clock_, client, "scim.user.delete", id, status.error());
    return status;
}

}  // namespace gatehouse::service
