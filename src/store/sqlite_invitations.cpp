// Invitations to sign in for the first time. The table keeps only the SHA-256 of each link's
// token, and a partial unique index allows one pending invitation per member, so a second
// one can only be issued after the first was accepted or ended.
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr const char* kInvitationColumns =
    "SELECT id, org_id, member_id, token_hash, invited_by, mail_id, created_at, expires_at, "
    "accepted_at, revoked_at FROM invitations ";

core::Invitation read_invitation(const Cursor& c) {
    core::Invitation invitation;
    invitation.id = c.integer(0);
    invitation.org_id = c.integer(1);
    invitation.member_id = c.integer(2);
    invitation.token_hash = c.text(3);
    if (!c.is_null(4)) invitation.invited_by = c.text(4);
    invitation.mail_id = c.optional_integer(5);
    invitation.created_at = c.integer(6);
    invitation.expires_at = c.integer(7);
    invitation.accepted_at = c.optional_integer(8);
    invitation.revoked_at = c.optional_integer(9);
    return invitation;
}

}  // namespace

Result<core::Invitation> SqliteTransaction::insert_invitation(core::Invitation invitation) {
    try {
        auto c = db_.query(
            "INSERT INTO invitations (org_id, member_id, token_hash, invited_by, mail_id, "
            "created_at, expires_at) VALUES (?,?,?,?,?,?,?)");
        c.bind(invitation.org_id).bind(invitation.member_id).bind_blob(invitation.token_hash);
        if (invitation.invited_by) {
            c.bind(*invitation.invited_by);
        } else {
            c.bind(nullptr);
        }
        c.bind(invitation.mail_id).bind(invitation.created_at).bind(invitation.expires_at).run();
    } catch (const ConstraintError&) {
        return fail(kConflict,
                    "The member already has a pending invitation, or the token is "
                    "already in use.");
    }
    invitation.id = db_.last_insert_id();
    invitation.accepted_at.reset();
    invitation.revoked_at.reset();
    return invitation;
}

std::optional<core::Invitation> SqliteTransaction::invitation_by_token_hash(
    RowId org_id, std::string_view token_hash) {
    auto c = db_.query(std::string(kInvitationColumns) + "WHERE org_id = ? AND token_hash = ?");
    c.bind(org_id).bind_blob(token_hash);
    if (!c.step()) return std::nullopt;
    return read_invitation(c);
}

std::optional<core::Invitation> SqliteTransaction::pending_invitation(RowId org_id,
                                                                      RowId member_id) {
    auto c = db_.query(std::string(kInvitationColumns) +
                       "WHERE org_id = ? AND member_id = ? AND accepted_at IS NULL AND "
                       "revoked_at IS NULL ORDER BY id DESC LIMIT 1");
    c.bind(org_id).bind(member_id);
    if (!c.step()) return std::nullopt;
    return read_invitation(c);
}

PageOf<core::Invitation> SqliteTransaction::list_pending_invitations(RowId org_id, Page page) {
    PageOf<core::Invitation> result;
    {
        auto count = db_.query(
            "SELECT count(*) FROM invitations WHERE org_id = ? AND accepted_at IS NULL AND "
            "revoked_at IS NULL");
        count.bind(org_id);
        if (count.step()) result.total = count.integer(0);
    }
    auto rows = db_.query(std::string(kInvitationColumns) +
                          "WHERE org_id = ? AND accepted_at IS NULL AND revoked_at IS NULL "
                          "ORDER BY id DESC LIMIT ? OFFSET ?");
    rows.bind(org_id).bind(page.limit).bind(page.offset);
    while (rows.step()) result.items.push_back(read_invitation(rows));
    return result;
}

std::int64_t SqliteTransaction::accept_invitation(RowId org_id, RowId invitation_id, UnixTime at) {
    db_.query(
           "UPDATE invitations SET accepted_at = ? WHERE org_id = ? AND id = ? AND "
           "accepted_at IS NULL AND revoked_at IS NULL")
        .bind(at)
        .bind(org_id)
        .bind(invitation_id)
        .run();
    return db_.changes();
}

std::int64_t SqliteTransaction::end_pending_invitations(RowId org_id, RowId member_id,
                                                        UnixTime at) {
    db_.query(
           "UPDATE invitations SET revoked_at = ? WHERE org_id = ? AND member_id = ? AND "
           "accepted_at IS NULL AND revoked_at IS NULL")
        .bind(at)
        .bind(org_id)
        .bind(member_id)
        .run();
    return db_.changes();
}

}  // namespace gatehouse::store::sqlite
