// Responses issued by independent SAML IdP implementations (pysaml2 from Debian, Auth0's
// samlp/saml from npm) posted through the real gateway: each signing shape is accepted, a
// tampered copy of each is refused. The IdP programs live in tests/interop/.
#include <signal.h>

// saml_gateway.hpp uses util::random_token without including its header.
#include "gatehouse/util/crypto.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

const std::string kInteropDir = std::string(GATEHOUSE_SOURCE_DIR) + "/tests/interop";
constexpr const char* kEmail = "ada@example.com";
constexpr const char* kForgedEmail = "eve@example.com";

enum class Implementation { pysaml2, node_samlp };

struct Shape {
    bool sign_response = false;
    bool sign_assertion = false;
    bool encrypt = false;
};

// A gateway that trusts the test IdP, plus that IdP's key pair and the SP's metadata on disk
// where the IdP programs read them.
struct InteropGateway {
    SamlGateway gw;
    std::string idp_key = gw.dir.file("idp.key");
    std::string idp_cert = gw.dir.file("idp.crt");  // written by SamlGateway
    std::string sp_cert = gw.dir.file("sp.crt");    // written by SamlGateway
    std::string sp_metadata = gw.dir.file("sp-metadata.xml");

    InteropGateway() {
        // SamlGateway configures the org with the shared test IdP's certificate (a
        // generate_identity key pair), so the IdP programs sign with its private key.
        write_text(idp_key, gw.idp.identity().private_key_pem);
        auto metadata = gw.client().Get("/saml/metadata/acme/");
        REQUIRE(metadata);
        REQUIRE(metadata->status == 200);
        write_text(sp_metadata, metadata->body);
    }

    // The base64 SAMLResponse `implementation` issues for `request_id` in `shape`.
    std::string issue(Implementation implementation, const std::string& request_id,
                      const Shape& shape) const {
        std::vector<std::string> argv;
        if (implementation == Implementation::pysaml2) {
            // Debian's interpreter: python3-pysaml2 is installed for it, not for other Pythons.
            argv = {"/usr/bin/python3", kInteropDir + "/pysaml2_idp.py", "--sp-metadata",
                    sp_metadata};
            if (shape.encrypt) argv.emplace_back("--encrypt");
        } else {
            argv = {"node", kInteropDir + "/node_idp.js"};
            if (shape.encrypt) argv.insert(argv.end(), {"--encrypt-for", sp_cert});
        }
        argv.insert(argv.end(), {"--key", idp_key, "--cert", idp_cert, "--issuer",
                                 gw.idp.entity_id(), "--request-id", request_id, "--audience",
                                 std::string(kBaseUrl) + "/saml/metadata/acme/", "--recipient",
                                 std::string(kBaseUrl) + "/saml/acs/acme/", "--email", kEmail});
        if (shape.sign_response) argv.emplace_back("--sign-response");
        if (shape.sign_assertion) argv.emplace_back("--sign-assertion");
        return run_program(argv);
    }

    std::string reasons_logged() {
        gw.server->stop(SIGTERM);
        return gw.server->log();
    }
};

std::string decode(const std::string& base64) {
    auto xml = util::base64_decode(base64);
    REQUIRE(xml.has_value());
    return *xml;
}

// What an attacker holding a signed response would do: put another user's address in it.
std::string with_forged_email(const std::string& response_base64) {
    std::string xml = decode(response_base64);
    std::size_t replaced = 0;
    for (auto at = xml.find(kEmail); at != std::string::npos; at = xml.find(kEmail, at)) {
        xml.replace(at, std::string_view(kEmail).size(), kForgedEmail);
        ++replaced;
    }
    REQUIRE(replaced > 0);
    return util::base64_encode(xml);
}

// Flips one byte in the middle of the encrypted assertion's ciphertext (the last
// CipherValue; the first carries the wrapped key), as an attacker without the key can.
std::string with_flipped_ciphertext(const std::string& response_base64) {
    std::string xml = decode(response_base64);
    const auto closing = xml.rfind("CipherValue>");
    REQUIRE(closing != std::string::npos);
    const auto text_end = xml.rfind("</", closing);
    const auto text_begin =
        xml.rfind("CipherValue>", text_end) + std::string_view("CipherValue>").size();
    auto cipher = util::base64_decode(xml.substr(text_begin, text_end - text_begin));
    REQUIRE(cipher.has_value());
    REQUIRE(cipher->size() > 32);
    (*cipher)[cipher->size() / 2] = static_cast<char>((*cipher)[cipher->size() / 2] ^ 0x01);
    xml.replace(text_begin, text_end - text_begin, util::base64_encode(*cipher));
    return util::base64_encode(xml);
}

// Posts what `implementation` issues in `shape` and checks the user is signed in.
void check_accepted(Implementation implementation, const Shape& shape) {
    InteropGateway interop;
    const std::string response = interop.issue(implementation, interop.gw.start_login(), shape);
    auto res = interop.gw.post_acs(response);
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 303, decode(response), interop.gw.server->log());
    auto page = interop.gw.landing(SamlGateway::session_cookie(*res));
    REQUIRE(page);
    CHECK(page->body.find(kEmail) != std::string::npos);
}

// Posts a forged copy of what `implementation` issues in `shape`; the gateway must refuse it
// because a signature no longer verifies.
void check_forgery_refused(Implementation implementation, const Shape& shape) {
    InteropGateway interop;
    const std::string response = interop.issue(implementation, interop.gw.start_login(), shape);
    auto res = interop.gw.post_acs(with_forged_email(response));
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(interop.reasons_logged().find("\"reason\":\"saml.signature.") != std::string::npos);
}

constexpr Shape kResponseSigned{.sign_response = true};
constexpr Shape kAssertionSigned{.sign_assertion = true};
constexpr Shape kBothSigned{.sign_response = true, .sign_assertion = true};
constexpr Shape kEncryptedSignedAssertion{.sign_assertion = true, .encrypt = true};

}  // namespace

TEST_CASE("SAML interop: pysaml2 response signed on the Response signs the user in") {
    check_accepted(Implementation::pysaml2, kResponseSigned);
}

TEST_CASE("SAML interop: pysaml2 response signed on the Assertion signs the user in") {
    check_accepted(Implementation::pysaml2, kAssertionSigned);
}

TEST_CASE("SAML interop: pysaml2 response signed on Response and Assertion signs the user in") {
    check_accepted(Implementation::pysaml2, kBothSigned);
}

TEST_CASE("SAML interop: pysaml2 Response-signed response with a forged email is refused") {
    check_forgery_refused(Implementation::pysaml2, kResponseSigned);
}

TEST_CASE("SAML interop: pysaml2 Assertion-signed response with a forged email is refused") {
    check_forgery_refused(Implementation::pysaml2, kAssertionSigned);
}

TEST_CASE("SAML interop: pysaml2 doubly signed response with a forged email is refused") {
    check_forgery_refused(Implementation::pysaml2, kBothSigned);
}

TEST_CASE("SAML interop: node samlp response signed on the Response signs the user in") {
    check_accepted(Implementation::node_samlp, kResponseSigned);
}

TEST_CASE("SAML interop: node samlp response signed on the Assertion signs the user in") {
    check_accepted(Implementation::node_samlp, kAssertionSigned);
}

TEST_CASE("SAML interop: node samlp response signed on Response and Assertion signs the user in") {
    check_accepted(Implementation::node_samlp, kBothSigned);
}

TEST_CASE("SAML interop: node samlp AES-GCM encrypted signed assertion signs the user in") {
    check_accepted(Implementation::node_samlp, kEncryptedSignedAssertion);
}

TEST_CASE("SAML interop: node samlp Response-signed response with a forged email is refused") {
    check_forgery_refused(Implementation::node_samlp, kResponseSigned);
}

TEST_CASE("SAML interop: node samlp Assertion-signed response with a forged email is refused") {
    check_forgery_refused(Implementation::node_samlp, kAssertionSigned);
}

TEST_CASE("SAML interop: node samlp doubly signed response with a forged email is refused") {
    check_forgery_refused(Implementation::node_samlp, kBothSigned);
}

TEST_CASE(
    "SAML interop: node samlp encrypted assertion with a flipped ciphertext byte is refused") {
    InteropGateway interop;
    const std::string response = interop.issue(Implementation::node_samlp, interop.gw.start_login(),
                                               kEncryptedSignedAssertion);
    auto res = interop.gw.post_acs(with_flipped_ciphertext(response));
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(interop.reasons_logged().find("\"reason\":\"saml.assertion.encrypted\"") !=
          std::string::npos);
}

TEST_CASE(
    "SAML interop: pysaml2's encrypted assertion is refused because it only encrypts with 3DES") {
    // pysaml2 7.0.1 hard-codes tripledes-cbc for EncryptedAssertion; Gatehouse accepts AES only.
    InteropGateway interop;
    const std::string response =
        interop.issue(Implementation::pysaml2, interop.gw.start_login(), kEncryptedSignedAssertion);
    REQUIRE(decode(response).find("xmlenc#tripledes-cbc") != std::string::npos);
    auto res = interop.gw.post_acs(response);
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(interop.reasons_logged().find("\"reason\":\"saml.assertion.encrypted\"") !=
          std::string::npos);
}
