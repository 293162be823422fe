#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <array>
#include <optional>
#include <vector>

#include "gatehouse/oidc/printable.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/json.hpp"
#include "key_set_internal.hpp"

namespace gatehouse::oidc {
namespace {

using nlohmann::json;

// One accepted "alg" (RFC 7518 §3.1). PSS uses MGF1 with the same digest and a salt as long
// as the digest (§3.5).
struct Algorithm {
    std::string_view name;
    const EVP_MD* (*digest)();
    KeyType key_type;
    bool pss;
};

constexpr std::array<Algorithm, 7> kAlgorithms{{
    {"RS256", EVP_sha256, KeyType::rsa, false},
    {"RS384", EVP_sha384, KeyType::rsa, false},
    {"RS512", EVP_sha512, KeyType::rsa, false},
    {"PS256", EVP_sha256, KeyType::rsa, true},
    {"PS384", EVP_sha384, KeyType::rsa, true},
    {"PS512", EVP_sha512, KeyType::rsa, true},
    {"ES256", EVP_sha256, KeyType::ec_p256, false},
}};

constexpr std::size_t kEs256SignatureBytes = 64;

Error malformed(const std::string& why) {
    return fail("oidc.token.malformed", "The token is malformed: " + why + ".");
}

const Algorithm* find_algorithm(std::string_view name) {
    for (const Algorithm& algorithm : kAlgorithms) {
        if (algorithm.name == name) return &algorithm;
    }
    return nullptr;
}

// A short, printable rendering of an attacker-chosen header value for messages.
std::string shown(std::string_view text) { return printable(text, 40); }

// Decodes a base64url part that must hold a JSON object.
std::optional<json> decode_object(std::string_view part) {
    const auto bytes = util::base64url_decode(part);
    if (!bytes) return std::nullopt;
    json value = util::parse_untrusted_json(*bytes);
    if (value.is_discarded() || !value.is_object()) return std::nullopt;
    return value;
}

// Raw r||s (RFC 7518 §3.4) to the DER ECDSA-Sig-Value that OpenSSL verifies.
std::optional<std::string> ecdsa_der(std::string_view raw) {
    const auto half = static_cast<int>(raw.size() / 2);
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    BignumPtr r(BN_bin2bn(bytes, half, nullptr));
    BignumPtr s(BN_bin2bn(bytes + half, half, nullptr));
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> signature(ECDSA_SIG_new(),
                                                                    ECDSA_SIG_free);
    if (!r || !s || !signature || ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1)
        return std::nullopt;
    r.release();  // owned by `signature` now
    s.release();
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(signature.get(), &der);
    if (length <= 0) return std::nullopt;
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    return out;
}

// Whether `key` verifies `signature` over `signing_input` with `algorithm`.
bool verifies(const Algorithm& algorithm, EVP_PKEY* key, std::string_view signing_input,
              std::string_view signature) {
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* key_ctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &key_ctx, algorithm.digest(), nullptr, key) != 1)
        return false;
    if (algorithm.pss && (EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                          EVP_PKEY_CTX_set_rsa_pss_saltlen(key_ctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                          EVP_PKEY_CTX_set_rsa_mgf1_md(key_ctx, algorithm.digest()) != 1))
        return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(signing_input.data()),
                            signing_input.size()) == 1;
}

struct Parts {
    std::string_view header, payload, signature;
};

std::optional<Parts> split_compact(std::string_view compact) {
    const auto first = compact.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = compact.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    if (compact.find('.', second + 1) != std::string_view::npos) return std::nullopt;
    return Parts{compact.substr(0, first), compact.substr(first + 1, second - first - 1),
                 compact.substr(second + 1)};
}

}  // namespace

Result<VerifiedJws> verify_jws(std::string_view compact, const KeySet& keys) {
    if (compact.size() > kMaxJwsLength)
        return malformed("it is " + std::to_string(compact.size()) + " bytes, more than " +
                         std::to_string(kMaxJwsLength));
    const auto parts = split_compact(compact);
    if (!parts) return malformed("it does not have exactly three dot-separated parts");
    auto header = decode_object(parts->header);
    if (!header) return malformed("the header is not a base64url-encoded JSON object");
    // No extension is understood, so any "crit" list must be refused (RFC 7515 §4.1.11).
    if (header->contains("crit")) return malformed("the header has a \"crit\" member");
    const auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string())
        return malformed("the header has no \"alg\" string");
    const std::string alg_name = alg->get<std::string>();
    const auto kid = header->find("kid");
    if (kid != header->end() && !kid->is_string())
        return malformed("the header's \"kid\" is not a string");
    const std::string key_id = kid == header->end() ? "" : kid->get<std::string>();

    // "none" and the HMAC family are refused by name: with HS256, a verifier that used an RSA
    // public key as the HMAC secret would accept tokens anyone can make.
    const Algorithm* algorithm = find_algorithm(alg_name);
    if (!algorithm)
        return fail("oidc.token.algorithm",
                    "The token's algorithm \"" + shown(alg_name) + "\" is not accepted.");
    if (!util::base64url_decode(parts->payload))
        return malformed("the payload is not base64url-encoded");
    auto signature = util::base64url_decode(parts->signature);
    if (!signature) return malformed("the signature is not base64url-encoded");

    std::vector<const KeySet::Key*> candidates;
    bool kid_matched = false;
    for (const KeySet::Key& key : *keys.keys_) {
        if (!key_id.empty() && key.key_id != key_id) continue;
        kid_matched = true;
        if (key.type == algorithm->key_type && (key.algorithm.empty() || key.algorithm == alg_name))
            candidates.push_back(&key);
    }
    if (!key_id.empty() && !kid_matched)
        return fail(
            "oidc.token.unknown_key",
            "No key in the provider's JWKS has the token's key ID \"" + shown(key_id) + "\".");
    if (candidates.empty() && !key_id.empty())
        return fail(
            "oidc.token.algorithm",
            "The key \"" + shown(key_id) + "\" is not for the token's algorithm " + alg_name + ".");
    if (candidates.empty())
        return fail("oidc.token.unknown_key",
                    "The provider's JWKS has no key for the token's algorithm " + alg_name + ".");

    if (algorithm->key_type == KeyType::ec_p256) {
        if (signature->size() != kEs256SignatureBytes)
            return fail(
                "oidc.token.signature",
                "The ES256 signature is " + std::to_string(signature->size()) + " bytes, not 64.");
        auto der = ecdsa_der(*signature);
        if (!der) return fail("oidc.token.signature", "The ES256 signature cannot be decoded.");
        signature = std::move(der);
    }
    const std::string_view signing_input =
        compact.substr(0, parts->header.size() + 1 + parts->payload.size());
    bool verified = false;
    for (const KeySet::Key* key : candidates) {
        if (verifies(*algorithm, key->public_key.get(), signing_input, *signature)) {
            verified = true;
            break;
        }
    }
    ERR_clear_error();  // failed attempts leave entries on this thread's queue
    if (!verified)
        return fail("oidc.token.signature", "No key verified the token's " + alg_name +
                                                " signature (tried " +
                                                std::to_string(candidates.size()) + ").");
    auto payload = decode_object(parts->payload);
    if (!payload) return malformed("the payload is not a JSON object");
    return VerifiedJws{alg_name, key_id, std::move(*header), std::move(*payload)};
}

}  // namespace gatehouse::oidc
