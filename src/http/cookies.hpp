// Reading the Cookie header and writing the session cookie and the login cookie that binds
// SP-initiated sign-ins to the browser that started them.
#pragma once

#include <optional>
#include <string>

#include "exchange.hpp"

namespace gatehouse::http {

// The value of cookie `name` in the request's Cookie header(s), if present.
std::optional<std::string> read_cookie(const Request& req, const std::string& name);

// Sets the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when `secure`, expiring
// after `max_age_seconds`.
void set_session_cookie(Response& res, const std::string& value, long max_age_seconds, bool secure);

// Tells the browser to drop the session cookie.
void clear_session_cookie(Response& res, bool secure);

// The login cookie defends the ACS against login CSRF: one random value per browser, whose
// SHA-256 is stored with every SP-initiated request that browser starts (so several tabs and
// orgs share the one cookie), and which the ACS must see again with the IdP's Response.
//
// Over https it is "__Host-gh_login" (Secure, Path=/, no Domain: no other host can plant it)
// with SameSite=None, because the IdP's POST to the ACS comes from another site and must
// carry it. Browsers refuse SameSite=None without Secure, so over plain http (development)
// it is "gh_login" with SameSite=Lax, which browsers send on a cross-site top-level GET
// but not on a cross-site POST: an SP-initiated sign-in then works only with an IdP on the
// same site (the same host name, any port), such as the demo IdP under /demo-idp/; an IdP
// on another host name is refused at the ACS as another browser.
std::string login_cookie_name(bool secure);

// The login cookie value the request carries; empty when it carries none.
std::string read_login_cookie(const Request& req, bool secure);

// The value to bind a new pending request to: the browser's own when it carries a
// well-formed one (so its other pending requests stay answerable), else a fresh random one.
std::string login_binding_value(const Request& req, bool secure);

// Sets (or refreshes) the login cookie to `value` for `max_age_seconds`: the lifetime of the
// request just bound, the longest the cookie is needed.
void set_login_cookie(Response& res, const std::string& value, long max_age_seconds, bool secure);

}  // namespace gatehouse::http
