// The members page (/settings/{org}/members/): every member with state, source, role, teams,
// SAML link and last sign-in, searchable and paged, with the invite form and the org's teams.
// The audit log page lives in settings_member_audit.cpp, the forms in settings_member_forms.cpp.
#include "pages/settings_member_pages.hpp"

#include <charconv>

#include "gatehouse/core/names.hpp"
#include "gatehouse/service/access_rules.hpp"
#include "gatehouse/service/invitations.hpp"
#include "gatehouse/service/member_view.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "request_context.hpp"

namespace gatehouse::http {
namespace {

// Teams are listed on one page; an org with more sees how many are left out.
constexpr std::int64_t kTeamsShown = 200;

std::string source_words(core::MemberSource source) {
    switch (source) {
        case core::MemberSource::scim:
            return "SCIM";
        case core::MemberSource::jit:
            return "just-in-time";
        case core::MemberSource::invited:
            return "invited";
        case core::MemberSource::owner:
            return "owner";
    }
    return "";
}

std::string state_badge(core::MemberState state) {
    switch (state) {
        case core::MemberState::active:
            return "badge-ok";
        case core::MemberState::invited:
            return "badge-warn";
        case core::MemberState::deactivated:
            return "badge-bad";
    }
    return "";
}

// The role options of a select: the roles the viewer may give, and the selected one, shown
// because the member already holds it; the services refuse anything else a forged form could
// ask for.
mstch::array role_options(core::Role selected, const service::Caller& viewer) {
    mstch::array options;
    for (const core::Role role : {core::Role::owner, core::Role::admin, core::Role::manager,
                                  core::Role::billing, core::Role::member}) {
        if (role != selected && !service::check_owner_role(viewer, role).ok()) continue;
        options.push_back(mstch::map{{"value", std::string(core::to_string(role))},
                                     {"selected", role == selected}});
    }
    return options;
}

// The identity a member signs in with, as the IdP names it: the SAML subject, or the
// OpenID subject without its issuer; empty while the member is not linked.
std::string linked_identity(const core::Member& m) {
    if (!m.saml_subject.empty()) return m.saml_subject;
    const auto space = m.oidc_subject.find(' ');
    return space == std::string::npos ? m.oidc_subject : m.oidc_subject.substr(space + 1);
}

mstch::map member_row(const service::MemberListing& listing, const PageViewer& viewer) {
    const core::Member& m = listing.member;
    mstch::array teams;
    for (const auto& team : listing.teams) teams.push_back(mstch::map{{"name", team.display_name}});
    const std::string name =
        !m.display_name.empty()
            ? m.display_name
            : (m.given_name + (m.given_name.empty() || m.family_name.empty() ? "" : " ") +
               m.family_name);
    return mstch::map{
        {"id", m.public_id},
        {"email", m.email},
        {"name", name},
        {"state", std::string(core::to_string(m.state))},
        {"state_badge", state_badge(m.state)},
        {"source", source_words(m.source)},
        {"role", std::string(core::to_string(m.role))},
        {"teams", teams},
        {"has_teams", !teams.empty()},
        {"linked_identity", linked_identity(m)},
        {"linked_via", std::string(m.saml_subject.empty() ? "OpenID" : "SAML")},
        {"last_sign_in", m.last_sign_in_at ? format_utc(*m.last_sign_in_at) : std::string()},
        {"idp_managed", m.idp_managed},
        // Shown disabled, with why, to a viewer who may not change an owner; the services
        // refuse a forged form anyway.
        {"owner_locked", !service::check_owner_role(viewer.caller, m.role).ok()},
        {"deactivated", m.state == core::MemberState::deactivated},
        {"roles", role_options(m.role, viewer.caller)},
    };
}

std::string members_href(const core::Org& org, const std::string& search, std::int64_t page) {
    std::string href = "/settings/" + org.slug + "/members/?";
    if (!search.empty()) href += "q=" + util::url_encode(search) + "&";
    return href + "page=" + std::to_string(page);
}

mstch::map pager(const core::Org& org, const std::string& search, std::int64_t page,
                 std::int64_t total) {
    const std::int64_t pages =
        std::max<std::int64_t>(1, (total + kSettingsPageSize - 1) / kSettingsPageSize);
    mstch::map values{{"page", std::to_string(page)},
                      {"pages", std::to_string(pages)},
                      {"has_pages", pages > 1 || page > 1}};
    if (page > 1) values["previous"] = members_href(org, search, std::min(page - 1, pages));
    if (page < pages) values["next"] = members_href(org, search, page + 1);
    return values;
}

mstch::array team_rows(const std::vector<service::TeamListing>& teams) {
    mstch::array rows;
    for (const auto& listing : teams) {
        rows.push_back(mstch::map{{"id", listing.team.public_id},
                                  {"name", listing.team.display_name},
                                  {"slug", listing.team.slug},
                                  {"count", std::to_string(listing.member_count)},
                                  {"idp_managed", listing.team.idp_managed}});
    }
    return rows;
}

// Outbox rows shown in "Outgoing mail"; the admin API pages through all of them.
constexpr std::int64_t kOutboxShown = 50;

mstch::array invitation_rows(const std::vector<service::PendingInvitation>& pending,
                             const PageViewer& viewer) {
    mstch::array rows;
    for (const auto& row : pending) {
        const core::Invitation& invitation = row.invitation;
        rows.push_back(mstch::map{
            {"id", row.member.public_id},
            {"email", row.member.email},
            {"invited_by", invitation.invited_by.value_or("your identity provider")},
            {"sent", format_utc(invitation.created_at)},
            {"expires", format_utc(invitation.expires_at)},
            {"expired", row.expired},
            {"mail_state", row.mail_state.empty() ? std::string("unknown") : row.mail_state},
            {"mail_failed", row.mail_state == "failed"},
            {"mail_error", row.mail_error},
            {"owner_locked", !service::check_owner_role(viewer.caller, row.member.role).ok()},
        });
    }
    return rows;
}

mstch::array outbox_rows(const std::vector<core::OutboundMail>& mails) {
    mstch::array rows;
    for (const auto& mail : mails) {
        rows.push_back(mstch::map{{"kind", mail.kind},
                                  {"to", mail.to},
                                  {"state", std::string(core::to_string(mail.state))},
                                  {"failed", mail.state == core::MailState::failed},
                                  {"attempts", std::to_string(mail.attempts)},
                                  {"last_error", mail.last_error},
                                  {"created", format_utc(mail.created_at)}});
    }
    return rows;
}

// The fixed text of a ?saved= notice; unknown keys show nothing, so a link cannot put
// arbitrary words on the page.
std::string saved_notice(const std::string& key) {
    if (key == "invited") return "The member was invited.";
    if (key == "role") return "The role was changed.";
    if (key == "deactivated") return "The member was deactivated; their sessions have ended.";
    if (key == "reactivated") return "The member was reactivated.";
    if (key == "removed") return "The member was removed.";
    if (key == "team-removed") return "The team was removed.";
    if (key == "invitation-resent")
        return "A new invitation was sent; the old link no longer works.";
    if (key == "invitation-revoked") return "The invitation was revoked; its link no longer works.";
    return "";
}

void send_store_failure(const Request& req, Response& res, const Error& error) {
    util::log_event(util::LogLevel::error, "page.failure",
                    {{"path", req.path}, {"code", error.code}, {"message", error.message}});
    send_error(req, res, 500, "internal", "The page could not be loaded; it has been logged.");
}

}  // namespace

Result<std::int64_t> parse_page_number(const std::string& text) {
    if (text.empty()) return std::int64_t{1};
    std::int64_t page = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, page);
    if (error != std::errc() || stop != end || page < 1 || page > 10'000'000) {
        return fail("request.invalid_page", "The page must be a whole number from 1.");
    }
    return page;
}

std::string format_utc(util::UnixTime at) {
    std::string text = util::format_iso8601(at);  // 2024-05-01T12:34:56Z
    if (text.size() == 20 && text[10] == 'T' && text.back() == 'Z') {
        text[10] = ' ';
        text.pop_back();
    }
    return text + " UTC";
}

void send_members_page(const Request& req, Response& res, AppContext& app, const core::Org& org,
                       const PageViewer& viewer, int status, const MembersPageState& state) {
    const store::Page page{(state.page - 1) * kSettingsPageSize, kSettingsPageSize};
    auto members = service::find_members(app.store, org, state.search, page);
    if (!members) return send_store_failure(req, res, members.error());
    auto teams = service::list_team_listings(app.store, org, store::Page{0, kTeamsShown});
    if (!teams) return send_store_failure(req, res, teams.error());

    service::Invitations invitations(app.store, app.clock, app.invitations);
    auto pending = invitations.list_pending(org, viewer.caller);
    if (!pending) return send_store_failure(req, res, pending.error());
    auto outbox = invitations.outgoing_mail(org, viewer.caller, store::Page{0, kOutboxShown});
    if (!outbox) return send_store_failure(req, res, outbox.error());

    mstch::array rows;
    for (const auto& listing : members->items) rows.push_back(member_row(listing, viewer));
    const auto invite_role = core::parse_role(state.invite_role).value_or(org.default_role);
    const std::int64_t teams_left_out =
        teams->total - static_cast<std::int64_t>(teams->items.size());
    mstch::map values{
        {"csrf", viewer.csrf},
        {"org_slug", org.slug},
        {"search", state.search},
        {"notice_ok", state.notice_ok},
        {"notice_error", state.notice_error},
        {"members", rows},
        {"no_members", rows.empty()},
        {"total", std::to_string(members->total)},
        {"pager", pager(org, state.search, state.page, members->total)},
        {"invite_email", state.invite_email},
        {"invite_email_error", state.invite_email_error},
        {"invite_roles", role_options(invite_role, viewer.caller)},
        {"teams", team_rows(teams->items)},
        {"no_teams", teams->items.empty()},
        {"teams_left_out", teams_left_out > 0 ? std::to_string(teams_left_out) : std::string()},
        {"invitations", invitation_rows(*pending, viewer)},
        {"no_invitations", pending->empty()},
        {"outbox", outbox_rows(outbox->items)},
        {"no_outbox", outbox->items.empty()},
        {"outbox_total", std::to_string(outbox->total)},
    };
    send_html(res, status,
              render_page("settings_members", "Members", std::move(values),
                          page_chrome(org, viewer, "members")));
}

void register_settings_member_pages(Router& http, AppContext& app) {
    http.get(R"(/settings/([^/]+)/members/)", [&app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        auto viewer = require_page_admin(req, res, app, org);
        if (!viewer) return;
        auto page = parse_page_number(req.get_param_value("page"));
        if (!page) return send_error(req, res, 400, page.error().code, page.error().message);
        MembersPageState state;
        state.search = req.get_param_value("q");
        state.page = *page;
        state.notice_ok = saved_notice(req.get_param_value("saved"));
        send_members_page(req, res, app, org, *viewer, 200, state);
    });
    register_member_forms(http, app);
    register_audit_log_page(http, app);
}

}  // namespace gatehouse::http
