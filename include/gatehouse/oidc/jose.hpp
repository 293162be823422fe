// JOSE for OpenID Connect: the public keys of a provider's JWKS document and the
// verification of compact JWS tokens (ID tokens) against them. Pure: no sockets, no store.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::oidc {

struct VerifiedJws;
class KeySet;
Result<VerifiedJws> verify_jws(std::string_view compact, const KeySet& keys);

// The signing keys of a JWKS document (RFC 7517). Copies share the parsed keys; a KeySet
// never changes after parse, so any number of threads may read and verify with it at once.
class KeySet {
  public:
    // An empty set: verifies nothing.
    KeySet();

    // Parses {"keys":[...]}. Keeps RSA keys (kty "RSA", n, e; a modulus of 2048 to 8192
    // bits) and EC P-256 keys (kty "EC", crv "P-256", x and y of exactly 32 bytes each, a
    // point on the curve). Skips, without error, keys whose "use" is present and not "sig",
    // keys of other types or curves, and RSA keys outside the size range (too weak, or too
    // slow to verify with). Error "oidc.jwks.invalid" when the text is not JSON, has no
    // "keys" array, or a key of a kept type is malformed (missing or badly encoded members,
    // a non-string "kid"/"alg"/"use", a key OpenSSL's public-key check refuses). A set with
    // no usable key is valid and has size 0.
    static Result<KeySet> parse(std::string_view jwks_json);

    // How many keys were kept.
    std::size_t size() const;

    // Whether a kept key carries this "kid".
    bool has_key_id(std::string_view kid) const;

    struct Key;  // one kept key; defined in src/oidc/

  private:
    friend Result<VerifiedJws> verify_jws(std::string_view compact, const KeySet& keys);
    std::shared_ptr<const std::vector<Key>> keys_;
};

// What a verified JWS says; only produced after its signature checked out.
struct VerifiedJws {
    std::string algorithm;  // "RS256", "ES256", ...
    std::string key_id;     // the header's "kid"; empty when absent
    nlohmann::json header;
    nlohmann::json payload;  // the decoded claims object
};

// The longest compact JWS accepted; real ID tokens are 1-3 KiB.
inline constexpr std::size_t kMaxJwsLength = 16 * 1024;

// Verifies a compact JWS (three base64url parts) against `keys`.
// Accepted algorithms: RS256, RS384, RS512, PS256, PS384, PS512 (RSA keys) and ES256 (P-256
// keys; the signature is raw r||s, 64 bytes). Refused with "oidc.token.algorithm": "none",
// any HS*, any other value, and an algorithm that no candidate key's type (or JWK "alg",
// which must equal the header's when present) allows.
// Key choice: with a "kid", only keys with that kid; none → "oidc.token.unknown_key", which
// the caller answers by fetching the JWKS again. Without a kid, every key of the right type
// is tried; when the set has none, also "oidc.token.unknown_key" (a rotation may add one).
// Other errors: "oidc.token.malformed" (not three parts, bad base64url, header or payload
// not a JSON object, a "crit" header, a non-string "alg"/"kid", longer than kMaxJwsLength)
// and "oidc.token.signature" (no candidate key verified the signature, or an ES256
// signature that is not 64 bytes). The payload is parsed only after the signature checked
// out. Messages never include the token. Thread-safe.
Result<VerifiedJws> verify_jws(std::string_view compact, const KeySet& keys);

}  // namespace gatehouse::oidc
