#include <doctest/doctest.h>

#include <string>

#include "../../src/http/pages.hpp"

using gatehouse::http::add_security_headers;
using gatehouse::http::allow_form_action;
using gatehouse::http::Response;

namespace {

std::string policy_after(const std::string& url, bool expected) {
    Response res;
    add_security_headers(res);
    CHECK(allow_form_action(res, url) == expected);
    CHECK(res.headers.count("Content-Security-Policy") == 1);
    return res.get_header_value("Content-Security-Policy");
}

}  // namespace

TEST_CASE("allow_form_action adds the IdP's origin, without path or query, to form-action") {
    const std::string policy = policy_after("https://idp.example.com:8443/sso/saml?x=1", true);
    CHECK(policy.find("form-action 'self' https://idp.example.com:8443;") != std::string::npos);
    CHECK(policy.find("/sso/saml") == std::string::npos);
    CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
}

TEST_CASE("allow_form_action refuses URLs that could smuggle other CSP sources") {
    for (const std::string url :
         {"javascript:alert(1)", "https://", "ftp://idp.example.com/", "idp.example.com/sso",
          "https://idp.example.com;script-src *", "https://idp.example.com *", "https://a'b"}) {
        CAPTURE(url);
        const std::string policy = policy_after(url, false);
        CHECK(policy.find("form-action 'self';") != std::string::npos);
    }
}

TEST_CASE("every page's policy names only its own origin as a form target by default") {
    Response res;
    add_security_headers(res);
    CHECK(res.get_header_value("Content-Security-Policy").find("form-action 'self';") !=
          std::string::npos);
    CHECK(res.get_header_value("Referrer-Policy") == "same-origin");
}
