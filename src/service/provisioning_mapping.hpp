// Private to the service layer: how SCIM Users and Groups map onto members and teams, the
// SQL columns SCIM filters compile to, and the small rules every provisioning use case shares
// (ETags, audit entries, store errors in SCIM terms).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/scim/filter.hpp"
#include "gatehouse/scim/group.hpp"
#include "gatehouse/scim/projection.hpp"
#include "gatehouse/scim/user.hpp"
#include "gatehouse/service/provisioning_service.hpp"
#include "scim_query.hpp"

namespace gatehouse::service::provisioning {

// Members: the SCIM view of a stored member. Owners show orgRole "owner" unless
// `for_patch`, where the role is left out so that decoding the patched resource (which
// refuses "owner") works; the caller then keeps the owner's role.
scim::ScimUser to_scim_user(const core::Member& member, bool for_patch = false);

// The resource of a member, with its teams as `groups`.
nlohmann::json encode_member(const core::Member& member, std::string_view base_url,
                             const std::vector<core::Team>& teams, bool for_patch = false);

// Writes the attributes of `user` into `member` (names, emails, externalId, the JSON kept in
// scim_attributes, state and role) following the provisioning rules: a missing orgRole
// means `default_role`; active=false deactivates; active=true reactivates a deactivated
// member as active when linked to a SAML subject, else invited; an owner keeps the owner
// role. Touches nothing else.
void apply_user(core::Member& member, const scim::ScimUser& user, core::Role default_role);

// True when the columns SCIM can change differ.
bool differs(const core::Member& a, const core::Member& b);

// The SCIM name of the first attribute that identifies a person ("userName", "emails",
// "externalId", "name", "displayName") whose value differs between `before` and `after`, or
// nullopt. Emails are compared by value, so a new type or primary flag is no change.
std::optional<std::string> changed_identity_attribute(const core::Member& before,
                                                      const core::Member& after);

// Decodes a Group body (POST, PUT or a patched resource) as scim::decode_group does, with
// the same errors, but checks `members` here in linear time: scim::decode_group drops
// repeated members by pairwise comparison, which takes seconds at 20,000 members.
Result<scim::ScimGroup> decode_group_body(const nlohmann::json& body);

// The JSON a team keeps as sent (Team::scim_attributes) for `group`.
std::string attributes_of(const scim::ScimGroup& group);

// Groups: the SCIM view of a team and the given members ((public id, display) pairs).
scim::ScimGroup to_scim_group(const core::Team& team,
                              const std::vector<std::pair<std::string, std::string>>& members);

// Meta and ETag of stored rows.
scim::ResourceMeta meta_of(const core::Member& member);
scim::ResourceMeta meta_of(const core::Team& team);
std::string etag_of(std::int64_t version);

// Fails with scim::kPreconditionFailedCode when `if_match` is set and names neither "*"
// nor the current version (weak or strong form).
Status check_if_match(const IfMatch& if_match, std::int64_t version);

// True when a resource projected by `projection` would still carry the top-level core
// attribute `name` ("members", "groups"): so large lists are loaded only when returned.
bool returns_attribute(const scim::Projection& projection, std::string_view name);

// ASCII case-insensitive equality of attribute names (RFC 7643 §2.1).
bool same_attribute(std::string_view a, std::string_view b);

// Parses and type-checks filter text. Fails with the filter parser's kInvalidFilterCode.
Result<scim::FilterPtr> parse_checked_filter(const std::string& text);

// How a list request filters: not at all, in the store through `condition`, or (when some
// part has no store equivalent) by evaluating `filter` over every row in memory.
struct ListFilter {
    scim::FilterPtr filter;         // null when the request has no filter
    store::ConditionPtr condition;  // set when the whole filter translated
    bool in_memory() const { return filter && !condition; }
};

// Parses, checks and translates the filter of a list request on `resource`. Fails as
// parse_checked_filter.
Result<ListFilter> plan_list_filter(const std::optional<std::string>& text,
                                    ScimResourceType resource);

// Logs, at warning level, the attributes of a `resource_type` request that no schema
// defines and that were therefore dropped (Entra ID and Okta send custom names that an admin
// mapped without an extension), so that an admin can see why a value did not stick.
// Does nothing when `ignored` is empty.
void log_ignored(const ScimClient& client, std::string_view resource_type,
                 const std::vector<std::string>& ignored);

// An audit entry for a successful SCIM change by `client`.
core::AuditEntry audit_entry(const ScimClient& client, util::UnixTime at, std::string action,
                             std::string target, const nlohmann::json& details);

// A store failure in SCIM terms: store::kConflict becomes scim.uniqueness with `conflict`
// as its detail; anything else passes through (and becomes a generic 500).
Error scim_store_error(const Error& error, const std::string& conflict);

}  // namespace gatehouse::service::provisioning
