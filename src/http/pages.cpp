#include "pages.hpp"

#include <cctype>
#include <map>

#include "request_context.hpp"

namespace gatehouse::http {

// Generated at configure time from templates/ (see CMakeLists.txt).
const std::map<std::string, std::string>& embedded_templates();

namespace {

const std::string& template_text(const std::string& name) {
    static const std::string empty;
    const auto& all = embedded_templates();
    const auto found = all.find(name);
    return found == all.end() ? empty : found->second;
}

bool wants_json(const Request& req) { return req.path.rfind("/api/", 0) == 0; }

// IdPs read SCIM errors only in the SCIM error schema (RFC 7644 §3.12), whichever layer
// refuses the request.
bool is_scim_path(const Request& req) {
    const std::string& path = req.path;
    return path.find("/scim/v2/") != std::string::npos ||
           (path.size() >= 8 && path.compare(path.size() - 8, 8, "/scim/v2") == 0);
}

const char* status_title(int status) {
    switch (status) {
        case 400:
            return "Bad request";
        case 401:
            return "Sign-in required";
        case 403:
            return "Not allowed";
        case 404:
            return "Not found";
        case 405:
            return "Method not allowed";
        case 413:
            return "Request too large";
        case 421:
            return "Wrong address";
        case 429:
            return "Too many requests";
        default:
            return status >= 500 ? "Something went wrong" : "Request refused";
    }
}

}  // namespace

const std::string& embedded_file(const std::string& name) { return template_text(name); }

std::string render_page(const std::string& name, const std::string& title, mstch::map values,
                        mstch::map chrome) {
    const std::string body = mstch::render(template_text(name + ".mustache"), values);
    chrome["title"] = title;
    chrome["body"] = body;
    return mstch::render(template_text("layout.mustache"), chrome);
}

namespace {

std::string content_security_policy(const std::string& form_targets) {
    return "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
           "form-action " +
           form_targets + "; frame-ancestors 'none'; base-uri 'none'";
}

// "https://host[:port]" of an absolute http(s) URL, or empty when it is not one or holds a
// character that could end a CSP source expression.
std::string origin_for_csp(const std::string& url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return {};
    const std::string scheme = url.substr(0, scheme_end);
    if (scheme != "https" && scheme != "http") return {};
    const auto path = url.find_first_of("/?#", scheme_end + 3);
    const std::string origin = url.substr(0, path);
    if (origin.size() == scheme_end + 3) return {};
    for (const char c : origin.substr(scheme_end + 3)) {
        const bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                             c == ':' || c == '[' || c == ']';
        if (!allowed) return {};
    }
    return origin;
}

}  // namespace

bool allow_form_action(Response& res, const std::string& url) {
    const std::string origin = origin_for_csp(url);
    if (origin.empty()) return false;
    res.headers.erase("Content-Security-Policy");
    res.set_header("Content-Security-Policy", content_security_policy("'self' " + origin));
    return true;
}

void add_security_headers(Response& res) {
    res.set_header("Content-Security-Policy", content_security_policy("'self'"));
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("X-Content-Type-Options", "nosniff");
    // same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with a
    // same-site form POST, which the CSRF check must refuse.
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
}

void send_json(Response& res, int status, const nlohmann::json& body, const char* content_type) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    content_type);
}

void send_html(Response& res, int status, const std::string& html) {
    res.status = status;
    res.set_content(html, "text/html; charset=utf-8");
}

void send_error(const Request& req, Response& res, int status, const std::string& code,
                const std::string& message) {
    if (is_scim_path(req)) {
        send_json(res, status,
                  {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:Error"}},
                   {"status", std::to_string(status)},
                   {"detail", message}},
                  "application/scim+json");
        return;
    }
    if (wants_json(req)) {
        send_json(res, status, {{"error", code}, {"message", message}});
        return;
    }
    mstch::map values{{"status", std::to_string(status)},
                      {"title", std::string(status_title(status))},
                      {"message", message}};
    // On an org's pages the way back is that org's sign-in page.
    const auto& org = current_request().org;
    if (org) values.emplace("back_org", org->slug);
    send_html(res, status, render_page("error", status_title(status), values));
}

}  // namespace gatehouse::http
