// Test fixtures for the oidc layer: keys generated with OpenSSL, their public JWKs, and
// compact JWS tokens signed with them (including deliberately broken ones).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace gatehouse::oidc::testing {

// A private key that signs test tokens; copies share the key.
class SigningKey {
  public:
    // A fresh RSA key of `bits` bits, or a fresh EC P-256 key, with this key ID.
    static SigningKey rsa(std::string kid, int bits = 2048);
    static SigningKey ec_p256(std::string kid);

    // The process-wide keys most tests share (RSA key generation is slow): kid "rsa-1",
    // "rsa-2" (2048 bits) and "ec-1" (P-256).
    static const SigningKey& shared_rsa();
    static const SigningKey& second_rsa();
    static const SigningKey& shared_ec();

    const std::string& kid() const { return kid_; }

    // The public JWK: kty, kid, use "sig" and n/e or crv/x/y.
    nlohmann::json jwk() const;

    // The public key as PEM text (SubjectPublicKeyInfo).
    std::string public_pem() const;

    // The JWS signature bytes of `signing_input` for `alg` (RS*, PS*, ES256 as raw r||s).
    std::string sign(std::string_view alg, std::string_view signing_input) const;

  private:
    SigningKey(std::shared_ptr<EVP_PKEY> key, std::string kid);
    std::shared_ptr<EVP_PKEY> key_;
    std::string kid_;
};

// base64url(JSON text of `value`).
std::string encode_part(const nlohmann::json& value);

// A compact JWS of `payload` under `header`, signed by `key` with header["alg"].
std::string sign_compact(const nlohmann::json& header, const nlohmann::json& payload,
                         const SigningKey& key);

// The usual header for `key`: {"alg": alg, "kid": key.kid(), "typ": "JWT"}.
nlohmann::json header_for(const SigningKey& key, std::string_view alg);

// {"keys": [jwks...]} as text.
std::string jwks_text(const std::vector<nlohmann::json>& jwks);

// HMAC-SHA256 of `data` with `secret`, as an HS256 signature.
std::string hmac_sha256(std::string_view secret, std::string_view data);

}  // namespace gatehouse::oidc::testing
