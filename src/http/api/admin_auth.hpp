// Who may call the admin API of an org: an admin API key of that org (Authorization:
// Bearer gha_…), or a browser session of one of its owners or managers. Browser calls that
// change something must also carry the session's CSRF token (X-CSRF-Token), and a foreign
// Origin is refused, so another site cannot ride on the cookie.
#pragma once

#include <optional>
#include <string>

#include "gatehouse/core/domain.hpp"
#include "gatehouse/service/caller.hpp"
#include "routes.hpp"

namespace gatehouse::http {

// Who the services see (an owner or manager session, or an admin API key with owner
// rights, since only an owner creates one), and the signed-in member. What each may change
// is the services' rule, not this unit's.
struct AdminCaller : service::Caller {
    std::optional<core::Member> member;  // none for an API key
};

// Authorises the request for `org`. On refusal, answers it (401 without credentials or
// with a bad key, 403 for a member who is not an owner or manager, a missing or wrong CSRF
// token, or a foreign Origin) and returns nullopt. Thread-safe.
std::optional<AdminCaller> authorize_admin(const Request& req, Response& res, AppContext& app,
                                           const core::Org& org);

// The CSRF token of a session: derived from the session's secret cookie value, so it needs
// no storage and is worthless without the cookie. Returned by /me for browser code.
std::string csrf_token(std::string_view session_token);

// Whether the request names an Origin other than the base URL's (scheme, host and port).
// Browsers send Origin with every POST, so a form or fetch from another site is caught; a
// request without Origin (curl, an IdP's server) is not foreign.
bool is_foreign_origin(const Request& req, const std::string& base_url);

// The header that carries it.
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

}  // namespace gatehouse::http
