#include "support/jws_signer.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "gatehouse/util/encoding.hpp"

namespace gatehouse::oidc::testing {
namespace {

using nlohmann::json;

struct BignumFree {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
using BignumPtr = std::unique_ptr<BIGNUM, BignumFree>;

// Fixture failures are programming errors in the test; they stop the test loudly.
void require(bool condition, const char* what) {
    if (!condition) throw std::runtime_error(std::string("jws_signer: ") + what);
}

std::string bignum_bytes(EVP_PKEY* key, const char* name, int pad_to = 0) {
    BIGNUM* raw = nullptr;
    require(EVP_PKEY_get_bn_param(key, name, &raw) == 1, "get_bn_param");
    const BignumPtr value(raw);
    const int size = pad_to > 0 ? pad_to : BN_num_bytes(value.get());
    std::string out(static_cast<std::size_t>(size), '\0');
    require(BN_bn2binpad(value.get(), reinterpret_cast<unsigned char*>(out.data()), size) == size,
            "bn2binpad");
    return out;
}

const EVP_MD* digest_for(std::string_view alg) {
    const auto bits = alg.substr(2);
    if (bits == "256") return EVP_sha256();
    if (bits == "384") return EVP_sha384();
    if (bits == "512") return EVP_sha512();
    throw std::runtime_error("jws_signer: no digest for " + std::string(alg));
}

// DER ECDSA-Sig-Value to the 64-byte r||s of RFC 7518 §3.4.
std::string raw_ecdsa(const std::string& der) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
    const std::unique_ptr<ECDSA_SIG, EcdsaSigFree> signature(
        d2i_ECDSA_SIG(nullptr, &bytes, static_cast<long>(der.size())));
    require(signature != nullptr, "d2i_ECDSA_SIG");
    std::string out(64, '\0');
    auto* target = reinterpret_cast<unsigned char*>(out.data());
    require(BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), target, 32) == 32 &&
                BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), target + 32, 32) == 32,
            "r||s");
    return out;
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> key, std::string kid)
    : key_(std::move(key)), kid_(std::move(kid)) {}

SigningKey SigningKey::rsa(std::string kid, int bits) {
    EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
    require(key != nullptr, "EVP_RSA_gen");
    return SigningKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free), std::move(kid));
}

SigningKey SigningKey::ec_p256(std::string kid) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    require(key != nullptr, "EVP_EC_gen");
    return SigningKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free), std::move(kid));
}

const SigningKey& SigningKey::shared_rsa() {
    static const SigningKey key = rsa("rsa-1");
    return key;
}

const SigningKey& SigningKey::second_rsa() {
    static const SigningKey key = rsa("rsa-2");
    return key;
}

const SigningKey& SigningKey::shared_ec() {
    static const SigningKey key = ec_p256("ec-1");
    return key;
}

json SigningKey::jwk() const {
    if (EVP_PKEY_is_a(key_.get(), "RSA")) {
        return {{"kty", "RSA"},
                {"kid", kid_},
                {"use", "sig"},
                {"n", util::base64url_encode(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
                {"e", util::base64url_encode(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_E))}};
    }
    return {{"kty", "EC"},
            {"kid", kid_},
            {"use", "sig"},
            {"crv", "P-256"},
            {"x", util::base64url_encode(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
            {"y", util::base64url_encode(bignum_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

std::string SigningKey::public_pem() const {
    const std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    require(bio && PEM_write_bio_PUBKEY(bio.get(), key_.get()) == 1, "PEM_write_bio_PUBKEY");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string SigningKey::sign(std::string_view alg, std::string_view signing_input) const {
    const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* key_ctx = nullptr;
    require(
        ctx && EVP_DigestSignInit(ctx.get(), &key_ctx, digest_for(alg), nullptr, key_.get()) == 1,
        "EVP_DigestSignInit");
    if (alg.starts_with("PS")) {
        require(EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(key_ctx, RSA_PSS_SALTLEN_DIGEST) == 1,
                "PSS");
    }
    const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
    std::size_t size = 0;
    require(EVP_DigestSign(ctx.get(), nullptr, &size, input, signing_input.size()) == 1, "size");
    std::string signature(size, '\0');
    require(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                           input, signing_input.size()) == 1,
            "EVP_DigestSign");
    signature.resize(size);
    return alg.starts_with("ES") ? raw_ecdsa(signature) : signature;
}

std::string encode_part(const json& value) { return util::base64url_encode(value.dump()); }

std::string sign_compact(const json& header, const json& payload, const SigningKey& key) {
    const std::string signing_input = encode_part(header) + "." + encode_part(payload);
    return signing_input + "." +
           util::base64url_encode(key.sign(header.at("alg").get<std::string>(), signing_input));
}

json header_for(const SigningKey& key, std::string_view alg) {
    return {{"alg", alg}, {"kid", key.kid()}, {"typ", "JWT"}};
}

std::string jwks_text(const std::vector<json>& jwks) { return json{{"keys", jwks}}.dump(); }

std::string hmac_sha256(std::string_view secret, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    require(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                 reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
                 &size) != nullptr,
            "HMAC");
    return std::string(reinterpret_cast<const char*>(out), size);
}

}  // namespace gatehouse::oidc::testing
