#include "gatehouse/oidc/discovery.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace gatehouse;
using namespace gatehouse::oidc;
using nlohmann::json;

namespace {

constexpr std::string_view kIssuer = "https://accounts.example.com";

// A document like the ones Google and Okta publish; each test breaks one thing.
json valid_document() {
    return {
        {"issuer", kIssuer},
        {"authorization_endpoint", "https://accounts.example.com/o/oauth2/v2/auth"},
        {"token_endpoint", "https://oauth2.example.com/token"},
        {"jwks_uri", "https://www.example.com/oauth2/v3/certs"},
        {"userinfo_endpoint", "https://openidconnect.example.com/v1/userinfo"},
        {"response_types_supported", {"code", "id_token"}},
        {"token_endpoint_auth_methods_supported", {"client_secret_post", "client_secret_basic"}},
        {"code_challenge_methods_supported", {"plain", "S256"}},
        {"id_token_signing_alg_values_supported", {"RS256"}}};
}

std::string error_code(const json& document, std::string_view expected_issuer = kIssuer) {
    const auto metadata = parse_discovery(document.dump(), expected_issuer);
    REQUIRE_FALSE(metadata.ok());
    return metadata.error().code;
}

json with(json document, const char* name, json value) {
    document[name] = std::move(value);
    return document;
}

json without(json document, const char* name) {
    document.erase(name);
    return document;
}

}  // namespace

TEST_CASE("The discovery URL is the issuer without a trailing slash plus the well-known path") {
    CHECK(discovery_url("https://accounts.example.com") ==
          "https://accounts.example.com/.well-known/openid-configuration");
    CHECK(discovery_url("https://accounts.example.com/") ==
          "https://accounts.example.com/.well-known/openid-configuration");
    CHECK(discovery_url("https://login.example.com/tenant/v2.0") ==
          "https://login.example.com/tenant/v2.0/.well-known/openid-configuration");
}

TEST_CASE("A discovery document with https endpoints and S256 yields its metadata") {
    const auto metadata = parse_discovery(valid_document().dump(), kIssuer);
    REQUIRE(metadata.ok());
    CHECK(metadata->issuer == kIssuer);
    CHECK(metadata->authorization_endpoint == "https://accounts.example.com/o/oauth2/v2/auth");
    CHECK(metadata->token_endpoint == "https://oauth2.example.com/token");
    CHECK(metadata->jwks_uri == "https://www.example.com/oauth2/v3/certs");
    CHECK(metadata->userinfo_endpoint == "https://openidconnect.example.com/v1/userinfo");
    CHECK(metadata->code_challenge_methods == std::vector<std::string>{"plain", "S256"});
    CHECK(metadata->signing_algorithms == std::vector<std::string>{"RS256"});
    CHECK(metadata->token_endpoint_auth_methods.size() == 2);
}

TEST_CASE("A discovery document without the optional members leaves them empty") {
    json minimal = valid_document();
    for (const char* name :
         {"userinfo_endpoint", "token_endpoint_auth_methods_supported",
          "code_challenge_methods_supported", "id_token_signing_alg_values_supported"})
        minimal.erase(name);
    const auto metadata = parse_discovery(minimal.dump(), kIssuer);
    REQUIRE(metadata.ok());
    CHECK(metadata->userinfo_endpoint.empty());
    CHECK(metadata->code_challenge_methods.empty());
    CHECK(token_auth_method(*metadata) == "client_secret_basic");
}

TEST_CASE("A discovery document for another issuer is refused, naming both") {
    const auto metadata =
        parse_discovery(with(valid_document(), "issuer", "https://evil.example").dump(), kIssuer);
    REQUIRE_FALSE(metadata.ok());
    CHECK(metadata.error().code == "oidc.discovery.issuer");
    CHECK(metadata.error().message.find("https://evil.example") != std::string::npos);
    CHECK(metadata.error().message.find(std::string(kIssuer)) != std::string::npos);
}

TEST_CASE("Discovery compares issuers exactly: a trailing slash is a different issuer") {
    CHECK(error_code(valid_document(), "https://accounts.example.com/") == "oidc.discovery.issuer");
    CHECK(error_code(with(valid_document(), "issuer", "https://accounts.example.com/")) ==
          "oidc.discovery.issuer");
    CHECK(error_code(valid_document(), "https://ACCOUNTS.example.com") == "oidc.discovery.issuer");
}

TEST_CASE("A discovery document with an http endpoint or issuer is insecure") {
    CHECK(error_code(with(valid_document(), "token_endpoint", "http://oauth2.example.com/token")) ==
          "oidc.discovery.insecure");
    CHECK(error_code(with(valid_document(), "jwks_uri", "http://www.example.com/certs")) ==
          "oidc.discovery.insecure");
    CHECK(error_code(with(valid_document(), "authorization_endpoint", "//accounts.example.com")) ==
          "oidc.discovery.insecure");
    CHECK(error_code(with(valid_document(), "userinfo_endpoint", "http://example.com/me")) ==
          "oidc.discovery.insecure");
    const json plain_issuer = with(valid_document(), "issuer", "http://accounts.example.com");
    CHECK(error_code(plain_issuer, "http://accounts.example.com") == "oidc.discovery.insecure");
}

TEST_CASE("A discovery document missing a required member is invalid") {
    for (const char* name : {"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"}) {
        CAPTURE(name);
        CHECK(error_code(without(valid_document(), name)) == "oidc.discovery.invalid");
        CHECK(error_code(with(valid_document(), name, 1)) == "oidc.discovery.invalid");
    }
}

TEST_CASE("A discovery document that is not a JSON object or has mistyped lists is invalid") {
    CHECK(parse_discovery("<html>", kIssuer).error().code == "oidc.discovery.invalid");
    CHECK(parse_discovery("[]", kIssuer).error().code == "oidc.discovery.invalid");
    CHECK(error_code(with(valid_document(), "code_challenge_methods_supported", "S256")) ==
          "oidc.discovery.invalid");
    CHECK(error_code(with(valid_document(), "userinfo_endpoint", json::array())) ==
          "oidc.discovery.invalid");
}

TEST_CASE("A provider that advertises PKCE methods without S256 is refused") {
    CHECK(error_code(with(valid_document(), "code_challenge_methods_supported", {"plain"})) ==
          "oidc.discovery.pkce");
    CHECK(parse_discovery(
              with(valid_document(), "code_challenge_methods_supported", {"S256"}).dump(), kIssuer)
              .ok());
}

TEST_CASE("The token endpoint is called with client_secret_post only when basic is not offered") {
    ProviderMetadata metadata;
    CHECK(token_auth_method(metadata) == "client_secret_basic");
    metadata.token_endpoint_auth_methods = {"client_secret_post", "client_secret_basic"};
    CHECK(token_auth_method(metadata) == "client_secret_basic");
    metadata.token_endpoint_auth_methods = {"client_secret_post", "private_key_jwt"};
    CHECK(token_auth_method(metadata) == "client_secret_post");
    metadata.token_endpoint_auth_methods = {"private_key_jwt"};
    CHECK(token_auth_method(metadata) == "client_secret_basic");
}
