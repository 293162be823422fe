#include "gatehouse/core/names.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {

Result<core::Session> SqliteTransaction::insert_session(core::Session s, std::string_view id_hash) {
    try {
        db_.query(
               "INSERT INTO sessions (org_id, member_id, id_hash, method, saml_name_id, "
               "saml_session_index, created_at, last_seen_at, expires_at) "
               "SELECT ?,?,?,?,?,?,?,?,? WHERE EXISTS (SELECT 1 FROM members WHERE id = ? AND "
               "org_id = ?)")
            .bind(s.org_id)
            .bind(s.member_id)
            .bind_blob(id_hash)
            .bind(core::to_string(s.method))
            .bind(s.saml_name_id)
            .bind(s.saml_session_index)
            .bind(s.created_at)
            .bind(s.last_seen_at)
            .bind(s.expires_at)
            .bind(s.member_id)
            .bind(s.org_id)
            .run();
    } catch (const ConstraintError&) {
        return fail(kConflict, "The session ID is already in use.");
    }
    if (db_.changes() == 0) return fail(kNotFound, "The member no longer exists.");
    s.id = db_.last_insert_id();
    return s;
}

std::optional<core::Session> SqliteTransaction::session_by_hash(std::string_view id_hash) {
    auto c = db_.query(
        "SELECT id, org_id, member_id, method, saml_name_id, saml_session_index, created_at, "
        "last_seen_at, expires_at FROM sessions WHERE id_hash = ?");
    c.bind_blob(id_hash);
    if (!c.step()) return std::nullopt;
    core::Session s;
    s.id = c.integer(0);
    s.org_id = c.integer(1);
    s.member_id = c.integer(2);
    s.method = core::parse_session_method(c.text(3)).value_or(core::SessionMethod::password);
    s.saml_name_id = c.text(4);
    s.saml_session_index = c.text(5);
    s.created_at = c.integer(6);
    s.last_seen_at = c.integer(7);
    s.expires_at = c.integer(8);
    return s;
}

Status SqliteTransaction::touch_session(RowId org_id, RowId session_id, UnixTime at) {
    db_.query("UPDATE sessions SET last_seen_at = ? WHERE org_id = ? AND id = ?")
        .bind(at)
        .bind(org_id)
        .bind(session_id)
        .run();
    return {};
}

Status SqliteTransaction::delete_session(RowId org_id, RowId session_id) {
    db_.query("DELETE FROM sessions WHERE org_id = ? AND id = ?")
        .bind(org_id)
        .bind(session_id)
        .run();
    return {};
}

std::int64_t SqliteTransaction::delete_member_sessions(RowId org_id, RowId member_id) {
    db_.query("DELETE FROM sessions WHERE org_id = ? AND member_id = ?")
        .bind(org_id)
        .bind(member_id)
        .run();
    return db_.changes();
}

std::int64_t SqliteTransaction::delete_password_sessions(RowId org_id) {
    db_.query("DELETE FROM sessions WHERE org_id = ? AND method = 'password'").bind(org_id).run();
    return db_.changes();
}

std::int64_t SqliteTransaction::delete_saml_sessions(
    RowId org_id, std::string_view name_id, const std::vector<std::string>& session_indexes) {
    if (session_indexes.empty()) {
        db_.query("DELETE FROM sessions WHERE org_id = ? AND method = 'saml' AND saml_name_id = ?")
            .bind(org_id)
            .bind(name_id)
            .run();
        return db_.changes();
    }
    std::int64_t ended = 0;
    for (const auto& index : session_indexes) {
        db_.query(
               "DELETE FROM sessions WHERE org_id = ? AND method = 'saml' AND saml_name_id = ? "
               "AND saml_session_index = ?")
            .bind(org_id)
            .bind(name_id)
            .bind(index)
            .run();
        ended += db_.changes();
    }
    return ended;
}

Result<core::ScimToken> SqliteTransaction::insert_scim_token(RowId org_id,
                                                             std::string_view token_hash,
                                                             std::string_view description) {
    core::ScimToken token;
    token.org_id = org_id;
    token.description = std::string(description);
    token.created_at = now_seconds();
    try {
        db_.query(
               "INSERT INTO scim_tokens (org_id, token_hash, description, created_at) "
               "VALUES (?,?,?,?)")
            .bind(org_id)
            .bind_blob(token_hash)
            .bind(description)
            .bind(token.created_at)
            .run();
    } catch (const ConstraintError&) {
        return fail(kConflict, "The token is already in use.");
    }
    token.id = db_.last_insert_id();
    return token;
}

namespace {

core::ScimToken read_token(const Cursor& c) {
    core::ScimToken t;
    t.id = c.integer(0);
    t.org_id = c.integer(1);
    t.description = c.text(2);
    t.created_at = c.integer(3);
    t.last_used_at = c.optional_integer(4);
    t.revoked_at = c.optional_integer(5);
    return t;
}

}  // namespace

std::optional<core::ScimToken> SqliteTransaction::active_scim_token(std::string_view token_hash) {
    auto c = db_.query(
        "SELECT id, org_id, description, created_at, last_used_at, revoked_at FROM scim_tokens "
        "WHERE token_hash = ? AND revoked_at IS NULL");
    c.bind_blob(token_hash);
    if (!c.step()) return std::nullopt;
    return read_token(c);
}

std::vector<core::ScimToken> SqliteTransaction::list_scim_tokens(RowId org_id) {
    std::vector<core::ScimToken> tokens;
    auto c = db_.query(
        "SELECT id, org_id, description, created_at, last_used_at, revoked_at FROM scim_tokens "
        "WHERE org_id = ? ORDER BY id");
    c.bind(org_id);
    while (c.step()) tokens.push_back(read_token(c));
    return tokens;
}

Status SqliteTransaction::revoke_scim_token(RowId org_id, RowId token_id, UnixTime at) {
    db_.query(
           "UPDATE scim_tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS "
           "NULL")
        .bind(at)
        .bind(org_id)
        .bind(token_id)
        .run();
    if (db_.changes() == 0)
        return fail(kNotFound, "No active token with that id in this organization.");
    return {};
}

Status SqliteTransaction::touch_scim_token(RowId org_id, RowId token_id, UnixTime at) {
    db_.query("UPDATE scim_tokens SET last_used_at = ? WHERE org_id = ? AND id = ?")
        .bind(at)
        .bind(org_id)
        .bind(token_id)
        .run();
    return {};
}

}  // namespace gatehouse::store::sqlite
