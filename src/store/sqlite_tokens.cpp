// Bearer secrets kept as SHA-256 hashes: SCIM tokens (scim_tokens) and admin API keys
// (admin_keys). Both tables have the same columns, so one set of queries serves both, with
// the table name chosen from these two constants only.
#include <string>

#include "row_codec.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr const char* kScimTokens = "scim_tokens";
constexpr const char* kAdminKeys = "admin_keys";

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
        db.query(sql(table, "INSERT INTO ",
                     " (org_id, token_hash, description, created_at) VALUES (?,?,?,?)"))
            .bind(org_id)
            .bind_blob(token_hash)
            .bind(description)
            .bind(token.created_at)
            .run();
    } catch (const ConstraintError&) {
        return fail(kConflict, "The token is already in use.");
    }
    token.id = db.last_insert_id();
    return token;
}

std::optional<core::BearerToken> active_token(Connection& db, const char* table,
                                              std::string_view token_hash) {
    auto c = db.query(sql(table, kTokenColumns, " WHERE token_hash = ? AND revoked_at IS NULL"));
    c.bind_blob(token_hash);
    if (!c.step()) return std::nullopt;
    return read_token(c);
}

std::optional<std::string> token_hash(Connection& db, const char* table, RowId org_id,
                                      RowId token_id) {
    auto c = db.query(sql(table, "SELECT token_hash FROM ", " WHERE org_id = ? AND id = ?"));
    c.bind(org_id).bind(token_id);
    if (!c.step()) return std::nullopt;
    return c.text(0);
}

std::vector<core::BearerToken> list_tokens(Connection& db, const char* table, RowId org_id) {
    std::vector<core::BearerToken> tokens;
    auto c = db.query(sql(table, kTokenColumns, " WHERE org_id = ? ORDER BY id"));
    c.bind(org_id);
    while (c.step()) tokens.push_back(read_token(c));
    return tokens;
}

Status revoke_token(Connection& db, const char* table, RowId org_id, RowId token_id, UnixTime at) {
    db.query(sql(table, "UPDATE ",
                 " SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL"))
        .bind(at)
        .bind(org_id)
        .bind(token_id)
        .run();
    if (db.changes() == 0)
        return fail(kNotFound, "No active token with that id in this organization.");
    return {};
}

Status touch_token(Connection& db, const char* table, RowId org_id, RowId token_id, UnixTime at) {
    db.query(sql(table, "UPDATE ", " SET last_used_at = ? WHERE org_id = ? AND id = ?"))
        .bind(at)
        .bind(org_id)
        .bind(token_id)
        .run();
    return {};
}

const char* table_of(CredentialKind kind) {
    return kind == CredentialKind::scim_token ? kScimTokens : kAdminKeys;
}

}  // namespace

Result<core::BearerToken> SqliteTransaction::insert_credential(CredentialKind kind, RowId org_id,
                                                               std::string_view secret_hash,
                                                               std::string_view description) {
    return insert_token(db_, table_of(kind), org_id, secret_hash, description, now_seconds());
}

std::optional<core::BearerToken> SqliteTransaction::active_credential(
    CredentialKind kind, std::string_view secret_hash) {
    return active_token(db_, table_of(kind), secret_hash);
}

std::optional<std::string> SqliteTransaction::credential_hash(CredentialKind kind, RowId org_id,
                                                              RowId id) {
    return token_hash(db_, table_of(kind), org_id, id);
}

std::vector<core::BearerToken> SqliteTransaction::list_credentials(CredentialKind kind,
                                                                   RowId org_id) {
    return list_tokens(db_, table_of(kind), org_id);
}

Status SqliteTransaction::revoke_credential(CredentialKind kind, RowId org_id, RowId id,
                                            UnixTime at) {
    return revoke_token(db_, table_of(kind), org_id, id, at);
}

Status SqliteTransaction::touch_credential(CredentialKind kind, RowId org_id, RowId id,
                                           UnixTime at) {
    return touch_token(db_, table_of(kind), org_id, id, at);
}

}  // namespace gatehouse::store::sqlite
