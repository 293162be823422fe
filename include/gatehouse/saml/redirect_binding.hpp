// The SAML HTTP-Redirect binding (SAML 2.0 Bindings §3.4): sending a signed message to
// the IdP as a URL, and receiving one from the query string of a request.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/signature.hpp"
#include "gatehouse/saml/xml.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::saml {

// Which query parameter carries the message: SAMLRequest or SAMLResponse.
enum class SamlMessageKind { request, response };

// Bindings §3.4.3: RelayState over the Redirect binding must not exceed 80 bytes.
inline constexpr std::size_t kMaxRelayStateBytes = 80;

// The largest message accepted after inflating; a SAML logout message is a few KiB.
inline constexpr std::size_t kMaxInflatedRedirectBytes = 256 * 1024;

// The URL that sends `xml` to `destination`: the message raw-DEFLATEd, base64- and
// URL-encoded, then RelayState (omitted when empty) and SigAlg (RSA-SHA256), all signed
// with the SP key over exactly those octets, with the Signature appended. A destination
// that already has a query string keeps it ("?tenant=a" becomes "?tenant=a&SAMLRequest=…").
// Fails with "saml.redirect.relay_state_too_long", "saml.redirect.destination_invalid"
// (empty, or carrying a '#fragment') or the key's "saml.key.sign_failed". Thread-safe.
Result<std::string> build_redirect_url(std::string_view destination, SamlMessageKind kind,
                                       std::string_view xml, std::string_view relay_state,
                                       const SpCredentials& credentials);

// A message received over the Redirect binding whose signature has been verified.
struct RedirectMessage {
    SamlMessageKind kind = SamlMessageKind::request;
    XmlDocument document;
    std::optional<std::string> relay_state;  // decoded; nullopt when the query had none
    std::string signature_algorithm;         // the SigAlg URI that verified
};

// Decodes the raw (still URL-encoded) query string of a Redirect-binding request. The
// signature is checked over the octets exactly as they arrived, before anything is
// inflated or parsed, so unauthenticated input never reaches the XML parser.
// Reason codes:
//   "saml.redirect.malformed"            bad %-escape, base64 or DEFLATE data;
//   "saml.redirect.message_missing"      neither SAMLRequest nor SAMLResponse;
//   "saml.redirect.ambiguous"            both, or any of the SAML parameters repeated
//                                        (a verifier and a reader could pick different ones);
//   "saml.redirect.signature_missing"    no SigAlg or no Signature: unsigned messages are
//                                        never accepted;
//   "saml.signature.algorithm_not_allowed", "saml.signature.invalid" from `keys`;
//   "saml.redirect.too_large"            inflates beyond `max_inflated_bytes`;
//   and the "xml.*" codes of parse_untrusted_xml.
// Thread-safe.
Result<RedirectMessage> decode_redirect(std::string_view raw_query, const TrustedKeys& keys,
                                        const SignaturePolicy& policy,
                                        std::size_t max_inflated_bytes = kMaxInflatedRedirectBytes);

}  // namespace gatehouse::saml
