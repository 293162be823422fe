#include "request_metrics.hpp"

#include <array>
#include <optional>
#include <utility>

#include "gatehouse/util/metrics.hpp"

namespace gatehouse::http {
namespace {

constexpr std::string_view kOrgApiPrefix = "/api/0/organizations/";
constexpr std::string_view kScimRoot = "/scim/v2";

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// What follows "/api/0/organizations/{org}/scim/v2" in `path`, or nullopt when the path is
// not under an org's SCIM root.
std::optional<std::string_view> scim_rest(std::string_view path) {
    if (!starts_with(path, kOrgApiPrefix)) return std::nullopt;
    std::string_view rest = path.substr(kOrgApiPrefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    rest = rest.substr(slash);
    if (!starts_with(rest, kScimRoot)) return std::nullopt;
    rest = rest.substr(kScimRoot.size());
    if (!rest.empty() && rest.front() != '/') return std::nullopt;
    return rest;
}

}  // namespace

std::string_view route_family(std::string_view path) {
    if (path == "/healthz") return "health";
    if (path == "/metrics") return "metrics";
    if (scim_rest(path)) return "scim";
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kPrefixes{{
        {"/static/", "static"},
        {"/saml/metadata/", "saml_metadata"},
        {"/saml/acs/", "saml_acs"},
        {"/saml/sls/", "saml_sls"},
        {"/auth/login/", "sign_in"},
        {"/auth/callback/", "oidc_callback"},
        {"/auth/logout/", "sign_out"},
        {"/auth/check", "auth_check"},
        {"/api/0/", "api"},
        {"/organizations/", "pages"},
        {"/settings/", "pages"},
        {"/demo-idp/", "demo_idp"},
    }};
    for (const auto& [prefix, family] : kPrefixes) {
        if (starts_with(path, prefix)) return family;
    }
    return "other";
}

ScimOperation scim_operation_of(std::string_view method, std::string_view path) {
    std::string_view rest = scim_rest(path).value_or("");
    if (starts_with(rest, "/")) rest.remove_prefix(1);
    const auto slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    const std::string_view id =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    ScimOperation result{"other", "other"};
    for (std::string_view known :
         {"Users", "Groups", "ServiceProviderConfig", "ResourceTypes", "Schemas"}) {
        if (name == known) result.resource = known;
    }
    const bool collection = result.resource == "Users" || result.resource == "Groups";
    const bool one = !id.empty() && id.find('/') == std::string_view::npos;
    if (method == "GET" || method == "HEAD") {
        if (one || !collection) result.operation = "get";
        if (id.empty() && collection) result.operation = "list";
    } else if (method == "POST" && id.empty()) {
        result.operation = "create";
    } else if (method == "PUT" && one) {
        result.operation = "replace";
    } else if (method == "PATCH" && one) {
        result.operation = "patch";
    } else if (method == "DELETE" && one) {
        result.operation = "delete";
    }
    return result;
}

void record_request_metrics(const Request& req, const Response& res, double seconds) {
    const std::string_view family = route_family(req.path);
    util::metrics::observe_http_request(family, res.status, seconds);
    if (family == "scim") {
        const ScimOperation operation = scim_operation_of(req.method, req.path);
        util::metrics::count_scim_operation(operation.resource, operation.operation, res.status);
    }
}

}  // namespace gatehouse::http
