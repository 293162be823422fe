// The forms of the members page. Each one checks the admin, the CSRF token and the Origin,
// makes one service call and answers 303 back to the page with a fixed ?saved= notice; a
// refusal re-renders the page with the service's message and its status, nothing changed.
#include <functional>

#include "error_status.hpp"
#include "forms.hpp"
#include "gatehouse/core/names.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/member_admin.hpp"
#include "gatehouse/service/password_service.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "pages/settings_member_pages.hpp"
#include "request_context.hpp"

namespace gatehouse::http {
namespace {

using Form = std::map<std::string, std::string>;

void redirect_saved(Response& res, const core::Org& org, const std::string& saved) {
    res.status = 303;
    res.set_header("Location", "/settings/" + org.slug + "/members/?saved=" + saved);
}

void show_refusal(const Request& req, Response& res, AppContext& app, const core::Org& org,
                  const PageViewer& viewer, const Error& error, MembersPageState state = {}) {
    const int status = status_for_error(error.code);
    if (status >= 500) {
        util::log_event(util::LogLevel::error, "page.failure",
                        {{"path", req.path}, {"code", error.code}, {"message", error.message}});
        send_error(req, res, 500, "internal", "The change failed on our side; it has been logged.");
        return;
    }
    if (state.invite_email_error.empty()) state.notice_error = error.message;
    send_members_page(req, res, app, org, viewer, status, state);
}

using FormCall = PageForm;

void invite(AppContext& app, FormCall& call) {
    MembersPageState state;
    state.invite_email = call.form["email"];
    state.invite_role = call.form["role"];
    const auto role = core::parse_role(state.invite_role);
    if (!role) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer,
                            fail("request.invalid_field", "Choose one of the listed roles."),
                            state);
    }
    service::NewMember invitation;
    invitation.email = state.invite_email;
    invitation.role = *role;
    service::MemberAdmin members(app.store, app.clock, app.invitations);
    auto added = members.invite(call.org, invitation, call.viewer.caller);
    if (!added) {
        const std::string& code = added.error().code;
        if (code == "member.invalid_email") {
            state.invite_email_error = added.error().message;
        } else if (code == store::kConflict) {
            state.invite_email_error = "A member with this email already exists.";
        }
        return show_refusal(call.req, call.res, app, call.org, call.viewer, added.error(), state);
    }
    redirect_saved(call.res, call.org, "invited");
}

void change_role(AppContext& app, FormCall& call) {
    const auto role = core::parse_role(call.form["role"]);
    if (!role) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer,
                            fail("request.invalid_field", "Choose one of the listed roles."));
    }
    service::MemberAdmin members(app.store, app.clock, app.invitations);
    auto changed =
        members.change_role(call.org, call.req.matches[2].str(), *role, call.viewer.caller);
    if (!changed) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer, changed.error());
    }
    redirect_saved(call.res, call.org, "role");
}

void set_active(AppContext& app, FormCall& call, bool active) {
    service::MemberAdmin admin(app.store, app.clock, app.invitations);
    auto changed =
        admin.set_active(call.org, call.req.matches[2].str(), active, call.viewer.caller);
    if (!changed) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer, changed.error());
    }
    redirect_saved(call.res, call.org, active ? "reactivated" : "deactivated");
}

void remove_member(AppContext& app, FormCall& call) {
    service::MemberAdmin members(app.store, app.clock, app.invitations);
    const Status removed =
        members.remove_member(call.org, call.req.matches[2].str(), call.viewer.caller);
    if (!removed) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer, removed.error());
    }
    redirect_saved(call.res, call.org, "removed");
}

void remove_team(AppContext& app, FormCall& call) {
    service::MemberAdmin members(app.store, app.clock, app.invitations);
    const Status removed =
        members.remove_team(call.org, call.req.matches[2].str(), call.viewer.caller);
    if (!removed) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer, removed.error());
    }
    redirect_saved(call.res, call.org, "team-removed");
}

void resend_invitation(AppContext& app, FormCall& call) {
    service::Invitations invitations(app.store, app.clock, app.invitations);
    auto issued = invitations.resend(call.org, call.req.matches[2].str(), call.viewer.caller);
    if (!issued) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer, issued.error());
    }
    redirect_saved(call.res, call.org, "invitation-resent");
}

void revoke_invitation(AppContext& app, FormCall& call) {
    service::Invitations invitations(app.store, app.clock, app.invitations);
    const Status revoked =
        invitations.revoke(call.org, call.req.matches[2].str(), call.viewer.caller);
    if (!revoked) {
        return show_refusal(call.req, call.res, app, call.org, call.viewer, revoked.error());
    }
    redirect_saved(call.res, call.org, "invitation-revoked");
}

}  // namespace

void register_member_forms(Router& http, AppContext& app) {
    // Registered before the member actions: "invite" and "teams" are not member ids.
    http.post(R"(/settings/([^/]+)/members/invite)",
              checked_page_form(app, [&app](FormCall& call) { invite(app, call); }));
    http.post(R"(/settings/([^/]+)/members/teams/([^/]+)/remove)",
              checked_page_form(app, [&app](FormCall& call) { remove_team(app, call); }));
    http.post(R"(/settings/([^/]+)/members/([^/]+)/role)",
              checked_page_form(app, [&app](FormCall& call) { change_role(app, call); }));
    http.post(R"(/settings/([^/]+)/members/([^/]+)/deactivate)",
              checked_page_form(app, [&app](FormCall& call) { set_active(app, call, false); }));
    http.post(R"(/settings/([^/]+)/members/([^/]+)/reactivate)",
              checked_page_form(app, [&app](FormCall& call) { set_active(app, call, true); }));
    http.post(R"(/settings/([^/]+)/members/([^/]+)/remove)",
              checked_page_form(app, [&app](FormCall& call) { remove_member(app, call); }));
    http.post(R"(/settings/([^/]+)/members/([^/]+)/invitation/resend)",
              checked_page_form(app, [&app](FormCall& call) { resend_invitation(app, call); }));
    http.post(R"(/settings/([^/]+)/members/([^/]+)/invitation/revoke)",
              checked_page_form(app, [&app](FormCall& call) { revoke_invitation(app, call); }));
}

}  // namespace gatehouse::http
