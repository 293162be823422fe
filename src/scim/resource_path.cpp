#include "resource_path.hpp"

#include "json_lookup.hpp"

namespace gatehouse::scim::detail {
namespace {

// The name of the top-level object member of `resource` that equals `name` (any case).
std::optional<std::string> member_name(const nlohmann::json* resource, std::string_view name) {
    if (resource == nullptr || !resource->is_object()) return std::nullopt;
    for (auto it = resource->begin(); it != resource->end(); ++it) {
        if (it.value().is_object() && iequals(it.key(), name)) return it.key();
    }
    return std::nullopt;
}

bool has_urn_prefix(std::string_view text) { return iequals(text.substr(0, 4), "urn:"); }

}  // namespace

bool is_reserved_urn(std::string_view text) {
    for (std::string_view prefix : {kReservedSchemaPrefix, kReservedApiPrefix}) {
        if (iequals(text.substr(0, prefix.size()), prefix)) return true;
    }
    return false;
}

bool is_extension_name(std::string_view name) {
    return has_urn_prefix(name) && !is_reserved_urn(name);
}

std::optional<ResourcePath> resolve_path(const AttributePath& path,
                                         const nlohmann::json* resource) {
    if (path.urn.empty() || is_core_schema(path.urn)) {
        return ResourcePath{"", path.attribute, path.sub_attribute};
    }
    if (!has_urn_prefix(path.urn)) return std::nullopt;
    if (path.sub_attribute.empty()) {
        const std::string whole = path.urn + ":" + path.attribute;
        if (iequals(whole, kEnterpriseUserSchema)) {
            return ResourcePath{std::string(kEnterpriseUserSchema), "", ""};
        }
        if (auto stored = member_name(resource, whole)) return ResourcePath{*stored, "", ""};
    }
    std::string extension = path.urn;
    if (iequals(extension, kEnterpriseUserSchema)) {
        extension = std::string(kEnterpriseUserSchema);
    } else if (auto stored = member_name(resource, extension)) {
        extension = *stored;
    }
    return ResourcePath{std::move(extension), path.attribute, path.sub_attribute};
}

std::string describe(const ResourcePath& path) {
    std::string out = path.extension;
    if (!path.attribute.empty()) {
        if (!out.empty()) out += ':';
        out += path.attribute;
    }
    if (!path.sub_attribute.empty()) out += "." + path.sub_attribute;
    return out;
}

}  // namespace gatehouse::scim::detail
