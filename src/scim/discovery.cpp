#include "gatehouse/scim/discovery.hpp"

#include <string>
#include <vector>

#include "gatehouse/scim/error.hpp"
#include "gatehouse/scim/list.hpp"
#include "gatehouse/scim/user.hpp"
#include "json_lookup.hpp"
#include "kept_attributes.hpp"

namespace gatehouse::scim {
namespace {

using nlohmann::json;

// One RFC 7643 §7 attribute definition. Defaults are those of RFC 7643 §2.2.
struct AttributeSpec {
    std::string_view name;
    std::string_view type = "string";
    std::string_view description = "";
    bool multi_valued = false;
    bool required = false;
    bool case_exact = false;
    std::string_view mutability = "readWrite";
    std::string_view returned = "default";
    std::string_view uniqueness = "none";
    std::vector<std::string_view> canonical_values = {};
    std::vector<std::string_view> reference_types = {};
    std::vector<json> sub_attributes = {};
};

json define(const AttributeSpec& spec) {
    json out = {{"name", spec.name},
                {"type", spec.type},
                {"multiValued", spec.multi_valued},
                {"description", spec.description},
                {"required", spec.required},
                {"caseExact", spec.case_exact},
                {"mutability", spec.mutability},
                {"returned", spec.returned},
                {"uniqueness", spec.uniqueness}};
    if (!spec.canonical_values.empty()) out["canonicalValues"] = spec.canonical_values;
    if (!spec.reference_types.empty()) out["referenceTypes"] = spec.reference_types;
    if (!spec.sub_attributes.empty()) out["subAttributes"] = spec.sub_attributes;
    return out;
}

std::string_view type_name(AttributeType type) {
    switch (type) {
        case AttributeType::boolean:
            return "boolean";
        case AttributeType::reference:
            return "reference";
        case AttributeType::binary:
            return "binary";
        case AttributeType::complex:
            return "complex";
        default:
            return "string";
    }
}

json define_kept(const detail::KeptAttribute& attribute) {
    std::vector<json> subs;
    for (const detail::KeptSubAttribute& sub : attribute.sub_attributes) {
        subs.push_back(define({.name = sub.name, .type = type_name(sub.type)}));
    }
    return define({.name = attribute.name,
                   .type = type_name(attribute.type),
                   .description = attribute.description,
                   .multi_valued = attribute.multi_valued,
                   .sub_attributes = std::move(subs)});
}

std::vector<json> name_parts() {
    std::vector<json> parts = {define({.name = "formatted"}), define({.name = "familyName"}),
                               define({.name = "givenName"})};
    for (const detail::KeptSubAttribute& part : detail::kept_name_parts()) {
        parts.push_back(define({.name = part.name}));
    }
    return parts;
}

json user_attributes() {
    json attributes = json::array({
        define({.name = "userName",
                .description = "Unique identifier for the user, typically their sign-in name.",
                .required = true,
                .uniqueness = "server"}),
        define({.name = "name",
                .type = "complex",
                .description = "The components of the user's name, kept as sent.",
                .sub_attributes = name_parts()}),
        define({.name = "displayName", .description = "The name shown for the user."}),
        define({.name = "emails",
                .type = "complex",
                .description = "Email addresses; the primary one is the member's address.",
                .multi_valued = true,
                .sub_attributes = {define({.name = "value"}),
                                   define({.name = "type",
                                           .canonical_values = {"work", "home", "other"}}),
                                   define({.name = "primary", .type = "boolean"})}}),
        define({.name = "active",
                .type = "boolean",
                .description = "false deactivates the member and ends their sessions."}),
        define({.name = "orgRole",
                .description = "The member's organization role; blank means the "
                               "organization's default role. owner cannot be provisioned.",
                .canonical_values = {"admin", "manager", "billing", "member"}}),
        define({.name = "groups",
                .type = "complex",
                .description = "The groups the user belongs to; change them through Groups.",
                .multi_valued = true,
                .mutability = "readOnly",
                .sub_attributes = {define({.name = "value", .mutability = "readOnly"}),
                                   define({.name = "$ref",
                                           .type = "reference",
                                           .mutability = "readOnly",
                                           .reference_types = {"Group"}}),
                                   define({.name = "display", .mutability = "readOnly"})}}),
    });
    for (const detail::KeptAttribute& attribute : detail::kept_user_attributes()) {
        attributes.push_back(define_kept(attribute));
    }
    return attributes;
}

json enterprise_attributes() {
    return json::array({
        define({.name = "employeeNumber"}),
        define({.name = "costCenter"}),
        define({.name = "organization"}),
        define({.name = "division"}),
        define({.name = "department"}),
        define({.name = "manager",
                .type = "complex",
                .description = "The user's manager, kept as sent.",
                .sub_attributes =
                    {define({.name = "value"}),
                     define({.name = "$ref", .type = "reference", .reference_types = {"User"}}),
                     define({.name = "displayName", .mutability = "readOnly"})}}),
    });
}

json group_attributes() {
    return json::array({
        define({.name = "displayName",
                .description = "The group's name; it becomes the team slug.",
                .required = true}),
        define({.name = "members",
                .type = "complex",
                .description = "The users in the group.",
                .multi_valued = true,
                .sub_attributes = {define({.name = "value", .mutability = "immutable"}),
                                   define({.name = "$ref",
                                           .type = "reference",
                                           .mutability = "immutable",
                                           .reference_types = {"User"}}),
                                   define({.name = "type",
                                           .mutability = "immutable",
                                           .canonical_values = {"User"}}),
                                   define({.name = "display", .mutability = "readOnly"})}}),
    });
}

json discovery_meta(std::string_view resource_type, const std::string& location) {
    return {{"resourceType", resource_type}, {"location", location}};
}

std::vector<json> all_schemas(std::string_view base_url) {
    const std::string base = trim_base_url(base_url) + "/Schemas/";
    auto make = [&](std::string_view id, std::string_view name, std::string_view description,
                    json attributes) {
        return json{{"schemas", json::array({std::string(kSchemaSchema)})},
                    {"id", id},
                    {"name", name},
                    {"description", description},
                    {"attributes", std::move(attributes)},
                    {"meta", discovery_meta("Schema", base + std::string(id))}};
    };
    return {
        make(kCoreUserSchema, "User", "User Account", user_attributes()),
        make(kEnterpriseUserSchema, "EnterpriseUser", "Enterprise User", enterprise_attributes()),
        make(kCoreGroupSchema, "Group", "Group", group_attributes())};
}

std::vector<json> all_resource_types(std::string_view base_url) {
    const std::string base = trim_base_url(base_url) + "/ResourceTypes/";
    json user = {{"schemas", json::array({std::string(kResourceTypeSchema)})},
                 {"id", "User"},
                 {"name", "User"},
                 {"endpoint", "/Users"},
                 {"description", "Organization members"},
                 {"schema", kCoreUserSchema},
                 {"schemaExtensions",
                  json::array({{{"schema", kEnterpriseUserSchema}, {"required", false}}})},
                 {"meta", discovery_meta("ResourceType", base + "User")}};
    json group = {{"schemas", json::array({std::string(kResourceTypeSchema)})},
                  {"id", "Group"},
                  {"name", "Group"},
                  {"endpoint", "/Groups"},
                  {"description", "Teams"},
                  {"schema", kCoreGroupSchema},
                  {"meta", discovery_meta("ResourceType", base + "Group")}};
    return {std::move(user), std::move(group)};
}

Result<json> find_by_id(std::vector<json> documents, std::string_view id, std::string_view kind) {
    for (json& document : documents) {
        if (detail::iequals(document["id"].get_ref<const std::string&>(), id)) {
            return std::move(document);
        }
    }
    return scim_not_found("No " + std::string(kind) + " with id \"" + std::string(id) + "\".");
}

}  // namespace

json service_provider_config(std::string_view base_url) {
    return {
        {"schemas", json::array({std::string(kServiceProviderConfigSchema)})},
        {"patch", {{"supported", true}}},
        {"bulk", {{"supported", false}, {"maxOperations", 0}, {"maxPayloadSize", 0}}},
        {"filter", {{"supported", true}, {"maxResults", kMaxPageSize}}},
        {"changePassword", {{"supported", false}}},
        {"sort", {{"supported", false}}},
        {"etag", {{"supported", true}}},
        {"authenticationSchemes",
         json::array(
             {{{"type", "oauthbearertoken"},
               {"name", "OAuth Bearer Token"},
               {"description", "The organization's SCIM token in the Authorization header."},
               {"primary", true}}})},
        {"meta", discovery_meta("ServiceProviderConfig",
                                trim_base_url(base_url) + "/ServiceProviderConfig")},
    };
}

json resource_types(std::string_view base_url) {
    std::vector<json> documents = all_resource_types(base_url);
    const auto total = static_cast<std::int64_t>(documents.size());
    return list_response(std::move(documents), total, 1);
}

Result<json> resource_type(std::string_view id, std::string_view base_url) {
    return find_by_id(all_resource_types(base_url), id, "resource type");
}

json schemas(std::string_view base_url) {
    std::vector<json> documents = all_schemas(base_url);
    const auto total = static_cast<std::int64_t>(documents.size());
    return list_response(std::move(documents), total, 1);
}

Result<json> schema(std::string_view id, std::string_view base_url) {
    return find_by_id(all_schemas(base_url), id, "schema");
}

}  // namespace gatehouse::scim
