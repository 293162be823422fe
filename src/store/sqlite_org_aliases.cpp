// Org aliases: the earlier slugs of renamed orgs, and the rename itself. The uniqueness of a
// slug across orgs.slug and org_aliases.slug is the schema's (migration 7), so a conflict
// surfaces here as a ConstraintError whichever table it was found in.
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

Error slug_taken(std::string_view slug) {
    return fail(kConflict, "An organization with the slug '" + std::string(slug) +
                               "' already exists, or keeps it as an alias.");
}

}  // namespace

core::Org SqliteTransaction::with_aliases(core::Org org) {
    org.aliases.clear();
    for (auto& alias : list_org_aliases(org.id)) org.aliases.push_back(std::move(alias.slug));
    return org;
}

std::optional<core::Org> SqliteTransaction::org_by_alias(std::string_view slug) {
    RowId org_id = 0;
    {
        auto cursor = db_.query("SELECT org_id FROM org_aliases WHERE slug = ?");
        cursor.bind(slug);
        if (!cursor.step()) return std::nullopt;
        org_id = cursor.integer(0);
    }
    return org_by_id(org_id);
}

std::vector<core::OrgAlias> SqliteTransaction::list_org_aliases(RowId org_id) {
    std::vector<core::OrgAlias> aliases;
    auto cursor = db_.query(
        "SELECT org_id, slug, created_at FROM org_aliases WHERE org_id = ? "
        "ORDER BY created_at, rowid");
    cursor.bind(org_id);
    while (cursor.step()) {
        aliases.push_back(core::OrgAlias{cursor.integer(0), cursor.text(1), cursor.integer(2)});
    }
    return aliases;
}

Status SqliteTransaction::insert_org_alias(const core::OrgAlias& alias) {
    try {
        db_.query("INSERT INTO org_aliases (slug, org_id, created_at) VALUES (?,?,?)")
            .bind(alias.slug)
            .bind(alias.org_id)
            .bind(alias.created_at ? alias.created_at : now_seconds())
            .run();
    } catch (const ConstraintError&) {
        return slug_taken(alias.slug);
    }
    return {};
}

Status SqliteTransaction::delete_org_alias(RowId org_id, std::string_view slug) {
    db_.query("DELETE FROM org_aliases WHERE org_id = ? AND slug = ?")
        .bind(org_id)
        .bind(slug)
        .run();
    if (db_.changes() == 0) {
        return fail(kNotFound, "The organization has no alias '" + std::string(slug) + "'.");
    }
    return {};
}

Status SqliteTransaction::rename_org(RowId org_id, std::string_view new_slug, UnixTime at) {
    const auto org = org_by_id(org_id);
    if (!org) return fail(kNotFound, "The organization no longer exists.");
    if (org->slug == new_slug) {
        return fail(kConflict, "The organization's slug is already '" + org->slug + "'.");
    }
    // Taking back one of its own earlier slugs: the alias gives way to the slug, which must
    // happen first, since a slug may not be an org's slug and an alias at once.
    db_.query("DELETE FROM org_aliases WHERE org_id = ? AND slug = ?")
        .bind(org_id)
        .bind(new_slug)
        .run();
    // The slug changes before the old one becomes an alias, for the same reason.
    try {
        db_.query("UPDATE orgs SET slug = ? WHERE id = ?").bind(new_slug).bind(org_id).run();
    } catch (const ConstraintError&) {
        return slug_taken(new_slug);
    }
    return insert_org_alias(core::OrgAlias{org_id, org->slug, at});
}

}  // namespace gatehouse::store::sqlite
