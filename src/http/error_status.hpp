// The HTTP status of every error code the services return, shared by the pages and the JSON
// API, so that one refusal answers with one status whichever way the request arrived.
#pragma once

#include <string_view>

namespace gatehouse::http {

// The status for `code`: an exact entry of the table first, then the longest matching
// family prefix ("auth.require_sso", "oidc.fetch.", …), else 400, since a code nobody listed
// is a refusal of what the caller sent. 500 means the store failed: answer without the
// service's message and log it. Pure; thread-safe.
//
//   404  the org, member, team, invitation or row named does not exist
//   403  the caller may not do this (owner-only rules, IdP-managed members, SCIM off)
//   401  the credentials are missing or not valid here
//   409  the org's current state refuses it (last owner, Require SSO, no provider, taken slug)
//   422  a document the caller pointed at (IdP metadata, OpenID discovery, keys) is unusable
//   400  anything else the caller sent that the rules refuse
int status_for_error(std::string_view code);

}  // namespace gatehouse::http
