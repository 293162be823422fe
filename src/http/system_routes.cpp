#include "cookies.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/http/metadata_fetcher.hpp"
#include "gatehouse/service/org_lookup.hpp"
#include "gatehouse/service/store_gauges.hpp"
#include "gatehouse/util/log.hpp"
#include "gatehouse/util/metrics.hpp"
#include "pages.hpp"
#include "pages/page_auth.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {

namespace {

void answer_health(const AppContext& app, Response& res) {
    const Status status = service::check_store(app.store);
    if (!status) {
        send_json(res, 503, {{"status", "unavailable"}, {"reason", status.error().code}});
        return;
    }
    send_json(res, 200, {{"status", "ok"}});
}

// The scrape: every metric the process keeps, and those read from the store now. A store
// that cannot be read leaves its gauges out and says so in gatehouse_store_up, so the scrape
// itself still succeeds.
void answer_metrics(const AppContext& app, Response& res) {
    auto gauges = service::read_store_gauges(app.store, app.clock);
    std::vector<util::metrics::GaugeFamily> families;
    if (gauges) {
        families = std::move(*gauges);
    } else {
        util::log_event(util::LogLevel::warning, "metrics.store_unavailable",
                        {{"error", gauges.error().code}});
    }
    families.push_back({"gatehouse_store_up",
                        "1 when the last scrape could read the store, else 0.",
                        {{{}, gauges ? 1.0 : 0.0}}});
    res.set_header("Cache-Control", "no-store");
    res.set_content(util::metrics::exposition(families), std::string(util::metrics::kContentType));
}

bool is_loopback_client(const Request& req) {
    const auto scope = classify_address(req.client_address);
    return scope && *scope == AddressScope::loopback;
}

}  // namespace

void register_system_routes(Router& http, AppContext& app) {
    http.get("/healthz", [&app](const Request&, Response& res) { answer_health(app, res); });

    // The metrics name every org and count its sign-ins: on the main listener, which faces
    // browsers and IdPs, only a client on this machine may read them. Behind a reverse proxy
    // that is a trusted proxy, the client is the one the proxy names, so the outside world
    // stays out; deploy/nginx/gatehouse.conf does not pass /metrics on either way.
    if (app.metrics_on_main_listener) {
        http.get("/metrics", [&app](const Request& req, Response& res) {
            if (!is_loopback_client(req)) {
                util::log_event(util::LogLevel::warning, "metrics.refused",
                                {{"client", req.client_address}});
                send_error(req, res, 403, "metrics.loopback_only",
                           "Metrics are served here to clients on this machine only; serve "
                           "--metrics-listen gives them a listener of their own.");
                return;
            }
            answer_metrics(app, res);
        });
    }

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

void register_metrics_listener_routes(Router& http, AppContext& app) {
    http.get("/healthz", [&app](const Request&, Response& res) { answer_health(app, res); });
    http.get("/metrics", [&app](const Request&, Response& res) { answer_metrics(app, res); });
}

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
