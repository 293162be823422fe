// SCIM Groups as teams: create, read, list, replace, patch and delete, with membership.
#include <unordered_set>

#include "gatehouse/core/names.hpp"
#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/patch.hpp"
#include "provisioning_mapping.hpp"
#include "provisioning_membership.hpp"

namespace gatehouse::service {
namespace {

using nlohmann::json;
using namespace provisioning;
using MemberPairs = std::vector<std::pair<std::string, std::string>>;

constexpr std::int64_t kScanBatch = 200;

Error group_not_found(std::string_view id) {
    return scim::scim_not_found("There is no group with id \"" + std::string(id) +
                                "\" in this organization.");
}

std::string slug_taken(const core::Team& team) {
    return "A team with the slug \"" + team.slug + "\" (from displayName \"" + team.display_name +
           "\") already exists in this organization.";
}

Result<std::string> slug_for(const std::string& display_name) {
    std::string slug = core::team_slug_from_display_name(display_name);
    if (slug.empty()) {
        return scim::scim_fail("invalidValue",
                               "displayName \"" + display_name +
                                   "\" has no letters or digits to make a team slug from.");
    }
    return slug;
}

// The row ids of `ids`, all of which must be users of the org: an IdP must learn at once
// that a member it pushed was not stored, never find out later from a silent drop.
Result<std::vector<core::RowId>> resolve_members(store::Transaction& tx, core::RowId org_id,
                                                 const std::vector<std::string>& ids) {
    const auto rows = tx.member_row_ids(org_id, ids);
    std::vector<core::RowId> out;
    out.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!rows[i]) {
            return scim::scim_fail("invalidValue", "members: there is no user with id \"" + ids[i] +
                                                       "\" in this organization.");
        }
        out.push_back(*rows[i]);
    }
    return out;
}

json team_summary(const core::Team& t) {
    return {{"id", t.public_id},
            {"displayName", t.display_name},
            {"slug", t.slug},
            {"externalId", t.external_id},
            {"version", t.version}};
}

ScimResource group_resource(store::Transaction& tx, const ScimClient& client,
                            const core::Team& team, bool include_members) {
    MemberPairs members;
    if (include_members) members = tx.team_members(client.org.id, team.id);
    return {scim::encode_group(to_scim_group(team, members), meta_of(team), client.base_url,
                               include_members),
            etag_of(team.version)};
}

// Changes `team`'s membership from `current` to `desired` (public ids, both without
// repeats) and returns {added, removed}.
Result<std::pair<std::vector<std::string>, std::vector<std::string>>> sync_members(
    store::Transaction& tx, const core::Team& team, const std::vector<std::string>& current,
    const std::vector<std::string>& desired) {
    const std::unordered_set<std::string> had(current.begin(), current.end());
    const std::unordered_set<std::string> wanted(desired.begin(), desired.end());
    std::vector<std::string> added, removed;
    for (const auto& id : desired) {
        if (!had.contains(id)) added.push_back(id);
    }
    for (const auto& id : current) {
        if (!wanted.contains(id)) removed.push_back(id);
    }
    auto add_rows = resolve_members(tx, team.org_id, added);
    if (!add_rows) return add_rows.error();
    for (const core::RowId row : *add_rows) {
        if (auto s = tx.add_team_member(team.org_id, team.id, row); !s) return s.error();
    }
    for (const auto& row : tx.member_row_ids(team.org_id, removed)) {
        if (!row) continue;  // deleted meanwhile; its membership went with it
        if (auto s = tx.remove_team_member(team.org_id, team.id, *row); !s) return s.error();
    }
    return std::pair{std::move(added), std::move(removed)};
}

std::vector<std::string> ids_of(const MemberPairs& members) {
    std::vector<std::string> ids;
    ids.reserve(members.size());
    for (const auto& member : members) ids.push_back(member.first);
    return ids;
}

std::vector<std::string> ids_of(const std::vector<scim::ScimGroupMember>& members) {
    std::vector<std::string> ids;
    ids.reserve(members.size());
    for (const auto& member : members) ids.push_back(member.value);
    return ids;
}

// Stores new attributes and membership for `before`; bumps the team's version whenever
// anything changed (membership included) so that its ETag moves.
Result<core::Team> save_group(store::Transaction& tx, const ScimClient& client,
                              const core::Team& before, const scim::ScimGroup& group,
                              const std::vector<std::string>& current,
                              const std::vector<std::string>& desired, const char* action,
                              util::UnixTime now) {
    core::Team after = before;
    // The slug follows the name only when the name changes: a team an admin made with a
    // slug of their choosing keeps it when the IdP merely syncs its members.
    if (group.display_name != before.display_name) {
        auto slug = slug_for(group.display_name);
        if (!slug) return slug.error();
        after.slug = *slug;
    }
    after.display_name = group.display_name;
    after.external_id = group.external_id;
    after.scim_attributes = attributes_of(group);
    after.idp_managed = true;
    auto members = sync_members(tx, after, current, desired);
    if (!members) return members.error();
    const auto& [added, removed] = *members;
    const bool fields_changed =
        after.display_name != before.display_name || after.external_id != before.external_id ||
        after.slug != before.slug || after.idp_managed != before.idp_managed ||
        after.scim_attributes != before.scim_attributes;
    if (!fields_changed && added.empty() && removed.empty()) return before;
    auto updated = tx.update_team(after);
    if (!updated) return scim_store_error(updated.error(), slug_taken(after));
    const json details = {{"before", team_summary(before)},
                          {"after", team_summary(*updated)},
                          {"members_added", added},
                          {"members_removed", removed}};
    if (auto s = tx.append_audit(audit_entry(client, now, action, updated->public_id, details)); !s)
        return s.error();
    return updated;
}

}  // namespace

Result<ScimResource> ProvisioningService::create_group(const ScimClient& client, const json& body) {
    auto group = decode_group_body(body);
    if (!group) return group.error();
    log_ignored(client, "Group", group->ignored);
    auto slug = slug_for(group->display_name);
    if (!slug) return slug.error();
    const util::UnixTime now = clock_.now();
    core::Team team;
    team.org_id = client.org.id;
    team.slug = *slug;
    team.display_name = group->display_name;
    team.external_id = group->external_id;
    team.scim_attributes = attributes_of(*group);
    team.idp_managed = true;
    team.created_at = now;
    ScimResource out;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto inserted = tx.insert_team(team);
        if (!inserted) return scim_store_error(inserted.error(), slug_taken(team));
        const auto ids = ids_of(group->members);
        auto rows = resolve_members(tx, client.org.id, ids);
        if (!rows) return rows.error();
        for (const core::RowId row : *rows) {
            if (auto s = tx.add_team_member(client.org.id, inserted->id, row); !s) return s;
        }
        const json details = {{"after", team_summary(*inserted)}, {"members_added", ids}};
        if (auto s = tx.append_audit(
                audit_entry(client, now, "scim.group.create", inserted->public_id, details));
            !s) {
            return s;
        }
        out = group_resource(tx, client, *inserted, true);
        return {};
    });
    if (!status) return status.error();
    return out;
}

Result<ScimResource> ProvisioningService::get_group(const ScimClient& client, std::string_view id,
                                                    const scim::Projection& projection) {
    ScimResource out;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        auto team = tx.team_by_public_id(client.org.id, id);
        if (!team) return group_not_found(id);
        out = group_resource(tx, client, *team, returns_attribute(projection, "members"));
        out.body = scim::project(std::move(out.body), projection);
        return {};
    });
    if (!status) return status.error();
    return out;
}

Result<json> ProvisioningService::list_groups(const ScimClient& client, const ScimQuery& query) {
    auto plan = plan_list_filter(query.filter, ScimResourceType::group);
    if (!plan) return plan.error();
    const scim::FilterPtr& filter = plan->filter;
    const store::TeamQuery selected{plan->condition};
    const bool in_memory = plan->in_memory();
    const bool with_members = returns_attribute(query.projection, "members");
    const std::int64_t offset = query.page.start_index - 1;
    std::vector<json> resources;
    std::int64_t total = 0;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        if (!in_memory) {
            auto page =
                tx.list_teams(client.org.id, selected, store::Page{offset, query.page.count});
            total = page.total;
            for (const core::Team& t : page.items) {
                resources.push_back(scim::project(group_resource(tx, client, t, with_members).body,
                                                  query.projection));
            }
            return {};
        }
        const auto& types = scim::AttributeTypes::scim_core();
        for (std::int64_t at = 0;; at += kScanBatch) {
            auto batch = tx.list_teams(client.org.id, {}, store::Page{at, kScanBatch});
            for (const core::Team& t : batch.items) {
                json resource = group_resource(tx, client, t, true).body;
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

Result<ScimResource> ProvisioningService::replace_group(const ScimClient& client,
                                                        std::string_view id, const json& body,
                                                        const IfMatch& if_match) {
    auto group = decode_group_body(body);
    if (!group) return group.error();
    log_ignored(client, "Group", group->ignored);
    const util::UnixTime now = clock_.now();
    ScimResource out;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto team = tx.team_by_public_id(client.org.id, id);
        if (!team) return group_not_found(id);
        if (auto s = check_if_match(if_match, team->version); !s) return s;
        const auto current = ids_of(tx.team_members(client.org.id, team->id));
        auto saved = save_group(tx, client, *team, *group, current, ids_of(group->members),
                                "scim.group.replace", now);
        if (!saved) return saved.error();
        out = group_resource(tx, client, *saved, true);
        return {};
    });
    if (!status) return status.error();
    return out;
}

Result<ScimResource> ProvisioningService::patch_group(const ScimClient& client, std::string_view id,
                                                      const json& body, const IfMatch& if_match) {
    const util::UnixTime now = clock_.now();
    ScimResource out;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto team = tx.team_by_public_id(client.org.id, id);
        if (!team) return group_not_found(id);
        if (auto s = check_if_match(if_match, team->version); !s) return s;
        const MemberPairs members = tx.team_members(client.org.id, team->id);
        if (auto ops = membership_only_patch(body)) {
            const scim::ScimGroup group = to_scim_group(*team, {});
            const auto current = ids_of(members);
            auto saved = save_group(tx, client, *team, group, current,
                                    apply_membership(current, *ops), "scim.group.patch", now);
            if (!saved) return saved.error();
            out = group_resource(tx, client, *saved, true);
            return {};
        }
        const json resource = scim::encode_group(to_scim_group(*team, members), meta_of(*team),
                                                 client.base_url, true);
        auto patched = scim::apply_patch(resource, body, scim::ResourceKind::group);
        if (!patched) return patched.error();
        if (!patched->summary.changed) {
            out = {resource, etag_of(team->version)};
            return {};
        }
        auto group = decode_group_body(patched->resource);
        if (!group) return group.error();
        auto saved = save_group(tx, client, *team, *group, ids_of(members), ids_of(group->members),
                                "scim.group.patch", now);
        if (!saved) return saved.error();
        out = group_resource(tx, client, *saved, true);
        return {};
    });
    if (!status) return status.error();
    return out;
}

Status ProvisioningService::delete_group(const ScimClient& client, std::string_view id,
                                         const IfMatch& if_match) {
    const util::UnixTime now = clock_.now();
    return store_.write([&](store::Transaction& tx) -> Status {
        auto team = tx.team_by_public_id(client.org.id, id);
        if (!team) return group_not_found(id);
        if (auto s = check_if_match(if_match, team->version); !s) return s;
        if (auto s = tx.delete_team(client.org.id, team->id); !s) return s;
        return tx.append_audit(audit_entry(client, now, "scim.group.delete", team->public_id,
                                           {{"before", team_summary(*team)}}));
    });
}

}  // namespace gatehouse::service
