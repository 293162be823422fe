#include "resource_fields.hpp"

#include "gatehouse/scim/error.hpp"
#include "json_lookup.hpp"
#include "resource_path.hpp"

namespace gatehouse::scim::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return std::string(text);
}

Result<std::string> optional_string(const nlohmann::json& object, std::string_view name,
                                    std::string_view label) {
    const nlohmann::json* value = find_attribute(object, name);
    if (value == nullptr || value->is_null()) return std::string();
    if (!value->is_string()) {
        return scim_fail("invalidValue", std::string(label) + " must be a string.");
    }
    return value->get<std::string>();
}

Status check_schemas(const nlohmann::json& body, std::string_view required) {
    if (!body.is_object()) {
        return scim_fail("invalidSyntax", "The request body must be a JSON object.");
    }
    const nlohmann::json* schemas = find_attribute(body, "schemas");
    if (schemas == nullptr || !schemas->is_array()) {
        return scim_fail("invalidSyntax", "schemas is required and must be an array of URNs.");
    }
    bool has_required = false;
    for (const nlohmann::json& urn : *schemas) {
        if (!urn.is_string()) {
            return scim_fail("invalidSyntax", "schemas must be an array of URN strings.");
        }
        const auto& text = urn.get_ref<const std::string&>();
        const bool is_required = iequals(text, required);
        const bool known = is_required || is_extension_name(text);
        if (!known) {
            return scim_fail("invalidValue", "Unknown schema \"" + text + "\" in schemas.");
        }
        has_required = has_required || is_required;
    }
    if (!has_required) {
        return scim_fail("invalidValue", "schemas must include " + std::string(required) + ".");
    }
    return {};
}

}  // namespace gatehouse::scim::detail
