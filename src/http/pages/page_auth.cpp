#include "pages/page_auth.hpp"

#include "api/admin_auth.hpp"
#include "cookies.hpp"
#include "forms.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/access_rules.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "request_context.hpp"

namespace gatehouse::http {
namespace {

void refuse(const Request& req, Response& res, const core::Org& org, const std::string& code,
            const std::string& message) {
    util::log_event(util::LogLevel::warning, "page.refused",
                    {{"org", org.slug}, {"reason", code}, {"path", req.path}});
    send_error(req, res, 403, code, message);
}

}  // namespace

std::optional<PageViewer> page_viewer(const Request& req, AppContext& app, const core::Org& org) {
    const auto token = read_cookie(req, service::kSessionCookie);
    if (!token) return std::nullopt;
    auto signed_in = service::resolve_session(app.store, *token, app.sessions, app.clock.now());
    if (!signed_in || signed_in->org.id != org.id) return std::nullopt;
    service::Caller caller = service::Caller::signed_in(signed_in->member);
    const bool is_owner = caller.acts_as_owner();
    const bool is_admin = service::administers_org(signed_in->member.role);
    PageViewer viewer{std::move(*signed_in), csrf_token(*token), is_owner, is_admin,
                      std::move(caller)};
    return viewer;
}

std::optional<PageViewer> require_page_admin(const Request& req, Response& res, AppContext& app,
                                             const core::Org& org) {
    auto viewer = page_viewer(req, app, org);
    if (!viewer) {
        res.status = 303;
        res.set_header("Location",
                       "/auth/login/" + org.slug + "/?next=" + util::url_encode(req.path));
        return std::nullopt;
    }
    if (!viewer->is_admin) {
        refuse(req, res, org, "page.forbidden",
               "Only owners and managers of the organization can open its settings.");
        return std::nullopt;
    }
    return viewer;
}

std::optional<PageViewer> require_form_admin(const Request& req, Response& res, AppContext& app,
                                             const core::Org& org,
                                             const std::map<std::string, std::string>& form) {
    auto viewer = require_page_admin(req, res, app, org);
    if (!viewer) return std::nullopt;
    if (is_foreign_origin(req, app.base_url)) {
        refuse(req, res, org, "page.csrf", "The form was sent from another site.");
        return std::nullopt;
    }
    const auto presented = form.find(kCsrfField);
    if (presented == form.end() || !util::constant_time_equal(presented->second, viewer->csrf)) {
        refuse(req, res, org, "page.csrf",
               "The form has expired. Go back, reload the page and try again.");
        return std::nullopt;
    }
    return viewer;
}

Handler checked_page_form(AppContext& app, std::function<void(PageForm&)> handler) {
    return [&app, handler = std::move(handler)](const Request& req, Response& res) {
        auto form = read_form(req, res, app.max_body_bytes);
        if (!form) return;
        const core::Org& org = *current_request().org;
        auto viewer = require_form_admin(req, res, app, org, *form);
        if (!viewer) return;
        PageForm call{req, res, org, *viewer, *form};
        handler(call);
    };
}

mstch::map page_chrome(const core::Org& org, const std::optional<PageViewer>& viewer,
                       const std::string& active) {
    mstch::map chrome{{"org_slug", org.slug}, {"org_name", org.name}};
    if (viewer) {
        chrome["viewer"] = mstch::map{
            {"email", viewer->signed_in.member.email},
            {"csrf_token", viewer->csrf},  // the sign-out form's
            {"role", std::string(core::to_string(viewer->signed_in.member.role))},
            {"is_admin", viewer->is_admin},
            {"active_home", active == "home"},
            {"active_auth", active == "auth"},
            {"active_members", active == "members"},
            {"active_audit", active == "audit-log"},
            {"active_name", active == "name"},
        };
    }
    return chrome;
}

}  // namespace gatehouse::http
