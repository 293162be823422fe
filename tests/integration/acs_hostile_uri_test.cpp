// The SSRF of issue 12 against the real gateway: an anonymous, unsigned Response whose
// encrypted assertion points xmlsec at a URL is posted to the ACS. Nothing may reach the
// loopback listener the URL names, and the browser gets the plain error page.
#include <signal.h>

#include "gatehouse/util/crypto.hpp"
#include "saml/uri_listener.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

// What an attacker can write without any key: a Response for acme's ACS, unsigned, its
// assertion encrypted to the SP certificate the gateway publishes in its metadata.
std::string anonymous_response(const SamlGateway& gw, const EncryptionOptions& options) {
    const util::UnixTime now = util::SystemClock{}.now();
    ResponseSpec spec;
    spec.response_id = "_r-" + util::random_token(8);
    spec.assertion_id = "_a-" + util::random_token(8);
    spec.response_issuer = gw.idp.entity_id();
    spec.assertion_issuer = gw.idp.entity_id();
    spec.destination = std::string(kBaseUrl) + "/saml/acs/acme/";
    spec.recipient = spec.destination;
    spec.audience = std::string(kBaseUrl) + "/saml/metadata/acme/";
    spec.name_id = "ada@example.com";
    spec.issue_instant = now;
    spec.not_before = now - 60;
    spec.not_on_or_after = now + 300;
    spec.subject_not_on_or_after = now + 300;
    return util::base64_encode(
        encrypt_assertion(build_response_xml(spec), gw.sp_certificate_pem, options));
}

// The refusal page the ACS shows for any Response it cannot accept.
void check_plain_error_page(const httplib::Result& res, const ConnectionCounter& listener) {
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(res->body.find("could not be accepted") != std::string::npos);
    CHECK(res->body.find("saml.reference") == std::string::npos);
    CHECK(res->body.find("CipherReference") == std::string::npos);
    CHECK(res->body.find("127.0.0.1:" + std::to_string(listener.port())) == std::string::npos);
}

}  // namespace

TEST_CASE("ACS end to end: an EncryptedKey CipherReference to a loopback URL fetches nothing") {
    SamlGateway gw;
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_cipher_reference = listener.url("/key");
    auto res = gw.post_acs(anonymous_response(gw, options));
    check_plain_error_page(res, listener);
    CHECK(listener.connections() == 0);
    gw.server->stop(SIGTERM);
    CHECK(gw.server->log().find("\"reason\":\"saml.reference.external\"") != std::string::npos);
}

TEST_CASE("ACS end to end: an EncryptedData CipherReference to a loopback URL fetches nothing") {
    SamlGateway gw;
    ConnectionCounter listener;
    EncryptionOptions options;
    options.data_cipher_reference = listener.url("/data");
    auto res = gw.post_acs(anonymous_response(gw, options));
    check_plain_error_page(res, listener);
    CHECK(listener.connections() == 0);
    gw.server->stop(SIGTERM);
    CHECK(gw.server->log().find("\"reason\":\"saml.reference.external\"") != std::string::npos);
}

TEST_CASE("ACS end to end: a RetrievalMethod to a loopback URL in a KeyInfo fetches nothing") {
    SamlGateway gw;
    ConnectionCounter listener;
    EncryptionOptions options;
    options.data_retrieval_method = listener.url("/data-key");
    options.key_retrieval_method = listener.url("/key-key");
    auto res = gw.post_acs(anonymous_response(gw, options));
    check_plain_error_page(res, listener);
    CHECK(listener.connections() == 0);
}

TEST_CASE("ACS end to end: a CipherReference to file:///dev/zero is refused and the server lives") {
    SamlGateway gw;
    ConnectionCounter listener;
    EncryptionOptions options;
    options.key_cipher_reference = "file:///dev/zero";
    auto res = gw.post_acs(anonymous_response(gw, options));
    check_plain_error_page(res, listener);
    auto health = gw.client().Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
}
