// `gatehouse saml check` against Responses published by other SAML libraries' test suites
// (tests/fixtures/saml/, sources and licences in its README.md): each is accepted at its own
// time with its own certificate, audience and recipient, and refused once one byte of its
// signed content changes.
#include <fstream>
#include <sstream>

#include "gatehouse/util/encoding.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

const std::string kFixtures = std::string(GATEHOUSE_SOURCE_DIR) + "/tests/fixtures/saml/";

struct GenuineResponse {
    std::string file;  // under tests/fixtures/saml/
    std::string idp_cert;
    std::string sp_key;  // empty unless the assertion is encrypted
    std::string idp_entity_id;
    std::string sp_entity_id;
    std::string acs_url;
    std::string request_id;
    std::string at;
    std::string name_id;
    std::string email_line;  // the "email:" line saml check prints
    // One byte of the signed content, before and after the tamper.
    std::string tamper_from;
    std::string tamper_to;
};

const std::vector<GenuineResponse>& genuine_responses() {
    static const std::vector<GenuineResponse> all = {
        {"python3-saml/signed_message_response.xml.base64", "python3-saml/feide_erlang_no.crt", "",
         "https://pitbulk.no-ip.org/simplesaml/saml2/idp/metadata.php",
         "https://pitbulk.no-ip.org/newonelogin/demo1/metadata.php",
         "https://pitbulk.no-ip.org/newonelogin/demo1/index.php?acs",
         "ONELOGIN_5d9e319c1b8a67da48227964c28d280e7860f804", "2014-03-21T13:41:30Z",
         "_b98f98bb1ab512ced653b58baaff543448daed535d",
         "email:       test@example.com  (from mail)", "test@example.com", "tesu@example.com"},
        {"python3-saml/signed_message_encrypted_assertion2.xml.base64",
         "python3-saml/idp_example_com.crt", "python3-saml/sp.key",
         "https://idp.example.com/simplesaml/saml2/idp/metadata.php",
         "http://pytoolkit.com:8000/metadata/", "http://pytoolkit.com:8000/?acs",
         "ONELOGIN_81a68cab14e71ac3b771cb07ba125682e8939d80", "2014-09-24T00:40:10Z",
         "25ddd7d34a7d79db69167625cda56a320adf2876", "email:       smartin@yaco.es  (from mail)",
         "rtz1f1/wH13pbyrFaW5LOk", "rtz1f1/wH13pbyrFaW5LOl"},
        {"python3-saml/double_signed_encrypted_assertion2.xml.base64",
         "python3-saml/idp_example_com.crt", "python3-saml/sp.key",
         "https://idp.example.com/simplesaml/saml2/idp/metadata.php",
         "http://pytoolkit.com:8000/metadata/", "http://pytoolkit.com:8000/?acs",
         "ONELOGIN_fd78d8a622d0010771932870724f3843816d398a", "2014-09-24T00:50:00Z",
         "25ddd7d34a7d79db69167625cda56a320adf2876", "(from mail)", "ENtaIl0UVwArjo5z8fo5wWt0Q1",
         "ENtaIl0UVwArjo5z8fo5wWt0Q2"},
        {"java-saml/response_adfs1.xml.base64", "java-saml/idp.crt", "",
         "http://adfs.vc.example.com/adfs/services/trust",
         "http://localhost:8080/java-saml-jspsample/metadata.jsp",
         "http://localhost:8080/java-saml-jspsample/acs.jsp", "_e61c6aa5ec9b5076a46289e354afd9e2",
         "2012-08-19T16:42:30Z", "chrisl@vc.example.com",
         "email:       chrisl@vc.example.com  (from NameID)", "chrisl@vc.example.com",
         "chrisk@vc.example.com"},
        {"java-saml/signed_assertion_response.xml.base64", "java-saml/idp.crt", "",
         "https://pitbulk.no-ip.org/simplesaml/saml2/idp/metadata.php",
         "http://localhost:8080/java-saml-jspsample/metadata.jsp",
         "http://localhost:8080/java-saml-jspsample/acs.jsp",
         "ONELOGIN_5fe9d6e499b2f0913206aab3f7191729049bb807", "2014-02-19T01:37:30Z",
         "492882615acf31c8096b627245d76ae53036c090", "email:       smartin@yaco.es  (from mail)",
         "smartin@yaco.es", "smartin@yaco.et"},
        {"php-saml/valid_response.xml.base64", "php-saml/idp.crt", "",
         "https://pitbulk.no-ip.org/simplesaml/saml2/idp/metadata.php",
         "https://pitbulk.no-ip.org/newonelogin/demo1/metadata.php",
         "https://pitbulk.no-ip.org/newonelogin/demo1/index.php?acs",
         "ONELOGIN_5fe9d6e499b2f0913206aab3f7191729049bb807", "2014-02-19T01:37:30Z",
         "492882615acf31c8096b627245d76ae53036c090", "email:       smartin@yaco.es  (from mail)",
         "smartin@yaco.es", "smartin@yaco.et"},
    };
    return all;
}

// The `saml check` arguments that validate `fixture` at its own time with its own values.
// Every fixture is signed with RSA-SHA1, which Gatehouse accepts only when asked.
std::vector<std::string> check_args(const GenuineResponse& fixture, const std::string& file) {
    std::vector<std::string> args = {"saml",
                                     "check",
                                     file,
                                     "--idp-cert",
                                     kFixtures + fixture.idp_cert,
                                     "--idp-entity-id",
                                     fixture.idp_entity_id,
                                     "--sp-entity-id",
                                     fixture.sp_entity_id,
                                     "--acs-url",
                                     fixture.acs_url,
                                     "--request-id",
                                     fixture.request_id,
                                     "--at",
                                     fixture.at,
                                     "--allow-sha1"};
    if (!fixture.sp_key.empty()) args.insert(args.end(), {"--sp-key", kFixtures + fixture.sp_key});
    return args;
}

std::string read_fixture(const std::string& name) {
    std::ifstream in(kFixtures + name, std::ios::binary);
    REQUIRE_MESSAGE(in, "missing fixture " << name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string decoded_fixture(const std::string& name) {
    std::string text = read_fixture(name);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto xml = util::base64_decode(text);
    REQUIRE(xml);
    return *xml;
}

}  // namespace

TEST_CASE("saml check accepts every genuine fixture at its own time with its own values") {
    for (const auto& fixture : genuine_responses()) {
        CAPTURE(fixture.file);
        auto result = run_gatehouse(check_args(fixture, kFixtures + fixture.file));
        CHECK(result.exit_code == 0);
        CHECK(result.out.find("ACCEPTED") != std::string::npos);
        CHECK(result.out.find("NameID:        " + fixture.name_id) != std::string::npos);
        CHECK(result.out.find(fixture.email_line) != std::string::npos);
    }
}

TEST_CASE("saml check refuses every genuine fixture with one byte of its signed part changed") {
    TempDir dir;
    for (const auto& fixture : genuine_responses()) {
        CAPTURE(fixture.file);
        std::string xml = decoded_fixture(fixture.file);
        const auto at = xml.find(fixture.tamper_from);
        REQUIRE(at != std::string::npos);
        REQUIRE(fixture.tamper_from.size() == fixture.tamper_to.size());
        xml.replace(at, fixture.tamper_from.size(), fixture.tamper_to);
        const std::string tampered = dir.file("tampered.xml");
        write_text(tampered, xml);
        auto result = run_gatehouse(check_args(fixture, tampered));
        CHECK(result.exit_code == 1);
        CHECK(result.out.find("REJECTED") != std::string::npos);
        CHECK(result.out.find("saml.signature.invalid") != std::string::npos);
    }
}

TEST_CASE("saml check refuses a genuine fixture outside its own time window") {
    GenuineResponse fixture = genuine_responses().front();
    fixture.at = "2014-03-21T13:30:00Z";
    auto early = run_gatehouse(check_args(fixture, kFixtures + fixture.file));
    CHECK(early.exit_code == 1);
    CHECK(early.out.find("REJECTED") != std::string::npos);
    fixture.at = "2030-01-01T00:00:00Z";
    auto later = run_gatehouse(check_args(fixture, kFixtures + fixture.file));
    CHECK(later.exit_code == 1);
    CHECK(later.out.find("REJECTED") != std::string::npos);
}

TEST_CASE("saml check decrypts every encrypted fixture with --sp-key alone") {
    int encrypted = 0;
    for (const auto& fixture : genuine_responses()) {
        if (fixture.sp_key.empty()) continue;
        ++encrypted;
        CAPTURE(fixture.file);
        auto without_key = check_args(fixture, kFixtures + fixture.file);
        without_key.resize(without_key.size() - 2);
        auto refused = run_gatehouse(without_key);
        CHECK(refused.exit_code == 1);
        CHECK(refused.out.find("saml.assertion.encrypted") != std::string::npos);
        auto accepted = run_gatehouse(check_args(fixture, kFixtures + fixture.file));
        CHECK(accepted.exit_code == 0);
        CHECK(accepted.err.find("Could not read") == std::string::npos);
    }
    CHECK(encrypted >= 2);
}

TEST_CASE("saml check takes an --sp-cert that matches --sp-key and refuses one that does not") {
    const auto& fixture = genuine_responses()[1];
    auto matching = check_args(fixture, kFixtures + fixture.file);
    matching.insert(matching.end(), {"--sp-cert", kFixtures + "python3-saml/feide_erlang_no.crt"});
    CHECK(run_gatehouse(matching).exit_code == 0);

    auto mismatched = check_args(fixture, kFixtures + fixture.file);
    mismatched.insert(mismatched.end(),
                      {"--sp-cert", kFixtures + "python3-saml/idp_example_com.crt"});
    auto refused = run_gatehouse(mismatched);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("does not match --sp-key") != std::string::npos);
    CHECK(refused.err.find("saml.key.mismatch") != std::string::npos);
    CHECK(refused.out.find("ACCEPTED") == std::string::npos);

    auto cert_alone = check_args(genuine_responses()[0], kFixtures + genuine_responses()[0].file);
    cert_alone.insert(cert_alone.end(),
                      {"--sp-cert", kFixtures + "python3-saml/feide_erlang_no.crt"});
    auto usage = run_gatehouse(cert_alone);
    CHECK(usage.exit_code == 2);
    CHECK(usage.err.find("--sp-cert") != std::string::npos);
}
