#include "cookies.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/org_lookup.hpp"
#include "pages.hpp"
#include "pages/page_auth.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {

void register_system_routes(Router& http, AppContext& app) {
    http.get("/healthz", [&app](const Request&, Response& res) {
        const Status status = service::check_store(app.store);
        if (!status) {
            send_json(res, 503, {{"status", "unavailable"}, {"reason", status.error().code}});
            return;
        }
        send_json(res, 200, {{"status", "ok"}});
    });

    http.get("/static/gatehouse.css", [](const Request&, Response& res) {
        res.set_header("Cache-Control", "public, max-age=3600");
        res.set_content(embedded_file("gatehouse.css"), "text/css; charset=utf-8");
    });

    http.get("/static/gatehouse.js", [](const Request&, Response& res) {
        res.set_header("Cache-Control", "public, max-age=3600");
        res.set_content(embedded_file("gatehouse.js"), "text/javascript; charset=utf-8");
    });
}

namespace {

// The name to greet a member by: the display name, else given and family names, else empty.
std::string member_name(const core::Member& member) {
    if (!member.display_name.empty()) return member.display_name;
    std::string name = member.given_name;
    if (!member.family_name.empty()) name += (name.empty() ? "" : " ") + member.family_name;
    return name;
}

}  // namespace

void register_org_routes(Router& http, AppContext& app) {
    http.get(R"(/organizations/([^/]+)/)", [&app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        const auto viewer = page_viewer(req, app, org);
        const std::string login_path = "/auth/login/" + org.slug + "/";
        mstch::map values{{"org_name", org.name},
                          {"org_slug", org.slug},
                          {"login_path", login_path},
                          {"password_link", !org.require_sso},
                          {"password_href", login_path + "?method=password"}};
        if (viewer) {
            const auto& member = viewer->signed_in.member;
            mstch::array teams;
            for (const auto& team : viewer->signed_in.teams)
                teams.push_back(mstch::map{{"name", team.display_name}});
            values["member"] = mstch::map{{"email", member.email},
                                          {"name", member_name(member)},
                                          {"role", std::string(core::to_string(member.role))},
                                          {"has_teams", !teams.empty()},
                                          {"teams", teams},
                                          {"is_admin", viewer->is_admin}};
            values["csrf_token"] = viewer->csrf;  // the sign-out form's
        }
        send_html(res, 200,
                  render_page("landing", org.name, values, page_chrome(org, viewer, "home")));
    });
}

}  // namespace gatehouse::http
