// How requests are labelled in the metrics: a fixed set of route families and SCIM
// operations, whatever path a client sends.
#include "../../src/http/request_metrics.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "gatehouse/util/crypto.hpp"

using namespace gatehouse::http;

TEST_CASE("each route of the gateway falls in its family") {
    CHECK(route_family("/healthz") == "health");
    CHECK(route_family("/metrics") == "metrics");
    CHECK(route_family("/static/gatehouse.css") == "static");
    CHECK(route_family("/saml/metadata/acme/") == "saml_metadata");
    CHECK(route_family("/saml/acs/acme/") == "saml_acs");
    CHECK(route_family("/saml/sls/acme/") == "saml_sls");
    CHECK(route_family("/auth/login/acme/") == "sign_in");
    CHECK(route_family("/auth/callback/acme/") == "oidc_callback");
    CHECK(route_family("/auth/logout/acme/") == "sign_out");
    CHECK(route_family("/auth/check") == "auth_check");
    CHECK(route_family("/api/0/organizations/acme/scim/v2/Users") == "scim");
    CHECK(route_family("/api/0/organizations/acme/scim/v2") == "scim");
    CHECK(route_family("/api/0/organizations/acme/me") == "api");
    CHECK(route_family("/organizations/acme/") == "pages");
    CHECK(route_family("/settings/acme/members/") == "pages");
    CHECK(route_family("/demo-idp/sso") == "demo_idp");
}

TEST_CASE("a path outside every family is 'other', and look-alikes are not SCIM") {
    CHECK(route_family("/") == "other");
    CHECK(route_family("/healthz/") == "other");
    CHECK(route_family("/metricsx") == "other");
    CHECK(route_family("/api/0/organizations/acme/scim/v2x/Users") == "api");
    CHECK(route_family("/api/0/organizations//scim/v2/Users") == "api");
    CHECK(route_family("/api/0/organizations/acme/teams/scim/v2/Users") == "api");
    std::set<std::string> families;
    for (int i = 0; i < 500; ++i) {
        families.insert(std::string(route_family("/" + gatehouse::util::random_token(12))));
    }
    CHECK(families == std::set<std::string>{"other"});
}

TEST_CASE("SCIM requests are named by resource and operation") {
    const std::string users = "/api/0/organizations/acme/scim/v2/Users";
    const auto of = [](std::string_view method, const std::string& path) {
        const ScimOperation op = scim_operation_of(method, path);
        return std::string(op.resource) + " " + std::string(op.operation);
    };
    CHECK(of("GET", users) == "Users list");
    CHECK(of("GET", users + "/") == "Users list");
    CHECK(of("POST", users) == "Users create");
    CHECK(of("GET", users + "/u-1") == "Users get");
    CHECK(of("PUT", users + "/u-1") == "Users replace");
    CHECK(of("PATCH", users + "/u-1") == "Users patch");
    CHECK(of("DELETE", users + "/u-1") == "Users delete");
    CHECK(of("DELETE", users) == "Users other");
    CHECK(of("PATCH", users + "/u-1/extra") == "Users other");
    CHECK(of("GET", "/api/0/organizations/acme/scim/v2/Groups/g-1") == "Groups get");
    CHECK(of("GET", "/api/0/organizations/acme/scim/v2/ServiceProviderConfig") ==
          "ServiceProviderConfig get");
    CHECK(of("GET", "/api/0/organizations/acme/scim/v2/Schemas/urn:x") == "Schemas get");
    CHECK(of("GET", "/api/0/organizations/acme/scim/v2/users") == "other get");
    CHECK(of("GET", "/api/0/organizations/acme/scim/v2/" + gatehouse::util::random_token(8)) ==
          "other get");
}
