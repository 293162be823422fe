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
    // A LogoutRequest's Destination must equal it; a LogoutResponse's, when present.
    std::string sls_url;
    std::string idp_entity_id;  // Issuer must equal it
    TrustedKeys keys;
    SignaturePolicy policy;
    int clock_skew_seconds = 180;
    // How old a LogoutRequest's IssueInstant may be, the skew added on top
    // (core::SamlOptions::max_issue_age_seconds).
    int max_issue_age_seconds = 300;
    // The SLS URLs of the SP's other names (a renamed org's earlier slugs): a Destination may
    // name one of these instead.
    std::vector<std::string> other_sls_urls = {};
};

// A LogoutRequest from the IdP that passed every check.
struct IncomingLogoutRequest {
    std::string id;  // answer with build_logout_response(…, id, …)
    std::string issuer;
    std::string name_id;
    std::vector<std::string> session_indexes;  // empty: every session of name_id
    std::optional<std::string> relay_state;    // return it unchanged with the response
    util::UnixTime issue_instant = 0;
    std::optional<util::UnixTime> not_on_or_after;  // as sent; nullopt when absent
    // The last instant at which this request could still be accepted (the earlier of
    // NotOnOrAfter and IssueInstant + max_issue_age_seconds, skew added). Replay
    // detection needs the store, which this layer does not have: the caller must remember
    // `id` until then and refuse it if it comes again.
    util::UnixTime replay_expires_at = 0;
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
//   "saml.logout.destination_missing" no Destination: a signed request that does not say
//                                     which SP it is for could be replayed to any of them;
//   "saml.logout.destination_mismatch" a Destination other than expected.sls_url;
//   "saml.logout.issue_instant"       IssueInstant missing, not an xs:dateTime, in the
//                                     future beyond the skew, or older than
//                                     expected.max_issue_age_seconds plus the skew;
//   "saml.logout.time_invalid"        NotOnOrAfter is not an xs:dateTime;
//   "saml.logout.expired"             NotOnOrAfter (plus the skew) has passed;
//   "saml.logout.name_id_encrypted"   an EncryptedID (not supported);
//   "saml.logout.name_id_missing".
// Replay is the caller's check (see IncomingLogoutRequest::replay_expires_at).
// Thread-safe.
Result<IncomingLogoutRequest> parse_logout_request_redirect(std::string_view raw_query,
                                                            const LogoutExpectations& expected,
                                                            const util::Clock& clock);

// The same from the decoded form fields of a POST to the SLS (SAMLRequest, RelayState).
// The LogoutRequest element must carry an enveloped XML signature that verifies with
// `expected.keys` (verify_enveloped_signature's reason codes), checked only after
// refuse_external_references ("saml.reference.external"). Also refuses with
// "saml.logout.message_missing" and "saml.logout.malformed" (SAMLRequest not base64).
Result<IncomingLogoutRequest> parse_logout_request_post(
    const std::map<std::string, std::string>& form, const LogoutExpectations& expected,
    const util::Clock& clock);

// Validates the IdP's LogoutResponse from a Redirect-binding query or POST form, as the
// request parsers do (signature required, external references refused on POST, Issuer,
// Destination when present). Also refuses with "saml.logout.in_response_to_missing" and
// "saml.logout.status_missing". A LogoutResponse answers a request the SP made and
// remembers, so the caller's match on InResponseTo bounds its replay.
Result<IncomingLogoutResponse> parse_logout_response_redirect(std::string_view raw_query,
                                                              const LogoutExpectations& expected);
Result<IncomingLogoutResponse> parse_logout_response_post(
    const std::map<std::string, std::string>& form, const LogoutExpectations& expected);

}  // namespace gatehouse::saml
