#include "gatehouse/scim/group.hpp"

#include <algorithm>
#include <unordered_set>

#include "gatehouse/scim/error.hpp"
#include "json_lookup.hpp"
#include "kept_attributes.hpp"
#include "resource_fields.hpp"
#include "resource_path.hpp"

namespace gatehouse::scim {
namespace {

using detail::find_attribute;
using nlohmann::json;

Result<ScimGroupMember> decode_member(const json& entry) {
    if (!entry.is_object()) return scim_fail("invalidValue", "Each member must be an object.");
    auto value = detail::optional_string(entry, "value", "members.value");
    if (!value) return value.error();
    if (value->empty()) return scim_fail("invalidValue", "Each member needs a non-empty value.");
    auto display = detail::optional_string(entry, "display", "members.display");
    if (!display) return display.error();
    if (display->empty()) {
        display = detail::optional_string(entry, "displayName", "members.displayName");
        if (!display) return display.error();
    }
    auto type = detail::optional_string(entry, "type", "members.type");
    if (!type) return type.error();
    if (!type->empty() && !detail::iequals(*type, "User")) {
        return scim_fail("invalidValue", "Member \"" + *value + "\" has type \"" + *type +
                                             "\"; groups can only contain users.");
    }
    return ScimGroupMember{std::move(*value), std::move(*display), type->empty() ? "" : "User"};
}

Result<std::vector<ScimGroupMember>> decode_members(const json& body) {
    std::vector<ScimGroupMember> members;
    const json* value = find_attribute(body, "members");
    if (value == nullptr || value->is_null()) return members;
    if (!value->is_array()) return scim_fail("invalidValue", "members must be an array.");
    // Groups have no member cap: a set keeps de-duplication linear in the member count.
    std::unordered_set<std::string> seen;
    seen.reserve(value->size());
    for (const json& entry : *value) {
        auto member = decode_member(entry);
        if (!member) return member.error();
        if (seen.insert(member->value).second) members.push_back(std::move(*member));
    }
    return members;
}

// Keeps the extension objects of `body`; lists names no schema defines in group.ignored.
Status decode_kept(const json& body, ScimGroup& group) {
    for (auto it = body.begin(); it != body.end(); ++it) {
        bool read = false;
        for (std::string_view known :
             {"schemas", "id", "meta", "displayName", "externalId", "members"}) {
            read = read || detail::iequals(it.key(), known);
        }
        if (read || it.value().is_null()) continue;
        if (detail::is_extension_name(it.key())) {
            if (auto checked = detail::check_extension(it.key(), it.value()); !checked) {
                return checked;
            }
            group.attributes[it.key()] = it.value();
        } else {
            group.ignored.push_back(it.key());
        }
    }
    return detail::check_kept_size(group.attributes);
}

}  // namespace

Result<ScimGroup> decode_group(const json& body) {
    if (auto schemas = detail::check_schemas(body, kCoreGroupSchema); !schemas) {
        return schemas.error();
    }
    ScimGroup group;
    auto display_name = detail::optional_string(body, "displayName", "displayName");
    if (!display_name) return display_name.error();
    if (detail::trim(*display_name).empty()) {
        return scim_fail("invalidValue", "displayName is required and must not be blank.");
    }
    group.display_name = std::move(*display_name);
    auto external_id = detail::optional_string(body, "externalId", "externalId");
    if (!external_id) return external_id.error();
    group.external_id = std::move(*external_id);
    auto members = decode_members(body);
    if (!members) return members.error();
    group.members = std::move(*members);
    if (auto kept = decode_kept(body, group); !kept) return kept.error();
    return group;
}

json encode_group(const ScimGroup& group, const ResourceMeta& meta, std::string_view base_url,
                  bool include_members) {
    json out = json::object();
    json schemas = json::array({std::string(kCoreGroupSchema)});
    if (group.attributes.is_object()) {
        for (auto it = group.attributes.begin(); it != group.attributes.end(); ++it) {
            if (detail::is_extension_name(it.key())) schemas.push_back(it.key());
            out[it.key()] = it.value();
        }
    }
    out["schemas"] = std::move(schemas);
    out["id"] = group.id;
    if (!group.external_id.empty()) out["externalId"] = group.external_id;
    out["displayName"] = group.display_name;
    if (include_members) {
        const std::string base = trim_base_url(base_url);
        json members = json::array();
        for (const ScimGroupMember& member : group.members) {
            json entry = {{"value", member.value},
                          {"$ref", base + "/Users/" + member.value},
                          {"type", "User"}};
            if (!member.display.empty()) entry["display"] = member.display;
            members.push_back(std::move(entry));
        }
        out["members"] = std::move(members);
    }
    out["meta"] = encode_meta(meta, "Group", base_url, "Groups", group.id);
    return out;
}

}  // namespace gatehouse::scim
