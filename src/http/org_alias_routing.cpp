#include "org_alias_routing.hpp"

#include <array>

namespace gatehouse::http {

bool served_under_alias(std::string_view path, std::size_t slug_end) {
    constexpr std::array<std::string_view, 4> kIdpPrefixes{"/saml/metadata/", "/saml/acs/",
                                                           "/saml/sls/", "/auth/callback/"};
    for (const std::string_view prefix : kIdpPrefixes) {
        if (path.substr(0, prefix.size()) == prefix) return true;
    }
    constexpr std::string_view kApiPrefix = "/api/0/organizations/";
    constexpr std::string_view kScim = "/scim/v2";
    if (path.substr(0, kApiPrefix.size()) != kApiPrefix || slug_end > path.size()) return false;
    const std::string_view rest = path.substr(slug_end);
    return rest == kScim || rest.substr(0, kScim.size() + 1) == std::string(kScim) + "/";
}

std::string target_under_slug(std::string_view target, std::string_view prefix,
                              std::string_view slug) {
    if (target.substr(0, prefix.size()) != prefix) {
        return std::string(prefix) + std::string(slug) + "/";
    }
    const std::string_view rest = target.substr(prefix.size());
    const auto end = rest.find_first_of("/?");
    const std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
    return std::string(prefix) + std::string(slug) + std::string(tail);
}

void redirect_to_current_slug(const Request& req, Response& res, const std::string& location) {
    const bool safe = req.method == "GET" || req.method == "HEAD";
    res.set_redirect(location, safe ? 301 : 308);
}

}  // namespace gatehouse::http
