// Keeping the store bounded: purging rows that nothing needs any more, in batches small
// enough that a purge never holds the write lock for long, and capping the pending requests
// an org can accumulate.
#include <string>

#include "postgres_transaction.hpp"

namespace gatehouse::store::postgres {
namespace {

constexpr std::int64_t kSecondsPerDay = 24 * 3600;

// Deletes at most `limit` rows of `table` chosen by `select_keys`, which binds $1 (the
// cutoff) and $2 (the limit) and returns the values of `key` (one column or a row of them).
std::int64_t delete_batch(Connection& db, const std::string& table, const std::string& key,
                          const std::string& select_keys, std::int64_t cutoff, std::int64_t limit) {
    if (limit <= 0) return 0;
    return db
        .query("DELETE FROM " + table + " WHERE " + key + " IN (" + select_keys + ")",
               {cutoff, limit})
        .affected();
}

// The expired rows of a table keyed by (org_id, `key`) whose `time_column` is at or before
// the cutoff.
std::int64_t delete_keyed_batch(Connection& db, const std::string& table, const std::string& key,
                                const std::string& time_column, std::int64_t cutoff,
                                std::int64_t limit) {
    return delete_batch(
        db, table, "(org_id, " + key + ")",
        "SELECT org_id, " + key + " FROM " + table + " WHERE " + time_column + " <= $1 LIMIT $2",
        cutoff, limit);
}

}  // namespace

std::int64_t PostgresTransaction::purge_expired(UnixTime now) {
    std::int64_t removed = 0;
    for (const char* sql : {"DELETE FROM sessions WHERE expires_at <= $1",
                            "DELETE FROM authn_requests WHERE expires_at <= $1",
                            "DELETE FROM seen_assertions WHERE expires_at <= $1",
                            "DELETE FROM seen_logout_requests WHERE expires_at <= $1"}) {
        removed += db_.query(sql, {now}).affected();
    }
    return removed;
}

PurgeCounts PostgresTransaction::purge_due(UnixTime now, std::int64_t limit) {
    PurgeCounts purged;
    auto left = [&] { return limit - purged.total(); };
    purged.sessions =
        delete_batch(db_, "sessions", "id",
                     "SELECT id FROM sessions WHERE expires_at <= $1 LIMIT $2", now, left());
    purged.authn_requests =
        delete_keyed_batch(db_, "authn_requests", "request_id", "expires_at", now, left());
    purged.seen_assertions =
        delete_keyed_batch(db_, "seen_assertions", "assertion_id", "expires_at", now, left());
    purged.seen_logout_requests =
        delete_keyed_batch(db_, "seen_logout_requests", "request_id", "expires_at", now, left());
    purged.sign_in_throttle = delete_keyed_batch(db_, "sign_in_throttle", "subject", "window_start",
                                                 now - kSignInThrottleRetentionSeconds, left());
    // Each org's old entries are a range of the (org_id, at) index; an org with a retention
    // of 0 days or less keeps its log forever.
    purged.audit_entries = delete_batch(
        db_, "audit_log", "id",
        "SELECT a.id FROM orgs o JOIN audit_log a ON a.org_id = o.id AND a.at < $1 - "
        "o.audit_retention_days::bigint * " +
            std::to_string(kSecondsPerDay) + " WHERE o.audit_retention_days > 0 LIMIT $2",
        now, left());
    return purged;
}

std::int64_t PostgresTransaction::cap_pending_authn_requests(RowId org_id, std::int64_t cap) {
    {
        // When the two newest requests share their second of expiry, the call that followed
        // the first of them has already trimmed the org this second.
        const Rows newest = db_.query(
            "SELECT expires_at FROM authn_requests WHERE org_id = $1 ORDER BY expires_at DESC "
            "LIMIT 2",
            {org_id});
        if (newest.empty()) return 0;
        if (newest.size() == 2 && newest.integer(1, 0) == newest.integer(0, 0)) return 0;
    }
    if (cap < 0) cap = 0;
    // Ties on expires_at fall to the request ID, compared byte by byte as SQLite does.
    return db_
        .query(
            "DELETE FROM authn_requests WHERE org_id = $1 AND request_id IN (SELECT request_id "
            "FROM authn_requests WHERE org_id = $1 ORDER BY expires_at DESC, "
            "request_id COLLATE \"C\" DESC OFFSET $2)",
            {org_id, cap})
        .affected();
}

bool PostgresTransaction::claim_job(std::string_view name, UnixTime now, UnixTime held_until) {
    // The update is skipped while the hold runs past `now`, which leaves no row changed.
    return db_.query(
                  "INSERT INTO job_claims AS j (name, held_until) VALUES ($1, $2) "
                  "ON CONFLICT (name) DO UPDATE SET held_until = excluded.held_until "
                  "WHERE j.held_until <= $3",
                  {name, held_until, now})
               .affected() == 1;
}

}  // namespace gatehouse::store::postgres
