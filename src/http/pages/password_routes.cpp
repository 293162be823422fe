#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "api/admin_auth.hpp"
#include "client_address.hpp"
#include "cookies.hpp"
#include "forms.hpp"
#include "gatehouse/saml/authn_request.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "pages/signin_page.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

// Email, password (at most 1024 bytes, three times that percent-encoded) and a next path
// (at most 2048 bytes) fit well inside this; anything larger is not a sign-in form.
constexpr std::size_t kMaxFormBytes = 16 * 1024;

bool is_form(const Request& req) {
    std::string type = req.get_header_value("Content-Type");
    type = type.substr(0, type.find(';'));
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!type.empty() && type.back() == ' ') type.pop_back();
    return type == "application/x-www-form-urlencoded";
}

// The sign-in form's fields, or nullopt after answering 400 (not a form, malformed) or 413
// (larger than kMaxFormBytes, whatever Content-Length claims).
std::optional<std::map<std::string, std::string>> sign_in_form(const Request& req, Response& res,
                                                               std::size_t max_bytes) {
    if (!is_form(req)) {
        send_error(req, res, 400, "request.not_form",
                   "Sign in with the form: application/x-www-form-urlencoded.");
        return std::nullopt;
    }
    return read_form(req, res, max_bytes);
}

// The sign-in page again with one message for every refusal, so the answer never tells
// whether the email belongs to a member, has a password or was deactivated. The email is
// refilled exactly as typed (escaped by the template), never normalised into a member's.
void send_refusal(Response& res, AppContext& app, const core::Org& org, const std::string& email,
                  const std::string& next) {
    SignInView view;
    view.email = email;
    view.next = next;
    view.error = "The email or password is not right.";
    send_signin_page(res, 401, app, org, view);
}

// The sign-in page refusing an attempt that was not looked at: 429 when the email or the
// client address has failed too often, 503 when every hashing slot stayed busy. Retry-After
// says when to come back; the message is the same whoever the email belongs to.
void send_not_checked(Response& res, AppContext& app, const core::Org& org,
                      const std::string& email, const std::string& next, int status,
                      int retry_after_seconds) {
    SignInView view;
    view.email = email;
    view.next = next;
    if (status == 429) {
        const int minutes = (retry_after_seconds + 59) / 60;
        view.error = "Too many failed sign-in attempts. Password sign-in is paused; try again in " +
                     std::to_string(minutes) + (minutes == 1 ? " minute." : " minutes.");
    } else {
        view.error = "The gateway is busy checking other sign-ins. Try again in a moment.";
    }
    res.set_header("Retry-After", std::to_string(retry_after_seconds));
    send_signin_page(res, status, app, org, view);
}

// Where a password refused by Require SSO goes: the sign-in page explaining it, which offers
// the SSO button instead of starting SSO behind the person's back.
std::string sso_required_path(const core::Org& org, const std::string& next) {
    std::string path = "/auth/login/" + org.slug + "/?reason=sso_required";
    if (saml::is_safe_relay_path(next)) path += "&next=" + util::url_encode(next);
    return path;
}

}  // namespace

void register_password_routes(Router& http, AppContext& app) {
    // One per server: its hashing slots bound the memory of every sign-in it serves.
    auto guard = std::make_shared<service::SignInGuard>();
    http.post(R"(/auth/login/([^/]+)/)", [&app, guard](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        // Another site posting this form would sign the visitor in to an account of its
        // choosing (login CSRF); browsers name the posting site in Origin.
        if (is_foreign_origin(req, app.base_url)) {
            util::log_event(util::LogLevel::warning, "auth.password_sign_in.refused",
                            {{"org", org.slug}, {"reason", "auth.foreign_origin"}});
            send_error(req, res, 403, "auth.foreign_origin",
                       "The sign-in form was sent from another site. Open the sign-in page "
                       "of this organization and try again.");
            return;
        }
        auto form = sign_in_form(req, res, std::min(kMaxFormBytes, app.max_body_bytes));
        if (!form) return;
        const std::string address = client_address(req);
        auto outcome = service::password_sign_in(
            app.store, app.clock, app.sessions, *guard, org,
            {(*form)["email"], (*form)["password"], (*form)["next"], address});
        if (const auto* throttled = std::get_if<service::SignInThrottled>(&outcome)) {
            send_not_checked(res, app, org, (*form)["email"], (*form)["next"], 429,
                             throttled->retry_after_seconds);
            return;
        }
        if (const auto* busy = std::get_if<service::SignInBusy>(&outcome)) {
            send_not_checked(res, app, org, (*form)["email"], (*form)["next"], 503,
                             busy->retry_after_seconds);
            return;
        }
        // 303: the browser follows with a GET and never re-posts the password.
        if (std::holds_alternative<service::SsoRequired>(outcome)) {
            res.status = 303;
            res.set_header("Location", sso_required_path(org, (*form)["next"]));
            return;
        }
        if (std::holds_alternative<service::PasswordRefused>(outcome)) {
            send_refusal(res, app, org, (*form)["email"], (*form)["next"]);
            return;
        }
        const auto& sign_in = std::get<service::PasswordSignIn>(outcome);
        send_signed_in(res, app, sign_in.session, sign_in.redirect_path);
    });
}

}  // namespace gatehouse::http
