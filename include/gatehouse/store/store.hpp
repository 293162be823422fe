// The identity store: one interface over everything Gatehouse persists (orgs, SAML
// providers, members, teams, sessions, SCIM tokens, pending AuthnRequests, the replay cache
// and the audit log). Services reach it only through transactions; see Store below.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/store/query.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::store {

using core::RowId;
using util::UnixTime;

// The bearer secrets the store keeps, each kind in its own table with the same columns.
enum class CredentialKind {
    scim_token,  // authenticates an IdP's SCIM client
    admin_key,   // authenticates a caller of the admin API
};

struct Page {
    std::int64_t offset = 0;  // rows to skip
    std::int64_t limit = 100;
};

template <typename T>
struct PageOf {
    std::int64_t total = 0;  // rows matching, before paging
    std::vector<T> items;
};

struct AuditQuery {
    std::string action_prefix;  // "" = any; "scim." = every SCIM change
    std::string actor;          // "" = any
    std::string target;         // "" = any
    std::string outcome;        // "" = any; "success" or "failure"
    std::optional<UnixTime> since;
    std::optional<UnixTime> until;
    Page page;
};

// A pending AuthnRequest as the ACS needs it.
struct PendingAuthnRequest {
    std::string relay_state;
    // SHA-256 of the login cookie of the browser that started the request; nullopt for a
    // request bound to no browser (a test sign-in started from the API or the CLI).
    std::optional<std::string> browser_hash;
};

// The failed password sign-ins counted for one subject in its current window.
struct SignInFailures {
    std::int64_t failures = 0;  // 0 when no window is open
    UnixTime window_start = 0;  // when the open window started (its first failure)
};

// What a purge deleted, by kind of row (see Transaction::purge_due).
struct PurgeCounts {
    std::int64_t sessions = 0;
    std::int64_t authn_requests = 0;  // pending sign-ins, test sign-ins and logouts
    std::int64_t seen_assertions = 0;
    std::int64_t seen_logout_requests = 0;
    std::int64_t sign_in_throttle = 0;
    std::int64_t audit_entries = 0;

    std::int64_t total() const {
        return sessions + authn_requests + seen_assertions + seen_logout_requests +
               sign_in_throttle + audit_entries;
    }
    PurgeCounts& operator+=(const PurgeCounts& other) {
        sessions += other.sessions;
        authn_requests += other.authn_requests;
        seen_assertions += other.seen_assertions;
        seen_logout_requests += other.seen_logout_requests;
        sign_in_throttle += other.sign_in_throttle;
        audit_entries += other.audit_entries;
        return *this;
    }
};

// How many pending AuthnRequests one org keeps; starting another drops the oldest. Anyone
// may start a sign-in, so without a bound every anonymous GET /auth/login/{org}/ would add a
// row that lives for the request's lifetime. A sign-in completed at the ACS removes its row,
// so what stays pending is only the sign-ins at the IdP right now and the abandoned ones: an
// org where 10,000 people started and did not finish within the lifetime (10 minutes by
// default) is far beyond real use, while 10,000 rows take under 3 MB on disk. The price
// under a flood larger than that is that the oldest genuine requests are dropped and those
// people have to start again; the store, and every other org, stay unharmed. (The bound is
// enforced once per second per org: see Transaction::cap_pending_authn_requests.)
inline constexpr std::int64_t kPendingAuthnRequestCap = 10000;

// How long a sign-in throttle row is kept after its window opened. A day is longer than any
// throttle window, so no decision can depend on a row old enough to purge.
inline constexpr std::int64_t kSignInThrottleRetentionSeconds = 24 * 3600;

// Error codes every implementation uses.
inline constexpr const char* kConflict = "store.conflict";   // a uniqueness rule was broken
inline constexpr const char* kNotFound = "store.not_found";  // the row to change is gone
inline constexpr const char* kFailure = "store.failure";     // the database failed

// One transaction. Every method is scoped by org: a row of another org is never read or
// changed, whatever id is passed. Methods report uniqueness violations as kConflict.
// An empty result (nullopt, an empty list, false) always means the rows are absent: a
// failure of the database never looks like one. It throws inside the store instead, which
// abandons the transaction, and Store::read or Store::write returns kFailure.
// A Transaction is used by one thread at a time and only inside Store::read/write.
class Transaction {
  public:
    virtual ~Transaction() = default;

    // Orgs.
    virtual Result<core::Org> insert_org(core::Org org) = 0;
    virtual std::optional<core::Org> org_by_slug(std::string_view slug) = 0;
    virtual std::optional<core::Org> org_by_id(RowId id) = 0;
    virtual std::vector<core::Org> list_orgs() = 0;
    virtual Status update_org(const core::Org& org) = 0;

    // Org aliases: the earlier slugs of renamed orgs (sqlite_org_aliases.cpp). A slug names
    // at most one org, as its slug or as an alias, so insert_org, rename_org and
    // insert_org_alias fail with kConflict for a slug that is any org's slug or alias.
    // Every org read (org_by_slug, org_by_id, list_orgs, org_by_alias) fills Org::aliases.
    // The org that has `slug` as an alias; nullopt when none has.
    virtual std::optional<core::Org> org_by_alias(std::string_view slug) = 0;
    // The org's aliases, oldest first.
    virtual std::vector<core::OrgAlias> list_org_aliases(RowId org_id) = 0;
    virtual Status insert_org_alias(const core::OrgAlias& alias) = 0;
    // kNotFound when the org has no such alias.
    virtual Status delete_org_alias(RowId org_id, std::string_view slug) = 0;
    // Gives the org `new_slug` and keeps its current slug as an alias created `at`. Renaming
    // to one of the org's own aliases drops that alias instead of conflicting. kConflict when
    // `new_slug` is another org's slug or alias, or already the org's slug; kNotFound when
    // the org is gone. The slug's validity is the caller's to check.
    virtual Status rename_org(RowId org_id, std::string_view new_slug, UnixTime at) = 0;

    // The org's SAML identity provider (at most one per org).
    virtual std::optional<core::SamlProvider> saml_provider(RowId org_id) = 0;
    virtual Status put_saml_provider(const core::SamlProvider& provider) = 0;
    virtual Status delete_saml_provider(RowId org_id) = 0;
    // Every org's provider that was configured from a metadata URL (for the periodic
    // refresh, which visits each org in turn), ordered by org id.
    virtual std::vector<core::SamlProvider> providers_with_metadata_url() = 0;

    // The org's OpenID Connect or GitHub provider (at most one per org; sqlite_oidc.cpp).
    // put_oidc_provider stores it whole, replacing any previous one.
    virtual std::optional<core::OidcProvider> oidc_provider(RowId org_id) = 0;
    virtual Status put_oidc_provider(const core::OidcProvider& provider) = 0;
    virtual Status delete_oidc_provider(RowId org_id) = 0;

    // Members. insert_member assigns id, created/updated times and version 1; update_member
    // bumps version and updated_at. user_name, email and external_id compare
    // case-insensitively (ASCII) where noted.
    virtual Result<core::Member> insert_member(core::Member member) = 0;
    virtual std::optional<core::Member> member_by_id(RowId org_id, RowId id) = 0;
    virtual std::optional<core::Member> member_by_public_id(RowId org_id,
                                                            std::string_view public_id) = 0;
    virtual std::optional<core::Member> member_by_user_name(RowId org_id,
                                                            std::string_view user_name) = 0;
    virtual std::optional<core::Member> member_by_email(RowId org_id, std::string_view email) = 0;
    virtual std::optional<core::Member> member_by_external_id(RowId org_id,
                                                              std::string_view external_id) = 0;
    virtual std::optional<core::Member> member_by_saml_subject(RowId org_id,
                                                               std::string_view subject) = 0;
    // By Member::oidc_subject ("<issuer> <subject>"), compared exactly.
    virtual std::optional<core::Member> member_by_oidc_subject(RowId org_id,
                                                               std::string_view subject) = 0;
    virtual Result<core::Member> update_member(core::Member member) = 0;
    virtual Status delete_member(RowId org_id, RowId id) = 0;
    // The org's members that `query` selects, ordered by id; total counts them all.
    virtual PageOf<core::Member> list_members(RowId org_id, const MemberQuery& query,
                                              Page page) = 0;
    // How many of the org's members `query` selects (the database counts; no row is read).
    std::int64_t count_members(RowId org_id, const MemberQuery& query) {
        return list_members(org_id, query, Page{0, 0}).total;
    }

    // Teams and their members.
    virtual Result<core::Team> insert_team(core::Team team) = 0;
    virtual std::optional<core::Team> team_by_public_id(RowId org_id,
                                                        std::string_view public_id) = 0;
    virtual std::optional<core::Team> team_by_slug(RowId org_id, std::string_view slug) = 0;
    virtual Result<core::Team> update_team(core::Team team) = 0;
    virtual Status delete_team(RowId org_id, RowId id) = 0;
    // The org's teams that `query` selects, ordered by id.
    virtual PageOf<core::Team> list_teams(RowId org_id, const TeamQuery& query, Page page) = 0;
    // Adding an existing membership or removing a missing one is not an error.
    virtual Status add_team_member(RowId org_id, RowId team_id, RowId member_id) = 0;
    virtual Status remove_team_member(RowId org_id, RowId team_id, RowId member_id) = 0;
    virtual Status clear_team_members(RowId org_id, RowId team_id) = 0;
    // (member public id, display name) of every member of the team, ordered by member id.
    virtual std::vector<std::pair<std::string, std::string>> team_members(RowId org_id,
                                                                          RowId team_id) = 0;
    virtual std::vector<core::Team> teams_of_member(RowId org_id, RowId member_id) = 0;

    // Sessions, found by the SHA-256 of the session ID (never the ID itself).
    virtual Result<core::Session> insert_session(core::Session session,
                                                 std::string_view id_hash) = 0;
    virtual std::optional<core::Session> session_by_hash(std::string_view id_hash) = 0;
    virtual Status touch_session(RowId org_id, RowId session_id, UnixTime at) = 0;
    virtual Status delete_session(RowId org_id, RowId session_id) = 0;
    // How many password sessions of the org are stored (what Require SSO would end).
    virtual std::int64_t count_password_sessions(RowId org_id) = 0;
    // These return how many sessions were ended.
    virtual std::int64_t delete_member_sessions(RowId org_id, RowId member_id) = 0;
    virtual std::int64_t delete_password_sessions(RowId org_id) = 0;
    virtual std::int64_t delete_saml_sessions(RowId org_id, std::string_view name_id,
                                              const std::vector<std::string>& session_indexes) = 0;

    // Bearer credentials (SCIM tokens, admin API keys), found by the SHA-256 of the secret;
    // the secret itself is never stored. insert_credential stamps created_at with the
    // store's clock; kConflict when the hash is taken.
    virtual Result<core::BearerToken> insert_credential(CredentialKind kind, RowId org_id,
                                                        std::string_view secret_hash,
                                                        std::string_view description) = 0;
    // The credential of this kind with this hash that is not revoked, and its org.
    virtual std::optional<core::BearerToken> active_credential(CredentialKind kind,
                                                               std::string_view secret_hash) = 0;
    // The stored hash of the org's credential `id` (revoked or not), so the caller can
    // compare it in constant time with the hash it looked the credential up by.
    virtual std::optional<std::string> credential_hash(CredentialKind kind, RowId org_id,
                                                       RowId id) = 0;
    // The org's credentials of this kind, revoked ones included, by id.
    virtual std::vector<core::BearerToken> list_credentials(CredentialKind kind, RowId org_id) = 0;
    // kNotFound when the org has no such credential not yet revoked.
    virtual Status revoke_credential(CredentialKind kind, RowId org_id, RowId id, UnixTime at) = 0;
    virtual Status touch_credential(CredentialKind kind, RowId org_id, RowId id, UnixTime at) = 0;

    // Pending AuthnRequests (for InResponseTo).
    virtual Status insert_authn_request(RowId org_id, std::string_view request_id,
                                        std::string_view relay_state, UnixTime expires_at) = 0;
    virtual bool authn_request_pending(RowId org_id, std::string_view request_id, UnixTime now) = 0;
    // The relay state of a pending request, read without consuming it; nullopt when none.
    virtual std::optional<std::string> pending_authn_request_relay(RowId org_id,
                                                                   std::string_view request_id,
                                                                   UnixTime now) = 0;
    // Removes a pending request; returns its relay state, nullopt when none was pending.
    virtual std::optional<std::string> consume_authn_request(RowId org_id,
                                                             std::string_view request_id,
                                                             UnixTime now) = 0;

    // Binds a pending request to the browser whose login cookie hashes to `browser_hash`
    // (call in the transaction that inserted it). kNotFound when no such request is stored.
    virtual Status bind_authn_request(RowId org_id, std::string_view request_id,
                                      std::string_view browser_hash) = 0;
    // A pending request with its browser binding, read without consuming it; nullopt when
    // none is pending at `now`.
    virtual std::optional<PendingAuthnRequest> pending_authn_request(RowId org_id,
                                                                     std::string_view request_id,
                                                                     UnixTime now) = 0;

    // Replay cache of accepted assertion IDs.
    virtual bool assertion_seen(RowId org_id, std::string_view assertion_id, UnixTime now) = 0;
    virtual Status remember_assertion(RowId org_id, std::string_view assertion_id,
                                      UnixTime until) = 0;

    // Replay cache of accepted LogoutRequest IDs (sqlite_logout.cpp).
    virtual bool logout_request_seen(RowId org_id, std::string_view request_id, UnixTime now) = 0;
    virtual Status remember_logout_request(RowId org_id, std::string_view request_id,
                                           UnixTime until) = 0;

    // Failed password sign-ins per subject ("account:<email>", "address:<ip>"), counted in
    // fixed windows of `window_seconds` that open at the first failure; shared by every
    // process using the store (sqlite_throttle.cpp).
    // The failures of the window open at `now`; zero when the last one has closed.
    virtual SignInFailures sign_in_failures(RowId org_id, std::string_view subject, UnixTime now,
                                            std::int64_t window_seconds) = 0;
    // Counts one failure in the open window, or opens a new one at `now`; returns the count
    // after it.
    virtual SignInFailures record_sign_in_failure(RowId org_id, std::string_view subject,
                                                  UnixTime now, std::int64_t window_seconds) = 0;
    // Forgets the subject's failures (after a successful sign-in).
    virtual Status clear_sign_in_failures(RowId org_id, std::string_view subject) = 0;

    // Audit log.
    virtual Status append_audit(core::AuditEntry entry) = 0;
    virtual PageOf<core::AuditEntry> list_audit(RowId org_id, const AuditQuery& query) = 0;

    // Drops expired sessions, pending requests and replay entries (assertions and
    // LogoutRequests), all in one go; returns rows removed. Maintenance uses purge_due.
    virtual std::int64_t purge_expired(UnixTime now) = 0;

    // Maintenance (sqlite_maintenance.cpp).
    // Deletes at most `limit` rows in all that nothing needs any more, taking the kinds in
    // this order: sessions, pending requests (sign-ins, test sign-ins, logouts) and replay
    // entries whose expiry is at or before `now`; sign-in throttle rows whose window opened
    // kSignInThrottleRetentionSeconds or more before `now`; audit entries older than their
    // org's audit_retention_days (an org with 0 or less keeps its log forever). When the
    // result's total() is below `limit`, nothing due is left. Meant to be called again and
    // again in short transactions, so that no purge holds the writer long.
    virtual PurgeCounts purge_due(UnixTime now, std::int64_t limit) = 0;
    // Periodic work shared by every process using the store (purges, metadata refreshes):
    // takes the job `name` until `held_until` when nobody holds it at `now` (never taken, or
    // held until `now` or earlier) and returns true; returns false, changing nothing, when
    // another taker's hold runs past `now`. Write transactions are serialised, so of several
    // processes asking at once exactly one gets the job.
    virtual bool claim_job(std::string_view name, UnixTime now, UnixTime held_until) = 0;
    // Bounds the org's pending requests; call it right after inserting one. When the org's
    // newest request is the only one expiring in its second, keeps the `cap` requests that
    // expire last, deletes the others (oldest first) and returns how many it deleted;
    // otherwise returns 0 at once. Deciding which to drop walks up to `cap` index entries
    // (a fraction of a millisecond at 10,000), so the walk runs at most once per second per
    // org however fast requests arrive, and an org holds at most `cap` requests plus those
    // started within the last second.
    virtual std::int64_t cap_pending_authn_requests(RowId org_id, std::int64_t cap) = 0;

    // SCIM provisioning.
    // The row ids of the org's members with these public ids, in the same order; nullopt
    // for an id that names no member of the org.
    virtual std::vector<std::optional<RowId>> member_row_ids(
        RowId org_id, const std::vector<std::string>& public_ids) = 0;

    // The outbox of mail (sqlite_outbox.cpp). A message is inserted in the transaction of
    // the change that caused it, so it is committed with that change or not at all.
    // Inserts a queued message (state, attempts and created_at as given; a zero created_at
    // becomes now). kConflict when its message_id is already stored.
    virtual Result<core::OutboundMail> insert_outbound_mail(core::OutboundMail mail) = 0;
    virtual std::optional<core::OutboundMail> outbound_mail_by_id(RowId org_id, RowId id) = 0;
    // The org's messages, newest first.
    virtual PageOf<core::OutboundMail> list_outbound_mail(RowId org_id, Page page) = 0;
    // Messages of one org or of every org (org_id nullopt), in one state or any, newest
    // first (for the command line).
    virtual PageOf<core::OutboundMail> list_all_outbound_mail(std::optional<RowId> org_id,
                                                              std::optional<core::MailState> state,
                                                              Page page) = 0;
    // Claims up to `limit` messages of any org that are due at `now`: queued ones whose
    // next attempt has come, and sending ones whose claim has lapsed (their sender died).
    // Each becomes `sending` with attempts + 1 and next_attempt_at = now + lease_seconds,
    // and is returned as changed, oldest due first. Writes are serialised, so two
    // processes sharing the store never claim one message at once.
    virtual std::vector<core::OutboundMail> claim_due_outbound_mail(UnixTime now,
                                                                    std::int64_t lease_seconds,
                                                                    std::int64_t limit) = 0;
    // Records that the server accepted the message (clearing last_error), whichever claim
    // is current: no later attempt may send it again. kNotFound when it is sent or failed.
    virtual Status mark_outbound_mail_sent(RowId org_id, RowId id, UnixTime at) = 0;
    // These settle the claim that made the message's attempt number `attempt` (back to
    // queued until `next_attempt_at`, or failed for good), and return kNotFound when that
    // claim is no longer held: claimed again after its lease lapsed, or settled already.
    virtual Status retry_outbound_mail(RowId org_id, RowId id, int attempt,
                                       UnixTime next_attempt_at, std::string_view error) = 0;
    virtual Status fail_outbound_mail(RowId org_id, RowId id, int attempt,
                                      std::string_view error) = 0;

    // Invitations (sqlite_invitations.cpp). insert_invitation assigns the id; kConflict when
    // the token hash is taken. The lookup by hash finds accepted, revoked and expired ones
    // too, so the caller can say which. pending_invitation is the member's newest one neither
    // accepted nor revoked, expired or not; list_pending_invitations pages those of the org,
    // newest first. accept_invitation and end_pending_invitations change only pending ones
    // and return how many they changed.
    virtual Result<core::Invitation> insert_invitation(core::Invitation invitation) = 0;
    virtual std::optional<core::Invitation> invitation_by_token_hash(
        RowId org_id, std::string_view token_hash) = 0;
    virtual std::optional<core::Invitation> pending_invitation(RowId org_id, RowId member_id) = 0;
    virtual PageOf<core::Invitation> list_pending_invitations(RowId org_id, Page page) = 0;
    virtual std::int64_t accept_invitation(RowId org_id, RowId invitation_id, UnixTime at) = 0;
    virtual std::int64_t end_pending_invitations(RowId org_id, RowId member_id, UnixTime at) = 0;
};

// Owns the database. Thread-safe: any number of threads may call read() and write() at
// once. Writes are serialised (one writer at a time, as SQLite allows); reads run in
// parallel on their own connections and see the last committed state.
class Store {
  public:
    virtual ~Store() = default;

    // Runs `work` in a read-only transaction.
    virtual Status read(const std::function<Status(Transaction&)>& work) = 0;

    // Runs `work` in a write transaction: committed when it returns ok, rolled back (nothing
    // changed) when it returns an error or throws. Once write() returns ok the change is
    // durable across a crash of the process.
    virtual Status write(const std::function<Status(Transaction&)>& work) = 0;

    // The schema version in force after migrations.
    virtual int schema_version() const = 0;
};

// Opens (creating if needed) the SQLite store at `path` and applies pending migrations.
// ":memory:" gives a private in-memory store (single connection; for tests). Rows the
// store stamps (created_at, updated_at where the caller gave none) take `clock`'s time; the
// clock must outlive the store.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const util::Clock& clock = util::system_clock());

// The newest schema version this build knows.
int latest_schema_version();

// Opens the PostgreSQL store at `url` (a libpq connection URL, postgresql://...), creating
// the schema in an empty database; several processes may open one database at once. Fails
// with kFailure when the server cannot be reached or the schema is newer than this build.
// Write transactions are serialised across every process sharing the database (an advisory
// lock taken at BEGIN), as SQLite's single writer serialises them, so the rules a write
// checks before it changes anything (a pending AuthnRequest consumed once, the replay
// caches, one userName per org, the last owner) hold for a fleet. Reads run in parallel on
// a bounded pool of connections (16), each in one consistent snapshot. Rows the store stamps
// take `clock`'s time; the clock must outlive the store.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url,
                                                   const util::Clock& clock = util::system_clock());

// True when `db` names a PostgreSQL database (postgresql:// or postgres://).
bool is_postgres_url(std::string_view db);

// `db` as logs and messages may show it: a SQLite path as given; a PostgreSQL URL without
// its password and without its query (which may carry one), e.g.
// "postgresql://gatehouse:***@db.internal:5432/gatehouse".
std::string loggable_db(std::string_view db);

// `store`, with the time of each read() and write() and its outcome recorded in the process's
// metrics (gatehouse_store_transaction_duration_seconds).
std::unique_ptr<Store> with_transaction_metrics(std::unique_ptr<Store> store);

// Opens the store `db` names: a postgresql:// or postgres:// URL opens PostgreSQL, anything
// else is the path of a SQLite file.
Result<std::unique_ptr<Store>> open_store(const std::string& db,
                                          const util::Clock& clock = util::system_clock());

}  // namespace gatehouse::store
