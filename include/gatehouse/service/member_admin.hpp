// What an org's owners and managers may do to members and teams through the admin API:
// list them, change a member's role, remove a member or a team. Members and teams that the
// IdP provisioned are locked: only the IdP changes them (over SCIM), so these refuse them.
#pragma once

#include <string>

#include "gatehouse/core/domain.hpp"
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

class MemberAdmin {
  public:
    // `store` and `clock` must outlive this object. Thread-safe.
    MemberAdmin(store::Store& store, const util::Clock& clock) : store_(store), clock_(clock) {}

    Result<store::PageOf<core::Member>> list_members(const core::Org& org, store::Page page);
    Result<store::PageOf<core::Team>> list_teams(const core::Org& org, store::Page page);

    // Gives the member `role`. Only an owner (`by_owner`) may make or unmake an owner, and
    // the org's last active owner keeps the role. Refused for IdP-managed members.
    Result<core::Member> change_role(const core::Org& org, std::string_view member_id,
                                     core::Role role, bool by_owner, const std::string& actor);

    // Deletes the member, ending their sessions. Same locks as change_role.
    Status remove_member(const core::Org& org, std::string_view member_id, bool by_owner,
                         const std::string& actor);

    // Deactivates (`active` false) or reactivates (`active` true) the member. A deactivated
    // member keeps record, teams and SAML link but cannot sign in; deactivating ends every
    // session of the member at once. A reactivated member is active again when a SAML
    // identity or a password lets them sign in, otherwise invited. Doing what is already the
    // case changes nothing and writes no audit entry. Same locks as change_role, and the last
    // active owner stays active (kLastOwner). Audit "member.deactivate" / "member.reactivate".
    Result<core::Member> set_active(const core::Org& org, std::string_view member_id, bool active,
                                    bool by_owner, const std::string& actor);

    // Deletes a team the org created itself (not one the IdP pushed).
    Status remove_team(const core::Org& org, std::string_view team_id, const std::string& actor);

  private:
    store::Store& store_;
    const util::Clock& clock_;
};

}  // namespace gatehouse::service
