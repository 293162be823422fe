#include "gatehouse/service/oidc_config.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "audit_entry.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/oidc/discovery.hpp"
#include "gatehouse/oidc/jose.hpp"
#include "oidc_keys.hpp"

namespace gatehouse::service {
namespace {

std::string trimmed_lowercase(std::string_view text) {
    const auto start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos) return {};
    const auto end = text.find_last_not_of(" \t");
    std::string out(text.substr(start, end - start + 1));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Domains and GitHub logins: lowercase, blanks dropped, duplicates removed, order kept.
std::vector<std::string> normalized(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& name : names) {
        std::string value = trimmed_lowercase(name);
        if (!value.empty() && std::find(out.begin(), out.end(), value) == out.end()) {
            out.push_back(std::move(value));
        }
    }
    return out;
}

bool is_name(const std::string& text, bool allow_dots) {
    return !text.empty() && text.size() <= 253 &&
           std::all_of(text.begin(), text.end(), [allow_dots](unsigned char c) {
               return std::isalnum(c) || c == '-' || (allow_dots && c == '.');
           });
}

Error incomplete(const std::string& what) {
    return fail("oidc.config.incomplete", "The provider needs " + what + ".");
}

// The provider `input` describes, before anything is fetched. `stored` is the org's current
// provider, whose secret is kept when none is given for the same client.
Result<core::OidcProvider> provider_from(const OidcProviderInput& input,
                                         const std::optional<core::OidcProvider>& stored,
                                         const std::string& github_url) {
    core::OidcProvider provider;
    // Google's issuer is Google Workspace whichever kind was asked for: as plain OpenID
    // Connect it would let every Google account in the world sign in, the hosted-domain
    // restriction being what makes it an org's provider.
    provider.kind = input.kind == core::OidcKind::oidc && input.issuer == kGoogleIssuer
                        ? core::OidcKind::google
                        : input.kind;
    switch (provider.kind) {
        case core::OidcKind::github:
            provider.issuer = github_url;
            break;
        case core::OidcKind::google:
            provider.issuer = input.issuer.empty() ? kGoogleIssuer : input.issuer;
            break;
        case core::OidcKind::oidc:
            provider.issuer = input.issuer;
            break;
    }
    if (provider.issuer.empty()) return incomplete("an issuer URL");
    if (provider.issuer.rfind("https://", 0) != 0) {
        return fail("oidc.config.issuer_invalid", "The issuer must be an https:// URL (got '" +
                                                      provider.issuer.substr(0, 80) + "').");
    }
    provider.client_id = input.client_id;
    if (provider.client_id.empty()) return incomplete("a client ID");
    provider.client_secret = input.client_secret;
    if (provider.client_secret.empty() && stored && stored->kind == provider.kind &&
        stored->issuer == provider.issuer && stored->client_id == provider.client_id) {
        provider.client_secret = stored->client_secret;
    }
    if (provider.client_secret.empty()) return incomplete("a client secret");
    provider.hosted_domains = normalized(input.hosted_domains);
    provider.allowed_orgs = normalized(input.allowed_orgs);
    if (provider.kind == core::OidcKind::google && provider.hosted_domains.empty()) {
        return incomplete("at least one Google Workspace hosted domain");
    }
    if (provider.kind == core::OidcKind::github && provider.allowed_orgs.empty()) {
        return incomplete("at least one allowed GitHub organization");
    }
    for (const auto& domain : provider.hosted_domains) {
        if (!is_name(domain, true)) {
            return fail("oidc.config.domain_invalid", "'" + domain + "' is not a domain name.");
        }
    }
    for (const auto& login : provider.allowed_orgs) {
        if (!is_name(login, false)) {
            return fail("oidc.config.domain_invalid",
                        "'" + login + "' is not a GitHub organization login.");
        }
    }
    if (input.clock_skew_seconds) {
        if (*input.clock_skew_seconds < 0 || *input.clock_skew_seconds > 600) {
            return fail("oidc.config.skew_invalid", "The clock skew must be 0 to 600 seconds.");
        }
        provider.clock_skew_seconds = *input.clock_skew_seconds;
    } else if (stored) {
        provider.clock_skew_seconds = stored->clock_skew_seconds;
    }
    if (provider.kind != core::OidcKind::github) {
        const auto claim = [](const std::optional<std::string>& given, const std::string& kept) {
            if (!given) return kept;
            const auto first = given->find_first_not_of(" \t");
            if (first == std::string::npos) return std::string();
            return given->substr(first, given->find_last_not_of(" \t") - first + 1);
        };
        provider.role_claim = claim(input.role_claim, stored ? stored->role_claim : "");
        provider.groups_claim = claim(input.groups_claim, stored ? stored->groups_claim : "");
    }
    return provider;
}

Result<core::Org> find_org(store::Store& store, const std::string& org_slug,
                           std::optional<core::OidcProvider>* provider = nullptr) {
    std::optional<core::Org> org;
    const Status read = store.read([&](store::Transaction& tx) -> Status {
        org = tx.org_by_slug(org_slug);
        if (org && provider) *provider = tx.oidc_provider(org->id);
        return {};
    });
    if (!read) return read.error();
    if (!org) return fail("org.not_found", "No organization with the slug '" + org_slug + "'.");
    return *org;
}

}  // namespace

OidcProviderView describe_oidc_provider(const core::OidcProvider& provider) {
    OidcProviderView view;
    view.kind = provider.kind;
    view.issuer = provider.issuer;
    view.client_id = provider.client_id;
    view.client_secret_set = !provider.client_secret.empty();
    view.hosted_domains = provider.hosted_domains;
    view.allowed_orgs = provider.allowed_orgs;
    view.clock_skew_seconds = provider.clock_skew_seconds;
    view.role_claim = provider.role_claim;
    view.groups_claim = provider.groups_claim;
    if (auto metadata = oidc::parse_discovery(provider.discovery, provider.issuer)) {
        view.authorization_endpoint = metadata->authorization_endpoint;
    }
    if (auto keys = oidc::KeySet::parse(provider.jwks)) view.signing_keys = keys->size();
    view.keys_fetched_at = provider.jwks_fetched_at;
    return view;
}

Result<OidcProviderView> configure_oidc_provider(store::Store& store, const util::Clock& clock,
                                                 const std::string& org_slug,
                                                 const OidcProviderInput& input,
                                                 const Caller& caller, OutboundHttp* http,
                                                 const std::string& github_url) {
    if (auto allowed =
            authorize_identity_change(store, clock, org_slug, caller,
                                      IdentityRule::identity_provider, "oidc.provider.configure");
        !allowed) {
        return allowed.error();
    }
    std::optional<core::OidcProvider> stored;
    auto org = find_org(store, org_slug, &stored);
    if (!org) return org.error();
    auto provider = provider_from(input, stored, github_url);
    if (!provider) return provider.error();
    if (provider->kind != core::OidcKind::github) {
        if (!http) {
            return fail("oidc.fetch.unavailable",
                        "The gateway has no client for requests to the provider.");
        }
        if (auto fetched = fetch_issuer_keys(*http, *provider, clock.now()); !fetched) {
            return fetched.error();
        }
    }
    provider->updated_at = clock.now();

    const Status written = store.write([&](store::Transaction& tx) -> Status {
        auto current = tx.org_by_slug(org_slug);
        if (!current)
            return fail("org.not_found", "No organization with the slug '" + org_slug + "'.");
        provider->org_id = current->id;
        if (input.jit_provisioning) {
            current->jit_provisioning = *input.jit_provisioning;
            if (auto s = tx.update_org(*current); !s) return s;
        }
        if (auto s = tx.delete_saml_provider(current->id); !s) return s;
        if (auto s = tx.put_oidc_provider(*provider); !s) return s;
        return tx.append_audit(audit_entry(*current, caller.actor, "oidc.provider.configure",
                                           provider->issuer,
                                           {{"kind", core::to_string(provider->kind)},
                                            {"client_id", provider->client_id},
                                            {"hosted_domains", provider->hosted_domains},
                                            {"allowed_orgs", provider->allowed_orgs},
                                            {"role_claim", provider->role_claim},
                                            {"groups_claim", provider->groups_claim},
                                            {"secret_changed", !input.client_secret.empty()}}));
    });
    if (!written) return written.error();
    return describe_oidc_provider(*provider);
}

Result<std::optional<OidcProviderView>> oidc_provider_view(store::Store& store,
                                                           const std::string& org_slug) {
    std::optional<core::OidcProvider> provider;
    auto org = find_org(store, org_slug, &provider);
    if (!org) return org.error();
    if (!provider) return std::optional<OidcProviderView>();
    return std::optional<OidcProviderView>(describe_oidc_provider(*provider));
}

Status remove_oidc_provider(store::Store& store, const util::Clock& clock,
                            const std::string& org_slug, const Caller& caller) {
    if (auto allowed =
            authorize_identity_change(store, clock, org_slug, caller,
                                      IdentityRule::identity_provider, "oidc.provider.remove");
        !allowed) {
        return allowed;
    }
    return store.write([&](store::Transaction& tx) -> Status {
        auto org = tx.org_by_slug(org_slug);
        if (!org) return fail("org.not_found", "No organization with the slug '" + org_slug + "'.");
        auto existing = tx.oidc_provider(org->id);
        if (!existing) return {};
        if (org->require_sso) {
            return fail("auth.require_sso.on",
                        "Turn Require SSO off before removing the sign-in provider, or nobody "
                        "but the break-glass owner could sign in.");
        }
        if (auto s = tx.delete_oidc_provider(org->id); !s) return s;
        return tx.append_audit(
            audit_entry(*org, caller.actor, "oidc.provider.remove", existing->issuer));
    });
}

}  // namespace gatehouse::service
