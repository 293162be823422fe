#include "gatehouse/scim/user.hpp"

#include <array>

#include "gatehouse/core/names.hpp"
#include "gatehouse/scim/error.hpp"
#include "json_lookup.hpp"
#include "kept_attributes.hpp"
#include "resource_fields.hpp"
#include "resource_path.hpp"

namespace gatehouse::scim {
namespace {

using detail::find_attribute;
using nlohmann::json;

Result<ScimName> decode_name(const json& body) {
    ScimName name;
    const json* value = find_attribute(body, "name");
    if (value == nullptr || value->is_null()) return name;
    if (!value->is_object()) return scim_fail("invalidValue", "name must be an object.");
    auto given = detail::optional_string(*value, "givenName", "name.givenName");
    if (!given) return given.error();
    auto family = detail::optional_string(*value, "familyName", "name.familyName");
    if (!family) return family.error();
    auto formatted = detail::optional_string(*value, "formatted", "name.formatted");
    if (!formatted) return formatted.error();
    name.given_name = std::move(*given);
    name.family_name = std::move(*family);
    name.formatted = std::move(*formatted);
    return name;
}

Result<ScimEmail> decode_email(const json& entry) {
    if (!entry.is_object()) return scim_fail("invalidValue", "Each email must be an object.");
    auto value = detail::optional_string(entry, "value", "emails.value");
    if (!value) return value.error();
    if (value->empty()) return scim_fail("invalidValue", "Each email needs a non-empty value.");
    auto type = detail::optional_string(entry, "type", "emails.type");
    if (!type) return type.error();
    ScimEmail email{std::move(*value), std::move(*type), false};
    if (const json* primary = find_attribute(entry, "primary");
        primary != nullptr && !primary->is_null()) {
        auto flag = detail::scim_boolean(*primary);
        if (!flag) return scim_fail("invalidValue", "emails.primary must be a boolean.");
        email.primary = *flag;
    }
    return email;
}

Result<std::vector<ScimEmail>> decode_emails(const json& body) {
    std::vector<ScimEmail> emails;
    const json* value = find_attribute(body, "emails");
    if (value == nullptr || value->is_null()) return emails;
    if (!value->is_array()) return scim_fail("invalidValue", "emails must be an array.");
    int primaries = 0;
    for (const json& entry : *value) {
        auto email = decode_email(entry);
        if (!email) return email.error();
        if (email->primary) ++primaries;
        emails.push_back(std::move(*email));
    }
    if (primaries > 1) {
        return scim_fail("invalidValue", "At most one email may be primary.");
    }
    return emails;
}

// Where an IdP may have put the role: plainly, URN-qualified, or inside an object keyed by
// the core schema URN (some IdPs nest custom core attributes that way).
const json* find_org_role(const json& body) {
    if (const json* plain = find_attribute(body, "orgRole")) return plain;
    if (const json* qualified = find_attribute(body, kOrgRoleUrn)) return qualified;
    if (const json* nested = find_attribute(body, kCoreUserSchema)) {
        return find_attribute(*nested, "orgRole");
    }
    return nullptr;
}

Result<std::optional<core::Role>> decode_org_role(const json& body) {
    const json* value = find_org_role(body);
    if (value == nullptr || value->is_null()) return std::optional<core::Role>{};
    if (!value->is_string()) {
        return scim_fail("invalidValue",
                         "orgRole must be a string: one of admin, manager, billing, member.");
    }
    return parse_org_role(value->get<std::string>());
}

Result<json> decode_enterprise(const json& body) {
    const json* value = find_attribute(body, kEnterpriseUserSchema);
    if (value == nullptr || value->is_null()) return json();
    if (auto checked = detail::check_extension(kEnterpriseUserSchema, *value); !checked) {
        return checked.error();
    }
    return *value;
}

// The name parts kept as sent (middleName, honorificPrefix, honorificSuffix); the other
// three are ScimName's. Unknown parts are reported as ignored.
Result<json> decode_other_name_parts(const json& body, std::vector<std::string>& ignored) {
    json parts = json::object();
    const json* value = find_attribute(body, "name");
    if (value == nullptr || !value->is_object()) return parts;
    for (auto it = value->begin(); it != value->end(); ++it) {
        if (it.value().is_null()) continue;
        bool kept = false;
        for (const detail::KeptSubAttribute& part : detail::kept_name_parts()) {
            if (!detail::iequals(part.name, it.key())) continue;
            if (!it.value().is_string()) {
                return scim_fail("invalidValue",
                                 "name." + std::string(part.name) + " must be a string.");
            }
            parts[std::string(part.name)] = it.value();
            kept = true;
        }
        const bool read = detail::iequals(it.key(), "givenName") ||
                          detail::iequals(it.key(), "familyName") ||
                          detail::iequals(it.key(), "formatted");
        if (!kept && !read) ignored.push_back("name." + it.key());
    }
    return parts;
}

// Top-level names decode_user reads itself, or drops because the server owns them.
bool is_read_elsewhere(std::string_view name) {
    static constexpr std::array<std::string_view, 14> kRead = {
        "schemas",       "id",
        "meta",          "groups",
        "password",      "userName",
        "externalId",    "displayName",
        "name",          "emails",
        "active",        "orgRole",
        kCoreUserSchema, kEnterpriseUserSchema};
    for (std::string_view known : kRead) {
        if (detail::iequals(name, known)) return true;
    }
    return false;
}

// `name` without a "urn:…:core:2.0:User:" qualifier.
std::string_view unqualified(std::string_view name) {
    const std::string_view prefix = kCoreUserSchema;
    if (name.size() > prefix.size() && name[prefix.size()] == ':' &&
        detail::iequals(name.substr(0, prefix.size()), prefix)) {
        return name.substr(prefix.size() + 1);
    }
    return name;
}

// Keeps every member of `body` that decode_user does not read itself and that the core
// User schema or an extension defines; lists the rest in user.ignored.
Status decode_kept(const json& body, ScimUser& user) {
    auto name_parts = decode_other_name_parts(body, user.ignored);
    if (!name_parts) return name_parts.error();
    if (!name_parts->empty()) user.attributes["name"] = std::move(*name_parts);
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string_view name = unqualified(it.key());
        if (is_read_elsewhere(name) || it.value().is_null()) continue;
        if (detail::is_extension_name(name)) {
            if (auto checked = detail::check_extension(it.key(), it.value()); !checked) {
                return checked;
            }
            user.attributes[it.key()] = it.value();
        } else if (const detail::KeptAttribute* kept = detail::find_kept_user_attribute(name)) {
            auto checked = detail::check_kept_value(*kept, it.value());
            if (!checked) return checked.error();
            user.attributes[std::string(kept->name)] = std::move(*checked);
        } else {
            user.ignored.push_back(it.key());
        }
    }
    return detail::check_kept_size(json::array({user.attributes, user.enterprise}));
}

json encode_name(const ScimName& name, const json& other_parts) {
    json out = other_parts.is_object() ? other_parts : json::object();
    if (!name.formatted.empty()) out["formatted"] = name.formatted;
    if (!name.family_name.empty()) out["familyName"] = name.family_name;
    if (!name.given_name.empty()) out["givenName"] = name.given_name;
    return out;
}

}  // namespace

Result<std::optional<core::Role>> parse_org_role(std::string_view value) {
    const std::string text = detail::trim(value);
    if (text.empty()) return std::optional<core::Role>{};
    const auto role = core::parse_role(text);
    if (!role || *role == core::Role::owner) {
        return scim_fail("invalidValue", "orgRole \"" + text +
                                             "\" is not allowed; use one of admin, manager, "
                                             "billing, member, or leave it blank for the "
                                             "organization's default role.");
    }
    return std::optional<core::Role>{role};
}

Result<ScimUser> decode_user(const json& body) {
    if (auto schemas = detail::check_schemas(body, kCoreUserSchema); !schemas) {
        return schemas.error();
    }
    ScimUser user;
    auto user_name = detail::optional_string(body, "userName", "userName");
    if (!user_name) return user_name.error();
    if (detail::trim(*user_name).empty()) {
        return scim_fail("invalidValue", "userName is required and must not be blank.");
    }
    user.user_name = std::move(*user_name);
    auto external_id = detail::optional_string(body, "externalId", "externalId");
    if (!external_id) return external_id.error();
    user.external_id = std::move(*external_id);
    auto display_name = detail::optional_string(body, "displayName", "displayName");
    if (!display_name) return display_name.error();
    user.display_name = std::move(*display_name);
    auto name = decode_name(body);
    if (!name) return name.error();
    user.name = std::move(*name);
    auto emails = decode_emails(body);
    if (!emails) return emails.error();
    user.emails = std::move(*emails);
    if (const json* active = find_attribute(body, "active");
        active != nullptr && !active->is_null()) {
        auto flag = detail::scim_boolean(*active);
        if (!flag) return scim_fail("invalidValue", "active must be a boolean.");
        user.active = *flag;
    }
    auto role = decode_org_role(body);
    if (!role) return role.error();
    user.org_role = *role;
    auto enterprise = decode_enterprise(body);
    if (!enterprise) return enterprise.error();
    user.enterprise = std::move(*enterprise);
    if (auto kept = decode_kept(body, user); !kept) return kept.error();
    return user;
}

json encode_user(const ScimUser& user, const ResourceMeta& meta, std::string_view base_url,
                 const std::vector<ScimGroupRef>& groups) {
    const bool has_enterprise = user.enterprise.is_object() && !user.enterprise.empty();
    json schemas = json::array({std::string(kCoreUserSchema)});
    if (has_enterprise) schemas.push_back(std::string(kEnterpriseUserSchema));
    json out = json::object();
    json other_name_parts;
    if (user.attributes.is_object()) {
        for (auto it = user.attributes.begin(); it != user.attributes.end(); ++it) {
            if (it.key() == "name") {
                other_name_parts = it.value();
                continue;
            }
            if (detail::is_extension_name(it.key())) schemas.push_back(it.key());
            out[it.key()] = it.value();
        }
    }
    out["schemas"] = std::move(schemas);
    out["id"] = user.id;
    if (!user.external_id.empty()) out["externalId"] = user.external_id;
    out["userName"] = user.user_name;
    if (json name = encode_name(user.name, other_name_parts); !name.empty()) {
        out["name"] = std::move(name);
    }
    if (!user.display_name.empty()) out["displayName"] = user.display_name;
    if (!user.emails.empty()) {
        json emails = json::array();
        for (const ScimEmail& email : user.emails) {
            json entry = {{"value", email.value}};
            if (!email.type.empty()) entry["type"] = email.type;
            entry["primary"] = email.primary;
            emails.push_back(std::move(entry));
        }
        out["emails"] = std::move(emails);
    }
    out["active"] = user.active;
    if (user.org_role) out["orgRole"] = std::string(core::to_string(*user.org_role));
    if (has_enterprise) out[std::string(kEnterpriseUserSchema)] = user.enterprise;
    if (!groups.empty()) {
        const std::string base = trim_base_url(base_url);
        json list = json::array();
        for (const ScimGroupRef& group : groups) {
            json entry = {{"value", group.value}, {"$ref", base + "/Groups/" + group.value}};
            if (!group.display.empty()) entry["display"] = group.display;
            list.push_back(std::move(entry));
        }
        out["groups"] = std::move(list);
    }
    out["meta"] = encode_meta(meta, "User", base_url, "Users", user.id);
    return out;
}

std::string preferred_email(const ScimUser& user) {
    for (const ScimEmail& email : user.emails) {
        if (email.primary) return email.value;
    }
    return user.emails.empty() ? std::string() : user.emails.front().value;
}

json encode_meta(const ResourceMeta& meta, std::string_view resource_type,
                 std::string_view base_url, std::string_view endpoint, std::string_view id) {
    return {
        {"resourceType", resource_type},
        {"created", util::format_iso8601(meta.created)},
        {"lastModified", util::format_iso8601(meta.last_modified)},
        {"location", trim_base_url(base_url) + "/" + std::string(endpoint) + "/" + std::string(id)},
        {"version", "W/\"" + std::to_string(meta.version) + "\""},
    };
}

std::string trim_base_url(std::string_view base_url) {
    while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
    return std::string(base_url);
}

}  // namespace gatehouse::scim
