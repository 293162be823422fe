// SP-initiated sign-in: the AuthnRequest sent to the org's IdP, and the check that keeps
// the post-login destination (`next`, RelayState) on this site.
#pragma once

#include <string>
#include <string_view>

#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::saml {

// A request ready to send. The caller stores `id` as pending so that the Response's
// InResponseTo can be matched to it.
struct AuthnRequest {
    std::string id;   // fresh, from util::random_xml_id
    std::string xml;  // UTF-8, unsigned: the Redirect binding signs the query string
    util::UnixTime issue_instant = 0;
};

// A samlp:AuthnRequest from `sp` to the IdP's SSO URL: IssueInstant from `clock`,
// Destination = idp_sso_url, AssertionConsumerServiceURL = sp.acs_url with the HTTP-POST
// ProtocolBinding, Issuer = sp.entity_id, NameIDPolicy AllowCreate="true". Every value
// is escaped by libxml2. Thread-safe.
AuthnRequest build_authn_request(const SpEndpoints& sp, std::string_view idp_sso_url,
                                 const util::Clock& clock);

// True only for a path on this site: starts with one '/', followed by anything but a
// second '/' or a '\' (browsers read "//host" and "/\host" as another host). No '\'
// anywhere, no percent-encoded '/' or '\' (a proxy that decodes them would turn the path
// into "//host"), no control characters, spaces or non-ASCII bytes, at most 2048 bytes.
// Everything else (schemes such as "https:" or "javascript:", empty text) is false.
// Use it for `next` parameters and for RelayState before redirecting. Thread-safe.
bool is_safe_relay_path(std::string_view next);

}  // namespace gatehouse::saml
