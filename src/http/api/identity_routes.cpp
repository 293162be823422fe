// How an application behind Gatehouse learns who is signed in: /auth/check?org={org} answers a
// reverse proxy's subrequest (nginx auth_request) with identity headers, and
// /api/0/organizations/{org}/me gives the same as JSON to the browser.
#include <algorithm>
#include <string>

#include "api/admin_auth.hpp"
#include "cookies.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/util/time.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

// The signed-in member of this request, when the session is valid; `token` receives the
// session cookie's value.
std::optional<service::SignedInMember> signed_in(const Request& req, AppContext& app,
                                                 std::string& token) {
    auto cookie = read_cookie(req, service::kSessionCookie);
    if (!cookie) return std::nullopt;
    token = std::move(*cookie);
    return service::resolve_session(app.store, token, app.sessions, app.clock.now());
}

// Header values must not carry line breaks or other control characters; names and emails
// come from IdPs, so anything unusual is dropped rather than forwarded.
std::string header_safe(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    }
    return out;
}

std::string team_slugs(const std::vector<core::Team>& teams) {
    std::string joined;
    for (const auto& team : teams) {
        if (!joined.empty()) joined += ',';
        joined += team.slug;
    }
    return joined;
}

}  // namespace

void register_identity_routes(Router& http, AppContext& app) {
    http.get("/auth/check", [&app](const Request& req, Response& res) {
        res.set_header("Cache-Control", "no-store");
        // ?org=slug names the org whose members may pass. One gateway serves many orgs, so an
        // answer without it would let any org's member into every application it guards.
        if (req.get_param_value_count("org") != 1 || req.get_param_value("org").empty()) {
            send_error(req, res, 400, "auth.check.org_missing",
                       "Name the organization whose members may pass: /auth/check?org=SLUG.");
            return;
        }
        const std::string wanted_org = req.get_param_value("org");
        std::string token;
        auto who = signed_in(req, app, token);
        // A proxy configured before a rename names the org by an alias, which is still it.
        const auto slugs = who ? service::org_slugs(who->org) : std::vector<std::string>{};
        if (!who || std::find(slugs.begin(), slugs.end(), wanted_org) == slugs.end()) {
            res.status = 401;
            return;
        }
        res.status = 200;
        res.set_header("X-Gatehouse-Org", who->org.slug);
        res.set_header("X-Gatehouse-Member-Id", who->member.public_id);
        res.set_header("X-Gatehouse-Email", header_safe(who->member.email));
        res.set_header("X-Gatehouse-Name", header_safe(who->member.display_name));
        res.set_header("X-Gatehouse-Role", std::string(core::to_string(who->member.role)));
        res.set_header("X-Gatehouse-Teams", team_slugs(who->teams));
        res.set_header("X-Gatehouse-Auth-Method",
                       std::string(core::to_string(who->session.method)));
    });

    http.get(R"(/api/0/organizations/([^/]+)/me)", [&app](const Request& req, Response& res) {
        res.set_header("Cache-Control", "no-store");
        std::string token;
        auto who = signed_in(req, app, token);
        if (!who || who->org.id != current_request().org->id) {
            send_error(req, res, 401, "auth.not_signed_in",
                       "Nobody is signed in to this organization.");
            return;
        }
        nlohmann::json teams = nlohmann::json::array();
        for (const auto& team : who->teams)
            teams.push_back(
                {{"id", team.public_id}, {"slug", team.slug}, {"name", team.display_name}});
        const core::Member& m = who->member;
        send_json(res, 200,
                  {{"org", {{"slug", who->org.slug}, {"name", who->org.name}}},
                   {"member",
                    {{"id", m.public_id},
                     {"email", m.email},
                     {"name", m.display_name},
                     {"first_name", m.given_name},
                     {"last_name", m.family_name},
                     {"role", core::to_string(m.role)},
                     {"state", core::to_string(m.state)},
                     {"idp_managed", m.idp_managed}}},
                   {"teams", teams},
                   {"session",
                    {{"method", core::to_string(who->session.method)},
                     {"expires_at", util::format_iso8601(who->session.expires_at)}}},
                   {"csrf_token", csrf_token(token)}});
    });
}

}  // namespace gatehouse::http
