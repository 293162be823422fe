// Teams and their members.
#include "gatehouse/util/crypto.hpp"
#include "postgres_transaction.hpp"
#include "row_codec.hpp"

namespace gatehouse::store::postgres {
namespace {

constexpr const char* kTeamColumns =
    "teams.id, teams.org_id, teams.public_id, teams.slug, teams.display_name, "
    "teams.external_id, teams.idp_managed, teams.created_at, teams.updated_at, teams.version, "
    "teams.scim_attributes, teams.sign_in_managed";

std::string select_teams(const std::string& where) {
    return std::string("SELECT ") + kTeamColumns + " FROM teams WHERE " + where;
}

std::optional<core::Team> first_team(const Rows& rows) {
    if (rows.empty()) return std::nullopt;
    return read_team(Row(rows, 0));
}

Error slug_taken(const core::Team& t) {
    return fail(kConflict,
                "A team with the slug '" + t.slug + "' already exists in this organization.");
}

}  // namespace

Result<core::Team> PostgresTransaction::insert_team(core::Team t) {
    if (t.public_id.empty()) t.public_id = util::random_uuid();
    if (t.created_at == 0) t.created_at = now_seconds();
    t.updated_at = t.created_at;
    t.version = 1;
    if (t.scim_attributes.empty()) t.scim_attributes = "{}";
    try {
        const Rows rows = db_.query_guarded(
            "INSERT INTO teams (org_id, public_id, slug, display_name, external_id, idp_managed, "
            "scim_attributes, created_at, updated_at, version, sign_in_managed) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,1,$10) RETURNING id",
            {t.org_id, t.public_id, t.slug, t.display_name, Param::or_null(t.external_id),
             t.idp_managed, t.scim_attributes, t.created_at, t.updated_at, t.sign_in_managed});
        t.id = rows.integer(0, 0);
    } catch (const ConstraintError&) {
        return slug_taken(t);
    }
    return t;
}

std::optional<core::Team> PostgresTransaction::team_by_public_id(RowId org_id,
                                                                 std::string_view public_id) {
    return first_team(
        db_.query(select_teams("teams.org_id = $1 AND teams.public_id = $2"), {org_id, public_id}));
}

std::optional<core::Team> PostgresTransaction::team_by_slug(RowId org_id, std::string_view slug) {
    return first_team(
        db_.query(select_teams("teams.org_id = $1 AND teams.slug = $2"), {org_id, slug}));
}

Result<core::Team> PostgresTransaction::update_team(core::Team t) {
    t.updated_at = now_seconds();
    if (t.scim_attributes.empty()) t.scim_attributes = "{}";
    try {
        const Rows rows = db_.query_guarded(
            "UPDATE teams SET slug = $1, display_name = $2, external_id = $3, idp_managed = $4, "
            "scim_attributes = $5, sign_in_managed = $6, updated_at = $7, version = version + 1 "
            "WHERE org_id = $8 AND id = $9 RETURNING version",
            {t.slug, t.display_name, Param::or_null(t.external_id), t.idp_managed,
             t.scim_attributes, t.sign_in_managed, t.updated_at, t.org_id, t.id});
        if (rows.empty()) return fail(kNotFound, "The team no longer exists.");
        t.version = rows.integer(0, 0);
    } catch (const ConstraintError&) {
        return slug_taken(t);
    }
    return t;
}

Status PostgresTransaction::delete_team(RowId org_id, RowId id) {
    const Rows rows = db_.query("DELETE FROM teams WHERE org_id = $1 AND id = $2", {org_id, id});
    if (rows.affected() == 0) return fail(kNotFound, "The team no longer exists.");
    return {};
}

PageOf<core::Team> PostgresTransaction::list_teams(RowId org_id, const TeamQuery& query,
                                                   Page page) {
    const sql::Fragment where =
        compile_where([&] { return sql::team_where(query, sql::postgres_dialect(), 2); });
    const std::string scoped = "teams.org_id = $1 AND " + where.text;
    Params params = {org_id};
    for (const auto& value : where.params) params.emplace_back(value);
    // The fixed shapes of query stay prepared; a condition's SQL varies with every filter an
    // IdP sends.
    const bool cached = !query.condition;
    const auto run = [&](const std::string& text) {
        return cached ? db_.query(text, params) : db_.query_uncached(text, params);
    };
    PageOf<core::Team> result;
    result.total = run("SELECT count(*) FROM teams WHERE " + scoped).integer(0, 0);
    if (page.limit <= 0) return result;
    const std::size_t next = params.size() + 1;
    params.emplace_back(page.limit);
    params.emplace_back(page.offset);
    const Rows rows = run(select_teams(scoped) + " ORDER BY teams.id LIMIT $" +
                          std::to_string(next) + " OFFSET $" + std::to_string(next + 1));
    for (int i = 0; i < rows.size(); ++i) result.items.push_back(read_team(Row(rows, i)));
    return result;
}

Status PostgresTransaction::add_team_member(RowId org_id, RowId team_id, RowId member_id) {
    // The SELECT guards the org scope: both rows must belong to org_id.
    db_.query(
        "INSERT INTO team_members (org_id, team_id, member_id) "
        "SELECT $1::bigint, t.id, m.id FROM teams t, members m "
        "WHERE t.id = $2 AND t.org_id = $1 AND m.id = $3 AND m.org_id = $1 "
        "ON CONFLICT DO NOTHING",
        {org_id, team_id, member_id});
    return {};
}

Status PostgresTransaction::remove_team_member(RowId org_id, RowId team_id, RowId member_id) {
    db_.query("DELETE FROM team_members WHERE org_id = $1 AND team_id = $2 AND member_id = $3",
              {org_id, team_id, member_id});
    return {};
}

Status PostgresTransaction::clear_team_members(RowId org_id, RowId team_id) {
    db_.query("DELETE FROM team_members WHERE org_id = $1 AND team_id = $2", {org_id, team_id});
    return {};
}

std::vector<std::pair<std::string, std::string>> PostgresTransaction::team_members(RowId org_id,
                                                                                   RowId team_id) {
    const Rows rows = db_.query(
        "SELECT m.public_id, CASE WHEN m.display_name <> '' THEN m.display_name ELSE "
        "coalesce(m.user_name, m.email) END FROM team_members tm JOIN members m ON m.id = "
        "tm.member_id WHERE tm.org_id = $1 AND tm.team_id = $2 ORDER BY tm.member_id",
        {org_id, team_id});
    std::vector<std::pair<std::string, std::string>> members;
    for (int i = 0; i < rows.size(); ++i) members.emplace_back(rows.text(i, 0), rows.text(i, 1));
    return members;
}

std::vector<core::Team> PostgresTransaction::teams_of_member(RowId org_id, RowId member_id) {
    const Rows rows = db_.query(std::string("SELECT ") + kTeamColumns +
                                    " FROM team_members tm JOIN teams ON teams.id = tm.team_id "
                                    "WHERE tm.org_id = $1 AND tm.member_id = $2 "
                                    "ORDER BY teams.slug COLLATE \"C\"",
                                {org_id, member_id});
    std::vector<core::Team> teams;
    for (int i = 0; i < rows.size(); ++i) teams.push_back(read_team(Row(rows, i)));
    return teams;
}

}  // namespace gatehouse::store::postgres
