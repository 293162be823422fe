#include "gatehouse/service/member_admin.hpp"

#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"

namespace gatehouse::service {
namespace {

Error idp_managed(const core::Member& member) {
    return fail(std::string(kIdpManaged),
                "The member " + member.email +
                    " is managed by the organization's identity provider; change them there.");
}

// How many active owners the org has, counting at most two (all that the rule needs).
int active_owners(store::Transaction& tx, core::RowId org_id) {
    store::SqlFilter filter{"role = ? AND state = ?",
                            {std::string("owner"), std::string("active")}};
    return static_cast<int>(tx.list_members(org_id, filter, store::Page{0, 2}).total);
}

// Loads a member the caller may change, or the reason it may not.
Result<core::Member> changeable_member(store::Transaction& tx, const core::Org& org,
                                       std::string_view member_id, bool by_owner) {
    auto member = tx.member_by_public_id(org.id, member_id);
    if (!member) {
        return fail(std::string(kMemberNotFound),
                    "No member with the id '" + std::string(member_id) + "' in this organization.");
    }
    if (member->idp_managed) return idp_managed(*member);
    if (member->role == core::Role::owner && !by_owner) {
        return fail(std::string(kOwnerRequired), "Only an owner can change another owner.");
    }
    return *member;
}

}  // namespace

Result<store::PageOf<core::Member>> MemberAdmin::list_members(const core::Org& org,
                                                              store::Page page) {
    store::PageOf<core::Member> result;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        result = tx.list_members(org.id, std::nullopt, page);
        return {};
    });
    if (!status) return status.error();
    return result;
}

Result<store::PageOf<core::Team>> MemberAdmin::list_teams(const core::Org& org, store::Page page) {
    store::PageOf<core::Team> result;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        result = tx.list_teams(org.id, std::nullopt, page);
        return {};
    });
    if (!status) return status.error();
    return result;
}

Result<core::Member> MemberAdmin::change_role(const core::Org& org, std::string_view member_id,
                                              core::Role role, bool by_owner,
                                              const std::string& actor) {
    core::Member changed;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = changeable_member(tx, org, member_id, by_owner);
        if (!member) return member.error();
        if (role == core::Role::owner && !by_owner) {
            return fail(std::string(kOwnerRequired), "Only an owner can make someone an owner.");
        }
        const core::Role before = member->role;
        if (before == core::Role::owner && role != core::Role::owner &&
            member->state == core::MemberState::active && active_owners(tx, org.id) < 2) {
            return fail(std::string(kLastOwner),
                        "The organization's last owner cannot give up the role.");
        }
        member->role = role;
        auto updated = tx.update_member(*member);
        if (!updated) return updated.error();
        changed = *updated;
        return tx.append_audit(
            audit_entry(org, actor, "member.role_change", changed.public_id,
                        {{"from", core::to_string(before)}, {"to", core::to_string(role)}}));
    });
    if (!status) return status.error();
    return changed;
}

Status MemberAdmin::remove_member(const core::Org& org, std::string_view member_id, bool by_owner,
                                  const std::string& actor) {
    return store_.write([&](store::Transaction& tx) -> Status {
        auto member = changeable_member(tx, org, member_id, by_owner);
        if (!member) return member.error();
        if (member->role == core::Role::owner && member->state == core::MemberState::active &&
            active_owners(tx, org.id) < 2) {
            return fail(std::string(kLastOwner),
                        "The organization's last owner cannot be removed.");
        }
        const std::int64_t sessions = tx.delete_member_sessions(org.id, member->id);
        if (auto s = tx.delete_member(org.id, member->id); !s) return s;
        return tx.append_audit(
            audit_entry(org, actor, "member.remove", member->public_id,
                        {{"email", member->email}, {"sessions_ended", sessions}}));
    });
}

Result<core::Member> MemberAdmin::set_active(const core::Org& org, std::string_view member_id,
                                             bool active, bool by_owner, const std::string& actor) {
    core::Member result;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = changeable_member(tx, org, member_id, by_owner);
        if (!member) return member.error();
        const bool deactivated = member->state == core::MemberState::deactivated;
        if (active == !deactivated) {
            result = *member;
            return {};
        }
        std::int64_t sessions_ended = 0;
        if (!active) {
            if (member->role == core::Role::owner && member->state == core::MemberState::active &&
                active_owners(tx, org.id) < 2) {
                return fail(std::string(kLastOwner),
                            "The organization's last owner cannot be deactivated.");
            }
            sessions_ended = tx.delete_member_sessions(org.id, member->id);
            member->state = core::MemberState::deactivated;
        } else {
            // Back to the state the member's credentials allow.
            const bool can_sign_in =
                !member->saml_subject.empty() || !member->password_hash.empty();
            member->state = can_sign_in ? core::MemberState::active : core::MemberState::invited;
        }
        auto updated = tx.update_member(*member);
        if (!updated) return updated.error();
        result = *updated;
        nlohmann::json details = {{"email", result.email},
                                  {"state", std::string(core::to_string(result.state))}};
        if (!active) details["sessions_ended"] = sessions_ended;
        return tx.append_audit(audit_entry(org, actor,
                                           active ? "member.reactivate" : "member.deactivate",
                                           result.public_id, details));
    });
    if (!status) return status.error();
    return result;
}

Status MemberAdmin::remove_team(const core::Org& org, std::string_view team_id,
                                const std::string& actor) {
    return store_.write([&](store::Transaction& tx) -> Status {
        auto team = tx.team_by_public_id(org.id, team_id);
        if (!team) {
            return fail(std::string(kTeamNotFound),
                        "No team with the id '" + std::string(team_id) + "' in this organization.");
        }
        if (team->idp_managed) {
            return fail(
                std::string(kTeamIdpManaged),
                "The team " + team->display_name +
                    " is managed by the organization's identity provider; change it there.");
        }
        if (auto s = tx.delete_team(org.id, team->id); !s) return s;
        return tx.append_audit(
            audit_entry(org, actor, "team.remove", team->public_id, {{"slug", team->slug}}));
    });
}

}  // namespace gatehouse::service
