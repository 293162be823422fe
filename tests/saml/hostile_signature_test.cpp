// Hostile corpus, part 2: signatures that are missing, made with the wrong key, or whose
// SignedInfo asks for algorithms, transforms or references SAML must never honour. Where
// it matters the hostile SignedInfo is re-signed with the IdP's own key, so the refusal
// comes from the policy and not from a digest that no longer matches.
#include <string>

#include "hostile_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::hostile;

namespace {

const std::string kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
const std::string kC14nMethod = "<CanonicalizationMethod Algorithm=\"" + kExcC14n + "\"/>";
const std::string kExcC14nTransform = "<Transform Algorithm=\"" + kExcC14n + "\"/>";
const std::string kEnvelopedTransform =
    "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>";

// Adds `transform` to the assertion signature's Reference and signs it again.
std::string with_extra_transform(const std::string& transform) {
    return resigned_with(assertion_signed(), kAssertionId, kTransformsEnd,
                         transform + kTransformsEnd);
}

std::string with_name_id(const std::string& xml, const std::string& name_id) {
    return replace_once(xml, ">alice@example.com</saml:NameID>", ">" + name_id + "</saml:NameID>");
}

}  // namespace

TEST_CASE("hostile: a Response whose only signature was removed is refused") {
    const auto genuine = assertion_signed();
    const auto xml = replace_once(genuine, signature_of(genuine), "");
    CHECK(code_of(validate(xml)) == "saml.signature.missing");
}

TEST_CASE("hostile: an empty SignatureValue is refused as an invalid signature") {
    const auto genuine = assertion_signed();
    const auto value = element(genuine, "<SignatureValue>", "</SignatureValue>");
    const auto xml = replace_once(genuine, value, "<SignatureValue></SignatureValue>");
    CHECK(code_of(validate(xml)) == "saml.signature.invalid");
}

TEST_CASE("hostile: an assertion re-signed by an attacker whose own key is in KeyInfo is refused") {
    const testing::TestIdp attacker(idp().entity_id());
    auto spec = valid_spec();
    spec.name_id = "admin@example.com";
    const auto xml = attacker.sign(unsigned_xml(spec), kAssertionId);
    // The message names the attacker's certificate; only the configured one may count.
    REQUIRE(xml.find("<X509Certificate>") != std::string::npos);
    CHECK(code_of(validate(xml)) == "saml.signature.invalid");
}

TEST_CASE("hostile: an assertion signed by another org's IdP is refused") {
    const auto xml = testing::other_test_idp().sign(unsigned_xml(), kAssertionId);
    CHECK(code_of(validate(xml)) == "saml.signature.invalid");
}

TEST_CASE("hostile: an HMAC-SHA256 signature keyed with the IdP certificate is refused") {
    // The key-confusion attack: a verifier that feeds the trusted public key to HMAC
    // accepts a MAC anyone holding the certificate can compute.
    const auto genuine = assertion_signed();
    const auto key_info = element(genuine, "<KeyInfo>", "</KeyInfo>");
    const auto hostile =
        replace_once(replace_once(genuine, key_info, ""),
                     "Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"",
                     "Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256\"");
    const auto xml =
        testing::resign_with_hmac(hostile, kAssertionId, idp().identity().certificate_pem);
    CHECK(code_of(validate(xml)) == "saml.signature.algorithm_not_allowed");
}

TEST_CASE("hostile: an RSA-SHA1 signature is refused without the org's opt-in, accepted with it") {
    testing::SigningOptions sha1;
    sha1.signature_algorithm = std::string(saml::alg::rsa_sha1);
    sha1.digest_algorithm = std::string(saml::alg::sha1);
    const auto xml = idp().sign(unsigned_xml(), kAssertionId, sha1);
    CHECK(code_of(validate(xml)) == "saml.signature.algorithm_not_allowed");
    auto opted_in = provider();
    opted_in.options.allow_sha1 = true;
    CHECK(describe(validate(xml, opted_in)) == "ok");
}

TEST_CASE("hostile: a SHA-1 digest under an RSA-SHA256 signature is refused") {
    const auto xml = resigned_with(assertion_signed(), kAssertionId,
                                   "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"",
                                   "Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"");
    CHECK(code_of(validate(xml)) == "saml.signature.algorithm_not_allowed");
}

TEST_CASE("hostile: an MD5 digest is refused") {
    const auto xml =
        replace_once(assertion_signed(), "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"",
                     "Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#md5\"");
    CHECK(code_of(validate(xml)) == "saml.signature.algorithm_not_allowed");
}

TEST_CASE("hostile: an XSLT transform in the Reference is refused") {
    const auto xml = replace_once(
        assertion_signed(), kTransformsEnd,
        "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">"
        "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\">"
        "<xsl:template match=\"/\"><xsl:copy-of select=\"document('http://evil.example.test/')\"/>"
        "</xsl:template></xsl:stylesheet></Transform>" +
            kTransformsEnd);
    CHECK(code_of(validate(xml)) == "saml.signature.transform_not_allowed");
}

TEST_CASE("hostile: an XPath transform that leaves the Subject unsigned is refused") {
    // Signed validly with the Subject excluded from the digest, then the NameID swapped.
    const auto signed_xml = with_extra_transform(
        "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">"
        "<XPath>not(ancestor-or-self::saml:Subject)</XPath></Transform>");
    const auto xml = with_name_id(signed_xml, "admin@example.com");
    CHECK(code_of(validate(xml)) == "saml.signature.transform_not_allowed");
}

TEST_CASE("hostile: an XPath Filter 2.0 transform that subtracts the Subject is refused") {
    const auto signed_xml = with_extra_transform(
        "<Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\">"
        "<dsig-xpath:XPath xmlns:dsig-xpath=\"http://www.w3.org/2002/06/xmldsig-filter2\""
        " Filter=\"subtract\">//saml:Subject</dsig-xpath:XPath></Transform>");
    const auto xml = with_name_id(signed_xml, "admin@example.com");
    CHECK(code_of(validate(xml)) == "saml.signature.transform_not_allowed");
}

TEST_CASE("hostile: exclusive C14N with comments as the canonicalization method is refused") {
    const auto xml =
        resigned_with(assertion_signed(), kAssertionId, kC14nMethod,
                      "<CanonicalizationMethod Algorithm=\"" + kExcC14n + "WithComments\"/>");
    CHECK(code_of(validate(xml)) == "saml.signature.transform_not_allowed");
}

TEST_CASE("hostile: exclusive C14N with comments as a Reference transform is refused") {
    const auto xml = resigned_with(assertion_signed(), kAssertionId, kExcC14nTransform,
                                   "<Transform Algorithm=\"" + kExcC14n + "WithComments\"/>");
    CHECK(code_of(validate(xml)) == "saml.signature.transform_not_allowed");
}

TEST_CASE("hostile: inclusive C14N as the canonicalization method is refused") {
    const auto xml = resigned_with(
        assertion_signed(), kAssertionId, kC14nMethod,
        "<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>");
    CHECK(code_of(validate(xml)) == "saml.signature.transform_not_allowed");
}

TEST_CASE("hostile: a Reference without the enveloped-signature transform is refused") {
    const auto xml = replace_once(assertion_signed(), kEnvelopedTransform, "");
    CHECK(code_of(validate(xml)) == "saml.signature.transform_not_allowed");
}

TEST_CASE("hostile: a remote Reference URI is refused without being fetched") {
    const auto xml = replace_once(assertion_signed(), kAssertionReference,
                                  "URI=\"http://127.0.0.1:9/assertion.xml\"");
    CHECK(code_of(validate(xml)) == "saml.reference.external");
}

TEST_CASE("hostile: an empty Reference URI (the whole document) is refused") {
    const auto xml =
        resigned_with(assertion_signed(), kAssertionId, kAssertionReference, "URI=\"\"");
    CHECK(code_of(validate(xml)) == "saml.reference.external");
}

TEST_CASE("hostile: an XPointer Reference URI is refused even when it names the right ID") {
    const auto xml = resigned_with(assertion_signed(), kAssertionId, kAssertionReference,
                                   "URI=\"#xpointer(id('" + kAssertionId + "'))\"");
    CHECK(code_of(validate(xml)) == "saml.signature.reference");
}

TEST_CASE("hostile: an Assertion signature whose Reference names the Response is refused") {
    const auto xml = resigned_with(assertion_signed(), kAssertionId, kAssertionReference,
                                   "URI=\"#" + kResponseId + "\"");
    CHECK(code_of(validate(xml)) == "saml.signature.reference");
}

TEST_CASE("hostile: a signature moved from the Assertion up to the Response is refused") {
    const auto genuine = assertion_signed();
    const auto signature = signature_of(genuine);
    const auto xml =
        insert_before(replace_once(genuine, signature, ""), "<samlp:Status>", signature);
    CHECK(code_of(validate(xml)) == "saml.signature.reference");
}

TEST_CASE("hostile: a SignedInfo with two References is refused") {
    const auto genuine = assertion_signed();
    const auto reference = element(genuine, "<Reference ", "</Reference>");
    const auto xml =
        resigned_with(genuine, kAssertionId, kSignedInfoEnd,
                      replace_once(reference, kAssertionReference, "URI=\"#" + kResponseId + "\"") +
                          kSignedInfoEnd);
    CHECK(code_of(validate(xml)) == "saml.signature.reference");
}

TEST_CASE("hostile: an Assertion carrying two Signatures is refused") {
    const auto genuine = assertion_signed();
    const auto signature = signature_of(genuine);
    const auto xml = replace_once(genuine, signature, signature + signature);
    CHECK(code_of(validate(xml)) == "saml.signature.multiple");
}

TEST_CASE("hostile: a ds:Object added to the Signature after signing is refused") {
    const auto genuine = assertion_signed();
    const auto signature = signature_of(genuine);
    const auto xml =
        replace_once(genuine, signature,
                     replace_once(signature, kSignatureClose,
                                  "<Object><saml:Attribute Name=\"role\"><saml:AttributeValue>owner"
                                  "</saml:AttributeValue></saml:Attribute></Object>" +
                                      kSignatureClose));
    CHECK(code_of(validate(xml)) == "saml.signature.object_not_allowed");
}

TEST_CASE("hostile: a ds:Manifest inside the Signature is refused") {
    const auto genuine = assertion_signed();
    const auto signature = signature_of(genuine);
    const auto reference = element(genuine, "<Reference ", "</Reference>");
    const auto xml = replace_once(
        genuine, signature,
        replace_once(signature, kSignatureClose,
                     "<Object><Manifest>" + reference + "</Manifest></Object>" + kSignatureClose));
    CHECK(code_of(validate(xml)) == "saml.signature.object_not_allowed");
}
