// The OAuth 2.0 authorization code flow with PKCE, as a relying party speaks it (RFC 6749,
// RFC 7636, OpenID Connect Core §3.1): the redirect URL, the token request and its answer.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::oidc {

// base64url(SHA-256(verifier)) without padding: the RFC 7636 S256 code challenge.
std::string pkce_challenge(std::string_view verifier);

// A fresh PKCE code verifier: 43 characters of the unreserved set (base64url of 32 bytes
// from the operating system's CSPRNG). Thread-safe.
std::string new_pkce_verifier();

// The parameters of a redirect to the provider's authorization endpoint.
struct AuthorizationRequest {
    std::string endpoint, client_id, redirect_uri, state, nonce, code_challenge;
    std::string scope = "openid email profile";
    // Provider-specific parameters, e.g. {"hd", "example.com"}, {"prompt", "select_account"}.
    std::vector<std::pair<std::string, std::string>> extra;
};

// The endpoint, then '?' (or '&' when it already has a query; nothing when it ends in '?' or
// '&'), then response_type=code, client_id, redirect_uri, scope, state, nonce (omitted when
// empty, as for GitHub), code_challenge and code_challenge_method=S256 (both omitted when
// code_challenge is empty), then `extra` in order. Every name and value is percent-encoded.
std::string authorization_url(const AuthorizationRequest& request);

// The application/x-www-form-urlencoded body of the token request: grant_type=
// authorization_code, code, redirect_uri, code_verifier (when not empty), then client_id,
// and client_secret only when `secret_in_body` (client_secret_post). With
// client_secret_basic the secret travels in the Authorization header instead.
std::string token_request_body(std::string_view code, std::string_view redirect_uri,
                               std::string_view code_verifier, std::string_view client_id,
                               std::string_view client_secret, bool secret_in_body);

// The Authorization header value for client_secret_basic (RFC 6749 §2.3.1): "Basic " +
// base64(form-urlencode(client_id) + ":" + form-urlencode(client_secret)).
std::string client_secret_basic(std::string_view client_id, std::string_view client_secret);

// What a token endpoint answered.
struct TokenResponse {
    std::string id_token;  // empty when absent (GitHub issues none)
    std::string access_token, token_type;
};

// Parses a token endpoint answer (RFC 6749 §5.1, §5.2):
//  - a JSON object with an "error" member, whatever the status (GitHub answers errors with
//    200): "oidc.token_endpoint.error", with error and error_description (printable ASCII
//    only, at most 200 characters each) in the message;
//  - status 200 with a JSON object: the tokens; "oidc.token_endpoint.invalid" when
//    access_token is not a non-empty string, id_token is present and not a string, or
//    token_type is present and not "bearer" (compared case-insensitively);
//  - any other status, or a body that is not a JSON object: "oidc.token_endpoint.invalid"
//    naming the status.
// A missing id_token is not an error here; the caller decides whether it needs one.
Result<TokenResponse> parse_token_response(int status, std::string_view body);

}  // namespace gatehouse::oidc
