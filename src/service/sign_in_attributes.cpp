#include "gatehouse/service/sign_in_attributes.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/scim/user.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::service {
namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

// The plan with what applying it needs besides: the row ids of the teams to join or leave
// that exist already, and the display names of those to create.
struct Plan {
    AppliedAttributes result;
    std::map<std::string, core::RowId> team_ids;
    std::map<std::string, std::string> new_team_names;
};

Result<Plan> make_plan(store::Transaction& tx, const core::Org& org,
                       const std::optional<core::Member>& member,
                       const SignInAttributes& attributes) {
    Plan plan;
    AppliedAttributes& out = plan.result;
    if (!org.apply_sign_in_attributes) {
        out.skipped = "off";
        return plan;
    }
    // SCIM is the single source of truth for the members it provisions; a sign-in must not
    // undo what the IdP's provisioning set, nor fight it at every sign-in.
    if (member && member->idp_managed) {
        out.skipped = "scim_managed";
        return plan;
    }
    auto sent = role_from_sign_in(attributes.role);
    if (!sent) return sent.error();
    const core::Role before = member ? member->role : org.default_role;
    out.role = before;
    if (*sent) {
        if (before == core::Role::owner) {
            // Owners are made by owners, never by an attribute: demoting one from the IdP
            // could leave the org without an owner who can change its sign-in rules.
            out.owner_kept = true;
        } else {
            out.role = **sent;
            out.role_changed = **sent != before;
        }
    }

    out.teams_followed = attributes.groups_mapped;
    if (!attributes.groups_mapped) return plan;
    const std::vector<NamedTeam> named = teams_named_by(attributes.groups);
    std::vector<core::Team> current;
    if (member && member->id != 0) current = tx.teams_of_member(org.id, member->id);
    const auto is_current = [&](const std::string& slug) {
        return std::any_of(current.begin(), current.end(),
                           [&](const core::Team& t) { return t.slug == slug; });
    };
    std::vector<std::string> named_slugs;
    for (const auto& team : named) {
        named_slugs.push_back(team.slug);
        const auto existing = tx.team_by_slug(org.id, team.slug);
        if (!existing) {
            out.created.push_back(team.slug);
            out.joined.push_back(team.slug);
            plan.new_team_names[team.slug] = team.display_name;
        } else if (existing->idp_managed) {
            out.scim_teams.push_back(team.slug);
        } else if (!is_current(team.slug)) {
            out.joined.push_back(team.slug);
            plan.team_ids[team.slug] = existing->id;
        }
    }
    for (const auto& team : current) {
        if (team.sign_in_managed && !team.idp_managed && !contains(named_slugs, team.slug)) {
            out.left.push_back(team.slug);
            plan.team_ids[team.slug] = team.id;
        }
    }
    return plan;
}

}  // namespace

SignInAttributes sign_in_attributes(const saml::MappedIdentity& identity, bool groups_mapped) {
    return SignInAttributes{identity.role, identity.groups, groups_mapped};
}

std::vector<NamedTeam> teams_named_by(const std::vector<std::string>& groups) {
    std::vector<NamedTeam> teams;
    for (const auto& group : groups) {
        std::string slug = core::team_slug_from_display_name(group);
        if (slug.empty()) continue;
        const bool seen = std::any_of(teams.begin(), teams.end(),
                                      [&](const NamedTeam& t) { return t.slug == slug; });
        if (!seen) teams.push_back({std::move(slug), trimmed(group)});
    }
    return teams;
}

Result<std::optional<core::Role>> role_from_sign_in(std::string_view value) {
    auto role = scim::parse_org_role(value);
    if (role) return *role;
    return fail(std::string(kRoleInvalid),
                "The identity provider sent the role \"" + trimmed(value) +
                    "\", which this organization does not accept: a sign-in may carry admin, "
                    "manager, billing or member (never owner), or no role.");
}

Result<AppliedAttributes> plan_sign_in_attributes(store::Transaction& tx, const core::Org& org,
                                                  const std::optional<core::Member>& member,
                                                  const SignInAttributes& attributes) {
    auto plan = make_plan(tx, org, member, attributes);
    if (!plan) return plan.error();
    return plan->result;
}

Result<AppliedAttributes> apply_sign_in_attributes(store::Transaction& tx, const core::Org& org,
                                                   core::Member& member,
                                                   const SignInAttributes& attributes,
                                                   util::UnixTime now) {
    auto plan = make_plan(tx, org, member, attributes);
    if (!plan) return plan.error();
    const AppliedAttributes& out = plan->result;
    if (!out.skipped.empty()) return out;

    if (out.owner_kept) {
        util::log_event(
            util::LogLevel::warning, "sso.owner_role_kept",
            {{"org", org.slug}, {"member", member.public_id}, {"sent", attributes.role}});
        auto entry = audit_entry(org, "idp", "sso.owner_role_kept", member.public_id,
                                 {{"sent", trimmed(attributes.role)}, {"kept", "owner"}});
        entry.at = now;
        if (auto s = tx.append_audit(entry); !s) return s.error();
    }
    if (out.role_changed) {
        const core::Role before = member.role;
        member.role = *out.role;
        auto updated = tx.update_member(member);
        if (!updated) return updated.error();
        member = *updated;
        auto entry = audit_entry(org, "idp", "member.role_change", member.public_id,
                                 {{"old", core::to_string(before)},
                                  {"new", core::to_string(member.role)},
                                  {"source", "sign_in"}});
        entry.at = now;
        if (auto s = tx.append_audit(entry); !s) return s.error();
    }

    for (const auto& slug : out.created) {
        core::Team team;
        team.org_id = org.id;
        team.slug = slug;
        team.display_name = plan->new_team_names[slug];
        team.sign_in_managed = true;
        team.created_at = now;
        auto inserted = tx.insert_team(team);
        if (!inserted) return inserted.error();
        plan->team_ids[slug] = inserted->id;
    }
    for (const auto& slug : out.joined) {
        if (auto s = tx.add_team_member(org.id, plan->team_ids[slug], member.id); !s) {
            return s.error();
        }
    }
    for (const auto& slug : out.left) {
        if (auto s = tx.remove_team_member(org.id, plan->team_ids[slug], member.id); !s) {
            return s.error();
        }
    }
    if (!out.joined.empty() || !out.left.empty()) {
        auto entry = audit_entry(org, "idp", "member.teams_change", member.public_id,
                                 {{"joined", out.joined},
                                  {"left", out.left},
                                  {"created", out.created},
                                  {"source", "sign_in"}});
        entry.at = now;
        if (auto s = tx.append_audit(entry); !s) return s.error();
    }
    return out;
}

std::string describe_sign_in_attributes(const Result<AppliedAttributes>& plan) {
    if (!plan) return plan.error().message + " (" + plan.error().code + ")";
    if (plan->skipped == "off") return "not applied: the organization's option is off";
    if (plan->skipped == "scim_managed") {
        return "not applied: the member is managed over SCIM, which keeps its role and teams";
    }
    std::string text =
        "role " + std::string(core::to_string(plan->role.value_or(core::Role::member)));
    if (plan->owner_kept) {
        text += " (kept: an owner is never changed by sign-in)";
    } else if (!plan->role_changed) {
        text += " (unchanged)";
    }
    if (!plan->teams_followed) return text + "; teams: not followed (no groups attribute mapped)";
    std::vector<std::string> parts;
    if (!plan->joined.empty()) parts.push_back("join " + joined(plan->joined));
    if (!plan->left.empty()) parts.push_back("leave " + joined(plan->left));
    if (!plan->created.empty()) parts.push_back("create " + joined(plan->created));
    if (!plan->scim_teams.empty()) parts.push_back("left to SCIM " + joined(plan->scim_teams));
    std::string teams;
    for (const auto& part : parts) teams += (teams.empty() ? "" : "; ") + part;
    text += "; teams: " + (teams.empty() ? std::string("no change") : teams);
    return text;
}

}  // namespace gatehouse::service
