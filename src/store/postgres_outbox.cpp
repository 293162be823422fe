// The durable outbox of mail and the invitations it carries. A claim on a message is a lease
// kept in next_attempt_at, and the attempt number doubles as the claim's token, so a sender
// whose lease lapsed cannot reschedule a newer claim. Only the SHA-256 of an invitation
// link's token is kept; a partial unique index allows one pending invitation per member.
#include <algorithm>

#include "gatehouse/core/names.hpp"
#include "postgres_transaction.hpp"
#include "row_codec.hpp"

namespace gatehouse::store::postgres {
namespace {

PageOf<core::OutboundMail> list_page(Connection& db, std::optional<RowId> org_id,
                                     std::optional<core::MailState> state, Page page) {
    // One statement for every caller: a NULL parameter means "any".
    const std::string where =
        " FROM outbound_mail WHERE ($1::bigint IS NULL OR org_id = $1) "
        "AND ($2::text IS NULL OR state = $2)";
    Params params = {org_id ? std::optional<std::int64_t>(*org_id) : std::nullopt,
                     state ? Param(std::string(core::to_string(*state))) : Param(nullptr)};
    PageOf<core::OutboundMail> result;
    result.total = db.query("SELECT count(*)" + where, params).integer(0, 0);
    params.emplace_back(page.limit < 0 ? Param(nullptr) : Param(page.limit));
    params.emplace_back(page.offset);
    const Rows rows = db.query(
        std::string("SELECT ") + kMailColumns + where + " ORDER BY id DESC LIMIT $3 OFFSET $4",
        params);
    for (int i = 0; i < rows.size(); ++i) result.items.push_back(read_mail(Row(rows, i)));
    return result;
}

Status claim_settled(const Rows& rows) {
    if (rows.affected() == 0) {
        return fail(kNotFound, "The message is no longer claimed by this attempt.");
    }
    return {};
}

}  // namespace

Result<core::OutboundMail> PostgresTransaction::insert_outbound_mail(core::OutboundMail m) {
    if (m.created_at == 0) m.created_at = now_seconds();
    try {
        const Rows rows = db_.query_guarded(
            "INSERT INTO outbound_mail (org_id, kind, recipient, subject, text_body, "
            "html_body, message_id, state, attempts, next_attempt_at, last_error, "
            "created_at, sent_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) "
            "RETURNING id",
            {m.org_id, m.kind, m.to, m.subject, m.text_body, m.html_body, m.message_id,
             std::string(core::to_string(m.state)), m.attempts, m.next_attempt_at, m.last_error,
             m.created_at, m.sent_at ? std::optional<std::int64_t>(*m.sent_at) : std::nullopt});
        m.id = rows.integer(0, 0);
    } catch (const ConstraintError&) {
        return fail(kConflict, "A message with the Message-ID " + m.message_id +
                                   " is already in the outbox, or its organization is gone.");
    }
    return m;
}

std::optional<core::OutboundMail> PostgresTransaction::outbound_mail_by_id(RowId org_id, RowId id) {
    const Rows rows = db_.query(
        std::string("SELECT ") + kMailColumns + " FROM outbound_mail WHERE org_id = $1 AND id = $2",
        {org_id, id});
    if (rows.empty()) return std::nullopt;
    return read_mail(Row(rows, 0));
}

PageOf<core::OutboundMail> PostgresTransaction::list_outbound_mail(RowId org_id, Page page) {
    return list_page(db_, org_id, std::nullopt, page);
}

PageOf<core::OutboundMail> PostgresTransaction::list_all_outbound_mail(
    std::optional<RowId> org_id, std::optional<core::MailState> state, Page page) {
    return list_page(db_, org_id, state, page);
}

std::vector<core::OutboundMail> PostgresTransaction::claim_due_outbound_mail(
    UnixTime now, std::int64_t lease_seconds, std::int64_t limit) {
    const Rows rows = db_.query(
        std::string("UPDATE outbound_mail SET state = 'sending', attempts = attempts + 1, "
                    "next_attempt_at = $1::bigint + $2::bigint WHERE id IN (SELECT id FROM "
                    "outbound_mail WHERE state IN ('queued', 'sending') AND next_attempt_at <= $1 "
                    "ORDER BY next_attempt_at, id LIMIT $3) RETURNING ") +
            kMailColumns,
        {now, lease_seconds, limit < 0 ? Param(nullptr) : Param(limit)});
    std::vector<core::OutboundMail> claimed;
    for (int i = 0; i < rows.size(); ++i) claimed.push_back(read_mail(Row(rows, i)));
    // RETURNING gives no order; callers send the longest waiting first. Ids grow with age.
    std::sort(claimed.begin(), claimed.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    return claimed;
}

Status PostgresTransaction::mark_outbound_mail_sent(RowId org_id, RowId id, UnixTime at) {
    // Recorded whatever claim is current: the server accepted the message, and that fact
    // must stop every later attempt.
    const Rows rows = db_.query(
        "UPDATE outbound_mail SET state = 'sent', sent_at = $1, last_error = '' "
        "WHERE org_id = $2 AND id = $3 AND state IN ('queued', 'sending')",
        {at, org_id, id});
    if (rows.affected() == 0) return fail(kNotFound, "The message is not waiting to be sent.");
    return {};
}

Status PostgresTransaction::retry_outbound_mail(RowId org_id, RowId id, int attempt,
                                                UnixTime next_attempt_at, std::string_view error) {
    return claim_settled(db_.query(
        "UPDATE outbound_mail SET state = 'queued', next_attempt_at = $1, last_error = $2 "
        "WHERE org_id = $3 AND id = $4 AND attempts = $5 AND state = 'sending'",
        {next_attempt_at, error, org_id, id, attempt}));
}

Status PostgresTransaction::fail_outbound_mail(RowId org_id, RowId id, int attempt,
                                               std::string_view error) {
    return claim_settled(
        db_.query("UPDATE outbound_mail SET state = 'failed', last_error = $1 "
                  "WHERE org_id = $2 AND id = $3 AND attempts = $4 AND state = 'sending'",
                  {error, org_id, id, attempt}));
}

namespace {

constexpr const char* kInvitationColumns =
    "SELECT id, org_id, member_id, token_hash, invited_by, mail_id, created_at, expires_at, "
    "accepted_at, revoked_at FROM invitations ";

core::Invitation read_invitation(const Row& r) {
    core::Invitation invitation;
    invitation.id = r.integer(0);
    invitation.org_id = r.integer(1);
    invitation.member_id = r.integer(2);
    invitation.token_hash = r.bytes(3);
    if (!r.is_null(4)) invitation.invited_by = r.text(4);
    invitation.mail_id = r.optional_integer(5);
    invitation.created_at = r.integer(6);
    invitation.expires_at = r.integer(7);
    invitation.accepted_at = r.optional_integer(8);
    invitation.revoked_at = r.optional_integer(9);
    return invitation;
}

}  // namespace

Result<core::Invitation> PostgresTransaction::insert_invitation(core::Invitation invitation) {
    try {
        const Rows rows = db_.query_guarded(
            "INSERT INTO invitations (org_id, member_id, token_hash, invited_by, mail_id, "
            "created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
            {invitation.org_id, invitation.member_id, Param::bytes(invitation.token_hash),
             invitation.invited_by ? Param(*invitation.invited_by) : Param(nullptr),
             invitation.mail_id, invitation.created_at, invitation.expires_at});
        invitation.id = rows.integer(0, 0);
    } catch (const ConstraintError&) {
        return fail(kConflict,
                    "The member already has a pending invitation, or the token is "
                    "already in use.");
    }
    invitation.accepted_at.reset();
    invitation.revoked_at.reset();
    return invitation;
}

std::optional<core::Invitation> PostgresTransaction::invitation_by_token_hash(
    RowId org_id, std::string_view token_hash) {
    const Rows rows =
        db_.query(std::string(kInvitationColumns) + "WHERE org_id = $1 AND token_hash = $2",
                  {org_id, Param::bytes(token_hash)});
    if (rows.empty()) return std::nullopt;
    return read_invitation(Row(rows, 0));
}

std::optional<core::Invitation> PostgresTransaction::pending_invitation(RowId org_id,
                                                                        RowId member_id) {
    const Rows rows = db_.query(std::string(kInvitationColumns) +
                                    "WHERE org_id = $1 AND member_id = $2 AND accepted_at IS "
                                    "NULL AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
                                {org_id, member_id});
    if (rows.empty()) return std::nullopt;
    return read_invitation(Row(rows, 0));
}

PageOf<core::Invitation> PostgresTransaction::list_pending_invitations(RowId org_id, Page page) {
    PageOf<core::Invitation> result;
    result.total = db_.query(
                          "SELECT count(*) FROM invitations WHERE org_id = $1 AND accepted_at "
                          "IS NULL AND revoked_at IS NULL",
                          {org_id})
                       .integer(0, 0);
    const Rows rows =
        db_.query(std::string(kInvitationColumns) +
                      "WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at "
                      "IS NULL ORDER BY id DESC LIMIT $2 OFFSET $3",
                  {org_id, page.limit < 0 ? Param(nullptr) : Param(page.limit), page.offset});
    for (int i = 0; i < rows.size(); ++i) result.items.push_back(read_invitation(Row(rows, i)));
    return result;
}

std::int64_t PostgresTransaction::accept_invitation(RowId org_id, RowId invitation_id,
                                                    UnixTime at) {
    return db_
        .query(
            "UPDATE invitations SET accepted_at = $1 WHERE org_id = $2 AND id = $3 AND "
            "accepted_at IS NULL AND revoked_at IS NULL",
            {at, org_id, invitation_id})
        .affected();
}

std::int64_t PostgresTransaction::end_pending_invitations(RowId org_id, RowId member_id,
                                                          UnixTime at) {
    return db_
        .query(
            "UPDATE invitations SET revoked_at = $1 WHERE org_id = $2 AND member_id = $3 AND "
            "accepted_at IS NULL AND revoked_at IS NULL",
            {at, org_id, member_id})
        .affected();
}

}  // namespace gatehouse::store::postgres
