#include "gatehouse/saml/xml.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace gatehouse::saml;

namespace {

std::string assertion_with_name_id(const std::string& name_id_content) {
    return "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a\">"
           "<saml:NameID>" +
           name_id_content + "</saml:NameID></saml:Assertion>";
}

std::string error_code_of(const std::string& xml) {
    auto parsed = parse_untrusted_xml(xml);
    return parsed ? std::string("ok") : parsed.error().code;
}

}  // namespace

TEST_CASE("parse_untrusted_xml returns the document element of well-formed XML") {
    auto doc = parse_untrusted_xml(assertion_with_name_id("alice@example.com"));
    REQUIRE(doc.ok());
    CHECK(is_element(doc->root(), ns::assertion, "Assertion"));
}

TEST_CASE("parse_untrusted_xml rejects malformed XML and quotes libxml2's reason") {
    auto doc = parse_untrusted_xml("<a><b></a>");
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().code == "xml.malformed");
    CHECK(doc.error().message.find("not well-formed") != std::string::npos);
}

TEST_CASE("parse_untrusted_xml rejects an empty input") {
    CHECK(error_code_of("") == "xml.malformed");
}

TEST_CASE("parse_untrusted_xml rejects a document over the size limit before parsing") {
    auto doc = parse_untrusted_xml("<a>0123456789</a>", 10);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().code == "xml.too_large");
}

TEST_CASE("parse_untrusted_xml rejects any DOCTYPE, even one without declarations") {
    CHECK(error_code_of("<!DOCTYPE a><a/>") == "xml.dtd");
}

TEST_CASE("parse_untrusted_xml refuses an entity expansion bomb") {
    const std::string bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
        "<lolz>&lol3;</lolz>";
    CHECK(error_code_of(bomb) == "xml.dtd");
}

TEST_CASE("parse_untrusted_xml refuses an external entity (XXE) without reading the file") {
    const std::string xxe =
        "<!DOCTYPE a [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]><a>&secret;</a>";
    CHECK(error_code_of(xxe) == "xml.dtd");
}

TEST_CASE("parse_untrusted_xml treats an undeclared entity reference as malformed") {
    CHECK(error_code_of("<a>&undeclared;</a>") == "xml.malformed");
}

TEST_CASE("parse_untrusted_xml refuses a processing instruction before the document element") {
    CHECK(error_code_of("<?xml-stylesheet type=\"text/xsl\" href=\"http://127.0.0.1:9/x\"?><a/>") ==
          "xml.processing_instruction");
}

TEST_CASE("parse_untrusted_xml refuses a processing instruction inside the document element") {
    CHECK(error_code_of(assertion_with_name_id("alice@example.com<?evil .evil.test?>")) ==
          "xml.processing_instruction");
}

TEST_CASE("parse_untrusted_xml refuses a processing instruction after the document element") {
    CHECK(error_code_of("<a/><?evil?>") == "xml.processing_instruction");
}

TEST_CASE("parse_untrusted_xml accepts an XML declaration, which is not a processing instruction") {
    CHECK(error_code_of("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>") == "ok");
}

TEST_CASE("element_text joins the text around a comment instead of stopping at it") {
    auto doc = parse_untrusted_xml(assertion_with_name_id("alice@example.com<!---->.evil.test"));
    REQUIRE(doc.ok());
    const xmlNode* name_id = first_child_element(doc->root(), ns::assertion, "NameID");
    CHECK(element_text(name_id) == "alice@example.com.evil.test");
}

TEST_CASE("element_text trims surrounding white space and includes CDATA") {
    auto doc = parse_untrusted_xml(assertion_with_name_id("\n  bob<![CDATA[@example]]>.com \t"));
    REQUIRE(doc.ok());
    CHECK(element_text(first_child_element(doc->root(), ns::assertion, "NameID")) ==
          "bob@example.com");
}

TEST_CASE("element_text ignores the text of child elements") {
    auto doc = parse_untrusted_xml("<a>x<b>inner</b>y</a>");
    REQUIRE(doc.ok());
    CHECK(element_text(doc->root()) == "xy");
    CHECK(element_text(nullptr).empty());
}

TEST_CASE("child lookups match the namespace URI, not the prefix") {
    auto doc = parse_untrusted_xml(
        "<r xmlns:x=\"urn:oasis:names:tc:SAML:2.0:assertion\" xmlns:y=\"urn:other\">"
        "<y:Issuer>wrong</y:Issuer><x:Issuer>right</x:Issuer><Issuer>none</Issuer></r>");
    REQUIRE(doc.ok());
    const auto issuers = child_elements(doc->root(), ns::assertion, "Issuer");
    REQUIRE(issuers.size() == 1);
    CHECK(element_text(issuers.front()) == "right");
    CHECK(first_child_element(doc->root(), ns::assertion, "Issuer") == issuers.front());
    CHECK(first_child_element(doc->root(), ns::assertion, "Missing") == nullptr);
    CHECK(element_children(doc->root()).size() == 3);
}

TEST_CASE("descendant_elements finds nested elements in document order, including the root") {
    auto doc = parse_untrusted_xml(
        "<s:A xmlns:s=\"urn:oasis:names:tc:SAML:2.0:assertion\" n=\"1\">"
        "<s:B><s:A n=\"2\"><s:A n=\"3\"/></s:A></s:B><s:A n=\"4\"/></s:A>");
    REQUIRE(doc.ok());
    const auto found = descendant_elements(doc->root(), ns::assertion, "A");
    REQUIRE(found.size() == 4);
    CHECK(attribute(found[0], "n") == "1");
    CHECK(attribute(found[1], "n") == "2");
    CHECK(attribute(found[2], "n") == "3");
    CHECK(attribute(found[3], "n") == "4");
}

TEST_CASE("attribute reads unqualified attributes and attribute_ns reads qualified ones") {
    auto doc = parse_untrusted_xml(
        "<a xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ID=\"_1\" xsi:type=\"t\"/>");
    REQUIRE(doc.ok());
    CHECK(attribute(doc->root(), "ID") == "_1");
    CHECK_FALSE(attribute(doc->root(), "type").has_value());
    CHECK(attribute_ns(doc->root(), ns::xsi, "type") == "t");
    CHECK_FALSE(attribute(doc->root(), "Missing").has_value());
}

TEST_CASE("serialize writes a document that parses back to the same content") {
    auto doc = parse_untrusted_xml(assertion_with_name_id("carol@example.com"));
    REQUIRE(doc.ok());
    auto again = parse_untrusted_xml(serialize(doc->get()));
    REQUIRE(again.ok());
    CHECK(element_text(first_child_element(again->root(), ns::assertion, "NameID")) ==
          "carol@example.com");
}
