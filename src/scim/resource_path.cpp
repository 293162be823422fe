#include "resource_path.hpp"

#include "json_lookup.hpp"

namespace gatehouse::scim::detail {

std::optional<ResourcePath> resolve_path(const AttributePath& path) {
    if (path.urn.empty() || iequals(path.urn, kCoreUserSchema) ||
        iequals(path.urn, kCoreGroupSchema)) {
        return ResourcePath{"", path.attribute, path.sub_attribute};
    }
    if (iequals(path.urn, kEnterpriseUserSchema)) {
        return ResourcePath{std::string(kEnterpriseUserSchema), path.attribute, path.sub_attribute};
    }
    // The path parser splits at the last ':', so the bare extension URN arrives as
    // urn "…:enterprise:2.0" with attribute "User".
    if (path.sub_attribute.empty() &&
        iequals(path.urn + ":" + path.attribute, kEnterpriseUserSchema)) {
        return ResourcePath{std::string(kEnterpriseUserSchema), "", ""};
    }
    return std::nullopt;
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
