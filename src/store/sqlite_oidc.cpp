// The org's OpenID Connect or GitHub sign-in provider: one row per org, lists kept as JSON
// arrays, the issuer's discovery document and keys as the text last fetched.
#include <nlohmann/json.hpp>

#include "gatehouse/core/names.hpp"
#include "sqlite_transaction.hpp"

namespace gatehouse::store::sqlite {

std::optional<core::OidcProvider> SqliteTransaction::oidc_provider(RowId org_id) {
    auto c = db_.query(
        "SELECT org_id, kind, issuer, client_id, client_secret, hosted_domains, allowed_orgs, "
        "clock_skew_seconds, discovery, jwks, jwks_fetched_at, updated_at, role_claim, "
        "groups_claim FROM oidc_providers WHERE org_id = ?");
    c.bind(org_id);
    if (!c.step()) return std::nullopt;
    core::OidcProvider p;
    p.org_id = c.integer(0);
    // A kind this build does not know cannot be signed in with: report no provider.
    const auto kind = core::parse_oidc_kind(c.text(1));
    if (!kind) return std::nullopt;
    p.kind = *kind;
    p.issuer = c.text(2);
    p.client_id = c.text(3);
    p.client_secret = c.text(4);
    p.hosted_domains = nlohmann::json::parse(c.text(5)).get<std::vector<std::string>>();
    p.allowed_orgs = nlohmann::json::parse(c.text(6)).get<std::vector<std::string>>();
    p.clock_skew_seconds = static_cast<int>(c.integer(7));
    p.discovery = c.text(8);
    p.jwks = c.text(9);
    p.jwks_fetched_at = c.optional_integer(10);
    p.updated_at = c.integer(11);
    p.role_claim = c.text(12);
    p.groups_claim = c.text(13);
    return p;
}

Status SqliteTransaction::put_oidc_provider(const core::OidcProvider& p) {
    db_.query(
           "INSERT INTO oidc_providers (org_id, kind, issuer, client_id, client_secret, "
           "hosted_domains, allowed_orgs, clock_skew_seconds, discovery, jwks, jwks_fetched_at, "
           "updated_at, role_claim, groups_claim) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
           "ON CONFLICT(org_id) DO UPDATE SET "
           "kind = excluded.kind, issuer = excluded.issuer, client_id = excluded.client_id, "
           "client_secret = excluded.client_secret, hosted_domains = excluded.hosted_domains, "
           "allowed_orgs = excluded.allowed_orgs, "
           "clock_skew_seconds = excluded.clock_skew_seconds, discovery = excluded.discovery, "
           "jwks = excluded.jwks, jwks_fetched_at = excluded.jwks_fetched_at, "
           "updated_at = excluded.updated_at, role_claim = excluded.role_claim, "
           "groups_claim = excluded.groups_claim")
        .bind(p.org_id)
        .bind(std::string(core::to_string(p.kind)))
        .bind(p.issuer)
        .bind(p.client_id)
        .bind(p.client_secret)
        .bind(nlohmann::json(p.hosted_domains).dump())
        .bind(nlohmann::json(p.allowed_orgs).dump())
        .bind(static_cast<std::int64_t>(p.clock_skew_seconds))
        .bind(p.discovery)
        .bind(p.jwks)
        .bind(p.jwks_fetched_at ? std::optional<std::int64_t>(*p.jwks_fetched_at) : std::nullopt)
        .bind(p.updated_at ? p.updated_at : now_seconds())
        .bind(p.role_claim)
        .bind(p.groups_claim)
        .run();
    return {};
}

Status SqliteTransaction::delete_oidc_provider(RowId org_id) {
    db_.query("DELETE FROM oidc_providers WHERE org_id = ?").bind(org_id).run();
    return {};
}

}  // namespace gatehouse::store::sqlite
