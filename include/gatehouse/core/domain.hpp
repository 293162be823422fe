// Domain types shared by every layer: organizations, members, teams, roles, sessions and
// the per-org SAML provider configuration. Plain values; rules live in role.hpp and in
// the services.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gatehouse/util/time.hpp"

namespace gatehouse::core {

using util::UnixTime;
using RowId = std::int64_t;

enum class Role { owner, admin, manager, billing, member };

enum class MemberState { invited, active, deactivated };

// How a member came to exist; shown to admins and used for the IdP lock.
enum class MemberSource { owner, invited, scim, jit };

struct Org {
    RowId id = 0;
    std::string slug;
    std::string name;
    Role default_role = Role::member;
    bool require_sso = false;
    bool scim_enabled = false;
    bool jit_provisioning = true;
    bool allow_idp_initiated = false;
    // SAML and OpenID sign-ins set the member's role and teams from the role and groups
    // the IdP sends (service/sign_in_attributes.hpp); off leaves both to admins and SCIM.
    bool apply_sign_in_attributes = false;
    // Audit entries older than this many days are purged by the maintenance sweep.
    int audit_retention_days = 400;
    UnixTime created_at = 0;
    // Slugs the org had before a rename, oldest first: the IdP may still be configured with
    // their URLs, so they keep resolving to this org until an owner removes them (filled by
    // the store when it reads an org; see service/org_names.hpp).
    std::vector<std::string> aliases;
};

// An earlier slug of a renamed org. Unique across every org's slugs and aliases.
struct OrgAlias {
    RowId org_id = 0;
    std::string slug;
    UnixTime created_at = 0;
};

// How the org's IdP names the claims Gatehouse needs. Empty `user_id` means the NameID.
struct AttributeMapping {
    std::string user_id;
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string role;    // optional
    std::string groups;  // optional
};

// Per-org options for validating SAML messages. Defaults are the safe ones.
struct SamlOptions {
    int clock_skew_seconds = 180;
    bool allow_sha1 = false;
    bool require_signed_assertion = false;
    // Refuse encrypted assertions that use AES-CBC: CBC gives no integrity, so with an
    // unsigned Response it is a decryption-oracle surface. AES-GCM is authenticated.
    bool require_aes_gcm = false;
    // How old a Response or Assertion IssueInstant may be (clock skew added on top).
    int max_issue_age_seconds = 300;
};

// The org's identity provider as configured by its admin.
struct SamlProvider {
    RowId org_id = 0;
    std::string idp_entity_id;
    std::string sso_url;
    std::string slo_url;                          // empty when the IdP has none
    std::vector<std::string> certificates;        // PEM, one or more (rollover)
    std::string metadata_url;                     // empty unless configured from a URL
    std::optional<UnixTime> metadata_fetched_at;  // last successful fetch of metadata_url
    std::string preset = "generic";
    AttributeMapping mapping;
    SamlOptions options;
    UnixTime updated_at = 0;
};

// What kind of OpenID provider an org signs in with instead of SAML.
enum class OidcKind {
    oidc,    // any OpenID Connect issuer, found by its discovery document
    google,  // Google Workspace: OpenID Connect at Google, restricted to hosted domains
    github,  // a GitHub OAuth App, restricted to members of allowed GitHub organizations
};

// The org's OpenID Connect or GitHub sign-in provider, as configured by its admin. An org
// signs in with this or with a SamlProvider, never both.
struct OidcProvider {
    RowId org_id = 0;
    OidcKind kind = OidcKind::oidc;
    // The issuer (exactly as the discovery document and ID tokens name it); for GitHub the
    // web base URL its OAuth endpoints live under.
    std::string issuer;
    std::string client_id;
    std::string client_secret;  // sent to the token endpoint; never shown back or logged
    std::vector<std::string> hosted_domains;  // accepted `hd` values (lowercase); Google
    std::vector<std::string> allowed_orgs;    // github: organization logins (lowercase)
    int clock_skew_seconds = 180;
    // The ID token claims carrying the org role and the groups (teams); empty: none. Not
    // used for GitHub.
    std::string role_claim;
    std::string groups_claim;
    // What the issuer's discovery document and JWKS said when last fetched (JSON text);
    // empty for GitHub, which has neither.
    std::string discovery;
    std::string jwks;
    std::optional<UnixTime> jwks_fetched_at;
    UnixTime updated_at = 0;
};

struct Member {
    RowId id = 0;
    RowId org_id = 0;
    std::string public_id;  // UUID; the SCIM id
    std::string email;
    std::string user_name;  // SCIM userName; unique per org, case-insensitively
    std::string external_id;
    std::string given_name;
    std::string family_name;
    std::string display_name;
    Role role = Role::member;
    MemberState state = MemberState::invited;
    MemberSource source = MemberSource::invited;
    bool idp_managed = false;
    std::string saml_subject;  // empty until linked
    // "<issuer> <subject>" of the OpenID or GitHub identity, empty until linked: a subject
    // is unique only within its issuer.
    std::string oidc_subject;
    std::string password_hash;  // empty when the member has no password
    bool break_glass = false;
    std::string scim_attributes;  // JSON object: SCIM attributes kept as sent (emails, …)
    UnixTime created_at = 0;
    UnixTime updated_at = 0;
    std::optional<UnixTime> last_sign_in_at;
    std::int64_t version = 1;
};

struct Team {
    RowId id = 0;
    RowId org_id = 0;
    std::string public_id;
    std::string slug;
    std::string display_name;
    std::string external_id;
    bool idp_managed = false;
    // Created by a sign-in from a group the IdP sent: members leave it when their sign-in
    // no longer names it.
    bool sign_in_managed = false;
    std::string scim_attributes = "{}";  // JSON object: SCIM extensions kept as sent
    UnixTime created_at = 0;
    UnixTime updated_at = 0;
    std::int64_t version = 1;
};

enum class SessionMethod { password, saml, oidc };

struct Session {
    RowId id = 0;
    RowId org_id = 0;
    RowId member_id = 0;
    SessionMethod method = SessionMethod::password;
    std::string saml_name_id;
    std::string saml_session_index;
    UnixTime created_at = 0;
    UnixTime last_seen_at = 0;
    UnixTime expires_at = 0;
};

// A bearer secret kept only as its SHA-256: a SCIM token an IdP presents, or an admin API
// key. The secret itself is shown once, when it is issued.
struct BearerToken {
    RowId id = 0;
    RowId org_id = 0;
    std::string description;
    UnixTime created_at = 0;
    std::optional<UnixTime> last_used_at;
    std::optional<UnixTime> revoked_at;
};
using ScimToken = BearerToken;
using AdminKey = BearerToken;

struct AuditEntry {
    RowId id = 0;
    RowId org_id = 0;
    UnixTime at = 0;
    std::string actor;   // "member:12", "scim-token:3", "cli", "idp"
    std::string action;  // "saml.sign_in", "scim.user.create", …
    std::string target;
    std::string outcome;  // "success" or "failure"
    std::string reason_code;
    std::string details;  // JSON object
};

// Where a message of the outbox stands: queued (waiting for its next attempt), sending
// (claimed by a sender until next_attempt_at, its lease), sent, or failed for good.
enum class MailState { queued, sending, sent, failed };

// One message of the durable outbox, rendered when queued and sent as stored.
struct OutboundMail {
    RowId id = 0;
    RowId org_id = 0;
    std::string kind;  // what it is for, shown to admins: "invitation", "test", …
    std::string to;    // one address
    std::string subject;
    std::string text_body;
    std::string html_body;
    std::string message_id;  // "<…@…>", fixed when queued and kept across retries
    MailState state = MailState::queued;
    int attempts = 0;
    // When the next attempt is due; while sending, when the sender's claim lapses.
    UnixTime next_attempt_at = 0;
    std::string last_error;  // the last failure (the SMTP server's reply), for admins
    UnixTime created_at = 0;
    std::optional<UnixTime> sent_at;
};

// An invitation to sign in for the first time, sent to an invited member's address. Only the
// SHA-256 of its link's token is kept. Pending while neither accepted nor revoked (and, for
// the link to work, not expired); at most one is pending per member.
struct Invitation {
    RowId id = 0;
    RowId org_id = 0;
    RowId member_id = 0;
    std::string token_hash;                 // SHA-256 of the link's token, raw bytes
    std::optional<std::string> invited_by;  // who invited, as shown; nullopt: the IdP (SCIM)
    std::optional<RowId> mail_id;           // the outbox message that carries the link
    UnixTime created_at = 0;
    UnixTime expires_at = 0;
    std::optional<UnixTime> accepted_at;
    std::optional<UnixTime> revoked_at;
};

}  // namespace gatehouse::core
