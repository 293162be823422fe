#include "gatehouse/scim/projection.hpp"

#include <utility>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/filter.hpp"
#include "json_lookup.hpp"
#include "resource_fields.hpp"
#include "resource_path.hpp"

namespace gatehouse::scim {
namespace {

using detail::iequals;
using nlohmann::json;

Result<std::vector<ProjectedAttribute>> parse_list(std::string_view text,
                                                   std::string_view parameter) {
    std::vector<ProjectedAttribute> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string item = detail::trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        if (item.empty()) continue;
        auto path = parse_patch_path(item);
        if (!path) {
            return scim_fail("invalidValue", std::string(parameter) + ": \"" + item +
                                                 "\" is not an attribute name.");
        }
        // Entra ID asks for `emails[type eq "work"]` and `emails[type eq "work"].value`: the
        // attribute (or sub-attribute) is returned whole, as RFC 7644 §3.9 has no element
        // selection; the filter narrows nothing.
        if (path->value_filter != nullptr && !path->sub_attribute.empty()) {
            path->attribute.sub_attribute = path->sub_attribute;
        }
        auto resolved = detail::resolve_path(path->attribute);
        if (!resolved) {
            return scim_fail("invalidValue", std::string(parameter) + ": \"" + item +
                                                 "\" is qualified by \"" + path->attribute.urn +
                                                 "\", which is not a schema URN.");
        }
        out.push_back({std::move(resolved->extension), std::move(resolved->attribute),
                       std::move(resolved->sub_attribute)});
    }
    return out;
}

bool is_always_returned(std::string_view name) {
    return iequals(name, "id") || iequals(name, "schemas");
}

// Keeps the listed sub-attributes of a complex value, or of each element of a multi-valued
// one.
json keep_sub_attributes(const json& value, const std::vector<std::string>& subs) {
    auto keep = [&](const json& object) {
        json out = json::object();
        for (auto it = object.begin(); it != object.end(); ++it) {
            for (const std::string& sub : subs) {
                if (iequals(it.key(), sub)) out[it.key()] = it.value();
            }
        }
        return out;
    };
    if (value.is_object()) return keep(value);
    if (!value.is_array()) return value;
    json out = json::array();
    for (const json& element : value) {
        if (element.is_object()) out.push_back(keep(element));
    }
    return out;
}

// The members of `object` that `selection` asks for, `extension` being the URN of the
// object (empty for the resource's top level).
json select(const json& object, const std::vector<ProjectedAttribute>& selection,
            std::string_view extension) {
    json out = json::object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool whole = false;
        std::vector<std::string> subs;
        for (const ProjectedAttribute& wanted : selection) {
            if (!iequals(wanted.extension, extension) || !iequals(wanted.attribute, it.key())) {
                continue;
            }
            if (wanted.sub_attribute.empty())
                whole = true;
            else
                subs.push_back(wanted.sub_attribute);
        }
        if (whole) {
            out[it.key()] = it.value();
        } else if (!subs.empty()) {
            out[it.key()] = keep_sub_attributes(it.value(), subs);
        }
    }
    return out;
}

json include_only(const json& resource, const std::vector<ProjectedAttribute>& selection) {
    json out = select(resource, selection, "");
    for (auto it = resource.begin(); it != resource.end(); ++it) {
        if (is_always_returned(it.key())) {
            out[it.key()] = it.value();
            continue;
        }
        if (!it.value().is_object() || !it.key().starts_with("urn:")) continue;
        bool whole = false;
        for (const ProjectedAttribute& wanted : selection) {
            whole = whole || (iequals(wanted.extension, it.key()) && wanted.attribute.empty());
        }
        json part = whole ? it.value() : select(it.value(), selection, it.key());
        if (!part.empty()) out[it.key()] = std::move(part);
    }
    return out;
}

void erase_sub_attribute(json& value, std::string_view sub) {
    if (value.is_object()) detail::erase_attribute(value, sub);
    if (value.is_array()) {
        for (json& element : value) detail::erase_attribute(element, sub);
    }
}

void exclude(json& object, const ProjectedAttribute& unwanted) {
    json* target = &object;
    if (!unwanted.extension.empty()) {
        if (unwanted.attribute.empty()) {
            detail::erase_attribute(object, unwanted.extension);
            return;
        }
        target = detail::find_attribute(object, unwanted.extension);
        if (target == nullptr) return;
    } else if (is_always_returned(unwanted.attribute)) {
        return;
    }
    if (unwanted.sub_attribute.empty()) {
        detail::erase_attribute(*target, unwanted.attribute);
    } else if (json* value = detail::find_attribute(*target, unwanted.attribute)) {
        erase_sub_attribute(*value, unwanted.sub_attribute);
    }
    if (target != &object && target->empty()) detail::erase_attribute(object, unwanted.extension);
}

// A bare extension URN the request could not tell from an attribute of a shorter URN
// (resolve_path had no resource) names the whole extension when the resource has it.
std::vector<ProjectedAttribute> against(const json& resource,
                                        const std::vector<ProjectedAttribute>& list) {
    std::vector<ProjectedAttribute> out = list;
    for (ProjectedAttribute& item : out) {
        if (item.extension.empty() || item.attribute.empty() || !item.sub_attribute.empty()) {
            continue;
        }
        const std::string whole = item.extension + ":" + item.attribute;
        const json* found = detail::find_attribute(resource, whole);
        if (found != nullptr && found->is_object()) item = {whole, "", ""};
    }
    return out;
}

Projection against(const json& resource, const Projection& projection) {
    return {against(resource, projection.attributes),
            against(resource, projection.excluded_attributes)};
}

}  // namespace

Result<Projection> parse_projection(std::optional<std::string_view> attributes,
                                    std::optional<std::string_view> excluded_attributes) {
    const bool has_attributes = attributes && !detail::trim(*attributes).empty();
    const bool has_excluded = excluded_attributes && !detail::trim(*excluded_attributes).empty();
    if (has_attributes && has_excluded) {
        return scim_fail("invalidValue", "Use either attributes or excludedAttributes, not both.");
    }
    Projection projection;
    if (has_attributes) {
        auto list = parse_list(*attributes, "attributes");
        if (!list) return list.error();
        projection.attributes = std::move(*list);
    }
    if (has_excluded) {
        auto list = parse_list(*excluded_attributes, "excludedAttributes");
        if (!list) return list.error();
        projection.excluded_attributes = std::move(*list);
    }
    return projection;
}

json project(const json& resource, const Projection& requested) {
    if (!resource.is_object()) return resource;
    const Projection projection = against(resource, requested);
    json out =
        projection.attributes.empty() ? resource : include_only(resource, projection.attributes);
    for (const ProjectedAttribute& unwanted : projection.excluded_attributes)
        exclude(out, unwanted);
    if (const json* meta = detail::find_attribute(resource, "meta")) {
        if (const json* type = detail::find_attribute(*meta, "resourceType")) {
            json* kept = detail::find_attribute(out, "meta");
            if (kept == nullptr || !kept->is_object()) {
                out["meta"] = json::object();
                kept = &out["meta"];
            }
            if (detail::find_attribute(*kept, "resourceType") == nullptr) {
                (*kept)["resourceType"] = *type;
            }
        }
    }
    detail::erase_attribute(out, "password");
    return out;
}

json project(json&& resource, const Projection& requested) {
    // Keeping a subset builds a new object anyway; only the common case (every attribute
    // returned by default, perhaps minus a few) is worth doing in place.
    if (!resource.is_object() || !requested.attributes.empty()) {
        return project(std::as_const(resource), requested);
    }
    const Projection projection = against(resource, requested);
    json type;
    if (const json* meta = detail::find_attribute(resource, "meta")) {
        if (const json* found = detail::find_attribute(*meta, "resourceType")) type = *found;
    }
    json out = std::move(resource);
    for (const ProjectedAttribute& unwanted : projection.excluded_attributes)
        exclude(out, unwanted);
    if (!type.is_null()) {
        json* kept = detail::find_attribute(out, "meta");
        if (kept == nullptr || !kept->is_object()) {
            out["meta"] = json::object();
            kept = &out["meta"];
        }
        if (detail::find_attribute(*kept, "resourceType") == nullptr) {
            (*kept)["resourceType"] = std::move(type);
        }
    }
    detail::erase_attribute(out, "password");
    return out;
}

}  // namespace gatehouse::scim
