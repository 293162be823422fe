// Hostile corpus, part 3: the envelope (encoding, XML parser attacks, what the root is),
// the checks on a validly signed assertion (audience, times, request, status) and
// encrypted assertions. Wrapping is in hostile_wrapping_test.cpp, signature policy in
// hostile_signature_test.cpp. Replay is the service layer's check and is not here.
#include <string>

#include "hostile_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::hostile;

namespace {

const std::string kBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const std::string kSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success\"/>";

Result<ValidatedAssertion> validate_form_field(std::string_view field) {
    const util::FixedClock clock(kNow);
    return validate_response(field, provider(), expectations(), clock);
}

// Puts `prolog` (a DOCTYPE, say) between the XML declaration and the document element.
std::string with_prolog(const std::string& xml, const std::string& prolog) {
    return insert_before(xml, "<samlp:Response", prolog);
}

// Flips one byte of the EncryptedData ciphertext, `from_end` bytes before its end. In the
// default layout the EncryptedData's CipherValue is the last one in the document.
std::string with_flipped_ciphertext(const std::string& xml, std::size_t from_end) {
    const std::string open = "<xenc:CipherValue>";
    const auto begin = xml.rfind(open) + open.size();
    const auto end = xml.find("</xenc:CipherValue>", begin);
    auto bytes = util::base64_decode(xml.substr(begin, end - begin));
    REQUIRE(bytes);
    REQUIRE(bytes->size() > from_end);
    (*bytes)[bytes->size() - from_end] ^= 0x01;
    auto out = xml;
    return out.replace(begin, end - begin, util::base64_encode(*bytes));
}

std::string encrypted(const std::string& xml, const testing::EncryptionOptions& options = {}) {
    return testing::encrypt_assertion(xml, sp_identity().certificate_pem, options);
}

testing::EncryptionOptions gcm() {
    testing::EncryptionOptions options;
    options.content_algorithm = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
    return options;
}

}  // namespace

// ---- encoding and parser attacks ------------------------------------------------------

TEST_CASE("hostile: a SAMLResponse that is not base64 is refused") {
    CHECK(code_of(validate_form_field("PHNhbWxwOlJlc3BvbnNl*$%")) == "saml.response.encoding");
}

TEST_CASE("hostile: base64 of binary garbage is refused as malformed XML") {
    // sizeof - 1: the bytes of the literal, its embedded NUL included, without the final one.
    constexpr char kGarbage[] = "\x89PNG\r\n\x1a\n\x00\x01\xfe\xff garbage";
    const std::string garbage(kGarbage, sizeof kGarbage - 1);
    CHECK(code_of(validate_form_field(util::base64_encode(garbage))) == "xml.malformed");
}

TEST_CASE("hostile: an empty SAMLResponse is refused as malformed XML") {
    CHECK(code_of(validate_form_field("")) == "xml.malformed");
}

TEST_CASE("hostile: a signed Response behind a DOCTYPE is refused") {
    CHECK(code_of(validate(with_prolog(response_signed(), "<!DOCTYPE samlp:Response>"))) ==
          "xml.dtd");
}

TEST_CASE("hostile: an XXE external entity in the NameID is refused before it is read") {
    const auto xml =
        with_prolog(replace_once(assertion_signed(), ">alice@example.com<", ">&xxe;<"),
                    "<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>");
    CHECK(code_of(validate(xml)) == "xml.dtd");
}

TEST_CASE("hostile: a billion-laughs entity expansion is refused") {
    std::string entities = "<!ENTITY lol0 \"lol\">";
    for (int i = 1; i < 10; ++i) {
        const auto previous = "&lol" + std::to_string(i - 1) + ";";
        std::string ten;
        for (int k = 0; k < 10; ++k) ten += previous;
        entities += "<!ENTITY lol" + std::to_string(i) + " \"" + ten + "\">";
    }
    const auto xml =
        with_prolog(replace_once(assertion_signed(), ">alice@example.com<", ">&lol9;<"),
                    "<!DOCTYPE samlp:Response [" + entities + "]>");
    CHECK(code_of(validate(xml)) == "xml.dtd");
}

TEST_CASE("hostile: an undeclared entity reference without a DTD is refused as malformed") {
    const auto xml = replace_once(assertion_signed(), ">alice@example.com<", ">&xxe;<");
    CHECK(code_of(validate(xml)) == "xml.malformed");
}

TEST_CASE("hostile: an oversized message is refused before it is parsed") {
    const auto xml = insert_before(assertion_signed(), "</samlp:Response>",
                                   "<!--" + std::string(1024 * 1024, 'A') + "-->");
    CHECK(code_of(validate(xml)) == "xml.too_large");
}

TEST_CASE("hostile: pathologically deep nesting is refused as malformed") {
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += "<e>";
    for (int i = 0; i < 5000; ++i) deep += "</e>";
    const auto xml = insert_before(assertion_signed(), "<samlp:Status>",
                                   "<samlp:Extensions>" + deep + "</samlp:Extensions>");
    CHECK(code_of(validate(xml)) == "xml.malformed");
}

// ---- what the root is -------------------------------------------------------------------

TEST_CASE("hostile: a Response claiming SAML version 1.1 is refused") {
    const auto xml = replace_once(assertion_signed(), "ID=\"" + kResponseId + "\" Version=\"2.0\"",
                                  "ID=\"" + kResponseId + "\" Version=\"1.1\"");
    CHECK(code_of(validate(xml)) == "saml.response.version");
}

TEST_CASE("hostile: an AuthnRequest posted as the SAMLResponse is refused") {
    auto xml = replace_once(assertion_signed(), "<samlp:Response", "<samlp:AuthnRequest");
    xml = replace_once(xml, "</samlp:Response>", "</samlp:AuthnRequest>");
    CHECK(code_of(validate(xml)) == "saml.response.not_a_response");
}

TEST_CASE("hostile: a validly signed Assertion posted alone, without a Response, is refused") {
    const auto bare =
        replace_once(assertion_of(unsigned_xml()), "<saml:Assertion ",
                     "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\""
                     " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
                     " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ");
    CHECK(code_of(validate(idp().sign(bare, kAssertionId))) == "saml.response.not_a_response");
}

TEST_CASE("hostile: a Response in the SAML 1.x protocol namespace is refused") {
    const auto xml = replace_once(assertion_signed(), "urn:oasis:names:tc:SAML:2.0:protocol",
                                  "urn:oasis:names:tc:SAML:1.0:protocol");
    CHECK(code_of(validate(xml)) == "saml.response.not_a_response");
}

// ---- addressing, issuer and status ------------------------------------------------------

TEST_CASE("hostile: a Response addressed to another SP's ACS is refused") {
    auto spec = valid_spec();
    spec.destination = "https://evil-sp.example.test/acs";
    CHECK(code_of(validate(response_signed(spec))) == "saml.response.destination_mismatch");
}

TEST_CASE("hostile: a signed Response without a Destination is refused") {
    auto spec = valid_spec();
    spec.destination.clear();
    CHECK(code_of(validate(response_signed(spec))) == "saml.response.destination_missing");
}

TEST_CASE("hostile: a bearer confirmation for another Recipient is refused") {
    auto spec = valid_spec();
    spec.recipient = "https://evil-sp.example.test/acs";
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.recipient_mismatch");
}

TEST_CASE("hostile: a Response Issuer other than the org's IdP is refused") {
    auto spec = valid_spec();
    spec.response_issuer = "https://evil-idp.example.test";
    CHECK(code_of(validate(response_signed(spec))) == "saml.response.issuer_mismatch");
}

TEST_CASE("hostile: an Assertion Issuer other than the org's IdP is refused") {
    auto spec = valid_spec();
    spec.assertion_issuer = testing::other_test_idp().entity_id();
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.issuer_mismatch");
}

TEST_CASE("hostile: an Assertion without an Issuer is refused") {
    auto spec = valid_spec();
    spec.assertion_issuer.clear();
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.issuer_missing");
}

TEST_CASE("hostile: a Requester / AuthnFailed status is refused even with a valid assertion") {
    const auto xml = replace_once(
        unsigned_xml(), kSuccess,
        "urn:oasis:names:tc:SAML:2.0:status:Requester\"><samlp:StatusCode"
        " Value=\"urn:oasis:names:tc:SAML:2.0:status:AuthnFailed\"/></samlp:StatusCode>");
    auto result = validate(sign_response(xml));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "saml.response.status");
    CHECK(result.error().message.find("AuthnFailed") != std::string::npos);
}

// ---- request binding ------------------------------------------------------------------

TEST_CASE("hostile: a Response answering a request Gatehouse never sent is refused") {
    auto spec = valid_spec();
    spec.in_response_to = "_request-forged";
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.response.unknown_request");
}

TEST_CASE("hostile: an unsolicited Response is refused while IdP-initiated sign-in is off") {
    auto spec = valid_spec();
    spec.in_response_to.clear();
    const auto xml = assertion_signed(spec);
    CHECK(code_of(validate(xml)) == "saml.response.unsolicited");
    auto allowed = expectations();
    allowed.allow_idp_initiated = true;
    CHECK(describe(validate(xml, provider(), allowed)) == "ok");
}

TEST_CASE(
    "hostile: a Response InResponseTo rewritten away from the signed confirmation is refused") {
    // Only the Assertion is signed; the attacker points the Response at another pending
    // request (say, one of their own).
    auto acs = expectations();
    acs.is_pending_request = [](std::string_view id) {
        return id == kRequestId || id == "_request-attacker";
    };
    const auto xml = replace_once(assertion_signed(), "InResponseTo=\"" + kRequestId + "\">",
                                  "InResponseTo=\"_request-attacker\">");
    CHECK(code_of(validate(xml, provider(), acs)) == "saml.assertion.in_response_to_mismatch");
}

TEST_CASE("hostile: an InResponseTo stripped from the Response to pass as unsolicited is refused") {
    auto acs = expectations();
    acs.allow_idp_initiated = true;
    const auto xml = replace_once(assertion_signed(), " InResponseTo=\"" + kRequestId + "\">", ">");
    CHECK(code_of(validate(xml, provider(), acs)) == "saml.assertion.in_response_to_mismatch");
}

// ---- subject, conditions and session ---------------------------------------------------

TEST_CASE("hostile: a holder-of-key confirmation is refused for lack of a bearer one") {
    const auto xml = replace_once(unsigned_xml(), "Method=\"" + kBearer + "\"",
                                  "Method=\"urn:oasis:names:tc:SAML:2.0:cm:holder-of-key\"");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.no_bearer_confirmation");
}

TEST_CASE("hostile: a bearer confirmation past NotOnOrAfter plus skew is refused") {
    auto spec = valid_spec();
    spec.subject_not_on_or_after = kNow - provider().options.clock_skew_seconds - 1;
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.subject_expired");
}

TEST_CASE("hostile: a bearer confirmation whose NotBefore lies beyond the skew is refused") {
    const auto xml = replace_once(
        unsigned_xml(), "<saml:SubjectConfirmationData ",
        "<saml:SubjectConfirmationData NotBefore=\"" + util::format_iso8601(kNow + 3600) + "\" ");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.subject_expired");
}

TEST_CASE("hostile: an assertion past Conditions NotOnOrAfter plus skew is refused") {
    auto spec = valid_spec();
    spec.not_on_or_after = kNow - provider().options.clock_skew_seconds - 1;
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.expired");
}

TEST_CASE("hostile: an assertion whose NotBefore lies beyond the skew is refused") {
    auto spec = valid_spec();
    spec.not_before = kNow + provider().options.clock_skew_seconds + 1;
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.not_yet_valid");
}

TEST_CASE("hostile: a time that is not an xs:dateTime is refused") {
    const auto xml =
        replace_once(unsigned_xml(), "NotOnOrAfter=\"" + util::format_iso8601(kNow + 300) + "\">",
                     "NotOnOrAfter=\"9999-99-99T99:99:99Z\">");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.bad_time");
}

TEST_CASE("hostile: an assertion meant for another audience is refused") {
    auto spec = valid_spec();
    spec.audience = "https://evil-sp.example.test/metadata";
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.audience_mismatch");
}

TEST_CASE("hostile: a second AudienceRestriction naming only another SP is refused") {
    const auto xml = replace_once(unsigned_xml(), "</saml:Conditions>",
                                  "<saml:AudienceRestriction><saml:Audience>https://evil-sp."
                                  "example.test/metadata</saml:Audience></saml:AudienceRestriction>"
                                  "</saml:Conditions>");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.audience_mismatch");
}

TEST_CASE("hostile: an assertion without an AudienceRestriction is refused") {
    auto spec = valid_spec();
    spec.audience.clear();
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.audience_missing");
}

TEST_CASE("hostile: an assertion without an AuthnStatement is refused") {
    const auto xml = without(unsigned_xml(), "<saml:AuthnStatement", "</saml:AuthnStatement>");
    CHECK(code_of(validate(sign_assertion(xml))) == "saml.assertion.authn_statement_missing");
}

TEST_CASE("hostile: an assertion whose IdP session has ended is refused") {
    auto spec = valid_spec();
    spec.session_not_on_or_after = kNow - provider().options.clock_skew_seconds - 1;
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.assertion.session_expired");
}

TEST_CASE("hostile: a Response-only signature is refused when the org requires signed assertions") {
    auto strict = provider();
    strict.options.require_signed_assertion = true;
    CHECK(code_of(validate(response_signed(), strict)) == "saml.assertion.unsigned");
}

// ---- encrypted assertions -------------------------------------------------------------

TEST_CASE("hostile control: a signed-then-encrypted assertion decrypts and is accepted") {
    CHECK(describe(validate(encrypted(assertion_signed()), provider(), expectations_with_key())) ==
          "ok");
}

TEST_CASE("hostile: an AES-GCM encrypted assertion with one ciphertext byte flipped is refused") {
    const auto xml = with_flipped_ciphertext(encrypted(assertion_signed(), gcm()), 40);
    CHECK(code_of(validate(xml, provider(), expectations_with_key())) ==
          "saml.assertion.encrypted");
}

TEST_CASE("hostile: an AES-CBC encrypted assertion with a ciphertext block garbled is refused") {
    // The flip lands in the next-to-last block, which decrypts to noise in the closing tags.
    const auto xml = with_flipped_ciphertext(encrypted(assertion_signed()), 20);
    CHECK(code_of(validate(xml, provider(), expectations_with_key())) ==
          "saml.assertion.encrypted");
}

TEST_CASE("hostile: an assertion encrypted with RSA PKCS#1 v1.5 key transport is refused") {
    testing::EncryptionOptions legacy;
    legacy.key_transport = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
    const auto xml = encrypted(assertion_signed(), legacy);
    CHECK(code_of(validate(xml, provider(), expectations_with_key())) ==
          "saml.assertion.encrypted");
}

TEST_CASE("hostile: an assertion encrypted for another SP's key is refused") {
    const auto xml = testing::encrypt_assertion(
        assertion_signed(), testing::other_test_idp().identity().certificate_pem);
    CHECK(code_of(validate(xml, provider(), expectations_with_key())) ==
          "saml.assertion.encrypted");
}

TEST_CASE("hostile: a forged assertion encrypted with the SP's public certificate is refused") {
    // Encryption is not authentication: anyone can encrypt to the SP's certificate.
    auto spec = valid_spec();
    spec.name_id = "admin@example.com";
    const auto xml = encrypted(unsigned_xml(spec));
    CHECK(code_of(validate(xml, provider(), expectations_with_key())) == "saml.signature.missing");
}

TEST_CASE("hostile: an EncryptedAssertion swapped into a signed Response breaks its signature") {
    const auto genuine = sign_response(encrypted(unsigned_xml()));
    const auto forged = encrypted(unsigned_xml());
    const auto swap = element(forged, "<saml:EncryptedAssertion>", "</saml:EncryptedAssertion>");
    const auto xml = replace_once(
        genuine, element(genuine, "<saml:EncryptedAssertion>", "</saml:EncryptedAssertion>"), swap);
    CHECK(code_of(validate(xml, provider(), expectations_with_key())) == "saml.signature.invalid");
}

TEST_CASE("hostile: a plain Assertion beside an EncryptedAssertion is refused") {
    const auto xml =
        insert_before(encrypted(assertion_signed()), "</samlp:Response>", evil_assertion());
    CHECK(code_of(validate(xml, provider(), expectations_with_key())) == "saml.assertion.count");
}
