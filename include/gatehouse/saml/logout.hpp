// Single logout: the LogoutRequest and LogoutResponse the SP sends, and validation of
// the ones the IdP sends to the SLS over the Redirect or the POST binding.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/saml/signature.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::saml {

namespace status_code {
inline constexpr std::string_view success = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr std::string_view requester = "urn:oasis:names:tc:SAML:2.0:status:Requester";
inline constexpr std::string_view responder = "urn:oasis:names:tc:SAML:2.0:status:Responder";
}  // namespace status_code

// An outgoing protocol message, unsigned: send it with build_redirect_url, which signs.
struct LogoutMessage {
    std::string id;  // fresh, from util::random_xml_id; keep it to match the reply
    std::string xml;
};

// SP-initiated logout of one SAML session: samlp:LogoutRequest from sp.entity_id to
// `idp_slo_url` naming the subject (with its Format when `name_id_format` is not empty,
// as the IdP sent it at sign-in) and each session index. Thread-safe.
LogoutMessage build_logout_request(const SpEndpoints& sp, std::string_view idp_slo_url,
                                   std::string_view name_id, std::string_view name_id_format,
                                   const std::vector<std::string>& session_indexes,
                                   const util::Clock& clock);

// The SP's answer to an IdP-initiated LogoutRequest `in_response_to`, with top-level
// status `status` (Success unless the SP could not end the session). Thread-safe.
LogoutMessage build_logout_response(const SpEndpoints& sp, std::string_view idp_slo_url,
                                    std::string_view in_response_to, const util::Clock& clock,
                                    std::string_view status = status_code::success);

// What an incoming logout message must satisfy: the org's IdP and its trusted keys.
struct LogoutExpectations {
    std::string sls_url;        // a present Destination must equal it
    std::string idp_entity_id;  // Issuer must equal it
    TrustedKeys keys;
    SignaturePolicy policy;
    int clock_skew_seconds = 180;
};

// A LogoutRequest from the IdP that passed every check.
struct IncomingLogoutRequest {
    std::string id;  // answer with build_logout_response(…, id, …)
    std::string issuer;
    std::string name_id;
    std::vector<std::string> session_indexes;  // empty: every session of name_id
    std::optional<std::string> relay_state;    // return it unchanged with the response
};

// The IdP's answer to the SP's LogoutRequest. A non-Success status is not an error here:
// the caller reports it.
struct IncomingLogoutResponse {
    std::string id;
    std::string issuer;
    std::string in_response_to;  // the caller matches it against its pending request
    std::string status;          // top-level StatusCode Value
    bool success = false;
    std::optional<std::string> relay_state;
};

// Validates an IdP-initiated LogoutRequest from the raw query string of a GET to the SLS
// (the query's signature is required; see decode_redirect for its reason codes).
// Beyond those, refuses with:
//   "saml.logout.unexpected_message"  not a samlp:LogoutRequest (or a SAMLResponse);
//   "saml.logout.version", "saml.logout.id_missing";
//   "saml.logout.issuer_missing", "saml.logout.issuer_mismatch";
//   "saml.logout.destination_mismatch";
//   "saml.logout.time_invalid"        NotOnOrAfter is not an xs:dateTime;
//   "saml.logout.expired"             NotOnOrAfter (plus the skew) has passed;
//   "saml.logout.name_id_encrypted"   an EncryptedID (not supported);
//   "saml.logout.name_id_missing".
// Thread-safe.
Result<IncomingLogoutRequest> parse_logout_request_redirect(std::string_view raw_query,
                                                            const LogoutExpectations& expected,
                                                            const util::Clock& clock);

// The same from the decoded form fields of a POST to the SLS (SAMLRequest, RelayState).
// The LogoutRequest element must carry an enveloped XML signature that verifies with
// `expected.keys` (verify_enveloped_signature's reason codes). Also refuses with
// "saml.logout.message_missing" and "saml.logout.malformed" (SAMLRequest not base64).
Result<IncomingLogoutRequest> parse_logout_request_post(
    const std::map<std::string, std::string>& form, const LogoutExpectations& expected,
    const util::Clock& clock);

// Validates the IdP's LogoutResponse from a Redirect-binding query or POST form, as the
// request parsers do (signature required, Issuer, Destination). Also refuses with
// "saml.logout.in_response_to_missing" and "saml.logout.status_missing".
Result<IncomingLogoutResponse> parse_logout_response_redirect(std::string_view raw_query,
                                                              const LogoutExpectations& expected);
Result<IncomingLogoutResponse> parse_logout_response_post(
    const std::map<std::string, std::string>& form, const LogoutExpectations& expected);

}  // namespace gatehouse::saml
