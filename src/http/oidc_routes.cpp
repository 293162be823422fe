#include "cookies.hpp"
#include "forms.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/oidc_service.hpp"
#include "pages.hpp"
#include "pages/page_auth.hpp"
#include "pages/signin_page.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

// The values of the test report page. Every claim goes through {{…}}, so whatever the
// provider put in a claim reaches the page escaped.
mstch::map test_report_values(const core::Org& org, const std::string& protocol,
                              const service::OidcTestReport& report) {
    mstch::array claims;
    if (report.claims.is_object()) {
        for (const auto& [name, value] : report.claims.items()) {
            claims.push_back(mstch::map{
                {"name", name},
                {"value",
                 value.is_string()
                     ? value.get<std::string>()
                     : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}});
        }
    }
    mstch::map values{{"org_slug", org.slug},
                      {"protocol", protocol},
                      {"passed", report.passed},
                      {"has_claims", !claims.empty()},
                      {"claims", claims}};
    if (report.failure) {
        values.emplace("failure_code", report.failure->code);
        values.emplace("failure_message", report.failure->message);
    }
    if (report.identity) {
        values.emplace("identity", mapped_identity_values(*report.identity, report.would_match,
                                                          report.would_apply));
    }
    return values;
}

}  // namespace

void register_oidc_routes(Router& http, AppContext& app) {
    http.get(R"(/auth/callback/([^/]+)/)", [&app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        service::OidcCallback callback{
            req.get_param_value("code"), req.get_param_value("state"), req.get_param_value("error"),
            req.get_param_value("error_description"), req.get_param_value("iss")};
        auto outcome =
            app.oidc->complete(org, callback, read_login_cookie(req, app.secure_cookies));
        if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
            send_sso_refusal(req, res, *failure);
            return;
        }
        auto& done = std::get<service::OidcOutcome>(outcome);
        if (auto* report = std::get_if<service::OidcTestReport>(&done)) {
            const auto provider = app.oidc->provider(org);
            const std::string protocol =
                provider && provider->kind == core::OidcKind::github ? "GitHub" : "OpenID Connect";
            send_html(res, 200,
                      render_page("oidc_test", protocol + " test sign-in",
                                  test_report_values(org, protocol, *report),
                                  page_chrome(org, std::nullopt, "")));
            return;
        }
        const auto& sign_in = std::get<service::SignIn>(done);
        send_signed_in(res, app, sign_in.session, sign_in.redirect_path);
    });
}

}  // namespace gatehouse::http
