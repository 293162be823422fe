#include "gatehouse/saml/attribute_mapping.hpp"

#include <algorithm>
#include <cctype>

namespace gatehouse::saml {
namespace {

constexpr std::string_view kWsClaims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/";

std::string claim(std::string_view suffix) { return std::string(kWsClaims) + std::string(suffix); }

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// The first non-blank value of `name`, or empty when unmapped or absent.
std::string first_value(const SamlAttributes& attributes, const std::string& name) {
    if (name.empty()) return {};
    const auto found = attributes.find(name);
    if (found == attributes.end()) return {};
    for (const auto& value : found->second) {
        if (const auto trimmed = trim(value); !trimmed.empty()) return std::string(trimmed);
    }
    return {};
}

std::vector<std::string> all_values(const SamlAttributes& attributes, const std::string& name) {
    std::vector<std::string> out;
    if (name.empty()) return out;
    const auto found = attributes.find(name);
    if (found == attributes.end()) return out;
    for (const auto& value : found->second) {
        if (const auto trimmed = trim(value); !trimmed.empty()) out.emplace_back(trimmed);
    }
    return out;
}

}  // namespace

Result<core::AttributeMapping> mapping_preset(std::string_view preset) {
    const std::string name = lowercase(preset);
    if (name == "okta") {
        // Okta sends the attribute statements the admin types; these are the names Okta's
        // own integration guides use. Its NameID is the stable Okta user ID or the login.
        return core::AttributeMapping{.user_id = "",
                                      .email = "email",
                                      .first_name = "firstName",
                                      .last_name = "lastName",
                                      .role = "",
                                      .groups = "groups"};
    }
    if (name == "entra" || name == "azure") {
        // The NameID Entra sends by default is the user principal name, which can change;
        // the object identifier never does.
        return core::AttributeMapping{
            .user_id = "http://schemas.microsoft.com/identity/claims/objectidentifier",
            .email = claim("emailaddress"),
            .first_name = claim("givenname"),
            .last_name = claim("surname"),
            .role = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
            .groups = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"};
    }
    if (name == "auth0") {
        return core::AttributeMapping{.user_id = claim("nameidentifier"),
                                      .email = claim("emailaddress"),
                                      .first_name = claim("givenname"),
                                      .last_name = claim("surname"),
                                      .role = "",
                                      .groups = "http://schemas.xmlsoap.org/claims/Group"};
    }
    if (name == "onelogin") {
        return core::AttributeMapping{.user_id = "PersonImmutableID",
                                      .email = "User.email",
                                      .first_name = "User.FirstName",
                                      .last_name = "User.LastName",
                                      .role = "",
                                      .groups = "memberOf"};
    }
    if (name == "generic") {
        return core::AttributeMapping{.user_id = "",
                                      .email = "email",
                                      .first_name = "firstName",
                                      .last_name = "lastName",
                                      .role = "role",
                                      .groups = "groups"};
    }
    return fail("saml.preset.unknown", "Unknown attribute mapping preset \"" + std::string(preset) +
                                           "\"; use okta, entra, auth0, onelogin or generic.");
}

std::vector<std::string> mapping_preset_names() {
    return {"okta", "entra", "auth0", "onelogin", "generic"};
}

bool looks_like_email(std::string_view text) {
    const auto at = text.find('@');
    if (at == std::string_view::npos || at == 0 ||
        text.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const std::string_view domain = text.substr(at + 1);
    const auto dot = domain.find('.');
    if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7F;
    });
}

Result<MappedIdentity> map_identity(std::string_view name_id, const SamlAttributes& attributes,
                                    const core::AttributeMapping& mapping) {
    MappedIdentity identity;
    const std::string subject(trim(name_id));

    identity.user_id = mapping.user_id.empty() ? subject : first_value(attributes, mapping.user_id);
    if (identity.user_id.empty()) {
        return fail("saml.attribute.user_id_missing",
                    mapping.user_id.empty()
                        ? "The assertion has no NameID to use as the user ID."
                        : "The assertion lacks the user ID attribute \"" + mapping.user_id + "\".");
    }

    identity.email = first_value(attributes, mapping.email);
    if (!identity.email.empty() && !looks_like_email(identity.email)) {
        return fail("saml.attribute.email_invalid",
                    "The email attribute \"" + mapping.email + "\" is not an email address.");
    }
    // IdPs configured with an emailAddress NameID often send no separate email attribute.
    if (identity.email.empty() && looks_like_email(subject)) identity.email = subject;
    if (identity.email.empty()) {
        return fail("saml.attribute.email_missing",
                    mapping.email.empty()
                        ? "No email attribute is mapped and the NameID is not an email address."
                        : "The assertion lacks the email attribute \"" + mapping.email +
                              "\" and the NameID is not an email address.");
    }

    identity.first_name = first_value(attributes, mapping.first_name);
    identity.last_name = first_value(attributes, mapping.last_name);
    identity.role = first_value(attributes, mapping.role);
    identity.groups = all_values(attributes, mapping.groups);
    return identity;
}

}  // namespace gatehouse::saml
