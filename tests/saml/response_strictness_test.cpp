// Stricter reading of a Response: no processing instructions, the IDs the schema requires,
// exactly one NameID, only the children the schema allows in a samlp:Response, and an
// IssueInstant that is neither in the future nor too old.
#include <string>

#include "hostile_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::hostile;

namespace {

const std::string kStatusOpen = "<samlp:Status>";
const std::string kStatusClose = "</samlp:Status>";
const std::string kNameIdClose = "</saml:NameID>";

util::UnixTime skew() { return provider().options.clock_skew_seconds; }
util::UnixTime max_age() { return provider().options.max_issue_age_seconds; }

std::string issue_instant_attribute(util::UnixTime at) {
    return " IssueInstant=\"" + util::format_iso8601(at) + "\"";
}

// `xml` as the test IdP builds it (both IssueInstants at kNow) with the Response's
// IssueInstant, the first in the document, replaced by `attribute` (empty: removed).
std::string with_response_issue_instant(const std::string& xml, const std::string& attribute) {
    return replace_once(xml, issue_instant_attribute(kNow), attribute);
}

// The Response whose Assertion carries `attribute` instead of its IssueInstant (empty:
// none), the Assertion then signed.
std::string with_assertion_issue_instant(const std::string& attribute) {
    const auto xml = unsigned_xml();
    const auto assertion = assertion_of(xml);
    return sign_assertion(replace_once(
        xml, assertion, replace_once(assertion, issue_instant_attribute(kNow), attribute)));
}

// The Response with `inserted` placed after the first NameID, the Assertion then signed
// (so only the rule on the Subject can refuse it).
std::string signed_with_after_name_id(const std::string& inserted) {
    return sign_assertion(insert_after(unsigned_xml(), kNameIdClose, inserted));
}

}  // namespace

// ---- processing instructions --------------------------------------------------------------

TEST_CASE("ACS refuses a Response carrying a processing instruction before its root") {
    const auto xml = insert_before(assertion_signed(), "<samlp:Response",
                                   "<?xml-stylesheet type=\"text/xsl\" href=\"x.xsl\"?>");
    CHECK(code_of(validate(xml)) == "xml.processing_instruction");
}

TEST_CASE("ACS refuses a Response carrying a processing instruction between its elements") {
    const auto xml = insert_before(assertion_signed(), kStatusOpen, "<?evil?>");
    CHECK(code_of(validate(xml)) == "xml.processing_instruction");
}

// ---- required IDs -------------------------------------------------------------------------

TEST_CASE("ACS refuses a Response without an ID") {
    auto spec = valid_spec();
    spec.response_id.clear();
    CHECK(code_of(validate(assertion_signed(spec))) == "saml.response.id_missing");
}

TEST_CASE("ACS refuses a Response whose ID is empty") {
    const auto xml = replace_once(assertion_signed(), "ID=\"" + kResponseId + "\"", "ID=\"\"");
    CHECK(code_of(validate(xml)) == "saml.response.id_missing");
}

TEST_CASE("ACS refuses an Assertion without an ID inside a signed Response") {
    auto spec = valid_spec();
    spec.assertion_id.clear();
    CHECK(code_of(validate(response_signed(spec))) == "saml.assertion.id_missing");
}

// ---- exactly one NameID -----------------------------------------------------------------

TEST_CASE("ACS refuses a signed Subject that carries two NameIDs") {
    const auto xml = signed_with_after_name_id(
        "<saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">"
        "admin@example.com</saml:NameID>");
    CHECK(code_of(validate(xml)) == "saml.assertion.subject_ambiguous");
}

TEST_CASE("ACS refuses a signed Subject that carries a NameID and an EncryptedID") {
    const auto xml = signed_with_after_name_id("<saml:EncryptedID/>");
    CHECK(code_of(validate(xml)) == "saml.assertion.subject_ambiguous");
}

TEST_CASE("ACS refuses a signed Assertion that carries two Subjects") {
    const auto xml = sign_assertion(
        insert_before(unsigned_xml(), "<saml:Conditions",
                      "<saml:Subject><saml:NameID>admin@example.com</saml:NameID></saml:Subject>"));
    CHECK(code_of(validate(xml)) == "saml.assertion.subject_ambiguous");
}

TEST_CASE("ACS refuses a signed Subject named only by an EncryptedID") {
    auto spec = valid_spec();
    spec.name_id.clear();
    const auto xml =
        sign_assertion(insert_after(unsigned_xml(spec), "<saml:Subject>", "<saml:EncryptedID/>"));
    CHECK(code_of(validate(xml)) == "saml.assertion.subject_missing");
}

// ---- children of samlp:Response ---------------------------------------------------------

TEST_CASE("ACS refuses a foreign-namespace element before the Assertion") {
    const auto xml = insert_before(assertion_signed(), "<saml:Assertion",
                                   "<evil:Note xmlns:evil=\"urn:example:evil\">x</evil:Note>");
    CHECK(code_of(validate(xml)) == "saml.response.unexpected_element");
}

TEST_CASE("ACS refuses a foreign-namespace element after the Assertion") {
    const auto xml = insert_before(assertion_signed(), "</samlp:Response>",
                                   "<evil:Note xmlns:evil=\"urn:example:evil\"/>");
    CHECK(code_of(validate(xml)) == "saml.response.unexpected_element");
}

TEST_CASE("ACS refuses a Response whose Signature follows its Status") {
    // The enveloped signature still verifies wherever it sits in the element it signs.
    const auto genuine = response_signed();
    const auto signature = signature_of(genuine);
    const auto xml = insert_after(replace_once(genuine, signature, ""), kStatusClose, signature);
    CHECK(code_of(validate(xml)) == "saml.response.unexpected_element");
}

TEST_CASE("ACS refuses Extensions after the Status") {
    const auto xml = insert_after(assertion_signed(), kStatusClose, "<samlp:Extensions/>");
    CHECK(code_of(validate(xml)) == "saml.response.unexpected_element");
}

TEST_CASE("ACS refuses a Response with two Status elements") {
    const auto status = element(assertion_signed(), kStatusOpen, kStatusClose);
    const auto xml = insert_after(assertion_signed(), kStatusClose, status);
    CHECK(code_of(validate(xml)) == "saml.response.unexpected_element");
}

TEST_CASE("ACS refuses a Response Issuer placed after the Status") {
    const auto genuine = assertion_signed();
    const auto issuer = "<saml:Issuer>" + idp().entity_id() + "</saml:Issuer>";
    const auto xml = insert_after(replace_once(genuine, issuer + kStatusOpen, kStatusOpen),
                                  kStatusClose, issuer);
    CHECK(code_of(validate(xml)) == "saml.response.unexpected_element");
}

TEST_CASE("ACS accepts Issuer, Signature, Extensions, Status and Assertion in schema order") {
    const auto xml = sign_response(
        insert_before(unsigned_xml(), kStatusOpen,
                      "<samlp:Extensions><ext:Hint xmlns:ext=\"urn:example:ext\">x</ext:Hint>"
                      "</samlp:Extensions>"));
    CHECK(describe(validate(xml)) == "ok");
}

// ---- IssueInstant -------------------------------------------------------------------------

TEST_CASE("ACS refuses a Response issued in the future beyond the clock skew") {
    const auto later =
        with_response_issue_instant(assertion_signed(), issue_instant_attribute(kNow + skew() + 1));
    CHECK(code_of(validate(later)) == "saml.response.issue_instant");
    const auto within =
        with_response_issue_instant(assertion_signed(), issue_instant_attribute(kNow + skew()));
    CHECK(describe(validate(within)) == "ok");
}

TEST_CASE("ACS refuses a Response issued longer ago than the maximum age plus the skew") {
    const auto stale = with_response_issue_instant(
        assertion_signed(), issue_instant_attribute(kNow - max_age() - skew() - 1));
    CHECK(code_of(validate(stale)) == "saml.response.issue_instant");
    const auto within = with_response_issue_instant(
        assertion_signed(), issue_instant_attribute(kNow - max_age() - skew()));
    CHECK(describe(validate(within)) == "ok");
}

TEST_CASE("ACS refuses a Response without an IssueInstant") {
    CHECK(code_of(validate(with_response_issue_instant(assertion_signed(), ""))) ==
          "saml.response.issue_instant");
}

TEST_CASE("ACS refuses a Response IssueInstant that is not an xs:dateTime") {
    const auto xml = with_response_issue_instant(assertion_signed(), " IssueInstant=\"yesterday\"");
    CHECK(code_of(validate(xml)) == "saml.response.issue_instant");
}

TEST_CASE("ACS refuses an Assertion issued in the future beyond the clock skew") {
    CHECK(code_of(validate(with_assertion_issue_instant(
              issue_instant_attribute(kNow + skew() + 1)))) == "saml.assertion.issue_instant");
    CHECK(describe(validate(
              with_assertion_issue_instant(issue_instant_attribute(kNow + skew())))) == "ok");
}

TEST_CASE("ACS refuses an Assertion issued longer ago than the maximum age plus the skew") {
    CHECK(code_of(validate(with_assertion_issue_instant(issue_instant_attribute(
              kNow - max_age() - skew() - 1)))) == "saml.assertion.issue_instant");
    CHECK(describe(validate(with_assertion_issue_instant(
              issue_instant_attribute(kNow - max_age() - skew())))) == "ok");
}

TEST_CASE("ACS refuses an Assertion without an IssueInstant") {
    CHECK(code_of(validate(with_assertion_issue_instant(""))) == "saml.assertion.issue_instant");
}

TEST_CASE("the IssueInstant age limit is the org's max_issue_age_seconds") {
    const auto xml =
        with_response_issue_instant(assertion_signed(), issue_instant_attribute(kNow - 2000));
    CHECK(code_of(validate(xml)) == "saml.response.issue_instant");
    auto patient = provider();
    patient.options.max_issue_age_seconds = 3600;
    CHECK(describe(validate(xml, patient)) == "ok");
}
