#include "provisioning_mapping.hpp"

#include <algorithm>
#include <unordered_set>

#include "audit_entry.hpp"
#include "gatehouse/scim/error.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/log.hpp"

namespace gatehouse::service::provisioning {
namespace {

using nlohmann::json;

// Keys of Member::scim_attributes: the attributes kept as the IdP sent them. Besides these
// two and the enterprise extension (under its URN), every member is one of
// ScimUser::attributes, under its own name.
constexpr const char* kEmailsKey = "emails";
constexpr const char* kFormattedNameKey = "nameFormatted";

json parse_attributes(const std::string& text) {
    json parsed = json::parse(text.empty() ? "{}" : text, nullptr, false);
    return parsed.is_object() ? parsed : json::object();
}

std::string attributes_of(const scim::ScimUser& user) {
    json out = user.attributes.is_object() ? user.attributes : json::object();
    json emails = json::array();
    for (const scim::ScimEmail& email : user.emails) {
        json entry = {{"value", email.value}, {"primary", email.primary}};
        if (!email.type.empty()) entry["type"] = email.type;
        emails.push_back(std::move(entry));
    }
    out[kEmailsKey] = std::move(emails);
    if (!user.name.formatted.empty()) out[kFormattedNameKey] = user.name.formatted;
    if (user.enterprise.is_object() && !user.enterprise.empty()) {
        out[std::string(scim::kEnterpriseUserSchema)] = user.enterprise;
    }
    return out.dump();
}

core::MemberState next_state(const core::Member& member, bool active) {
    if (!active) return core::MemberState::deactivated;
    if (member.state != core::MemberState::deactivated) return member.state;
    return member.saml_subject.empty() ? core::MemberState::invited : core::MemberState::active;
}

}  // namespace

bool same_attribute(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        return lower(x) == lower(y);
    });
}

scim::ScimUser to_scim_user(const core::Member& member, bool for_patch) {
    const json attributes = parse_attributes(member.scim_attributes);
    scim::ScimUser user;
    user.id = member.public_id;
    user.external_id = member.external_id;
    user.user_name = member.user_name;
    user.name.given_name = member.given_name;
    user.name.family_name = member.family_name;
    if (auto it = attributes.find(kFormattedNameKey); it != attributes.end() && it->is_string()) {
        user.name.formatted = it->get<std::string>();
    }
    user.display_name = member.display_name;
    if (auto it = attributes.find(kEmailsKey); it != attributes.end() && it->is_array()) {
        for (const json& entry : *it) {
            user.emails.push_back(
                {entry.value("value", ""), entry.value("type", ""), entry.value("primary", false)});
        }
    } else if (!member.email.empty()) {
        // Members made by an invitation or JIT sign-in have only the email column.
        user.emails.push_back({member.email, "work", true});
    }
    user.active = member.state != core::MemberState::deactivated;
    if (!(for_patch && member.role == core::Role::owner)) user.org_role = member.role;
    for (auto it = attributes.begin(); it != attributes.end(); ++it) {
        if (it.key() == scim::kEnterpriseUserSchema) {
            user.enterprise = it.value();
        } else if (it.key() != kEmailsKey && it.key() != kFormattedNameKey) {
            user.attributes[it.key()] = it.value();
        }
    }
    return user;
}

json encode_member(const core::Member& member, std::string_view base_url,
                   const std::vector<core::Team>& teams, bool for_patch) {
    std::vector<scim::ScimGroupRef> groups;
    groups.reserve(teams.size());
    for (const core::Team& team : teams) groups.push_back({team.public_id, team.display_name});
    return scim::encode_user(to_scim_user(member, for_patch), meta_of(member), base_url, groups);
}

void apply_user(core::Member& member, const scim::ScimUser& user, core::Role default_role) {
    member.user_name = user.user_name;
    member.external_id = user.external_id;
    member.given_name = user.name.given_name;
    member.family_name = user.name.family_name;
    member.display_name = user.display_name;
    member.email = scim::preferred_email(user);
    // Okta and Entra ID commonly send the address only as userName when no email is mapped;
    // the SAML link by email then still finds the member.
    if (member.email.empty() && user.user_name.find('@') != std::string::npos) {
        member.email = user.user_name;
    }
    member.scim_attributes = attributes_of(user);
    member.state = next_state(member, user.active);
    if (member.role != core::Role::owner) {
        const core::Role fallback =
            default_role == core::Role::owner ? core::Role::member : default_role;
        member.role = user.org_role.value_or(fallback);
    }
}

bool differs(const core::Member& a, const core::Member& b) {
    return a.user_name != b.user_name || a.external_id != b.external_id ||
           a.given_name != b.given_name || a.family_name != b.family_name ||
           a.display_name != b.display_name || a.email != b.email ||
           a.scim_attributes != b.scim_attributes || a.state != b.state || a.role != b.role;
}

std::optional<std::string> changed_identity_attribute(const core::Member& before,
                                                      const core::Member& after) {
    if (before.user_name != after.user_name) return "userName";
    const scim::ScimUser a = to_scim_user(before);
    const scim::ScimUser b = to_scim_user(after);
    const auto values = [](const scim::ScimUser& user) {
        std::vector<std::string> out;
        for (const scim::ScimEmail& email : user.emails) out.push_back(email.value);
        std::sort(out.begin(), out.end());
        return out;
    };
    if (before.email != after.email || values(a) != values(b)) return "emails";
    if (before.external_id != after.external_id) return "externalId";
    if (before.given_name != after.given_name || before.family_name != after.family_name ||
        a.name.formatted != b.name.formatted) {
        return "name";
    }
    if (before.display_name != after.display_name) return "displayName";
    return std::nullopt;
}

Result<scim::ScimGroup> decode_group_body(const json& body) {
    if (!body.is_object()) return scim::decode_group(body);
    json attributes = json::object();
    const json* members = nullptr;
    for (const auto& [key, value] : body.items()) {
        if (same_attribute(key, "members")) {
            members = &value;
        } else {
            attributes[key] = value;
        }
    }
    auto group = scim::decode_group(attributes);
    if (!group || members == nullptr || members->is_null()) return group;
    if (!members->is_array()) return scim::scim_fail("invalidValue", "members must be an array.");
    std::unordered_set<std::string> seen;
    for (const json& entry : *members) {
        if (!entry.is_object())
            return scim::scim_fail("invalidValue", "Each member must be an object.");
        scim::ScimGroupMember member;
        std::string display_name;  // Entra ID's spelling of `display`
        for (const auto& [key, value] : entry.items()) {
            const bool is_value = same_attribute(key, "value");
            const bool is_display = same_attribute(key, "display");
            const bool is_display_name = same_attribute(key, "displayName");
            if (!is_value && !is_display && !is_display_name && !same_attribute(key, "type"))
                continue;
            if (value.is_null()) continue;
            if (!value.is_string()) {
                return scim::scim_fail("invalidValue", "members." + key + " must be a string.");
            }
            (is_value          ? member.value
             : is_display      ? member.display
             : is_display_name ? display_name
                               : member.type) = value.get<std::string>();
        }
        if (member.display.empty()) member.display = std::move(display_name);
        if (member.value.empty()) {
            return scim::scim_fail("invalidValue", "Each member needs a non-empty string value.");
        }
        if (!member.type.empty() && !same_attribute(member.type, "User")) {
            return scim::scim_fail("invalidValue",
                                   "members.type must be \"User\": groups hold users only.");
        }
        if (seen.insert(member.value).second) group->members.push_back(std::move(member));
    }
    return group;
}

std::string attributes_of(const scim::ScimGroup& group) {
    return group.attributes.is_object() ? group.attributes.dump() : "{}";
}

scim::ScimGroup to_scim_group(const core::Team& team,
                              const std::vector<std::pair<std::string, std::string>>& members) {
    scim::ScimGroup group;
    group.attributes = parse_attributes(team.scim_attributes);
    group.id = team.public_id;
    group.external_id = team.external_id;
    group.display_name = team.display_name;
    group.members.reserve(members.size());
    for (const auto& [id, display] : members) group.members.push_back({id, display, "User"});
    return group;
}

scim::ResourceMeta meta_of(const core::Member& member) {
    return {member.created_at, member.updated_at, member.version};
}

scim::ResourceMeta meta_of(const core::Team& team) {
    return {team.created_at, team.updated_at, team.version};
}

namespace {

// The opaque tag, `"` version `"`, that the weak and the strong form share. Appended rather
// than `"\"" + …`: GCC 12 at -O3 takes that prepend for an overlapping memcpy and warns
// (-Wrestrict, a false positive).
std::string quoted_version(std::int64_t version) {
    std::string tag = "\"";
    tag += std::to_string(version);
    tag += '"';
    return tag;
}

}  // namespace

std::string etag_of(std::int64_t version) {
    std::string etag = "W/";
    etag += quoted_version(version);
    return etag;
}

Status check_if_match(const IfMatch& if_match, std::int64_t version) {
    if (!if_match) return {};
    const std::string strong = quoted_version(version);
    std::string_view rest = *if_match;
    // If-Match is a comma-separated list of entity tags (RFC 9110 §13.1.1).
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view tag = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag == "*" || tag == strong) return {};
    }
    return fail(std::string(scim::kPreconditionFailedCode),
                "The resource has changed since it was read (now version " +
                    std::to_string(version) + "); read it again before changing it.");
}

bool returns_attribute(const scim::Projection& projection, std::string_view name) {
    const auto names = [&](const scim::ProjectedAttribute& a) {
        return a.extension.empty() && same_attribute(a.attribute, name);
    };
    if (!projection.attributes.empty()) {
        return std::any_of(projection.attributes.begin(), projection.attributes.end(), names);
    }
    return std::none_of(
        projection.excluded_attributes.begin(), projection.excluded_attributes.end(),
        [&](const scim::ProjectedAttribute& a) { return names(a) && a.sub_attribute.empty(); });
}

Result<scim::FilterPtr> parse_checked_filter(const std::string& text) {
    auto filter = scim::parse_filter(text);
    if (!filter) return filter.error();
    if (auto valid = scim::validate_filter(**filter, scim::AttributeTypes::scim_core()); !valid) {
        return valid.error();
    }
    return filter;
}

Result<ListFilter> plan_list_filter(const std::optional<std::string>& text,
                                    ScimResourceType resource) {
    ListFilter plan;
    if (!text) return plan;
    auto parsed = parse_checked_filter(*text);
    if (!parsed) return parsed.error();
    plan.filter = *parsed;
    plan.condition = store_condition(*plan.filter, resource);
    return plan;
}

void log_ignored(const ScimClient& client, std::string_view resource_type,
                 const std::vector<std::string>& ignored) {
    if (ignored.empty()) return;
    util::log_event(util::LogLevel::warning, "scim.attributes_ignored",
                    {{"org", client.org.slug},
                     {"resource_type", resource_type},
                     {"attributes", ignored},
                     {"reason", "no SCIM schema defines these attributes; they were not stored"}});
}

core::AuditEntry audit_entry(const ScimClient& client, util::UnixTime at, std::string action,
                             std::string target, const json& details) {
    return service::audit_entry(client.org.id, at, "scim-token:" + std::to_string(client.token.id),
                                std::move(action), std::move(target), "success", "", details);
}

Error scim_store_error(const Error& error, const std::string& conflict) {
    if (error.code == store::kConflict) return scim::scim_fail("uniqueness", conflict);
    return error;
}

}  // namespace gatehouse::service::provisioning
