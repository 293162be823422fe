// The identity provider's side of SAML, for the built-in demo IdP: building and signing a
// Response with an assertion, and describing the IdP in metadata that an SP can load.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::saml {

// What one assertion says. Every value is placed in the tree through libxml2, so any text
// (an email typed into a form) ends up escaped, never as markup.
struct AssertionContent {
    std::string issuer;          // the IdP entity ID (Response and Assertion Issuer)
    std::string destination;     // the SP's ACS URL: Response@Destination and Recipient
    std::string in_response_to;  // the AuthnRequest ID; empty for an IdP-initiated Response
    std::string audience;        // the SP entity ID
    std::string name_id;         // emailAddress format
    std::vector<std::pair<std::string, std::vector<std::string>>> attributes;  // in order
    util::UnixTime issued_at = 0;
    // Conditions run from issued_at to issued_at + lifetime_seconds; the subject
    // confirmation expires at the same moment.
    int lifetime_seconds = 300;
};

// A samlp:Response (status Success) carrying one saml:Assertion with Subject (NameID,
// bearer SubjectConfirmation), Conditions with an AudienceRestriction, an AuthnStatement
// and an AttributeStatement (left out when there are no attributes). The assertion is
// signed by `signer` with an enveloped XML Signature: RSA-SHA256, SHA-256 digest, exclusive
// C14N, the certificate in KeyInfo; the Response itself is not signed (as most IdPs do).
// Returns the UTF-8 document. Fails with "saml.response_builder.invalid" for an empty
// issuer, destination, audience or name_id and "saml.response_builder.sign_failed" when
// xmlsec cannot sign. Thread-safe.
Result<std::string> build_signed_response(const AssertionContent& content,
                                          const SpCredentials& signer);

// The md:EntityDescriptor of an IdP: entityID, one IDPSSODescriptor with the signing
// certificate (KeyDescriptor use="signing"), the emailAddress NameID format and a
// SingleSignOnService on the HTTP-Redirect binding at `sso_url`. Thread-safe; pure.
std::string build_idp_metadata(std::string_view entity_id, std::string_view sso_url,
                               const Certificate& signing_certificate);

}  // namespace gatehouse::saml
