// XML Signature verification for SAML: enveloped signatures checked with xmlsec1 against
// the org's configured IdP certificates only, never a key carried inside the message.
#pragma once

#include <libxml/tree.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/util/result.hpp"

namespace gatehouse::saml {

// Algorithm identifiers (XML Signature / XML Encryption URIs).
namespace alg {
inline constexpr std::string_view rsa_sha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
inline constexpr std::string_view rsa_sha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr std::string_view rsa_sha384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
inline constexpr std::string_view rsa_sha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
inline constexpr std::string_view ecdsa_sha256 =
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
inline constexpr std::string_view ecdsa_sha384 =
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
inline constexpr std::string_view ecdsa_sha512 =
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";
inline constexpr std::string_view sha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
inline constexpr std::string_view sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
inline constexpr std::string_view sha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
inline constexpr std::string_view sha512 = "http://www.w3.org/2001/04/xmlenc#sha512";
inline constexpr std::string_view exc_c14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr std::string_view enveloped =
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
}  // namespace alg

// Which signature algorithms a verifier accepts. The default is the safe one.
struct SignaturePolicy {
    // SHA-1 (rsa-sha1 and the sha1 digest) is broken for collision resistance; only an
    // org that cannot move its IdP off it opts in.
    bool allow_sha1 = false;
};

// True when `uri` is a signature algorithm the policy accepts: RSA or ECDSA with SHA-256,
// SHA-384 or SHA-512, and rsa-sha1 only when `policy.allow_sha1`.
bool is_allowed_signature_algorithm(std::string_view uri, const SignaturePolicy& policy);

// Prepares libxml2 and xmlsec1 for use (once per process; later calls return at once) and
// silences their default printing of errors to standard error. Every function in the saml
// layer that needs xmlsec calls it; main may call it early. Thread-safe.
void initialize_xml_security();

// Owns an EVP_PKEY.
struct EvpPkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// The public keys of the certificates an org trusts for its IdP (more than one during a
// certificate rollover). Immutable once built; copies share the keys, and every member
// is safe to call from many threads at once.
class TrustedKeys {
  public:
    // Parses each certificate, given either as PEM or as bare base64 DER (as metadata
    // carries it). Fails with "saml.keys.none" for an empty list and "saml.keys.invalid"
    // (naming the position) when one does not parse as an X.509 certificate. The
    // certificate's validity dates are deliberately not checked: SAML pins the
    // certificate itself, and IdPs routinely sign with certificates past notAfter.
    static Result<TrustedKeys> from_certificates(const std::vector<std::string>& certificates);

    std::size_t size() const { return keys_->size(); }

    // The public key of certificate `index` (< size()). The pointer is owned by this
    // object (and its copies) and stays valid while any of them lives.
    EVP_PKEY* public_key(std::size_t index) const { return (*keys_)[index].get(); }

    // Verifies a detached signature over `signed_octets` (the HTTP-Redirect binding signs
    // the query string this way) with the algorithm named by `signature_algorithm_uri`.
    // Succeeds when any trusted key verifies it. Fails with
    // "saml.signature.algorithm_not_allowed" for an algorithm outside `policy` and with
    // "saml.signature.invalid" when no trusted key verifies the signature.
    Status verify_detached(std::string_view signed_octets, std::string_view signature,
                           std::string_view signature_algorithm_uri,
                           const SignaturePolicy& policy) const;

  private:
    explicit TrustedKeys(std::shared_ptr<const std::vector<EvpPkeyPtr>> keys)
        : keys_(std::move(keys)) {}
    std::shared_ptr<const std::vector<EvpPkeyPtr>> keys_;
};

// Verifies the XML Signature that `element` carries as a direct ds:Signature child
// (SAML's enveloped form) and proves that it covers `element` itself:
//   - the element has an ID attribute, and no other element in the document has the same
//     ID (duplicate IDs are how signature wrapping points a verifier elsewhere);
//   - exactly one ds:Signature child, holding only SignedInfo, SignatureValue and KeyInfo
//     (no ds:Object or ds:Manifest), and exactly one ds:Reference whose URI is "#" + ID;
//   - only the enveloped-signature and exclusive C14N transforms, exclusive C14N as the
//     canonicalization method, and algorithms allowed by `policy`;
//   - the signature verifies with one of `keys`; a KeyInfo in the message is ignored.
// Registers the ID attribute as an XML ID in `doc` (a side effect on the tree only).
// Reason codes: "saml.signature.missing", "saml.signature.multiple",
// "saml.signature.object_not_allowed",
// "saml.signature.no_id", "saml.signature.duplicate_id", "saml.signature.reference",
// "saml.signature.transform_not_allowed", "saml.signature.algorithm_not_allowed",
// "saml.signature.invalid". Thread-safe for distinct documents.
Status verify_enveloped_signature(xmlDoc* doc, xmlNode* element, const TrustedKeys& keys,
                                  const SignaturePolicy& policy);

// True when `element` has a direct ds:Signature child (signed or claiming to be).
bool has_signature(const xmlNode* element);

}  // namespace gatehouse::saml
