// Hostile corpus, part 1: XML Signature wrapping (XSW1–XSW8 after Somorovsky et al., "On
// Breaking SAML", and the SAML Raider catalogue), smuggled assertions and ID confusion.
#include <string>

#include "hostile_fixture.hpp"

using namespace gatehouse::hostile;

namespace {

const std::string kResponseClose = "</samlp:Response>";
const std::string kStatusOpen = "<samlp:Status>";

// A cloned, unsigned Response an attacker puts at the root: same namespaces, new ID, a
// forged assertion; `inner` is placed where the variant needs the original.
std::string evil_response(const std::string& signed_xml, const std::string& before_status,
                          const std::string& after_assertion = "") {
    const auto start = replace_once(response_start_tag(signed_xml), "ID=\"" + kResponseId + "\"",
                                    "ID=\"_evil-response\"");
    return start + "<saml:Issuer>" + idp().entity_id() + "</saml:Issuer>" + before_status +
           element(signed_xml, kStatusOpen, "</samlp:Status>") + evil_assertion() +
           after_assertion + kResponseClose;
}

// The signed assertion of `xml`, and the same assertion with its signature cut out.
std::string signed_assertion(const std::string& xml) { return assertion_of(xml); }
std::string stripped_assertion(const std::string& xml) {
    const auto assertion = assertion_of(xml);
    return replace_once(assertion, signature_of(assertion), "");
}

// The forged assertion carrying a copy of the genuine signature (which references the
// genuine ID) right after its Issuer, with `inside_signature` appended within it.
std::string evil_assertion_with_signature(const std::string& signature,
                                          const std::string& inside_signature = "") {
    const auto moved = replace_once(signature, kSignatureClose, inside_signature + kSignatureClose);
    return insert_after(evil_assertion(), "</saml:Issuer>", moved);
}

}  // namespace

TEST_CASE("hostile control: the unmodified Response- and Assertion-signed messages are accepted") {
    CHECK(describe(validate(assertion_signed())) == "ok");
    CHECK(describe(validate(response_signed())) == "ok");
}

// XSW1: a cloned unsigned Response at the root; the signed Response moved into a
// ds:Object of the clone's copied Signature.
TEST_CASE("hostile: XSW1 — signed Response moved into the Object of an evil Response's Signature") {
    const auto genuine = response_signed();
    const auto signature = signature_of(genuine);
    const auto wrapped_signature =
        replace_once(signature, kSignatureClose,
                     "<Object>" + without_declaration(genuine) + "</Object>" + kSignatureClose);
    const auto xml = insert_before(evil_response(genuine, ""), kStatusOpen, wrapped_signature);
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

// XSW2: a cloned unsigned Response at the root; the signed Response moved into its
// samlp:Extensions, beside a copy of its Signature that still names the genuine ID.
TEST_CASE("hostile: XSW2 — signed Response moved into the Extensions of an evil Response") {
    const auto genuine = response_signed();
    const auto xml =
        evil_response(genuine, signature_of(genuine) + "<samlp:Extensions>" +
                                   without_declaration(genuine) + "</samlp:Extensions>");
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

// XSW3: an unsigned evil Assertion (new ID) inserted before the signed Assertion.
TEST_CASE("hostile: XSW3 — wrapped Assertion before the signed one is refused") {
    const auto xml = insert_before(assertion_signed(), "<saml:Assertion", evil_assertion());
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

// XSW4: the evil Assertion takes the signed one's place and wraps it as its last child.
TEST_CASE("hostile: XSW4 — signed Assertion wrapped inside an evil Assertion is refused") {
    const auto genuine = assertion_signed();
    const auto wrapper =
        insert_before(evil_assertion(), "</saml:Assertion>", signed_assertion(genuine));
    const auto xml = replace_once(genuine, signed_assertion(genuine), wrapper);
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

// XSW5: the evil Assertion carries the copied Signature; the genuine Assertion, its
// signature removed, is appended at the end of the Response for the Reference to find.
TEST_CASE("hostile: XSW5 — evil Assertion with the signature, genuine one appended after it") {
    const auto genuine = assertion_signed();
    auto xml = replace_once(genuine, signed_assertion(genuine),
                            evil_assertion_with_signature(signature_of(genuine)));
    xml = insert_before(xml, kResponseClose, stripped_assertion(genuine));
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

// XSW6: as XSW5, but the genuine Assertion sits inside the copied Signature.
TEST_CASE("hostile: XSW6 — genuine Assertion moved into the evil Assertion's Signature") {
    const auto genuine = assertion_signed();
    const auto xml = replace_once(
        genuine, signed_assertion(genuine),
        evil_assertion_with_signature(signature_of(genuine), stripped_assertion(genuine)));
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

// XSW7: the signed Assertion moved into samlp:Extensions; the evil one takes its place.
TEST_CASE("hostile: XSW7 — signed Assertion moved into Extensions, evil one in its place") {
    const auto genuine = assertion_signed();
    auto xml = replace_once(genuine, signed_assertion(genuine), evil_assertion());
    xml = insert_before(xml, kStatusOpen,
                        "<samlp:Extensions>" + signed_assertion(genuine) + "</samlp:Extensions>");
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

// XSW8: the evil Assertion carries the copied Signature, whose ds:Object holds the
// genuine Assertion with its signature removed.
TEST_CASE(
    "hostile: XSW8 — genuine Assertion moved into an Object of the evil Assertion's Signature") {
    const auto genuine = assertion_signed();
    const auto xml = replace_once(
        genuine, signed_assertion(genuine),
        evil_assertion_with_signature(signature_of(genuine),
                                      "<Object>" + stripped_assertion(genuine) + "</Object>"));
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

TEST_CASE("hostile: an extra unsigned Assertion after the signed one is refused") {
    const auto xml = insert_before(assertion_signed(), kResponseClose, evil_assertion());
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

TEST_CASE("hostile: an extra Assertion inside Extensions of a signed Response is refused") {
    const auto xml = insert_before(response_signed(), kStatusOpen,
                                   "<samlp:Extensions>" + evil_assertion() + "</samlp:Extensions>");
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

TEST_CASE("hostile: the only Assertion nested inside another element is refused") {
    const auto genuine = assertion_signed();
    const auto xml =
        replace_once(genuine, signed_assertion(genuine),
                     "<samlp:Extensions>" + signed_assertion(genuine) + "</samlp:Extensions>");
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

TEST_CASE("hostile: an Assertion hidden in StatusDetail beside the signed one is refused") {
    const auto xml = replace_once(
        assertion_signed(), "</samlp:Status>",
        "<samlp:StatusDetail>" + evil_assertion() + "</samlp:StatusDetail></samlp:Status>");
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

TEST_CASE("hostile: an evil Assertion inside the signed Assertion's ds:Object is refused") {
    // Content added to a ds:Object after signing leaves the enveloped signature valid.
    const auto genuine = assertion_signed();
    const auto signature = signature_of(genuine);
    const auto xml =
        replace_once(genuine, signature,
                     replace_once(signature, kSignatureClose,
                                  "<Object>" + evil_assertion() + "</Object>" + kSignatureClose));
    CHECK(code_of(validate(xml)) == "saml.assertion.count");
}

TEST_CASE("hostile: an unsigned Response whose own ID repeats the signed Assertion's is refused") {
    const auto xml = replace_once(assertion_signed(), "ID=\"" + kResponseId + "\"",
                                  "ID=\"" + kAssertionId + "\"");
    CHECK(code_of(validate(xml)) == "saml.signature.duplicate_id");
}

TEST_CASE("hostile: a second element carrying the signed Response's ID is refused") {
    const auto xml = insert_before(
        response_signed(), kStatusOpen,
        "<samlp:Extensions><saml:Evidence ID=\"" + kResponseId + "\"/></samlp:Extensions>");
    CHECK(code_of(validate(xml)) == "saml.signature.duplicate_id");
}

TEST_CASE("hostile: an xml:id elsewhere claiming the signed Assertion's ID is refused") {
    const auto xml = replace_once(assertion_signed(), kStatusOpen,
                                  "<samlp:Status xml:id=\"" + kAssertionId + "\">");
    CHECK(code_of(validate(xml)) == "saml.signature.duplicate_id");
}

TEST_CASE("hostile: a signed Assertion whose ID was removed is refused") {
    const auto xml = replace_once(assertion_signed(), " ID=\"" + kAssertionId + "\"", "");
    CHECK(code_of(validate(xml)) == "saml.signature.no_id");
}

TEST_CASE("hostile: a comment in the NameID does not truncate the subject read") {
    // Exclusive C14N drops comments, so the comment leaves the signature valid.
    auto spec = valid_spec();
    spec.name_id = "admin@example.com.evil.test";
    const auto xml = replace_once(assertion_signed(spec), "admin@example.com.evil.test<",
                                  "admin@example.com<!-- cut -->.evil.test<");
    auto result = validate(xml);
    REQUIRE_MESSAGE(result.ok(), describe(result));
    CHECK(result->name_id == "admin@example.com.evil.test");
}

TEST_CASE("hostile: a CDATA section splitting the NameID is read as the whole value") {
    // Canonicalization turns CDATA into text, so this too keeps the signature valid.
    auto spec = valid_spec();
    spec.name_id = "admin@example.com.evil.test";
    const auto xml = replace_once(assertion_signed(spec), ">admin@example.com.evil.test<",
                                  ">admin@example.com<![CDATA[.evil.test]]><");
    auto result = validate(xml);
    REQUIRE_MESSAGE(result.ok(), describe(result));
    CHECK(result->name_id == "admin@example.com.evil.test");
}

TEST_CASE("hostile: a processing instruction inserted into the signed NameID is refused") {
    // Unlike comments, processing instructions survive canonicalization, so the signature
    // would break too; the parser refuses them before it comes to that.
    const auto xml = replace_once(assertion_signed(), ">alice@example.com<",
                                  ">alice@example.com<?evil .evil.test?><");
    CHECK(code_of(validate(xml)) == "xml.processing_instruction");
}

TEST_CASE("hostile: an Attribute added inside the signed Assertion breaks the signature") {
    const auto xml = replace_once(
        assertion_signed(), "</saml:AttributeStatement>",
        "<saml:Attribute Name=\"role\"><saml:AttributeValue>owner</saml:AttributeValue>"
        "</saml:Attribute></saml:AttributeStatement>");
    CHECK(code_of(validate(xml)) == "saml.signature.invalid");
}

TEST_CASE("hostile: an unsigned AttributeStatement beside the signed Assertion is refused") {
    // The schema allows no AttributeStatement directly in a Response.
    const auto xml =
        insert_before(assertion_signed(), kResponseClose,
                      "<saml:AttributeStatement><saml:Attribute Name=\"role\">"
                      "<saml:AttributeValue>owner</saml:AttributeValue></saml:Attribute>"
                      "<saml:Attribute Name=\"admin\"><saml:AttributeValue>true"
                      "</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>");
    CHECK(code_of(validate(xml)) == "saml.response.unexpected_element");
}
