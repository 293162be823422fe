// Validation of the SAML Response an IdP posts to the Assertion Consumer Service: one
// function that either returns the authenticated subject or names the exact check failed.
#pragma once

#include <libxml/tree.h>
#include <openssl/evp.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::saml {

// What this SP expects of a Response delivered to one org's ACS.
struct AcsExpectations {
    std::string sp_entity_id;  // must be an Audience of the assertion
    std::string acs_url;       // must be the Response Destination and the Recipient
    // Other names of the same SP (a renamed org keeps its earlier URLs, which the IdP may still
    // be configured with): an Audience may name one of these entity IDs instead, and the
    // Destination and Recipient one of these ACS URLs. Refusals name the values above.
    std::vector<std::string> other_entity_ids;
    std::vector<std::string> other_acs_urls;
    // Answers whether `request_id` names an AuthnRequest this SP sent for the org and
    // that is still pending. A Response carrying InResponseTo must name one. An empty
    // function means no request is pending.
    std::function<bool(std::string_view request_id)> is_pending_request;
    // Whether a Response without InResponseTo (IdP-initiated sign-in) is accepted.
    bool allow_idp_initiated = false;
    // The SP's private key for EncryptedAssertion (borrowed; may be null, and then an
    // encrypted assertion is refused).
    EVP_PKEY* decryption_key = nullptr;
    // Other SP keys an IdP may still, or already, encrypt to while the SP key rolls over
    // (borrowed): tried in order when decryption_key does not decrypt the assertion.
    std::vector<EVP_PKEY*> other_decryption_keys;
};

// The facts of an assertion that passed every check.
struct ValidatedAssertion {
    std::string response_id;
    std::string assertion_id;
    std::string issuer;
    std::optional<std::string> in_response_to;  // nullopt for IdP-initiated sign-in
    std::string name_id;
    std::string name_id_format;  // empty when the IdP sent none
    std::string session_index;   // empty when the IdP sent none
    // The caller must remember assertion_id until this instant (the latest time at which
    // the assertion could still be accepted, skew included) and refuse it if it comes
    // again: replay detection needs the store, which this layer does not have.
    util::UnixTime replay_expires_at = 0;
    std::optional<util::UnixTime> session_not_on_or_after;
    std::map<std::string, std::vector<std::string>> attributes;  // Name → values, in order
};

// Validates the base64 SAMLResponse form field of the HTTP-POST binding against the
// org's IdP configuration, at `clock.now()` with `provider.options.clock_skew_seconds`.
// Checks, in this order, each with its own reason code:
//   - encoding and XML ("saml.response.encoding", and the "xml.*" codes of
//     parse_untrusted_xml: no DOCTYPE, no processing instruction);
//   - no element that would make xmlsec read outside the message: CipherReference,
//     RetrievalMethod, a Reference/DataReference/KeyReference other than "#id"
//     ("saml.reference.external", see refuse_external_references), before xmlsec sees
//     the tree, and again on a decrypted assertion before its signature is verified;
//   - the root is a SAML 2.0 samlp:Response with a non-empty ID
//     ("saml.response.not_a_response", "saml.response.version", "saml.response.id_missing");
//   - Response Issuer when present ("saml.response.issuer_mismatch"); Destination equals
//     the ACS URL, and is present when the Response is signed
//     ("saml.response.destination_*"); status Success ("saml.response.status");
//   - exactly one Assertion or EncryptedAssertion anywhere in the document, as a child of
//     the Response ("saml.assertion.count"); the Response's children in schema order:
//     saml:Issuer?, ds:Signature?, samlp:Extensions?, samlp:Status, then the assertion,
//     nothing else ("saml.response.unexpected_element");
//   - the Response signature when present (codes of verify_enveloped_signature), then
//     decryption with the SP key (decrypt_assertion's codes; with
//     provider.options.require_aes_gcm, AES-CBC is refused before decrypting:
//     "saml.assertion.encrypted_cbc"); the Response and/or the Assertion signed by a
//     configured certificate ("saml.signature.missing", and "saml.assertion.unsigned"
//     when provider.options.require_signed_assertion);
//   - InResponseTo pending, or IdP-initiated allowed ("saml.response.unknown_request",
//     "saml.response.unsolicited");
//   - assertion version, non-empty ID and Issuer ("saml.assertion.version",
//     "saml.assertion.id_missing", "saml.assertion.issuer_*");
//   - exactly one Subject naming its principal with exactly one NameID, not empty
//     ("saml.assertion.subject_missing", "saml.assertion.subject_ambiguous");
//   - a bearer SubjectConfirmation with matching Recipient, InResponseTo and unexpired
//     NotOnOrAfter ("saml.assertion.recipient_mismatch",
//     "saml.assertion.in_response_to_mismatch", "saml.assertion.subject_expired",
//     "saml.assertion.no_bearer_confirmation");
//   - Conditions time window ("saml.assertion.not_yet_valid", "saml.assertion.expired");
//     Audience ("saml.assertion.audience_missing", "saml.assertion.audience_mismatch");
//   - IssueInstant present on the Response and on the Assertion, not in the future beyond
//     the skew and not older than provider.options.max_issue_age_seconds plus the skew
//     ("saml.response.issue_instant", "saml.assertion.issue_instant");
//   - an AuthnStatement whose session has not ended
//     ("saml.assertion.authn_statement_missing", "saml.assertion.session_expired");
//   - well-formed times ("saml.assertion.bad_time").
// Every value returned comes from the element that was verified. Thread-safe.
Result<ValidatedAssertion> validate_response(std::string_view saml_response_base64,
                                             const core::SamlProvider& provider,
                                             const AcsExpectations& expectations,
                                             const util::Clock& clock);

// How decrypt_assertion treats content encryption. The default accepts AES-CBC, which
// most IdPs still send.
struct DecryptionPolicy {
    // AES-CBC has no integrity: with an unsigned Response it is an oracle surface however
    // uniform the failures are. An org whose IdP encrypts with AES-GCM closes it.
    bool require_aes_gcm = false;
};

// Decrypts, in place, the xenc:EncryptedData inside `encrypted_assertion` (a
// saml:EncryptedAssertion element) with the SP's RSA private key (borrowed), replacing it
// by the plaintext saml:Assertion, beside any EncryptedKey. Returns the Assertion (owned
// by its document).
// First the shape, refused with "saml.assertion.encrypted" and a sentence naming the
// cause (all of it visible in the XML): exactly one EncryptedData (Type Element) and one
// EncryptedKey (in its KeyInfo or beside it), nothing else; AES-CBC or AES-GCM content
// encryption ("saml.assertion.encrypted_cbc" for CBC when `policy.require_aes_gcm`);
// RSA-OAEP key transport (RSA PKCS#1 v1.5 is open to padding-oracle attacks).
// Then every other failure -- the key is not for this SP, has the wrong length, the
// padding or GCM tag is wrong, the plaintext is not well-formed or not exactly one
// Assertion, or holds a processing instruction -- gives the same "saml.assertion.encrypted"
// Error with the same sentence, after the same steps: a key that does not unwrap is
// replaced by a random one and the content decryption and the plaintext parse run anyway.
// xmlsec is restricted so that no URI is ever dereferenced (CipherReference,
// RetrievalMethod), even for a tree refuse_external_references never saw. Thread-safe for
// distinct documents.
Result<xmlNode*> decrypt_assertion(xmlNode* encrypted_assertion, EVP_PKEY* sp_private_key,
                                   const DecryptionPolicy& policy = {});

}  // namespace gatehouse::saml
