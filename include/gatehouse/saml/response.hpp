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
    // Answers whether `request_id` names an AuthnRequest this SP sent for the org and
    // that is still pending. A Response carrying InResponseTo must name one. An empty
    // function means no request is pending.
    std::function<bool(std::string_view request_id)> is_pending_request;
    // Whether a Response without InResponseTo (IdP-initiated sign-in) is accepted.
    bool allow_idp_initiated = false;
    // The SP's private key for EncryptedAssertion (borrowed; may be null, and then an
    // encrypted assertion is refused).
    EVP_PKEY* decryption_key = nullptr;
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
// Checks, each with its own reason code:
//   encoding and XML ("saml.response.encoding", "xml.*"); the root is a SAML 2.0
//   samlp:Response ("saml.response.not_a_response", "saml.response.version");
//   Response Issuer when present ("saml.response.issuer_mismatch"); Destination equals the
//   ACS URL, and is present when the Response is signed ("saml.response.destination_*");
//   status Success ("saml.response.status"); exactly one Assertion or EncryptedAssertion
//   anywhere in the document ("saml.assertion.count"), decrypted with the SP key
//   ("saml.assertion.encrypted"); the Response and/or the Assertion signed by a
//   configured certificate (codes of verify_enveloped_signature, and
//   "saml.assertion.unsigned" when provider.options.require_signed_assertion);
//   InResponseTo pending, or IdP-initiated allowed ("saml.response.unknown_request",
//   "saml.response.unsolicited"); assertion version and Issuer ("saml.assertion.version",
//   "saml.assertion.issuer_*"); NameID
//   ("saml.assertion.subject_missing"); a bearer SubjectConfirmation with matching
//   Recipient, InResponseTo and unexpired NotOnOrAfter ("saml.assertion.recipient_mismatch",
//   "saml.assertion.in_response_to_mismatch", "saml.assertion.subject_expired",
//   "saml.assertion.no_bearer_confirmation"); Conditions time window
//   ("saml.assertion.not_yet_valid", "saml.assertion.expired"); Audience
//   ("saml.assertion.audience_missing", "saml.assertion.audience_mismatch"); an
//   AuthnStatement whose session has not ended ("saml.assertion.authn_statement_missing",
//   "saml.assertion.session_expired"); well-formed times ("saml.assertion.bad_time").
// Every value returned comes from the element that was verified. Thread-safe.
Result<ValidatedAssertion> validate_response(std::string_view saml_response_base64,
                                             const core::SamlProvider& provider,
                                             const AcsExpectations& expectations,
                                             const util::Clock& clock);

// Decrypts, in place, the xenc:EncryptedData inside `encrypted_assertion` (a
// saml:EncryptedAssertion element) with the SP's RSA private key (borrowed), leaving the
// plaintext saml:Assertion as the child of `encrypted_assertion`. Accepts RSA-OAEP key
// transport and AES-CBC or AES-GCM content encryption; refuses RSA PKCS#1 v1.5 key
// transport, which is open to padding-oracle attacks. Returns the Assertion (owned by its
// document) or fails with "saml.assertion.encrypted" naming the cause. Thread-safe for
// distinct documents.
Result<xmlNode*> decrypt_assertion(xmlNode* encrypted_assertion, EVP_PKEY* sp_private_key);

}  // namespace gatehouse::saml
