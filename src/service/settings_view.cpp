// The auth settings page's view of an org and the provider actions only that page and the
// admin API offer: removing the IdP and fetching its metadata URL again.
#include "gatehouse/service/settings_view.hpp"

#include <algorithm>

#include "audit_entry.hpp"

namespace gatehouse::service {

Result<AuthSettingsView> read_auth_settings_view(store::Store& store, const std::string& org_slug) {
    AuthSettingsView view;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return fail("org.not_found", "No organization '" + org_slug + "'.");
        view.org = std::move(*org);
        view.provider = tx.saml_provider(view.org.id);
        view.oidc = tx.oidc_provider(view.org.id);
        view.password_sessions = tx.count_password_sessions(view.org.id);
        for (auto& token : tx.list_credentials(store::CredentialKind::scim_token, view.org.id)) {
            if (!token.revoked_at) view.active_scim_tokens.push_back(std::move(token));
        }
        return {};
    });
    if (!read) return read.error();
    std::sort(view.active_scim_tokens.begin(), view.active_scim_tokens.end(),
              [](const core::ScimToken& a, const core::ScimToken& b) { return a.id < b.id; });
    if (view.provider) {
        auto described = describe_certificates(*view.provider);
        if (described) {
            view.certificates = std::move(*described);
        } else {
            view.certificates_unreadable = true;
        }
    }
    return view;
}

Status remove_provider(store::Store& store, const util::Clock& clock, const std::string& org_slug,
                       const Caller& caller) {
    if (auto allowed =
            authorize_identity_change(store, clock, org_slug, caller,
                                      IdentityRule::identity_provider, "saml.provider.remove");
        !allowed) {
        return allowed;
    }
    return store.write([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug(org_slug);
        if (!org) return fail("org.not_found", "No organization '" + org_slug + "'.");
        if (org->require_sso) {
            return fail("auth.require_sso.on",
                        "Turn Require SSO off before removing the identity provider, or nobody "
                        "but the break-glass owner could sign in.");
        }
        if (!tx.saml_provider(org->id)) {
            return fail("saml.not_configured",
                        "Single sign-on is not configured for this organization.");
        }
        if (auto removed = tx.delete_saml_provider(org->id); !removed) return removed;
        core::AuditEntry entry = audit_entry(*org, caller.actor, "saml.provider.remove", org->slug);
        entry.at = clock.now();
        return tx.append_audit(entry);
    });
}

Result<ConfiguredProvider> refresh_provider(store::Store& store, const util::Clock& clock,
                                            const std::string& org_slug, const Caller& caller,
                                            MetadataSource* source) {
    if (auto allowed =
            authorize_identity_change(store, clock, org_slug, caller,
                                      IdentityRule::identity_provider, "saml.provider.refresh");
        !allowed) {
        return allowed.error();
    }
    std::optional<core::SamlProvider> provider;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug(org_slug);
        if (!org) return fail("org.not_found", "No organization '" + org_slug + "'.");
        provider = tx.saml_provider(org->id);
        return {};
    });
    if (!read) return read.error();
    if (!provider || provider->metadata_url.empty()) {
        return fail("saml.metadata_url.none",
                    "The identity provider was not configured from a metadata URL.");
    }
    ProviderInput input;
    input.metadata_url = provider->metadata_url;
    input.preset = provider->preset;
    input.mapping = provider->mapping;
    return configure_provider(store, clock, org_slug, input, caller, source);
}

}  // namespace gatehouse::service
