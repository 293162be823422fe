// Bearer secrets kept as SHA-256 hashes: SCIM tokens (scim_tokens) and admin API keys
// (admin_keys). Both tables have the same columns, so one set of queries serves both, with
// the table name chosen from these two constants only.
#include <string>

#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr const char* kScimTokens = "scim_tokens";
constexpr const char* kAdminKeys = "admin_keys";

std::string sql(const char* table, const char* before, const char* after) {
    return std::string(before) + table + after;
}

Result<core::BearerToken> insert_token(Connection& db, const char* table, RowId org_id,
                                       std::string_view token_hash, std::string_view description) {
    core::BearerToken token;
    token.org_id = org_id;
    token.description = std::string(description);
    token.created_at = now_seconds();
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

core::BearerToken read_token(const Cursor& c) {
    core::BearerToken t;
    t.id = c.integer(0);
    t.org_id = c.integer(1);
    t.description = c.text(2);
    t.created_at = c.integer(3);
    t.last_used_at = c.optional_integer(4);
    t.revoked_at = c.optional_integer(5);
    return t;
}

constexpr const char* kTokenColumns =
    "SELECT id, org_id, description, created_at, last_used_at, revoked_at FROM ";

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

}  // namespace

Result<core::ScimToken> SqliteTransaction::insert_scim_token(RowId org_id,
                                                             std::string_view token_hash,
                                                             std::string_view description) {
    return insert_token(db_, kScimTokens, org_id, token_hash, description);
}

std::optional<core::ScimToken> SqliteTransaction::active_scim_token(std::string_view hash) {
    return active_token(db_, kScimTokens, hash);
}

std::optional<std::string> SqliteTransaction::scim_token_hash(RowId org_id, RowId token_id) {
    return token_hash(db_, kScimTokens, org_id, token_id);
}

std::vector<core::ScimToken> SqliteTransaction::list_scim_tokens(RowId org_id) {
    return list_tokens(db_, kScimTokens, org_id);
}

Status SqliteTransaction::revoke_scim_token(RowId org_id, RowId token_id, UnixTime at) {
    return revoke_token(db_, kScimTokens, org_id, token_id, at);
}

Status SqliteTransaction::touch_scim_token(RowId org_id, RowId token_id, UnixTime at) {
    return touch_token(db_, kScimTokens, org_id, token_id, at);
}

Result<core::AdminKey> SqliteTransaction::insert_admin_key(RowId org_id, std::string_view key_hash,
                                                           std::string_view description) {
    return insert_token(db_, kAdminKeys, org_id, key_hash, description);
}

std::optional<core::AdminKey> SqliteTransaction::active_admin_key(std::string_view key_hash) {
    return active_token(db_, kAdminKeys, key_hash);
}

std::optional<std::string> SqliteTransaction::admin_key_hash(RowId org_id, RowId key_id) {
    return token_hash(db_, kAdminKeys, org_id, key_id);
}

std::vector<core::AdminKey> SqliteTransaction::list_admin_keys(RowId org_id) {
    return list_tokens(db_, kAdminKeys, org_id);
}

Status SqliteTransaction::revoke_admin_key(RowId org_id, RowId key_id, UnixTime at) {
    return revoke_token(db_, kAdminKeys, org_id, key_id, at);
}

Status SqliteTransaction::touch_admin_key(RowId org_id, RowId key_id, UnixTime at) {
    return touch_token(db_, kAdminKeys, org_id, key_id, at);
}

}  // namespace gatehouse::store::sqlite
