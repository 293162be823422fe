// How a request that names a renamed org by one of its aliases is answered. What an IdP or a
// SCIM client calls (SAML metadata, ACS, SLS, the OIDC callback, the SCIM base) is served as
// under the org's slug, since those clients were configured with the old URLs and cannot be
// relied on to follow a redirect; every other page and API of the org redirects to the same
// path under the current slug, so bookmarks keep working while the new URL is what people see.
#pragma once

#include <string>
#include <string_view>

#include "exchange.hpp"

namespace gatehouse::http {

// Whether `path` (decoded; `slug_end` is the offset just past its org segment) is one an IdP
// or SCIM client calls, served under an alias rather than redirected.
bool served_under_alias(std::string_view path, std::size_t slug_end);

// `target` (the request target as sent, path and query still encoded) with its org segment,
// which starts right after `prefix`, replaced by `slug`; the rest, query string included, is
// kept as sent. Falls back to prefix + slug + "/" when the target does not start with
// `prefix` as sent (an encoded prefix).
std::string target_under_slug(std::string_view target, std::string_view prefix,
                              std::string_view slug);

// Answers the request with a redirect to `location`: 301 for GET and HEAD; 308 for any other
// method, which a browser repeats with the same method and body instead of turning a form POST
// into a GET that would drop it.
void redirect_to_current_slug(const Request& req, Response& res, const std::string& location);

}  // namespace gatehouse::http
