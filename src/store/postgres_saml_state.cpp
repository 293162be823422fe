// Short-lived sign-in state: pending AuthnRequests, the replay caches of assertions and
// LogoutRequests, the password sign-in throttle; and the audit log. Consuming a request,
// checking a replay and counting a failure are reads followed by writes in one transaction;
// they hold across processes because write transactions are serialised (postgres_store.cpp).
#include "postgres_transaction.hpp"

namespace gatehouse::store::postgres {

Status PostgresTransaction::insert_authn_request(RowId org_id, std::string_view request_id,
                                                 std::string_view relay_state,
                                                 UnixTime expires_at) {
    try {
        db_.query_guarded(
            "INSERT INTO authn_requests (org_id, request_id, relay_state, expires_at) "
            "VALUES ($1,$2,$3,$4)",
            {org_id, request_id, relay_state, expires_at});
    } catch (const ConstraintError&) {
        return fail(kConflict, "The AuthnRequest ID is already pending.");
    }
    return {};
}

bool PostgresTransaction::authn_request_pending(RowId org_id, std::string_view request_id,
                                                UnixTime now) {
    return !db_.query(
                   "SELECT 1 FROM authn_requests WHERE org_id = $1 AND request_id = $2 AND "
                   "expires_at > $3",
                   {org_id, request_id, now})
                .empty();
}

std::optional<std::string> PostgresTransaction::pending_authn_request_relay(
    RowId org_id, std::string_view request_id, UnixTime now) {
    const Rows rows = db_.query(
        "SELECT relay_state FROM authn_requests WHERE org_id = $1 AND request_id = $2 AND "
        "expires_at > $3",
        {org_id, request_id, now});
    if (rows.empty()) return std::nullopt;
    return rows.text(0, 0);
}

std::optional<std::string> PostgresTransaction::consume_authn_request(RowId org_id,
                                                                      std::string_view request_id,
                                                                      UnixTime now) {
    // An expired request is removed too, but reported as not pending.
    const Rows rows = db_.query(
        "DELETE FROM authn_requests WHERE org_id = $1 AND request_id = $2 "
        "RETURNING relay_state, expires_at",
        {org_id, request_id});
    if (rows.empty() || rows.integer(0, 1) <= now) return std::nullopt;
    return rows.text(0, 0);
}

Status PostgresTransaction::bind_authn_request(RowId org_id, std::string_view request_id,
                                               std::string_view browser_hash) {
    const Rows rows = db_.query(
        "UPDATE authn_requests SET browser_hash = $1 WHERE org_id = $2 AND request_id = $3",
        {Param::bytes(browser_hash), org_id, request_id});
    if (rows.affected() == 0) return fail(kNotFound, "No pending AuthnRequest with that ID.");
    return {};
}

std::optional<PendingAuthnRequest> PostgresTransaction::pending_authn_request(
    RowId org_id, std::string_view request_id, UnixTime now) {
    const Rows rows = db_.query(
        "SELECT relay_state, browser_hash FROM authn_requests WHERE org_id = $1 AND "
        "request_id = $2 AND expires_at > $3",
        {org_id, request_id, now});
    if (rows.empty()) return std::nullopt;
    PendingAuthnRequest pending;
    pending.relay_state = rows.text(0, 0);
    if (!rows.is_null(0, 1)) pending.browser_hash = rows.bytes(0, 1);
    return pending;
}

bool PostgresTransaction::assertion_seen(RowId org_id, std::string_view assertion_id,
                                         UnixTime now) {
    return !db_.query(
                   "SELECT 1 FROM seen_assertions WHERE org_id = $1 AND assertion_id = $2 AND "
                   "expires_at > $3",
                   {org_id, assertion_id, now})
                .empty();
}

Status PostgresTransaction::remember_assertion(RowId org_id, std::string_view assertion_id,
                                               UnixTime until) {
    // An expired entry with the same ID may linger until the next purge: replace it.
    db_.query(
        "INSERT INTO seen_assertions (org_id, assertion_id, expires_at) VALUES ($1,$2,$3) "
        "ON CONFLICT (org_id, assertion_id) DO UPDATE SET expires_at = "
        "greatest(seen_assertions.expires_at, excluded.expires_at)",
        {org_id, assertion_id, until});
    return {};
}

bool PostgresTransaction::logout_request_seen(RowId org_id, std::string_view request_id,
                                              UnixTime now) {
    return !db_.query(
                   "SELECT 1 FROM seen_logout_requests WHERE org_id = $1 AND request_id = $2 "
                   "AND expires_at > $3",
                   {org_id, request_id, now})
                .empty();
}

Status PostgresTransaction::remember_logout_request(RowId org_id, std::string_view request_id,
                                                    UnixTime until) {
    db_.query(
        "INSERT INTO seen_logout_requests (org_id, request_id, expires_at) VALUES ($1,$2,$3) "
        "ON CONFLICT (org_id, request_id) DO UPDATE SET expires_at = "
        "greatest(seen_logout_requests.expires_at, excluded.expires_at)",
        {org_id, request_id, until});
    return {};
}

SignInFailures PostgresTransaction::sign_in_failures(RowId org_id, std::string_view subject,
                                                     UnixTime now, std::int64_t window_seconds) {
    const Rows rows = db_.query(
        "SELECT failures, window_start FROM sign_in_throttle WHERE org_id = $1 AND subject = $2 "
        "AND window_start > $3",
        {org_id, subject, now - window_seconds});
    SignInFailures counted;
    if (!rows.empty()) {
        counted.failures = rows.integer(0, 0);
        counted.window_start = rows.integer(0, 1);
    }
    return counted;
}

SignInFailures PostgresTransaction::record_sign_in_failure(RowId org_id, std::string_view subject,
                                                           UnixTime now,
                                                           std::int64_t window_seconds) {
    // A row whose window has closed is restarted in place rather than deleted first, so
    // one statement settles both cases.
    const Rows rows = db_.query(
        "INSERT INTO sign_in_throttle AS t (org_id, subject, window_start, failures) "
        "VALUES ($1, $2, $3, 1) "
        "ON CONFLICT (org_id, subject) DO UPDATE SET "
        "failures = CASE WHEN t.window_start > $3 - $4::bigint THEN t.failures + 1 ELSE 1 END, "
        "window_start = CASE WHEN t.window_start > $3 - $4::bigint THEN t.window_start "
        "ELSE $3 END RETURNING failures, window_start",
        {org_id, subject, now, window_seconds});
    SignInFailures counted;
    if (!rows.empty()) {
        counted.failures = rows.integer(0, 0);
        counted.window_start = rows.integer(0, 1);
    }
    return counted;
}

Status PostgresTransaction::clear_sign_in_failures(RowId org_id, std::string_view subject) {
    db_.query("DELETE FROM sign_in_throttle WHERE org_id = $1 AND subject = $2", {org_id, subject});
    return {};
}

Status PostgresTransaction::append_audit(core::AuditEntry e) {
    if (e.at == 0) e.at = now_seconds();
    if (e.details.empty()) e.details = "{}";
    db_.query(
        "INSERT INTO audit_log (org_id, at, actor, action, target, outcome, reason_code, "
        "details) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        {e.org_id, e.at, e.actor, e.action, e.target, e.outcome, e.reason_code, e.details});
    return {};
}

PageOf<core::AuditEntry> PostgresTransaction::list_audit(RowId org_id, const AuditQuery& q) {
    // Fixed SQL text with optional conditions switched by parameters keeps one prepared
    // statement.
    const std::string where =
        " FROM audit_log WHERE org_id = $1 AND ($2::text = '' OR left(action, length($2)) = $2) "
        "AND ($3::text = '' OR actor = $3) AND ($4::bigint IS NULL OR at >= $4) "
        "AND ($5::bigint IS NULL OR at <= $5) AND ($6::text = '' OR target = $6) "
        "AND ($7::text = '' OR outcome = $7)";
    Params params = {org_id,
                     q.action_prefix,
                     q.actor,
                     q.since ? std::optional<std::int64_t>(*q.since) : std::nullopt,
                     q.until ? std::optional<std::int64_t>(*q.until) : std::nullopt,
                     q.target,
                     q.outcome};
    PageOf<core::AuditEntry> result;
    result.total = db_.query("SELECT count(*)" + where, params).integer(0, 0);
    params.emplace_back(q.page.limit < 0 ? Param(nullptr) : Param(q.page.limit));
    params.emplace_back(q.page.offset);
    const Rows rows =
        db_.query("SELECT id, org_id, at, actor, action, target, outcome, reason_code, details" +
                      where + " ORDER BY id DESC LIMIT $8 OFFSET $9",
                  params);
    for (int i = 0; i < rows.size(); ++i) {
        core::AuditEntry e;
        e.id = rows.integer(i, 0);
        e.org_id = rows.integer(i, 1);
        e.at = rows.integer(i, 2);
        e.actor = rows.text(i, 3);
        e.action = rows.text(i, 4);
        e.target = rows.text(i, 5);
        e.outcome = rows.text(i, 6);
        e.reason_code = rows.text(i, 7);
        e.details = rows.text(i, 8);
        result.items.push_back(std::move(e));
    }
    return result;
}

}  // namespace gatehouse::store::postgres
