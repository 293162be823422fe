#include "gatehouse/util/crypto.hpp"
#include "row_codec.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr const char* kTeamColumns =
    "id, org_id, public_id, slug, display_name, external_id, idp_managed, created_at, "
    "updated_at, version, scim_attributes, sign_in_managed";

std::string select_teams(const std::string& where) {
    return std::string("SELECT ") + kTeamColumns + " FROM teams WHERE " + where;
}

std::optional<core::Team> first_team(Cursor& cursor) {
    if (!cursor.step()) return std::nullopt;
    return read_team(cursor);
}

Cursor& bind_or_null(Cursor& cursor, const std::string& value) {
    return value.empty() ? cursor.bind(nullptr) : cursor.bind(value);
}

}  // namespace

Result<core::Team> SqliteTransaction::insert_team(core::Team t) {
    if (t.public_id.empty()) t.public_id = util::random_uuid();
    if (t.created_at == 0) t.created_at = now_seconds();
    t.updated_at = t.created_at;
    t.version = 1;
    if (t.scim_attributes.empty()) t.scim_attributes = "{}";
    try {
        auto c = db_.query(
            "INSERT INTO teams (org_id, public_id, slug, display_name, external_id, idp_managed, "
            "scim_attributes, created_at, updated_at, version, sign_in_managed) "
            "VALUES (?,?,?,?,?,?,?,?,?,1,?)");
        c.bind(t.org_id).bind(t.public_id).bind(t.slug).bind(t.display_name);
        bind_or_null(c, t.external_id);
        c.bind(t.idp_managed).bind(t.scim_attributes).bind(t.created_at).bind(t.updated_at);
        c.bind(t.sign_in_managed).run();
    } catch (const ConstraintError&) {
        return fail(kConflict,
                    "A team with the slug '" + t.slug + "' already exists in this organization.");
    }
    t.id = db_.last_insert_id();
    return t;
}

std::optional<core::Team> SqliteTransaction::team_by_public_id(RowId org_id,
                                                               std::string_view public_id) {
    auto c = db_.query(select_teams("org_id = ? AND public_id = ?"));
    return first_team(c.bind(org_id).bind(public_id));
}

std::optional<core::Team> SqliteTransaction::team_by_slug(RowId org_id, std::string_view slug) {
    auto c = db_.query(select_teams("org_id = ? AND slug = ?"));
    return first_team(c.bind(org_id).bind(slug));
}

Result<core::Team> SqliteTransaction::update_team(core::Team t) {
    t.updated_at = now_seconds();
    if (t.scim_attributes.empty()) t.scim_attributes = "{}";
    try {
        auto c = db_.query(
            "UPDATE teams SET slug = ?, display_name = ?, external_id = ?, idp_managed = ?, "
            "scim_attributes = ?, sign_in_managed = ?, updated_at = ?, version = version + 1 "
            "WHERE org_id = ? AND id = ? RETURNING version");
        c.bind(t.slug).bind(t.display_name);
        bind_or_null(c, t.external_id);
        c.bind(t.idp_managed).bind(t.scim_attributes).bind(t.sign_in_managed);
        c.bind(t.updated_at).bind(t.org_id).bind(t.id);
        if (!c.step()) return fail(kNotFound, "The team no longer exists.");
        t.version = c.integer(0);
    } catch (const ConstraintError&) {
        return fail(kConflict,
                    "A team with the slug '" + t.slug + "' already exists in this organization.");
    }
    return t;
}

Status SqliteTransaction::delete_team(RowId org_id, RowId id) {
    db_.query("DELETE FROM teams WHERE org_id = ? AND id = ?").bind(org_id).bind(id).run();
    if (db_.changes() == 0) return fail(kNotFound, "The team no longer exists.");
    return {};
}

PageOf<core::Team> SqliteTransaction::list_teams(RowId org_id, const TeamQuery& query, Page page) {
    const sql::Fragment where =
        compile_where([&] { return sql::team_where(query, sql::sqlite_dialect(), 2); });
    const std::string scoped = "org_id = ? AND " + where.text;
    // A condition's SQL varies with every filter an IdP sends; only the fixed shapes are
    // worth keeping prepared.
    const bool cached = !query.condition;
    PageOf<core::Team> result;
    {
        const std::string sql = "SELECT count(*) FROM teams WHERE " + scoped;
        auto count = cached ? db_.query(sql) : db_.query_uncached(sql);
        count.bind(org_id);
        for (const auto& value : where.params) count.bind(value);
        if (count.step()) result.total = count.integer(0);
    }
    if (page.limit <= 0) return result;
    const std::string sql = select_teams(scoped) + " ORDER BY id LIMIT ? OFFSET ?";
    auto rows = cached ? db_.query(sql) : db_.query_uncached(sql);
    rows.bind(org_id);
    for (const auto& value : where.params) rows.bind(value);
    rows.bind(page.limit).bind(page.offset);
    while (rows.step()) result.items.push_back(read_team(rows));
    return result;
}

Status SqliteTransaction::add_team_member(RowId org_id, RowId team_id, RowId member_id) {
    // The SELECT guards the org scope: both rows must belong to org_id.
    db_.query(
           "INSERT OR IGNORE INTO team_members (org_id, team_id, member_id) "
           "SELECT ?, t.id, m.id FROM teams t, members m "
           "WHERE t.id = ? AND t.org_id = ? AND m.id = ? AND m.org_id = ?")
        .bind(org_id)
        .bind(team_id)
        .bind(org_id)
        .bind(member_id)
        .bind(org_id)
        .run();
    return {};
}

Status SqliteTransaction::remove_team_member(RowId org_id, RowId team_id, RowId member_id) {
    db_.query("DELETE FROM team_members WHERE org_id = ? AND team_id = ? AND member_id = ?")
        .bind(org_id)
        .bind(team_id)
        .bind(member_id)
        .run();
    return {};
}

Status SqliteTransaction::clear_team_members(RowId org_id, RowId team_id) {
    db_.query("DELETE FROM team_members WHERE org_id = ? AND team_id = ?")
        .bind(org_id)
        .bind(team_id)
        .run();
    return {};
}

std::vector<std::pair<std::string, std::string>> SqliteTransaction::team_members(RowId org_id,
                                                                                 RowId team_id) {
    std::vector<std::pair<std::string, std::string>> members;
    auto c = db_.query(
        "SELECT m.public_id, CASE WHEN m.display_name <> '' THEN m.display_name ELSE "
        "coalesce(m.user_name, m.email) END FROM team_members tm JOIN members m ON m.id = "
        "tm.member_id WHERE tm.org_id = ? AND tm.team_id = ? ORDER BY tm.member_id");
    c.bind(org_id).bind(team_id);
    while (c.step()) members.emplace_back(c.text(0), c.text(1));
    return members;
}

std::vector<core::Team> SqliteTransaction::teams_of_member(RowId org_id, RowId member_id) {
    std::vector<core::Team> teams;
    auto c = db_.query(
        "SELECT t.id, t.org_id, t.public_id, t.slug, t.display_name, t.external_id, t.idp_managed, "
        "t.created_at, t.updated_at, t.version, t.scim_attributes, t.sign_in_managed FROM "
        "team_members tm JOIN "
        "teams t ON t.id = "
        "tm.team_id WHERE tm.org_id = ? AND tm.member_id = ? ORDER BY t.slug");
    c.bind(org_id).bind(member_id);
    while (c.step()) teams.push_back(read_team(c));
    return teams;
}

}  // namespace gatehouse::store::sqlite
