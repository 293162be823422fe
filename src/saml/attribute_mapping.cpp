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

// Names with neither ':' nor '/' are short names ("mail", "User.Email"): IdP consoles let
// admins type them in any case. URIs and OIDs are matched exactly, as SAML defines names.
bool is_short_name(std::string_view name) {
    return name.find(':') == std::string_view::npos && name.find('/') == std::string_view::npos;
}

using Attribute = SamlAttributes::value_type;

// The attribute called `name`: the exact name first, then, for a short name, any spelling
// that differs only in case. Null when unnamed or absent.
const Attribute* find_attribute(const SamlAttributes& attributes, std::string_view name) {
    if (name.empty()) return nullptr;
    if (const auto found = attributes.find(std::string(name)); found != attributes.end()) {
        return &*found;
    }
    if (!is_short_name(name)) return nullptr;
    const std::string wanted = lowercase(name);
    for (const auto& attribute : attributes) {
        if (is_short_name(attribute.first) && lowercase(attribute.first) == wanted) {
            return &attribute;
        }
    }
    return nullptr;
}

// The first non-blank value of `attribute`, trimmed; empty when there is none.
std::string first_value(const Attribute* attribute) {
    if (!attribute) return {};
    for (const auto& value : attribute->second) {
        if (const auto trimmed = trim(value); !trimmed.empty()) return std::string(trimmed);
    }
    return {};
}

std::vector<std::string> all_values(const Attribute* attribute) {
    std::vector<std::string> out;
    if (!attribute) return out;
    for (const auto& value : attribute->second) {
        if (const auto trimmed = trim(value); !trimmed.empty()) out.emplace_back(trimmed);
    }
    return out;
}

// A value and the attribute it was read from.
struct Found {
    std::string value;
    std::string source;
};

// The first non-blank value among `names`, in order, that `accept` takes.
template <typename Accept>
Found first_standard(const SamlAttributes& attributes, const std::vector<std::string>& names,
                     Accept accept) {
    for (const auto& name : names) {
        const Attribute* attribute = find_attribute(attributes, name);
        if (std::string value = first_value(attribute); !value.empty() && accept(value)) {
            return {std::move(value), attribute->first};
        }
    }
    return {};
}

// The mapped attribute's value when it has one, else the first standard one.
Found mapped_or_standard(const SamlAttributes& attributes, const std::string& mapped,
                         const std::vector<std::string>& standard) {
    const Attribute* attribute = find_attribute(attributes, mapped);
    if (std::string value = first_value(attribute); !value.empty()) {
        return {std::move(value), attribute->first};
    }
    return first_standard(attributes, standard, [](const std::string&) { return true; });
}

const std::vector<std::string> kEmailNames = {
    "email",
    "mail",
    "emailAddress",
    "User.Email",
    claim("emailaddress"),
    "http://schemas.xmlsoap.org/claims/EmailAddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "urn:oid:1.2.840.113549.1.9.1",
};
// User principal names: often, not always, the person's address, so they count only when
// they look like one, and only after every real email attribute and the NameID.
const std::vector<std::string> kPrincipalNames = {claim("upn"), claim("name")};
const std::vector<std::string> kFirstNameNames = {
    claim("givenname"), "urn:oid:2.5.4.42", "firstName",
    "given_name",       "givenName",        "User.FirstName",
};
const std::vector<std::string> kLastNameNames = {
    claim("surname"), "urn:oid:2.5.4.4", "lastName", "family_name", "surname", "sn",
    "User.LastName",
};
const std::vector<std::string> kDisplayNameNames = {
    "http://schemas.microsoft.com/identity/claims/displayname",
    "displayName",
    "urn:oid:2.16.840.1.113730.3.1.241",
};
const std::vector<std::string> kGroupNames = {
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    "memberOf",
    "groups",
    "http://schemas.xmlsoap.org/claims/Group",
    "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
};

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

std::string describe_received(const MappedIdentity& identity) {
    if (identity.attribute_names.empty()) return "no attributes";
    std::string out = "attributes present: ";
    for (std::size_t i = 0; i < identity.attribute_names.size(); ++i) {
        if (i) out += ", ";
        out += identity.attribute_names[i];
    }
    return out;
}

const std::vector<std::string>& standard_attribute_names(std::string_view field) {
    static const std::vector<std::string> email = [] {
        auto names = kEmailNames;
        names.insert(names.end(), kPrincipalNames.begin(), kPrincipalNames.end());
        return names;
    }();
    static const std::vector<std::string> none;
    if (field == "email") return email;
    if (field == "first_name") return kFirstNameNames;
    if (field == "last_name") return kLastNameNames;
    if (field == "display_name") return kDisplayNameNames;
    if (field == "groups") return kGroupNames;
    return none;
}

std::pair<std::string, std::string> split_display_name(std::string_view display_name) {
    const std::string_view name = trim(display_name);
    const auto space = name.find(' ');
    if (space == std::string_view::npos) return {std::string(name), {}};
    return {std::string(name.substr(0, space)), std::string(trim(name.substr(space + 1)))};
}

Result<MappedIdentity> map_identity(std::string_view name_id, const SamlAttributes& attributes,
                                    const core::AttributeMapping& mapping) {
    MappedIdentity identity;
    for (const auto& attribute : attributes) identity.attribute_names.push_back(attribute.first);
    const std::string subject(trim(name_id));

    if (mapping.user_id.empty()) {
        identity.user_id = subject;
        identity.sources.user_id = "NameID";
    } else {
        const Attribute* attribute = find_attribute(attributes, mapping.user_id);
        identity.user_id = first_value(attribute);
        if (attribute) identity.sources.user_id = attribute->first;
    }
    if (identity.user_id.empty()) {
        return fail("saml.attribute.user_id_missing",
                    mapping.user_id.empty()
                        ? "The assertion has no NameID to use as the user ID."
                        : "The assertion lacks the user ID attribute \"" + mapping.user_id + "\".");
    }

    // The mapped attribute wins, and a value there that is not an address is an error the
    // admin must see rather than a reason to look elsewhere.
    const Attribute* mapped_email = find_attribute(attributes, mapping.email);
    Found email{first_value(mapped_email), mapped_email ? mapped_email->first : ""};
    if (!email.value.empty() && !looks_like_email(email.value)) {
        return fail("saml.attribute.email_invalid",
                    "The email attribute \"" + email.source + "\" is not an email address.");
    }
    const auto is_address = [](const std::string& value) { return looks_like_email(value); };
    if (email.value.empty()) email = first_standard(attributes, kEmailNames, is_address);
    // IdPs configured with an emailAddress NameID often send no separate email attribute.
    if (email.value.empty() && looks_like_email(subject)) email = {subject, "NameID"};
    if (email.value.empty()) email = first_standard(attributes, kPrincipalNames, is_address);
    identity.email = std::move(email.value);
    identity.sources.email = std::move(email.source);

    Found first = mapped_or_standard(attributes, mapping.first_name, kFirstNameNames);
    Found last = mapped_or_standard(attributes, mapping.last_name, kLastNameNames);
    if (first.value.empty() && last.value.empty()) {
        // Only a display name.
        const Found display =
            first_standard(attributes, kDisplayNameNames, [](const std::string&) { return true; });
        auto [given, family] = split_display_name(display.value);
        first = {std::move(given), display.source};
        if (!family.empty()) last = {std::move(family), display.source};
    }
    identity.first_name = std::move(first.value);
    identity.sources.first_name = std::move(first.source);
    identity.last_name = std::move(last.value);
    identity.sources.last_name = std::move(last.source);

    const Attribute* role = find_attribute(attributes, mapping.role);
    identity.role = first_value(role);
    if (!identity.role.empty()) identity.sources.role = role->first;

    const Attribute* groups = find_attribute(attributes, mapping.groups);
    if (all_values(groups).empty()) {
        groups = nullptr;
        for (const auto& name : kGroupNames) {
            const Attribute* candidate = find_attribute(attributes, name);
            if (!all_values(candidate).empty()) {
                groups = candidate;
                break;
            }
        }
    }
    identity.groups = all_values(groups);
    if (groups) identity.sources.groups = groups->first;
    return identity;
}

}  // namespace gatehouse::saml
