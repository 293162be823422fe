#include "kept_attributes.hpp"

#include <algorithm>
#include <array>

#include "gatehouse/scim/error.hpp"
#include "json_lookup.hpp"

namespace gatehouse::scim::detail {
namespace {

using nlohmann::json;
using T = AttributeType;

constexpr std::array<KeptSubAttribute, 4> kPlural = {
    {{"value"}, {"display"}, {"type"}, {"primary", T::boolean}}};
constexpr std::array<KeptSubAttribute, 4> kPhotos = {
    {{"value", T::reference}, {"display"}, {"type"}, {"primary", T::boolean}}};
constexpr std::array<KeptSubAttribute, 4> kCertificates = {
    {{"value", T::binary}, {"display"}, {"type"}, {"primary", T::boolean}}};
constexpr std::array<KeptSubAttribute, 8> kAddresses = {{{"formatted"},
                                                         {"streetAddress"},
                                                         {"locality"},
                                                         {"region"},
                                                         {"postalCode"},
                                                         {"country"},
                                                         {"type"},
                                                         {"primary", T::boolean}}};
constexpr std::array<KeptSubAttribute, 3> kNameParts = {
    {{"middleName"}, {"honorificPrefix"}, {"honorificSuffix"}}};

constexpr std::array<KeptAttribute, 14> kAttributes = {{
    {"nickName", T::string, false, "The casual name of the user.", {}},
    {"profileUrl", T::reference, false, "A URI of the user's online profile.", {}},
    {"title", T::string, false, "The user's title, such as \"Vice President\".", {}},
    {"userType", T::string, false, "The user's relation to the organization.", {}},
    {"preferredLanguage", T::string, false, "The user's preferred language (RFC 7231).", {}},
    {"locale", T::string, false, "The user's default location, such as \"en-US\".", {}},
    {"timezone", T::string, false, "The user's time zone, such as \"Europe/Berlin\".", {}},
    {"phoneNumbers", T::complex, true, "Phone numbers.", kPlural},
    {"ims", T::complex, true, "Instant messaging addresses.", kPlural},
    {"photos", T::complex, true, "URLs of photos of the user.", kPhotos},
    {"addresses", T::complex, true, "Physical mailing addresses.", kAddresses},
    {"entitlements", T::complex, true, "Entitlements, kept as sent.", kPlural},
    {"roles", T::complex, true, "Roles, kept as sent; orgRole sets the role.", kPlural},
    {"x509Certificates", T::complex, true, "Certificates of the user.", kCertificates},
}};

Error invalid(std::string detail) { return scim_fail("invalidValue", std::move(detail)); }

// Nesting depth of `value` (0 for a scalar), counted no further than `limit` + 1.
std::size_t depth(const json& value, std::size_t limit) {
    if (!value.is_structured()) return 0;
    if (limit == 0) return 1;
    std::size_t deepest = 0;
    for (const json& child : value) deepest = std::max(deepest, depth(child, limit - 1));
    return deepest + 1;
}

Result<json> check_element(const KeptAttribute& attribute, const json& element) {
    const std::string name(attribute.name);
    if (!element.is_object()) return invalid("Each value of " + name + " must be an object.");
    json out = json::object();
    for (auto it = element.begin(); it != element.end(); ++it) {
        if (it.value().is_null()) continue;
        const std::string label = name + "." + it.key();
        const KeptSubAttribute* known = nullptr;
        for (const KeptSubAttribute& sub : attribute.sub_attributes) {
            if (iequals(sub.name, it.key())) known = &sub;
        }
        if (known != nullptr && known->type == T::boolean) {
            const auto flag = scim_boolean(it.value());
            if (!flag) return invalid(label + " must be a boolean.");
            out[std::string(known->name)] = *flag;
        } else if (known != nullptr) {
            if (!it.value().is_string()) return invalid(label + " must be a string.");
            out[std::string(known->name)] = it.value();
        } else {
            if (it.value().is_structured()) {
                return invalid(label + " must be a string, number or boolean.");
            }
            out[it.key()] = it.value();
        }
    }
    return out;
}

}  // namespace

std::span<const KeptAttribute> kept_user_attributes() { return kAttributes; }

std::span<const KeptSubAttribute> kept_name_parts() { return kNameParts; }

const KeptAttribute* find_kept_user_attribute(std::string_view name) {
    for (const KeptAttribute& attribute : kAttributes) {
        if (iequals(attribute.name, name)) return &attribute;
    }
    return nullptr;
}

Result<json> check_kept_value(const KeptAttribute& attribute, const json& value) {
    const std::string name(attribute.name);
    if (!attribute.multi_valued) {
        if (!value.is_string()) return invalid(name + " must be a string.");
        return value;
    }
    if (!value.is_array()) return invalid(name + " must be an array of objects.");
    json out = json::array();
    int primaries = 0;
    for (const json& element : value) {
        auto checked = check_element(attribute, element);
        if (!checked) return checked.error();
        if (checked->value("primary", false)) ++primaries;
        out.push_back(std::move(*checked));
    }
    if (primaries > 1) return invalid("At most one value of " + name + " may be primary.");
    return out;
}

Status check_extension(std::string_view urn, const json& value) {
    if (!value.is_object()) {
        return invalid("The extension " + std::string(urn) + " must be an object.");
    }
    if (depth(value, kMaxExtensionDepth) > kMaxExtensionDepth) {
        return invalid("The extension " + std::string(urn) + " nests deeper than " +
                       std::to_string(kMaxExtensionDepth) +
                       " levels (object, multi-valued attribute, complex value); SCIM "
                       "attributes nest no deeper.");
    }
    return {};
}

Status check_kept_size(const json& kept) {
    const std::size_t size = kept.dump().size();
    if (size > kMaxKeptBytes) {
        return invalid("The extensions and other attributes kept as sent take " +
                       std::to_string(size) + " bytes of JSON; at most " +
                       std::to_string(kMaxKeptBytes) + " are kept per resource.");
    }
    return {};
}

}  // namespace gatehouse::scim::detail
