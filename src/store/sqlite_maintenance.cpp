// Keeping the store bounded: purging rows that nothing needs any more, in batches small
// enough that a purge never holds the writer for long, and capping the pending requests an
// org can accumulate.
#include <string>
#include <utility>
#include <vector>

#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr std::int64_t kSecondsPerDay = 24 * 3600;

// Deletes at most `limit` rows of a rowid table: `select_ids` binds ?1 (the cutoff) and ?2
// (the limit) and returns the ids.
std::int64_t delete_rowid_batch(Connection& db, const std::string& table,
                                const std::string& select_ids, std::int64_t cutoff,
                                std::int64_t limit) {
    if (limit <= 0) return 0;
    db.query("DELETE FROM " + table + " WHERE id IN (" + select_ids + ")")
        .bind(cutoff)
        .bind(limit)
        .run();
    return db.changes();
}

// Deletes at most `limit` rows of a WITHOUT ROWID table keyed by (org_id, `key`) whose
// `time_column` is at or before `cutoff`. The keys are read first and deleted one by one:
// SQLite plans `(org_id, key) IN (subquery)` as a scan of the org's rows for every key, while
// a delete by the whole primary key is one lookup.
std::int64_t delete_keyed_batch(Connection& db, const std::string& table, const std::string& key,
                                const std::string& time_column, std::int64_t cutoff,
                                std::int64_t limit) {
    if (limit <= 0) return 0;
    std::vector<std::pair<RowId, std::string>> keys;
    {
        auto c = db.query("SELECT org_id, " + key + " FROM " + table + " WHERE " + time_column +
                          " <= ? LIMIT ?");
        c.bind(cutoff).bind(limit);
        while (c.step()) keys.emplace_back(c.integer(0), c.text(1));
    }
    std::int64_t deleted = 0;
    for (const auto& [org_id, value] : keys) {
        db.query("DELETE FROM " + table + " WHERE org_id = ? AND " + key + " = ?")
            .bind(org_id)
            .bind(value)
            .run();
        deleted += db.changes();
    }
    return deleted;
}

}  // namespace

std::int64_t SqliteTransaction::purge_expired(UnixTime now) {
    std::int64_t removed = 0;
    for (const char* sql : {"DELETE FROM sessions WHERE expires_at <= ?",
                            "DELETE FROM authn_requests WHERE expires_at <= ?",
                            "DELETE FROM seen_assertions WHERE expires_at <= ?",
                            "DELETE FROM seen_logout_requests WHERE expires_at <= ?"}) {
        db_.query(sql).bind(now).run();
        removed += db_.changes();
    }
    return removed;
}

PurgeCounts SqliteTransaction::purge_due(UnixTime now, std::int64_t limit) {
    PurgeCounts purged;
    auto left = [&] { return limit - purged.total(); };
    purged.sessions = delete_rowid_batch(
        db_, "sessions", "SELECT id FROM sessions WHERE expires_at <= ?1 LIMIT ?2", now, left());
    purged.authn_requests =
        delete_keyed_batch(db_, "authn_requests", "request_id", "expires_at", now, left());
    purged.seen_assertions =
        delete_keyed_batch(db_, "seen_assertions", "assertion_id", "expires_at", now, left());
    purged.seen_logout_requests =
        delete_keyed_batch(db_, "seen_logout_requests", "request_id", "expires_at", now, left());
    purged.sign_in_throttle = delete_keyed_batch(db_, "sign_in_throttle", "subject", "window_start",
                                                 now - kSignInThrottleRetentionSeconds, left());
    // Orgs first (CROSS JOIN keeps that order), so each org's old entries are a range of the
    // (org_id, at) index rather than a scan of the whole log.
    purged.audit_entries = delete_rowid_batch(
        db_, "audit_log",
        "SELECT a.id FROM orgs o CROSS JOIN audit_log a ON a.org_id = o.id AND a.at < ?1 - "
        "o.audit_retention_days * " +
            std::to_string(kSecondsPerDay) + " WHERE o.audit_retention_days > 0 LIMIT ?2",
        now, left());
    return purged;
}

std::int64_t SqliteTransaction::cap_pending_authn_requests(RowId org_id, std::int64_t cap) {
    {
        // When the two newest requests share their second of expiry, the call that followed
        // the first of them has already trimmed the org this second.
        auto c = db_.query(
            "SELECT expires_at FROM authn_requests WHERE org_id = ? ORDER BY expires_at DESC "
            "LIMIT 2");
        c.bind(org_id);
        if (!c.step()) return 0;
        const UnixTime newest = c.integer(0);
        if (c.step() && c.integer(0) == newest) return 0;
    }
    if (cap < 0) cap = 0;
    // The (org_id, expires_at) index holds the primary key too, so the walk past the `cap`
    // newest reads no table rows; ties on expires_at fall to the request ID.
    db_.query(
           "DELETE FROM authn_requests WHERE org_id = ?1 AND request_id IN (SELECT request_id "
           "FROM authn_requests WHERE org_id = ?1 ORDER BY expires_at DESC, request_id DESC "
           "LIMIT -1 OFFSET ?2)")
        .bind(org_id)
        .bind(cap)
        .run();
    return db_.changes();
}

bool SqliteTransaction::claim_job(std::string_view name, UnixTime now, UnixTime held_until) {
    // The update is skipped while the hold runs past `now`, which leaves no row changed.
    db_.query(
           "INSERT INTO job_claims (name, held_until) VALUES (?1, ?2) "
           "ON CONFLICT(name) DO UPDATE SET held_until = excluded.held_until "
           "WHERE job_claims.held_until <= ?3")
        .bind(name)
        .bind(held_until)
        .bind(now)
        .run();
    return db_.changes() == 1;
}

}  // namespace gatehouse::store::sqlite
