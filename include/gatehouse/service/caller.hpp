// Who asks a use case for a change, and the one rule about what only an owner may change:
// whatever decides who is who in an org. The pages, the admin API, the CLI and SCIM pass a
// Caller, so a request gets the same answer from the same place whichever way it arrives.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::service {

enum class CallerKind {
    owner,       // a signed-in owner of the org
    manager,     // a signed-in manager of the org
    member,      // a signed-in member with any other role: changes nothing
    admin_key,   // an admin API key of the org: only an owner issues one, so owner rights
    cli,         // the command line: whoever can open the store already holds everything
    scim_token,  // the org's IdP over SCIM: members and teams, under the provisioning rules
};

struct Caller {
    // The audit log's name for the caller: "member:<public id>", "admin-key:<id>", "cli",
    // "scim-token:<id>".
    std::string actor;
    CallerKind kind = CallerKind::member;

    static Caller cli();
    static Caller admin_key(core::RowId key_id);
    static Caller scim_token(core::RowId token_id);
    // A signed-in member of the org, by role: owner, manager, or member for any other role.
    static Caller signed_in(const core::Member& member);

    // Owner rights: owners, admin API keys and the CLI.
    bool acts_as_owner() const;
    // May change what decides who is who (IdentityRule). The same callers as acts_as_owner;
    // named apart because this is the question every settings use case asks.
    bool may_change_identity_rules() const { return acts_as_owner(); }
    // May invite, change, deactivate and remove members and teams, within the rules that
    // owners set: owners, managers, admin API keys and the CLI.
    bool may_manage_members() const;
};

// What decides who is who in an org. Changing any of it is owner-only: a manager who could
// point the org at an IdP of their own, or let an IdP rename an owner, could sign in as that
// owner.
enum class IdentityRule {
    identity_provider,      // entity ID, SSO URL, certificates, metadata URL, refresh, removal
    attribute_mapping,      // the mapping and its preset
    idp_initiated_sign_in,  // accepting Responses that answer no AuthnRequest
    jit_provisioning,       // creating members at their first sign-in
    require_sso,            // turning password sign-in off (and on again)
    saml_validation,        // clock skew, signed assertion, SHA-1, AES-GCM, issue age
    scim_provisioning,      // enabling SCIM, issuing and revoking its tokens, disabling it
    admin_keys,             // issuing and revoking admin API keys
    audit_retention,        // how long the audit log keeps its evidence
    sign_in_attributes,     // roles and teams taken from what sign-ins carry
    org_slug,               // renaming the org and removing its aliases: the IdP's URLs
};

// The reason code of a refusal by the rule (answered 403 by the pages and the admin API).
inline constexpr std::string_view kOwnerOnly = "auth.owner_only";
// The reason code for a caller that may not change members and teams at all (403).
inline constexpr std::string_view kMembersForbidden = "auth.forbidden";

// What `rule` covers, in words for a sentence: "the identity provider", "Require SSO", …
std::string_view describe(IdentityRule rule);

// The rule: succeeds when `caller` may change `rule`, otherwise fails with kOwnerOnly and a
// sentence naming what only an owner may change. Pure; thread-safe.
Status check_identity_rule(const Caller& caller, IdentityRule rule);

// check_identity_rule for a use case about to change `rule` in the org `org_slug`: a refusal
// is recorded as a failure audit entry (`action`, reason kOwnerOnly, by caller.actor) before
// it is returned. Call it before any other work, so that a refused caller cannot make the
// service fetch a metadata URL or touch the store. Thread-safe.
Status authorize_identity_change(store::Store& store, const util::Clock& clock,
                                 const std::string& org_slug, const Caller& caller,
                                 IdentityRule rule, std::string_view action);

// Fails with kMembersForbidden unless caller.may_manage_members(). Pure; thread-safe.
Status check_member_admin(const Caller& caller);

// Records `error` as a failure audit entry of `action` on `target` by `actor`, with `details`
// (a JSON object), in a write transaction of its own: a refusal found inside a use case's
// transaction rolls back with everything else. Does nothing when the org `org_slug` does not
// exist. A store failure is logged rather than returned: the caller is already answering
// with `error`. Thread-safe.
void record_refusal(store::Store& store, const util::Clock& clock, const std::string& org_slug,
                    const std::string& actor, std::string action, std::string target,
                    const Error& error, const nlohmann::json& details = nlohmann::json::object());

}  // namespace gatehouse::service
