// The org name page, /settings/{org}/name/: the slug, a rename form with a confirmation step
// listing the URLs the IdP admin must update, and the aliases with a remove button. Owners
// see the forms; the service decides (service/org_rename.hpp), so a manager's post is refused
// there too. Forms carry the CSRF token like every settings form.
#include "error_status.hpp"
#include "forms.hpp"
#include "gatehouse/service/org_names.hpp"
#include "gatehouse/service/org_rename.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "pages/page_auth.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {
namespace {

struct NamePageState {
    std::string notice_ok;
    std::string notice_error;
    std::string typed_slug;
    std::string confirm_slug;  // set: show the confirmation step for this slug
};

mstch::array url_changes(const AppContext& app, const std::string& from, const std::string& to) {
    mstch::array rows;
    for (const auto& change : service::rename_url_changes(app.base_url, from, to)) {
        rows.push_back(mstch::map{
            {"what", change.what}, {"old_url", change.old_url}, {"new_url", change.new_url}});
    }
    return rows;
}

void send_name_page(Response& res, AppContext& app, const core::Org& org, const PageViewer& viewer,
                    int status, const NamePageState& state) {
    mstch::array aliases;
    for (const auto& alias : org.aliases) {
        aliases.push_back(
            mstch::map{{"slug", alias}, {"changes", url_changes(app, alias, org.slug)}});
    }
    mstch::map values{{"org_slug", org.slug},
                      {"csrf", viewer.csrf},
                      {"is_owner", viewer.is_owner},
                      {"notice_ok", state.notice_ok},
                      {"notice_error", state.notice_error},
                      {"typed_slug", state.typed_slug},
                      {"has_aliases", !aliases.empty()},
                      {"aliases", aliases}};
    if (!state.confirm_slug.empty()) {
        values["confirm"] = true;
        values["new_slug"] = state.confirm_slug;
        values["changes"] = url_changes(app, org.slug, state.confirm_slug);
    }
    send_html(res, status,
              render_page("settings_org_name", "Organization URL name", values,
                          page_chrome(org, viewer, "name")));
}

void refuse(PageForm& page, AppContext& app, const Error& error, std::string typed = "") {
    const int status = status_for_error(error.code);
    if (status >= 500) {
        util::log_event(
            util::LogLevel::error, "page.failure",
            {{"path", page.req.path}, {"code", error.code}, {"message", error.message}});
        send_error(page.req, page.res, 500, "internal",
                   "The change failed on our side; it has been logged.");
        return;
    }
    NamePageState state;
    state.notice_error = error.message + " Nothing was changed.";
    state.typed_slug = std::move(typed);
    send_name_page(page.res, app, page.org, page.viewer, status, state);
}

std::string saved_notice(const std::string& key) {
    if (key == "renamed") {
        return "Renamed. The old slug is kept as an alias until you remove it.";
    }
    if (key == "alias-removed") return "Alias removed.";
    return "";
}

void rename_form(PageForm& page, AppContext& app) {
    const std::string slug = page.form["slug"];
    if (page.form["confirm"] != "yes") {
        // The first step changes nothing: it shows what the IdP admin will have to update.
        if (!page.viewer.caller.acts_as_owner()) {
            service::OrgRename rename(app.store, app.clock);
            auto refused = rename.rename_org(page.org.slug, slug, page.viewer.caller);
            return refuse(page, app, refused.error(), slug);
        }
        NamePageState state;
        state.confirm_slug = slug;
        state.typed_slug = slug;
        return send_name_page(page.res, app, page.org, page.viewer, 200, state);
    }
    service::OrgRename rename(app.store, app.clock);
    auto renamed = rename.rename_org(page.org.slug, slug, page.viewer.caller);
    if (!renamed) return refuse(page, app, renamed.error(), slug);
    page.res.status = 303;
    page.res.set_header("Location", "/settings/" + renamed->slug + "/name/?saved=renamed");
}

void remove_alias_form(PageForm& page, AppContext& app) {
    service::OrgRename rename(app.store, app.clock);
    auto changed =
        rename.remove_org_alias(page.org.slug, page.req.matches[2].str(), page.viewer.caller);
    if (!changed) return refuse(page, app, changed.error());
    page.res.status = 303;
    page.res.set_header("Location", "/settings/" + changed->slug + "/name/?saved=alias-removed");
}

}  // namespace

void register_settings_org_name_pages(Router& http, AppContext& app) {
    http.get(R"(/settings/([^/]+)/name/)", [&app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        auto viewer = require_page_admin(req, res, app, org);
        if (!viewer) return;
        NamePageState state;
        state.notice_ok = saved_notice(req.get_param_value("saved"));
        send_name_page(res, app, org, *viewer, 200, state);
    });
    http.post(R"(/settings/([^/]+)/name/rename)",
              checked_page_form(app, [&app](PageForm& page) { rename_form(page, app); }));
    http.post(R"(/settings/([^/]+)/name/aliases/([^/]+)/remove)",
              checked_page_form(app, [&app](PageForm& page) { remove_alias_form(page, app); }));
}

}  // namespace gatehouse::http
