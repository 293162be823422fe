#include <openssl/core_names.h>
#include <openssl/err.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/json.hpp"
#include "key_set_internal.hpp"

namespace gatehouse::oidc {
namespace {

using nlohmann::json;

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr std::size_t kP256CoordinateBytes = 32;

Error invalid(const std::string& why) { return fail("oidc.jwks.invalid", "JWKS: " + why); }

// A member that must be a string when present; nullopt when present with another type.
std::optional<std::string> optional_string(const json& jwk, const char* name) {
    const auto it = jwk.find(name);
    if (it == jwk.end()) return std::string{};
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// A required base64url member, decoded; nullopt when missing, not a string, badly encoded
// or empty.
std::optional<std::string> required_bytes(const json& jwk, const char* name) {
    const auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) return std::nullopt;
    auto bytes = util::base64url_decode(it->get_ref<const std::string&>());
    if (!bytes || bytes->empty()) return std::nullopt;
    return bytes;
}

BignumPtr to_bignum(const std::string& big_endian) {
    return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(big_endian.data()),
                               static_cast<int>(big_endian.size()), nullptr));
}

// Builds a public key of OpenSSL type `name` from `params`, then runs OpenSSL's public-key
// check on it (for EC, that the point is on the curve; for RSA, that n and e are sane).
PkeyPtr public_key_from(const char* name, const OSSL_PARAM* params) {
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, name, nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) !=
        1)
        return nullptr;
    PkeyPtr key(raw);
    const PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
    return key;
}

// An RSA key from its JWK, nullptr when malformed. `too_small_or_large` is set (and nullptr
// returned) for a well-formed key outside the accepted sizes.
PkeyPtr rsa_key(const json& jwk, bool& outside_size_range) {
    const auto n = required_bytes(jwk, "n");
    const auto e = required_bytes(jwk, "e");
    if (!n || !e || e->size() > 8) return nullptr;
    const BignumPtr modulus = to_bignum(*n);
    const BignumPtr exponent = to_bignum(*e);
    if (!modulus || !exponent) return nullptr;
    const int bits = BN_num_bits(modulus.get());
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
        outside_size_range = true;
        return nullptr;
    }
    const ParamBuildPtr build(OSSL_PARAM_BLD_new());
    if (!build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1)
        return nullptr;
    const ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
    if (!params) return nullptr;
    return public_key_from("RSA", params.get());
}

// A P-256 key from its JWK, nullptr when malformed or not on the curve.
PkeyPtr p256_key(const json& jwk) {
    const auto x = required_bytes(jwk, "x");
    const auto y = required_bytes(jwk, "y");
    if (!x || !y || x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes)
        return nullptr;
    // SEC 1 uncompressed point: 0x04 || x || y.
    const std::string point = '\x04' + *x + *y;
    const ParamBuildPtr build(OSSL_PARAM_BLD_new());
    if (!build ||
        OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1)
        return nullptr;
    const ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
    if (!params) return nullptr;
    return public_key_from("EC", params.get());
}

// Adds the key that `jwk` describes to `kept` when it is one Gatehouse verifies with.
Status keep_if_usable(const json& jwk, std::size_t index, std::vector<KeySet::Key>& kept) {
    const std::string where = "key " + std::to_string(index);
    if (!jwk.is_object()) return invalid(where + " is not an object");
    const auto type = optional_string(jwk, "kty");
    const auto use = optional_string(jwk, "use");
    const auto key_id = optional_string(jwk, "kid");
    const auto algorithm = optional_string(jwk, "alg");
    if (!type || type->empty()) return invalid(where + " has no \"kty\" string");
    if (!use) return invalid(where + " has a non-string \"use\"");
    if (!use->empty() && *use != "sig") return {};  // an encryption key
    if (*type == "RSA") {
        if (!key_id || !algorithm) return invalid(where + " has a non-string \"kid\" or \"alg\"");
        bool outside_size_range = false;
        PkeyPtr key = rsa_key(jwk, outside_size_range);
        ERR_clear_error();
        if (outside_size_range) return {};
        if (!key) return invalid(where + " (RSA) has a missing or malformed \"n\" or \"e\"");
        kept.push_back(
            {KeyType::rsa, *key_id, *algorithm, std::shared_ptr<EVP_PKEY>(std::move(key))});
        return {};
    }
    if (*type == "EC") {
        const auto curve = optional_string(jwk, "crv");
        if (!curve || curve->empty()) return invalid(where + " (EC) has no \"crv\" string");
        if (*curve != "P-256") return {};
        if (!key_id || !algorithm) return invalid(where + " has a non-string \"kid\" or \"alg\"");
        PkeyPtr key = p256_key(jwk);
        ERR_clear_error();
        if (!key)
            return invalid(where + " (EC P-256) has a malformed point or one not on the curve");
        kept.push_back(
            {KeyType::ec_p256, *key_id, *algorithm, std::shared_ptr<EVP_PKEY>(std::move(key))});
        return {};
    }
    return {};  // "oct", "OKP", ...: not a key type Gatehouse verifies with
}

}  // namespace

KeySet::KeySet() : keys_(std::make_shared<const std::vector<Key>>()) {}

Result<KeySet> KeySet::parse(std::string_view jwks_json) {
    const json document = util::parse_untrusted_json(jwks_json);
    if (document.is_discarded()) return invalid("the document is not JSON");
    if (!document.is_object()) return invalid("the document is not a JSON object");
    const auto keys = document.find("keys");
    if (keys == document.end() || !keys->is_array())
        return invalid("the document has no \"keys\" array");
    auto kept = std::make_shared<std::vector<Key>>();
    for (std::size_t i = 0; i < keys->size(); ++i) {
        if (Status status = keep_if_usable((*keys)[i], i, *kept); !status) return status.error();
    }
    KeySet set;
    set.keys_ = std::move(kept);
    return set;
}

std::size_t KeySet::size() const { return keys_->size(); }

bool KeySet::has_key_id(std::string_view kid) const {
    return std::any_of(keys_->begin(), keys_->end(),
                       [kid](const Key& key) { return !kid.empty() && key.key_id == kid; });
}

}  // namespace gatehouse::oidc
