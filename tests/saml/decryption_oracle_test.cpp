// Encrypted assertions without a padding oracle: once the message's shape has been checked,
// every way decryption can fail gives one reason code and one sentence, and an org can
// require AES-GCM so that unauthenticated AES-CBC is never decrypted at all.
#include <string>

#include "hostile_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::hostile;
using gatehouse::testing::EncryptionOptions;

namespace {

const std::string kAes128Cbc = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
const std::string kAes256Cbc = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
const std::string kAes128Gcm = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
const std::string kAes256Gcm = "http://www.w3.org/2009/xmlenc11#aes256-gcm";

// The one answer to every failure that depends on the key or the plaintext.
const std::string kUndecryptable =
    "saml.assertion.encrypted: The encrypted assertion could not be decrypted with this SP's "
    "key.";

EncryptionOptions with_content(const std::string& algorithm) {
    EncryptionOptions options;
    options.content_algorithm = algorithm;
    return options;
}

// `xml` with its Assertion replaced by `plaintext` and then encrypted for the SP: the
// test IdP encrypts the text from the first "<saml:Assertion" to the first
// "</saml:Assertion>", whatever it holds.
std::string encrypted_plaintext(const std::string& plaintext,
                                const EncryptionOptions& options = {}) {
    const auto xml = unsigned_xml();
    return testing::encrypt_assertion(replace_once(xml, assertion_of(xml), plaintext),
                                      sp_identity().certificate_pem, options);
}

// XORs `mask` into the byte `from_end` bytes before the end of the EncryptedData's
// ciphertext (IV first, GCM tag last). The EncryptedData's CipherValue is the last one.
std::string with_ciphertext_byte(const std::string& xml, std::size_t from_end, char mask) {
    const std::string open = "<xenc:CipherValue>";
    const auto begin = xml.rfind(open) + open.size();
    const auto end = xml.find("</xenc:CipherValue>", begin);
    auto bytes = util::base64_decode(xml.substr(begin, end - begin));
    REQUIRE(bytes);
    REQUIRE(bytes->size() > from_end);
    (*bytes)[bytes->size() - from_end] ^= mask;
    auto out = xml;
    return out.replace(begin, end - begin, util::base64_encode(*bytes));
}

// The valid, signed Response with its Assertion encrypted for the SP.
std::string encrypted_signed(const EncryptionOptions& options = {}) {
    return testing::encrypt_assertion(assertion_signed(), sp_identity().certificate_pem, options);
}

std::string outcome(const std::string& xml, const core::SamlProvider& org_idp = provider()) {
    return describe(validate(xml, org_idp, expectations_with_key()));
}

core::SamlProvider requiring_gcm() {
    auto p = provider();
    p.options.require_aes_gcm = true;
    return p;
}

}  // namespace

// ---- every failure after the shape checks looks alike -------------------------------------

TEST_CASE("decryption failure: a key wrapped for another SP gives the uniform error") {
    const auto xml = testing::encrypt_assertion(
        assertion_signed(), testing::other_test_idp().identity().certificate_pem);
    CHECK(outcome(xml) == kUndecryptable);
}

TEST_CASE("decryption failure: a wrapped key of the wrong length gives the uniform error") {
    // A 32-byte key unwraps correctly, but the EncryptedData claims AES-128.
    const auto xml =
        replace_once(encrypted_signed(with_content(kAes256Cbc)), "Algorithm=\"" + kAes256Cbc + "\"",
                     "Algorithm=\"" + kAes128Cbc + "\"");
    CHECK(outcome(xml) == kUndecryptable);
}

TEST_CASE("decryption failure: AES-CBC padding that is wrong gives the uniform error") {
    // The last byte of the next-to-last block is XORed into the padding-length byte; 0x40
    // makes it longer than a block.
    const auto xml = with_ciphertext_byte(encrypted_signed(), 17, 0x40);
    CHECK(outcome(xml) == kUndecryptable);
}

TEST_CASE(
    "decryption failure: AES-CBC plaintext garbled into malformed XML gives the uniform "
    "error") {
    // The flip lands in the next-to-last block, which decrypts to noise in the closing tags.
    const auto xml = with_ciphertext_byte(encrypted_signed(), 20, 0x01);
    CHECK(outcome(xml) == kUndecryptable);
}

TEST_CASE("decryption failure: an AES-GCM tag that does not verify gives the uniform error") {
    const auto xml = with_ciphertext_byte(encrypted_signed(with_content(kAes256Gcm)), 1, 0x01);
    CHECK(outcome(xml) == kUndecryptable);
}

TEST_CASE("decryption failure: a plaintext that is not well-formed XML gives the uniform error") {
    CHECK(outcome(encrypted_plaintext("<saml:Assertion ID=\"_a\" <<< </saml:Assertion>")) ==
          kUndecryptable);
}

TEST_CASE("decryption failure: a plaintext of two Assertions gives the uniform error") {
    const auto two =
        "<saml:Assertion ID=\"_a1\" Version=\"2.0\"/>"
        "<saml:Assertion ID=\"_a2\" Version=\"2.0\"></saml:Assertion>";
    CHECK(outcome(encrypted_plaintext(two)) == kUndecryptable);
}

TEST_CASE("decryption failure: a plaintext that is not a SAML Assertion gives the uniform error") {
    // Same prefix and name, another namespace.
    const auto other =
        "<saml:Assertion xmlns:saml=\"urn:example:not-saml\" ID=\"_a1\">x"
        "</saml:Assertion>";
    CHECK(outcome(encrypted_plaintext(other)) == kUndecryptable);
}

TEST_CASE(
    "decryption failure: a processing instruction in the plaintext gives the uniform "
    "error") {
    const auto plaintext =
        insert_after(assertion_of(assertion_signed()), "</saml:Issuer>", "<?evil x?>");
    CHECK(outcome(encrypted_plaintext(plaintext)) == kUndecryptable);
}

TEST_CASE("decryption failure: an undeclared entity in the plaintext gives the uniform error") {
    const auto plaintext =
        replace_once(assertion_of(assertion_signed()), ">alice@example.com<", ">&xxe;<");
    CHECK(outcome(encrypted_plaintext(plaintext)) == kUndecryptable);
}

TEST_CASE("decryption: the message's shape is refused with a sentence that names the cause") {
    // These are visible in the XML to anyone, so naming them leaks nothing about the key.
    EncryptionOptions legacy;
    legacy.key_transport = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
    const auto refused = outcome(encrypted_signed(legacy));
    CHECK(refused.rfind("saml.assertion.encrypted: ", 0) == 0);
    CHECK(refused.find("rsa-1_5") != std::string::npos);
}

TEST_CASE(
    "decryption: an EncryptedAssertion holding anything besides EncryptedData and "
    "EncryptedKey is refused") {
    const auto xml = insert_before(encrypted_signed(), "</saml:EncryptedAssertion>",
                                   "<saml:Issuer>x</saml:Issuer>");
    const auto refused = outcome(xml);
    CHECK(refused.rfind("saml.assertion.encrypted: ", 0) == 0);
    CHECK(refused.find("only EncryptedData and EncryptedKey") != std::string::npos);
}

// ---- the org option to require AES-GCM ---------------------------------------------------

TEST_CASE("an org requiring AES-GCM refuses an AES-CBC encrypted assertion before decrypting") {
    // The key is wrapped for another SP: decrypting would fail with the uniform error, so
    // the CBC refusal shows that decryption was never attempted.
    for (const auto& cbc : {kAes128Cbc, kAes256Cbc}) {
        const auto xml = testing::encrypt_assertion(
            assertion_signed(), testing::other_test_idp().identity().certificate_pem,
            with_content(cbc));
        CHECK(code_of(validate(xml, requiring_gcm(), expectations_with_key())) ==
              "saml.assertion.encrypted_cbc");
    }
}

TEST_CASE("an org requiring AES-GCM accepts an AES-GCM encrypted assertion") {
    for (const auto& gcm : {kAes128Gcm, kAes256Gcm}) {
        CHECK(outcome(encrypted_signed(with_content(gcm)), requiring_gcm()) == "ok");
    }
}

TEST_CASE("an org that does not require AES-GCM still accepts AES-CBC") {
    CHECK(outcome(encrypted_signed(with_content(kAes128Cbc))) == "ok");
}
