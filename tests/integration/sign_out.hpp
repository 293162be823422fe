// Signing out as a browser does: open the confirmation page GET /auth/logout/{org}/, read
// the CSRF token of its form, and post the form.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <string>
#include <vector>

#include "raw_http.hpp"
#include "saml_gateway.hpp"

namespace gatehouse::testing {

// The value of the hidden csrf_token field in `html` (the first one), or empty.
inline std::string csrf_field(const std::string& html) {
    const std::string marker = R"(name="csrf_token" value=")";
    const auto start = html.find(marker);
    if (start == std::string::npos) return {};
    const auto from = start + marker.size();
    return html.substr(from, html.find('"', from) - from);
}

// The CSRF token of the sign-out confirmation form shown to the session `cookie`.
inline std::string sign_out_token(const SamlGateway& gw, const std::string& cookie,
                                  const std::string& org = "acme") {
    auto page =
        gw.client().Get("/auth/logout/" + org + "/", {{"Cookie", "gatehouse_session=" + cookie}});
    REQUIRE(page);
    REQUIRE_MESSAGE(page->status == 200, page->body);
    const std::string token = csrf_field(page->body);
    REQUIRE(token.size() == 64);
    return token;
}

// Posts the sign-out form of `org` with `token` for the session `cookie`, plus `headers`.
inline RawAnswer post_sign_out(const SamlGateway& gw, const std::string& cookie,
                               const std::string& token, const std::string& org = "acme",
                               std::vector<std::string> headers = {}) {
    if (!cookie.empty()) headers.push_back("Cookie: gatehouse_session=" + cookie);
    return raw_post_form(gw.server->port(), "/auth/logout/" + org + "/", "csrf_token=" + token,
                         headers);
}

// Where a sign-out answer sends the browser next: the IdP's single logout URL of the page that
// moves on by itself (its Refresh header), else the redirect's Location.
inline std::string sign_out_next(const RawAnswer& answer) {
    const std::string refresh = answer.header("Refresh");
    const std::string prefix = "0; url=";
    if (refresh.rfind(prefix, 0) == 0) return refresh.substr(prefix.size());
    return answer.header("Location");
}

// Signs the session `cookie` out through the confirmation page; returns where the browser
// goes next.
inline std::string sign_out(const SamlGateway& gw, const std::string& cookie,
                            const std::string& org = "acme") {
    const RawAnswer answer = post_sign_out(gw, cookie, sign_out_token(gw, cookie, org), org);
    REQUIRE_MESSAGE((answer.status() == 200 || answer.status() == 303), answer.text);
    return sign_out_next(answer);
}

}  // namespace gatehouse::testing
