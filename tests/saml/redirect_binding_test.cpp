#include "gatehouse/saml/redirect_binding.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <optional>

#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;

namespace {

constexpr const char* kLogoutXml =
    "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_r1\"/>";

// One signer for the whole file: RSA key generation takes a moment.
struct Signer {
    GeneratedCredentials pem;
    SpCredentials credentials;
    TrustedKeys keys;
};

const Signer& signer(int which = 0) {
    static const auto make = [] {
        util::FixedClock clock(1795423500);
        auto pem = generate_sp_credentials("idp.example.test", clock, 365);
        REQUIRE(pem.ok());
        auto credentials = SpCredentials::from_pem(pem->private_key_pem, pem->certificate_pem);
        REQUIRE(credentials.ok());
        auto keys = TrustedKeys::from_certificates({pem->certificate_pem});
        REQUIRE(keys.ok());
        return Signer{*pem, *credentials, *keys};
    };
    static const Signer first = make();
    static const Signer second = make();
    return which == 0 ? first : second;
}

std::string query_of(const std::string& url) { return url.substr(url.find('?') + 1); }

std::string redirect_query(std::string_view xml, std::string_view relay_state = "",
                           SamlMessageKind kind = SamlMessageKind::request) {
    auto url = build_redirect_url("https://idp.example.com/slo", kind, xml, relay_state,
                                  signer().credentials);
    REQUIRE(url.ok());
    return query_of(*url);
}

// A query signed over exactly the given raw (already encoded) parameter values, for inputs
// that build_redirect_url would never produce.
std::string hand_signed_query(std::string_view name, std::string_view raw_message,
                              std::optional<std::string_view> raw_relay_state,
                              std::string_view raw_sig_alg = "") {
    const std::string sig_alg =
        raw_sig_alg.empty() ? util::url_encode(alg::rsa_sha256) : std::string(raw_sig_alg);
    std::string octets = std::string(name) + "=" + std::string(raw_message);
    if (raw_relay_state) octets += "&RelayState=" + std::string(*raw_relay_state);
    octets += "&SigAlg=" + sig_alg;
    auto signature = signer().credentials.sign_rsa_sha256(octets);
    REQUIRE(signature.ok());
    return octets + "&Signature=" + util::url_encode(util::base64_encode(*signature));
}

std::string encoded_message(std::string_view xml) {
    return util::url_encode(util::base64_encode(util::deflate_raw(xml)));
}

Result<RedirectMessage> decode(std::string_view query) {
    return decode_redirect(query, signer().keys, SignaturePolicy{});
}

std::string error_code(std::string_view query) {
    auto message = decode(query);
    REQUIRE_FALSE(message.ok());
    return message.error().code;
}

}  // namespace

TEST_CASE("a message sent over the Redirect binding decodes to the same document and RelayState") {
    const auto message = decode(redirect_query(kLogoutXml, "/organizations/acme/"));
    REQUIRE(message.ok());
    CHECK(message->kind == SamlMessageKind::request);
    CHECK(attribute(message->document.root(), "ID") == "_r1");
    CHECK(message->relay_state == "/organizations/acme/");
    CHECK(message->signature_algorithm == std::string(alg::rsa_sha256));
}

TEST_CASE(
    "build_redirect_url puts the message, RelayState, SigAlg and Signature in binding order") {
    const std::string query = redirect_query(kLogoutXml, "r", SamlMessageKind::response);
    const auto relay = query.find("&RelayState=r&");
    const auto sig_alg = query.find("&SigAlg=");
    const auto signature = query.find("&Signature=");
    CHECK(query.rfind("SAMLResponse=", 0) == 0);
    CHECK(relay < sig_alg);
    CHECK(sig_alg < signature);
    CHECK(decode(query)->kind == SamlMessageKind::response);
}

TEST_CASE("build_redirect_url omits an empty RelayState and decoding reports none") {
    const std::string query = redirect_query(kLogoutXml);
    CHECK(query.find("RelayState") == std::string::npos);
    CHECK_FALSE(decode(query)->relay_state.has_value());
}

TEST_CASE("build_redirect_url keeps the query string the IdP URL already has") {
    auto url = build_redirect_url("https://idp.example.com/sso?tenant=a", SamlMessageKind::request,
                                  kLogoutXml, "", signer().credentials);
    REQUIRE(url.ok());
    CHECK(url->rfind("https://idp.example.com/sso?tenant=a&SAMLRequest=", 0) == 0);
    CHECK(decode(query_of(*url)).ok());
}

TEST_CASE("build_redirect_url refuses a RelayState over 80 bytes") {
    auto url = build_redirect_url("https://idp.example.com/sso", SamlMessageKind::request,
                                  kLogoutXml, std::string(81, 'a'), signer().credentials);
    REQUIRE_FALSE(url.ok());
    CHECK(url.error().code == "saml.redirect.relay_state_too_long");
}

TEST_CASE("build_redirect_url refuses an empty destination or one with a fragment") {
    for (const char* destination : {"", "https://idp.example.com/sso#x"}) {
        auto url = build_redirect_url(destination, SamlMessageKind::request, kLogoutXml, "",
                                      signer().credentials);
        REQUIRE_FALSE(url.ok());
        CHECK(url.error().code == "saml.redirect.destination_invalid");
    }
}

TEST_CASE("decode_redirect verifies the octets as received, whatever escapes the sender chose") {
    // Lowercase hex in the escapes: re-encoding the decoded value would not reproduce it.
    std::string raw = encoded_message(kLogoutXml);
    for (std::size_t i = 0; i + 2 < raw.size(); ++i) {
        if (raw[i] == '%') {
            raw[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(raw[i + 1])));
            raw[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(raw[i + 2])));
        }
    }
    const auto message = decode(hand_signed_query("SAMLRequest", raw, "a%2fb"));
    REQUIRE(message.ok());
    CHECK(message->relay_state == "a/b");
}

TEST_CASE("decode_redirect reads an unescaped '+' in base64 as '+'") {
    std::string xml;
    std::string raw;
    // Find a message whose base64 contains '+', then send it without escaping it.
    for (int n = 0; raw.find('+') == std::string::npos; ++n) {
        xml = "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_" +
              std::to_string(n) + "\"/>";
        raw = util::base64_encode(util::deflate_raw(xml));
    }
    std::string escaped;
    for (const char c : raw)
        escaped += c == '+' ? std::string("+") : util::url_encode(std::string(1, c));
    CHECK(decode(hand_signed_query("SAMLRequest", escaped, std::nullopt)).ok());
}

TEST_CASE("decode_redirect refuses a message changed after signing") {
    std::string query = redirect_query(kLogoutXml, "/next");
    query.replace(query.find("RelayState=") + 11, 5, "%2Fevi");
    CHECK(error_code(query) == "saml.signature.invalid");
}

TEST_CASE("decode_redirect refuses a message signed by a key the org does not trust") {
    auto url = build_redirect_url("https://idp.example.com/slo", SamlMessageKind::request,
                                  kLogoutXml, "", signer(1).credentials);
    REQUIRE(url.ok());
    CHECK(error_code(query_of(*url)) == "saml.signature.invalid");
}

TEST_CASE("decode_redirect refuses an unsigned message") {
    const std::string query = redirect_query(kLogoutXml);
    const std::string without_signature = query.substr(0, query.find("&Signature="));
    CHECK(error_code(without_signature) == "saml.redirect.signature_missing");
    const std::string without_sig_alg =
        "SAMLRequest=" + encoded_message(kLogoutXml) + query.substr(query.find("&Signature="));
    CHECK(error_code(without_sig_alg) == "saml.redirect.signature_missing");
}

TEST_CASE("decode_redirect refuses SHA-1 and unknown signature algorithms") {
    const std::string message = encoded_message(kLogoutXml);
    CHECK(error_code(hand_signed_query("SAMLRequest", message, std::nullopt,
                                       util::url_encode(alg::rsa_sha1))) ==
          "saml.signature.algorithm_not_allowed");
    CHECK(error_code(hand_signed_query("SAMLRequest", message, std::nullopt, "none")) ==
          "saml.signature.algorithm_not_allowed");
}

TEST_CASE("decode_redirect accepts ECDSA-SHA256 from an IdP with an EC certificate") {
    static const gatehouse::testing::TestIdp ec_idp("https://ec.idp.test/",
                                                    gatehouse::testing::KeyType::ec_p256);
    const std::string octets = "SAMLRequest=" + encoded_message(kLogoutXml) +
                               "&SigAlg=" + util::url_encode(alg::ecdsa_sha256);
    const std::string query =
        octets + "&Signature=" + util::url_encode(util::base64_encode(ec_idp.sign_bytes(octets)));
    auto keys = TrustedKeys::from_certificates({ec_idp.identity().certificate_pem});
    REQUIRE(keys.ok());
    const auto message = decode_redirect(query, *keys, SignaturePolicy{});
    REQUIRE(message.ok());
    CHECK(message->signature_algorithm == std::string(alg::ecdsa_sha256));
}

TEST_CASE("decode_redirect accepts RSA-SHA1 only when the org opted in") {
    const auto& idp = gatehouse::testing::shared_test_idp();
    const std::string octets =
        "SAMLRequest=" + encoded_message(kLogoutXml) + "&SigAlg=" + util::url_encode(alg::rsa_sha1);
    const std::string query = octets + "&Signature=" +
                              util::url_encode(util::base64_encode(idp.sign_bytes(octets, "sha1")));
    auto keys = TrustedKeys::from_certificates({idp.identity().certificate_pem});
    REQUIRE(keys.ok());
    CHECK(decode_redirect(query, *keys, SignaturePolicy{true}).ok());
    CHECK(decode_redirect(query, *keys, SignaturePolicy{false}).error().code ==
          "saml.signature.algorithm_not_allowed");
}

TEST_CASE("decode_redirect refuses repeated SAML parameters and a request with a response") {
    const std::string query = redirect_query(kLogoutXml);
    CHECK(error_code(query + "&SAMLRequest=" + encoded_message("<x/>")) ==
          "saml.redirect.ambiguous");
    CHECK(error_code(query + "&SAMLResponse=" + encoded_message("<x/>")) ==
          "saml.redirect.ambiguous");
    CHECK(error_code(redirect_query(kLogoutXml, "a") + "&RelayState=b") ==
          "saml.redirect.ambiguous");
}

TEST_CASE("decode_redirect ignores parameters outside the binding") {
    CHECK(decode("tenant=a&" + redirect_query(kLogoutXml) + "&utm=x").ok());
}

TEST_CASE("decode_redirect refuses a query without a SAML message") {
    CHECK(error_code("RelayState=x&SigAlg=y&Signature=z") == "saml.redirect.message_missing");
    CHECK(error_code("") == "saml.redirect.message_missing");
}

TEST_CASE("decode_redirect refuses a signed message that is not base64 DEFLATE data") {
    CHECK(error_code(hand_signed_query("SAMLRequest", "%%%", std::nullopt)) ==
          "saml.redirect.malformed");
    CHECK(error_code(hand_signed_query("SAMLRequest", "not*base64", std::nullopt)) ==
          "saml.redirect.malformed");
    CHECK(error_code(hand_signed_query("SAMLRequest", util::base64_encode("not deflate"),
                                       std::nullopt)) == "saml.redirect.malformed");
}

TEST_CASE("decode_redirect refuses a signature that is not base64") {
    std::string query = redirect_query(kLogoutXml);
    query = query.substr(0, query.find("&Signature=")) + "&Signature=***";
    CHECK(error_code(query) == "saml.redirect.malformed");
}

TEST_CASE("decode_redirect stops inflating at the size cap") {
    const std::string huge = "<a>" + std::string(300 * 1024, 'x') + "</a>";
    auto message =
        decode_redirect(redirect_query(huge), signer().keys, SignaturePolicy{}, 64 * 1024);
    REQUIRE_FALSE(message.ok());
    CHECK(message.error().code == "saml.redirect.too_large");
}

TEST_CASE("decode_redirect parses the inflated message as untrusted XML") {
    const std::string with_dtd = "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>";
    CHECK(error_code(redirect_query(with_dtd)) == "xml.dtd");
    CHECK(error_code(redirect_query("<a>")) == "xml.malformed");
}
