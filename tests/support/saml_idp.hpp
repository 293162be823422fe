// A test identity provider: it owns a freshly generated key and certificate and builds
// and signs SAML messages with xmlsec1, so tests can produce valid and hostile messages.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/util/time.hpp"

namespace gatehouse::testing {

// A private key and its self-signed certificate, both PEM.
struct Identity {
    std::string private_key_pem;
    std::string certificate_pem;
};

enum class KeyType { rsa2048, ec_p256 };

// Generates a key of `type` and a self-signed X.509 certificate for it (CN =
// `common_name`, valid from a day ago for ten years). Throws std::runtime_error when
// OpenSSL fails; a fixture has no caller that could recover.
Identity generate_identity(std::string_view common_name, KeyType type = KeyType::rsa2048);

// How TestIdp::sign builds the ds:Signature. Defaults are what real IdPs send.
struct SigningOptions {
    std::string signature_algorithm = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    std::string digest_algorithm = "http://www.w3.org/2001/04/xmlenc#sha256";
    std::string canonicalization = "http://www.w3.org/2001/10/xml-exc-c14n#";
    bool include_key_info = true;
};

class TestIdp {
  public:
    // Generates a new identity; RSA generation takes a noticeable fraction of a second,
    // so tests share instances through shared_test_idp() where they can.
    explicit TestIdp(std::string entity_id, KeyType type = KeyType::rsa2048);

    const std::string& entity_id() const { return entity_id_; }
    const Identity& identity() const { return identity_; }

    // Returns `xml` with the element whose ID attribute is `element_id` signed
    // (enveloped signature placed after that element's saml:Issuer child, or as its
    // first child when it has none). Throws std::runtime_error when the element is
    // missing or xmlsec fails.
    std::string sign(std::string_view xml, std::string_view element_id,
                     const SigningOptions& options = {}) const;

    // Recomputes every digest and the signature value of the ds:Signature that is the
    // first direct child of the element whose ID attribute is `element_id`, keeping its
    // SignedInfo exactly as written (transforms, references, algorithms). Every ID
    // attribute in the document is registered first (a repeated value keeps its first
    // holder), so "#ID" references resolve. Lets a hostile test hand-craft a SignedInfo no
    // real IdP sends and still sign it validly, so that a refusal proves a policy check
    // rather than a broken digest. Throws std::runtime_error when there is no such
    // signature or xmlsec cannot sign it.
    std::string resign(std::string_view xml, std::string_view element_id) const;

    // A detached signature over `octets` with RSA or ECDSA and `digest` ("sha256",
    // "sha1", …), in the form XML Signature uses (ECDSA as raw r || s).
    std::string sign_bytes(std::string_view octets, std::string_view digest = "sha256") const;

  private:
    std::string entity_id_;
    Identity identity_;
};

// Process-wide IdPs for tests that need "the" IdP and "some other" IdP.
const TestIdp& shared_test_idp();
const TestIdp& other_test_idp();

// The parts of a SAML Response that tests vary. Empty strings leave the element or
// attribute out, so a test can build a message that lacks any one piece.
struct ResponseSpec {
    std::string response_id = "_response-1";
    std::string assertion_id = "_assertion-1";
    std::string response_issuer;   // usually the IdP entity ID
    std::string assertion_issuer;  // usually the IdP entity ID
    std::string destination;       // Response@Destination
    std::string in_response_to;    // Response and SubjectConfirmationData
    std::string status_code = "urn:oasis:names:tc:SAML:2.0:status:Success";
    std::string name_id = "alice@example.com";
    std::string name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    std::string recipient;  // SubjectConfirmationData@Recipient
    std::string audience;   // one AudienceRestriction with this Audience
    std::string session_index = "_session-1";
    util::UnixTime issue_instant = 0;
    util::UnixTime not_before = 0;               // Conditions@NotBefore (0: omitted)
    util::UnixTime not_on_or_after = 0;          // Conditions@NotOnOrAfter (0: omitted)
    util::UnixTime subject_not_on_or_after = 0;  // SubjectConfirmationData (0: omitted)
    util::UnixTime session_not_on_or_after = 0;  // AuthnStatement (0: omitted)
    std::vector<std::pair<std::string, std::vector<std::string>>> attributes;
};

// As TestIdp::resign, but computes the signature value with an HMAC key made of the
// bytes of `secret` (for an hmac-sha* SignatureMethod). The signature must carry no
// KeyInfo. Throws std::runtime_error when xmlsec cannot sign.
std::string resign_with_hmac(std::string_view xml, std::string_view element_id,
                             std::string_view secret);

// Serializes `spec` as an unsigned samlp:Response holding one saml:Assertion.
std::string build_response_xml(const ResponseSpec& spec);

// How encrypt_assertion protects the assertion. Defaults are what real IdPs send.
struct EncryptionOptions {
    std::string content_algorithm = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
    std::string key_transport = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
    bool key_beside_data = false;  // EncryptedKey next to EncryptedData, not in its KeyInfo
    // Hostile shapes, for tests of what an SP must never dereference. Each, when not empty,
    // is the URI that the element named points at.
    std::string key_cipher_reference;   // xenc:CipherReference instead of the wrapped key
    std::string data_cipher_reference;  // xenc:CipherReference instead of the ciphertext
    std::string data_retrieval_method;  // ds:RetrievalMethod in the EncryptedData's KeyInfo
    std::string key_retrieval_method;   // ds:RetrievalMethod in a KeyInfo of the EncryptedKey
    std::string data_reference;         // xenc:DataReference in the EncryptedKey's ReferenceList
    std::string key_reference;          // xenc:KeyReference in the EncryptedKey's ReferenceList
};

// Replaces the saml:Assertion element of `response_xml` (as build_response_xml or
// TestIdp::sign wrote it) by a saml:EncryptedAssertion readable with the private key of
// `sp_certificate_pem`. Supports aes128-cbc, aes256-cbc and aes128/256-gcm content
// encryption and rsa-oaep-mgf1p or rsa-1_5 key transport, and the hostile references of
// EncryptionOptions (the real wrapped key or ciphertext is left out where a
// CipherReference takes its place). Throws std::runtime_error on failure.
std::string encrypt_assertion(std::string_view response_xml, std::string_view sp_certificate_pem,
                              const EncryptionOptions& options = {});

}  // namespace gatehouse::testing
