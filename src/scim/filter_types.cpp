// Attribute types for filters: the lookup table, the RFC 7643 defaults, and the checks that
// RFC 7644 §3.4.2.2 makes depend on an attribute's type.
#include <string>
#include <string_view>

#include "gatehouse/scim/filter.hpp"
#include "json_lookup.hpp"

namespace gatehouse::scim {
namespace {

std::string_view type_name(AttributeType type) {
    switch (type) {
        case AttributeType::string:
            return "string";
        case AttributeType::boolean:
            return "boolean";
        case AttributeType::decimal:
            return "decimal";
        case AttributeType::integer:
            return "integer";
        case AttributeType::date_time:
            return "dateTime";
        case AttributeType::binary:
            return "binary";
        case AttributeType::reference:
            return "reference";
        case AttributeType::complex:
            return "complex";
    }
    return "unknown";
}

std::string display_path(const AttributePath& path, std::string_view parent) {
    std::string text = parent.empty() ? std::string() : std::string(parent) + "[";
    if (!path.urn.empty()) text += path.urn + ":";
    text += path.attribute;
    if (!path.sub_attribute.empty()) text += "." + path.sub_attribute;
    if (!parent.empty()) text += "]";
    return text;
}

Status validate(const Filter& filter, const AttributeTypes& types, std::string_view parent) {
    if (const auto* comparison = std::get_if<Comparison>(&filter.node)) {
        const AttributeType type = types.compared(comparison->attribute, parent).type;
        const CompareOp op = comparison->op;
        const bool ordering = op == CompareOp::gt || op == CompareOp::ge || op == CompareOp::lt ||
                              op == CompareOp::le;
        const bool substring = op == CompareOp::co || op == CompareOp::sw || op == CompareOp::ew;
        const bool unordered = type == AttributeType::boolean || type == AttributeType::binary;
        const bool textual = type == AttributeType::string || type == AttributeType::reference ||
                             type == AttributeType::date_time;
        if ((ordering && unordered) || (substring && !textual)) {
            // Appended rather than `"\"" + …`: GCC 12 at -O3 takes that prepend for an
            // overlapping memcpy and warns (-Wrestrict, a false positive).
            std::string message = "\"";
            message.append(display_path(comparison->attribute, parent))
                .append("\" is a ")
                .append(type_name(type))
                .append(" attribute, which ")
                .append(ordering ? "has no order" : "has no substrings")
                .append(" to compare against");
            return fail(std::string(kInvalidFilterCode), message);
        }
        return {};
    }
    if (const auto* junction = std::get_if<Junction>(&filter.node)) {
        for (const auto& operand : junction->operands) {
            if (auto status = validate(*operand, types, parent); !status) return status;
        }
        return {};
    }
    if (const auto* negation = std::get_if<Negation>(&filter.node)) {
        return validate(*negation->operand, types, parent);
    }
    if (const auto* value_path = std::get_if<ValuePath>(&filter.node)) {
        return validate(*value_path->filter, types, attribute_key(value_path->attribute));
    }
    return {};
}

}  // namespace

bool is_core_schema(std::string_view urn) {
    return detail::iequals(urn, kCoreUserSchema) || detail::iequals(urn, kCoreGroupSchema);
}

std::string attribute_key(const AttributePath& path, std::string_view parent) {
    std::string key;
    if (!parent.empty()) {
        key = detail::lowercase(parent) + ".";
    } else if (!path.urn.empty() && !is_core_schema(path.urn)) {
        key = detail::lowercase(path.urn) + ":";
    }
    key += detail::lowercase(path.attribute);
    if (!path.sub_attribute.empty()) {
        key += '.';
        key += detail::lowercase(path.sub_attribute);
    }
    return key;
}

void AttributeTypes::set(std::string_view path, AttributeTraits traits) {
    traits_.insert_or_assign(detail::lowercase(path), traits);
}

AttributeTraits AttributeTypes::lookup(const AttributePath& path, std::string_view parent) const {
    const auto found = traits_.find(attribute_key(path, parent));
    return found == traits_.end() ? AttributeTraits{} : found->second;
}

AttributeTraits AttributeTypes::compared(const AttributePath& path, std::string_view parent) const {
    const AttributeTraits traits = lookup(path, parent);
    if (traits.type != AttributeType::complex || !path.sub_attribute.empty()) return traits;
    AttributePath value = path;
    value.sub_attribute = "value";
    return lookup(value, parent);
}

const AttributeTypes& AttributeTypes::scim_core() {
    static const AttributeTypes table = [] {
        using T = AttributeType;
        const AttributeTraits exact{T::string, true, false};
        const AttributeTraits boolean{T::boolean, false, false};
        const AttributeTraits date_time{T::date_time, false, false};
        const AttributeTraits reference{T::reference, true, false};
        const AttributeTraits complex{T::complex, false, false};
        const AttributeTraits complex_list{T::complex, false, true};

        AttributeTypes types;
        // RFC 7643 §3.1: common attributes and meta.
        types.set("schemas", AttributeTraits{T::reference, true, true});
        types.set("id", exact);
        types.set("externalId", exact);
        types.set("meta", complex);
        types.set("meta.resourceType", exact);
        types.set("meta.created", date_time);
        types.set("meta.lastModified", date_time);
        types.set("meta.location", reference);
        types.set("meta.version", exact);

        // §4.1: User. Singular strings not listed here (userName, displayName, title, …)
        // take the default: case-insensitive string.
        types.set("name", complex);
        types.set("profileUrl", AttributeTraits{T::reference, false, false});
        types.set("active", boolean);
        for (std::string_view list : {"emails", "phoneNumbers", "ims", "photos", "addresses",
                                      "entitlements", "roles", "x509Certificates"}) {
            const std::string prefix(list);
            types.set(prefix, complex_list);
            types.set(prefix + ".primary", boolean);
        }
        types.set("photos.value", AttributeTraits{T::reference, false, false});
        types.set("x509Certificates.value", AttributeTraits{T::binary, true, false});
        types.set("groups", complex_list);
        types.set("groups.$ref", reference);

        // §4.2: Group.
        types.set("members", complex_list);
        types.set("members.$ref", reference);

        // §4.3: enterprise User extension.
        const std::string enterprise = std::string(kEnterpriseUserSchema) + ":";
        types.set(enterprise + "manager", complex);
        types.set(enterprise + "manager.$ref", reference);
        return types;
    }();
    return table;
}

Status validate_filter(const Filter& filter, const AttributeTypes& types) {
    return validate(filter, types, {});
}

}  // namespace gatehouse::scim
