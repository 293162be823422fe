// Issue 12 item 3: a path with a control character in it (%0A, %0D, %00, …) must never reach
// a handler without the org its path names, nor with the org an earlier request on the same
// worker left behind. Every route family is probed, through one keep-alive connection (so one
// worker thread) that has just served another org's page.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "raw_http.hpp"
#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

struct Probe {
    std::string method;
    std::string path;  // "{c}" stands where the control character goes
};

const std::vector<Probe>& probes() {
    static const std::vector<Probe> all = {
        {"GET", "/saml/metadata/acme{c}/"},
        {"POST", "/saml/acs/acme{c}/"},
        {"GET", "/saml/sls/acme{c}/"},
        {"POST", "/saml/sls/acme{c}/"},
        {"GET", "/auth/login/acme{c}/"},
        {"POST", "/auth/login/acme{c}/"},
        {"GET", "/auth/logout/acme{c}/"},
        {"POST", "/auth/logout/acme{c}/"},
        {"GET", "/organizations/acme{c}/"},
        {"GET", "/settings/acme{c}/auth/"},
        {"POST", "/settings/acme{c}/auth/options"},
        {"GET", "/settings/acme{c}/members/"},
        {"POST", "/settings/acme{c}/members/invite"},
        {"POST", "/settings/acme/members/x{c}/role"},
        {"POST", "/settings/acme/members/x{c}/deactivate"},
        {"POST", "/settings/acme/members/x{c}/reactivate"},
        {"POST", "/settings/acme/members/x{c}/remove"},
        {"POST", "/settings/acme/members/teams/x{c}/remove"},
        {"GET", "/settings/acme{c}/audit-log/"},
        {"POST", "/settings/acme{c}/audit-log/retention"},
        {"GET", "/api/0/organizations/acme{c}/me"},
        {"GET", "/api/0/organizations/acme{c}/auth/"},
        {"PATCH", "/api/0/organizations/acme/members/x{c}"},
        {"DELETE", "/api/0/organizations/acme/members/x{c}"},
        {"DELETE", "/api/0/organizations/acme/teams/x{c}"},
        {"GET", "/api/0/organizations/acme/scim/v2/Users/x{c}"},
        {"PUT", "/api/0/organizations/acme/scim/v2/Users/x{c}"},
        {"PATCH", "/api/0/organizations/acme/scim/v2/Users/x{c}"},
        {"DELETE", "/api/0/organizations/acme/scim/v2/Users/x{c}"},
        {"GET", "/api/0/organizations/acme/scim/v2/Groups/x{c}"},
        {"PATCH", "/api/0/organizations/acme/scim/v2/Groups/x{c}"},
        {"DELETE", "/api/0/organizations/acme/scim/v2/Groups/x{c}"},
        {"GET", "/api/0/organizations/acme{c}/scim/v2/Schemas"},
        {"GET", "/auth/check{c}"},
    };
    return all;
}

std::string with_character(std::string path, const std::string& character) {
    return path.replace(path.find("{c}"), 3, character);
}

// The gateway with two orgs: acme (SAML configured, one member signed in) and globex, whose
// landing page seeds the worker before every probe.
struct TwoOrgs {
    SamlGateway gw;
    std::string cookie;

    TwoOrgs() {
        REQUIRE(run_gatehouse({"--db", gw.db, "org", "create", "globex"}).exit_code == 0);
        cookie = gw.sign_in("ada@example.com");
    }

    httplib::Result send(httplib::Client& client, const Probe& probe, const std::string& path) {
        const httplib::Headers headers = {{"Cookie", "gatehouse_session=" + cookie}};
        const bool api = path.rfind("/api/", 0) == 0;
        const std::string body = api ? "{}" : "csrf_token=x&SAMLResponse=x&email=a%40b.c";
        const char* type = api ? "application/json" : "application/x-www-form-urlencoded";
        if (probe.method == "GET") return client.Get(path, headers);
        if (probe.method == "POST") return client.Post(path, headers, body, type);
        if (probe.method == "PUT") return client.Put(path, headers, body, type);
        if (probe.method == "PATCH") return client.Patch(path, headers, body, type);
        return client.Delete(path, headers);
    }

    void check_every_route_refuses(const std::string& character) {
        httplib::Client client = gw.client();
        client.set_keep_alive(true);
        for (const Probe& probe : probes()) {
            const std::string path = with_character(probe.path, character);
            CAPTURE(probe.method);
            CAPTURE(path);
            auto seed = client.Get("/organizations/globex/");
            REQUIRE(seed);
            REQUIRE(seed->status == 200);
            auto res = send(client, probe, path);
            REQUIRE_MESSAGE(res, "no answer: the server may have crashed");
            CHECK(res->status == 400);
            CHECK_FALSE(res->has_header("Location"));
            CHECK(res->body.find("globex") == std::string::npos);
        }
        auto health = gw.client().Get("/healthz");
        REQUIRE(health);
        CHECK(health->status == 200);
    }
};

}  // namespace

TEST_CASE("a path with %0A is refused with 400 in every route family, never with another org") {
    TwoOrgs gateway;
    gateway.check_every_route_refuses("%0A");
}

TEST_CASE("a path with %0D is refused with 400 in every route family, never with another org") {
    TwoOrgs gateway;
    gateway.check_every_route_refuses("%0D");
}

TEST_CASE("a path with %00 is refused with 400 in every route family, never with another org") {
    TwoOrgs gateway;
    gateway.check_every_route_refuses("%00");
}

TEST_CASE("a path with %0D%0A, %09 or %7F is refused with 400 in every route family") {
    TwoOrgs gateway;
    for (const char* character : {"%0D%0A", "%09", "%7F"}) {
        CAPTURE(character);
        gateway.check_every_route_refuses(character);
    }
}

TEST_CASE("raw control characters in the request line are refused with 400") {
    TwoOrgs gateway;
    const int port = gateway.gw.server->port();
    const std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (const std::string& character :
         {std::string("\r"), std::string("\x01"), std::string("\x7f"), std::string(1, '\0'),
          std::string("\n")}) {
        for (const std::string path :
             {"/settings/acme/members/x{c}/role", "/api/0/organizations/acme/scim/v2/Users/x{c}",
              "/auth/logout/acme{c}/"}) {
            const std::string target = with_character(path, character);
            CAPTURE(path);
            CAPTURE(static_cast<int>(character[0]));
            const std::string response = raw_exchange(
                port, "POST " + target + " HTTP/1.1\r\n" + host +
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Content-Length: 12\r\nConnection: close\r\n\r\ncsrf_token=x");
            CHECK(raw_status(response) == 400);
            CHECK(raw_header(response, "Location").empty());
        }
    }
    auto health = gateway.gw.client().Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
}

TEST_CASE("a control character in /auth/check's org parameter matches no org") {
    TwoOrgs gateway;
    auto client = gateway.gw.client();
    const httplib::Headers headers = {{"Cookie", "gatehouse_session=" + gateway.cookie}};
    for (const char* character : {"%0A", "%0D", "%00"}) {
        CAPTURE(character);
        auto res = client.Get("/auth/check?org=acme" + std::string(character), headers);
        REQUIRE(res);
        CHECK(res->status == 401);
        CHECK_FALSE(res->has_header("X-Gatehouse-Org"));
    }
}

TEST_CASE("a request refused before routing does not inherit the previous request's org") {
    // Two requests on one connection, so one worker: acme's landing page, then a request line
    // too long for httplib, refused before the pre-routing handler runs; its error page must
    // not link to acme.
    TwoOrgs gateway;
    const std::string host = "Host: 127.0.0.1:" + std::to_string(gateway.gw.server->port());
    const std::string response = raw_exchange(
        gateway.gw.server->port(),
        "GET /organizations/acme/ HTTP/1.1\r\n" + host + "\r\n\r\nGET /" + std::string(9000, 'a') +
            " HTTP/1.1\r\n" + host + "\r\nConnection: close\r\n\r\n",
        2);
    const auto second = response.find("HTTP/1.1 ", 1);
    REQUIRE(second != std::string::npos);
    const std::string refused = response.substr(second);
    CHECK(raw_status(response) == 200);
    CHECK(raw_status(refused) >= 400);
    CHECK(refused.find("acme") == std::string::npos);
    CHECK_FALSE(raw_header(refused, "Content-Security-Policy").empty());
}

TEST_CASE("a request refused before routing never has its unread body read as a request") {
    // A body that holds a request must be read as the body it is declared to be, never taken
    // for the next request on a kept-alive connection: that would smuggle a request past any
    // proxy in front.
    TwoOrgs gateway;
    const int port = gateway.gw.server->port();
    const std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    const std::string smuggled = "GET /organizations/globex/ HTTP/1.1\r\n" + host + "\r\n";
    for (const std::string target :
         {"/settings/acme/members/x%0A/role", "/settings/nobody/members/invite"}) {
        CAPTURE(target);
        const std::string response =
            raw_exchange(port,
                         "POST " + target + " HTTP/1.1\r\n" + host +
                             "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                             std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
                         2);
        CHECK((raw_status(response) == 400 || raw_status(response) == 404));
        CHECK(response.find("HTTP/1.1 ", 1) == std::string::npos);
        CHECK(response.find("globex") == std::string::npos);
    }
}
