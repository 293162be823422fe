#include "gatehouse/service/org_names.hpp"

#include "gatehouse/saml/sp_metadata.hpp"

namespace gatehouse::service {

const std::string& idp_facing_slug(const core::Org& org) {
    return org.aliases.empty() ? org.slug : org.aliases.front();
}

std::vector<std::string> org_slugs(const core::Org& org) {
    std::vector<std::string> slugs{org.slug};
    slugs.insert(slugs.end(), org.aliases.begin(), org.aliases.end());
    return slugs;
}

std::vector<UrlChange> rename_url_changes(std::string_view base_url, std::string_view old_slug,
                                          std::string_view new_slug) {
    const auto before = saml::sp_endpoints(base_url, old_slug);
    const auto after = saml::sp_endpoints(base_url, new_slug);
    std::string base(base_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    const auto scim = [&](std::string_view slug) {
        return base + "/api/0/organizations/" + std::string(slug) + "/scim/v2";
    };
    const auto callback = [&](std::string_view slug) {
        return base + "/auth/callback/" + std::string(slug) + "/";
    };
    return {{"SP entity ID / metadata URL", before.entity_id, after.entity_id},
            {"ACS URL", before.acs_url, after.acs_url},
            {"SLS URL", before.sls_url, after.sls_url},
            {"Login URL", before.login_url, after.login_url},
            {"SCIM base URL", scim(old_slug), scim(new_slug)},
            {"OIDC redirect URI", callback(old_slug), callback(new_slug)}};
}

}  // namespace gatehouse::service
