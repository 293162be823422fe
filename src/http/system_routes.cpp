#include "cookies.hpp"
#include "gatehouse/core/names.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {

void register_system_routes(httplib::Server& http, AppContext& app) {
    http.Get("/healthz", [&app](const httplib::Request&, httplib::Response& res) {
        const Status status = app.store.read([](store::Transaction& tx) -> Status {
            tx.org_by_id(0);
            return {};
        });
        if (!status) {
            send_json(res, 503, {{"status", "unavailable"}, {"reason", status.error().code}});
            return;
        }
        send_json(res, 200, {{"status", "ok"}});
    });

    http.Get("/static/gatehouse.css", [](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "public, max-age=3600");
        res.set_content(embedded_file("gatehouse.css"), "text/css; charset=utf-8");
    });
}

void register_org_routes(httplib::Server& http, AppContext& app) {
    http.Get(
        R"(/organizations/([^/]+)/)", [&app](const httplib::Request& req, httplib::Response& res) {
            const core::Org& org = *current_request().org;
            mstch::map values{{"org_name", org.name}, {"org_slug", org.slug}};
            const auto token = read_cookie(req, service::kSessionCookie);
            if (token) {
                auto signed_in =
                    service::resolve_session(app.store, *token, app.sessions, app.clock.now());
                if (signed_in && signed_in->org.id == org.id) {
                    mstch::array teams;
                    for (const auto& team : signed_in->teams)
                        teams.push_back(mstch::map{{"name", team.display_name}});
                    values["member"] =
                        mstch::map{{"email", signed_in->member.email},
                                   {"role", std::string(core::to_string(signed_in->member.role))},
                                   {"teams", teams}};
                }
            }
            send_html(res, 200, render_page("landing", org.name, values));
        });
}

}  // namespace gatehouse::http
