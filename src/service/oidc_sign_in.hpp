// What verified OpenID claims and GitHub answers become: the identity the member link
// rules take, and the checks that restrict who may sign in (Google's hosted domains).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gatehouse/oidc/github.hpp"
#include "gatehouse/oidc/id_token.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::service {

// What OidcService::start_login kept for the callback.
struct PendingOidcLogin {
    std::string nonce;
    std::string verifier;    // the PKCE code verifier
    std::string next;        // where to land after sign-in
    std::string test_actor;  // who started a test sign-in; empty for a real one
};

// A verified identity, with what the provider said for a test report.
struct VerifiedIdentity {
    saml::MappedIdentity identity;
    std::string issuer;  // the namespace of the subject
    nlohmann::json claims;
    std::string unverified_email;  // an address the provider sent without verifying it
    bool groups_mapped = false;    // the provider names a groups claim
};

// Succeeds when the ID token's `hd` claim is one of `hosted_domains` (compared
// case-insensitively). A personal Google account has no `hd` and is refused. Error:
// "oidc.google.hosted_domain", naming the domain received and those allowed.
Status check_hosted_domain(const oidc::IdTokenClaims& claims,
                           const std::vector<std::string>& hosted_domains);

// The identity of verified ID token claims: the subject as user ID, the email only when
// the provider verified it, given and family names (split from `name` when neither is
// sent). The claim names are listed for refusals that say what was received.
saml::MappedIdentity identity_from_claims(const oidc::IdTokenClaims& claims);

// Adds the role and groups of verified claims to `identity`: the claim named `role_claim`
// (a string, or the first non-blank string of an array) and every non-blank string of the
// claim named `groups_claim` (an array, or a single string). An empty name, a missing
// claim or a value of another type adds nothing. Sources name the claims.
void add_role_and_groups(saml::MappedIdentity& identity, const nlohmann::json& claims,
                         const std::string& role_claim, const std::string& groups_claim);

// The identity of a GitHub user with its primary verified email: the numeric user ID as
// user ID, the profile name split into first and last name.
saml::MappedIdentity identity_from_github(const oidc::GithubUser& user, const std::string& email);

// The allowed organizations the user belongs to (logins compared case-insensitively);
// "github.org_not_allowed" naming the allowed ones when there is none.
Status check_github_orgs(const std::vector<std::string>& member_of,
                         const std::vector<std::string>& allowed);

}  // namespace gatehouse::service
