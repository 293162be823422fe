// `gatehouse saml configure` and `gatehouse saml check`, run as an admin would.
#include "gatehouse/util/crypto.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

std::string write_response(SamlGateway& gw, const std::string& name, const std::string& base64) {
    const std::string path = gw.dir.file(name);
    write_text(path, base64);
    return path;
}

}  // namespace

TEST_CASE("saml check accepts a valid response for the org and prints the mapped attributes") {
    SamlGateway gw;
    const std::string request_id = "_check-request";
    const auto file = write_response(gw, "ok.b64", gw.response_for(request_id, "ada@example.com"));
    auto result = run_gatehouse({"--db", gw.db, "saml", "check", file, "--org", "acme",
                                 "--base-url", kBaseUrl, "--request-id", request_id});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("ACCEPTED") != std::string::npos);
    CHECK(result.out.find("email:       ada@example.com  (from email)") != std::string::npos);
}

TEST_CASE("saml check prints a response without email as accepted, with a warning, exiting 0") {
    SamlGateway gw;
    const std::string request_id = "_check-no-email";
    const auto file =
        write_response(gw, "no-email.b64",
                       gw.response_with(request_id, "AAdzZWNyZXQx-opaque",
                                        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                                        {{"uid", {"ada"}}, {"displayName", {"Ada Lovelace"}}}));
    auto result = run_gatehouse({"--db", gw.db, "saml", "check", file, "--org", "acme",
                                 "--base-url", kBaseUrl, "--request-id", request_id});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("ACCEPTED") != std::string::npos);
    CHECK(result.out.find("user ID:     AAdzZWNyZXQx-opaque  (from NameID)") != std::string::npos);
    CHECK(result.out.find("first name:  Ada  (from displayName)") != std::string::npos);
    CHECK(result.out.find("Warning: no email address (attributes present: displayName, uid)") !=
          std::string::npos);
}

TEST_CASE("saml check names the failed rule and its reason code, exiting 1") {
    SamlGateway gw;
    const auto file =
        write_response(gw, "unknown.b64", gw.response_for("_never-sent", "ada@example.com"));
    auto result = run_gatehouse(
        {"--db", gw.db, "saml", "check", file, "--org", "acme", "--base-url", kBaseUrl});
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("REJECTED") != std::string::npos);
    CHECK(result.out.find("FAILED  10. InResponseTo") != std::string::npos);
    CHECK(result.out.find("saml.response.unknown_request") != std::string::npos);
}

TEST_CASE("saml check reports a replay without recording the assertion") {
    SamlGateway gw;
    const std::string request_id = gw.start_login();
    const std::string response = gw.response_for(request_id, "ada@example.com");
    const auto file = write_response(gw, "replay.b64", response);
    const std::vector<std::string> check = {"--db",   gw.db,          "saml",    "check",
                                            file,     "--org",        "acme",    "--base-url",
                                            kBaseUrl, "--request-id", request_id};
    CHECK(run_gatehouse(check).exit_code == 0);
    CHECK(run_gatehouse(check).exit_code == 0);  // checking twice is not a replay
    REQUIRE(gw.post_acs(response)->status == 303);
    auto after = run_gatehouse(check);
    CHECK(after.exit_code == 1);
    CHECK(after.out.find("saml.replay") != std::string::npos);
}

TEST_CASE("saml check works from explicit IdP values and --at explains an old response") {
    SamlGateway gw;
    const auto file = write_response(gw, "explicit.b64", gw.response_for("", "ada@example.com"));
    const std::vector<std::string> base = {"saml",
                                           "check",
                                           file,
                                           "--idp-cert",
                                           gw.dir.file("idp.crt"),
                                           "--idp-entity-id",
                                           gw.idp.entity_id(),
                                           "--sp-entity-id",
                                           std::string(kBaseUrl) + "/saml/metadata/acme/",
                                           "--acs-url",
                                           std::string(kBaseUrl) + "/saml/acs/acme/",
                                           "--allow-unsolicited"};
    CHECK(run_gatehouse(base).exit_code == 0);
    auto later = base;
    later.insert(later.end(), {"--at", util::format_iso8601(util::SystemClock{}.now() + 3600)});
    auto expired = run_gatehouse(later);
    CHECK(expired.exit_code == 1);
    CHECK(expired.out.find("expired") != std::string::npos);
    CHECK(run_gatehouse({"saml", "check", file}).exit_code == 2);
}

TEST_CASE("saml configure refuses incomplete or conflicting input with exit code 2") {
    SamlGateway gw;
    auto missing_cert = run_gatehouse({"--db", gw.db, "saml", "configure", "acme", "--entity-id",
                                       "x", "--sso-url", "https://idp.test/sso"});
    CHECK(missing_cert.exit_code == 2);
    CHECK(missing_cert.err.find("certificate") != std::string::npos);
    write_text(gw.dir.file("not-a-cert.pem"), "hello");
    auto bad_cert =
        run_gatehouse({"--db", gw.db, "saml", "configure", "acme", "--entity-id", "x", "--sso-url",
                       "https://idp.test/sso", "--cert", gw.dir.file("not-a-cert.pem")});
    CHECK(bad_cert.exit_code == 2);
    auto bad_preset = run_gatehouse({"--db", gw.db, "saml", "configure", "acme", "--entity-id", "x",
                                     "--sso-url", "https://idp.test/sso", "--cert",
                                     gw.dir.file("idp.crt"), "--preset", "nope"});
    CHECK(bad_preset.exit_code == 2);
    CHECK(run_gatehouse({"--db", gw.db, "saml", "configure", "nope", "--entity-id", "x",
                         "--sso-url", "https://idp.test/sso", "--cert", gw.dir.file("idp.crt")})
              .exit_code == 1);
}

TEST_CASE("saml configure reads IdP metadata and shows the certificate fingerprint") {
    SamlGateway gw;
    const std::string der = [&] {
        std::string pem = gw.idp.identity().certificate_pem;
        std::string body;
        std::istringstream lines(pem);
        for (std::string line; std::getline(lines, line);) {
            if (line.find("-----") == std::string::npos) body += line;
        }
        return body;
    }();
    const std::string metadata =
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
        "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.meta.test\">"
        "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
        "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
        der +
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
        "Location=\"https://idp.meta.test/sso\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
    write_text(gw.dir.file("metadata.xml"), metadata);
    auto result = run_gatehouse({"--db", gw.db, "saml", "configure", "acme", "--metadata-file",
                                 gw.dir.file("metadata.xml"), "--preset", "okta"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("https://idp.meta.test/sso") != std::string::npos);
    CHECK(result.out.find("SHA-256:") != std::string::npos);
}
