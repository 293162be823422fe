#include "gatehouse/saml/logout.hpp"

#include <doctest/doctest.h>

#include <optional>

#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::saml;
using gatehouse::testing::shared_test_idp;
using gatehouse::testing::TestIdp;

namespace gatehouse::testing {
std::string schema_errors(const std::string& xml, const char* schema_file);  // sp_metadata_test.cpp
}

namespace {

constexpr const char* kProtocolSchema =
    "/usr/lib/python3/dist-packages/onelogin/saml2/schemas/saml-schema-protocol-2.0.xsd";
constexpr util::UnixTime kNow = 1795423500;  // 2026-11-23T08:45:00Z
constexpr const char* kIdpSlo = "https://idp.example.com/slo";

SpEndpoints acme() { return sp_endpoints("https://gh.example.com", "acme"); }

LogoutExpectations expectations() {
    auto keys = TrustedKeys::from_certificates({shared_test_idp().identity().certificate_pem});
    REQUIRE(keys.ok());
    return LogoutExpectations{acme().sls_url, shared_test_idp().entity_id(), *keys, {}, 180};
}

// The parts of an IdP's LogoutRequest that tests vary; nullopt leaves a piece out.
struct LogoutRequestSpec {
    std::optional<std::string> id = "_idp-logout-1";
    std::string version = "2.0";
    std::optional<std::string> issuer = shared_test_idp().entity_id();
    std::optional<std::string> destination = acme().sls_url;
    std::optional<std::string> issue_instant = "2026-11-23T08:44:00Z";  // kNow - 60
    std::optional<std::string> not_on_or_after;
    std::optional<std::string> name_id = "alice@example.com";
    bool encrypted_id = false;
    std::vector<std::string> session_indexes = {"_session-1"};
};

std::string request_xml(const LogoutRequestSpec& spec) {
    std::string xml =
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" Version=\"" +
        spec.version + "\"";
    if (spec.issue_instant) xml += " IssueInstant=\"" + *spec.issue_instant + "\"";
    if (spec.id) xml += " ID=\"" + *spec.id + "\"";
    if (spec.destination) xml += " Destination=\"" + *spec.destination + "\"";
    if (spec.not_on_or_after) xml += " NotOnOrAfter=\"" + *spec.not_on_or_after + "\"";
    xml += ">";
    if (spec.issuer) xml += "<saml:Issuer>" + *spec.issuer + "</saml:Issuer>";
    if (spec.name_id) xml += "<saml:NameID>" + *spec.name_id + "</saml:NameID>";
    if (spec.encrypted_id) xml += "<saml:EncryptedID/>";
    for (const auto& index : spec.session_indexes) {
        xml += "<samlp:SessionIndex>" + index + "</samlp:SessionIndex>";
    }
    return xml + "</samlp:LogoutRequest>";
}

// The parts of an IdP's LogoutResponse that tests vary.
struct LogoutResponseSpec {
    std::optional<std::string> in_response_to = "_sp-logout-1";
    std::optional<std::string> status = std::string(status_code::success);
    std::string issuer = shared_test_idp().entity_id();
};

std::string response_xml(const LogoutResponseSpec& spec) {
    std::string xml =
        "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_idp-response-1\" "
        "Version=\"2.0\" IssueInstant=\"2026-11-23T08:44:00Z\"";
    if (spec.in_response_to) xml += " InResponseTo=\"" + *spec.in_response_to + "\"";
    xml += "><saml:Issuer>" + spec.issuer + "</saml:Issuer>";
    if (spec.status) {
        xml += "<samlp:Status><samlp:StatusCode Value=\"" + *spec.status + "\"/></samlp:Status>";
    }
    return xml + "</samlp:LogoutResponse>";
}

// A Redirect-binding query as the IdP sends it, signed with `idp`'s key.
std::string idp_query(std::string_view parameter, std::string_view xml,
                      const TestIdp& idp = shared_test_idp(), std::string_view relay_state = "") {
    std::string octets = std::string(parameter) + "=" +
                         util::url_encode(util::base64_encode(util::deflate_raw(xml)));
    if (!relay_state.empty()) octets += "&RelayState=" + util::url_encode(relay_state);
    octets += "&SigAlg=" + util::url_encode(alg::rsa_sha256);
    return octets + "&Signature=" + util::url_encode(util::base64_encode(idp.sign_bytes(octets)));
}

// A POST-binding form as the IdP sends it, the root element signed with `idp`'s key.
std::map<std::string, std::string> idp_form(std::string_view field, const std::string& xml,
                                            std::string_view id,
                                            const TestIdp& idp = shared_test_idp()) {
    return {{std::string(field), util::base64_encode(idp.sign(xml, id))}, {"RelayState", "rs-1"}};
}

Result<IncomingLogoutRequest> parse_redirect(const LogoutRequestSpec& spec,
                                             util::UnixTime now = kNow) {
    util::FixedClock clock(now);
    return parse_logout_request_redirect(idp_query("SAMLRequest", request_xml(spec)),
                                         expectations(), clock);
}

std::string request_error(const LogoutRequestSpec& spec, util::UnixTime now = kNow) {
    auto request = parse_redirect(spec, now);
    REQUIRE_FALSE(request.ok());
    return request.error().code;
}

std::string response_error(const LogoutResponseSpec& spec) {
    auto response = parse_logout_response_redirect(idp_query("SAMLResponse", response_xml(spec)),
                                                   expectations());
    REQUIRE_FALSE(response.ok());
    return response.error().code;
}

}  // namespace

TEST_CASE("an SP LogoutRequest conforms to the SAML 2.0 protocol schema") {
    util::FixedClock clock(kNow);
    const auto message = build_logout_request(acme(), kIdpSlo, "alice@example.com",
                                              nameid_format::email, {"_s1", "_s2"}, clock);
    CHECK(testing::schema_errors(message.xml, kProtocolSchema) == "");
}

TEST_CASE("an SP LogoutRequest names the subject, its format and every session index") {
    util::FixedClock clock(kNow);
    const auto message = build_logout_request(acme(), kIdpSlo, "alice@example.com",
                                              nameid_format::email, {"_s1", "_s2"}, clock);
    auto doc = parse_untrusted_xml(message.xml);
    REQUIRE(doc.ok());
    const xmlNode* root = doc->root();
    CHECK(is_element(root, ns::protocol, "LogoutRequest"));
    CHECK(attribute(root, "ID") == message.id);
    CHECK(attribute(root, "Destination") == kIdpSlo);
    CHECK(attribute(root, "IssueInstant") == "2026-11-23T08:45:00Z");
    CHECK(element_text(first_child_element(root, ns::assertion, "Issuer")) == acme().entity_id);
    const xmlNode* name_id = first_child_element(root, ns::assertion, "NameID");
    CHECK(element_text(name_id) == "alice@example.com");
    CHECK(attribute(name_id, "Format") == std::string(nameid_format::email));
    const auto indexes = child_elements(root, ns::protocol, "SessionIndex");
    REQUIRE(indexes.size() == 2);
    CHECK(element_text(indexes[1]) == "_s2");
}

TEST_CASE("an SP LogoutRequest leaves out the NameID Format when none is known") {
    util::FixedClock clock(kNow);
    const auto message = build_logout_request(acme(), kIdpSlo, "a<b>&c", "", {}, clock);
    auto doc = parse_untrusted_xml(message.xml);
    REQUIRE(doc.ok());
    const xmlNode* name_id = first_child_element(doc->root(), ns::assertion, "NameID");
    CHECK_FALSE(attribute(name_id, "Format").has_value());
    CHECK(element_text(name_id) == "a<b>&c");
}

TEST_CASE("an SP LogoutResponse conforms to the schema and answers the IdP's request") {
    util::FixedClock clock(kNow);
    const auto message = build_logout_response(acme(), kIdpSlo, "_idp-logout-1", clock);
    CHECK(testing::schema_errors(message.xml, kProtocolSchema) == "");
    auto doc = parse_untrusted_xml(message.xml);
    REQUIRE(doc.ok());
    CHECK(is_element(doc->root(), ns::protocol, "LogoutResponse"));
    CHECK(attribute(doc->root(), "InResponseTo") == "_idp-logout-1");
    CHECK(attribute(doc->root(), "Destination") == kIdpSlo);
    const xmlNode* code = first_child_element(
        first_child_element(doc->root(), ns::protocol, "Status"), ns::protocol, "StatusCode");
    CHECK(attribute(code, "Value") == std::string(status_code::success));
}

TEST_CASE("an SP LogoutResponse can report that the SP could not log out") {
    util::FixedClock clock(kNow);
    const auto message =
        build_logout_response(acme(), kIdpSlo, "_r", clock, status_code::responder);
    CHECK(message.xml.find(std::string(status_code::responder)) != std::string::npos);
}

TEST_CASE("an IdP LogoutRequest over Redirect yields its ID, subject, sessions and RelayState") {
    util::FixedClock clock(kNow);
    auto request = parse_logout_request_redirect(
        idp_query("SAMLRequest", request_xml({}), shared_test_idp(), "rs-9"), expectations(),
        clock);
    REQUIRE(request.ok());
    CHECK(request->id == "_idp-logout-1");
    CHECK(request->issuer == shared_test_idp().entity_id());
    CHECK(request->name_id == "alice@example.com");
    CHECK(request->session_indexes == std::vector<std::string>{"_session-1"});
    CHECK(request->relay_state == "rs-9");
}

TEST_CASE("an IdP LogoutRequest without session indexes ends every session of the subject") {
    LogoutRequestSpec spec;
    spec.session_indexes.clear();
    auto request = parse_redirect(spec);
    REQUIRE(request.ok());
    CHECK(request->session_indexes.empty());
}

TEST_CASE("an unsigned IdP LogoutRequest over Redirect is refused") {
    const std::string query = idp_query("SAMLRequest", request_xml({}));
    util::FixedClock clock(kNow);
    auto request = parse_logout_request_redirect(query.substr(0, query.find("&SigAlg=")),
                                                 expectations(), clock);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.redirect.signature_missing");
}

TEST_CASE("an IdP LogoutRequest signed by another IdP is refused") {
    util::FixedClock clock(kNow);
    auto request = parse_logout_request_redirect(
        idp_query("SAMLRequest", request_xml({}), testing::other_test_idp()), expectations(),
        clock);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.signature.invalid");
}

TEST_CASE("an IdP LogoutRequest from another issuer, or none, is refused") {
    LogoutRequestSpec other;
    other.issuer = "https://evil.example.com/";
    CHECK(request_error(other) == "saml.logout.issuer_mismatch");
    LogoutRequestSpec none;
    none.issuer.reset();
    CHECK(request_error(none) == "saml.logout.issuer_missing");
}

TEST_CASE("an IdP LogoutRequest for another Destination is refused") {
    LogoutRequestSpec elsewhere;
    elsewhere.destination = "https://gh.example.com/saml/sls/other-org/";
    CHECK(request_error(elsewhere) == "saml.logout.destination_mismatch");
}

TEST_CASE("LogoutRequest: require Destination over the Redirect binding") {
    LogoutRequestSpec none;
    none.destination.reset();
    CHECK(request_error(none) == "saml.logout.destination_missing");
}

TEST_CASE("LogoutRequest: require Destination over the POST binding") {
    LogoutRequestSpec none;
    none.destination.reset();
    util::FixedClock clock(kNow);
    auto request = parse_logout_request_post(
        idp_form("SAMLRequest", request_xml(none), "_idp-logout-1"), expectations(), clock);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.logout.destination_missing");
}

TEST_CASE("a LogoutResponse without a Destination is still accepted: it answers the SP's request") {
    auto response =
        parse_logout_response_redirect(idp_query("SAMLResponse", response_xml({})), expectations());
    CHECK(response.ok());
}

TEST_CASE("an IdP LogoutRequest issued in the future beyond the skew is refused") {
    LogoutRequestSpec later;
    later.issue_instant = util::format_iso8601(kNow + 181);
    CHECK(request_error(later) == "saml.logout.issue_instant");
    LogoutRequestSpec within;
    within.issue_instant = util::format_iso8601(kNow + 180);
    CHECK(parse_redirect(within).ok());
}

TEST_CASE("an IdP LogoutRequest issued longer ago than the maximum age plus skew is refused") {
    LogoutRequestSpec stale;
    stale.issue_instant = util::format_iso8601(kNow - 300 - 180 - 1);
    CHECK(request_error(stale) == "saml.logout.issue_instant");
    LogoutRequestSpec within;
    within.issue_instant = util::format_iso8601(kNow - 300 - 180);
    CHECK(parse_redirect(within).ok());
}

TEST_CASE("an IdP LogoutRequest without a readable IssueInstant is refused") {
    LogoutRequestSpec none;
    none.issue_instant.reset();
    CHECK(request_error(none) == "saml.logout.issue_instant");
    LogoutRequestSpec garbled;
    garbled.issue_instant = "soon";
    CHECK(request_error(garbled) == "saml.logout.issue_instant");
}

TEST_CASE("a validated LogoutRequest says until when its ID must be remembered") {
    // Without NotOnOrAfter, the request stays acceptable until IssueInstant + max age + skew.
    auto open = parse_redirect({});
    REQUIRE(open.ok());
    CHECK(open->id == "_idp-logout-1");
    CHECK(open->issue_instant == kNow - 60);
    CHECK_FALSE(open->not_on_or_after.has_value());
    CHECK(open->replay_expires_at == kNow - 60 + 300 + 180);
    // An earlier NotOnOrAfter ends it sooner.
    LogoutRequestSpec bounded;
    bounded.not_on_or_after = util::format_iso8601(kNow + 30);
    auto closing = parse_redirect(bounded);
    REQUIRE(closing.ok());
    CHECK(closing->not_on_or_after == kNow + 30);
    CHECK(closing->replay_expires_at == kNow + 30 + 180);
}

TEST_CASE("a LogoutRequest is refused one second after its replay_expires_at, never before") {
    for (const auto& not_on_or_after :
         {std::optional<std::string>{}, std::optional<std::string>(util::format_iso8601(kNow))}) {
        LogoutRequestSpec spec;
        spec.not_on_or_after = not_on_or_after;
        auto request = parse_redirect(spec);
        REQUIRE(request.ok());
        CHECK(parse_redirect(spec, request->replay_expires_at - 1).ok());
        CHECK_FALSE(parse_redirect(spec, request->replay_expires_at + 1).ok());
    }
}

TEST_CASE("an IdP LogoutRequest past NotOnOrAfter plus the skew is refused, within it accepted") {
    LogoutRequestSpec spec;
    spec.not_on_or_after = "2026-11-23T08:45:00Z";
    CHECK(parse_redirect(spec, kNow + 179).ok());
    CHECK(request_error(spec, kNow + 180) == "saml.logout.expired");
}

TEST_CASE("an IdP LogoutRequest with an unreadable NotOnOrAfter is refused") {
    LogoutRequestSpec spec;
    spec.not_on_or_after = "tomorrow";
    CHECK(request_error(spec) == "saml.logout.time_invalid");
}

TEST_CASE("an IdP LogoutRequest must name exactly one plain NameID") {
    LogoutRequestSpec encrypted;
    encrypted.name_id.reset();
    encrypted.encrypted_id = true;
    CHECK(request_error(encrypted) == "saml.logout.name_id_encrypted");
    LogoutRequestSpec none;
    none.name_id.reset();
    CHECK(request_error(none) == "saml.logout.name_id_missing");
    LogoutRequestSpec blank;
    blank.name_id = " ";
    CHECK(request_error(blank) == "saml.logout.name_id_missing");
}

TEST_CASE("an IdP LogoutRequest without an ID or of another SAML version is refused") {
    LogoutRequestSpec no_id;
    no_id.id.reset();
    CHECK(request_error(no_id) == "saml.logout.id_missing");
    LogoutRequestSpec old;
    old.version = "1.1";
    CHECK(request_error(old) == "saml.logout.version");
}

TEST_CASE("the logout request parser refuses a SAMLResponse and other request types") {
    util::FixedClock clock(kNow);
    auto response = parse_logout_request_redirect(idp_query("SAMLResponse", response_xml({})),
                                                  expectations(), clock);
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == "saml.logout.unexpected_message");
    auto authn = parse_logout_request_redirect(
        idp_query("SAMLRequest",
                  "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                  "ID=\"_a\" Version=\"2.0\"/>"),
        expectations(), clock);
    REQUIRE_FALSE(authn.ok());
    CHECK(authn.error().code == "saml.logout.unexpected_message");
}

TEST_CASE("an IdP LogoutRequest over POST with an enveloped signature is accepted") {
    util::FixedClock clock(kNow);
    auto request = parse_logout_request_post(
        idp_form("SAMLRequest", request_xml({}), "_idp-logout-1"), expectations(), clock);
    REQUIRE(request.ok());
    CHECK(request->name_id == "alice@example.com");
    CHECK(request->relay_state == "rs-1");
}

TEST_CASE("an unsigned IdP LogoutRequest over POST is refused") {
    util::FixedClock clock(kNow);
    auto request = parse_logout_request_post(
        {{"SAMLRequest", util::base64_encode(request_xml({}))}}, expectations(), clock);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.signature.missing");
}

TEST_CASE("an IdP LogoutRequest over POST changed after signing is refused") {
    util::FixedClock clock(kNow);
    std::string signed_xml = shared_test_idp().sign(request_xml({}), "_idp-logout-1");
    const auto at = signed_xml.find("alice@example.com");
    REQUIRE(at != std::string::npos);
    signed_xml.replace(at, 5, "mallo");
    auto request = parse_logout_request_post({{"SAMLRequest", util::base64_encode(signed_xml)}},
                                             expectations(), clock);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.signature.invalid");
}

TEST_CASE("an IdP LogoutRequest over POST signed by another IdP is refused") {
    util::FixedClock clock(kNow);
    auto request = parse_logout_request_post(
        idp_form("SAMLRequest", request_xml({}), "_idp-logout-1", testing::other_test_idp()),
        expectations(), clock);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == "saml.signature.invalid");
}

TEST_CASE("a POST to the SLS without a readable SAMLRequest is refused") {
    util::FixedClock clock(kNow);
    auto missing = parse_logout_request_post({{"RelayState", "x"}}, expectations(), clock);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "saml.logout.message_missing");
    auto garbage = parse_logout_request_post({{"SAMLRequest", "***"}}, expectations(), clock);
    REQUIRE_FALSE(garbage.ok());
    CHECK(garbage.error().code == "saml.logout.malformed");
}

TEST_CASE("an IdP LogoutResponse over Redirect reports its status and the request it answers") {
    auto response = parse_logout_response_redirect(
        idp_query("SAMLResponse", response_xml({}), shared_test_idp(), "rs-2"), expectations());
    REQUIRE(response.ok());
    CHECK(response->id == "_idp-response-1");
    CHECK(response->in_response_to == "_sp-logout-1");
    CHECK(response->success);
    CHECK(response->status == std::string(status_code::success));
    CHECK(response->relay_state == "rs-2");
}

TEST_CASE("an IdP LogoutResponse with a failure status parses as unsuccessful") {
    LogoutResponseSpec spec;
    spec.status = std::string(status_code::responder);
    auto response = parse_logout_response_redirect(idp_query("SAMLResponse", response_xml(spec)),
                                                   expectations());
    REQUIRE(response.ok());
    CHECK_FALSE(response->success);
    CHECK(response->status == std::string(status_code::responder));
}

TEST_CASE("an IdP LogoutResponse without InResponseTo, status or the right issuer is refused") {
    LogoutResponseSpec unanchored;
    unanchored.in_response_to.reset();
    CHECK(response_error(unanchored) == "saml.logout.in_response_to_missing");
    LogoutResponseSpec no_status;
    no_status.status.reset();
    CHECK(response_error(no_status) == "saml.logout.status_missing");
    LogoutResponseSpec other;
    other.issuer = "https://evil.example.com/";
    CHECK(response_error(other) == "saml.logout.issuer_mismatch");
}

TEST_CASE("the logout response parser refuses a SAMLRequest") {
    auto response =
        parse_logout_response_redirect(idp_query("SAMLRequest", request_xml({})), expectations());
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == "saml.logout.unexpected_message");
}

TEST_CASE("an IdP LogoutResponse over POST needs its enveloped signature") {
    auto signed_response = parse_logout_response_post(
        idp_form("SAMLResponse", response_xml({}), "_idp-response-1"), expectations());
    CHECK(signed_response.ok());
    auto unsigned_response = parse_logout_response_post(
        {{"SAMLResponse", util::base64_encode(response_xml({}))}}, expectations());
    REQUIRE_FALSE(unsigned_response.ok());
    CHECK(unsigned_response.error().code == "saml.signature.missing");
}
