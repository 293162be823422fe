#include "gatehouse/oidc/discovery.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "gatehouse/oidc/printable.hpp"
#include "gatehouse/util/json.hpp"

namespace gatehouse::oidc {
namespace {

using nlohmann::json;

Error invalid(const std::string& why) {
    return fail("oidc.discovery.invalid", "The provider's discovery document " + why + ".");
}

bool is_https_url(std::string_view url) {
    constexpr std::string_view scheme = "https://";
    if (url.size() <= scheme.size()) return false;
    return std::equal(scheme.begin(), scheme.end(), url.begin(), [](char a, char b) {
        return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
    });
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// A string member: nullopt when present with another type, empty when absent.
std::optional<std::string> string_member(const json& document, const char* name) {
    const auto it = document.find(name);
    if (it == document.end()) return std::string{};
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// An array-of-strings member: nullopt when present with another shape, empty when absent.
std::optional<std::vector<std::string>> list_member(const json& document, const char* name) {
    const auto it = document.find(name);
    if (it == document.end()) return std::vector<std::string>{};
    if (!it->is_array()) return std::nullopt;
    std::vector<std::string> values;
    for (const json& entry : *it) {
        if (!entry.is_string()) return std::nullopt;
        values.push_back(entry.get<std::string>());
    }
    return values;
}

}  // namespace

std::string discovery_url(std::string_view issuer) {
    if (!issuer.empty() && issuer.back() == '/') issuer.remove_suffix(1);
    return std::string(issuer) + "/.well-known/openid-configuration";
}

Result<ProviderMetadata> parse_discovery(std::string_view text, std::string_view expected_issuer) {
    const json document = util::parse_untrusted_json(text);
    if (document.is_discarded() || !document.is_object()) return invalid("is not a JSON object");

    ProviderMetadata metadata;
    const std::pair<const char*, std::string*> required[] = {
        {"issuer", &metadata.issuer},
        {"authorization_endpoint", &metadata.authorization_endpoint},
        {"token_endpoint", &metadata.token_endpoint},
        {"jwks_uri", &metadata.jwks_uri},
    };
    for (const auto& [name, field] : required) {
        const auto value = string_member(document, name);
        if (!value || value->empty()) return invalid(std::string("has no \"") + name + "\" string");
        *field = *value;
    }
    const auto userinfo = string_member(document, "userinfo_endpoint");
    if (!userinfo) return invalid("has a \"userinfo_endpoint\" that is not a string");
    metadata.userinfo_endpoint = *userinfo;
    const std::pair<const char*, std::vector<std::string>*> lists[] = {
        {"token_endpoint_auth_methods_supported", &metadata.token_endpoint_auth_methods},
        {"code_challenge_methods_supported", &metadata.code_challenge_methods},
        {"id_token_signing_alg_values_supported", &metadata.signing_algorithms},
    };
    for (const auto& [name, field] : lists) {
        auto values = list_member(document, name);
        if (!values)
            return invalid(std::string("has a \"") + name + "\" that is not a list of strings");
        *field = std::move(*values);
    }

    // Discovery §4.3: the issuer must be identical to the one the document was fetched for,
    // or a provider could speak for another one's tokens.
    if (metadata.issuer != expected_issuer)
        return fail("oidc.discovery.issuer",
                    "The discovery document's issuer \"" + printable(metadata.issuer) +
                        "\" is not the configured issuer \"" + printable(expected_issuer) + "\".");
    const std::pair<const char*, const std::string*> urls[] = {
        {"issuer", &metadata.issuer},
        {"authorization_endpoint", &metadata.authorization_endpoint},
        {"token_endpoint", &metadata.token_endpoint},
        {"jwks_uri", &metadata.jwks_uri},
        {"userinfo_endpoint", &metadata.userinfo_endpoint},
    };
    for (const auto& [name, url] : urls) {
        if (url->empty()) continue;  // only the optional userinfo endpoint can be
        if (!is_https_url(*url))
            return fail("oidc.discovery.insecure", std::string("The provider's ") + name + " \"" +
                                                       printable(*url) +
                                                       "\" is not an https:// URL.");
    }
    if (!metadata.code_challenge_methods.empty() &&
        !contains(metadata.code_challenge_methods, "S256"))
        return fail("oidc.discovery.pkce",
                    "The provider advertises PKCE methods without S256, the only one Gatehouse "
                    "uses.");
    return metadata;
}

std::string token_auth_method(const ProviderMetadata& metadata) {
    const auto& methods = metadata.token_endpoint_auth_methods;
    if (contains(methods, "client_secret_post") && !contains(methods, "client_secret_basic"))
        return "client_secret_post";
    return "client_secret_basic";
}

}  // namespace gatehouse::oidc
