// The claims checks of an OpenID Connect ID token (OpenID Connect Core 1.0 §3.1.3.7), and
// the whole verification: signature first (jose.hpp), then these checks. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gatehouse/oidc/jose.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::oidc {

// What the relying party expects of the token it asked for.
struct IdTokenExpectations {
    std::string issuer;     // exact match with "iss"
    std::string client_id;  // must be in "aud" (a string or an array)
    std::string nonce;      // must equal "nonce" exactly; an empty expectation matches nothing
    util::UnixTime now = 0;
    int clock_skew_seconds = 180;
    int max_age_seconds = 600;  // "iat" older than now - max_age - skew is refused
};

// The claims Gatehouse uses, taken from a token that passed every check.
struct IdTokenClaims {
    std::string issuer, subject, email;
    bool email_verified = false;  // true only for JSON true or the string "true"
    std::string given_name, family_name, name, preferred_username;
    std::string hosted_domain;  // Google's "hd"; empty when absent
    util::UnixTime issued_at = 0, expires_at = 0;
    nlohmann::json claims;  // every claim, for display in Test configuration
};

// Checks the payload of a verified token, in this order, each with its own code and a
// message naming the check and the values that are safe to show (issuer, audiences, times;
// never the nonce):
//  "oidc.token.issuer"         iss missing or different;
//  "oidc.token.audience"       aud missing, or not containing client_id;
//  "oidc.token.azp"            azp present and not client_id, or aud has several values and
//                              no azp;
//  "oidc.token.expired"        exp missing or not a number, or exp + skew <= now;
//  "oidc.token.issued_at"      iat missing or not a number, iat > now + skew (in the future),
//                              or iat < now - max_age - skew (too old);
//  "oidc.token.not_yet_valid"  nbf present and nbf - skew > now (a non-number nbf too);
//  "oidc.token.nonce"          nonce missing, not a string or different (constant-time);
//  "oidc.token.subject"        sub missing, not a string, empty, or over 255 characters.
// A payload that is not a JSON object is "oidc.token.malformed". Optional string claims of
// another type are read as empty. Numeric dates may be integers
// or decimals (truncated). Thread-safe.
Result<IdTokenClaims> check_id_token_claims(const nlohmann::json& payload,
                                            const IdTokenExpectations& expected);

// verify_jws, then check_id_token_claims on its payload; the first failure is returned.
Result<IdTokenClaims> verify_id_token(std::string_view compact, const KeySet& keys,
                                      const IdTokenExpectations& expected);

}  // namespace gatehouse::oidc
