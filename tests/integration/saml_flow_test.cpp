// SP-initiated login → IdP → ACS → session, and both logout directions, through the real
// gateway binary. The IdP is the test IdP of tests/support/saml_idp.hpp.
#include <signal.h>

#include "gatehouse/util/crypto.hpp"
#include "saml_gateway.hpp"
#include "sign_out.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

TEST_CASE("SAML metadata is served per org as SAML metadata XML") {
    SamlGateway gw;
    auto res = gw.client().Get("/saml/metadata/acme/");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "application/samlmetadata+xml");
    CHECK(res->body.find("entityID=\"http://gatehouse.test/saml/metadata/acme/\"") !=
          std::string::npos);
    CHECK(res->body.find("http://gatehouse.test/saml/acs/acme/") != std::string::npos);
}

TEST_CASE("SAML login redirects to the IdP with a signed AuthnRequest for the org's ACS") {
    SamlGateway gw;
    const std::string location = gw.location_of("/auth/login/acme/?next=%2Fapp%2Fhome");
    CHECK(location.rfind(std::string(kIdpSso) + "?SAMLRequest=", 0) == 0);
    CHECK(query_param(location, "RelayState") == "/app/home");
    const std::string xml = redirect_message_xml(location, "SAMLRequest");
    CHECK(xml.find("AssertionConsumerServiceURL=\"http://gatehouse.test/saml/acs/acme/\"") !=
          std::string::npos);
    // The signature covers the query exactly as sent, with the SP key of the metadata.
    const auto signature_at = location.find("&Signature=");
    const std::string octets =
        location.substr(location.find('?') + 1, signature_at - location.find('?') - 1);
    auto keys = saml::TrustedKeys::from_certificates({gw.sp_certificate_pem});
    REQUIRE(keys.ok());
    CHECK(keys->verify_detached(octets, *util::base64_decode(query_param(location, "Signature")),
                                query_param(location, "SigAlg"), {})
              .ok());
}

TEST_CASE("SAML login ignores a next parameter that leaves the site") {
    SamlGateway gw;
    const std::string location =
        gw.location_of("/auth/login/acme/?next=https%3A%2F%2Fevil.example%2F");
    CHECK(query_param(location, "RelayState") == "/organizations/acme/");
}

TEST_CASE("SAML SP-initiated sign-in creates a session and lands on the requested page") {
    SamlGateway gw;
    const std::string request_id = gw.start_login("/organizations/acme/?tab=1");
    auto res = gw.post_acs(gw.response_for(request_id, "ada@example.com"));
    REQUIRE(res);
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == "/organizations/acme/?tab=1");
    const std::string cookie_header = res->get_header_value("Set-Cookie");
    CHECK(cookie_header.find("HttpOnly") != std::string::npos);
    CHECK(cookie_header.find("SameSite=Lax") != std::string::npos);
    auto page = gw.landing(SamlGateway::session_cookie(*res));
    REQUIRE(page);
    CHECK_MESSAGE(page->body.find("ada@example.com") != std::string::npos, page->body,
                  gw.server->log());
}

TEST_CASE("SAML ACS refuses a replayed response with a reference and logs the reason") {
    SamlGateway gw;
    const std::string response = gw.response_for(gw.start_login(), "ada@example.com");
    REQUIRE(gw.post_acs(response)->status == 303);
    auto replay = gw.post_acs(response);
    REQUIRE(replay);
    CHECK(replay->status == 403);
    CHECK(replay->body.find("Reference") != std::string::npos);
    CHECK(replay->body.find("saml.") == std::string::npos);  // no reason code on the page
    gw.server->stop(SIGTERM);
    CHECK(gw.server->log().find("\"reason\":\"saml.response.unknown_request\"") !=
          std::string::npos);
}

TEST_CASE("SAML ACS refuses the same assertion ID even under a new request") {
    SamlGateway gw;
    REQUIRE(gw.post_acs(gw.response_for(gw.start_login(), "ada@example.com", "_fixed-assertion"))
                ->status == 303);
    auto again =
        gw.post_acs(gw.response_for(gw.start_login(), "ada@example.com", "_fixed-assertion"));
    REQUIRE(again);
    CHECK(again->status == 403);
    gw.server->stop(SIGTERM);
    CHECK(gw.server->log().find("\"reason\":\"saml.replay\"") != std::string::npos);
}

TEST_CASE("SAML ACS refuses an IdP-initiated response unless the org allows it") {
    SamlGateway gw;
    auto res = gw.post_acs(gw.response_for("", "ada@example.com"));
    REQUIRE(res);
    CHECK(res->status == 403);
    gw.server->stop(SIGTERM);
    CHECK(gw.server->log().find("\"reason\":\"saml.response.unsolicited\"") != std::string::npos);
}

TEST_CASE("SAML ACS accepts an IdP-initiated response when allowed, with a local RelayState") {
    SamlGateway gw({"--allow-idp-initiated", "true"});
    auto res = gw.post_acs(gw.response_for("", "ada@example.com"), "/organizations/acme/?from=idp");
    REQUIRE(res);
    CHECK(res->status == 303);
    CHECK(res->get_header_value("Location") == "/organizations/acme/?from=idp");
    auto evil = gw.post_acs(gw.response_for("", "bob@example.com"), "https://evil.example/");
    REQUIRE(evil);
    CHECK(evil->get_header_value("Location") == "/organizations/acme/");
}

TEST_CASE("SAML ACS refuses a tampered response and a response for another org") {
    SamlGateway gw;
    std::string xml = *util::base64_decode(gw.response_for(gw.start_login(), "ada@example.com"));
    const auto at = xml.find("ada@example.com");
    xml.replace(at, 3, "eve");
    auto res = gw.post_acs(util::base64_encode(xml));
    REQUIRE(res);
    CHECK(res->status == 403);
    REQUIRE(run_gatehouse({"--db", gw.db, "org", "create", "globex"}).exit_code == 0);
    auto other = gw.client().Post(
        "/saml/acs/globex/",
        "SAMLResponse=" + util::url_encode(gw.response_for(gw.start_login(), "ada@example.com")),
        "application/x-www-form-urlencoded");
    REQUIRE(other);
    CHECK(other->status == 404);  // globex has no IdP configured
}

TEST_CASE("SAML IdP-initiated logout ends the session and answers with a signed LogoutResponse") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    const std::string logout_xml =
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_idp-logout-1\" Version=\"2.0\" "
        "IssueInstant=\"" +
        util::format_iso8601(util::SystemClock{}.now()) +
        "\" Destination=\"http://gatehouse.test/saml/sls/acme/\"><saml:Issuer>" +
        gw.idp.entity_id() +
        "</saml:Issuer><saml:NameID>ada@example.com</saml:NameID>"
        "<samlp:SessionIndex>_session-1</samlp:SessionIndex></samlp:LogoutRequest>";
    const std::string location = gw.location_of(
        "/saml/sls/acme/?" + signed_redirect_query(gw.idp, "SAMLRequest", logout_xml));
    CHECK(location.rfind(std::string(kIdpSlo) + "?SAMLResponse=", 0) == 0);
    CHECK(redirect_message_xml(location, "SAMLResponse").find("InResponseTo=\"_idp-logout-1\"") !=
          std::string::npos);
    auto page = gw.landing(cookie);
    REQUIRE(page);
    CHECK(page->body.find("ada@example.com") == std::string::npos);
}

TEST_CASE("SAML SLS refuses an unsigned LogoutRequest and keeps the session") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    const std::string xml =
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_x\" Version=\"2.0\" "
        "IssueInstant=\"2026-01-01T00:00:00Z\"><saml:Issuer>" +
        gw.idp.entity_id() +
        "</saml:Issuer><saml:NameID>ada@example.com</saml:NameID></samlp:LogoutRequest>";
    auto res = gw.client().Get(("/saml/sls/acme/?SAMLRequest=" +
                                util::url_encode(util::base64_encode(util::deflate_raw(xml))))
                                   .c_str());
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(gw.landing(cookie)->body.find("ada@example.com") != std::string::npos);
}

TEST_CASE("SAML SP-initiated logout ends the local session first, then sends a LogoutRequest") {
    SamlGateway gw;
    const std::string cookie = gw.sign_in("ada@example.com");
    const std::string token = sign_out_token(gw, cookie);
    const std::string location = sign_out_next(post_sign_out(gw, cookie, token));
    CHECK(location.rfind(std::string(kIdpSlo) + "?SAMLRequest=", 0) == 0);
    // Signing out again finds no session: the cookie is cleared and nothing goes to the IdP.
    const RawAnswer repeated = post_sign_out(gw, cookie, token);
    CHECK(repeated.status() == 303);
    CHECK(repeated.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
    CHECK(repeated.header("Location") == "/organizations/acme/");
    CHECK(gw.landing(cookie)->body.find("ada@example.com") == std::string::npos);

    // The IdP answers; the gateway matches the answer to its request.
    const std::string request_id = root_id(redirect_message_xml(location, "SAMLRequest"));
    const std::string answer =
        "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_idp-answer\" Version=\"2.0\" "
        "IssueInstant=\"" +
        util::format_iso8601(util::SystemClock{}.now()) + "\" InResponseTo=\"" + request_id +
        "\" Destination=\"http://gatehouse.test/saml/sls/acme/\"><saml:Issuer>" +
        gw.idp.entity_id() +
        "</saml:Issuer><samlp:Status><samlp:StatusCode "
        "Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>"
        "</samlp:Status></samlp:LogoutResponse>";
    auto done = gw.client().Get(
        ("/saml/sls/acme/?" + signed_redirect_query(gw.idp, "SAMLResponse", answer)).c_str());
    REQUIRE(done);
    CHECK(done->status == 302);
    CHECK(done->get_header_value("Location") == "/organizations/acme/");
    // The same answer again matches no pending request.
    auto again = gw.client().Get(
        ("/saml/sls/acme/?" + signed_redirect_query(gw.idp, "SAMLResponse", answer)).c_str());
    REQUIRE(again);
    CHECK(again->status == 403);
}

TEST_CASE("SAML ACS accepts a form body larger than 8 KiB (responses signed twice are)") {
    SamlGateway gw;
    const std::string response = gw.response_for(gw.start_login(), "ada@example.com");
    // Padding in an extra form field pushes the body past httplib's url-encoded form cap.
    auto res = gw.client().Post(
        "/saml/acs/acme/", {{"Cookie", gw.login_cookie}},
        "SAMLResponse=" + util::url_encode(response) + "&Padding=" + std::string(12000, 'x'),
        "application/x-www-form-urlencoded");
    REQUIRE(res);
    CHECK(res->status == 303);
}

TEST_CASE("SAML ACS refuses a body over the configured limit with 413") {
    SamlGateway gw;
    gw.server->stop(SIGTERM);
    gw.server = std::make_unique<ServerProcess>(
        gw.db,
        std::vector<std::string>{"--base-url", kBaseUrl, "--sp-key", gw.dir.file("sp.key"),
                                 "--sp-cert", gw.dir.file("sp.crt"), "--max-body-bytes", "4096"});
    auto res = gw.client().Post("/saml/acs/acme/", "SAMLResponse=" + std::string(8000, 'A'),
                                "application/x-www-form-urlencoded");
    REQUIRE(res);
    CHECK(res->status == 413);
}
