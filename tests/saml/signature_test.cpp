#include "gatehouse/saml/signature.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;
using gatehouse::testing::KeyType;
using gatehouse::testing::ResponseSpec;
using gatehouse::testing::SigningOptions;
using gatehouse::testing::TestIdp;

namespace {

const TestIdp& ec_idp() {
    static const TestIdp idp("https://ec-idp.example.test/metadata", KeyType::ec_p256);
    return idp;
}

TrustedKeys keys_of(const TestIdp& idp) {
    auto keys = TrustedKeys::from_certificates({idp.identity().certificate_pem});
    REQUIRE(keys.ok());
    return *keys;
}

std::string unsigned_response() {
    ResponseSpec spec;
    spec.assertion_issuer = testing::shared_test_idp().entity_id();
    return testing::build_response_xml(spec);
}

std::string signed_assertion(const TestIdp& idp = testing::shared_test_idp(),
                             const SigningOptions& options = {}) {
    return idp.sign(unsigned_response(), "_assertion-1", options);
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

// Verifies the signature on the (single) Assertion of `xml`; returns "ok" or the code.
std::string verify_assertion(const std::string& xml, const TrustedKeys& keys,
                             SignaturePolicy policy = {}) {
    auto doc = parse_untrusted_xml(xml);
    REQUIRE(doc.ok());
    xmlNode* assertion = first_child_element(doc->root(), ns::assertion, "Assertion");
    REQUIRE(assertion != nullptr);
    const auto status = verify_enveloped_signature(doc->get(), assertion, keys, policy);
    return status ? std::string("ok") : status.error().code;
}

std::string bare_base64_der(const std::string& pem) {
    std::string body;
    const std::size_t begin = pem.find('\n') + 1;
    const std::size_t end = pem.find("-----END");
    for (char c : pem.substr(begin, end - begin)) {
        if (c != '\n') body += c;
    }
    return body;
}

}  // namespace

TEST_CASE("verify_enveloped_signature accepts an assertion signed by the configured IdP") {
    CHECK(verify_assertion(signed_assertion(), keys_of(testing::shared_test_idp())) == "ok");
}

TEST_CASE("verify_enveloped_signature accepts an ECDSA P-256 signature") {
    SigningOptions options;
    options.signature_algorithm = std::string(alg::ecdsa_sha256);
    CHECK(verify_assertion(signed_assertion(ec_idp(), options), keys_of(ec_idp())) == "ok");
}

TEST_CASE(
    "verify_enveloped_signature trusts only configured keys, not the certificate in KeyInfo") {
    const auto xml = signed_assertion(testing::other_test_idp());
    REQUIRE(xml.find("X509Certificate") != std::string::npos);
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) == "saml.signature.invalid");
}

TEST_CASE("verify_enveloped_signature accepts any of several keys during a rollover") {
    auto keys =
        TrustedKeys::from_certificates({testing::other_test_idp().identity().certificate_pem,
                                        testing::shared_test_idp().identity().certificate_pem});
    REQUIRE(keys.ok());
    CHECK(verify_assertion(signed_assertion(), *keys) == "ok");
}

TEST_CASE("verify_enveloped_signature rejects content changed after signing") {
    const auto xml =
        replace_once(signed_assertion(), ">alice@example.com<", ">mallory@example.com<");
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) == "saml.signature.invalid");
}

TEST_CASE("verify_enveloped_signature rejects an RSA signature when only an EC key is trusted") {
    CHECK(verify_assertion(signed_assertion(), keys_of(ec_idp())) == "saml.signature.invalid");
}

TEST_CASE("verify_enveloped_signature reports an unsigned element as missing a signature") {
    CHECK(verify_assertion(unsigned_response(), keys_of(testing::shared_test_idp())) ==
          "saml.signature.missing");
}

TEST_CASE("verify_enveloped_signature rejects an element carrying two signatures") {
    const auto twice = testing::shared_test_idp().sign(signed_assertion(), "_assertion-1");
    CHECK(verify_assertion(twice, keys_of(testing::shared_test_idp())) ==
          "saml.signature.multiple");
}

TEST_CASE("verify_enveloped_signature rejects a signed element without an ID") {
    const auto xml =
        replace_once(signed_assertion(), "<saml:Assertion ID=\"_assertion-1\"", "<saml:Assertion");
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) == "saml.signature.no_id");
}

TEST_CASE("verify_enveloped_signature rejects a document where another element repeats the ID") {
    // Signature wrapping: a second element with the signed ID could be what "#ID" resolves to.
    const auto xml = replace_once(signed_assertion(), "<samlp:Status>",
                                  "<samlp:Extensions><x ID=\"_assertion-1\"/></samlp:Extensions>"
                                  "<samlp:Status>");
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) ==
          "saml.signature.duplicate_id");
}

TEST_CASE("verify_enveloped_signature rejects an xml:id elsewhere that claims the signed ID") {
    const auto xml = replace_once(signed_assertion(), "<samlp:Status>",
                                  "<samlp:Status xml:id=\"_assertion-1\">");
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) ==
          "saml.signature.duplicate_id");
}

TEST_CASE(
    "verify_enveloped_signature rejects a signature whose reference points at another element") {
    const auto xml =
        replace_once(signed_assertion(), "URI=\"#_assertion-1\"", "URI=\"#_response-1\"");
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) == "saml.signature.reference");
}

TEST_CASE("verify_enveloped_signature rejects a signature with two references") {
    const auto xml = signed_assertion();
    const auto begin = xml.find("<Reference ");
    const auto end = xml.find("</Reference>") + std::string("</Reference>").size();
    const auto reference = xml.substr(begin, end - begin);
    CHECK(verify_assertion(replace_once(xml, reference, reference + reference),
                           keys_of(testing::shared_test_idp())) == "saml.signature.reference");
}

TEST_CASE("verify_enveloped_signature refuses RSA-SHA1 unless the policy allows SHA-1") {
    SigningOptions options;
    options.signature_algorithm = std::string(alg::rsa_sha1);
    options.digest_algorithm = std::string(alg::sha1);
    const auto xml = signed_assertion(testing::shared_test_idp(), options);
    const auto keys = keys_of(testing::shared_test_idp());
    CHECK(verify_assertion(xml, keys) == "saml.signature.algorithm_not_allowed");
    CHECK(verify_assertion(xml, keys, SignaturePolicy{.allow_sha1 = true}) == "ok");
}

TEST_CASE("verify_enveloped_signature refuses a SHA-1 digest under an RSA-SHA256 signature") {
    SigningOptions options;
    options.digest_algorithm = std::string(alg::sha1);
    CHECK(verify_assertion(signed_assertion(testing::shared_test_idp(), options),
                           keys_of(testing::shared_test_idp())) ==
          "saml.signature.algorithm_not_allowed");
}

TEST_CASE("verify_enveloped_signature refuses inclusive canonicalization") {
    SigningOptions options;
    options.canonicalization = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    CHECK(verify_assertion(signed_assertion(testing::shared_test_idp(), options),
                           keys_of(testing::shared_test_idp())) ==
          "saml.signature.transform_not_allowed");
}

TEST_CASE("verify_enveloped_signature refuses a reference transform outside the allow-list") {
    const auto xml = replace_once(
        signed_assertion(), "</Transforms>",
        "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"/></Transforms>");
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) ==
          "saml.signature.transform_not_allowed");
}

TEST_CASE(
    "verify_enveloped_signature refuses a reference without the enveloped-signature transform") {
    const auto xml = replace_once(
        signed_assertion(),
        "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>", "");
    CHECK(verify_assertion(xml, keys_of(testing::shared_test_idp())) ==
          "saml.signature.transform_not_allowed");
}

TEST_CASE("TrustedKeys can be shared by threads verifying different documents at once") {
    const auto keys = keys_of(testing::shared_test_idp());
    const auto xml = signed_assertion();
    std::atomic<int> verified{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < 4; ++i) {
        workers.emplace_back([&] {
            for (int round = 0; round < 10; ++round) {
                auto doc = parse_untrusted_xml(xml);
                xmlNode* assertion = first_child_element(doc->root(), ns::assertion, "Assertion");
                if (verify_enveloped_signature(doc->get(), assertion, keys, {}).ok()) ++verified;
            }
        });
    }
    for (auto& worker : workers) worker.join();
    CHECK(verified == 40);
}

TEST_CASE("TrustedKeys refuses an empty certificate list") {
    auto keys = TrustedKeys::from_certificates({});
    REQUIRE_FALSE(keys.ok());
    CHECK(keys.error().code == "saml.keys.none");
}

TEST_CASE("TrustedKeys names the position of a certificate that does not parse") {
    auto keys = TrustedKeys::from_certificates(
        {testing::shared_test_idp().identity().certificate_pem, "not a certificate"});
    REQUIRE_FALSE(keys.ok());
    CHECK(keys.error().code == "saml.keys.invalid");
    CHECK(keys.error().message.find("certificate 2") != std::string::npos);
}

TEST_CASE("TrustedKeys refuses a PEM block that is not a certificate") {
    auto keys =
        TrustedKeys::from_certificates({testing::shared_test_idp().identity().private_key_pem});
    REQUIRE_FALSE(keys.ok());
    CHECK(keys.error().code == "saml.keys.invalid");
}

TEST_CASE("TrustedKeys accepts bare base64 DER as IdP metadata carries it") {
    const auto der = bare_base64_der(testing::shared_test_idp().identity().certificate_pem);
    auto keys = TrustedKeys::from_certificates({der});
    REQUIRE(keys.ok());
    CHECK(keys->size() == 1);
    CHECK(keys->public_key(0) != nullptr);
    CHECK(verify_assertion(signed_assertion(), *keys) == "ok");
}

TEST_CASE("TrustedKeys refuses DER followed by trailing bytes") {
    const auto der =
        util::base64_decode(bare_base64_der(testing::shared_test_idp().identity().certificate_pem));
    REQUIRE(der.has_value());
    auto keys = TrustedKeys::from_certificates({util::base64_encode(*der + "extra")});
    REQUIRE_FALSE(keys.ok());
    CHECK(keys.error().code == "saml.keys.invalid");
}

TEST_CASE("verify_detached accepts an RSA-SHA256 signature over the exact octets") {
    const std::string octets = "SAMLRequest=abc&RelayState=%2F&SigAlg=x";
    const auto signature = testing::shared_test_idp().sign_bytes(octets);
    const auto keys = keys_of(testing::shared_test_idp());
    CHECK(keys.verify_detached(octets, signature, alg::rsa_sha256, {}).ok());
}

TEST_CASE("verify_detached rejects a signature over different octets") {
    const auto signature = testing::shared_test_idp().sign_bytes("SAMLRequest=abc");
    const auto status = keys_of(testing::shared_test_idp())
                            .verify_detached("SAMLRequest=abd", signature, alg::rsa_sha256, {});
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == "saml.signature.invalid");
}

TEST_CASE("verify_detached accepts ECDSA signatures in XML Signature's r||s form") {
    const std::string octets = "SAMLResponse=xyz&SigAlg=e";
    const auto signature = ec_idp().sign_bytes(octets);
    CHECK(signature.size() == 64);
    CHECK(keys_of(ec_idp()).verify_detached(octets, signature, alg::ecdsa_sha256, {}).ok());
}

TEST_CASE("verify_detached rejects an ECDSA signature of odd length as invalid") {
    const auto status =
        keys_of(ec_idp()).verify_detached("x", std::string(63, '\1'), alg::ecdsa_sha256, {});
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == "saml.signature.invalid");
}

TEST_CASE("verify_detached refuses RSA-SHA1 unless allowed and unknown algorithms always") {
    const std::string octets = "SAMLRequest=abc";
    const auto signature = testing::shared_test_idp().sign_bytes(octets, "sha1");
    const auto keys = keys_of(testing::shared_test_idp());
    const auto refused = keys.verify_detached(octets, signature, alg::rsa_sha1, {});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "saml.signature.algorithm_not_allowed");
    CHECK(keys.verify_detached(octets, signature, alg::rsa_sha1, {.allow_sha1 = true}).ok());
    const auto unknown =
        keys.verify_detached(octets, signature, "urn:made-up", {.allow_sha1 = true});
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == "saml.signature.algorithm_not_allowed");
}

TEST_CASE("is_allowed_signature_algorithm accepts SHA-2 RSA and ECDSA and gates SHA-1") {
    CHECK(is_allowed_signature_algorithm(alg::rsa_sha256, {}));
    CHECK(is_allowed_signature_algorithm(alg::rsa_sha512, {}));
    CHECK(is_allowed_signature_algorithm(alg::ecdsa_sha384, {}));
    CHECK_FALSE(is_allowed_signature_algorithm(alg::rsa_sha1, {}));
    CHECK(is_allowed_signature_algorithm(alg::rsa_sha1, {.allow_sha1 = true}));
    CHECK_FALSE(is_allowed_signature_algorithm(alg::sha256, {}));
}
