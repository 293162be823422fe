#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {

Status SqliteTransaction::insert_authn_request(RowId org_id, std::string_view request_id,
                                               std::string_view relay_state, UnixTime expires_at) {
    try {
        db_.query(
               "INSERT INTO authn_requests (org_id, request_id, relay_state, expires_at) "
               "VALUES (?,?,?,?)")
            .bind(org_id)
            .bind(request_id)
            .bind(relay_state)
            .bind(expires_at)
            .run();
    } catch (const ConstraintError&) {
        return fail(kConflict, "The AuthnRequest ID is already pending.");
    }
    return {};
}

bool SqliteTransaction::authn_request_pending(RowId org_id, std::string_view request_id,
                                              UnixTime now) {
    auto c = db_.query(
        "SELECT 1 FROM authn_requests WHERE org_id = ? AND request_id = ? AND expires_at > ?");
    c.bind(org_id).bind(request_id).bind(now);
    return c.step();
}

std::optional<std::string> SqliteTransaction::pending_authn_request_relay(
    RowId org_id, std::string_view request_id, UnixTime now) {
    auto c = db_.query(
        "SELECT relay_state FROM authn_requests WHERE org_id = ? AND request_id = ? AND "
        "expires_at > ?");
    c.bind(org_id).bind(request_id).bind(now);
    if (!c.step()) return std::nullopt;
    return c.text(0);
}

std::optional<std::string> SqliteTransaction::consume_authn_request(RowId org_id,
                                                                    std::string_view request_id,
                                                                    UnixTime now) {
    auto c = db_.query(
        "DELETE FROM authn_requests WHERE org_id = ? AND request_id = ? RETURNING relay_state, "
        "expires_at");
    c.bind(org_id).bind(request_id);
    if (!c.step()) return std::nullopt;
    std::string relay_state = c.text(0);
    const UnixTime expires_at = c.integer(1);
    while (c.step()) {
    }
    if (expires_at <= now) return std::nullopt;
    return relay_state;
}

Status SqliteTransaction::bind_authn_request(RowId org_id, std::string_view request_id,
                                             std::string_view browser_hash) {
    db_.query("UPDATE authn_requests SET browser_hash = ? WHERE org_id = ? AND request_id = ?")
        .bind_blob(browser_hash)
        .bind(org_id)
        .bind(request_id)
        .run();
    if (db_.changes() == 0) return fail(kNotFound, "No pending AuthnRequest with that ID.");
    return {};
}

std::optional<PendingAuthnRequest> SqliteTransaction::pending_authn_request(
    RowId org_id, std::string_view request_id, UnixTime now) {
    auto c = db_.query(
        "SELECT relay_state, browser_hash FROM authn_requests WHERE org_id = ? AND "
        "request_id = ? AND expires_at > ?");
    c.bind(org_id).bind(request_id).bind(now);
    if (!c.step()) return std::nullopt;
    PendingAuthnRequest pending;
    pending.relay_state = c.text(0);
    if (!c.is_null(1)) pending.browser_hash = c.text(1);
    return pending;
}

bool SqliteTransaction::assertion_seen(RowId org_id, std::string_view assertion_id, UnixTime now) {
    auto c = db_.query(
        "SELECT 1 FROM seen_assertions WHERE org_id = ? AND assertion_id = ? AND expires_at > ?");
    c.bind(org_id).bind(assertion_id).bind(now);
    return c.step();
}

Status SqliteTransaction::remember_assertion(RowId org_id, std::string_view assertion_id,
                                             UnixTime until) {
    // An expired entry with the same ID may linger until the next purge: replace it.
    db_.query(
           "INSERT INTO seen_assertions (org_id, assertion_id, expires_at) VALUES (?,?,?) "
           "ON CONFLICT(org_id, assertion_id) DO UPDATE SET expires_at = "
           "max(expires_at, excluded.expires_at)")
        .bind(org_id)
        .bind(assertion_id)
        .bind(until)
        .run();
    return {};
}

Status SqliteTransaction::append_audit(core::AuditEntry e) {
    if (e.at == 0) e.at = now_seconds();
    if (e.details.empty()) e.details = "{}";
    db_.query(
           "INSERT INTO audit_log (org_id, at, actor, action, target, outcome, reason_code, "
           "details) VALUES (?,?,?,?,?,?,?,?)")
        .bind(e.org_id)
        .bind(e.at)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.target)
        .bind(e.outcome)
        .bind(e.reason_code)
        .bind(e.details)
        .run();
    return {};
}

PageOf<core::AuditEntry> SqliteTransaction::list_audit(RowId org_id, const AuditQuery& q) {
    // Fixed SQL text with optional conditions switched by parameters keeps one cached statement.
    constexpr const char* where =
        " FROM audit_log WHERE org_id = ?1 AND (?2 = '' OR substr(action, 1, length(?2)) = ?2) "
        "AND (?3 = '' OR actor = ?3) AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at <= ?5) "
        "AND (?6 = '' OR target = ?6) AND (?7 = '' OR outcome = ?7)";
    auto bind_where = [&](Cursor& c) {
        c.bind(org_id).bind(q.action_prefix).bind(q.actor);
        c.bind(q.since ? std::optional<std::int64_t>(*q.since) : std::nullopt);
        c.bind(q.until ? std::optional<std::int64_t>(*q.until) : std::nullopt);
        c.bind(q.target).bind(q.outcome);
    };
    PageOf<core::AuditEntry> result;
    {
        auto count = db_.query(std::string("SELECT count(*)") + where);
        bind_where(count);
        if (count.step()) result.total = count.integer(0);
    }
    auto c = db_.query(std::string("SELECT id, org_id, at, actor, action, target, outcome, "
                                   "reason_code, details") +
                       where + " ORDER BY id DESC LIMIT ?8 OFFSET ?9");
    bind_where(c);
    c.bind(q.page.limit).bind(q.page.offset);
    while (c.step()) {
        core::AuditEntry e;
        e.id = c.integer(0);
        e.org_id = c.integer(1);
        e.at = c.integer(2);
        e.actor = c.text(3);
        e.action = c.text(4);
        e.target = c.text(5);
        e.outcome = c.text(6);
        e.reason_code = c.text(7);
        e.details = c.text(8);
        result.items.push_back(std::move(e));
    }
    return result;
}

}  // namespace gatehouse::store::sqlite
