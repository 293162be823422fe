// The auth settings page of an org (/settings/{org}/auth/): the SP values an IdP admin copies,
// the IdP and its certificates, the attribute mapping, sign-in options, Require SSO, the test
// sign-in and SCIM. The forms it posts live in settings_auth_forms.cpp.
#include <algorithm>
#include <cctype>

#include "gatehouse/core/names.hpp"
#include "gatehouse/saml/attribute_mapping.hpp"
#include "gatehouse/saml/sp_metadata.hpp"
#include "gatehouse/service/access_rules.hpp"
#include "gatehouse/service/oidc_config.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/service/settings_view.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "pages/settings_auth_page.hpp"
#include "pages/settings_member_pages.hpp"
#include "request_context.hpp"

namespace gatehouse::http {
namespace {

// Certificates that expire within this many seconds are flagged on the page.
constexpr util::UnixTime kExpiresSoonSeconds = 30 * 24 * 3600;

std::string preset_label(const std::string& name) {
    if (name == "okta") return "Okta";
    if (name == "entra") return "Entra ID / Azure AD";
    if (name == "auth0") return "Auth0";
    if (name == "onelogin") return "OneLogin";
    if (name == "generic") return "Other SAML 2.0 provider";
    return name;
}

// The value an input shows: what the admin typed when the page is re-rendered after a
// refusal, otherwise what is stored.
std::string shown(const AuthPageState& state, const std::string& field, std::string stored) {
    const auto typed = state.typed.find(field);
    return typed != state.typed.end() ? typed->second : stored;
}

std::string error_of(const AuthPageState& state, const std::string& field) {
    const auto error = state.field_errors.find(field);
    return error != state.field_errors.end() ? error->second : std::string();
}

// An input's value and error under "<key>" and "<key>_error", the names the template uses.
void put_field(mstch::map& values, const AuthPageState& state, const std::string& field,
               std::string stored) {
    values[field] = shown(state, field, std::move(stored));
    values[field + "_error"] = error_of(state, field);
}

mstch::map sp_values(const AppContext& app, const core::Org& org) {
    // The values in force: the oldest alias's while one is kept (org_names.hpp).
    const auto sp = saml::sp_endpoints(app.base_url, service::idp_facing_slug(org));
    std::string base = app.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return mstch::map{{"entity_id", sp.entity_id},
                      {"acs_url", sp.acs_url},
                      {"sls_url", sp.sls_url},
                      {"login_url", sp.login_url},
                      {"relay_state", base + "/organizations/" + org.slug + "/"},
                      {"metadata_url", sp.entity_id},
                      {"scim_base_url", base + "/api/0/organizations/" + org.slug + "/scim/v2"}};
}

mstch::array preset_options(const std::string& selected) {
    mstch::array options;
    for (const auto& name : saml::mapping_preset_names()) {
        options.push_back(mstch::map{
            {"value", name}, {"label", preset_label(name)}, {"selected", name == selected}});
    }
    return options;
}

mstch::array certificate_rows(const std::vector<saml::CertificateSummary>& certificates,
                              util::UnixTime now) {
    mstch::array rows;
    for (const auto& c : certificates) {
        const bool expired = c.not_after < now;
        rows.push_back(
            mstch::map{{"subject", c.subject},
                       {"fingerprint", c.sha256_fingerprint},
                       {"expires", format_utc(c.not_after)},
                       {"expired", expired},
                       {"expires_soon", !expired && c.not_after < now + kExpiresSoonSeconds}});
    }
    return rows;
}

mstch::map provider_values(const core::SamlProvider& provider) {
    mstch::map values{{"idp_entity_id", provider.idp_entity_id},
                      {"sso_url", provider.sso_url},
                      {"slo_url", provider.slo_url},
                      {"preset", preset_label(provider.preset)},
                      {"updated", format_utc(provider.updated_at)},
                      {"from_url", !provider.metadata_url.empty()},
                      {"metadata_url", provider.metadata_url}};
    values["fetched"] =
        provider.metadata_fetched_at ? format_utc(*provider.metadata_fetched_at) : std::string();
    return values;
}

mstch::array role_options(core::Role selected) {
    mstch::array options;
    for (const core::Role role :
         {core::Role::admin, core::Role::manager, core::Role::billing, core::Role::member}) {
        options.push_back(mstch::map{{"value", std::string(core::to_string(role))},
                                     {"selected", role == selected}});
    }
    return options;
}

mstch::array token_rows(const std::vector<core::ScimToken>& tokens) {
    mstch::array rows;
    for (const auto& t : tokens) {
        rows.push_back(mstch::map{
            {"id", std::to_string(t.id)},
            {"description", t.description},
            {"created", format_utc(t.created_at)},
            {"last_used", t.last_used_at ? format_utc(*t.last_used_at) : std::string()}});
    }
    return rows;
}

std::string kind_label(core::OidcKind kind) {
    switch (kind) {
        case core::OidcKind::google:
            return "Google Workspace";
        case core::OidcKind::github:
            return "GitHub";
        case core::OidcKind::oidc:
            break;
    }
    return "OpenID Connect";
}

std::string lines_of(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : "\n") + item;
    return text;
}

// The OpenID Connect / GitHub card: the redirect URI to copy, the stored provider (never
// its secret) and the form, filled with what is stored or what was typed.
void add_oidc_values(mstch::map& values, const AppContext& app,
                     const service::AuthSettingsView& view, const AuthPageState& state) {
    const auto& stored = view.oidc;
    values["oidc_callback_url"] = app.oidc->callback_url(view.org);
    values["oidc_login_url"] = saml::sp_endpoints(app.base_url, view.org.slug).login_url;
    if (stored) {
        const auto described = service::describe_oidc_provider(*stored);
        mstch::array domains, orgs;
        for (const auto& d : stored->hosted_domains) domains.push_back(d);
        for (const auto& o : stored->allowed_orgs) orgs.push_back(o);
        values["oidc"] = mstch::map{
            {"kind_label", kind_label(stored->kind)},
            {"issuer", stored->issuer},
            {"client_id", stored->client_id},
            {"client_secret_set", described.client_secret_set},
            {"hosted_domains", domains},
            {"allowed_orgs", orgs},
            {"signing_keys", std::to_string(described.signing_keys)},
            {"keys_fetched",
             stored->jwks_fetched_at ? format_utc(*stored->jwks_fetched_at) : std::string()}};
    }
    const std::string kind =
        shown(state, "oidc_kind", stored ? std::string(core::to_string(stored->kind)) : "oidc");
    mstch::array kinds;
    for (const auto k : {core::OidcKind::oidc, core::OidcKind::google, core::OidcKind::github}) {
        kinds.push_back(mstch::map{{"value", std::string(core::to_string(k))},
                                   {"label", kind_label(k)},
                                   {"selected", core::to_string(k) == kind}});
    }
    values["oidc_kinds"] = kinds;
    const bool issuer_typed = stored && stored->kind != core::OidcKind::github;
    put_field(values, state, "oidc_kind", "");
    put_field(values, state, "oidc_issuer", issuer_typed ? stored->issuer : "");
    put_field(values, state, "oidc_client_id", stored ? stored->client_id : "");
    put_field(values, state, "oidc_client_secret", "");
    values["oidc_client_secret"] = std::string();  // never typed back
    put_field(values, state, "oidc_hosted_domains", stored ? lines_of(stored->hosted_domains) : "");
    put_field(values, state, "oidc_allowed_orgs", stored ? lines_of(stored->allowed_orgs) : "");
    put_field(values, state, "oidc_role_claim", stored ? stored->role_claim : "");
    put_field(values, state, "oidc_groups_claim", stored ? stored->groups_claim : "");
}

mstch::map page_values(const AppContext& app, const service::AuthSettingsView& view,
                       const PageViewer& viewer, const AuthPageState& state) {
    const core::Org& org = view.org;
    const core::AttributeMapping mapping =
        view.provider ? view.provider->mapping : core::AttributeMapping{};
    // A refused form shows its checkboxes as they were sent, not as stored.
    const bool options_posted = state.typed.count("default_role") != 0;
    const bool validation_posted = state.typed.count("max_issue_age_seconds") != 0;
    const core::SamlOptions saml_options =
        view.provider ? view.provider->options : core::SamlOptions{};
    // Owner-only controls are shown to managers disabled, with why; the services refuse a
    // forged post anyway.
    const bool can_change = viewer.caller.may_change_identity_rules();
    mstch::map values{
        {"csrf", viewer.csrf},
        {"org_slug", org.slug},
        {"org_name", org.name.empty() ? org.slug : org.name},
        {"notice_ok", state.notice_ok},
        {"notice_error", state.notice_error},
        {"sp", sp_values(app, org)},
        {"has_provider", view.provider.has_value()},
        {"no_provider", !view.provider.has_value() && !view.oidc.has_value()},
        {"presets",
         preset_options(shown(state, "preset", view.provider ? view.provider->preset : "generic"))},
        {"certificates", certificate_rows(view.certificates, app.clock.now())},
        {"certificates_unreadable", view.certificates_unreadable},
        {"default_roles",
         role_options(
             core::parse_role(shown(state, "default_role", "")).value_or(org.default_role))},
        {"jit_provisioning",
         options_posted ? state.typed.count("jit_provisioning") != 0 : org.jit_provisioning},
        {"allow_idp_initiated",
         options_posted ? state.typed.count("allow_idp_initiated") != 0 : org.allow_idp_initiated},
        {"apply_sign_in_attributes", options_posted
                                         ? state.typed.count("apply_sign_in_attributes") != 0
                                         : org.apply_sign_in_attributes},
        {"require_sso", org.require_sso},
        {"require_aes_gcm", validation_posted ? state.typed.count("require_aes_gcm") != 0
                                              : saml_options.require_aes_gcm},
        {"can_change", can_change},
        {"owner_only_hint",
         std::string("Only an owner can change this: it decides who can sign in as whom.")},
        {"provider_locked", !can_change || !view.provider.has_value()},
        {"password_sessions", std::to_string(view.password_sessions)},
        {"is_owner", viewer.is_owner},
        {"can_test", service::check_test_sign_in(viewer.caller).ok() &&
                         (view.provider.has_value() || view.oidc.has_value())},
        {"scim_enabled", org.scim_enabled},
        {"scim_tokens", token_rows(view.active_scim_tokens)},
        {"no_scim_tokens", view.active_scim_tokens.empty()},
        {"new_scim_token", state.new_scim_token},
    };
    if (view.provider) values["provider"] = provider_values(*view.provider);
    put_field(values, state, "metadata_url", view.provider ? view.provider->metadata_url : "");
    put_field(values, state, "metadata_xml", "");
    put_field(values, state, "idp_entity_id", "");
    put_field(values, state, "sso_url", "");
    put_field(values, state, "slo_url", "");
    put_field(values, state, "certificate", "");
    put_field(values, state, "preset", "");
    put_field(values, state, "map_user_id", mapping.user_id);
    put_field(values, state, "map_email", mapping.email);
    put_field(values, state, "map_first_name", mapping.first_name);
    put_field(values, state, "map_last_name", mapping.last_name);
    put_field(values, state, "map_role", mapping.role);
    put_field(values, state, "map_groups", mapping.groups);
    put_field(values, state, "confirm", "");
    put_field(values, state, "default_role", "");
    put_field(values, state, "description", "");
    put_field(values, state, "max_issue_age_seconds",
              std::to_string(saml_options.max_issue_age_seconds));
    values["manual_error"] = error_of(state, "manual");
    add_oidc_values(values, app, view, state);
    return values;
}

bool all_digits(const std::string& text) {
    return !text.empty() && text.size() <= 12 &&
           std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::string auth_saved_notice(const std::string& key, const std::string& ended) {
    if (key == "metadata") return "The identity provider was configured from its metadata.";
    if (key == "provider") return "The identity provider was saved.";
    if (key == "refreshed") return "The metadata was fetched again and saved.";
    if (key == "removed") return "The identity provider was removed.";
    if (key == "preset") return "The preset filled in the attribute mapping.";
    if (key == "mapping") return "The attribute mapping was saved.";
    if (key == "options") return "The sign-in options were saved.";
    if (key == "validation") return "The SAML validation options were saved.";
    if (key == "require-sso-off")
        return "Require SSO is off; members may sign in with a password again.";
    if (key == "require-sso") {
        return "Require SSO is on. " + (all_digits(ended) ? ended : std::string("0")) +
               " password session(s) were ended.";
    }
    if (key == "oidc") return "The sign-in provider was checked and saved.";
    if (key == "oidc-removed") return "The sign-in provider was removed.";
    if (key == "token-revoked") return "The token was revoked; it no longer works.";
    if (key == "scim-disabled") return "SCIM provisioning is off and every token was revoked.";
    return "";
}

void send_auth_settings_page(const Request& req, Response& res, AppContext& app,
                             const core::Org& org, const PageViewer& viewer, int status,
                             const AuthPageState& state) {
    auto view = service::read_auth_settings_view(app.store, org.slug);
    if (!view) {
        util::log_event(
            util::LogLevel::error, "page.failure",
            {{"path", req.path}, {"code", view.error().code}, {"message", view.error().message}});
        send_error(req, res, 500, "internal", "The page could not be loaded; it has been logged.");
        return;
    }
    // Test configuration posts here and is answered with a redirect to the IdP, which the
    // browser checks against this page's form-action.
    if (view->provider) allow_form_action(res, view->provider->sso_url);
    if (view->oidc) {
        if (view->oidc->kind == core::OidcKind::github) {
            allow_form_action(res, app.oidc->settings().github_url + "/");
        } else {
            const auto described = service::describe_oidc_provider(*view->oidc);
            if (!described.authorization_endpoint.empty()) {
                allow_form_action(res, described.authorization_endpoint);
            }
        }
    }
    send_html(res, status,
              render_page("settings_auth", "Authentication", page_values(app, *view, viewer, state),
                          page_chrome(view->org, viewer, "auth")));
}

void register_settings_auth_pages(Router& http, AppContext& app) {
    http.get(R"(/settings/([^/]+)/auth/)", [&app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        auto viewer = require_page_admin(req, res, app, org);
        if (!viewer) return;
        AuthPageState state;
        state.notice_ok =
            auth_saved_notice(req.get_param_value("saved"), req.get_param_value("ended"));
        send_auth_settings_page(req, res, app, org, *viewer, 200, state);
    });
    register_settings_auth_forms(http, app);
}

}  // namespace gatehouse::http
