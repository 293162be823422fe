// The durable outbox of mail. Messages are stored rendered, so a sender needs nothing but
// this table; a claim is a lease kept in next_attempt_at, and the attempt number doubles
// as the claim's token, so a sender whose lease lapsed cannot reschedule a newer claim.
#include <algorithm>

#include "gatehouse/core/names.hpp"
#include "row_codec.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

PageOf<core::OutboundMail> list_page(Connection& db, std::optional<RowId> org_id,
                                     std::optional<core::MailState> state, Page page) {
    // One statement for every caller: a NULL parameter means "any".
    const std::string where =
        " FROM outbound_mail WHERE (?1 IS NULL OR org_id = ?1) AND (?2 IS NULL OR state = ?2)";
    const auto bind_where = [&](Cursor& c) {
        c.bind(org_id ? std::optional<std::int64_t>(*org_id) : std::nullopt);
        if (state) {
            c.bind(core::to_string(*state));
        } else {
            c.bind(nullptr);
        }
    };
    PageOf<core::OutboundMail> result;
    {
        auto count = db.query("SELECT count(*)" + where);
        bind_where(count);
        if (count.step()) result.total = count.integer(0);
    }
    auto c = db.query(std::string("SELECT ") + kMailColumns + where +
                      " ORDER BY id DESC LIMIT ?3 OFFSET ?4");
    bind_where(c);
    c.bind(page.limit).bind(page.offset);
    while (c.step()) result.items.push_back(read_mail(c));
    return result;
}

Status claim_settled(Connection& db) {
    if (db.changes() == 0) {
        return fail(kNotFound, "The message is no longer claimed by this attempt.");
    }
    return {};
}

}  // namespace

Result<core::OutboundMail> SqliteTransaction::insert_outbound_mail(core::OutboundMail m) {
    if (m.created_at == 0) m.created_at = now_seconds();
    try {
        db_.query(
               "INSERT INTO outbound_mail (org_id, kind, recipient, subject, text_body, "
               "html_body, message_id, state, attempts, next_attempt_at, last_error, "
               "created_at, sent_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
            .bind(m.org_id)
            .bind(m.kind)
            .bind(m.to)
            .bind(m.subject)
            .bind(m.text_body)
            .bind(m.html_body)
            .bind(m.message_id)
            .bind(core::to_string(m.state))
            .bind(m.attempts)
            .bind(m.next_attempt_at)
            .bind(m.last_error)
            .bind(m.created_at)
            .bind(m.sent_at ? std::optional<std::int64_t>(*m.sent_at) : std::nullopt)
            .run();
    } catch (const ConstraintError&) {
        return fail(kConflict, "A message with the Message-ID " + m.message_id +
                                   " is already in the outbox, or its organization is gone.");
    }
    m.id = db_.last_insert_id();
    return m;
}

std::optional<core::OutboundMail> SqliteTransaction::outbound_mail_by_id(RowId org_id, RowId id) {
    auto c = db_.query(std::string("SELECT ") + kMailColumns +
                       " FROM outbound_mail WHERE org_id = ? AND id = ?");
    c.bind(org_id).bind(id);
    if (!c.step()) return std::nullopt;
    return read_mail(c);
}

PageOf<core::OutboundMail> SqliteTransaction::list_outbound_mail(RowId org_id, Page page) {
    return list_page(db_, org_id, std::nullopt, page);
}

PageOf<core::OutboundMail> SqliteTransaction::list_all_outbound_mail(
    std::optional<RowId> org_id, std::optional<core::MailState> state, Page page) {
    return list_page(db_, org_id, state, page);
}

std::vector<core::OutboundMail> SqliteTransaction::claim_due_outbound_mail(
    UnixTime now, std::int64_t lease_seconds, std::int64_t limit) {
    auto c = db_.query(
        std::string("UPDATE outbound_mail SET state = 'sending', attempts = attempts + 1, "
                    "next_attempt_at = ?1 + ?2 WHERE id IN (SELECT id FROM outbound_mail "
                    "WHERE state IN ('queued', 'sending') AND next_attempt_at <= ?1 "
                    "ORDER BY next_attempt_at, id LIMIT ?3) RETURNING ") +
        kMailColumns);
    c.bind(now).bind(lease_seconds).bind(limit);
    std::vector<core::OutboundMail> claimed;
    while (c.step()) claimed.push_back(read_mail(c));
    // RETURNING gives no order; callers send the longest waiting first. Ids grow with age.
    std::sort(claimed.begin(), claimed.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    return claimed;
}

Status SqliteTransaction::mark_outbound_mail_sent(RowId org_id, RowId id, UnixTime at) {
    // Recorded whatever claim is current: the server accepted the message, and that fact
    // must stop every later attempt.
    db_.query(
           "UPDATE outbound_mail SET state = 'sent', sent_at = ?, last_error = '' "
           "WHERE org_id = ? AND id = ? AND state IN ('queued', 'sending')")
        .bind(at)
        .bind(org_id)
        .bind(id)
        .run();
    if (db_.changes() == 0) return fail(kNotFound, "The message is not waiting to be sent.");
    return {};
}

Status SqliteTransaction::retry_outbound_mail(RowId org_id, RowId id, int attempt,
                                              UnixTime next_attempt_at, std::string_view error) {
    db_.query(
           "UPDATE outbound_mail SET state = 'queued', next_attempt_at = ?, last_error = ? "
           "WHERE org_id = ? AND id = ? AND attempts = ? AND state = 'sending'")
        .bind(next_attempt_at)
        .bind(error)
        .bind(org_id)
        .bind(id)
        .bind(attempt)
        .run();
    return claim_settled(db_);
}

Status SqliteTransaction::fail_outbound_mail(RowId org_id, RowId id, int attempt,
                                             std::string_view error) {
    db_.query(
           "UPDATE outbound_mail SET state = 'failed', last_error = ? "
           "WHERE org_id = ? AND id = ? AND attempts = ? AND state = 'sending'")
        .bind(error)
        .bind(org_id)
        .bind(id)
        .bind(attempt)
        .run();
    return claim_settled(db_);
}

}  // namespace gatehouse::store::sqlite
