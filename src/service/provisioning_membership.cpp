#include "provisioning_membership.hpp"

#include <unordered_set>

#include "gatehouse/scim/filter.hpp"
#include "gatehouse/scim/patch.hpp"
#include "provisioning_mapping.hpp"

namespace gatehouse::service::provisioning {
namespace {

using nlohmann::json;

const json* find(const json& object, std::string_view name) {
    if (!object.is_object()) return nullptr;
    for (const auto& [key, value] : object.items()) {
        if (same_attribute(key, name)) return &value;
    }
    return nullptr;
}

// The ids of a value array of {"value": id} objects; nullopt when any element is not such an
// object or names a type other than User.
std::optional<std::vector<std::string>> member_values(const json* value) {
    if (value == nullptr || !value->is_array()) return std::nullopt;
    std::vector<std::string> ids;
    for (const json& entry : *value) {
        const json* id = find(entry, "value");
        if (id == nullptr || !id->is_string() || id->get_ref<const std::string&>().empty())
            return std::nullopt;
        if (const json* type = find(entry, "type");
            type != nullptr && !type->is_null() &&
            !(type->is_string() && same_attribute(type->get<std::string>(), "User")))
            return std::nullopt;
        ids.push_back(id->get<std::string>());
    }
    return ids;
}

// The id of `members[value eq "id"]`, or nullopt for any other path.
std::optional<std::string> filtered_member(const std::string& path) {
    auto parsed = scim::parse_patch_path(path);
    if (!parsed || !parsed->value_filter || !parsed->sub_attribute.empty()) return std::nullopt;
    const scim::AttributePath& target = parsed->attribute;
    if (!target.urn.empty() || !same_attribute(target.attribute, "members")) return std::nullopt;
    const auto* comparison = std::get_if<scim::Comparison>(&parsed->value_filter->node);
    if (comparison == nullptr || comparison->op != scim::CompareOp::eq ||
        !comparison->value.is_string() || !comparison->attribute.urn.empty() ||
        !comparison->attribute.sub_attribute.empty() ||
        !same_attribute(comparison->attribute.attribute, "value")) {
        return std::nullopt;
    }
    return comparison->value.get<std::string>();
}

}  // namespace

std::optional<std::vector<MembershipOp>> membership_only_patch(const json& request) {
    const json* schemas = find(request, "schemas");
    if (schemas == nullptr || !schemas->is_array()) return std::nullopt;
    bool patch_op = false;
    for (const json& urn : *schemas) {
        patch_op = patch_op || (urn.is_string() &&
                                same_attribute(urn.get<std::string>(), scim::kPatchOpSchema));
    }
    const json* operations = find(request, "Operations");
    if (!patch_op || operations == nullptr || !operations->is_array() || operations->empty())
        return std::nullopt;
    std::vector<MembershipOp> ops;
    for (const json& operation : *operations) {
        const json* op = find(operation, "op");
        const json* path = find(operation, "path");
        if (op == nullptr || !op->is_string() || path == nullptr || !path->is_string())
            return std::nullopt;
        const bool add = same_attribute(op->get<std::string>(), "add");
        if (!add && !same_attribute(op->get<std::string>(), "remove")) return std::nullopt;
        const std::string& target = path->get_ref<const std::string&>();
        if (same_attribute(target, "members")) {
            auto ids = member_values(find(operation, "value"));
            if (!ids) return std::nullopt;
            for (auto& id : *ids) ops.push_back({add, std::move(id)});
        } else if (auto id = add ? std::nullopt : filtered_member(target)) {
            ops.push_back({false, std::move(*id)});
        } else {
            return std::nullopt;
        }
    }
    return ops;
}

std::vector<std::string> apply_membership(const std::vector<std::string>& current,
                                          const std::vector<MembershipOp>& ops) {
    std::unordered_set<std::string> members(current.begin(), current.end());
    std::vector<std::string> added;
    for (const MembershipOp& op : ops) {
        if (op.add) {
            if (members.insert(op.member_id).second) added.push_back(op.member_id);
        } else {
            members.erase(op.member_id);
        }
    }
    std::vector<std::string> result;
    result.reserve(members.size());
    for (const auto& id : current) {
        if (members.contains(id)) result.push_back(id);
    }
    for (const auto& id : added) {
        if (members.contains(id)) result.push_back(id);
    }
    return result;
}

}  // namespace gatehouse::service::provisioning
