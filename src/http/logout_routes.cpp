// Signing out of an org: GET /auth/logout/{org}/ asks for confirmation, and only the POST of
// that form (or of the sign-out button every page carries), with the session's CSRF token,
// ends the session and starts single logout at the IdP. A link or an image on any site can make
// a browser GET a URL; it cannot make it post our form with a token it never saw.
#include <string>

#include "api/admin_auth.hpp"
#include "cookies.hpp"
#include "forms.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "pages/page_auth.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

std::string landing_path(const core::Org& org) { return "/organizations/" + org.slug + "/"; }

void see_other(Response& res, const std::string& location) {
    res.status = 303;
    res.set_header("Location", location);
}

void refuse(const Request& req, Response& res, const core::Org& org, const std::string& message) {
    util::log_event(util::LogLevel::warning, "page.refused",
                    {{"org", org.slug}, {"reason", "page.csrf"}, {"path", req.path}});
    send_error(req, res, 403, "page.csrf", message);
}

// After the local session has ended, the browser goes on to the IdP's single logout URL. Not
// by a redirect: browsers hold the redirects that follow a form POST to the page's CSP
// form-action, which allows only this site, and the sign-out button is on every page. A page
// that moves on by itself (the Refresh header, no script needed) is a new navigation instead,
// and it keeps the signed URL byte for byte.
void send_idp_logout_page(Response& res, const core::Org& org, const std::string& url) {
    res.set_header("Refresh", "0; url=" + url);
    mstch::map values{{"org_name", org.name}, {"idp_url", url}};
    send_html(res, 200,
              render_page("logout_idp", "Signed out", std::move(values),
                          page_chrome(org, std::nullopt, "")));
}

}  // namespace

void register_logout_routes(Router& http, AppContext& app) {
    http.get(R"(/auth/logout/([^/]+)/)", [&app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        const auto viewer = page_viewer(req, app, org);
        if (!viewer) {
            see_other(res, landing_path(org));  // nobody of this org to sign out
            return;
        }
        mstch::map values{{"org_name", org.name},
                          {"org_slug", org.slug},
                          {"email", viewer->signed_in.member.email},
                          {"csrf_token", viewer->csrf}};
        send_html(res, 200,
                  render_page("logout_confirm", "Sign out", std::move(values),
                              page_chrome(org, viewer, "")));
    });

    http.post(R"(/auth/logout/([^/]+)/)", [&app](const Request& req, Response& res) {
        const auto form = read_form(req, res, app.max_body_bytes);
        if (!form) return;
        const core::Org& org = *current_request().org;
        if (is_foreign_origin(req, app.base_url)) {
            refuse(req, res, org, "The form was sent from another site.");
            return;
        }
        const auto token = read_cookie(req, service::kSessionCookie);
        const auto signed_in =
            token ? service::resolve_session(app.store, *token, app.sessions, app.clock.now())
                  : std::nullopt;
        if (!signed_in) {
            // A cookie that names no live session is only dropped.
            if (token) clear_session_cookie(res, app.secure_cookies);
            see_other(res, landing_path(org));
            return;
        }
        if (signed_in->org.id != org.id) {
            // Another org's session is that org's sign-out page's business.
            see_other(res, landing_path(org));
            return;
        }
        const auto presented = form->find(kCsrfField);
        if (presented == form->end() ||
            !util::constant_time_equal(presented->second, csrf_token(*token))) {
            refuse(req, res, org, "The form has expired. Go back, reload the page and try again.");
            return;
        }
        const auto next = app.sso->logout(org, *token);
        clear_session_cookie(res, app.secure_cookies);
        if (next.url.rfind('/', 0) == 0) {
            see_other(res, next.url);
        } else {
            send_idp_logout_page(res, org, next.url);
        }
    });
}

}  // namespace gatehouse::http
