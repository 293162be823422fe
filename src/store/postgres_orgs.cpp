// Orgs, their aliases (earlier slugs of renamed orgs) and their sign-in providers. The
// uniqueness of a slug across orgs.slug and org_aliases.slug is the schema's (triggers in
// postgres_schema.cpp), so a conflict surfaces here as a ConstraintError whichever table it
// was found in.
#include <nlohmann/json.hpp>

#include "gatehouse/core/names.hpp"
#include "postgres_transaction.hpp"
#include "row_codec.hpp"

namespace gatehouse::store::postgres {
namespace {

constexpr const char* kOrgColumns =
    "SELECT id, slug, name, default_role, require_sso, scim_enabled, jit_provisioning, "
    "allow_idp_initiated, created_at, audit_retention_days, apply_sign_in_attributes FROM orgs ";

Error slug_taken(std::string_view slug) {
    return fail(kConflict, "An organization with the slug '" + std::string(slug) +
                               "' already exists, or keeps it as an alias.");
}

}  // namespace

Result<core::Org> PostgresTransaction::insert_org(core::Org org) {
    if (org.created_at == 0) org.created_at = now_seconds();
    try {
        const Rows rows = db_.query_guarded(
            "INSERT INTO orgs (slug, name, default_role, require_sso, scim_enabled, "
            "jit_provisioning, allow_idp_initiated, created_at, audit_retention_days, "
            "apply_sign_in_attributes) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
            {org.slug, org.name, std::string(core::to_string(org.default_role)), org.require_sso,
             org.scim_enabled, org.jit_provisioning, org.allow_idp_initiated, org.created_at,
             org.audit_retention_days, org.apply_sign_in_attributes});
        org.id = rows.integer(0, 0);
    } catch (const ConstraintError&) {
        return slug_taken(org.slug);
    }
    return org;
}

std::optional<core::Org> PostgresTransaction::org_by_slug(std::string_view slug) {
    const Rows rows = db_.query(std::string(kOrgColumns) + "WHERE slug = $1", {slug});
    if (rows.empty()) return std::nullopt;
    return with_aliases(read_org(Row(rows, 0)));
}

std::optional<core::Org> PostgresTransaction::org_by_id(RowId id) {
    const Rows rows = db_.query(std::string(kOrgColumns) + "WHERE id = $1", {id});
    if (rows.empty()) return std::nullopt;
    return with_aliases(read_org(Row(rows, 0)));
}

std::vector<core::Org> PostgresTransaction::list_orgs() {
    // COLLATE "C" orders by bytes, as SQLite's BINARY collation does.
    const Rows rows = db_.query(std::string(kOrgColumns) + "ORDER BY slug COLLATE \"C\"");
    std::vector<core::Org> orgs;
    for (int i = 0; i < rows.size(); ++i) orgs.push_back(with_aliases(read_org(Row(rows, i))));
    return orgs;
}

Status PostgresTransaction::update_org(const core::Org& org) {
    const Rows rows = db_.query(
        "UPDATE orgs SET name = $1, default_role = $2, require_sso = $3, scim_enabled = $4, "
        "jit_provisioning = $5, allow_idp_initiated = $6, audit_retention_days = $7, "
        "apply_sign_in_attributes = $8 WHERE id = $9",
        {org.name, std::string(core::to_string(org.default_role)), org.require_sso,
         org.scim_enabled, org.jit_provisioning, org.allow_idp_initiated, org.audit_retention_days,
         org.apply_sign_in_attributes, org.id});
    if (rows.affected() == 0) return fail(kNotFound, "The organization no longer exists.");
    return {};
}

core::Org PostgresTransaction::with_aliases(core::Org org) {
    org.aliases.clear();
    for (auto& alias : list_org_aliases(org.id)) org.aliases.push_back(std::move(alias.slug));
    return org;
}

std::optional<core::Org> PostgresTransaction::org_by_alias(std::string_view slug) {
    const Rows rows = db_.query("SELECT org_id FROM org_aliases WHERE slug = $1", {slug});
    if (rows.empty()) return std::nullopt;
    return org_by_id(rows.integer(0, 0));
}

std::vector<core::OrgAlias> PostgresTransaction::list_org_aliases(RowId org_id) {
    const Rows rows = db_.query(
        "SELECT org_id, slug, created_at FROM org_aliases WHERE org_id = $1 "
        "ORDER BY created_at, seq",
        {org_id});
    std::vector<core::OrgAlias> aliases;
    for (int i = 0; i < rows.size(); ++i) {
        aliases.push_back(core::OrgAlias{rows.integer(i, 0), rows.text(i, 1), rows.integer(i, 2)});
    }
    return aliases;
}

Status PostgresTransaction::insert_org_alias(const core::OrgAlias& alias) {
    try {
        db_.query_guarded(
            "INSERT INTO org_aliases (slug, org_id, created_at) VALUES ($1,$2,$3)",
            {alias.slug, alias.org_id, alias.created_at ? alias.created_at : now_seconds()});
    } catch (const ConstraintError&) {
        return slug_taken(alias.slug);
    }
    return {};
}

Status PostgresTransaction::delete_org_alias(RowId org_id, std::string_view slug) {
    const Rows rows =
        db_.query("DELETE FROM org_aliases WHERE org_id = $1 AND slug = $2", {org_id, slug});
    if (rows.affected() == 0) {
        return fail(kNotFound, "The organization has no alias '" + std::string(slug) + "'.");
    }
    return {};
}

Status PostgresTransaction::rename_org(RowId org_id, std::string_view new_slug, UnixTime at) {
    const auto org = org_by_id(org_id);
    if (!org) return fail(kNotFound, "The organization no longer exists.");
    if (org->slug == new_slug) {
        return fail(kConflict, "The organization's slug is already '" + org->slug + "'.");
    }
    // Taking back one of its own earlier slugs: the alias gives way to the slug, which must
    // happen first, since a slug may not be an org's slug and an alias at once.
    db_.query("DELETE FROM org_aliases WHERE org_id = $1 AND slug = $2", {org_id, new_slug});
    // The slug changes before the old one becomes an alias, for the same reason.
    try {
        db_.query_guarded("UPDATE orgs SET slug = $1 WHERE id = $2", {new_slug, org_id});
    } catch (const ConstraintError&) {
        return slug_taken(new_slug);
    }
    return insert_org_alias(core::OrgAlias{org_id, org->slug, at});
}

std::optional<core::SamlProvider> PostgresTransaction::saml_provider(RowId org_id) {
    const Rows rows = db_.query(std::string(kProviderColumns) + "WHERE org_id = $1", {org_id});
    if (rows.empty()) return std::nullopt;
    return read_provider(Row(rows, 0));
}

std::vector<core::SamlProvider> PostgresTransaction::providers_with_metadata_url() {
    const Rows rows =
        db_.query(std::string(kProviderColumns) + "WHERE metadata_url <> '' ORDER BY org_id");
    std::vector<core::SamlProvider> providers;
    for (int i = 0; i < rows.size(); ++i) providers.push_back(read_provider(Row(rows, i)));
    return providers;
}

Status PostgresTransaction::put_saml_provider(const core::SamlProvider& p) {
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
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (org_id) DO UPDATE SET "
        "idp_entity_id = excluded.idp_entity_id, sso_url = excluded.sso_url, "
        "slo_url = excluded.slo_url, certificates = excluded.certificates, "
        "metadata_url = excluded.metadata_url, preset = excluded.preset, "
        "attribute_mapping = excluded.attribute_mapping, options = excluded.options, "
        "updated_at = excluded.updated_at, metadata_fetched_at = excluded.metadata_fetched_at",
        {p.org_id, p.idp_entity_id, p.sso_url, p.slo_url, nlohmann::json(p.certificates).dump(),
         p.metadata_url, p.preset, mapping.dump(), options.dump(),
         p.updated_at ? p.updated_at : now_seconds(),
         p.metadata_fetched_at ? std::optional<std::int64_t>(*p.metadata_fetched_at)
                               : std::nullopt});
    return {};
}

Status PostgresTransaction::delete_saml_provider(RowId org_id) {
    db_.query("DELETE FROM saml_providers WHERE org_id = $1", {org_id});
    return {};
}

std::optional<core::OidcProvider> PostgresTransaction::oidc_provider(RowId org_id) {
    const Rows rows = db_.query(
        "SELECT org_id, kind, issuer, client_id, client_secret, hosted_domains, allowed_orgs, "
        "clock_skew_seconds, discovery, jwks, jwks_fetched_at, updated_at, role_claim, "
        "groups_claim FROM oidc_providers WHERE org_id = $1",
        {org_id});
    if (rows.empty()) return std::nullopt;
    const Row r(rows, 0);
    core::OidcProvider p;
    p.org_id = r.integer(0);
    // A kind this build does not know cannot be signed in with: report no provider.
    const auto kind = core::parse_oidc_kind(r.text(1));
    if (!kind) return std::nullopt;
    p.kind = *kind;
    p.issuer = r.text(2);
    p.client_id = r.text(3);
    p.client_secret = r.text(4);
    p.hosted_domains = nlohmann::json::parse(r.text(5)).get<std::vector<std::string>>();
    p.allowed_orgs = nlohmann::json::parse(r.text(6)).get<std::vector<std::string>>();
    p.clock_skew_seconds = static_cast<int>(r.integer(7));
    p.discovery = r.text(8);
    p.jwks = r.text(9);
    p.jwks_fetched_at = r.optional_integer(10);
    p.updated_at = r.integer(11);
    p.role_claim = r.text(12);
    p.groups_claim = r.text(13);
    return p;
}

Status PostgresTransaction::put_oidc_provider(const core::OidcProvider& p) {
    db_.query(
        "INSERT INTO oidc_providers (org_id, kind, issuer, client_id, client_secret, "
        "hosted_domains, allowed_orgs, clock_skew_seconds, discovery, jwks, jwks_fetched_at, "
        "updated_at, role_claim, groups_claim) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) "
        "ON CONFLICT (org_id) DO UPDATE SET "
        "kind = excluded.kind, issuer = excluded.issuer, client_id = excluded.client_id, "
        "client_secret = excluded.client_secret, hosted_domains = excluded.hosted_domains, "
        "allowed_orgs = excluded.allowed_orgs, "
        "clock_skew_seconds = excluded.clock_skew_seconds, discovery = excluded.discovery, "
        "jwks = excluded.jwks, jwks_fetched_at = excluded.jwks_fetched_at, "
        "updated_at = excluded.updated_at, role_claim = excluded.role_claim, "
        "groups_claim = excluded.groups_claim",
        {p.org_id, std::string(core::to_string(p.kind)), p.issuer, p.client_id, p.client_secret,
         nlohmann::json(p.hosted_domains).dump(), nlohmann::json(p.allowed_orgs).dump(),
         p.clock_skew_seconds, p.discovery, p.jwks,
         p.jwks_fetched_at ? std::optional<std::int64_t>(*p.jwks_fetched_at) : std::nullopt,
         p.updated_at ? p.updated_at : now_seconds(), p.role_claim, p.groups_claim});
    return {};
}

Status PostgresTransaction::delete_oidc_provider(RowId org_id) {
    db_.query("DELETE FROM oidc_providers WHERE org_id = $1", {org_id});
    return {};
}

}  // namespace gatehouse::store::postgres
