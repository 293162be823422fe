// Shared pieces of the members page and its forms: how the page is rendered (also to show a
// refusal in place), how page numbers and times read in the settings pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "exchange.hpp"
#include "gatehouse/core/domain.hpp"
#include "gatehouse/util/result.hpp"
#include "pages/page_auth.hpp"
#include "routes.hpp"

namespace gatehouse::http {

// Rows per page on the members and audit log pages.
inline constexpr std::int64_t kSettingsPageSize = 50;

// The 1-based page number of a ?page= value: 1 when empty. Error "request.invalid_page" for
// anything but a whole number from 1 to 10,000,000.
Result<std::int64_t> parse_page_number(const std::string& text);

// A time as the settings pages show it: "2024-05-01 12:34:56 UTC".
std::string format_utc(util::UnixTime at);

// What the members page shows above the table, and the invite form as the admin left it.
struct MembersPageState {
    std::string search;  // ?q=
    std::int64_t page = 1;
    std::string notice_ok;
    std::string notice_error;
    std::string invite_email;
    std::string invite_role;
    std::string invite_email_error;
};

// Renders /settings/{org}/members/ for `viewer` with `status` (200, or the refusal's status
// when a form was turned down and nothing changed). Answers 500 when the store fails.
void send_members_page(const Request& req, Response& res, AppContext& app, const core::Org& org,
                       const PageViewer& viewer, int status, const MembersPageState& state);

// The POST routes of the members page: invite, change role, deactivate, reactivate, remove a
// member, remove a team.
void register_member_forms(Router& http, AppContext& app);

// GET /settings/{org}/audit-log/.
void register_audit_log_page(Router& http, AppContext& app);

}  // namespace gatehouse::http
