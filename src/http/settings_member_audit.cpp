// The audit log page (/settings/{org}/audit-log/): the org's audit entries, newest first,
// filtered by action prefix, actor, target, outcome and a date range, fifty to a page, and
// the form that sets how long entries are kept (owner-only, like every rule of the org).
#include <charconv>
#include <nlohmann/json.hpp>

#include "gatehouse/service/admin_service.hpp"
#include "gatehouse/service/auth_settings.hpp"
#include "gatehouse/util/encoding.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "settings_member_pages.hpp"

namespace gatehouse::http {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

// The filter form as the admin filled it in, and what was wrong with it.
struct AuditFilter {
    std::string action, actor, target, outcome, from, until, page;
    std::map<std::string, std::string> errors;  // field name → message
};

AuditFilter read_filter(const Request& req) {
    AuditFilter filter;
    filter.action = req.get_param_value("action");
    filter.actor = req.get_param_value("actor");
    filter.target = req.get_param_value("target");
    filter.outcome = req.get_param_value("outcome");
    filter.from = req.get_param_value("from");
    filter.until = req.get_param_value("until");
    filter.page = req.get_param_value("page");
    return filter;
}

// The start of the UTC day an <input type="date"> names ("2024-05-01"); nullopt otherwise.
std::optional<util::UnixTime> parse_day(const std::string& text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
    }
    auto at = util::parse_iso8601(text + "T00:00:00Z");
    // parse_iso8601 accepts what its calendar arithmetic can place; a day it moved (Feb 30)
    // does not format back to the same text and is refused.
    if (!at || util::format_iso8601(*at).substr(0, 10) != text) return std::nullopt;
    return at;
}

// The store query for a filter, recording every field that cannot be read in filter.errors.
store::AuditQuery audit_query(AuditFilter& filter, std::int64_t& page_number) {
    store::AuditQuery query;
    query.action_prefix = filter.action;
    query.actor = filter.actor;
    query.target = filter.target;
    if (filter.outcome == "success" || filter.outcome == "failure" || filter.outcome.empty()) {
        query.outcome = filter.outcome;
    } else {
        filter.errors["outcome"] = "Choose any, success or failure.";
    }
    if (!filter.from.empty()) {
        query.since = parse_day(filter.from);
        if (!query.since) filter.errors["from"] = "Give the date as YYYY-MM-DD.";
    }
    if (!filter.until.empty()) {
        const auto day = parse_day(filter.until);
        if (day)
            query.until = *day + kSecondsPerDay - 1;
        else
            filter.errors["until"] = "Give the date as YYYY-MM-DD.";
    }
    if (query.since && query.until && *query.until < *query.since) {
        filter.errors["until"] = "Until must not be before From.";
    }
    auto page = parse_page_number(filter.page);
    if (page) {
        page_number = *page;
        query.page = store::Page{(*page - 1) * kSettingsPageSize, kSettingsPageSize};
    } else {
        filter.errors["page"] = page.error().message;
    }
    return query;
}

std::string audit_href(const core::Org& org, const AuditFilter& filter, std::int64_t page) {
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

std::string field_error(const AuditFilter& filter, const std::string& field) {
    const auto found = filter.errors.find(field);
    return found == filter.errors.end() ? std::string() : found->second;
}

mstch::map filter_values(const AuditFilter& filter) {
    return mstch::map{{"action", filter.action},
                      {"actor", filter.actor},
                      {"target", filter.target},
                      {"outcomes", outcome_options(filter.outcome)},
                      {"from", filter.from},
                      {"until", filter.until},
                      {"outcome_error", field_error(filter, "outcome")},
                      {"from_error", field_error(filter, "from")},
                      {"until_error", field_error(filter, "until")},
                      {"page_error", field_error(filter, "page")}};
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
    AuditFilter filter = read_filter(req);
    std::int64_t page_number = 1;
    const store::AuditQuery query = audit_query(filter, page_number);
    mstch::map values{{"org_slug", org.slug},
                      {"filter", filter_values(filter)},
                      {"retention", retention_values(org, viewer, retention)}};
    const auto chrome = page_chrome(org, viewer, "audit-log");
    if (!filter.errors.empty()) {
        values["invalid"] = true;
        send_html(res, 400, render_page("settings_audit_log", "Audit log", values, chrome));
        return;
    }
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
    const bool has_older = page_number * kSettingsPageSize < entries->total;
    values["entries"] = rows;
    values["no_entries"] = rows.empty();
    values["total"] = std::to_string(entries->total);
    values["page"] = std::to_string(page_number);
    if (page_number > 1) values["newer"] = audit_href(org, filter, page_number - 1);
    if (has_older) values["older"] = audit_href(org, filter, page_number + 1);
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
    if (code == store::kFailure) {
        util::log_event(
            util::LogLevel::error, "page.failure",
            {{"path", call.req.path}, {"code", code}, {"message", updated.error().message}});
        send_error(call.req, call.res, 500, "internal",
                   "The change failed on our side; it has been logged.");
        return;
    }
    state.error = updated.error().message;
    const int status = code == service::kOwnerOnly ? 403 : code == "org.not_found" ? 404 : 422;
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
