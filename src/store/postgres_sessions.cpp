// Sessions, and the bearer secrets kept as SHA-256 hashes: SCIM tokens (scim_tokens) and
// admin API keys (admin_keys). Both token tables have the same columns, so one set of
// queries serves both, with the table name chosen from two constants only.
#include "gatehouse/core/names.hpp"
#include "postgres_transaction.hpp"
#include "row_codec.hpp"

namespace gatehouse::store::postgres {

Result<core::Session> PostgresTransaction::insert_session(core::Session s,
                                                          std::string_view id_hash) {
    try {
        const Rows rows = db_.query_guarded(
            "INSERT INTO sessions (org_id, member_id, id_hash, method, saml_name_id, "
            "saml_session_index, created_at, last_seen_at, expires_at) "
            "SELECT $1::bigint, $2::bigint, $3::bytea, $4::text, $5::text, $6::text, $7::bigint, "
            "$8::bigint, $9::bigint WHERE EXISTS (SELECT 1 FROM members WHERE id = $2 AND "
            "org_id = $1) RETURNING id",
            {s.org_id, s.member_id, Param::bytes(id_hash), std::string(core::to_string(s.method)),
             s.saml_name_id, s.saml_session_index, s.created_at, s.last_seen_at, s.expires_at});
        if (rows.empty()) return fail(kNotFound, "The member no longer exists.");
        s.id = rows.integer(0, 0);
    } catch (const ConstraintError&) {
        return fail(kConflict, "The session ID is already in use.");
    }
    return s;
}

std::optional<core::Session> PostgresTransaction::session_by_hash(std::string_view id_hash) {
    const Rows rows = db_.query(
        "SELECT id, org_id, member_id, method, saml_name_id, saml_session_index, created_at, "
        "last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
        {Param::bytes(id_hash)});
    if (rows.empty()) return std::nullopt;
    const Row r(rows, 0);
    core::Session s;
    s.id = r.integer(0);
    s.org_id = r.integer(1);
    s.member_id = r.integer(2);
    s.method = core::parse_session_method(r.text(3)).value_or(core::SessionMethod::password);
    s.saml_name_id = r.text(4);
    s.saml_session_index = r.text(5);
    s.created_at = r.integer(6);
    s.last_seen_at = r.integer(7);
    s.expires_at = r.integer(8);
    return s;
}

Status PostgresTransaction::touch_session(RowId org_id, RowId session_id, UnixTime at) {
    db_.query("UPDATE sessions SET last_seen_at = $1 WHERE org_id = $2 AND id = $3",
              {at, org_id, session_id});
    return {};
}

Status PostgresTransaction::delete_session(RowId org_id, RowId session_id) {
    db_.query("DELETE FROM sessions WHERE org_id = $1 AND id = $2", {org_id, session_id});
    return {};
}

std::int64_t PostgresTransaction::delete_member_sessions(RowId org_id, RowId member_id) {
    return db_
        .query("DELETE FROM sessions WHERE org_id = $1 AND member_id = $2", {org_id, member_id})
        .affected();
}

std::int64_t PostgresTransaction::count_password_sessions(RowId org_id) {
    return db_
        .query("SELECT count(*) FROM sessions WHERE org_id = $1 AND method = 'password'", {org_id})
        .integer(0, 0);
}

std::int64_t PostgresTransaction::delete_password_sessions(RowId org_id) {
    return db_.query("DELETE FROM sessions WHERE org_id = $1 AND method = 'password'", {org_id})
        .affected();
}

std::int64_t PostgresTransaction::delete_saml_sessions(
    RowId org_id, std::string_view name_id, const std::vector<std::string>& session_indexes) {
    if (session_indexes.empty()) {
        return db_
            .query(
                "DELETE FROM sessions WHERE org_id = $1 AND method = 'saml' AND saml_name_id = $2",
                {org_id, name_id})
            .affected();
    }
    std::int64_t ended = 0;
    for (const auto& index : session_indexes) {
        ended += db_.query(
                        "DELETE FROM sessions WHERE org_id = $1 AND method = 'saml' AND "
                        "saml_name_id = $2 AND saml_session_index = $3",
                        {org_id, name_id, index})
                     .affected();
    }
    return ended;
}

namespace {

// The table of each kind: the only text spliced into these statements.
const char* table_of(CredentialKind kind) {
    return kind == CredentialKind::admin_key ? "admin_keys" : "scim_tokens";
}

std::string sql(const char* table, const char* before, const char* after) {
    return std::string(before) + table + after;
}

Result<core::BearerToken> insert_token(Connection& db, const char* table, RowId org_id,
                                       std::string_view token_hash, std::string_view description,
                                       UnixTime now) {
    core::BearerToken token;
    token.org_id = org_id;
    token.description = std::string(description);
    token.created_at = now;
    try {
        const Rows rows = db.query_guarded(
            sql(table, "INSERT INTO ",
                " (org_id, token_hash, description, created_at) VALUES ($1,$2,$3,$4) "
                "RETURNING id"),
            {org_id, Param::bytes(token_hash), description, token.created_at});
        token.id = rows.integer(0, 0);
    } catch (const ConstraintError&) {
        return fail(kConflict, "The token is already in use.");
    }
    return token;
}

std::optional<core::BearerToken> active_token(Connection& db, const char* table,
                                              std::string_view token_hash) {
    const Rows rows =
        db.query(sql(table, kTokenColumns, " WHERE token_hash = $1 AND revoked_at IS NULL"),
                 {Param::bytes(token_hash)});
    if (rows.empty()) return std::nullopt;
    return read_token(Row(rows, 0));
}

std::optional<std::string> token_hash(Connection& db, const char* table, RowId org_id,
                                      RowId token_id) {
    const Rows rows =
        db.query(sql(table, "SELECT token_hash FROM ", " WHERE org_id = $1 AND id = $2"),
                 {org_id, token_id});
    if (rows.empty()) return std::nullopt;
    return rows.bytes(0, 0);
}

std::vector<core::BearerToken> list_tokens(Connection& db, const char* table, RowId org_id) {
    const Rows rows =
        db.query(sql(table, kTokenColumns, " WHERE org_id = $1 ORDER BY id"), {org_id});
    std::vector<core::BearerToken> tokens;
    for (int i = 0; i < rows.size(); ++i) tokens.push_back(read_token(Row(rows, i)));
    return tokens;
}

Status revoke_token(Connection& db, const char* table, RowId org_id, RowId token_id, UnixTime at) {
    const Rows rows =
        db.query(sql(table, "UPDATE ",
                     " SET revoked_at = $1 WHERE org_id = $2 AND id = $3 AND revoked_at IS NULL"),
                 {at, org_id, token_id});
    if (rows.affected() == 0) {
        return fail(kNotFound, "No active token with that id in this organization.");
    }
    return {};
}

Status touch_token(Connection& db, const char* table, RowId org_id, RowId token_id, UnixTime at) {
    db.query(sql(table, "UPDATE ", " SET last_used_at = $1 WHERE org_id = $2 AND id = $3"),
             {at, org_id, token_id});
    return {};
}

}  // namespace

Result<core::BearerToken> PostgresTransaction::insert_credential(CredentialKind kind, RowId org_id,
                                                                 std::string_view secret_hash,
                                                                 std::string_view description) {
    return insert_token(db_, table_of(kind), org_id, secret_hash, description, now_seconds());
}

std::optional<core::BearerToken> PostgresTransaction::active_credential(
    CredentialKind kind, std::string_view secret_hash) {
    return active_token(db_, table_of(kind), secret_hash);
}

std::optional<std::string> PostgresTransaction::credential_hash(CredentialKind kind, RowId org_id,
                                                                RowId id) {
    return token_hash(db_, table_of(kind), org_id, id);
}

std::vector<core::BearerToken> PostgresTransaction::list_credentials(CredentialKind kind,
                                                                     RowId org_id) {
    return list_tokens(db_, table_of(kind), org_id);
}

Status PostgresTransaction::revoke_credential(CredentialKind kind, RowId org_id, RowId id,
                                              UnixTime at) {
    return revoke_token(db_, table_of(kind), org_id, id, at);
}

Status PostgresTransaction::touch_credential(CredentialKind kind, RowId org_id, RowId id,
                                             UnixTime at) {
    return touch_token(db_, table_of(kind), org_id, id, at);
}

}  // namespace gatehouse::store::postgres
