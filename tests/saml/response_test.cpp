#include "gatehouse/saml/response.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>

#include <string>

#include "gatehouse/saml/signature.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;
using gatehouse::testing::ResponseSpec;
using gatehouse::testing::shared_test_idp;

namespace {

constexpr util::UnixTime kNow = 1'800'000'000;
const std::string kAcsUrl = "https://gatehouse.example.test/saml/acs/acme/";
const std::string kSpEntityId = "https://gatehouse.example.test/saml/metadata/acme/";
const std::string kRequestId = "_request-42";

ResponseSpec valid_spec() {
    ResponseSpec spec;
    spec.response_issuer = shared_test_idp().entity_id();
    spec.assertion_issuer = shared_test_idp().entity_id();
    spec.destination = kAcsUrl;
    spec.in_response_to = kRequestId;
    spec.recipient = kAcsUrl;
    spec.audience = kSpEntityId;
    spec.issue_instant = kNow;
    spec.not_before = kNow - 60;
    spec.not_on_or_after = kNow + 300;
    spec.subject_not_on_or_after = kNow + 300;
    spec.attributes = {{"email", {"alice@example.com"}}, {"groups", {"eng", "ops"}}};
    return spec;
}

core::SamlProvider provider() {
    core::SamlProvider p;
    p.idp_entity_id = shared_test_idp().entity_id();
    p.sso_url = "https://idp.example.test/sso";
    p.certificates = {shared_test_idp().identity().certificate_pem};
    return p;
}

AcsExpectations expectations() {
    AcsExpectations e;
    e.sp_entity_id = kSpEntityId;
    e.acs_url = kAcsUrl;
    e.is_pending_request = [](std::string_view id) { return id == kRequestId; };
    return e;
}

std::string sign_assertion(const std::string& xml) {
    return shared_test_idp().sign(xml, "_assertion-1");
}

std::string sign_response(const std::string& xml) {
    return shared_test_idp().sign(xml, "_response-1");
}

std::string signed_assertion_response(const ResponseSpec& spec = valid_spec()) {
    return sign_assertion(testing::build_response_xml(spec));
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

// Removes the first element that starts with `open` through the end of `close`.
std::string without(std::string text, const std::string& open, const std::string& close) {
    const auto begin = text.find(open);
    const auto end = text.find(close, begin);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    return text.erase(begin, end + close.size() - begin);
}

Result<ValidatedAssertion> validate(const std::string& xml,
                                    const core::SamlProvider& idp = provider(),
                                    const AcsExpectations& acs = expectations(),
                                    util::UnixTime now = kNow) {
    const util::FixedClock clock(now);
    return validate_response(util::base64_encode(xml), idp, acs, clock);
}

std::string code_of(const Result<ValidatedAssertion>& result) {
    return result ? std::string("ok") : result.error().code;
}

std::string describe(const Result<ValidatedAssertion>& result) {
    return result ? std::string("ok") : result.error().code + ": " + result.error().message;
}

EvpPkeyPtr private_key_of(const testing::Identity& identity) {
    const auto& pem = identity.private_key_pem;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    REQUIRE(key);
    return key;
}

const testing::Identity& sp_identity() {
    static const testing::Identity identity = testing::generate_identity("Gatehouse SP");
    return identity;
}

}  // namespace

TEST_CASE("validate_response accepts a signed assertion and returns what it asserts") {
    auto result = validate(signed_assertion_response());
    REQUIRE_MESSAGE(result.ok(), describe(result));
    CHECK(result->response_id == "_response-1");
    CHECK(result->assertion_id == "_assertion-1");
    CHECK(result->issuer == shared_test_idp().entity_id());
    CHECK(result->in_response_to == kRequestId);
    CHECK(result->name_id == "alice@example.com");
    CHECK(result->name_id_format == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    CHECK(result->session_index == "_session-1");
    CHECK_FALSE(result->session_not_on_or_after.has_value());
}

TEST_CASE("validate_response returns every attribute value in document order") {
    auto result = validate(signed_assertion_response());
    REQUIRE(result.ok());
    CHECK(result->attributes.at("email") == std::vector<std::string>{"alice@example.com"});
    CHECK(result->attributes.at("groups") == std::vector<std::string>{"eng", "ops"});
}

TEST_CASE("validate_response keeps an assertion ID for replay until its last valid instant") {
    auto spec = valid_spec();
    spec.not_on_or_after = kNow + 900;
    auto result = validate(signed_assertion_response(spec));
    REQUIRE(result.ok());
    CHECK(result->replay_expires_at == kNow + 900 + provider().options.clock_skew_seconds);
}

TEST_CASE("validate_response accepts a Response signed only at the Response level") {
    CHECK(code_of(validate(sign_response(testing::build_response_xml(valid_spec())))) == "ok");
}

TEST_CASE("validate_response accepts a Response where both the Response and Assertion are signed") {
    CHECK(code_of(validate(sign_response(signed_assertion_response()))) == "ok");
}

TEST_CASE(
    "validate_response refuses a Response-only signature when the org requires signed assertions") {
    auto idp = provider();
    idp.options.require_signed_assertion = true;
    CHECK(code_of(validate(sign_response(testing::build_response_xml(valid_spec())), idp)) ==
          "saml.assertion.unsigned");
}

TEST_CASE("validate_response refuses a Response in which nothing is signed") {
    CHECK(code_of(validate(testing::build_response_xml(valid_spec()))) == "saml.signature.missing");
}

TEST_CASE("validate_response refuses an assertion signed by a key the org does not trust") {
    const auto xml =
        testing::other_test_idp().sign(testing::build_response_xml(valid_spec()), "_assertion-1");
    CHECK(code_of(validate(xml)) == "saml.signature.invalid");
}

TEST_CASE("validate_response refuses an assertion altered after it was signed") {
    const auto xml = replace_once(signed_assertion_response(), ">alice@example.com</saml:NameID>",
                                  ">admin@example.com</saml:NameID>");
    CHECK(code_of(validate(xml)) == "saml.signature.invalid");
}

TEST_CASE("validate_response refuses a SHA-1 signature unless the org allows SHA-1") {
    testing::SigningOptions sha1;
    sha1.signature_algorithm = std::string(alg::rsa_sha1);
    sha1.digest_algorithm = std::string(alg::sha1);
    const auto xml =
        shared_test_idp().sign(testing::build_response_xml(valid_spec()), "_assertion-1", sha1);
    CHECK(code_of(validate(xml)) == "saml.signature.algorithm_not_allowed");
    auto idp = provider();
    idp.options.allow_sha1 = true;
    CHECK(code_of(validate(xml, idp)) == "ok");
}

TEST_CASE("validate_response refuses a SAMLResponse that is not base64") {
    const util::FixedClock clock(kNow);
    CHECK(code_of(validate_response("not*base64", provider(), expectations(), clock)) ==
          "saml.response.encoding");
}

TEST_CASE("validate_response refuses a SAMLResponse that is not XML") {
    CHECK(code_of(validate("<samlp:Response")) == "xml.malformed");
}

TEST_CASE("validate_response refuses a document that is not a samlp:Response") {
    CHECK(code_of(validate("<AuthnRequest xmlns=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>")) ==
          "saml.response.not_a_response");
}

TEST_CASE("validate_response refuses a Response that is not SAML 2.0") {
    const auto xml =
        replace_once(testing::build_response_xml(valid_spec()),
                     "ID=\"_response-1\" Version=\"2.0\"", "ID=\"_response-1\" Version=\"1.1\"");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.response.version");
}

TEST_CASE("validate_response refuses a Response Issuer other than the IdP") {
    auto spec = valid_spec();
    spec.response_issuer = "https://evil.example.test";
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.response.issuer_mismatch");
}

TEST_CASE("validate_response refuses a Response addressed to another ACS") {
    auto spec = valid_spec();
    spec.destination = "https://other-sp.example.test/acs";
    CHECK(code_of(validate(signed_assertion_response(spec))) ==
          "saml.response.destination_mismatch");
}

TEST_CASE("validate_response refuses a signed Response that names no Destination") {
    auto spec = valid_spec();
    spec.destination.clear();
    CHECK(code_of(validate(sign_response(testing::build_response_xml(spec)))) ==
          "saml.response.destination_missing");
}

TEST_CASE("validate_response reports a non-success status with the IdP's status code") {
    auto spec = valid_spec();
    spec.status_code = "urn:oasis:names:tc:SAML:2.0:status:Responder";
    auto result = validate(signed_assertion_response(spec));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "saml.response.status");
    CHECK(result.error().message.find("status:Responder") != std::string::npos);
}

TEST_CASE("validate_response refuses a second, unsigned assertion beside the signed one") {
    const auto xml = signed_assertion_response();
    const auto evil = testing::build_response_xml(valid_spec());
    const auto begin = evil.find("<saml:Assertion");
    const auto end = evil.find("</samlp:Response>");
    const auto injected =
        replace_once(xml, "<saml:Assertion", evil.substr(begin, end - begin) + "<saml:Assertion");
    CHECK(code_of(validate(injected)) == "saml.assertion.count");
}

TEST_CASE("validate_response refuses an assertion hidden below another element (wrapping)") {
    // The signed Response is left intact except that an extra assertion sits in
    // Extensions, where a naive lookup by name might find it first.
    const auto xml = replace_once(
        sign_response(testing::build_response_xml(valid_spec())), "<samlp:Status>",
        "<samlp:Extensions><saml:Assertion ID=\"_evil\" Version=\"2.0\"/></samlp:Extensions>"
        "<samlp:Status>");
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

TEST_CASE("validate_response refuses a Response without an assertion") {
    const auto xml =
        without(testing::build_response_xml(valid_spec()), "<saml:Assertion", "</saml:Assertion>");
    CHECK(code_of(validate(sign_response(xml))) == "saml.assertion.count");
}

TEST_CASE("validate_response refuses a Response answering a request that is not pending") {
    auto acs = expectations();
    acs.is_pending_request = [](std::string_view) { return false; };
    CHECK(code_of(validate(signed_assertion_response(), provider(), acs)) ==
          "saml.response.unknown_request");
}

TEST_CASE("validate_response refuses IdP-initiated sign-in unless the org allows it") {
    auto spec = valid_spec();
    spec.in_response_to.clear();
    const auto xml = signed_assertion_response(spec);
    CHECK(code_of(validate(xml)) == "saml.response.unsolicited");
    auto acs = expectations();
    acs.allow_idp_initiated = true;
    auto result = validate(xml, provider(), acs);
    REQUIRE(result.ok());
    CHECK_FALSE(result->in_response_to.has_value());
}

TEST_CASE(
    "validate_response refuses an unsigned Response InResponseTo that differs from the "
    "assertion's") {
    auto acs = expectations();
    acs.is_pending_request = [](std::string_view) { return true; };
    const auto xml =
        replace_once(signed_assertion_response(), "InResponseTo=\"" + kRequestId + "\">",
                     "InResponseTo=\"_request-other\">");
    CHECK(code_of(validate(xml, provider(), acs)) == "saml.assertion.in_response_to_mismatch");
}

TEST_CASE("validate_response refuses an assertion Issuer other than the IdP") {
    auto spec = valid_spec();
    spec.assertion_issuer = "https://evil.example.test";
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.issuer_mismatch");
}

TEST_CASE("validate_response refuses an assertion without an Issuer") {
    auto spec = valid_spec();
    spec.assertion_issuer.clear();
    CHECK(code_of(validate(sign_response(testing::build_response_xml(spec)))) ==
          "saml.assertion.issuer_missing");
}

TEST_CASE("validate_response refuses an assertion without a NameID") {
    auto spec = valid_spec();
    spec.name_id.clear();
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.subject_missing");
}

TEST_CASE("validate_response refuses a bearer confirmation for another Recipient") {
    auto spec = valid_spec();
    spec.recipient = "https://other-sp.example.test/acs";
    CHECK(code_of(validate(signed_assertion_response(spec))) ==
          "saml.assertion.recipient_mismatch");
}

TEST_CASE("validate_response refuses a bearer confirmation without NotOnOrAfter") {
    auto spec = valid_spec();
    spec.subject_not_on_or_after = 0;
    CHECK(code_of(validate(signed_assertion_response(spec))) ==
          "saml.assertion.no_bearer_confirmation");
}

TEST_CASE("validate_response refuses a subject confirmation past its NotOnOrAfter and skew") {
    auto spec = valid_spec();
    spec.not_on_or_after = 0;
    spec.subject_not_on_or_after = kNow - 181;
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.subject_expired");
}

TEST_CASE("validate_response accepts a subject confirmation that ended within the clock skew") {
    auto spec = valid_spec();
    spec.not_on_or_after = 0;
    spec.subject_not_on_or_after = kNow - 179;
    CHECK(code_of(validate(signed_assertion_response(spec))) == "ok");
}

TEST_CASE("validate_response refuses an assertion whose NotBefore is beyond the clock skew") {
    auto spec = valid_spec();
    spec.not_before = kNow + 181;
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.not_yet_valid");
}

TEST_CASE("validate_response accepts an assertion whose NotBefore is within the clock skew") {
    auto spec = valid_spec();
    spec.not_before = kNow + 179;
    CHECK(code_of(validate(signed_assertion_response(spec))) == "ok");
}

TEST_CASE("validate_response refuses an assertion past its Conditions NotOnOrAfter") {
    auto spec = valid_spec();
    spec.not_on_or_after = kNow - 181;
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.expired");
}

TEST_CASE("validate_response refuses an assertion without an AudienceRestriction") {
    auto spec = valid_spec();
    spec.audience.clear();
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.audience_missing");
}

TEST_CASE("validate_response refuses an assertion meant for another audience") {
    auto spec = valid_spec();
    spec.audience = "https://other-sp.example.test/metadata";
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.audience_mismatch");
}

TEST_CASE("validate_response refuses an assertion without an AuthnStatement") {
    const auto xml = without(testing::build_response_xml(valid_spec()), "<saml:AuthnStatement",
                             "</saml:AuthnStatement>");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.authn_statement_missing");
}

TEST_CASE("validate_response refuses an assertion whose IdP session has ended") {
    auto spec = valid_spec();
    spec.session_not_on_or_after = kNow - 600;
    CHECK(code_of(validate(signed_assertion_response(spec))) == "saml.assertion.session_expired");
}

TEST_CASE("validate_response returns SessionNotOnOrAfter when the session is current") {
    auto spec = valid_spec();
    spec.session_not_on_or_after = kNow + 3600;
    auto result = validate(signed_assertion_response(spec));
    REQUIRE(result.ok());
    CHECK(result->session_not_on_or_after == kNow + 3600);
}

TEST_CASE("validate_response refuses a time that is not an xs:dateTime") {
    const auto xml = replace_once(testing::build_response_xml(valid_spec()),
                                  "NotBefore=\"" + util::format_iso8601(kNow - 60) + "\"",
                                  "NotBefore=\"yesterday\"");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.bad_time");
}

TEST_CASE("validate_response refuses every Response when the org has no IdP certificate") {
    auto idp = provider();
    idp.certificates.clear();
    CHECK(code_of(validate(signed_assertion_response(), idp)) == "saml.keys.none");
}

TEST_CASE("validate_response decrypts an encrypted assertion with the SP key (AES-CBC, RSA-OAEP)") {
    const auto key = private_key_of(sp_identity());
    auto acs = expectations();
    acs.decryption_key = key.get();
    const auto xml = sign_response(testing::encrypt_assertion(
        testing::build_response_xml(valid_spec()), sp_identity().certificate_pem));
    auto result = validate(xml, provider(), acs);
    REQUIRE_MESSAGE(result.ok(), describe(result));
    CHECK(result->name_id == "alice@example.com");
}

TEST_CASE("validate_response decrypts with another SP key of a rollover, and only with those") {
    static const testing::Identity other_sp = testing::generate_identity("other-sp.example");
    static const testing::Identity stranger = testing::generate_identity("stranger.example");
    const auto current = private_key_of(sp_identity());
    const auto other = private_key_of(other_sp);
    const auto xml_for = [](const testing::Identity& to) {
        return sign_response(testing::encrypt_assertion(testing::build_response_xml(valid_spec()),
                                                        to.certificate_pem));
    };
    auto acs = expectations();
    acs.decryption_key = current.get();
    // Encrypted to the other key: refused with the current key alone, accepted once the
    // other key of the ring is offered too; the current key still works beside it.
    CHECK(code_of(validate(xml_for(other_sp), provider(), acs)) == "saml.assertion.encrypted");
    acs.other_decryption_keys = {other.get()};
    auto rolled = validate(xml_for(other_sp), provider(), acs);
    REQUIRE_MESSAGE(rolled.ok(), describe(rolled));
    CHECK(rolled->name_id == "alice@example.com");
    CHECK(validate(xml_for(sp_identity()), provider(), acs).ok());
    // A key of neither pair is refused with the one sentence every decryption failure gets.
    CHECK(code_of(validate(xml_for(stranger), provider(), acs)) == "saml.assertion.encrypted");
}

TEST_CASE(
    "validate_response verifies the signature of an assertion that was signed, then encrypted") {
    const auto key = private_key_of(sp_identity());
    auto acs = expectations();
    acs.decryption_key = key.get();
    testing::EncryptionOptions gcm;
    gcm.content_algorithm = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
    gcm.key_beside_data = true;
    auto idp = provider();
    idp.options.require_signed_assertion = true;
    const auto xml =
        testing::encrypt_assertion(signed_assertion_response(), sp_identity().certificate_pem, gcm);
    auto result = validate(xml, idp, acs);
    REQUIRE_MESSAGE(result.ok(), describe(result));
    CHECK(result->assertion_id == "_assertion-1");
}

TEST_CASE("validate_response refuses an encrypted assertion when no SP key is configured") {
    const auto xml = sign_response(testing::encrypt_assertion(
        testing::build_response_xml(valid_spec()), sp_identity().certificate_pem));
    CHECK(code_of(validate(xml)) == "saml.assertion.encrypted");
}

TEST_CASE("validate_response refuses an assertion encrypted for another SP's certificate") {
    const auto key = private_key_of(sp_identity());
    auto acs = expectations();
    acs.decryption_key = key.get();
    const auto xml = sign_response(
        testing::encrypt_assertion(testing::build_response_xml(valid_spec()),
                                   testing::other_test_idp().identity().certificate_pem));
    CHECK(code_of(validate(xml, provider(), acs)) == "saml.assertion.encrypted");
}

TEST_CASE("validate_response refuses RSA PKCS#1 v1.5 key transport") {
    const auto key = private_key_of(sp_identity());
    auto acs = expectations();
    acs.decryption_key = key.get();
    testing::EncryptionOptions legacy;
    legacy.key_transport = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
    const auto xml = sign_response(testing::encrypt_assertion(
        testing::build_response_xml(valid_spec()), sp_identity().certificate_pem, legacy));
    auto result = validate(xml, provider(), acs);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "saml.assertion.encrypted");
    CHECK(result.error().message.find("rsa-1_5") != std::string::npos);
}

TEST_CASE(
    "validate_response refuses an encrypted assertion using a cipher outside the allow-list") {
    const auto key = private_key_of(sp_identity());
    auto acs = expectations();
    acs.decryption_key = key.get();
    const auto xml =
        replace_once(testing::encrypt_assertion(testing::build_response_xml(valid_spec()),
                                                sp_identity().certificate_pem),
                     "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
                     "http://www.w3.org/2001/04/xmlenc#tripledes-cbc");
    CHECK(code_of(validate(sign_response(xml), provider(), acs)) == "saml.assertion.encrypted");
}

TEST_CASE("validate_response refuses an encrypted assertion that offers two EncryptedKeys") {
    const auto key = private_key_of(sp_identity());
    auto acs = expectations();
    acs.decryption_key = key.get();
    const auto xml = testing::encrypt_assertion(testing::build_response_xml(valid_spec()),
                                                sp_identity().certificate_pem);
    const auto begin = xml.find("<xenc:EncryptedKey");
    const auto end = xml.find("</xenc:EncryptedKey>") + std::string("</xenc:EncryptedKey>").size();
    const auto doubled =
        replace_once(xml, "</saml:EncryptedAssertion>",
                     xml.substr(begin, end - begin) + "</saml:EncryptedAssertion>");
    auto result = validate(sign_response(doubled), provider(), acs);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "saml.assertion.encrypted");
    CHECK(result.error().message.find("exactly one EncryptedKey") != std::string::npos);
}

TEST_CASE("validate_response reads a NameID split by a comment as one value, never a prefix") {
    // Exclusive C14N drops comments, so a comment inserted after signing leaves the
    // signature valid; the value read must still be the whole signed text.
    auto spec = valid_spec();
    spec.name_id = "alice@example.com.evil.test";
    const auto xml = replace_once(signed_assertion_response(spec), "alice@example.com.evil.test<",
                                  "alice@example.com<!---->.evil.test<");
    auto result = validate(xml);
    REQUIRE_MESSAGE(result.ok(), describe(result));
    CHECK(result->name_id == "alice@example.com.evil.test");
}

TEST_CASE("validate_response leaves out attribute values marked xsi:nil") {
    const auto xml =
        replace_once(testing::build_response_xml(valid_spec()),
                     "<saml:AttributeValue xsi:type=\"xs:string\">ops</saml:AttributeValue>",
                     "<saml:AttributeValue xsi:nil=\"true\"/>");
    auto result = validate(sign_assertion(xml));
    REQUIRE(result.ok());
    CHECK(result->attributes.at("groups") == std::vector<std::string>{"eng"});
}

TEST_CASE("validate_response refuses an Assertion that is not SAML 2.0") {
    const auto xml =
        replace_once(testing::build_response_xml(valid_spec()),
                     "ID=\"_assertion-1\" Version=\"2.0\"", "ID=\"_assertion-1\" Version=\"1.1\"");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.version");
}
