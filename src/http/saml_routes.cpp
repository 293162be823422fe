#include <memory>

#include "cookies.hpp"
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

// The form fields of a POST, or nullopt (and a 400 or 413) when the body is not a form or
// is too large. The body is read here rather than by httplib: its compiled-in limit on
// url-encoded forms (8 KiB) is below what IdPs post, since a Response signed twice with an
// embedded certificate often exceeds it.
std::optional<std::map<std::string, std::string>> form_fields(const httplib::Request& req,
                                                              httplib::Response& res,
                                                              const httplib::ContentReader& reader,
                                                              std::size_t max_bytes) {
    std::string body;
    // httplib stops reading (and the reader fails) past its payload limit, which is the
    // same max_bytes; a declared length over it is refused before reading at all.
    const std::string declared = req.get_header_value("Content-Length");
    bool too_large = !declared.empty() &&
                     declared.find_first_not_of("0123456789") == std::string::npos &&
                     (declared.size() > 18 || std::stoull(declared) > max_bytes);
    const bool read = !too_large && reader([&](const char* data, std::size_t length) {
        if (body.size() + length > max_bytes) {
            too_large = true;
            return false;
        }
        body.append(data, length);
        return true;
    });
    if (too_large) {
        send_error(req, res, 413, "request.too_large",
                   "The request body is larger than this server accepts.");
        return std::nullopt;
    }
    if (!read) {
        send_error(req, res, 400, "request.malformed", "The request body could not be read.");
        return std::nullopt;
    }
    auto fields = util::parse_form(body);
    if (!fields) send_error(req, res, 400, "request.malformed", "The form data is malformed.");
    return fields;
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
        auto form = form_fields(req, res, reader, max_body);
        if (!form) return;
        const core::Org& org = *current_request().org;
        auto outcome = sso->complete_login(org, (*form)["SAMLResponse"], (*form)["RelayState"]);
        if (auto* failure = std::get_if<service::SsoFailure>(&outcome)) {
            send_refusal(req, res, *failure);
            return;
        }
        const auto& sign_in = std::get<service::SignIn>(outcome);
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
                  auto form = form_fields(req, res, reader, max_body);
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
