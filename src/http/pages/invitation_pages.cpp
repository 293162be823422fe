// The pages behind an invitation link, and the form where an invited person of an org
// without single sign-on chooses a password (POST /auth/login/{org}/invitation).
#include "pages/invitation_pages.hpp"

#include <algorithm>

#include "api/admin_auth.hpp"
#include "forms.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/util/log.hpp"
#include "gatehouse/util/password.hpp"
#include "pages.hpp"
#include "pages/page_auth.hpp"
#include "pages/signin_page.hpp"
#include "request_context.hpp"

namespace gatehouse::http {
namespace {

// A token, a password and its confirmation (1024 bytes each at most, three times that
// percent-encoded) fit well inside this.
constexpr std::size_t kMaxFormBytes = 16 * 1024;

// The token is in the address: keep it out of caches and of Referer headers sent to any
// other site. The pages' "same-origin" policy already does the latter (and must stay, not
// "no-referrer": under that Chromium sends "Origin: null" with the password form, which the
// CSRF check refuses); set again here so these pages keep it whatever the default becomes.
void protect_token(Response& res) {
    res.headers.erase("Referrer-Policy");
    res.headers.erase("Cache-Control");
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
}

// The page for a link that does not work: which of the three reasons, and what to do.
void send_unusable_link(Response& res, const core::Org& org, const Error& error) {
    int status = 404;
    std::string title = "Invitation link not valid";
    std::string message =
        "This invitation link is not valid. It may have been replaced by a "
        "newer invitation or withdrawn. Ask an administrator of " +
        org.name + " to send you a new one.";
    if (error.code == service::kInvitationExpired) {
        status = 410;
        title = "Invitation link expired";
        message = "This invitation link has expired. Ask an administrator of " + org.name +
                  " to send you a new one.";
    } else if (error.code == service::kInvitationUsed) {
        status = 410;
        title = "Invitation link already used";
        message = "This invitation link was already used. If it was you, sign in to " + org.name +
                  " as usual.";
    }
    protect_token(res);
    send_html(res, status,
              render_page("error", title,
                          mstch::map{{"title", title},
                                     {"message", message},
                                     {"reference", std::string()},
                                     {"back_org", org.slug}},
                          page_chrome(org, std::nullopt, "")));
}

void send_password_page(Response& res, int status, const core::Org& org, const std::string& token,
                        const std::string& email, const std::string& error) {
    protect_token(res);
    send_html(res, status,
              render_page("invitation_password", "Join " + org.name,
                          mstch::map{{"org_name", org.name},
                                     {"action", "/auth/login/" + org.slug + "/invitation"},
                                     {"token", token},
                                     {"email", email},
                                     {"error", error},
                                     {"min_length", std::to_string(util::password::kMinBytes)}},
                          page_chrome(org, std::nullopt, "")));
}

// Whether a service error is about the link (answered with send_unusable_link).
bool is_link_error(const std::string& code) {
    return code == service::kInvitationInvalid || code == service::kInvitationExpired ||
           code == service::kInvitationUsed;
}

void accept_with_password(const Request& req, Response& res, AppContext& app) {
    const core::Org& org = *current_request().org;
    // As for the password sign-in form: another site posting this form would sign the
    // visitor in to an account of its choosing (login CSRF).
    if (is_foreign_origin(req, app.base_url)) {
        util::log_event(util::LogLevel::warning, "member.invitation.refused",
                        {{"org", org.slug}, {"reason", "auth.foreign_origin"}});
        send_error(req, res, 403, "auth.foreign_origin",
                   "The form was sent from another site. Open the invitation link again.");
        return;
    }
    auto form = read_form(req, res, std::min(kMaxFormBytes, app.max_body_bytes));
    if (!form) return;
    const std::string token = (*form)["invite"];
    service::Invitations invitations(app.store, app.clock, app.invitations);
    auto valid = invitations.check(org, token);
    if (!valid) return send_unusable_link(res, org, valid.error());
    if ((*form)["password"] != (*form)["confirm"]) {
        return send_password_page(res, 422, org, token, valid->email,
                                  "The two passwords are not the same.");
    }
    auto signed_in =
        invitations.accept_with_password(org, token, (*form)["password"], app.sessions);
    if (!signed_in) {
        const std::string& code = signed_in.error().code;
        if (is_link_error(code)) return send_unusable_link(res, org, signed_in.error());
        if (code.rfind("password.", 0) == 0 && code != "password.hash_failed") {
            return send_password_page(res, 422, org, token, valid->email,
                                      signed_in.error().message);
        }
        if (code == service::kInvitationSsoOnly) {
            res.status = 303;
            res.set_header("Location", "/auth/login/" + org.slug + "/");
            return;
        }
        util::log_event(
            util::LogLevel::error, "page.failure",
            {{"path", req.path}, {"code", code}, {"message", signed_in.error().message}});
        send_error(req, res, 500, "internal",
                   "The sign-in failed on our side; it has been logged.");
        return;
    }
    send_signed_in(res, app, signed_in->session, signed_in->redirect_path);
}

}  // namespace

void send_invitation_landing(const Request& req, Response& res, AppContext& app,
                             const core::Org& org) {
    const std::string token = req.get_param_value("invite");
    service::Invitations invitations(app.store, app.clock, app.invitations);
    auto valid = invitations.check(org, token);
    if (!valid) {
        if (!is_link_error(valid.error().code)) {
            send_error(req, res, 503, "internal",
                       "The invitation could not be checked; try again.");
            return;
        }
        return send_unusable_link(res, org, valid.error());
    }
    // With single sign-on the invitation is accepted by the member's first sign-in there,
    // which the Login URL starts; without, the invited person chooses a password here.
    if (sso_configured(app, org)) {
        protect_token(res);
        res.status = 303;
        res.set_header("Location", "/auth/login/" + org.slug + "/");
        return;
    }
    send_password_page(res, 200, org, token, valid->email, "");
}

void register_invitation_routes(Router& http, AppContext& app) {
    http.post(R"(/auth/login/([^/]+)/invitation)",
              [&app](const Request& req, Response& res) { accept_with_password(req, res, app); });
}

}  // namespace gatehouse::http
