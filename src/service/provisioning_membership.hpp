// Private to the service layer: recognises a Group PATCH that only adds and removes members
// (what Okta and Entra ID send to keep membership in sync) and applies it to a member list
// in time linear in the group's size, so that groups of tens of thousands stay fast.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace gatehouse::service::provisioning {

struct MembershipOp {
    bool add = true;
    std::string member_id;
};

// The operations of `request` when it is a well-formed PatchOp whose every operation is
//   add    path "members", value an array of {"value": id, …};
//   remove path "members", value an array of {"value": id, …} (Entra ID);
//   remove path `members[value eq "id"]` (Okta);
// with op names in any case. nullopt for anything else, including malformed requests: the
// general PATCH engine then applies (or rejects) it with its full rules.
std::optional<std::vector<MembershipOp>> membership_only_patch(const nlohmann::json& request);

// `current` (member ids, no repeats) after `ops`, in order: kept ids first, in their order,
// then added ids in the order added.
std::vector<std::string> apply_membership(const std::vector<std::string>& current,
                                          const std::vector<MembershipOp>& ops);

}  // namespace gatehouse::service::provisioning
