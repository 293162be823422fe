// HTML rendering with mstch from the templates compiled into the binary, and the plain
// responses every route uses (JSON, HTML, error pages).
#pragma once

#include <mstch/mstch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "exchange.hpp"

namespace gatehouse::http {

// Renders templates/<name>.mustache inside templates/layout.mustache. mstch escapes every
// {{value}}; templates use {{{…}}} only for HTML the server itself produced. `chrome` holds
// the layout's org, viewer and navigation values (page_chrome() in pages/page_auth.hpp); empty for
// pages outside an org.
std::string render_page(const std::string& name, const std::string& title, mstch::map values,
                        mstch::map chrome = {});

// The raw text of an embedded file from templates/ (stylesheet), or empty when unknown.
const std::string& embedded_file(const std::string& name);

void send_json(Response& res, int status, const nlohmann::json& body,
               const char* content_type = "application/json");
void send_html(Response& res, int status, const std::string& html);

// A plain error page (HTML) or {"error": code, "message": …} (JSON, for /api/ paths).
void send_error(const Request& req, Response& res, int status, const std::string& code,
                const std::string& message);

// Sets the headers every response carries (CSP, framing, referrer, no sniffing).
void add_security_headers(Response& res);

// Lets the page in `res` submit forms to the origin of `url` as well as its own: browsers
// apply the CSP form-action rule to the redirects after a POST, so a form whose answer
// redirects to the IdP (a test sign-in) needs the IdP's origin. Returns false and changes
// nothing when `url` is not an absolute http(s) URL with a plain host.
bool allow_form_action(Response& res, const std::string& url);

}  // namespace gatehouse::http
