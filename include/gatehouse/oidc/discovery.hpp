// OpenID Provider metadata (OpenID Connect Discovery 1.0): where the discovery document of
// an issuer lives, and the checks a document must pass before Gatehouse uses it. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::oidc {

// The members of a discovery document that Gatehouse uses.
struct ProviderMetadata {
    std::string issuer, authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint;
    std::vector<std::string> token_endpoint_auth_methods;  // empty = not advertised
    std::vector<std::string> code_challenge_methods;       // empty = not advertised
    std::vector<std::string> signing_algorithms;           // id_token_signing_alg_values_supported
};

// The URL of an issuer's discovery document: the issuer without a trailing '/', then
// "/.well-known/openid-configuration" (Discovery §4).
std::string discovery_url(std::string_view issuer);

// Parses and checks a discovery document, in this order:
//  "oidc.discovery.invalid"   not a JSON object; issuer, authorization_endpoint,
//                             token_endpoint or jwks_uri missing, empty or not a string; an
//                             optional member of the wrong type (userinfo_endpoint not a string, a
//                             *_supported member not an array of strings);
//  "oidc.discovery.issuer"    issuer differs from expected_issuer by exact string comparison
//                             (§4.3; a trailing '/' counts), naming both values;
//  "oidc.discovery.insecure"  the issuer or an endpoint (userinfo included, when present) is
//                             not an https:// URL;
//  "oidc.discovery.pkce"      code_challenge_methods_supported is advertised without "S256".
Result<ProviderMetadata> parse_discovery(std::string_view json, std::string_view expected_issuer);

// The token endpoint client authentication to use: "client_secret_basic" unless the provider
// advertises its methods and, of the two secret-based ones, lists only "client_secret_post".
std::string token_auth_method(const ProviderMetadata& metadata);

}  // namespace gatehouse::oidc
