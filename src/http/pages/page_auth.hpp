// Who is looking at a page of an org, from the session cookie, and the checks every settings
// page and every form it posts goes through: signed in to this org, owner or manager, and for
// a POST the session's CSRF token in the form plus no foreign Origin.
#pragma once

#include <functional>
#include <map>
#include <mstch/mstch.hpp>
#include <optional>
#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "gatehouse/service/session_service.hpp"
#include "routes.hpp"

namespace gatehouse::http {

// The name of the hidden field that carries the CSRF token in every form.
inline constexpr const char* kCsrfField = "csrf_token";

struct PageViewer {
    service::SignedInMember signed_in;
    std::string csrf;  // csrf_token() of the session, for the forms' hidden field
    bool is_owner = false;
    bool is_admin = false;   // owner or manager: may open the settings pages
    service::Caller caller;  // who the services see when a form of the page is posted
};

// The signed-in member of `org`, or nullopt when the cookie is missing, names no live session
// or a session of another org. Thread-safe.
std::optional<PageViewer> page_viewer(const Request& req, AppContext& app, const core::Org& org);

// A viewer who may open the settings pages of `org`. Otherwise answers the request (303 to the
// org's sign-in page with ?next= this page when nobody is signed in, 403 page for a member who
// is not an owner or manager) and returns nullopt.
std::optional<PageViewer> require_page_admin(const Request& req, Response& res, AppContext& app,
                                             const core::Org& org);

// The same for a form POST of a settings page, which must also carry the session's CSRF token
// in kCsrfField and no Origin other than the base URL's (403 page otherwise, logged).
std::optional<PageViewer> require_form_admin(const Request& req, Response& res, AppContext& app,
                                             const core::Org& org,
                                             const std::map<std::string, std::string>& form);

// A settings form that has passed read_form and require_form_admin.
struct PageForm {
    const Request& req;
    Response& res;
    const core::Org& org;  // the org the path names
    const PageViewer& viewer;
    std::map<std::string, std::string>& form;
};

// Wraps the handler of a settings form POST: reads the form (at most app.max_body_bytes) and
// runs require_form_admin; `handler` runs only when both pass, the request is answered
// otherwise.
Handler checked_page_form(AppContext& app, std::function<void(PageForm&)> handler);

// The layout values of an org page: the org, the signed-in member and the navigation, with
// `active` ("auth", "members", "audit-log", "home") marked. Pass it to render_page.
mstch::map page_chrome(const core::Org& org, const std::optional<PageViewer>& viewer,
                       const std::string& active);

}  // namespace gatehouse::http
