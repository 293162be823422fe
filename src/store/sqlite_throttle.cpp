// Password sign-in throttle: failures per subject in fixed windows. The counts live in the
// store rather than in memory so that every process sharing it sees the same limits, and a
// restart does not hand an attacker a fresh allowance.
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {

SignInFailures SqliteTransaction::sign_in_failures(RowId org_id, std::string_view subject,
                                                   UnixTime now, std::int64_t window_seconds) {
    auto c = db_.query(
        "SELECT failures, window_start FROM sign_in_throttle WHERE org_id = ? AND subject = ? "
        "AND window_start > ?");
    c.bind(org_id).bind(subject).bind(now - window_seconds);
    SignInFailures counted;
    if (c.step()) {
        counted.failures = c.integer(0);
        counted.window_start = c.integer(1);
    }
    return counted;
}

SignInFailures SqliteTransaction::record_sign_in_failure(RowId org_id, std::string_view subject,
                                                         UnixTime now,
                                                         std::int64_t window_seconds) {
    // A row whose window has closed is restarted in place rather than deleted first, so
    // one statement settles both cases.
    auto c = db_.query(
        "INSERT INTO sign_in_throttle (org_id, subject, window_start, failures) "
        "VALUES (?1, ?2, ?3, 1) "
        "ON CONFLICT(org_id, subject) DO UPDATE SET "
        "failures = CASE WHEN window_start > ?3 - ?4 THEN failures + 1 ELSE 1 END, "
        "window_start = CASE WHEN window_start > ?3 - ?4 THEN window_start ELSE ?3 END "
        "RETURNING failures, window_start");
    c.bind(org_id).bind(subject).bind(now).bind(window_seconds);
    SignInFailures counted;
    if (c.step()) {
        counted.failures = c.integer(0);
        counted.window_start = c.integer(1);
    }
    while (c.step()) {
    }
    return counted;
}

Status SqliteTransaction::clear_sign_in_failures(RowId org_id, std::string_view subject) {
    db_.query("DELETE FROM sign_in_throttle WHERE org_id = ? AND subject = ?")
        .bind(org_id)
        .bind(subject)
        .run();
    return {};
}

}  // namespace gatehouse::store::sqlite
