// Fuzzes OpenID Connect ID token verification (oidc::verify_id_token: compact JWS parsing,
// the signature, then the claims) and the claims checks alone on a JSON payload, which a
// fuzzer could not otherwise reach past the signature. The input is the compact token, or a
// JSON payload.
//
// The provider's JWKS holds the public half of tests/fuzz/keys/signing.key, with which
// tests/fuzz/make_seeds signed the token seeds (RS256), at the instant the seeds were issued.
#include "gatehouse/oidc/id_token.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <memory>

#include "fuzz_support.hpp"
#include "gatehouse/util/encoding.hpp"

namespace {

using namespace gatehouse;

std::optional<oidc::KeySet> keys;
const oidc::IdTokenExpectations expected{.issuer = "https://op.example.test",
                                         .client_id = "gatehouse-client",
                                         .nonce = "n-0S6_WzA2Mj",
                                         .now = 1767225600,  // 2026-01-01T00:00:00Z
                                         .clock_skew_seconds = 180,
                                         .max_age_seconds = 600};

// The JWK member `name` ("n" or "e") of an RSA key, base64url without padding.
std::string jwk_member(EVP_PKEY* key, const char* name) {
    BIGNUM* number = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &number) != 1) {
        fuzz::invariant_broken("the fixture key has no RSA parameters");
    }
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
    BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(number);
    return util::base64url_encode(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const std::string pem = fuzz::read_source_file("tests/fuzz/keys/signing.key");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                  &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!key) fuzz::invariant_broken("the fixture key does not load");
    const nlohmann::json jwks = {{"keys",
                                  {{{"kty", "RSA"},
                                    {"kid", "fuzz"},
                                    {"use", "sig"},
                                    {"alg", "RS256"},
                                    {"n", jwk_member(key.get(), OSSL_PKEY_PARAM_RSA_N)},
                                    {"e", jwk_member(key.get(), OSSL_PKEY_PARAM_RSA_E)}}}}};
    auto parsed = oidc::KeySet::parse(jwks.dump());
    if (!parsed || parsed->size() != 1) fuzz::invariant_broken("the fixture JWKS does not load");
    keys = std::move(parsed.value());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    const auto verified = oidc::verify_id_token(text, *keys, expected);
    fuzz::trace_result("verify_id_token", verified);
    if (const auto& claims = verified) {
        if (claims->issuer != expected.issuer) fuzz::invariant_broken("another issuer accepted");
        if (claims->subject.empty()) fuzz::invariant_broken("a token accepted without a subject");
    }
    const auto payload = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!payload.is_discarded()) {
        const auto checked = oidc::check_id_token_claims(payload, expected);
        fuzz::trace_result("check_id_token_claims", checked);
        if (const auto& claims = checked) {
            if (claims->subject.empty() || claims->subject.size() > 255) {
                fuzz::invariant_broken("claims accepted with a bad subject");
            }
            if (claims->expires_at + expected.clock_skew_seconds <= expected.now) {
                fuzz::invariant_broken("expired claims accepted");
            }
        }
    }
    return 0;
}
