// What an org's owners and managers may do to members and teams, from the admin API, the
// members page and the CLI alike: list, invite, change roles, deactivate, remove. Only owner
// rights touch an owner; members and teams the IdP provisioned are locked (the IdP's to change).
#pragma once

#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// Error codes beyond store failures and "org.not_found".
inline constexpr std::string_view kMemberNotFound = "member.not_found";      // → 404
inline constexpr std::string_view kTeamNotFound = "team.not_found";          // → 404
inline constexpr std::string_view kIdpManaged = "member.idp_managed";        // → 403
inline constexpr std::string_view kTeamIdpManaged = "team.idp_managed";      // → 403
inline constexpr std::string_view kOwnerRequired = "member.owner_required";  // → 403
inline constexpr std::string_view kLastOwner = "member.last_owner";          // → 409

// True when `member` is an active owner and its org has no other: the one member every rule
// keeps active and an owner, so the org can never lose its last administrator.
bool is_last_active_owner(store::Transaction& tx, const core::Member& member);

class MemberAdmin {
  public:
    // `store` and `clock` must outlive this object. With a base URL in `invitations`, an
    // invited member gets an invitation mail (see invitations.hpp). Thread-safe.
    MemberAdmin(store::Store& store, const util::Clock& clock, InvitationSettings invitations = {})
        : store_(store), clock_(clock), invitations_(std::move(invitations)) {}

    Result<store::PageOf<core::Member>> list_members(const core::Org& org, store::Page page);
    Result<store::PageOf<core::Team>> list_teams(const core::Org& org, store::Page page);

    // Every change below is refused with kMembersForbidden for a caller that may not manage
    // members (check_member_admin). A refusal by the owner rule (kOwnerRequired) is recorded
    // as a failure audit entry of the action asked for, since it is what an attempt to
    // escalate looks like.

    // Adds `invitation` to the org as add_member does (audit "member.create"); a member
    // without a password gets an invitation mail in the same transaction. Only a caller
    // with owner rights invites an owner (kOwnerRequired). Errors: those of add_member.
    Result<core::Member> invite(const core::Org& org, const NewMember& invitation,
                                const Caller& caller);

    // Gives the member `role`. Only a caller with owner rights may make or unmake an owner
    // (kOwnerRequired), and the org's last active owner keeps the role (kLastOwner). Refused
    // for IdP-managed members. Audit "member.role_change".
    Result<core::Member> change_role(const core::Org& org, std::string_view member_id,
                                     core::Role role, const Caller& caller);

    // Deletes the member, ending their sessions. Same locks as change_role. Audit
    // "member.remove".
    Status remove_member(const core::Org& org, std::string_view member_id, const Caller& caller);

    // Deactivates (`active` false) or reactivates (`active` true) the member. A deactivated
    // member keeps record, teams and SAML link but cannot sign in; deactivating ends every
    // session of the member at once, and ends a pending invitation. A reactivated member is active
    // again when a SAML identity or a password lets them sign in, otherwise invited. Doing what is
    // already the case changes nothing and writes no audit entry. Same locks as change_role, and
    // the last active owner stays active (kLastOwner). Audit "member.deactivate" /
    // "member.reactivate".
    Result<core::Member> set_active(const core::Org& org, std::string_view member_id, bool active,
                                    const Caller& caller);

    // Deletes a team the org created itself (not one the IdP pushed). Audit "team.remove".
    Status remove_team(const core::Org& org, std::string_view team_id, const Caller& caller);

  private:
    store::Store& store_;
    const util::Clock& clock_;
    InvitationSettings invitations_;
};

}  // namespace gatehouse::service
