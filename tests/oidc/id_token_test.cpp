#include "gatehouse/oidc/id_token.hpp"

#include <doctest/doctest.h>

#include <limits>

#include "support/jws_signer.hpp"

using namespace gatehouse;
using namespace gatehouse::oidc;
using gatehouse::oidc::testing::header_for;
using gatehouse::oidc::testing::jwks_text;
using gatehouse::oidc::testing::sign_compact;
using gatehouse::oidc::testing::SigningKey;
using nlohmann::json;

namespace {

constexpr util::UnixTime kNow = 1'796'000'000;
constexpr int kSkew = 180;
constexpr int kMaxAge = 600;
const std::string kNonce = "n-0S6_WzA2Mj";

IdTokenExpectations expectations() {
    IdTokenExpectations expected;
    expected.issuer = "https://accounts.example.com";
    expected.client_id = "gatehouse-client";
    expected.nonce = kNonce;
    expected.now = kNow;
    expected.clock_skew_seconds = kSkew;
    expected.max_age_seconds = kMaxAge;
    return expected;
}

// Claims that pass every check; each test breaks one.
json valid_claims() {
    return {{"iss", "https://accounts.example.com"},
            {"aud", "gatehouse-client"},
            {"sub", "10769150350006150715113082367"},
            {"nonce", kNonce},
            {"iat", kNow - 10},
            {"exp", kNow + 3600},
            {"email", "jane@example.com"},
            {"email_verified", true},
            {"given_name", "Jane"},
            {"family_name", "Doe"},
            {"name", "Jane Doe"},
            {"preferred_username", "jane"},
            {"hd", "example.com"}};
}

json with(json claims, const char* name, json value) {
    claims[name] = std::move(value);
    return claims;
}

json without(json claims, const char* name) {
    claims.erase(name);
    return claims;
}

std::string error_code(const json& claims) {
    const auto checked = check_id_token_claims(claims, expectations());
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().message.find(kNonce) == std::string::npos);
    return checked.error().code;
}

bool accepted(const json& claims) { return check_id_token_claims(claims, expectations()).ok(); }

}  // namespace

TEST_CASE("ID token claims that pass every check are returned") {
    const auto claims = check_id_token_claims(valid_claims(), expectations());
    REQUIRE(claims.ok());
    CHECK(claims->issuer == "https://accounts.example.com");
    CHECK(claims->subject == "10769150350006150715113082367");
    CHECK(claims->email == "jane@example.com");
    CHECK(claims->email_verified);
    CHECK(claims->given_name == "Jane");
    CHECK(claims->family_name == "Doe");
    CHECK(claims->name == "Jane Doe");
    CHECK(claims->preferred_username == "jane");
    CHECK(claims->hosted_domain == "example.com");
    CHECK(claims->issued_at == kNow - 10);
    CHECK(claims->expires_at == kNow + 3600);
    CHECK(claims->claims == valid_claims());
}

TEST_CASE("ID token without hd or names leaves those fields empty") {
    json claims = valid_claims();
    for (const char* name : {"hd", "given_name", "family_name", "name", "preferred_username"})
        claims.erase(name);
    const auto checked = check_id_token_claims(claims, expectations());
    REQUIRE(checked.ok());
    CHECK(checked->hosted_domain.empty());
    CHECK(checked->name.empty());
}

TEST_CASE("ID token email_verified is true only for JSON true or the string \"true\"") {
    const auto verified = [](const json& claims) {
        auto checked = check_id_token_claims(claims, expectations());
        REQUIRE(checked.ok());
        return checked->email_verified;
    };
    CHECK(verified(with(valid_claims(), "email_verified", true)));
    CHECK(verified(with(valid_claims(), "email_verified", "true")));
    CHECK_FALSE(verified(with(valid_claims(), "email_verified", "false")));
    CHECK_FALSE(verified(with(valid_claims(), "email_verified", false)));
    CHECK_FALSE(verified(with(valid_claims(), "email_verified", "TRUE")));
    CHECK_FALSE(verified(with(valid_claims(), "email_verified", 1)));
    CHECK_FALSE(verified(without(valid_claims(), "email_verified")));
}

TEST_CASE("ID token from another issuer is refused, naming both issuers") {
    const auto checked =
        check_id_token_claims(with(valid_claims(), "iss", "https://evil.example"), expectations());
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().code == "oidc.token.issuer");
    CHECK(checked.error().message.find("https://evil.example") != std::string::npos);
    CHECK(checked.error().message.find("https://accounts.example.com") != std::string::npos);
    CHECK(error_code(with(valid_claims(), "iss", "https://accounts.example.com/")) ==
          "oidc.token.issuer");
    CHECK(error_code(without(valid_claims(), "iss")) == "oidc.token.issuer");
    CHECK(error_code(with(valid_claims(), "iss", 5)) == "oidc.token.issuer");
}

TEST_CASE("ID token whose audience does not include the client ID is refused") {
    CHECK(error_code(with(valid_claims(), "aud", "other-client")) == "oidc.token.audience");
    CHECK(error_code(with(valid_claims(), "aud", json::array({"a", "b"}))) ==
          "oidc.token.audience");
    CHECK(error_code(with(valid_claims(), "aud", json::array())) == "oidc.token.audience");
    CHECK(error_code(without(valid_claims(), "aud")) == "oidc.token.audience");
    CHECK(error_code(with(valid_claims(), "aud", 42)) == "oidc.token.audience");
}

TEST_CASE("ID token with an audience array containing only the client ID needs no azp") {
    CHECK(accepted(with(valid_claims(), "aud", json::array({"gatehouse-client"}))));
}

TEST_CASE("ID token with several audiences needs azp equal to the client ID") {
    const json several = with(valid_claims(), "aud", json::array({"gatehouse-client", "other"}));
    CHECK(error_code(several) == "oidc.token.azp");
    CHECK(accepted(with(several, "azp", "gatehouse-client")));
    CHECK(error_code(with(several, "azp", "other")) == "oidc.token.azp");
}

TEST_CASE("ID token with an azp other than the client ID is refused") {
    CHECK(accepted(with(valid_claims(), "azp", "gatehouse-client")));
    CHECK(error_code(with(valid_claims(), "azp", "other-client")) == "oidc.token.azp");
    CHECK(error_code(with(valid_claims(), "azp", 1)) == "oidc.token.azp");
}

TEST_CASE("ID token expiry allows the clock skew and not one second more") {
    CHECK(accepted(with(valid_claims(), "exp", kNow - kSkew + 1)));
    CHECK(error_code(with(valid_claims(), "exp", kNow - kSkew)) == "oidc.token.expired");
    CHECK(error_code(with(valid_claims(), "exp", kNow - kSkew - 1)) == "oidc.token.expired");
}

TEST_CASE("ID token without a numeric exp is refused as expired") {
    CHECK(error_code(without(valid_claims(), "exp")) == "oidc.token.expired");
    CHECK(error_code(with(valid_claims(), "exp", std::to_string(kNow + 3600))) ==
          "oidc.token.expired");
}

TEST_CASE("ID token dates may be decimals, and huge values do not overflow") {
    CHECK(accepted(with(valid_claims(), "exp", static_cast<double>(kNow) + 0.5)));
    CHECK(accepted(with(valid_claims(), "exp", std::numeric_limits<std::uint64_t>::max())));
    CHECK(error_code(with(valid_claims(), "exp", std::numeric_limits<std::int64_t>::min())) ==
          "oidc.token.expired");
    CHECK(error_code(with(valid_claims(), "iat", std::numeric_limits<std::int64_t>::max())) ==
          "oidc.token.issued_at");
}

TEST_CASE("ID token issued in the future is refused beyond the clock skew") {
    CHECK(accepted(with(valid_claims(), "iat", kNow + kSkew)));
    CHECK(error_code(with(valid_claims(), "iat", kNow + kSkew + 1)) == "oidc.token.issued_at");
}

TEST_CASE("ID token issued longer ago than the maximum age plus skew is refused") {
    CHECK(accepted(with(valid_claims(), "iat", kNow - kMaxAge - kSkew)));
    CHECK(error_code(with(valid_claims(), "iat", kNow - kMaxAge - kSkew - 1)) ==
          "oidc.token.issued_at");
}

TEST_CASE("ID token without a numeric iat is refused") {
    CHECK(error_code(without(valid_claims(), "iat")) == "oidc.token.issued_at");
    CHECK(error_code(with(valid_claims(), "iat", nullptr)) == "oidc.token.issued_at");
}

TEST_CASE("ID token not yet valid is refused beyond the clock skew") {
    CHECK(accepted(with(valid_claims(), "nbf", kNow + kSkew)));
    CHECK(error_code(with(valid_claims(), "nbf", kNow + kSkew + 1)) == "oidc.token.not_yet_valid");
    CHECK(error_code(with(valid_claims(), "nbf", "soon")) == "oidc.token.not_yet_valid");
}

TEST_CASE("ID token whose nonce is missing or different is refused without showing it") {
    CHECK(error_code(without(valid_claims(), "nonce")) == "oidc.token.nonce");
    CHECK(error_code(with(valid_claims(), "nonce", kNonce + "x")) == "oidc.token.nonce");
    CHECK(error_code(with(valid_claims(), "nonce", kNonce.substr(1))) == "oidc.token.nonce");
    CHECK(error_code(with(valid_claims(), "nonce", 7)) == "oidc.token.nonce");
}

TEST_CASE("An empty expected nonce matches no token, not even one with an empty nonce") {
    IdTokenExpectations expected = expectations();
    expected.nonce = "";
    const auto checked = check_id_token_claims(with(valid_claims(), "nonce", ""), expected);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().code == "oidc.token.nonce");
}

TEST_CASE("ID token subject must be a non-empty string of at most 255 characters") {
    CHECK(error_code(without(valid_claims(), "sub")) == "oidc.token.subject");
    CHECK(error_code(with(valid_claims(), "sub", "")) == "oidc.token.subject");
    CHECK(error_code(with(valid_claims(), "sub", 12345)) == "oidc.token.subject");
    CHECK(accepted(with(valid_claims(), "sub", std::string(255, 's'))));
    CHECK(error_code(with(valid_claims(), "sub", std::string(256, 's'))) == "oidc.token.subject");
}

TEST_CASE("ID token checks run in order: issuer before audience before time before nonce") {
    json claims = valid_claims();
    claims["nonce"] = "wrong";
    claims["exp"] = kNow - 3600;
    CHECK(error_code(claims) == "oidc.token.expired");
    claims["aud"] = "other";
    CHECK(error_code(claims) == "oidc.token.audience");
    claims["iss"] = "https://other.example";
    CHECK(error_code(claims) == "oidc.token.issuer");
}

TEST_CASE("verify_id_token checks the signature, then the claims") {
    const auto& key = SigningKey::shared_rsa();
    const auto keys = KeySet::parse(jwks_text({key.jwk()}));
    REQUIRE(keys.ok());
    const auto verified = verify_id_token(
        sign_compact(header_for(key, "RS256"), valid_claims(), key), *keys, expectations());
    REQUIRE(verified.ok());
    CHECK(verified->subject == "10769150350006150715113082367");

    const auto stale = verify_id_token(
        sign_compact(header_for(key, "RS256"), with(valid_claims(), "exp", kNow - 3600), key),
        *keys, expectations());
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().code == "oidc.token.expired");

    const auto& other = SigningKey::second_rsa();
    const auto forged = verify_id_token(
        sign_compact(header_for(key, "RS256"), valid_claims(), other), *keys, expectations());
    REQUIRE_FALSE(forged.ok());
    CHECK(forged.error().code == "oidc.token.signature");
}
