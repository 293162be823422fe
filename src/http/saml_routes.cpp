#include <memory>

#include "cookies.hpp"
#include "forms.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/encoding.hpp"
#include "pages.hpp"
#include "pages/invitation_pages.hpp"
#include "pages/page_auth.hpp"
#include "pages/signin_page.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

std::string raw_query(const Request& req) {
    const auto question = req.target.find('?');
    return question == std::string::npos ? std::string() : req.target.substr(question + 1);
}

void redirect(Response& res, const std::string& location, int status = 302) {
    res.status = status;
    res.set_header("Location", location);
}

// The values of the test sign-in report page. Every string goes through {{…}}, so whatever
// the IdP put in a NameID or an attribute reaches the page escaped.
mstch::map test_report_values(const core::Org& org, const service::TestReport& report) {
    mstch::array checks;
    for (const auto& line : report.checks) {
        const bool failed = line.outcome == saml::CheckLine::Outcome::failed;
        const bool passed = line.outcome == saml::CheckLine::Outcome::passed;
        checks.push_back(mstch::map{{"title", line.title},
                                    {"label", std::string(saml::outcome_label(line.outcome))},
                                    {"state", std::string(failed   ? "failed"
                                                          : passed ? "passed"
                                                                   : "not-run")},
                                    {"failed", failed},
                                    {"code", line.code},
                                    {"message", line.message}});
    }
    mstch::array attributes;
    for (const auto& [name, values] : report.attributes) {
        mstch::array listed;
        for (const auto& value : values) listed.push_back(value);
        attributes.push_back(mstch::map{{"name", name}, {"values", listed}});
    }
    mstch::map values{
        {"org_slug", org.slug},      {"passed", report.passed},
        {"checks", checks},          {"has_assertion", !report.name_id.empty()},
        {"name_id", report.name_id}, {"has_attributes", !attributes.empty()},
        {"attributes", attributes},
    };
    if (report.identity) {
        values.emplace("identity", mapped_identity_values(*report.identity, report.would_match,
                                                          report.would_apply));
    }
    return values;
}

}  // namespace

void register_saml_routes(Router& http, AppContext& app) {
    auto sso = app.sso;
    const bool secure = app.secure_cookies;
    const std::size_t max_body = app.max_body_bytes;

    http.get(R"(/saml/metadata/([^/]+)/)", [sso](const Request& req, Response& res) {
        auto metadata = sso->sp_metadata(*current_request().org);
        if (!metadata) {
            send_error(req, res, 503, metadata.error().code,
                       "The gateway has no SP certificate configured.");
            return;
        }
        res.set_header("Cache-Control", "public, max-age=300");
        res.set_content(*metadata, "application/samlmetadata+xml");
    });

    // The Login URL: with SAML configured a plain GET goes to the IdP at once (IdP app
    // launchers open it); ?method=password, the SSO-required notice and orgs without SAML get
    // the sign-in page instead.
    http.get(R"(/auth/login/([^/]+)/)", [sso, &app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        if (req.has_param("invite")) {
            send_invitation_landing(req, res, app, org);
            return;
        }
        const bool wants_password = req.get_param_value("method") == "password";
        const bool sso_required = req.get_param_value("reason") == "sso_required";
        if (!wants_password && !sso_required) {
            if (const auto provider = app.oidc->provider(org)) {
                start_oidc_login(req, res, app, org, *provider);
                return;
            }
        }
        if (wants_password || sso_required || !saml_configured(app, org)) {
            SignInView view;
            view.password_form = wants_password || !sso_required;
            view.sso_required_notice = sso_required && !wants_password;
            view.next = req.get_param_value("next");
            send_signin_page(res, 200, app, org, view);
            return;
        }
        const std::string browser = login_binding_value(req, app.secure_cookies);
        auto started = sso->start_login(org, req.get_param_value("next"), browser);
        if (auto* failure = std::get_if<service::SsoFailure>(&started)) {
            send_sso_refusal(req, res, *failure);
            return;
        }
        set_login_cookie(res, browser, sso->settings().authn_request_ttl_seconds,
                         app.secure_cookies);
        redirect(res, std::get<std::string>(started));
    });

    http.post(
        R"(/saml/acs/([^/]+)/)", [sso, secure, max_body, &app](const Request& req, Response& res) {
            auto form = read_form(req, res, max_body);
            if (!form) return;
            const core::Org& org = *current_request().org;
            auto outcome = sso->accept_response(org, (*form)["SAMLResponse"], (*form)["RelayState"],
                                                read_login_cookie(req, secure));
            if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
                send_sso_refusal(req, res, *failure);
                return;
            }
            auto& accepted = std::get<service::AcsResult>(outcome);
            // A test sign-in the org's admin started: show what was checked, set no cookie.
            if (auto* report = std::get_if<service::TestReport>(&accepted)) {
                send_html(
                    res, 200,
                    render_page("saml_test", "SAML test sign-in", test_report_values(org, *report),
                                page_chrome(org, std::nullopt, "")));
                return;
            }
            const auto& sign_in = std::get<service::SignIn>(accepted);
            send_signed_in(res, app, sign_in.session, sign_in.redirect_path);
        });

    auto single_logout = [sso](const Request& req, Response& res,
                               const std::map<std::string, std::string>& form) {
        auto outcome = sso->single_logout(*current_request().org, raw_query(req), form);
        if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
            send_sso_refusal(req, res, *failure);
            return;
        }
        redirect(res, std::get<service::LogoutRedirect>(outcome).url);
    };
    http.get(R"(/saml/sls/([^/]+)/)",
             [single_logout](const Request& req, Response& res) { single_logout(req, res, {}); });
    http.post(R"(/saml/sls/([^/]+)/)",
              [single_logout, max_body](const Request& req, Response& res) {
                  auto form = read_form(req, res, max_body);
                  if (!form) return;
                  if (form->empty()) {
                      send_error(req, res, 400, "saml.logout.message_missing",
                                 "The request carries no SAML message.");
                      return;
                  }
                  single_logout(req, res, *form);
              });
    // Signing out (/auth/logout/{org}/) is register_logout_routes' (logout_routes.cpp).
}

}  // namespace gatehouse::http
