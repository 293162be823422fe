// Replay cache of LogoutRequest IDs the SLS has acted on, kept like the assertion replay
// cache: one row per (org, ID) until it expires.
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {

bool SqliteTransaction::logout_request_seen(RowId org_id, std::string_view request_id,
                                            UnixTime now) {
    auto c = db_.query(
        "SELECT 1 FROM seen_logout_requests WHERE org_id = ? AND request_id = ? AND "
        "expires_at > ?");
    c.bind(org_id).bind(request_id).bind(now);
    return c.step();
}

Status SqliteTransaction::remember_logout_request(RowId org_id, std::string_view request_id,
                                                  UnixTime until) {
    // An expired entry with the same ID may linger until the next purge: replace it.
    db_.query(
           "INSERT INTO seen_logout_requests (org_id, request_id, expires_at) VALUES (?,?,?) "
           "ON CONFLICT(org_id, request_id) DO UPDATE SET expires_at = "
           "max(expires_at, excluded.expires_at)")
        .bind(org_id)
        .bind(request_id)
        .bind(until)
        .run();
    return {};
}

}  // namespace gatehouse::store::sqlite
