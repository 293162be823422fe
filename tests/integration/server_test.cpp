// Starts the real gatehouse binary on a free loopback port and checks the foundation:
// health, org routing, body limits, logging and clean shutdown.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

using gatehouse::testing::run_gatehouse;
using gatehouse::testing::ServerProcess;
using gatehouse::testing::TempDir;

namespace {

struct RunningGateway {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    std::unique_ptr<ServerProcess> server;

    explicit RunningGateway(std::vector<std::string> args = {}) {
        REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme", "--name", "Acme"}).exit_code ==
                0);
        server = std::make_unique<ServerProcess>(db, std::move(args));
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(10, 0);
        return c;
    }
};

}  // namespace

TEST_CASE("/healthz answers 200 with a JSON status") {
    RunningGateway gw;
    auto res = gw.client().Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(nlohmann::json::parse(res->body)["status"] == "ok");
}

TEST_CASE("an unknown org is a 404 HTML page on browser paths") {
    RunningGateway gw;
    for (const char* path : {"/organizations/nope/", "/saml/metadata/nope/", "/auth/login/nope/"}) {
        auto res = gw.client().Get(path);
        REQUIRE(res);
        CHECK(res->status == 404);
        CHECK(res->get_header_value("Content-Type").find("text/html") == 0);
        CHECK(res->body.find("no organization") != std::string::npos);
    }
}

TEST_CASE("an unknown org is a 404 JSON body on API paths") {
    RunningGateway gw;
    auto res = gw.client().Get("/api/0/organizations/nope/auth/");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(nlohmann::json::parse(res->body)["error"] == "org.not_found");
}

TEST_CASE("an unknown org under the SCIM base URL is a 404 in the SCIM error schema") {
    RunningGateway gw;
    auto res = gw.client().Get("/api/0/organizations/nope/scim/v2/Users");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(res->get_header_value("Content-Type") == "application/scim+json");
    const auto body = nlohmann::json::parse(res->body);
    CHECK(body["schemas"][0] == "urn:ietf:params:scim:api:messages:2.0:Error");
    CHECK(body["status"] == "404");
}

TEST_CASE("a known org's landing page is served with security headers") {
    RunningGateway gw;
    auto res = gw.client().Get("/organizations/acme/");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body.find("Acme") != std::string::npos);
    CHECK(res->get_header_value("X-Frame-Options") == "DENY");
    CHECK(res->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'") !=
          std::string::npos);
}

TEST_CASE("a body over the configured limit is refused with 413") {
    RunningGateway gw({"--max-body-bytes", "4096"});
    auto res = gw.client().Post("/organizations/acme/", std::string(8192, 'x'), "text/plain");
    REQUIRE(res);
    CHECK(res->status == 413);
}

TEST_CASE("every request is logged as one JSON line without the query string") {
    RunningGateway gw;
    REQUIRE(gw.client().Get("/organizations/acme/?SAMLRequest=secret-value"));
    REQUIRE(gw.server->stop(SIGTERM) == 0);
    const std::string log = gw.server->log();
    CHECK(log.find("secret-value") == std::string::npos);
    bool found = false;
    std::size_t start = 0;
    while (start < log.size()) {
        const auto end = log.find('\n', start);
        const auto line = nlohmann::json::parse(log.substr(start, end - start));
        if (line["event"] == "http.request" && line["path"] == "/organizations/acme/") {
            found = true;
            CHECK(line["method"] == "GET");
            CHECK(line["status"] == 200);
            CHECK(line["org"] == "acme");
            CHECK(line["duration_ms"].is_number());
        }
        start = end == std::string::npos ? log.size() : end + 1;
    }
    CHECK(found);
}

TEST_CASE("SIGTERM and SIGINT stop the server cleanly with exit code 0") {
    for (int signal : {SIGTERM, SIGINT}) {
        RunningGateway gw;
        CHECK(gw.server->stop(signal) == 0);
        CHECK(gw.server->log().find("\"event\":\"server.stopped\"") != std::string::npos);
    }
}

TEST_CASE("serve refuses a malformed listen address or base URL with exit code 2") {
    TempDir dir;
    auto bad_listen = run_gatehouse({"--db", dir.file("g.db"), "serve", "--listen", "localhost"});
    CHECK(bad_listen.exit_code == 2);
    CHECK(bad_listen.err.find("HOST:PORT") != std::string::npos);
    auto bad_url = run_gatehouse({"--db", dir.file("g.db"), "serve", "--base-url", "ftp://x"});
    CHECK(bad_url.exit_code == 2);
}

TEST_CASE("serve reads its options from GATEHOUSE_ environment variables") {
    TempDir dir;
    auto result = run_gatehouse(
        {"serve"}, "", {{"GATEHOUSE_DB", dir.file("g.db")}, {"GATEHOUSE_LISTEN", "nonsense"}});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("HOST:PORT") != std::string::npos);
}
