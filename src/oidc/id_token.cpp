#include "gatehouse/oidc/id_token.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "gatehouse/oidc/printable.hpp"
#include "gatehouse/util/crypto.hpp"

namespace gatehouse::oidc {
namespace {

using nlohmann::json;
using util::UnixTime;

constexpr std::size_t kMaxSubjectLength = 255;
// Numeric dates beyond ±2^40 seconds (about 35,000 years) are clamped, so that adding or
// subtracting skews and ages below cannot overflow.
constexpr UnixTime kDateLimit = UnixTime{1} << 40;

// A NumericDate claim (RFC 7519 §2): an integer or decimal number of seconds; nullopt when
// missing or of another type.
std::optional<UnixTime> numeric_date(const json& payload, const char* name) {
    const auto it = payload.find(name);
    if (it == payload.end() || !it->is_number()) return std::nullopt;
    if (it->is_number_unsigned()) {
        const auto value = it->get<std::uint64_t>();
        return value > static_cast<std::uint64_t>(kDateLimit) ? kDateLimit
                                                              : static_cast<UnixTime>(value);
    }
    if (it->is_number_integer())
        return std::clamp(it->get<std::int64_t>(), -kDateLimit, kDateLimit);
    const double value = it->get<double>();
    if (!std::isfinite(value)) return std::nullopt;
    return static_cast<UnixTime>(std::trunc(
        std::clamp(value, -static_cast<double>(kDateLimit), static_cast<double>(kDateLimit))));
}

std::string string_claim(const json& payload, const char* name) {
    const auto it = payload.find(name);
    return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string time_text(UnixTime t) {
    return util::format_iso8601(t) + " (" + std::to_string(t) + ")";
}

Status check_issuer(const json& payload, const IdTokenExpectations& expected) {
    const auto iss = payload.find("iss");
    if (iss == payload.end() || !iss->is_string())
        return fail("oidc.token.issuer", "The ID token has no \"iss\" (issuer) string.");
    if (*iss != expected.issuer)
        return fail("oidc.token.issuer", "The ID token's issuer \"" +
                                             printable(iss->get_ref<const std::string&>()) +
                                             "\" is not the expected \"" + expected.issuer + "\".");
    return {};
}

Status check_audience(const json& payload, const IdTokenExpectations& expected) {
    const auto aud = payload.find("aud");
    std::vector<std::string> audiences;
    if (aud != payload.end() && aud->is_string()) audiences.push_back(aud->get<std::string>());
    if (aud != payload.end() && aud->is_array()) {
        for (const json& entry : *aud)
            audiences.push_back(entry.is_string() ? entry.get<std::string>() : entry.dump());
    }
    if (audiences.empty())
        return fail("oidc.token.audience", "The ID token has no \"aud\" (audience).");
    std::string listed;
    bool found = false;
    for (const std::string& audience : audiences) {
        listed += (listed.empty() ? "\"" : ", \"") + printable(audience, 100) + "\"";
        found = found || audience == expected.client_id;
    }
    if (!found)
        return fail("oidc.token.audience", "The ID token's audience [" + listed +
                                               "] does not include the client ID \"" +
                                               expected.client_id + "\".");

    const auto azp = payload.find("azp");
    if (azp != payload.end() && (!azp->is_string() || *azp != expected.client_id))
        return fail(
            "oidc.token.azp",
            "The ID token's authorized party (azp) " +
                (azp->is_string() ? "\"" + printable(azp->get_ref<const std::string&>()) + "\""
                                  : std::string("(not a string)")) +
                " is not the client ID \"" + expected.client_id + "\".");
    if (azp == payload.end() && audiences.size() > 1)
        return fail("oidc.token.azp", "The ID token names several audiences [" + listed +
                                          "] but no authorized party (azp).");
    return {};
}

Status check_times(const json& payload, const IdTokenExpectations& expected) {
    const UnixTime now = expected.now;
    const UnixTime skew = expected.clock_skew_seconds;
    const auto exp = numeric_date(payload, "exp");
    if (!exp) return fail("oidc.token.expired", "The ID token has no numeric \"exp\" (expiry).");
    if (*exp <= now - skew)
        return fail("oidc.token.expired", "The ID token expired at " + time_text(*exp) +
                                              "; it is now " + time_text(now) + ", allowing " +
                                              std::to_string(skew) + " s of clock skew.");
    const auto iat = numeric_date(payload, "iat");
    if (!iat)
        return fail("oidc.token.issued_at", "The ID token has no numeric \"iat\" (issued at).");
    if (*iat > now + skew)
        return fail("oidc.token.issued_at", "The ID token was issued in the future, at " +
                                                time_text(*iat) + "; it is now " + time_text(now) +
                                                ", allowing " + std::to_string(skew) +
                                                " s of clock skew.");
    if (*iat < now - expected.max_age_seconds - skew)
        return fail("oidc.token.issued_at",
                    "The ID token was issued at " + time_text(*iat) + ", more than " +
                        std::to_string(expected.max_age_seconds) + " s (plus " +
                        std::to_string(skew) + " s of clock skew) before now, " + time_text(now) +
                        ".");
    if (payload.contains("nbf")) {
        const auto nbf = numeric_date(payload, "nbf");
        if (!nbf)
            return fail("oidc.token.not_yet_valid",
                        "The ID token's \"nbf\" (not before) is not a number.");
        if (*nbf - skew > now)
            return fail("oidc.token.not_yet_valid", "The ID token is not valid before " +
                                                        time_text(*nbf) + "; it is now " +
                                                        time_text(now) + ", allowing " +
                                                        std::to_string(skew) + " s of clock skew.");
    }
    return {};
}

Status check_nonce(const json& payload, const IdTokenExpectations& expected) {
    const auto nonce = payload.find("nonce");
    if (nonce == payload.end() || !nonce->is_string())
        return fail("oidc.token.nonce", "The ID token has no \"nonce\" string.");
    // An empty expectation is a caller's mistake; it must not match a token's empty nonce.
    if (expected.nonce.empty() ||
        !util::constant_time_equal(nonce->get_ref<const std::string&>(), expected.nonce))
        return fail("oidc.token.nonce",
                    "The ID token's nonce is not the one sent with this sign-in request.");
    return {};
}

Status check_subject(const json& payload) {
    const auto sub = payload.find("sub");
    if (sub == payload.end() || !sub->is_string())
        return fail("oidc.token.subject", "The ID token has no \"sub\" (subject) string.");
    const auto& subject = sub->get_ref<const std::string&>();
    if (subject.empty()) return fail("oidc.token.subject", "The ID token's subject is empty.");
    if (subject.size() > kMaxSubjectLength)
        return fail("oidc.token.subject", "The ID token's subject is " +
                                              std::to_string(subject.size()) +
                                              " characters long, more than 255.");
    return {};
}

}  // namespace

Result<IdTokenClaims> check_id_token_claims(const json& payload,
                                            const IdTokenExpectations& expected) {
    if (!payload.is_object())
        return fail("oidc.token.malformed", "The ID token's claims are not a JSON object.");
    for (const auto check : {check_issuer, check_audience, check_times, check_nonce}) {
        if (Status status = check(payload, expected); !status) return status.error();
    }
    if (Status status = check_subject(payload); !status) return status.error();

    IdTokenClaims claims;
    claims.issuer = string_claim(payload, "iss");
    claims.subject = string_claim(payload, "sub");
    claims.email = string_claim(payload, "email");
    const auto verified = payload.find("email_verified");
    // Some providers send the string "true"; anything else is not a verified address.
    claims.email_verified =
        verified != payload.end() && ((verified->is_boolean() && verified->get<bool>()) ||
                                      (verified->is_string() && *verified == "true"));
    claims.given_name = string_claim(payload, "given_name");
    claims.family_name = string_claim(payload, "family_name");
    claims.name = string_claim(payload, "name");
    claims.preferred_username = string_claim(payload, "preferred_username");
    claims.hosted_domain = string_claim(payload, "hd");
    claims.issued_at = *numeric_date(payload, "iat");
    claims.expires_at = *numeric_date(payload, "exp");
    claims.claims = payload;
    return claims;
}

Result<IdTokenClaims> verify_id_token(std::string_view compact, const KeySet& keys,
                                      const IdTokenExpectations& expected) {
    auto verified = verify_jws(compact, keys);
    if (!verified) return verified.error();
    return check_id_token_claims(verified->payload, expected);
}

}  // namespace gatehouse::oidc
