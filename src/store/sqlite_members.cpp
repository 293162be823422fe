#include "gatehouse/core/names.hpp"
#include "gatehouse/util/crypto.hpp"
#include "row_codec.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

std::string select_members(const char* where) {
    return std::string("SELECT ") + kMemberColumns + " FROM members WHERE " + where;
}

std::optional<core::Member> first_member(Cursor& cursor) {
    if (!cursor.step()) return std::nullopt;
    return read_member(cursor);
}

// Empty strings are stored as NULL in the columns that carry a uniqueness rule, so that
// many members may lack a user name or SAML subject.
Cursor& bind_or_null(Cursor& cursor, const std::string& value) {
    return value.empty() ? cursor.bind(nullptr) : cursor.bind(value);
}

std::string conflict_message(const core::Member& m, const std::string& detail) {
    if (detail.find("saml_subject") != std::string::npos) {
        return "Another member is already linked to this SAML subject.";
    }
    if (detail.find("oidc_subject") != std::string::npos) {
        return "Another member is already linked to this OpenID subject.";
    }
    if (detail.find("public_id") != std::string::npos) return "The member id is already in use.";
    return "A member with the user name '" + m.user_name + "' already exists in this organization.";
}

}  // namespace

Result<core::Member> SqliteTransaction::insert_member(core::Member m) {
    if (m.public_id.empty()) m.public_id = util::random_uuid();
    const UnixTime now = now_seconds();
    if (m.created_at == 0) m.created_at = now;
    m.updated_at = m.created_at;
    m.version = 1;
    if (m.scim_attributes.empty()) m.scim_attributes = "{}";
    try {
        auto c = db_.query(
            "INSERT INTO members (org_id, public_id, email, user_name, external_id, given_name, "
            "family_name, display_name, role, state, source, idp_managed, saml_subject, "
            "password_hash, break_glass, scim_attributes, created_at, updated_at, "
            "last_sign_in_at, version, oidc_subject) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?)");
        c.bind(m.org_id).bind(m.public_id).bind(m.email);
        bind_or_null(c, m.user_name);
        bind_or_null(c, m.external_id);
        c.bind(m.given_name).bind(m.family_name).bind(m.display_name);
        c.bind(core::to_string(m.role))
            .bind(core::to_string(m.state))
            .bind(core::to_string(m.source));
        c.bind(m.idp_managed);
        bind_or_null(c, m.saml_subject);
        bind_or_null(c, m.password_hash);
        c.bind(m.break_glass).bind(m.scim_attributes).bind(m.created_at).bind(m.updated_at);
        c.bind(m.last_sign_in_at);
        bind_or_null(c, m.oidc_subject);
        c.run();
    } catch (const ConstraintError& e) {
        return fail(kConflict, conflict_message(m, e.what()));
    }
    m.id = db_.last_insert_id();
    return m;
}

std::optional<core::Member> SqliteTransaction::member_by_id(RowId org_id, RowId id) {
    auto c = db_.query(select_members("org_id = ? AND id = ?"));
    return first_member(c.bind(org_id).bind(id));
}

std::optional<core::Member> SqliteTransaction::member_by_public_id(RowId org_id,
                                                                   std::string_view public_id) {
    auto c = db_.query(select_members("org_id = ? AND public_id = ?"));
    return first_member(c.bind(org_id).bind(public_id));
}

std::optional<core::Member> SqliteTransaction::member_by_user_name(RowId org_id,
                                                                   std::string_view user_name) {
    auto c = db_.query(select_members("org_id = ? AND user_name = ?"));
    return first_member(c.bind(org_id).bind(user_name));
}

std::optional<core::Member> SqliteTransaction::member_by_email(RowId org_id,
                                                               std::string_view email) {
    auto c = db_.query(select_members("org_id = ? AND email = ? ORDER BY id LIMIT 1"));
    return first_member(c.bind(org_id).bind(email));
}

std::optional<core::Member> SqliteTransaction::member_by_external_id(RowId org_id,
                                                                     std::string_view external_id) {
    auto c = db_.query(select_members("org_id = ? AND external_id = ? ORDER BY id LIMIT 1"));
    return first_member(c.bind(org_id).bind(external_id));
}

std::optional<core::Member> SqliteTransaction::member_by_saml_subject(RowId org_id,
                                                                      std::string_view subject) {
    auto c = db_.query(select_members("org_id = ? AND saml_subject = ?"));
    return first_member(c.bind(org_id).bind(subject));
}

std::optional<core::Member> SqliteTransaction::member_by_oidc_subject(RowId org_id,
                                                                      std::string_view subject) {
    auto c = db_.query(select_members("org_id = ? AND oidc_subject = ?"));
    return first_member(c.bind(org_id).bind(subject));
}

Result<core::Member> SqliteTransaction::update_member(core::Member m) {
    m.updated_at = now_seconds();
    try {
        auto c = db_.query(
            "UPDATE members SET email = ?, user_name = ?, external_id = ?, given_name = ?, "
            "family_name = ?, display_name = ?, role = ?, state = ?, source = ?, idp_managed = ?, "
            "saml_subject = ?, password_hash = ?, break_glass = ?, scim_attributes = ?, "
            "updated_at = ?, last_sign_in_at = ?, oidc_subject = ?, version = version + 1 "
            "WHERE org_id = ? AND id = ? RETURNING version");
        c.bind(m.email);
        bind_or_null(c, m.user_name);
        bind_or_null(c, m.external_id);
        c.bind(m.given_name).bind(m.family_name).bind(m.display_name);
        c.bind(core::to_string(m.role))
            .bind(core::to_string(m.state))
            .bind(core::to_string(m.source));
        c.bind(m.idp_managed);
        bind_or_null(c, m.saml_subject);
        bind_or_null(c, m.password_hash);
        c.bind(m.break_glass).bind(m.scim_attributes).bind(m.updated_at).bind(m.last_sign_in_at);
        bind_or_null(c, m.oidc_subject);
        c.bind(m.org_id).bind(m.id);
        if (!c.step()) return fail(kNotFound, "The member no longer exists.");
        m.version = c.integer(0);
    } catch (const ConstraintError& e) {
        return fail(kConflict, conflict_message(m, e.what()));
    }
    return m;
}

Status SqliteTransaction::delete_member(RowId org_id, RowId id) {
    db_.query("DELETE FROM members WHERE org_id = ? AND id = ?").bind(org_id).bind(id).run();
    if (db_.changes() == 0) return fail(kNotFound, "The member no longer exists.");
    return {};
}

PageOf<core::Member> SqliteTransaction::list_members(RowId org_id, const MemberQuery& query,
                                                     Page page) {
    const sql::Fragment where =
        compile_where([&] { return sql::member_where(query, sql::sqlite_dialect(), 2); });
    const std::string scoped = "org_id = ? AND " + where.text;
    // Searches, roles, states, teams and the break-glass test give a few dozen shapes of
    // statement, kept prepared; a condition's SQL varies with every filter an IdP sends.
    const bool cached = !query.condition;
    PageOf<core::Member> result;
    {
        const std::string sql = "SELECT count(*) FROM members WHERE " + scoped;
        auto count = cached ? db_.query(sql) : db_.query_uncached(sql);
        count.bind(org_id);
        for (const auto& value : where.params) count.bind(value);
        if (count.step()) result.total = count.integer(0);
    }
    if (page.limit <= 0) return result;
    const std::string sql = select_members(scoped.c_str()) + " ORDER BY id LIMIT ? OFFSET ?";
    auto rows = cached ? db_.query(sql) : db_.query_uncached(sql);
    rows.bind(org_id);
    for (const auto& value : where.params) rows.bind(value);
    rows.bind(page.limit).bind(page.offset);
    while (rows.step()) result.items.push_back(read_member(rows));
    return result;
}

}  // namespace gatehouse::store::sqlite
