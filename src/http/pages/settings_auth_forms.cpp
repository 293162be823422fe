// The forms of the auth settings page. Each checks the admin, the CSRF token and the Origin,
// hands what was posted to the same service function the admin API calls (which decides
// what a manager may change), and answers 303 back to the page with a fixed ?saved= notice,
// or re-renders the page with the refusal next to the field that caused it, nothing changed.
// A new SCIM token is the exception: it is rendered at once (200, no-store), because it
// exists nowhere else to redirect to.
#include <charconv>
#include <functional>

#include "cookies.hpp"
#include "error_status.hpp"
#include "forms.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/access_rules.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/auth_settings.hpp"
#include "gatehouse/service/oidc_config.hpp"
#include "gatehouse/service/provider_config.hpp"
#include "gatehouse/service/settings_view.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "pages/settings_auth_page.hpp"
#include "request_context.hpp"

namespace gatehouse::http {
namespace {

using Form = std::map<std::string, std::string>;

std::string page_path(const core::Org& org) { return "/settings/" + org.slug + "/auth/"; }

void redirect_saved(Response& res, const core::Org& org, const std::string& saved) {
    res.status = 303;
    res.set_header("Location", page_path(org) + "?saved=" + saved);
}

// What a form handler gets once the request has passed every check.
struct FormCall {
    AppContext& app;
    const Request& req;
    Response& res;
    const core::Org& org;
    const PageViewer& viewer;
    Form& form;

    std::string field(const std::string& name) const {
        const auto found = form.find(name);
        return found == form.end() ? std::string() : found->second;
    }
    bool checked(const std::string& name) const { return form.count(name) != 0; }

    // Shows the page again with `error` (next to `field` when one is named, above the page
    // otherwise) and the form's values as typed. A refusal by the owner rule is about the
    // whole form, so it is always shown above the page.
    void refuse(const Error& error, std::string field_name = "") {
        if (error.code == service::kOwnerOnly) field_name.clear();
        const int status = status_for_error(error.code);
        if (status >= 500) {
            util::log_event(util::LogLevel::error, "page.failure",
                            {{"path", req.path}, {"code", error.code}, {"message", error.message}});
            send_error(req, res, 500, "internal",
                       "The change failed on our side; it has been logged.");
            return;
        }
        AuthPageState state;
        for (const auto& [name, value] : form) {
            if (name != kCsrfField) state.typed[name] = value;
        }
        if (field_name.empty()) {
            state.notice_error = error.message;
        } else {
            state.field_errors[field_name] = error.message;
            state.notice_error = "Nothing was changed; see the message next to the field.";
        }
        send_auth_settings_page(req, res, app, org, viewer, status, state);
    }
};

using FormHandler = std::function<void(FormCall&)>;

Handler checked_form(AppContext& app, FormHandler handler) {
    return checked_page_form(app, [&app, handler = std::move(handler)](PageForm& page) {
        FormCall call{app, page.req, page.res, page.org, page.viewer, page.form};
        handler(call);
    });
}

// The stored preset and mapping, kept when the IdP's metadata or endpoints are entered
// again, so re-entering them does not undo the admin's mapping.
void keep_mapping(FormCall& call, service::ProviderInput& input) {
    auto current = service::read_auth_settings_view(call.app.store, call.org.slug);
    if (current && current->provider) {
        input.preset = current->provider->preset;
        input.mapping = current->provider->mapping;
    }
}

Result<service::ConfiguredProvider> configure(FormCall& call, service::ProviderInput input) {
    keep_mapping(call, input);
    return service::configure_provider(call.app.store, call.app.clock, call.org.slug, input,
                                       call.viewer.caller, call.app.metadata.get());
}

void metadata_url(FormCall& call) {
    service::ProviderInput input;
    input.metadata_url = call.field("metadata_url");
    if (input.metadata_url.empty()) {
        return call.refuse(fail("saml.config.incomplete", "Enter the IdP's metadata URL."),
                           "metadata_url");
    }
    auto configured = configure(call, input);
    if (!configured) return call.refuse(configured.error(), "metadata_url");
    redirect_saved(call.res, call.org, "metadata");
}

void metadata_xml(FormCall& call) {
    service::ProviderInput input;
    input.metadata_xml = call.field("metadata_xml");
    if (input.metadata_xml.empty()) {
        return call.refuse(fail("saml.config.incomplete", "Paste the IdP's metadata XML."),
                           "metadata_xml");
    }
    auto configured = configure(call, input);
    if (!configured) return call.refuse(configured.error(), "metadata_xml");
    redirect_saved(call.res, call.org, "metadata");
}

// The manual field a refusal of configure_provider is about. The service checks the fields
// in the order entity ID, SSO URL, certificate, so the first empty one is the missing one.
std::string manual_field(const FormCall& call, const Error& error) {
    if (error.code == "saml.certificate.invalid") return "certificate";
    if (error.code == "saml.config.url_invalid") {
        return error.message.find("'" + call.field("sso_url") + "'") != std::string::npos
                   ? "sso_url"
                   : "slo_url";
    }
    if (error.code == "saml.config.incomplete") {
        for (const char* name : {"idp_entity_id", "sso_url", "certificate"}) {
            if (call.field(name).empty()) return name;
        }
    }
    return "manual";
}

void manual(FormCall& call) {
    service::ProviderInput input;
    input.idp_entity_id = call.field("idp_entity_id");
    input.sso_url = call.field("sso_url");
    input.slo_url = call.field("slo_url");
    if (!call.field("certificate").empty()) input.certificates.push_back(call.field("certificate"));
    auto configured = configure(call, input);
    if (!configured) return call.refuse(configured.error(), manual_field(call, configured.error()));
    redirect_saved(call.res, call.org, "provider");
}

// Updates the org's settings as the admin API's PATCH does.
void change_settings(FormCall& call, const service::AuthSettingsChange& change,
                     const std::string& saved, const std::string& field_name = "") {
    auto updated = service::update_auth_settings(call.app.store, call.app.clock, call.org.slug,
                                                 change, call.viewer.caller);
    if (!updated) return call.refuse(updated.error(), field_name);
    redirect_saved(call.res, call.org, saved);
}

void preset(FormCall& call) {
    service::AuthSettingsChange change;
    change.preset = call.field("preset");
    change_settings(call, change, "preset", "preset");
}

void mapping(FormCall& call) {
    core::AttributeMapping m;
    m.user_id = call.field("map_user_id");
    m.email = call.field("map_email");
    m.first_name = call.field("map_first_name");
    m.last_name = call.field("map_last_name");
    m.role = call.field("map_role");
    m.groups = call.field("map_groups");
    service::AuthSettingsChange change;
    change.mapping = m;
    change_settings(call, change, "mapping");
}

void options(FormCall& call) {
    const auto role = core::parse_role(call.field("default_role"));
    if (!role) {
        return call.refuse(fail("request.invalid_field", "Choose one of the listed roles."),
                           "default_role");
    }
    service::AuthSettingsChange change;
    change.default_role = *role;
    // The two switches are owner-only: the page sends them (with the `switches` marker) only
    // where the viewer may change them, so a manager's post changes the default role alone.
    // An unticked box is absent from a form, hence the marker: without it, absent is not off.
    if (call.checked("switches")) {
        change.jit_provisioning = call.checked("jit_provisioning");
        change.allow_idp_initiated = call.checked("allow_idp_initiated");
        change.apply_sign_in_attributes = call.checked("apply_sign_in_attributes");
    }
    change_settings(call, change, "options", "default_role");
}

// A whole number form field; nullopt when it is not one.
std::optional<int> int_field(const std::string& text) {
    int value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
    return value;
}

void validation(FormCall& call) {
    const auto max_age = int_field(call.field("max_issue_age_seconds"));
    if (!max_age) {
        return call.refuse(fail("saml.config.issue_age_invalid",
                                "Give the maximum age as a whole number of seconds, " +
                                    std::to_string(service::kMinIssueAgeSeconds) + " to " +
                                    std::to_string(service::kMaxIssueAgeSeconds) + "."),
                           "max_issue_age_seconds");
    }
    service::AuthSettingsChange change;
    change.require_aes_gcm = call.checked("require_aes_gcm");
    change.max_issue_age_seconds = *max_age;
    change_settings(call, change, "validation", "max_issue_age_seconds");
}

void require_sso(FormCall& call) {
    const bool turn_on = call.field("require_sso") == "on";
    if (!turn_on && call.field("require_sso") != "off") {
        return call.refuse(fail("request.invalid_field", "Turn Require SSO on or off."));
    }
    if (turn_on && !call.checked("confirm")) {
        return call.refuse(fail("auth.confirmation_missing",
                                "Tick the box to confirm that password sessions end now."),
                           "confirm");
    }
    service::AuthSettingsChange change;
    change.require_sso = turn_on;
    auto updated = service::update_auth_settings(call.app.store, call.app.clock, call.org.slug,
                                                 change, call.viewer.caller);
    if (!updated) return call.refuse(updated.error());
    if (!turn_on) return redirect_saved(call.res, call.org, "require-sso-off");
    const std::string ended = std::to_string(updated->sessions_ended);
    if (page_viewer(call.req, call.app, call.org)) {
        return redirect_saved(call.res, call.org, "require-sso&ended=" + ended);
    }
    // The admin signed in with a password, so their own session has just ended: say so here,
    // since the settings page would only send them to sign in.
    mstch::map values{
        {"org_slug", call.org.slug},
        {"notice", auth_saved_notice("require-sso", ended)},
        {"sign_in", "/auth/login/" + call.org.slug +
                        "/?method=password&next=" + util::url_encode(page_path(call.org))},
    };
    send_html(call.res, 200,
              render_page("settings_auth_signed_out", "Require SSO is on", std::move(values),
                          page_chrome(call.org, std::nullopt, "auth")));
}

void test_sign_in(FormCall& call) {
    if (auto allowed = service::check_test_sign_in(call.viewer.caller); !allowed) {
        return call.refuse(allowed.error());
    }
    // Bound to this browser like any SP-initiated sign-in (see cookies.hpp).
    const std::string browser = login_binding_value(call.req, call.app.secure_cookies);
    auto started =
        call.app.oidc->provider(call.org)
            ? call.app.oidc->start_test_login(call.org, call.viewer.caller.actor, browser)
            : call.app.sso->start_test_login(call.org, call.viewer.caller.actor, browser);
    if (auto* failure = std::get_if<service::SsoFailure>(&started)) {
        return call.refuse(failure->error);
    }
    set_login_cookie(call.res, browser, call.app.sso->settings().authn_request_ttl_seconds,
                     call.app.secure_cookies);
    call.res.status = 303;
    call.res.set_header("Location", std::get<std::string>(started));
}

// Lines of a textarea (hosted domains, GitHub organizations), also split at commas.
std::vector<std::string> list_field(const std::string& text) {
    std::vector<std::string> items;
    std::string item;
    for (const char c : text + "\n") {
        if (c == '\n' || c == '\r' || c == ',') {
            if (!item.empty()) items.push_back(item);
            item.clear();
        } else {
            item += c;
        }
    }
    return items;
}

// The field a refusal of configure_oidc_provider is about.
std::string oidc_field(const FormCall& call, const Error& error) {
    const std::string& code = error.code;
    if (code.rfind("oidc.fetch.", 0) == 0 || code.rfind("oidc.discovery.", 0) == 0 ||
        code.rfind("oidc.jwks.", 0) == 0 || code == "oidc.config.issuer_invalid") {
        return "oidc_issuer";
    }
    if (code == "oidc.config.domain_invalid") {
        return call.field("oidc_kind") == "github" ? "oidc_allowed_orgs" : "oidc_hosted_domains";
    }
    if (code == "oidc.config.incomplete") {
        if (error.message.find("client ID") != std::string::npos) return "oidc_client_id";
        if (error.message.find("client secret") != std::string::npos) return "oidc_client_secret";
        if (error.message.find("issuer") != std::string::npos) return "oidc_issuer";
        if (error.message.find("hosted domain") != std::string::npos) return "oidc_hosted_domains";
        if (error.message.find("GitHub organization") != std::string::npos) {
            return "oidc_allowed_orgs";
        }
    }
    return "";
}

void configure_oidc(FormCall& call) {
    const auto kind = core::parse_oidc_kind(call.field("oidc_kind"));
    if (!kind) {
        return call.refuse(
            fail("request.invalid_field", "Choose OpenID Connect, Google or GitHub."), "oidc_kind");
    }
    service::OidcProviderInput input;
    input.kind = *kind;
    input.issuer = call.field("oidc_issuer");
    input.client_id = call.field("oidc_client_id");
    input.client_secret = call.field("oidc_client_secret");
    input.hosted_domains = list_field(call.field("oidc_hosted_domains"));
    input.allowed_orgs = list_field(call.field("oidc_allowed_orgs"));
    // Absent from a post that predates the fields: the stored claim names stay.
    if (call.form.count("oidc_role_claim")) input.role_claim = call.field("oidc_role_claim");
    if (call.form.count("oidc_groups_claim")) input.groups_claim = call.field("oidc_groups_claim");
    auto configured = service::configure_oidc_provider(
        call.app.store, call.app.clock, call.org.slug, input, call.viewer.caller,
        call.app.idp_http.get(), call.app.oidc->settings().github_url);
    // The secret is never typed back into the page.
    call.form.erase("oidc_client_secret");
    if (!configured) return call.refuse(configured.error(), oidc_field(call, configured.error()));
    redirect_saved(call.res, call.org, "oidc");
}

void remove_oidc(FormCall& call) {
    const Status removed = service::remove_oidc_provider(call.app.store, call.app.clock,
                                                         call.org.slug, call.viewer.caller);
    if (!removed) return call.refuse(removed.error());
    redirect_saved(call.res, call.org, "oidc-removed");
}

// Issues a token and shows it once, on the page itself.
void issue_token(FormCall& call, std::string description) {
    if (description.empty()) description = "SCIM";
    service::AdminService admin(call.app.store, call.app.clock);
    auto issued = admin.create_scim_token(call.org.slug, description, call.viewer.caller);
    if (!issued) return call.refuse(issued.error(), "description");
    AuthPageState state;
    state.new_scim_token = issued->token;
    call.res.set_header("Cache-Control", "no-store");
    send_auth_settings_page(call.req, call.res, call.app, call.org, call.viewer, 200, state);
}

void revoke_token(FormCall& call) {
    const std::string id = call.req.matches[2].str();
    service::AdminService admin(call.app.store, call.app.clock);
    const Status revoked =
        admin.revoke_scim_token(call.org.slug, std::stoll(id), call.viewer.caller);
    if (!revoked) return call.refuse(revoked.error());
    redirect_saved(call.res, call.org, "token-revoked");
}

void disable_scim(FormCall& call) {
    service::AdminService admin(call.app.store, call.app.clock);
    auto disabled = admin.disable_scim(call.org.slug, call.viewer.caller);
    if (!disabled) return call.refuse(disabled.error());
    redirect_saved(call.res, call.org, "scim-disabled");
}

void remove_provider(FormCall& call) {
    const Status removed =
        service::remove_provider(call.app.store, call.app.clock, call.org.slug, call.viewer.caller);
    if (!removed) return call.refuse(removed.error());
    redirect_saved(call.res, call.org, "removed");
}

void refresh_provider(FormCall& call) {
    auto refreshed = service::refresh_provider(call.app.store, call.app.clock, call.org.slug,
                                               call.viewer.caller, call.app.metadata.get());
    if (!refreshed) return call.refuse(refreshed.error());
    redirect_saved(call.res, call.org, "refreshed");
}

}  // namespace

void register_settings_auth_forms(Router& http, AppContext& app) {
    const std::string prefix = R"(/settings/([^/]+)/auth/)";
    const std::vector<std::pair<std::string, FormHandler>> forms = {
        {"metadata-url", metadata_url},
        {"metadata-xml", metadata_xml},
        {"manual", manual},
        {"preset", preset},
        {"mapping", mapping},
        {"options", options},
        {"validation", validation},
        {"require-sso", require_sso},
        {"test", test_sign_in},
        {"scim/enable", [](FormCall& call) { issue_token(call, "SCIM"); }},
        {"scim/tokens", [](FormCall& call) { issue_token(call, call.field("description")); }},
        {R"(scim/tokens/(\d{1,18})/revoke)", revoke_token},
        {"scim/disable", disable_scim},
        {"provider/remove", remove_provider},
        {"provider/refresh", refresh_provider},
        {"oidc", configure_oidc},
        {"oidc/remove", remove_oidc},
    };
    for (const auto& [action, handler] : forms) {
        http.post(prefix + action, checked_form(app, handler));
    }
}

}  // namespace gatehouse::http
