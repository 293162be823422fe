// The audit log page (/settings/{org}/audit-log/): the org's audit entries, newest first,
// filtered by action prefix, actor, target, outcome and a date range, fifty to a page, and
// the form that sets how long entries are kept (owner-only, like every rule of the org).
#include <charconv>
#include <nlohmann/json.hpp>

#include "error_status.hpp"
#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/audit_filter.hpp"
#include "gatehouse/service/auth_settings.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "pages/settings_member_pages.hpp"
#include "request_context.hpp"

namespace gatehouse::http {
namespace {

// The filter form as the admin filled it in, shown again as typed.
struct FilterForm {
    std::string action, actor, target, outcome, from, until;
};

FilterForm read_filter_form(const std::map<std::string, std::string>& params) {
    const auto value = [&params](const char* name) {
        const auto found = params.find(name);
        return found == params.end() ? std::string() : found->second;
    };
    return FilterForm{value("action"),  value("actor"), value("target"),
                      value("outcome"), value("from"),  value("until")};
}

std::string audit_href(const core::Org& org, const FilterForm& filter, std::int64_t page) {
    std::string href = "/settings/" + org.slug + "/audit-log/?";
    const std::pair<const char*, const std::string*> fields[] = {
        {"action", &filter.action},   {"actor", &filter.actor}, {"target", &filter.target},
        {"outcome", &filter.outcome}, {"from", &filter.from},   {"until", &filter.until}};
    for (const auto& [name, value] : fields) {
        if (!value->empty()) href += std::string(name) + "=" + util::url_encode(*value) + "&";
    }
    return href + "page=" + std::to_string(page);
}

// The entry's details as key: value pairs. Strings are shown as they are, other values as
// JSON; the template escapes both.
mstch::array detail_pairs(const nlohmann::json& details) {
    mstch::array pairs;
    if (!details.is_object()) return pairs;
    for (const auto& [key, value] : details.items()) {
        const std::string text =
            value.is_string()
                ? value.get<std::string>()
                : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        pairs.push_back(mstch::map{{"key", key}, {"value", text}});
    }
    return pairs;
}

mstch::map entry_row(const core::AuditEntry& entry) {
    nlohmann::json details = nlohmann::json::parse(entry.details, nullptr, false);
    std::string reference;
    if (details.is_object() && details.contains("reference") && details["reference"].is_string())
        reference = details["reference"].get<std::string>();
    const bool success = entry.outcome == "success";
    mstch::array pairs = detail_pairs(details);
    const bool has_details = !pairs.empty();
    return mstch::map{{"at", format_utc(entry.at)},
                      {"action", entry.action},
                      {"outcome", entry.outcome},
                      {"outcome_badge", std::string(success ? "badge-ok" : "badge-bad")},
                      {"reason_code", entry.reason_code},
                      {"actor", entry.actor},
                      {"target", entry.target},
                      {"details", std::move(pairs)},
                      {"has_details", has_details},
                      {"reference", reference}};
}

mstch::array outcome_options(const std::string& selected) {
    mstch::array options;
    for (const auto& [value, label] : {std::pair<std::string, std::string>{"", "any"},
                                       {"success", "success"},
                                       {"failure", "failure"}}) {
        options.push_back(
            mstch::map{{"value", value}, {"label", label}, {"selected", value == selected}});
    }
    return options;
}

// The problem with `name`, or with `alias` (since is the API's name for the From field).
std::string field_error(const service::ParsedAuditFilter& parsed, const std::string& name,
                        const std::string& alias = "") {
    for (const std::string& key : {name, alias}) {
        const auto found = parsed.problems.find(key);
        if (!key.empty() && found != parsed.problems.end()) return found->second;
    }
    return "";
}

// Problems of parameters the form has no field for (a hand-made URL): shown above the entries.
std::string other_problems(const service::ParsedAuditFilter& parsed) {
    std::string text;
    for (const auto& [name, sentence] : parsed.problems) {
        if (name == "outcome" || name == "from" || name == "since" || name == "until" ||
            name == "page" || name == "offset")
            continue;
        text += (text.empty() ? "" : " ") + name + ": " + sentence;
    }
    return text;
}

mstch::map filter_values(const FilterForm& form, const service::ParsedAuditFilter& parsed) {
    return mstch::map{{"action", form.action},
                      {"actor", form.actor},
                      {"target", form.target},
                      {"outcomes", outcome_options(form.outcome)},
                      {"from", form.from},
                      {"until", form.until},
                      {"outcome_error", field_error(parsed, "outcome")},
                      {"from_error", field_error(parsed, "from", "since")},
                      {"until_error", field_error(parsed, "until")},
                      {"page_error", field_error(parsed, "page", "offset")}};
}

// The retention form as the page shows it: what was typed and refused, or the notice of a
// saved change.
struct RetentionState {
    std::string typed;  // empty: show the stored value
    std::string error;
    std::string notice_ok;
};

mstch::map retention_values(const core::Org& org, const PageViewer& viewer,
                            const RetentionState& state) {
    return mstch::map{
        {"csrf", viewer.csrf},
        {"days", state.typed.empty() ? std::to_string(org.audit_retention_days) : state.typed},
        {"error", state.error},
        {"notice_ok", state.notice_ok},
        {"min", std::to_string(service::kMinAuditRetentionDays)},
        {"max", std::to_string(service::kMaxAuditRetentionDays)},
        // Shown disabled, with why, to a manager; the service refuses a forged post anyway.
        {"can_change", viewer.caller.may_change_identity_rules()},
        {"owner_only_hint",
         std::string("Only an owner can change this: it decides how long the evidence of "
                     "who did what is kept.")},
    };
}

void send_audit_page(const Request& req, Response& res, AppContext& app, const core::Org& org,
                     const PageViewer& viewer, int status = 200,
                     const RetentionState& retention = {}) {
    const auto params = query_parameters(req);
    const FilterForm form = read_filter_form(params);
    const service::ParsedAuditFilter parsed =
        service::parse_audit_filter(params, kSettingsPageSize);
    mstch::map values{{"org_slug", org.slug},
                      {"filter", filter_values(form, parsed)},
                      {"retention", retention_values(org, viewer, retention)}};
    const auto chrome = page_chrome(org, viewer, "audit-log");
    if (!parsed.ok()) {
        values["invalid"] = true;
        values["other_problems"] = other_problems(parsed);
        send_html(res, 400, render_page("settings_audit_log", "Audit log", values, chrome));
        return;
    }
    const store::AuditQuery& query = parsed.filter.query;
    const std::int64_t page_number = parsed.filter.page_number;
    service::AdminService admin(app.store, app.clock);
    auto entries = admin.audit_log(org.slug, query);
    if (!entries) {
        util::log_event(util::LogLevel::error, "page.failure",
                        {{"path", req.path},
                         {"code", entries.error().code},
                         {"message", entries.error().message}});
        send_error(req, res, 500, "internal", "The page could not be loaded; it has been logged.");
        return;
    }
    mstch::array rows;
    for (const auto& entry : entries->items) rows.push_back(entry_row(entry));
    const bool has_older = query.page.offset + query.page.limit < entries->total;
    values["entries"] = rows;
    values["no_entries"] = rows.empty();
    values["total"] = std::to_string(entries->total);
    values["page"] = std::to_string(page_number);
    if (page_number > 1) values["newer"] = audit_href(org, form, page_number - 1);
    if (has_older) values["older"] = audit_href(org, form, page_number + 1);
    values["has_pages"] = page_number > 1 || has_older;
    send_html(res, status, render_page("settings_audit_log", "Audit log", values, chrome));
}

// POST /settings/{org}/audit-log/retention: sets the org's audit retention through the same
// service call as the admin API's PATCH auth/, answering 303 back to the page, or the page
// again with the refusal next to the field and its status, nothing changed.
void set_retention(AppContext& app, PageForm& call) {
    RetentionState state;
    state.typed = call.form["audit_retention_days"];
    int days = 0;
    const char* end = state.typed.data() + state.typed.size();
    const auto [stop, error] = std::from_chars(state.typed.data(), end, days);
    Result<service::AuthSettingsUpdate> updated =
        fail("org.audit_retention_invalid",
             "Give the retention as a whole number of days, " +
                 std::to_string(service::kMinAuditRetentionDays) + " to " +
                 std::to_string(service::kMaxAuditRetentionDays) + ".");
    if (!state.typed.empty() && error == std::errc() && stop == end) {
        service::AuthSettingsChange change;
        change.audit_retention_days = days;
        updated = service::update_auth_settings(app.store, app.clock, call.org.slug, change,
                                                call.viewer.caller);
    }
    if (updated) {
        call.res.status = 303;
        call.res.set_header("Location",
                            "/settings/" + call.org.slug + "/audit-log/?saved=retention");
        return;
    }
    const std::string& code = updated.error().code;
    const int status = status_for_error(code);
    if (status >= 500) {
        util::log_event(
            util::LogLevel::error, "page.failure",
            {{"path", call.req.path}, {"code", code}, {"message", updated.error().message}});
        send_error(call.req, call.res, 500, "internal",
                   "The change failed on our side; it has been logged.");
        return;
    }
    state.error = updated.error().message;
    send_audit_page(call.req, call.res, app, call.org, call.viewer, status, state);
}

}  // namespace

void register_audit_log_page(Router& http, AppContext& app) {
    http.get(R"(/settings/([^/]+)/audit-log/)", [&app](const Request& req, Response& res) {
        const core::Org& org = *current_request().org;
        auto viewer = require_page_admin(req, res, app, org);
        if (!viewer) return;
        RetentionState retention;
        if (req.get_param_value("saved") == "retention") {
            retention.notice_ok = "The audit log retention was saved.";
        }
        send_audit_page(req, res, app, org, *viewer, 200, retention);
    });
    http.post(R"(/settings/([^/]+)/audit-log/retention)",
              checked_page_form(app, [&app](PageForm& call) { set_retention(app, call); }));
}

}  // namespace gatehouse::http
