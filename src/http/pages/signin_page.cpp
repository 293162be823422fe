#include "pages/signin_page.hpp"

#include "cookies.hpp"
#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/service/oidc_service.hpp"
#include "gatehouse/service/org_lookup.hpp"
#include "gatehouse/util/encoding.hpp"
#include "pages.hpp"
#include "pages/page_auth.hpp"
#include "request_context.hpp"

namespace gatehouse::http {

bool saml_configured(AppContext& app, const core::Org& org) {
    const auto configured = service::has_saml_provider(app.store, org);
    return configured.ok() && *configured;
}

bool sso_configured(AppContext& app, const core::Org& org) {
    return saml_configured(app, org) || app.oidc->provider(org).has_value();
}

void send_sso_refusal(const Request& req, Response& res, const service::SsoFailure& failure) {
    const auto& org = current_request().org;
    const std::string& code = failure.error.code;
    if (code == "saml.sp_key_missing") {
        send_error(req, res, 503, code, "Single sign-on is not available on this gateway yet.");
        return;
    }
    // The member refusals read the same whichever protocol refused.
    const auto ends_with = [&code](std::string_view suffix) {
        return code.size() >= suffix.size() &&
               code.compare(code.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    int status = 403;
    std::string title = "Sign-in failed";
    std::string message = "Your identity provider's answer could not be accepted.";
    std::string reference = failure.reference;
    const std::string org_name = org ? org->name : std::string("this organization");
    if (code == "saml.not_configured" || code == "oidc.not_configured") {
        status = 404;
        title = "Single sign-on is not set up";
        message = "Single sign-on is not set up for " + org_name + ".";
        reference.clear();
    } else if (ends_with(".member.deactivated")) {
        message = "Your account in " + org_name + " has been deactivated. Ask your administrator.";
    } else if (code == "sso.role_invalid") {
        message = "Your identity provider sent a role that " + org_name +
                  " does not accept. Ask your administrator.";
    } else if (ends_with(".member.not_provisioned")) {
        message = org_name + " has no account for you yet. Ask your administrator to add you.";
    }
    mstch::map values{{"title", title}, {"message", message}, {"reference", reference}};
    mstch::map chrome;
    if (org) {
        values.emplace("back_org", org->slug);
        chrome = page_chrome(*org, std::nullopt, "");
    }
    send_html(res, status, render_page("error", title, std::move(values), std::move(chrome)));
}

void send_signed_in(Response& res, const AppContext& app, const service::StartedSession& session,
                    const std::string& redirect_path) {
    set_session_cookie(res, session.token, session.session.expires_at - session.session.created_at,
                       app.secure_cookies);
    res.status = 303;
    res.set_header("Location", redirect_path);
}

mstch::map mapped_identity_values(const saml::MappedIdentity& identity,
                                  const std::string& would_match, const std::string& would_apply) {
    mstch::array groups;
    for (const auto& group : identity.groups) groups.push_back(group);
    const auto& from = identity.sources;
    return mstch::map{{"user_id", identity.user_id},
                      {"user_id_from", from.user_id},
                      {"email", identity.email},
                      {"email_from", from.email},
                      {"no_email", identity.email.empty()},
                      {"first_name", identity.first_name},
                      {"first_name_from", from.first_name},
                      {"last_name", identity.last_name},
                      {"last_name_from", from.last_name},
                      {"role", identity.role},
                      {"role_from", from.role},
                      {"groups", groups},
                      {"groups_from", from.groups},
                      {"would_match", would_match},
                      {"would_apply", would_apply}};
}

void start_oidc_login(const Request& req, Response& res, AppContext& app, const core::Org& org,
                      const core::OidcProvider& provider) {
    const std::string browser = login_binding_value(req, app.secure_cookies);
    auto started = app.oidc->start_login(org, provider, req.get_param_value("next"), browser);
    if (auto* failure = std::get_if<service::SsoFailure>(&started)) {
        send_sso_refusal(req, res, *failure);
        return;
    }
    set_login_cookie(res, browser, app.oidc->settings().login_ttl_seconds, app.secure_cookies);
    res.status = 302;
    res.set_header("Location", std::get<std::string>(started));
}

void send_signin_page(Response& res, int status, AppContext& app, const core::Org& org,
                      const SignInView& view) {
    const bool has_saml = sso_configured(app, org);
    const bool safe_next = saml::is_safe_relay_path(view.next);
    const std::string next_query = safe_next ? "next=" + util::url_encode(view.next) : "";
    const std::string login_path = "/auth/login/" + org.slug + "/";
    mstch::map values{
        {"org_name", org.name},
        {"login_path", login_path},
        {"password_form", view.password_form},
        {"email", view.email},
        {"next", safe_next ? view.next : std::string()},
        {"error", view.error},
        {"sso_required", view.sso_required_notice},
        // The break-glass owner still needs the form while Require SSO is on; everyone
        // else is told why their password will not work.
        {"break_glass_only", view.password_form && org.require_sso},
        {"sso_href", login_path + (next_query.empty() ? "" : "?" + next_query)},
        {"sso_link", view.password_form && has_saml && !org.require_sso},
        {"password_link", !view.password_form && !org.require_sso},
        // Under Require SSO a wrong break-glass password lands here like every refused
        // password (so the answer points out no account); this tells that owner the way back.
        {"break_glass_link", !view.password_form && org.require_sso},
        {"password_href",
         login_path + "?method=password" + (next_query.empty() ? "" : "&" + next_query)},
    };
    send_html(res, status,
              render_page("signin", "Sign in to " + org.name, std::move(values),
                          page_chrome(org, std::nullopt, "")));
}

}  // namespace gatehouse::http
