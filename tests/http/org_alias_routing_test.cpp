#include "../../src/http/org_alias_routing.hpp"

#include <doctest/doctest.h>

#include <string>

using gatehouse::http::Request;
using gatehouse::http::Response;
using gatehouse::http::served_under_alias;
using gatehouse::http::target_under_slug;

namespace {

// served_under_alias for a path whose org segment is `slug` after `prefix`.
bool served(const std::string& prefix, const std::string& slug, const std::string& rest) {
    return served_under_alias(prefix + slug + rest, prefix.size() + slug.size());
}

}  // namespace

TEST_CASE("what an IdP or SCIM client calls is served under an alias") {
    CHECK(served("/saml/metadata/", "acme", "/"));
    CHECK(served("/saml/acs/", "acme", "/"));
    CHECK(served("/saml/sls/", "acme", "/"));
    CHECK(served("/auth/callback/", "acme", "/"));
    CHECK(served("/api/0/organizations/", "acme", "/scim/v2"));
    CHECK(served("/api/0/organizations/", "acme", "/scim/v2/Users/abc"));
}

TEST_CASE("pages, the sign-in page and the admin API are not served under an alias") {
    CHECK_FALSE(served("/organizations/", "acme", "/"));
    CHECK_FALSE(served("/settings/", "acme", "/auth/"));
    CHECK_FALSE(served("/auth/login/", "acme", "/"));
    CHECK_FALSE(served("/auth/logout/", "acme", "/"));
    CHECK_FALSE(served("/api/0/organizations/", "acme", "/members"));
    CHECK_FALSE(served("/api/0/organizations/", "acme", "/scim/v2x"));
    CHECK_FALSE(served("/api/0/organizations/", "acme", "/auth/scim"));
}

TEST_CASE("the redirect target swaps only the org segment and keeps the rest as sent") {
    CHECK(target_under_slug("/settings/acme/auth/?saved=x%20y", "/settings/", "acme-corp") ==
          "/settings/acme-corp/auth/?saved=x%20y");
    CHECK(target_under_slug("/organizations/acme?x=1", "/organizations/", "acme-corp") ==
          "/organizations/acme-corp?x=1");
    CHECK(target_under_slug("/organizations/acme", "/organizations/", "acme-corp") ==
          "/organizations/acme-corp");
    // A target whose prefix was sent encoded gets the org's root under its slug.
    CHECK(target_under_slug("/%73ettings/acme/auth/", "/settings/", "acme-corp") ==
          "/settings/acme-corp/");
}

TEST_CASE("an alias redirect is 301 for GET and HEAD and 308 for anything else") {
    for (const std::string method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}) {
        Request req;
        req.method = method;
        Response res;
        gatehouse::http::redirect_to_current_slug(req, res, "/settings/acme-corp/");
        CHECK(res.status == (method == "GET" || method == "HEAD" ? 301 : 308));
        CHECK(res.get_header_value("Location") == "/settings/acme-corp/");
    }
}
