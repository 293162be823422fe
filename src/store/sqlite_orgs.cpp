#include <nlohmann/json.hpp>

#include "gatehouse/core/names.hpp"
#include "row_codec.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr const char* kOrgColumns =
    "id, slug, name, default_role, require_sso, scim_enabled, jit_provisioning, "
    "allow_idp_initiated, created_at, audit_retention_days, apply_sign_in_attributes";

std::optional<core::Org> first_org(Cursor& cursor) {
    if (!cursor.step()) return std::nullopt;
    return read_org(cursor);
}

}  // namespace

Result<core::Org> SqliteTransaction::insert_org(core::Org org) {
    if (org.created_at == 0) org.created_at = now_seconds();
    try {
        db_.query(
               "INSERT INTO orgs (slug, name, default_role, require_sso, scim_enabled, "
               "jit_provisioning, allow_idp_initiated, created_at, audit_retention_days, "
               "apply_sign_in_attributes) VALUES (?,?,?,?,?,?,?,?,?,?)")
            .bind(org.slug)
            .bind(org.name)
            .bind(core::to_string(org.default_role))
            .bind(org.require_sso)
            .bind(org.scim_enabled)
            .bind(org.jit_provisioning)
            .bind(org.allow_idp_initiated)
            .bind(org.created_at)
            .bind(org.audit_retention_days)
            .bind(org.apply_sign_in_attributes)
            .run();
    } catch (const ConstraintError&) {
        return fail(kConflict, "An organization with the slug '" + org.slug +
                                   "' already exists, or keeps it as an alias.");
    }
    org.id = db_.last_insert_id();
    return org;
}

std::optional<core::Org> SqliteTransaction::org_by_slug(std::string_view slug) {
    auto cursor = db_.query(std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE slug = ?");
    auto org = first_org(cursor.bind(slug));
    if (!org) return org;
    return with_aliases(std::move(*org));
}

std::optional<core::Org> SqliteTransaction::org_by_id(RowId id) {
    auto cursor = db_.query(std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE id = ?");
    auto org = first_org(cursor.bind(id));
    if (!org) return org;
    return with_aliases(std::move(*org));
}

std::vector<core::Org> SqliteTransaction::list_orgs() {
    std::vector<core::Org> orgs;
    auto cursor = db_.query(std::string("SELECT ") + kOrgColumns + " FROM orgs ORDER BY slug");
    while (cursor.step()) orgs.push_back(read_org(cursor));
    for (auto& org : orgs) org = with_aliases(std::move(org));
    return orgs;
}

Status SqliteTransaction::update_org(const core::Org& org) {
    db_.query(
           "UPDATE orgs SET name = ?, default_role = ?, require_sso = ?, scim_enabled = ?, "
           "jit_provisioning = ?, allow_idp_initiated = ?, audit_retention_days = ?, "
           "apply_sign_in_attributes = ? WHERE id = ?")
        .bind(org.name)
        .bind(core::to_string(org.default_role))
        .bind(org.require_sso)
        .bind(org.scim_enabled)
        .bind(org.jit_provisioning)
        .bind(org.allow_idp_initiated)
        .bind(org.audit_retention_days)
        .bind(org.apply_sign_in_attributes)
        .bind(org.id)
        .run();
    if (db_.changes() == 0) return fail(kNotFound, "The organization no longer exists.");
    return {};
}

std::optional<core::SamlProvider> SqliteTransaction::saml_provider(RowId org_id) {
    auto c = db_.query(std::string(kProviderColumns) + "WHERE org_id = ?");
    c.bind(org_id);
    if (!c.step()) return std::nullopt;
    return read_provider(c);
}

std::vector<core::SamlProvider> SqliteTransaction::providers_with_metadata_url() {
    std::vector<core::SamlProvider> providers;
    auto c = db_.query(std::string(kProviderColumns) + "WHERE metadata_url != '' ORDER BY org_id");
    while (c.step()) providers.push_back(read_provider(c));
    return providers;
}

Status SqliteTransaction::put_saml_provider(const core::SamlProvider& p) {
    const nlohmann::json mapping = {{"user_id", p.mapping.user_id},
                                    {"email", p.mapping.email},
                                    {"first_name", p.mapping.first_name},
                                    {"last_name", p.mapping.last_name},
                                    {"role", p.mapping.role},
                                    {"groups", p.mapping.groups}};
    const nlohmann::json options = {
        {"clock_skew_seconds", p.options.clock_skew_seconds},
        {"allow_sha1", p.options.allow_sha1},
        {"require_signed_assertion", p.options.require_signed_assertion},
        {"require_aes_gcm", p.options.require_aes_gcm},
        {"max_issue_age_seconds", p.options.max_issue_age_seconds}};
    db_.query(
           "INSERT INTO saml_providers (org_id, idp_entity_id, sso_url, slo_url, certificates, "
           "metadata_url, preset, attribute_mapping, options, updated_at, metadata_fetched_at) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(org_id) DO UPDATE SET "
           "idp_entity_id = excluded.idp_entity_id, sso_url = excluded.sso_url, "
           "slo_url = excluded.slo_url, certificates = excluded.certificates, "
           "metadata_url = excluded.metadata_url, preset = excluded.preset, "
           "attribute_mapping = excluded.attribute_mapping, options = excluded.options, "
           "updated_at = excluded.updated_at, metadata_fetched_at = excluded.metadata_fetched_at")
        .bind(p.org_id)
        .bind(p.idp_entity_id)
        .bind(p.sso_url)
        .bind(p.slo_url)
        .bind(nlohmann::json(p.certificates).dump())
        .bind(p.metadata_url)
        .bind(p.preset)
        .bind(mapping.dump())
        .bind(options.dump())
        .bind(p.updated_at ? p.updated_at : now_seconds())
        .bind(p.metadata_fetched_at ? std::optional<std::int64_t>(*p.metadata_fetched_at)
                                    : std::nullopt)
        .run();
    return {};
}

Status SqliteTransaction::delete_saml_provider(RowId org_id) {
    db_.query("DELETE FROM saml_providers WHERE org_id = ?").bind(org_id).run();
    return {};
}

}  // namespace gatehouse::store::sqlite
