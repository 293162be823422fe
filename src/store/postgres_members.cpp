// Members, and resolving many member ids at once for SCIM group membership. user_name and
// email compare as lower(column COLLATE "C"), ASCII case folding only, as SQLite's NOCASE
// columns do, and so use the expression indexes of postgres_schema.cpp.
#include "gatehouse/core/names.hpp"
#include "gatehouse/util/crypto.hpp"
#include "postgres_transaction.hpp"
#include "row_codec.hpp"

namespace gatehouse::store::postgres {
namespace {

std::string select_members(const std::string& where) {
    return std::string("SELECT ") + kMemberColumns + " FROM members WHERE " + where;
}

std::optional<core::Member> first_member(const Rows& rows) {
    if (rows.empty()) return std::nullopt;
    return read_member(Row(rows, 0));
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

Result<core::Member> PostgresTransaction::insert_member(core::Member m) {
    if (m.public_id.empty()) m.public_id = util::random_uuid();
    const UnixTime now = now_seconds();
    if (m.created_at == 0) m.created_at = now;
    m.updated_at = m.created_at;
    m.version = 1;
    if (m.scim_attributes.empty()) m.scim_attributes = "{}";
    try {
        const Rows rows = db_.query_guarded(
            "INSERT INTO members (org_id, public_id, email, user_name, external_id, given_name, "
            "family_name, display_name, role, state, source, idp_managed, saml_subject, "
            "password_hash, break_glass, scim_attributes, created_at, updated_at, "
            "last_sign_in_at, version, oidc_subject) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,"
            "$12,$13,$14,$15,$16,$17,$18,$19,1,$20) RETURNING id",
            {m.org_id,
             m.public_id,
             m.email,
             Param::or_null(m.user_name),
             Param::or_null(m.external_id),
             m.given_name,
             m.family_name,
             m.display_name,
             std::string(core::to_string(m.role)),
             std::string(core::to_string(m.state)),
             std::string(core::to_string(m.source)),
             m.idp_managed,
             Param::or_null(m.saml_subject),
             Param::or_null(m.password_hash),
             m.break_glass,
             m.scim_attributes,
             m.created_at,
             m.updated_at,
             m.last_sign_in_at,
             Param::or_null(m.oidc_subject)});
        m.id = rows.integer(0, 0);
    } catch (const ConstraintError& e) {
        return fail(kConflict, conflict_message(m, e.what()));
    }
    return m;
}

std::optional<core::Member> PostgresTransaction::member_by_id(RowId org_id, RowId id) {
    return first_member(db_.query(select_members("org_id = $1 AND id = $2"), {org_id, id}));
}

std::optional<core::Member> PostgresTransaction::member_by_public_id(RowId org_id,
                                                                     std::string_view public_id) {
    return first_member(
        db_.query(select_members("org_id = $1 AND public_id = $2"), {org_id, public_id}));
}

std::optional<core::Member> PostgresTransaction::member_by_user_name(RowId org_id,
                                                                     std::string_view user_name) {
    return first_member(db_.query(
        select_members("org_id = $1 AND lower(user_name COLLATE \"C\") = lower($2 COLLATE \"C\")"),
        {org_id, user_name}));
}

std::optional<core::Member> PostgresTransaction::member_by_email(RowId org_id,
                                                                 std::string_view email) {
    return first_member(db_.query(
        select_members("org_id = $1 AND lower(email COLLATE \"C\") = lower($2 COLLATE \"C\") "
                       "ORDER BY id LIMIT 1"),
        {org_id, email}));
}

std::optional<core::Member> PostgresTransaction::member_by_external_id(
    RowId org_id, std::string_view external_id) {
    return first_member(
        db_.query(select_members("org_id = $1 AND external_id = $2 ORDER BY id LIMIT 1"),
                  {org_id, external_id}));
}

std::optional<core::Member> PostgresTransaction::member_by_saml_subject(RowId org_id,
                                                                        std::string_view subject) {
    return first_member(
        db_.query(select_members("org_id = $1 AND saml_subject = $2"), {org_id, subject}));
}

std::optional<core::Member> PostgresTransaction::member_by_oidc_subject(RowId org_id,
                                                                        std::string_view subject) {
    return first_member(
        db_.query(select_members("org_id = $1 AND oidc_subject = $2"), {org_id, subject}));
}

Result<core::Member> PostgresTransaction::update_member(core::Member m) {
    m.updated_at = now_seconds();
    try {
        const Rows rows = db_.query_guarded(
            "UPDATE members SET email = $1, user_name = $2, external_id = $3, given_name = $4, "
            "family_name = $5, display_name = $6, role = $7, state = $8, source = $9, "
            "idp_managed = $10, saml_subject = $11, password_hash = $12, break_glass = $13, "
            "scim_attributes = $14, updated_at = $15, last_sign_in_at = $16, oidc_subject = $17, "
            "version = version + 1 WHERE org_id = $18 AND id = $19 RETURNING version",
            {m.email, Param::or_null(m.user_name), Param::or_null(m.external_id), m.given_name,
             m.family_name, m.display_name, std::string(core::to_string(m.role)),
             std::string(core::to_string(m.state)), std::string(core::to_string(m.source)),
             m.idp_managed, Param::or_null(m.saml_subject), Param::or_null(m.password_hash),
             m.break_glass, m.scim_attributes, m.updated_at, m.last_sign_in_at,
             Param::or_null(m.oidc_subject), m.org_id, m.id});
        if (rows.empty()) return fail(kNotFound, "The member no longer exists.");
        m.version = rows.integer(0, 0);
    } catch (const ConstraintError& e) {
        return fail(kConflict, conflict_message(m, e.what()));
    }
    return m;
}

Status PostgresTransaction::delete_member(RowId org_id, RowId id) {
    const Rows rows = db_.query("DELETE FROM members WHERE org_id = $1 AND id = $2", {org_id, id});
    if (rows.affected() == 0) return fail(kNotFound, "The member no longer exists.");
    return {};
}

PageOf<core::Member> PostgresTransaction::list_members(RowId org_id, const MemberQuery& query,
                                                       Page page) {
    const sql::Fragment where =
        compile_where([&] { return sql::member_where(query, sql::postgres_dialect(), 2); });
    const std::string scoped = "members.org_id = $1 AND " + where.text;
    Params params = {org_id};
    for (const auto& value : where.params) params.emplace_back(value);
    // The fixed shapes of query stay prepared; a condition's SQL varies with every filter an
    // IdP sends.
    const bool cached = !query.condition;
    const auto run = [&](const std::string& text) {
        return cached ? db_.query(text, params) : db_.query_uncached(text, params);
    };
    PageOf<core::Member> result;
    result.total = run("SELECT count(*) FROM members WHERE " + scoped).integer(0, 0);
    if (page.limit <= 0) return result;
    const std::size_t next = params.size() + 1;
    params.emplace_back(page.limit);
    params.emplace_back(page.offset);
    const Rows rows = run(select_members(scoped) + " ORDER BY members.id LIMIT $" +
                          std::to_string(next) + " OFFSET $" + std::to_string(next + 1));
    for (int i = 0; i < rows.size(); ++i) result.items.push_back(read_member(Row(rows, i)));
    return result;
}

std::vector<std::optional<RowId>> PostgresTransaction::member_row_ids(
    RowId org_id, const std::vector<std::string>& public_ids) {
    // One statement for the whole list: unnest keeps each id's position, so the answer
    // comes back in the order asked, with NULL for an id that names no member of the org.
    std::string array = "{";
    for (std::size_t i = 0; i < public_ids.size(); ++i) {
        if (i) array += ',';
        array += '"';
        for (const char ch : public_ids[i]) {
            if (ch == '"' || ch == '\\') array += '\\';
            array += ch;
        }
        array += '"';
    }
    array += '}';
    const Rows rows = db_.query(
        "SELECT m.id FROM unnest($2::text[]) WITH ORDINALITY AS asked(public_id, position) "
        "LEFT JOIN members m ON m.org_id = $1 AND m.public_id = asked.public_id "
        "ORDER BY asked.position",
        {org_id, array});
    std::vector<std::optional<RowId>> ids;
    ids.reserve(public_ids.size());
    for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.optional_integer(i, 0));
    return ids;
}

}  // namespace gatehouse::store::postgres
