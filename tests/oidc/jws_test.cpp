#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gatehouse/oidc/jose.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/jws_signer.hpp"

using namespace gatehouse;
using namespace gatehouse::oidc;
using gatehouse::oidc::testing::encode_part;
using gatehouse::oidc::testing::header_for;
using gatehouse::oidc::testing::jwks_text;
using gatehouse::oidc::testing::sign_compact;
using gatehouse::oidc::testing::SigningKey;
using nlohmann::json;

namespace {

const json kPayload = {{"iss", "https://idp.example"}, {"sub", "248289761001"}};

KeySet key_set(const std::vector<json>& jwks) {
    auto keys = KeySet::parse(jwks_text(jwks));
    REQUIRE(keys.ok());
    return *keys;
}

// The usual provider: one RSA and one EC key.
KeySet provider_keys() {
    return key_set({SigningKey::shared_rsa().jwk(), SigningKey::shared_ec().jwk()});
}

std::string error_code(std::string_view token, const KeySet& keys) {
    const auto verified = verify_jws(token, keys);
    REQUIRE_FALSE(verified.ok());
    if (!token.empty())
        CHECK(verified.error().message.find(std::string(token)) == std::string::npos);
    return verified.error().code;
}

// `token` with its `index`th part (0 header, 1 payload, 2 signature) replaced.
std::string with_part(std::string_view token, int index, std::string_view part) {
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    std::string parts[3] = {std::string(token.substr(0, first)),
                            std::string(token.substr(first + 1, second - first - 1)),
                            std::string(token.substr(second + 1))};
    parts[index] = part;
    return parts[0] + "." + parts[1] + "." + parts[2];
}

}  // namespace

TEST_CASE("JWS signed RS256 by a listed key verifies and yields its header and claims") {
    const auto& key = SigningKey::shared_rsa();
    const auto verified =
        verify_jws(sign_compact(header_for(key, "RS256"), kPayload, key), provider_keys());
    REQUIRE(verified.ok());
    CHECK(verified->algorithm == "RS256");
    CHECK(verified->key_id == "rsa-1");
    CHECK(verified->header["typ"] == "JWT");
    CHECK(verified->payload == kPayload);
}

TEST_CASE("JWS signed ES256 with a raw r||s signature verifies") {
    const auto& key = SigningKey::shared_ec();
    const auto verified =
        verify_jws(sign_compact(header_for(key, "ES256"), kPayload, key), provider_keys());
    REQUIRE(verified.ok());
    CHECK(verified->algorithm == "ES256");
    CHECK(verified->payload == kPayload);
}

TEST_CASE("JWS signed with every RSA algorithm, PKCS#1 v1.5 and PSS, verifies") {
    const auto& key = SigningKey::shared_rsa();
    for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}) {
        CAPTURE(alg);
        const auto verified =
            verify_jws(sign_compact(header_for(key, alg), kPayload, key), provider_keys());
        REQUIRE(verified.ok());
        CHECK(verified->algorithm == alg);
    }
}

TEST_CASE("JWS without a kid is verified by trying every key of the algorithm's type") {
    const auto& second = SigningKey::second_rsa();
    const std::string token = sign_compact({{"alg", "RS256"}}, kPayload, second);
    const KeySet keys = key_set({SigningKey::shared_rsa().jwk(), second.jwk()});
    const auto verified = verify_jws(token, keys);
    REQUIRE(verified.ok());
    CHECK(verified->key_id.empty());
    CHECK(error_code(token, key_set({SigningKey::shared_rsa().jwk()})) == "oidc.token.signature");
}

TEST_CASE("JWS without a kid, when the set has no key of the algorithm's type, names no key") {
    const auto& key = SigningKey::shared_ec();
    const std::string token = sign_compact({{"alg", "ES256"}}, kPayload, key);
    CHECK(error_code(token, key_set({SigningKey::shared_rsa().jwk()})) == "oidc.token.unknown_key");
}

TEST_CASE("JWS with alg none is refused, with or without a signature part") {
    const std::string unsigned_token =
        encode_part({{"alg", "none"}}) + "." + encode_part(kPayload) + ".";
    CHECK(error_code(unsigned_token, provider_keys()) == "oidc.token.algorithm");
    CHECK(error_code(unsigned_token + "c2ln", provider_keys()) == "oidc.token.algorithm");
    const std::string unsigned_kid =
        encode_part({{"alg", "none"}, {"kid", "rsa-1"}}) + "." + encode_part(kPayload) + ".";
    CHECK(error_code(unsigned_kid, provider_keys()) == "oidc.token.algorithm");
}

TEST_CASE("JWS signed HS256 with the RSA public key as the HMAC secret is refused") {
    // The key-confusion attack: a verifier that feeds "the key" to whatever alg says would
    // check this HMAC with the public key it knows, and accept a forgery.
    const auto& key = SigningKey::shared_rsa();
    const std::string signing_input =
        encode_part(header_for(key, "HS256")) + "." + encode_part(kPayload);
    for (const std::string& secret :
         {key.public_pem(), key.jwk().dump(), key.jwk()["n"].get<std::string>()}) {
        const std::string token =
            signing_input + "." +
            util::base64url_encode(testing::hmac_sha256(secret, signing_input));
        CHECK(error_code(token, provider_keys()) == "oidc.token.algorithm");
    }
}

TEST_CASE("JWS with an algorithm outside the accepted list is refused") {
    const std::string body = "." + encode_part(kPayload) + ".c2ln";
    for (const char* alg : {"HS384", "HS512", "ES384", "ES512", "EdDSA", "RS1", "rs256", ""}) {
        CAPTURE(alg);
        CHECK(error_code(encode_part({{"alg", alg}}) + body, provider_keys()) ==
              "oidc.token.algorithm");
    }
}

TEST_CASE("JWS whose ES256 header names an RSA key's kid is refused") {
    const auto& ec = SigningKey::shared_ec();
    json header = header_for(ec, "ES256");
    header["kid"] = "rsa-1";
    CHECK(error_code(sign_compact(header, kPayload, ec), provider_keys()) ==
          "oidc.token.algorithm");
}

TEST_CASE("JWS whose kid is not in the set asks for a fresh JWKS") {
    const SigningKey& key = SigningKey::second_rsa();
    const auto verified =
        verify_jws(sign_compact(header_for(key, "RS256"), kPayload, key), provider_keys());
    REQUIRE_FALSE(verified.ok());
    CHECK(verified.error().code == "oidc.token.unknown_key");
    CHECK(verified.error().message.find("rsa-2") != std::string::npos);
}

TEST_CASE("JWS whose algorithm differs from the JWK's alg is refused") {
    const auto& key = SigningKey::shared_rsa();
    json pinned = key.jwk();
    pinned["alg"] = "RS256";
    const KeySet keys = key_set({pinned});
    CHECK(verify_jws(sign_compact(header_for(key, "RS256"), kPayload, key), keys).ok());
    CHECK(error_code(sign_compact(header_for(key, "PS256"), kPayload, key), keys) ==
          "oidc.token.algorithm");
}

TEST_CASE("JWS with one changed payload byte fails the signature") {
    const auto& key = SigningKey::shared_rsa();
    const std::string token = sign_compact(header_for(key, "RS256"), kPayload, key);
    json changed = kPayload;
    changed["sub"] = "248289761002";
    CHECK(error_code(with_part(token, 1, encode_part(changed)), provider_keys()) ==
          "oidc.token.signature");
}

TEST_CASE("JWS with a changed signature byte fails, for RSA and for EC") {
    for (const SigningKey* key : {&SigningKey::shared_rsa(), &SigningKey::shared_ec()}) {
        const std::string alg = key->kid() == "ec-1" ? "ES256" : "RS256";
        CAPTURE(alg);
        const std::string token = sign_compact(header_for(*key, alg), kPayload, *key);
        const std::string encoded = token.substr(token.rfind('.') + 1);
        std::string signature = util::base64url_decode(encoded).value();
        signature[10] = static_cast<char>(signature[10] ^ 0x40);
        CHECK(error_code(with_part(token, 2, util::base64url_encode(signature)), provider_keys()) ==
              "oidc.token.signature");
    }
}

TEST_CASE("JWS with an ES256 signature that is not 64 bytes is refused") {
    const auto& key = SigningKey::shared_ec();
    const std::string token = sign_compact(header_for(key, "ES256"), kPayload, key);
    const std::string signature =
        util::base64url_decode(token.substr(token.rfind('.') + 1)).value();
    CHECK(error_code(with_part(token, 2, util::base64url_encode(signature.substr(0, 63))),
                     provider_keys()) == "oidc.token.signature");
    CHECK(error_code(with_part(token, 2, util::base64url_encode(signature + '\0')),
                     provider_keys()) == "oidc.token.signature");
}

TEST_CASE("JWS with a crit header is malformed, even when correctly signed") {
    const auto& key = SigningKey::shared_rsa();
    json header = header_for(key, "RS256");
    header["crit"] = {"exp"};
    header["exp"] = 1;
    CHECK(error_code(sign_compact(header, kPayload, key), provider_keys()) ==
          "oidc.token.malformed");
}

TEST_CASE("JWS longer than 16 KiB is malformed") {
    const auto& key = SigningKey::shared_rsa();
    json payload = kPayload;
    payload["padding"] = std::string(kMaxJwsLength, 'x');
    CHECK(error_code(sign_compact(header_for(key, "RS256"), payload, key), provider_keys()) ==
          "oidc.token.malformed");
}

TEST_CASE("JWS that is not three base64url parts of JSON objects is malformed") {
    const auto& key = SigningKey::shared_rsa();
    const std::string token = sign_compact(header_for(key, "RS256"), kPayload, key);
    const std::string two_parts = token.substr(0, token.rfind('.'));
    CHECK(error_code(two_parts, provider_keys()) == "oidc.token.malformed");
    CHECK(error_code(token + ".", provider_keys()) == "oidc.token.malformed");
    CHECK(error_code("", provider_keys()) == "oidc.token.malformed");
    CHECK(error_code(with_part(token, 0, "eyJhbGciOiJSUzI1NiJ9="), provider_keys()) ==
          "oidc.token.malformed");
    CHECK(error_code(with_part(token, 0, util::base64url_encode("[\"RS256\"]")), provider_keys()) ==
          "oidc.token.malformed");
    CHECK(error_code(with_part(token, 0, util::base64url_encode("{\"alg\":")), provider_keys()) ==
          "oidc.token.malformed");
    CHECK(error_code(with_part(token, 2, "a+b/"), provider_keys()) == "oidc.token.malformed");
    CHECK(error_code(with_part(token, 1, "a*"), provider_keys()) == "oidc.token.malformed");
}

TEST_CASE("JWS whose alg or kid is not a string is malformed") {
    const std::string body = "." + encode_part(kPayload) + ".c2ln";
    CHECK(error_code(encode_part({{"alg", 256}}) + body, provider_keys()) ==
          "oidc.token.malformed");
    CHECK(error_code(encode_part({{"typ", "JWT"}}) + body, provider_keys()) ==
          "oidc.token.malformed");
    CHECK(error_code(encode_part({{"alg", "RS256"}, {"kid", 1}}) + body, provider_keys()) ==
          "oidc.token.malformed");
}

TEST_CASE("JWS with a correctly signed payload that is not a JSON object is malformed") {
    const auto& key = SigningKey::shared_rsa();
    const std::string signing_input =
        encode_part(header_for(key, "RS256")) + "." + util::base64url_encode("[1,2]");
    const std::string token =
        signing_input + "." + util::base64url_encode(key.sign("RS256", signing_input));
    CHECK(error_code(token, provider_keys()) == "oidc.token.malformed");
}

TEST_CASE("JWS whose payload holds bytes after a NUL byte is malformed, even when signed") {
    // nlohmann stops reading at a NUL byte: without the check the claims after it would be
    // ignored rather than refused.
    const auto& key = SigningKey::shared_rsa();
    const std::string payload = kPayload.dump() + std::string("\0", 1) + R"({"sub":"other"})";
    const std::string signing_input =
        encode_part(header_for(key, "RS256")) + "." + util::base64url_encode(payload);
    const std::string token =
        signing_input + "." + util::base64url_encode(key.sign("RS256", signing_input));
    CHECK(error_code(token, provider_keys()) == "oidc.token.malformed");
}

TEST_CASE("JWS whose header names alg twice is malformed, even when signed") {
    // RFC 7515 §4: a reader must refuse repeated header names or keep the last; readers that
    // keep the first would check another algorithm than Gatehouse does.
    const auto& key = SigningKey::shared_rsa();
    const std::string header = R"({"alg":"none",)" + header_for(key, "RS256").dump().substr(1);
    const std::string signing_input = util::base64url_encode(header) + "." + encode_part(kPayload);
    const std::string token =
        signing_input + "." + util::base64url_encode(key.sign("RS256", signing_input));
    CHECK(error_code(token, provider_keys()) == "oidc.token.malformed");
}

TEST_CASE("JWS verification against an empty key set names the unknown key") {
    const auto& key = SigningKey::shared_rsa();
    CHECK(error_code(sign_compact(header_for(key, "RS256"), kPayload, key), KeySet()) ==
          "oidc.token.unknown_key");
}

TEST_CASE("One key set verifies tokens from several threads at once") {
    const KeySet keys = provider_keys();
    const auto& rsa = SigningKey::shared_rsa();
    const auto& ec = SigningKey::shared_ec();
    const std::string tokens[] = {sign_compact(header_for(rsa, "RS256"), kPayload, rsa),
                                  sign_compact(header_for(rsa, "PS256"), kPayload, rsa),
                                  sign_compact(header_for(ec, "ES256"), kPayload, ec)};
    std::atomic<int> verified{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, copy = keys] {
            for (int i = 0; i < 30; ++i) {
                if (verify_jws(tokens[i % 3], copy).ok()) ++verified;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(verified == 120);
}
