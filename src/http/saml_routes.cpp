#include <memory>

#include "cookies.hpp"
#include "forms.hpp"
#include "gatehouse/service/sso_service.hpp"
#include "gatehouse/util/encoding.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

std::string raw_query(const httplib::Request& req) {
    const auto question = req.target.find('?');
    return question == std::string::npos ? std::string() : req.target.substr(question + 1);
}

void redirect(httplib::Response& res, const std::string& location, int status = 302) {
    res.status = status;
    res.set_header("Location", location);
}

// What the browser sees when SAML refuses it: nothing about why, only a reference the
// admin can look up in the audit log.
void send_refusal(const httplib::Request& req, httplib::Response& res,
                  const service::SsoFailure& failure) {
    if (failure.error.code == "saml.not_configured") {
        send_error(req, res, 404, failure.error.code,
                   "Single sign-on is not set up for this organization.");
        return;
    }
    if (failure.error.code == "saml.sp_key_missing") {
        send_error(req, res, 503, failure.error.code,
                   "Single sign-on is not available on this gateway yet.");
        return;
    }
    send_html(
        res, 403,
        render_page("error", "Sign-in failed",
                    mstch::map{{"title", std::string("Sign-in failed")},
                               {"message", std::string("Your identity provider's answer could "
                                                       "not be accepted.")},
                               {"reference", failure.reference}}));
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
        const auto& identity = *report.identity;
        mstch::array groups;
        for (const auto& group : identity.groups) groups.push_back(group);
        values.emplace("identity", mstch::map{{"user_id", identity.user_id},
                                              {"email", identity.email},
                                              {"first_name", identity.first_name},
                                              {"last_name", identity.last_name},
                                              {"role", identity.role},
                                              {"groups", groups},
                                              {"would_match", report.would_match}});
    }
    return values;
}

}  // namespace

void register_saml_routes(httplib::Server& http, AppContext& app) {
    auto sso = app.sso;
    const bool secure = app.secure_cookies;
    const std::size_t max_body = app.max_body_bytes;

    http.Get(R"(/saml/metadata/([^/]+)/)",
             [sso](const httplib::Request& req, httplib::Response& res) {
                 auto metadata = sso->sp_metadata(*current_request().org);
                 if (!metadata) {
                     send_error(req, res, 503, metadata.error().code,
                                "The gateway has no SP certificate configured.");
                     return;
                 }
                 res.set_header("Cache-Control", "public, max-age=300");
                 res.set_content(*metadata, "application/samlmetadata+xml");
             });

    http.Get(R"(/auth/login/([^/]+)/)", [sso](const httplib::Request& req, httplib::Response& res) {
        auto started = sso->start_login(*current_request().org, req.get_param_value("next"));
        if (auto* failure = std::get_if<service::SsoFailure>(&started)) {
            send_refusal(req, res, *failure);
            return;
        }
        redirect(res, std::get<std::string>(started));
    });

    http.Post(R"(/saml/acs/([^/]+)/)", [sso, secure, max_body](
                                           const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
        auto form = read_form(req, res, reader, max_body);
        if (!form) return;
        const core::Org& org = *current_request().org;
        auto outcome = sso->accept_response(org, (*form)["SAMLResponse"], (*form)["RelayState"]);
        if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
            send_refusal(req, res, *failure);
            return;
        }
        auto& accepted = std::get<service::AcsResult>(outcome);
        // A test sign-in the org's admin started: show what was checked, set no cookie.
        if (auto* report = std::get_if<service::TestReport>(&accepted)) {
            send_html(
                res, 200,
                render_page("saml_test", "SAML test sign-in", test_report_values(org, *report)));
            return;
        }
        const auto& sign_in = std::get<service::SignIn>(accepted);
        set_session_cookie(res, sign_in.session.token,
                           sign_in.session.session.expires_at - sign_in.session.session.created_at,
                           secure);
        // 303: the browser follows with a GET, never re-posting the SAMLResponse.
        redirect(res, sign_in.redirect_path, 303);
    });

    auto single_logout = [sso](const httplib::Request& req, httplib::Response& res,
                               const std::map<std::string, std::string>& form) {
        auto outcome = sso->single_logout(*current_request().org, raw_query(req), form);
        if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
            send_refusal(req, res, *failure);
            return;
        }
        redirect(res, std::get<service::LogoutRedirect>(outcome).url);
    };
    http.Get(R"(/saml/sls/([^/]+)/)",
             [single_logout](const httplib::Request& req, httplib::Response& res) {
                 single_logout(req, res, {});
             });
    http.Post(R"(/saml/sls/([^/]+)/)",
              [single_logout, max_body](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) {
                  auto form = read_form(req, res, reader, max_body);
                  if (!form) return;
                  if (form->empty()) {
                      send_error(req, res, 400, "saml.logout.message_missing",
                                 "The request carries no SAML message.");
                      return;
                  }
                  single_logout(req, res, *form);
              });

    http.Get(R"(/auth/logout/([^/]+)/)",
             [sso, secure](const httplib::Request& req, httplib::Response& res) {
                 const auto token = read_cookie(req, service::kSessionCookie).value_or("");
                 const auto next = sso->logout(*current_request().org, token);
                 clear_session_cookie(res, secure);
                 redirect(res, next.url);
             });
}

}  // namespace gatehouse::http
