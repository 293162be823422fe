#include "oidc_sign_in.hpp"

#include <algorithm>
#include <cctype>

namespace gatehouse::service {
namespace {

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

}  // namespace

Status check_hosted_domain(const oidc::IdTokenClaims& claims,
                           const std::vector<std::string>& hosted_domains) {
    const std::string domain = lowercase(claims.hosted_domain);
    for (const auto& allowed : hosted_domains) {
        if (!domain.empty() && domain == lowercase(allowed)) return {};
    }
    return fail("oidc.google.hosted_domain",
                (domain.empty() ? std::string("The Google account belongs to no Workspace domain")
                                : "The Google account belongs to the domain " + domain) +
                    "; this organization accepts " + joined(hosted_domains) + ".");
}

saml::MappedIdentity identity_from_claims(const oidc::IdTokenClaims& claims) {
    saml::MappedIdentity identity;
    identity.user_id = claims.subject;
    identity.sources.user_id = "sub";
    if (claims.email_verified && !claims.email.empty()) {
        identity.email = claims.email;
        identity.sources.email = "email";
    }
    identity.first_name = claims.given_name;
    identity.last_name = claims.family_name;
    if (!identity.first_name.empty()) identity.sources.first_name = "given_name";
    if (!identity.last_name.empty()) identity.sources.last_name = "family_name";
    if (identity.first_name.empty() && identity.last_name.empty() && !claims.name.empty()) {
        std::tie(identity.first_name, identity.last_name) = saml::split_display_name(claims.name);
        identity.sources.first_name = identity.sources.last_name = "name";
    }
    if (claims.claims.is_object()) {
        for (const auto& [name, value] : claims.claims.items()) {
            identity.attribute_names.push_back(name);
        }
    }
    return identity;
}

namespace {

// The non-blank strings of a claim that is a string or an array of strings.
std::vector<std::string> claim_strings(const nlohmann::json& claims, const std::string& name) {
    std::vector<std::string> values;
    if (name.empty() || !claims.is_object() || !claims.contains(name)) return values;
    const nlohmann::json& value = claims.at(name);
    const auto add = [&](const nlohmann::json& item) {
        if (!item.is_string()) return;
        const std::string text = item.get<std::string>();
        if (text.find_first_not_of(" \t\r\n") != std::string::npos) values.push_back(text);
    };
    if (value.is_array()) {
        for (const auto& item : value) add(item);
    } else {
        add(value);
    }
    return values;
}

}  // namespace

void add_role_and_groups(saml::MappedIdentity& identity, const nlohmann::json& claims,
                         const std::string& role_claim, const std::string& groups_claim) {
    const auto roles = claim_strings(claims, role_claim);
    if (!roles.empty()) {
        identity.role = roles.front();
        identity.sources.role = role_claim;
    }
    identity.groups = claim_strings(claims, groups_claim);
    if (!identity.groups.empty()) identity.sources.groups = groups_claim;
}

saml::MappedIdentity identity_from_github(const oidc::GithubUser& user, const std::string& email) {
    saml::MappedIdentity identity;
    identity.user_id = user.id;
    identity.sources.user_id = "id";
    identity.email = email;
    identity.sources.email = "primary verified email";
    std::tie(identity.first_name, identity.last_name) = saml::split_display_name(user.name);
    if (!identity.first_name.empty()) identity.sources.first_name = "name";
    if (!identity.last_name.empty()) identity.sources.last_name = "name";
    identity.attribute_names = {"id", "login", "name", "emails", "orgs"};
    return identity;
}

Status check_github_orgs(const std::vector<std::string>& member_of,
                         const std::vector<std::string>& allowed) {
    for (const auto& org : member_of) {
        for (const auto& name : allowed) {
            if (lowercase(org) == lowercase(name)) return {};
        }
    }
    return fail("github.org_not_allowed",
                "The GitHub user belongs to none of the organizations this organization "
                "accepts (" +
                    joined(allowed) + ").");
}

}  // namespace gatehouse::service
