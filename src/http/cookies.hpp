// Reading the Cookie header and writing the session cookie.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

namespace gatehouse::http {

// The value of cookie `name` in the request's Cookie header(s), if present.
std::optional<std::string> read_cookie(const httplib::Request& req, const std::string& name);

// Sets the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when `secure`, expiring
// after `max_age_seconds`.
void set_session_cookie(httplib::Response& res, const std::string& value, long max_age_seconds,
                        bool secure);

// Tells the browser to drop the session cookie.
void clear_session_cookie(httplib::Response& res, bool secure);

}  // namespace gatehouse::http
