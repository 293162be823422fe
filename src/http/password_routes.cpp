#include <algorithm>
#include <cctype>
#include <optional>

#include "cookies.hpp"
#include "forms.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/util/encoding.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

// Email, password (at most 1024 bytes, three times that percent-encoded) and a next path
// (at most 2048 bytes) fit well inside this; anything larger is not a sign-in form.
constexpr std::size_t kMaxFormBytes = 16 * 1024;

bool is_form(const httplib::Request& req) {
    std::string type = req.get_header_value("Content-Type");
    type = type.substr(0, type.find(';'));
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!type.empty() && type.back() == ' ') type.pop_back();
    return type == "application/x-www-form-urlencoded";
}

// The sign-in form's fields, or nullopt after answering 400 (not a form, malformed) or 413
// (larger than kMaxFormBytes, whatever Content-Length claims).
std::optional<std::map<std::string, std::string>> sign_in_form(const httplib::Request& req,
                                                               httplib::Response& res,
                                                               const httplib::ContentReader& reader,
                                                               std::size_t max_bytes) {
    if (!is_form(req)) {
        send_error(req, res, 400, "request.not_form",
                   "Sign in with the form: application/x-www-form-urlencoded.");
        return std::nullopt;
    }
    return read_form(req, res, reader, max_bytes);
}

// One page for every refusal, so the answer never tells whether the email belongs to a
// member, has a password or was deactivated.
void send_refusal(httplib::Response& res) {
    send_html(res, 401,
              render_page("error", "Sign-in failed",
                          mstch::map{{"title", std::string("Sign-in failed")},
                                     {"message", std::string("The email or password is not "
                                                             "right.")}}));
}

}  // namespace

void register_password_routes(httplib::Server& http, AppContext& app) {
    http.Post(R"(/auth/login/([^/]+)/)", [&app](const httplib::Request& req, httplib::Response& res,
                                                const httplib::ContentReader& reader) {
        auto form = sign_in_form(req, res, reader, std::min(kMaxFormBytes, app.max_body_bytes));
        if (!form) return;
        const core::Org& org = *current_request().org;
        auto outcome =
            service::password_sign_in(app.store, app.clock, app.sessions, org, (*form)["email"],
                                      (*form)["password"], (*form)["next"]);
        // 303: the browser follows with a GET and never re-posts the password.
        if (const auto* required = std::get_if<service::SsoRequired>(&outcome)) {
            res.status = 303;
            res.set_header("Location", required->login_path);
            return;
        }
        if (std::holds_alternative<service::PasswordRefused>(outcome)) {
            send_refusal(res);
            return;
        }
        const auto& sign_in = std::get<service::PasswordSignIn>(outcome);
        set_session_cookie(res, sign_in.session.token,
                           sign_in.session.session.expires_at - sign_in.session.session.created_at,
                           app.secure_cookies);
        res.status = 303;
        res.set_header("Location", sign_in.redirect_path);
    });
}

}  // namespace gatehouse::http
