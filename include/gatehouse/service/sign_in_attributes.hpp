// The role and teams a SAML or OpenID sign-in carries, applied to the member it signs in when
// the org turns Org::apply_sign_in_attributes on. One set of rules for both protocols.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

// The reason code of a sign-in refused for its role attribute.
inline constexpr std::string_view kRoleInvalid = "sso.role_invalid";

// What a sign-in says about roles and teams.
struct SignInAttributes {
    std::string role;                 // the role attribute or claim as sent; blank: none
    std::vector<std::string> groups;  // every group value sent
    // The provider is configured to send groups (the SAML mapping or the OpenID provider
    // names an attribute or claim for them): only then do teams follow the sign-in, and a
    // sign-in that names no group then means the member is in none.
    bool groups_mapped = false;
};

// The attributes of a mapped identity; `groups_mapped` as above.
SignInAttributes sign_in_attributes(const saml::MappedIdentity& identity, bool groups_mapped);

// A team a group value names: the slug as SCIM makes it from a group display name
// (core::team_slug_from_display_name) and the value, trimmed, as its display name.
struct NamedTeam {
    std::string slug;
    std::string display_name;
};

// The teams the groups name, once each (by slug), in the order first named. A value with no
// letters or digits names no team and is left out.
std::vector<NamedTeam> teams_named_by(const std::vector<std::string>& groups);

// The role a role value grants, by SCIM's orgRole rules (scim::parse_org_role): nullopt for
// a blank value; admin, manager, billing or member. Any other value, owner included, fails
// with kRoleInvalid, the message naming the value and the roles accepted.
Result<std::optional<core::Role>> role_from_sign_in(std::string_view value);

// What applying the attributes changed (or, from plan_sign_in_attributes, would change).
struct AppliedAttributes {
    // Why nothing is applied: "" (applied), "off" (the org option is off), "scim_managed"
    // (the member is provisioned over SCIM, whose values win).
    std::string skipped;
    std::optional<core::Role> role;       // the member's role afterwards
    bool role_changed = false;            // differs from the role before
    bool owner_kept = false;              // an owner was sent another role and stays owner
    std::vector<std::string> joined;      // team slugs the member joins
    std::vector<std::string> left;        // sign-in teams (slugs) the member leaves
    std::vector<std::string> created;     // team slugs created from groups
    std::vector<std::string> scim_teams;  // named teams left alone: SCIM manages them
    bool teams_followed = false;          // SignInAttributes::groups_mapped
};

// Applies `attributes` to `member`, in the caller's write transaction (the one that links or
// creates the member, so a refusal undoes the sign-in whole). Does nothing when the org's
// option is off or the member is idp_managed (SCIM's role and teams win). Otherwise:
// - role: a blank one leaves the role as it is (a member created by this sign-in already
//   has the org's default role); a valid one becomes the member's role, except that an
//   owner stays owner (a warning is logged and "sso.owner_role_kept" audited); an invalid
//   one, or "owner", refuses the sign-in with kRoleInvalid, nothing applied.
// - teams, when groups_mapped: the member joins every team the groups name, creating a
//   missing one as sign_in_managed; leaves every sign_in_managed team no longer named;
//   a team SCIM manages (Team::idp_managed) is neither joined nor left.
// Audited (actor "idp") only when something changed: "member.role_change" {old, new,
// source} and "member.teams_change" {joined, left, created}. Returns what changed, and
// updates `member` (its role and version). Errors: kRoleInvalid, store errors.
Result<AppliedAttributes> apply_sign_in_attributes(store::Transaction& tx, const core::Org& org,
                                                   core::Member& member,
                                                   const SignInAttributes& attributes,
                                                   util::UnixTime now);

// What apply_sign_in_attributes would do for `member` (nullopt: a member the sign-in would
// create), read without changing anything. Errors: kRoleInvalid.
Result<AppliedAttributes> plan_sign_in_attributes(store::Transaction& tx, const core::Org& org,
                                                  const std::optional<core::Member>& member,
                                                  const SignInAttributes& attributes);

// The plan in words for Test configuration: "not applied: the organization's option is
// off", "not applied: the member is managed over SCIM", "role admin (unchanged); teams:
// join eng, leave ops (create eng)", or the refusal ("<message> (sso.role_invalid)").
std::string describe_sign_in_attributes(const Result<AppliedAttributes>& plan);

}  // namespace gatehouse::service
