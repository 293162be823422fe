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

Error owner_required(const std::string& message) {
    return fail(std::string(kOwnerRequired), message);
}

// Loads a member the caller may change, or the reason it may not.
Result<core::Member> changeable_member(store::Transaction& tx, const core::Org& org,
                                       std::string_view member_id, const Caller& caller) {
    auto member = tx.member_by_public_id(org.id, member_id);
    if (!member) {
        return fail(std::string(kMemberNotFound),
                    "No member with the id '" + std::string(member_id) + "' in this organization.");
    }
    if (member->idp_managed) return idp_managed(*member);
    if (member->role == core::Role::owner && !caller.acts_as_owner()) {
        return owner_required("Only an owner can change another owner.");
    }
    return *member;
}

// Passes `outcome` through, first recording a refusal by the owner rule as a failure audit
// entry: the transaction that found it has rolled back with everything else.
template <typename T>
T audited(store::Store& store, const util::Clock& clock, const core::Org& org, const Caller& caller,
          const char* action, std::string_view target, T outcome) {
    if (!outcome && outcome.error().code == kOwnerRequired) {
        record_refusal(store, clock, org.slug, caller.actor, action, std::string(target),
                       outcome.error());
    }
    return outcome;
}

}  // namespace

bool is_last_active_owner(store::Transaction& tx, const core::Member& member) {
    if (member.role != core::Role::owner || member.state != core::MemberState::active) {
        return false;
    }
    store::MemberQuery active_owners;
    active_owners.role = core::Role::owner;
    active_owners.state = core::MemberState::active;
    return tx.count_members(member.org_id, active_owners) < 2;
}

Result<store::PageOf<core::Member>> MemberAdmin::list_members(const core::Org& org,
                                                              store::Page page) {
    store::PageOf<core::Member> result;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        result = tx.list_members(org.id, {}, page);
        return {};
    });
    if (!status) return status.error();
    return result;
}

Result<store::PageOf<core::Team>> MemberAdmin::list_teams(const core::Org& org, store::Page page) {
    store::PageOf<core::Team> result;
    const Status status = store_.read([&](store::Transaction& tx) -> Status {
        result = tx.list_teams(org.id, {}, page);
        return {};
    });
    if (!status) return status.error();
    return result;
}

Result<core::Member> MemberAdmin::invite(const core::Org& org, const NewMember& invitation,
                                         const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed.error();
    if (invitation.role == core::Role::owner && !caller.acts_as_owner()) {
        return audited<Result<core::Member>>(store_, clock_, org, caller, "member.create",
                                             invitation.email,
                                             owner_required("Only an owner can invite an owner."));
    }
    return add_member(store_, clock_, org.slug, invitation, caller.actor,
                      invitations_.base_url.empty() ? nullptr : &invitations_);
}

Result<core::Member> MemberAdmin::change_role(const core::Org& org, std::string_view member_id,
                                              core::Role role, const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed.error();
    core::Member changed;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = changeable_member(tx, org, member_id, caller);
        if (!member) return member.error();
        if (role == core::Role::owner && !caller.acts_as_owner()) {
            return owner_required("Only an owner can make someone an owner.");
        }
        const core::Role before = member->role;
        if (role != core::Role::owner && is_last_active_owner(tx, *member)) {
            return fail(std::string(kLastOwner),
                        "The organization's last owner cannot give up the role.");
        }
        member->role = role;
        auto updated = tx.update_member(*member);
        if (!updated) return updated.error();
        changed = *updated;
        return tx.append_audit(
            audit_entry(org, caller.actor, "member.role_change", changed.public_id,
                        {{"from", core::to_string(before)}, {"to", core::to_string(role)}}));
    });
    if (!status) {
        return audited<Result<core::Member>>(store_, clock_, org, caller, "member.role_change",
                                             member_id, status.error());
    }
    return changed;
}

Status MemberAdmin::remove_member(const core::Org& org, std::string_view member_id,
                                  const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed;
    const Status removed = store_.write([&](store::Transaction& tx) -> Status {
        auto member = changeable_member(tx, org, member_id, caller);
        if (!member) return member.error();
        if (is_last_active_owner(tx, *member)) {
            return fail(std::string(kLastOwner),
                        "The organization's last owner cannot be removed.");
        }
        const std::int64_t sessions = tx.delete_member_sessions(org.id, member->id);
        if (auto s = tx.delete_member(org.id, member->id); !s) return s;
        return tx.append_audit(
            audit_entry(org, caller.actor, "member.remove", member->public_id,
                        {{"email", member->email}, {"sessions_ended", sessions}}));
    });
    return audited(store_, clock_, org, caller, "member.remove", member_id, removed);
}

Result<core::Member> MemberAdmin::set_active(const core::Org& org, std::string_view member_id,
                                             bool active, const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed.error();
    core::Member result;
    const Status status = store_.write([&](store::Transaction& tx) -> Status {
        auto member = changeable_member(tx, org, member_id, caller);
        if (!member) return member.error();
        const bool deactivated = member->state == core::MemberState::deactivated;
        if (active == !deactivated) {
            result = *member;
            return {};
        }
        std::int64_t sessions_ended = 0;
        if (!active) {
            if (is_last_active_owner(tx, *member)) {
                return fail(std::string(kLastOwner),
                            "The organization's last owner cannot be deactivated.");
            }
            sessions_ended = tx.delete_member_sessions(org.id, member->id);
            end_invitation(tx, org, *member, clock_.now());
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
        return tx.append_audit(audit_entry(org, caller.actor,
                                           active ? "member.reactivate" : "member.deactivate",
                                           result.public_id, details));
    });
    if (!status) {
        return audited<Result<core::Member>>(store_, clock_, org, caller,
                                             active ? "member.reactivate" : "member.deactivate",
                                             member_id, status.error());
    }
    return result;
}

Status MemberAdmin::remove_team(const core::Org& org, std::string_view team_id,
                                const Caller& caller) {
    if (auto allowed = check_member_admin(caller); !allowed) return allowed;
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
            audit_entry(org, caller.actor, "team.remove", team->public_id, {{"slug", team->slug}}));
    });
}

}  // namespace gatehouse::service
