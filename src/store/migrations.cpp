#include "migrations.hpp"

#include <array>
#include <string>

namespace gatehouse::store::sqlite {
namespace {

// Each entry moves the schema from version i to i + 1. Never edit a released entry: add one.
// Every table carries org_id, and every index a query uses starts with it.
constexpr std::array kMigrations = {
    // 1: the identity store.
    R"sql(
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    default_role TEXT NOT NULL DEFAULT 'member',
    require_sso INTEGER NOT NULL DEFAULT 0,
    scim_enabled INTEGER NOT NULL DEFAULT 0,
    jit_provisioning INTEGER NOT NULL DEFAULT 1,
    allow_idp_initiated INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE saml_providers (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    idp_entity_id TEXT NOT NULL,
    sso_url TEXT NOT NULL,
    slo_url TEXT NOT NULL DEFAULT '',
    certificates TEXT NOT NULL,
    metadata_url TEXT NOT NULL DEFAULT '',
    preset TEXT NOT NULL DEFAULT 'generic',
    attribute_mapping TEXT NOT NULL,
    options TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    public_id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL COLLATE NOCASE,
    user_name TEXT COLLATE NOCASE,
    external_id TEXT,
    given_name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    source TEXT NOT NULL,
    idp_managed INTEGER NOT NULL DEFAULT 0,
    saml_subject TEXT,
    password_hash TEXT,
    break_glass INTEGER NOT NULL DEFAULT 0,
    scim_attributes TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_sign_in_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX members_user_name ON members(org_id, user_name);
CREATE UNIQUE INDEX members_saml_subject ON members(org_id, saml_subject);
CREATE INDEX members_email ON members(org_id, email);
CREATE INDEX members_external_id ON members(org_id, external_id);
CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    public_id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL,
    display_name TEXT NOT NULL,
    external_id TEXT,
    idp_managed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX teams_slug ON teams(org_id, slug);
CREATE INDEX teams_display_name ON teams(org_id, display_name COLLATE NOCASE);
CREATE TABLE team_members (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, member_id)
) WITHOUT ROWID;
CREATE INDEX team_members_member ON team_members(member_id);
CREATE TABLE scim_tokens (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX scim_tokens_org ON scim_tokens(org_id);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    id_hash BLOB NOT NULL UNIQUE,
    method TEXT NOT NULL,
    saml_name_id TEXT NOT NULL DEFAULT '',
    saml_session_index TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_member ON sessions(org_id, member_id);
CREATE INDEX sessions_name_id ON sessions(org_id, saml_name_id);
CREATE TABLE authn_requests (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    request_id TEXT NOT NULL,
    relay_state TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, request_id)
) WITHOUT ROWID;
CREATE TABLE seen_assertions (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    assertion_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, assertion_id)
) WITHOUT ROWID;
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    reason_code TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_org ON audit_log(org_id, id);
)sql",
    // 2: faster expiry sweeps.
    R"sql(
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE INDEX authn_requests_expires ON authn_requests(expires_at);
CREATE INDEX seen_assertions_expires ON seen_assertions(expires_at);
)sql",
    // 3: admin API keys; when a provider's metadata URL was last fetched.
    R"sql(
CREATE TABLE admin_keys (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX admin_keys_org ON admin_keys(org_id);
ALTER TABLE saml_providers ADD COLUMN metadata_fetched_at INTEGER;
)sql",
    // 4: audit retention per org; pending requests bound to the browser that started them
    // and capped per org (oldest first); a replay cache for LogoutRequests; password
    // sign-in throttling that holds across processes sharing the store.
    R"sql(
ALTER TABLE orgs ADD COLUMN audit_retention_days INTEGER NOT NULL DEFAULT 400;
ALTER TABLE authn_requests ADD COLUMN browser_hash BLOB;
CREATE INDEX authn_requests_org_expires ON authn_requests(org_id, expires_at);
CREATE TABLE seen_logout_requests (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    request_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, request_id)
) WITHOUT ROWID;
CREATE INDEX seen_logout_requests_expires ON seen_logout_requests(expires_at);
CREATE TABLE sign_in_throttle (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    PRIMARY KEY (org_id, subject)
) WITHOUT ROWID;
CREATE INDEX sign_in_throttle_window ON sign_in_throttle(window_start);
CREATE INDEX audit_log_org_at ON audit_log(org_id, at);
)sql",
    // 5: SCIM extensions a group carries, kept as the IdP sent them (members already keep
    // theirs in members.scim_attributes).
    R"sql(
ALTER TABLE teams ADD COLUMN scim_attributes TEXT NOT NULL DEFAULT '{}';
)sql",
    // 6: sign-in with OpenID Connect or GitHub: the org's provider (with its discovery
    // document and keys as last fetched) and the identity each member is linked to.
    R"sql(
CREATE TABLE oidc_providers (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    hosted_domains TEXT NOT NULL DEFAULT '[]',
    allowed_orgs TEXT NOT NULL DEFAULT '[]',
    clock_skew_seconds INTEGER NOT NULL DEFAULT 180,
    discovery TEXT NOT NULL DEFAULT '',
    jwks TEXT NOT NULL DEFAULT '',
    jwks_fetched_at INTEGER,
    updated_at INTEGER NOT NULL
);
ALTER TABLE members ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX members_oidc_subject ON members(org_id, oidc_subject);
)sql",
    // 7: sign-ins that set roles and teams: the org option, the OpenID claims that carry
    // them, and which teams a sign-in created.
    R"sql(
ALTER TABLE orgs ADD COLUMN apply_sign_in_attributes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE oidc_providers ADD COLUMN role_claim TEXT NOT NULL DEFAULT '';
ALTER TABLE oidc_providers ADD COLUMN groups_claim TEXT NOT NULL DEFAULT '';
ALTER TABLE teams ADD COLUMN sign_in_managed INTEGER NOT NULL DEFAULT 0;
)sql",
    // 8: the durable outbox of mail: messages rendered when queued, with the state of their
    // delivery. While a message is `sending`, next_attempt_at is when its claim lapses.
    R"sql(
CREATE TABLE outbound_mail (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbound_mail_org ON outbound_mail(org_id, id);
CREATE INDEX outbound_mail_due ON outbound_mail(state, next_attempt_at);
)sql",
    // 9: the earlier slugs of renamed orgs. A slug names at most one org, whether as its slug
    // or as an alias: UNIQUE covers the aliases, the triggers the two tables against each
    // other (RAISE(ABORT) fails as a constraint, which the store reports as a conflict).
    R"sql(
CREATE TABLE org_aliases (
    slug TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX org_aliases_org ON org_aliases(org_id, created_at);
CREATE TRIGGER org_aliases_not_a_slug BEFORE INSERT ON org_aliases
WHEN EXISTS (SELECT 1 FROM orgs WHERE slug = NEW.slug)
BEGIN SELECT RAISE(ABORT, 'the slug is an organization''s slug'); END;
CREATE TRIGGER orgs_insert_not_an_alias BEFORE INSERT ON orgs
WHEN EXISTS (SELECT 1 FROM org_aliases WHERE slug = NEW.slug)
BEGIN SELECT RAISE(ABORT, 'the slug is an alias of an organization'); END;
CREATE TRIGGER orgs_rename_not_an_alias BEFORE UPDATE OF slug ON orgs
WHEN EXISTS (SELECT 1 FROM org_aliases WHERE slug = NEW.slug)
BEGIN SELECT RAISE(ABORT, 'the slug is an alias of an organization'); END;
)sql",
    // 10: invitations to sign in for the first time, sent by mail to invited members. Only
    // the SHA-256 of the link's token is kept; at most one pending invitation per member.
    R"sql(
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    invited_by TEXT,
    mail_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    accepted_at INTEGER,
    revoked_at INTEGER
);
CREATE UNIQUE INDEX invitations_pending ON invitations(org_id, member_id)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_member ON invitations(org_id, member_id);
)sql",
    // 11: periodic work taken by one process at a time among all that share the store
    // (Transaction::claim_job): the job's name and when its current hold ends.
    R"sql(
CREATE TABLE job_claims (
    name TEXT PRIMARY KEY,
    held_until INTEGER NOT NULL
);
)sql",
};

int user_version(Connection& connection) {
    auto cursor = connection.query("PRAGMA user_version");
    return cursor.step() ? static_cast<int>(cursor.integer(0)) : 0;
}

}  // namespace

int newest_version() { return static_cast<int>(kMigrations.size()); }

int migrate(Connection& connection) {
    int version = user_version(connection);
    if (version > newest_version()) {
        throw DatabaseError("the database has schema version " + std::to_string(version) +
                            ", newer than this build of Gatehouse knows (" +
                            std::to_string(newest_version()) + ")");
    }
    while (version < newest_version()) {
        connection.exec("BEGIN IMMEDIATE");
        try {
            // Another process may have migrated while we waited for the lock.
            version = user_version(connection);
            if (version < newest_version()) {
                connection.exec(kMigrations[static_cast<std::size_t>(version)]);
                ++version;
                connection.exec("PRAGMA user_version = " + std::to_string(version));
            }
            connection.exec("COMMIT");
        } catch (...) {
            connection.exec("ROLLBACK");
            throw;
        }
    }
    return version;
}

}  // namespace gatehouse::store::sqlite
