// The auth settings page tests' gateway: the test IdP configured, a break-glass owner, a
// manager and a plain member with passwords, and helpers to sign in, post the page's forms
// with the session's CSRF token and read the settings back through the admin API.
#pragma once

#include <nlohmann/json.hpp>
#include <regex>

#include "saml_gateway.hpp"

namespace gatehouse::testing {

inline const std::string kOwnerPassword = "break the glass in an emergency";
inline const std::string kPassword = "correct horse battery staple";
inline const std::string kPage = "/settings/acme/auth/";

using Fields = std::vector<std::pair<std::string, std::string>>;

inline std::string form_body(const Fields& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty()) body += "&";
        body += name + "=" + util::url_encode(value);
    }
    return body;
}

// `text` as the template engine escapes it into HTML.
inline std::string html(const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            case '/':
                escaped += "&#x2F;";
                break;
            default:
                escaped += c;
        }
    }
    return escaped;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The first capture of `pattern` in `text`, or empty.
inline std::string capture(const std::string& text, const std::string& pattern) {
    std::smatch match;
    return std::regex_search(text, match, std::regex(pattern)) ? match[1].str() : std::string();
}

// A gateway whose org has the test IdP configured, a break-glass owner and a manager with
// passwords, and a plain member.
struct AuthPage {
    SamlGateway gw;
    std::string api_key;

    AuthPage() {
        add_member(
            {"--email", "root@example.com", "--role", "owner", "--break-glass", "--password-stdin"},
            kOwnerPassword);
        add_member({"--email", "mia@example.com", "--role", "manager", "--password-stdin"},
                   kPassword);
        add_member({"--email", "bob@example.com", "--role", "member", "--password-stdin"},
                   kPassword);
        auto issued = run_gatehouse({"--db", gw.db, "admin-key", "create", "acme", "--quiet"});
        REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
        api_key = issued.out.substr(0, issued.out.find_first_of("\r\n"));
    }

    void add_member(std::vector<std::string> flags, const std::string& password) {
        std::vector<std::string> args = {"--db", gw.db, "member", "add", "--org", "acme"};
        args.insert(args.end(), flags.begin(), flags.end());
        auto added = run_gatehouse(args, password + "\n");
        REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    }

    // Signs in with the password form; returns the session cookie value.
    std::string sign_in(const std::string& email, const std::string& password) {
        auto res = gw.client().Post("/auth/login/acme/",
                                    form_body({{"email", email}, {"password", password}}),
                                    "application/x-www-form-urlencoded");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 303, res->body);
        return SamlGateway::session_cookie(*res);
    }

    std::string owner() { return sign_in("root@example.com", kOwnerPassword); }
    std::string manager() { return sign_in("mia@example.com", kPassword); }

    httplib::Result get(const std::string& cookie, const std::string& path = kPage) {
        httplib::Headers headers;
        if (!cookie.empty()) headers.emplace("Cookie", "gatehouse_session=" + cookie);
        auto res = gw.client().Get(path, headers);
        REQUIRE(res);
        return res;
    }

    // The CSRF token the page puts in its forms for this session.
    std::string csrf(const std::string& cookie) {
        auto page = get(cookie);
        REQUIRE(page->status == 200);
        const std::string token = capture(page->body, R"re(name="csrf_token" value="([^"]+)")re");
        REQUIRE_FALSE(token.empty());
        return token;
    }

    // Posts form `action` of the page with the session's CSRF token (unless `fields`
    // carries its own csrf_token) and optional extra headers.
    httplib::Result post(const std::string& cookie, const std::string& action, Fields fields,
                         httplib::Headers headers = {}) {
        bool has_csrf = false;
        for (const auto& field : fields) has_csrf = has_csrf || field.first == "csrf_token";
        if (!has_csrf) fields.emplace_back("csrf_token", csrf(cookie));
        headers.emplace("Cookie", "gatehouse_session=" + cookie);
        auto res = gw.client().Post(kPage + action, headers, form_body(fields),
                                    "application/x-www-form-urlencoded");
        REQUIRE(res);
        return res;
    }

    // The settings as the admin JSON API shows them.
    nlohmann::json api_view() {
        auto res = gw.client().Get("/api/0/organizations/acme/auth/",
                                   {{"Authorization", "Bearer " + api_key}});
        REQUIRE(res);
        REQUIRE(res->status == 200);
        return nlohmann::json::parse(res->body);
    }

    int scim_status(const std::string& token) {
        auto res = gw.client().Get("/api/0/organizations/acme/scim/v2/Users",
                                   {{"Authorization", "Bearer " + token}});
        REQUIRE(res);
        return res->status;
    }

    // Enables SCIM through the page and returns the token it showed.
    std::string enable_scim(const std::string& cookie) {
        auto res = post(cookie, "scim/enable", {});
        REQUIRE(res->status == 200);
        const std::string token =
            capture(res->body, R"re(<code id="scim-token" class="secret">([^<]+)</code>)re");
        REQUIRE_FALSE(token.empty());
        return token;
    }
};

inline std::string manual_certificate(const AuthPage& page) {
    return page.gw.idp.identity().certificate_pem;
}

// Every form of the page with fields that would change something if accepted.
inline std::vector<std::pair<std::string, Fields>> every_form(const AuthPage& page) {
    return {
        {"metadata-url", {{"metadata_url", "https://idp.example/metadata"}}},
        {"metadata-xml", {{"metadata_xml", "<EntityDescriptor/>"}}},
        {"manual",
         {{"idp_entity_id", "https://new-idp.test"},
          {"sso_url", "https://new-idp.test/sso"},
          {"certificate", manual_certificate(page)}}},
        {"preset", {{"preset", "okta"}}},
        {"mapping", {{"map_email", "mail"}}},
        {"options", {{"default_role", "admin"}}},
        {"validation", {{"require_aes_gcm", "on"}, {"max_issue_age_seconds", "600"}}},
        {"require-sso", {{"require_sso", "on"}, {"confirm", "yes"}}},
        {"test", {}},
        {"scim/enable", {}},
        {"scim/tokens", {{"description", "rotation"}}},
        {"scim/tokens/1/revoke", {}},
        {"scim/disable", {}},
        {"provider/remove", {}},
        {"provider/refresh", {}},
    };
}

}  // namespace gatehouse::testing
