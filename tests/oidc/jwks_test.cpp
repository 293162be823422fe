#include <doctest/doctest.h>

#include "gatehouse/oidc/jose.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/jws_signer.hpp"

using namespace gatehouse;
using namespace gatehouse::oidc;
using gatehouse::oidc::testing::jwks_text;
using gatehouse::oidc::testing::SigningKey;
using nlohmann::json;

namespace {

std::string parse_error(std::string_view text) {
    const auto keys = KeySet::parse(text);
    REQUIRE_FALSE(keys.ok());
    return keys.error().code;
}

}  // namespace

TEST_CASE("JWKS keeps RSA and P-256 signing keys and knows their key IDs") {
    const auto keys =
        KeySet::parse(jwks_text({SigningKey::shared_rsa().jwk(), SigningKey::shared_ec().jwk()}));
    REQUIRE(keys.ok());
    CHECK(keys->size() == 2);
    CHECK(keys->has_key_id("rsa-1"));
    CHECK(keys->has_key_id("ec-1"));
    CHECK_FALSE(keys->has_key_id("other"));
    CHECK_FALSE(keys->has_key_id(""));
}

TEST_CASE("JWKS keeps a key without \"use\" and skips encryption keys") {
    json no_use = SigningKey::shared_rsa().jwk();
    no_use.erase("use");
    json encryption = SigningKey::second_rsa().jwk();
    encryption["use"] = "enc";
    const auto keys = KeySet::parse(jwks_text({no_use, encryption}));
    REQUIRE(keys.ok());
    CHECK(keys->size() == 1);
    CHECK(keys->has_key_id("rsa-1"));
    CHECK_FALSE(keys->has_key_id("rsa-2"));
}

TEST_CASE("JWKS skips key types and curves it does not verify with") {
    const json symmetric = {{"kty", "oct"}, {"kid", "h"}, {"k", "c2VjcmV0"}};
    const json okp = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "AAAA"}};
    const json p384 = {{"kty", "EC"}, {"crv", "P-384"}, {"x", "AAAA"}, {"y", "AAAA"}};
    const auto keys = KeySet::parse(jwks_text({symmetric, okp, p384}));
    REQUIRE(keys.ok());
    CHECK(keys->size() == 0);
}

TEST_CASE("JWKS skips an RSA key under 2048 bits") {
    const SigningKey weak = SigningKey::rsa("weak", 1024);
    const auto keys = KeySet::parse(jwks_text({weak.jwk(), SigningKey::shared_ec().jwk()}));
    REQUIRE(keys.ok());
    CHECK(keys->size() == 1);
    CHECK_FALSE(keys->has_key_id("weak"));
}

TEST_CASE("An empty key list is a valid set that verifies nothing") {
    const auto keys = KeySet::parse(R"({"keys": []})");
    REQUIRE(keys.ok());
    CHECK(keys->size() == 0);
    CHECK(KeySet().size() == 0);
}

TEST_CASE("JWKS that is not JSON or has no keys array is invalid") {
    CHECK(parse_error("not json") == "oidc.jwks.invalid");
    CHECK(parse_error("[]") == "oidc.jwks.invalid");
    CHECK(parse_error("{}") == "oidc.jwks.invalid");
    CHECK(parse_error(R"({"keys": {}})") == "oidc.jwks.invalid");
    CHECK(parse_error(R"({"keys": ["rsa"]})") == "oidc.jwks.invalid");
}

TEST_CASE("JWKS with a malformed RSA key is invalid") {
    const json good = SigningKey::shared_rsa().jwk();
    json missing_n = good;
    missing_n.erase("n");
    json padded_e = good;
    padded_e["e"] = "AQAB==";
    json numeric_kid = good;
    numeric_kid["kid"] = 7;
    json wrong_type_n = good;
    wrong_type_n["n"] = 12345;
    CHECK(parse_error(jwks_text({missing_n})) == "oidc.jwks.invalid");
    CHECK(parse_error(jwks_text({padded_e})) == "oidc.jwks.invalid");
    CHECK(parse_error(jwks_text({numeric_kid})) == "oidc.jwks.invalid");
    CHECK(parse_error(jwks_text({wrong_type_n})) == "oidc.jwks.invalid");
}

TEST_CASE("JWKS with an EC point that is not on P-256 is invalid") {
    json off_curve = SigningKey::shared_ec().jwk();
    std::string y = util::base64url_decode(off_curve["y"].get<std::string>()).value();
    y.back() = static_cast<char>(y.back() ^ 0x01);
    off_curve["y"] = util::base64url_encode(y);
    CHECK(parse_error(jwks_text({off_curve})) == "oidc.jwks.invalid");
}

TEST_CASE("JWKS with an EC coordinate that is not exactly 32 bytes is invalid") {
    json short_x = SigningKey::shared_ec().jwk();
    const std::string x = util::base64url_decode(short_x["x"].get<std::string>()).value();
    short_x["x"] = util::base64url_encode(x.substr(1));
    json long_y = SigningKey::shared_ec().jwk();
    long_y["y"] = util::base64url_encode(
        '\0' + util::base64url_decode(long_y["y"].get<std::string>()).value());
    CHECK(parse_error(jwks_text({short_x})) == "oidc.jwks.invalid");
    CHECK(parse_error(jwks_text({long_y})) == "oidc.jwks.invalid");
}
