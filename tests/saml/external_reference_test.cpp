// Hostile corpus, part 4: elements of XML Signature and XML Encryption that would make the
// SP fetch something from outside the message (SSRF from an anonymous POST, or a local
// file such as /dev/zero read until memory runs out). Each is pointed at a trap that
// counts what reached it. Both defences are tested: the scan before xmlsec sees the tree
// (through validate_response and the logout parser), and xmlsec's own restrictions
// (decrypt_assertion and verify_enveloped_signature called on trees that skipped it).
#include <string>

#include "gatehouse/saml/logout.hpp"
#include "gatehouse/saml/references.hpp"
#include "gatehouse/saml/xml.hpp"
#include "hostile_fixture.hpp"
#include "uri_listener.hpp"

using namespace gatehouse;
using namespace gatehouse::hostile;
using gatehouse::testing::ConnectionCounter;
using gatehouse::testing::EncryptionOptions;
using gatehouse::testing::FileReadCounter;

namespace {

// What an anonymous attacker posts: an unsigned Response with an encrypted assertion for
// the SP's certificate, shaped by `options`.
std::string anonymous_encrypted(const EncryptionOptions& options) {
    return testing::encrypt_assertion(unsigned_xml(), sp_identity().certificate_pem, options);
}

std::string refusal_of(const std::string& xml) {
    return code_of(validate(xml, provider(), expectations_with_key()));
}

// The signature's KeyInfo with a RetrievalMethod to `uri` in front of its X509Data. KeyInfo
// is outside what the signature covers, so the signature stays valid.
std::string with_signature_retrieval_method(const std::string& signed_xml, const std::string& uri) {
    return replace_once(signed_xml, "<KeyInfo>",
                        "<KeyInfo><RetrievalMethod URI=\"" + uri +
                            "\" Type=\"http://www.w3.org/2000/09/xmldsig#X509Data\"/>");
}

// The EncryptedAssertion of a document parsed without the reference scan, as a caller
// that forgot it would hand it to decrypt_assertion.
xmlNode* encrypted_assertion_of(const saml::XmlDocument& document) {
    const auto found =
        saml::child_elements(document.root(), saml::ns::assertion, "EncryptedAssertion");
    REQUIRE(found.size() == 1);
    return found.front();
}

saml::XmlDocument parsed(const std::string& xml) {
    auto document = saml::parse_untrusted_xml(xml);
    REQUIRE(document.ok());
    return std::move(*document);
}

}  // namespace

// ---- the scan before xmlsec, through the ACS --------------------------------------------

TEST_CASE("ACS refuses an EncryptedKey whose CipherReference points outside the document") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_cipher_reference = listener.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses an EncryptedKey beside the EncryptedData with an outside CipherReference") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_beside_data = true;
    options.key_cipher_reference = listener.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses an EncryptedData whose CipherReference points outside the document") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.data_cipher_reference = listener.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses a CipherReference to file:///dev/zero without reading it") {
    FileReadCounter trap;
    EncryptionOptions key;
    key.key_cipher_reference = "file:///dev/zero";
    CHECK(refusal_of(anonymous_encrypted(key)) == "saml.reference.external");
    EncryptionOptions data;
    data.data_cipher_reference = "file:///dev/zero";
    CHECK(refusal_of(anonymous_encrypted(data)) == "saml.reference.external");
    EncryptionOptions counted;
    counted.key_cipher_reference = trap.url();
    CHECK(refusal_of(anonymous_encrypted(counted)) == "saml.reference.external");
    CHECK(trap.reads() == 0);
}

TEST_CASE("ACS refuses a same-document CipherReference too: SAML never uses one") {
    EncryptionOptions options;
    options.data_cipher_reference = "#" + kAssertionId;
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
}

TEST_CASE("ACS refuses a RetrievalMethod in the KeyInfo of an EncryptedData") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.data_retrieval_method = listener.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses a RetrievalMethod in the KeyInfo of an EncryptedKey") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_retrieval_method = listener.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses a RetrievalMethod to a local file in the KeyInfo of an EncryptedKey") {
    FileReadCounter trap;
    EncryptionOptions options;
    options.key_retrieval_method = trap.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(trap.reads() == 0);
}

TEST_CASE("ACS refuses a RetrievalMethod in the KeyInfo of a ds:Signature") {
    ConnectionCounter listener;
    const auto xml = with_signature_retrieval_method(assertion_signed(), listener.url());
    CHECK(code_of(validate(xml)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses a RetrievalMethod in the signature of an assertion that was encrypted") {
    // The plaintext was not in the message when it was first scanned.
    ConnectionCounter listener;
    const auto signed_xml = with_signature_retrieval_method(assertion_signed(), listener.url());
    const auto xml = testing::encrypt_assertion(signed_xml, sp_identity().certificate_pem);
    CHECK(refusal_of(xml) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses a ds:Reference to an http: URI without fetching it") {
    ConnectionCounter listener;
    const auto xml =
        replace_once(assertion_signed(), kAssertionReference, "URI=\"" + listener.url() + "\"");
    CHECK(code_of(validate(xml)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses a ds:Reference to a file: URI without reading it") {
    FileReadCounter trap;
    const auto xml =
        replace_once(assertion_signed(), kAssertionReference, "URI=\"" + trap.url() + "\"");
    CHECK(code_of(validate(xml)) == "saml.reference.external");
    CHECK(trap.reads() == 0);
    const auto zero =
        replace_once(assertion_signed(), kAssertionReference, "URI=\"file:///dev/zero\"");
    CHECK(code_of(validate(zero)) == "saml.reference.external");
}

TEST_CASE("ACS refuses a ds:Reference that names a document elsewhere and an ID in it") {
    ConnectionCounter listener;
    const auto xml = replace_once(assertion_signed(), kAssertionReference,
                                  "URI=\"" + listener.url("/doc.xml#" + kAssertionId) + "\"");
    CHECK(code_of(validate(xml)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses a ds:Reference without a URI") {
    const auto xml = replace_once(assertion_signed(), " " + kAssertionReference, "");
    CHECK(code_of(validate(xml)) == "saml.reference.external");
}

TEST_CASE("ACS refuses an outside ds:Reference in a Manifest that is never verified") {
    ConnectionCounter listener;
    const auto genuine = assertion_signed();
    const auto signature = signature_of(genuine);
    const auto reference = replace_once(element(genuine, "<Reference ", "</Reference>"),
                                        kAssertionReference, "URI=\"" + listener.url() + "\"");
    const auto xml = replace_once(
        genuine, signature,
        replace_once(signature, kSignatureClose,
                     "<Object><Manifest>" + reference + "</Manifest></Object>" + kSignatureClose));
    CHECK(code_of(validate(xml)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses an xenc:DataReference outside the document") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.data_reference = listener.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses an xenc:KeyReference outside the document") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_reference = listener.url();
    CHECK(refusal_of(anonymous_encrypted(options)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS refuses an XML Signature 1.1 KeyInfoReference outside the document") {
    ConnectionCounter listener;
    const auto xml = replace_once(assertion_signed(), "<KeyInfo>",
                                  "<KeyInfo><dsig11:KeyInfoReference"
                                  " xmlns:dsig11=\"http://www.w3.org/2009/xmldsig11#\" URI=\"" +
                                      listener.url() + "\"/>");
    CHECK(code_of(validate(xml)) == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS accepts same-document references in DataReference and KeyReference") {
    auto signed_xml = assertion_signed();
    EncryptionOptions options;
    options.data_reference = "#_encrypted-data";
    options.key_reference = "#_encrypted-key";
    const auto xml = testing::encrypt_assertion(signed_xml, sp_identity().certificate_pem, options);
    CHECK(describe(validate(xml, provider(), expectations_with_key())) == "ok");
}

TEST_CASE("refuse_external_references names the element and the URI it refused") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_cipher_reference = listener.url("/secret");
    const auto document = parsed(anonymous_encrypted(options));
    auto status = saml::refuse_external_references(document.root());
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == "saml.reference.external");
    CHECK(status.error().message.find("xenc:CipherReference") != std::string::npos);
    CHECK(status.error().message.find(listener.url("/secret")) != std::string::npos);
}

// ---- the scan before xmlsec, through the SLS --------------------------------------------

TEST_CASE("SLS refuses a POSTed LogoutRequest whose signature carries a RetrievalMethod") {
    ConnectionCounter listener;
    const std::string xml =
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
        " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_logout-1\" Version=\"2.0\""
        " IssueInstant=\"" +
        util::format_iso8601(kNow) + "\" Destination=\"https://gh.example.test/saml/sls/acme/\">" +
        "<saml:Issuer>" + idp().entity_id() +
        "</saml:Issuer><saml:NameID>alice@example.com</saml:NameID></samlp:LogoutRequest>";
    const auto hostile =
        with_signature_retrieval_method(idp().sign(xml, "_logout-1"), listener.url());
    auto keys = saml::TrustedKeys::from_certificates({idp().identity().certificate_pem});
    REQUIRE(keys.ok());
    const saml::LogoutExpectations expected{
        "https://gh.example.test/saml/sls/acme/", idp().entity_id(), *keys, {}, 180, 300};
    const util::FixedClock clock(kNow);
    auto request = saml::parse_logout_request_post({{"SAMLRequest", util::base64_encode(hostile)}},
                                                   expected, clock);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.reference.external");
    CHECK(listener.connections() == 0);
}

// ---- xmlsec's own restrictions, for trees that skipped the scan --------------------------

TEST_CASE("decrypt_assertion never fetches an EncryptedKey's CipherReference, even unscanned") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_cipher_reference = listener.url();
    const auto document = parsed(anonymous_encrypted(options));
    auto result = saml::decrypt_assertion(encrypted_assertion_of(document), sp_private_key());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "saml.assertion.encrypted");
    CHECK(listener.connections() == 0);
}

TEST_CASE("decrypt_assertion never fetches an EncryptedData's CipherReference, even unscanned") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.data_cipher_reference = listener.url();
    const auto document = parsed(anonymous_encrypted(options));
    auto result = saml::decrypt_assertion(encrypted_assertion_of(document), sp_private_key());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "saml.assertion.encrypted");
    CHECK(listener.connections() == 0);
}

TEST_CASE("decrypt_assertion never opens a file a CipherReference names, even unscanned") {
    FileReadCounter trap;
    EncryptionOptions key;
    key.key_cipher_reference = trap.url();
    const auto key_document = parsed(anonymous_encrypted(key));
    CHECK_FALSE(
        saml::decrypt_assertion(encrypted_assertion_of(key_document), sp_private_key()).ok());
    EncryptionOptions data;
    data.data_cipher_reference = trap.url();
    const auto data_document = parsed(anonymous_encrypted(data));
    CHECK_FALSE(
        saml::decrypt_assertion(encrypted_assertion_of(data_document), sp_private_key()).ok());
    CHECK(trap.reads() == 0);
}

TEST_CASE("decrypt_assertion ignores RetrievalMethods in every KeyInfo, even unscanned") {
    ConnectionCounter listener;
    EncryptionOptions options;
    options.data_retrieval_method = listener.url("/data");
    options.key_retrieval_method = listener.url("/key");
    const auto document = parsed(anonymous_encrypted(options));
    auto result = saml::decrypt_assertion(encrypted_assertion_of(document), sp_private_key());
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    CHECK(listener.connections() == 0);
}

TEST_CASE("verify_enveloped_signature never follows a RetrievalMethod in KeyInfo, even unscanned") {
    ConnectionCounter listener;
    const auto document =
        parsed(with_signature_retrieval_method(assertion_signed(), listener.url()));
    xmlNode* assertion =
        saml::first_child_element(document.root(), saml::ns::assertion, "Assertion");
    auto keys = saml::TrustedKeys::from_certificates({idp().identity().certificate_pem});
    REQUIRE(keys.ok());
    auto verified = saml::verify_enveloped_signature(document.get(), assertion, *keys, {});
    CHECK_MESSAGE(verified.ok(), verified.error().message);
    CHECK(listener.connections() == 0);
}
