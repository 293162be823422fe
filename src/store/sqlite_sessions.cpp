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

std::int64_t SqliteTransaction::count_password_sessions(RowId org_id) {
    auto count =
        db_.query("SELECT count(*) FROM sessions WHERE org_id = ? AND method = 'password'");
    count.bind(org_id);
    return count.step() ? count.integer(0) : 0;
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

}  // namespace gatehouse::store::sqlite
