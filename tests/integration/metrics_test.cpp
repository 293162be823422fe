// GET /metrics: the Prometheus text format, read back by the Prometheus project's own Python
// parser, counting what the gateway did; who may read it; its own listener.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "gatehouse/saml/keys.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/time.hpp"
#include "saml_gateway.hpp"
#include "scim_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

const std::string kParser =
    std::string(GATEHOUSE_SOURCE_DIR) + "/tests/integration/prometheus_samples.py";

// Every sample of a scrape, as prometheus_client's parser reads it (it throws on text that
// does not parse, and run_program then fails the test).
json parse_scrape(const TempDir& dir, const std::string& text) {
    const std::string file = dir.file("scrape-" + util::random_token(6) + ".txt");
    write_text(file, text);
    return json::parse(run_program({"/usr/bin/python3", kParser, file}));
}

// The value of the sample `name` whose labels include every one of `labels`; NaN when there
// is none, and a failed check when there are several.
double sample(const json& samples, const std::string& name, const json& labels = json::object()) {
    double found = std::nan("");
    int matches = 0;
    for (const json& s : samples) {
        if (s["name"] != name) continue;
        bool all = true;
        for (auto it = labels.begin(); it != labels.end(); ++it) {
            all = all && s["labels"].contains(it.key()) && s["labels"][it.key()] == it.value();
        }
        if (!all) continue;
        found = s["value"].get<double>();
        ++matches;
    }
    CHECK_MESSAGE(matches <= 1, name << " " << labels.dump() << " matches " << matches);
    return found;
}

std::string issue_scim_token(const std::string& db) {
    auto issued = run_gatehouse({"--db", db, "scim-token", "create", "acme", "--quiet"});
    REQUIRE(issued.exit_code == 0);
    std::string token = issued.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return token;
}

httplib::Result scim_request(int port, const std::string& method, const std::string& path,
                             const std::string& token, const std::string& body = {}) {
    httplib::Client client("127.0.0.1", port);
    const std::string target = "/api/0/organizations/acme/scim/v2" + path;
    const httplib::Headers headers{{"Authorization", "Bearer " + token}};
    return method == "POST" ? client.Post(target, headers, body, "application/scim+json")
                            : client.Get(target, headers);
}

// Whether the server's log holds `text`, waiting up to 10 s for it (the log is read by
// another thread of the test).
bool log_shows(const ServerProcess& server, const std::string& text) {
    for (int i = 0; i < 100; ++i) {
        if (server.log().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

// The port the metrics listener logged (it logs just after the main listener, which the
// server process waits for), waiting up to 10 s for the line.
int metrics_port_of(const ServerProcess& server) {
    static const std::regex line(R"re("event":"server\.metrics_listening".*"port":(\d+))re");
    std::smatch match;
    std::string log;
    for (int i = 0; i < 100; ++i) {
        log = server.log();
        if (std::regex_search(log, match, line)) return std::stoi(match[1].str());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("no server.metrics_listening line in:\n" << log);
    return -1;
}

}  // namespace

TEST_CASE("a scrape parses with Prometheus's own parser and counts sign-ins, refusals and SCIM") {
    SamlGateway gw;
    const std::string token = issue_scim_token(gw.db);
    auto client = gw.client();

    // One sign-in, then the same assertion under a new request: refused as a replay.
    const std::string assertion_id = "_metrics-" + util::random_token(6);
    REQUIRE(
        gw.post_acs(gw.response_for(gw.start_login(), "ada@example.com", assertion_id))->status ==
        303);
    REQUIRE(
        gw.post_acs(gw.response_for(gw.start_login(), "ada@example.com", assertion_id))->status ==
        403);
    // SCIM: a create, a list, and a request with a wrong token.
    const json user = {{"schemas", {kScimUser}}, {"userName", "grace@example.com"}};
    REQUIRE(scim_request(gw.port(), "POST", "/Users", token, user.dump())->status == 201);
    REQUIRE(scim_request(gw.port(), "GET", "/Users", token)->status == 200);
    REQUIRE(scim_request(gw.port(), "GET", "/Users", "wrong-" + token)->status == 401);

    auto scrape = client.Get("/metrics");
    REQUIRE(scrape);
    REQUIRE(scrape->status == 200);
    CHECK(scrape->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(scrape->get_header_value("Cache-Control") == "no-store");
    const json samples = parse_scrape(gw.dir, scrape->body);

    CHECK(sample(samples, "gatehouse_sign_ins_total", {{"method", "saml"}}) == 1);
    CHECK(sample(samples, "gatehouse_sign_in_refusals_total",
                 {{"action", "saml.sign_in"}, {"reason", "saml.replay"}}) == 1);
    CHECK(sample(samples, "gatehouse_scim_operations_total",
                 {{"resource", "Users"}, {"operation", "create"}, {"status", "201"}}) == 1);
    CHECK(sample(samples, "gatehouse_scim_operations_total",
                 {{"resource", "Users"}, {"operation", "list"}, {"status", "200"}}) == 1);
    CHECK(sample(samples, "gatehouse_scim_operations_total",
                 {{"resource", "Users"}, {"operation", "list"}, {"status", "401"}}) == 1);
    CHECK(sample(samples, "gatehouse_http_request_duration_seconds_count",
                 {{"route", "saml_acs"}, {"status", "303"}}) == 1);
    CHECK(sample(samples, "gatehouse_http_request_duration_seconds_count",
                 {{"route", "saml_acs"}, {"status", "403"}}) == 1);
    CHECK(sample(samples, "gatehouse_http_request_duration_seconds_count",
                 {{"route", "sign_in"}, {"status", "302"}}) == 2);
    // A histogram's +Inf bucket holds every observation.
    CHECK(sample(samples, "gatehouse_http_request_duration_seconds_bucket",
                 {{"route", "scim"}, {"status", "200"}, {"le", "+Inf"}}) == 1);
    CHECK(sample(samples, "gatehouse_store_transaction_duration_seconds_count",
                 {{"kind", "write"}, {"outcome", "ok"}}) >= 3);
    // The outbox gauge says what the store holds.
    std::int64_t queued = -1;
    {
        auto opened = store::open_sqlite_store(gw.db);
        REQUIRE(opened.ok());
        REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
            queued = tx.list_all_outbound_mail(std::nullopt, core::MailState::queued, {}).total;
            return {};
        }));
    }
    CHECK(sample(samples, "gatehouse_mail_outbox_messages", {{"state", "queued"}}) == queued);
    CHECK(sample(samples, "gatehouse_store_up") == 1);

    // The IdP certificate's days to expiry, as the certificate itself says.
    auto certificate = saml::Certificate::parse(gw.idp.identity().certificate_pem);
    REQUIRE(certificate.ok());
    const double expected =
        static_cast<double>(certificate->not_after() - util::SystemClock{}.now()) / 86400;
    const double days = sample(samples, "gatehouse_idp_certificate_expiry_days", {{"org", "acme"}});
    CHECK(std::abs(days - expected) < 0.05);
    // Labelled by the start of its SHA-256 fingerprint.
    for (const json& s : samples) {
        if (s["name"] != "gatehouse_idp_certificate_expiry_days") continue;
        std::string fingerprint = certificate->sha256_fingerprint();
        std::erase(fingerprint, ':');
        std::transform(fingerprint.begin(), fingerprint.end(), fingerprint.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        CHECK(s["labels"]["certificate"] == fingerprint.substr(0, 16));
    }
}

TEST_CASE("made-up paths and SCIM resources do not grow the number of series") {
    SamlGateway gw;
    auto client = gw.client();
    const auto series = [&] {
        auto scrape = client.Get("/metrics");
        REQUIRE(scrape);
        REQUIRE(scrape->status == 200);
        std::set<std::string> routes;
        int count = 0;
        for (const json& s : parse_scrape(gw.dir, scrape->body)) {
            if (s["name"] == "gatehouse_http_request_duration_seconds_count" ||
                s["name"] == "gatehouse_scim_operations_total") {
                ++count;
                if (s["labels"].contains("route")) routes.insert(s["labels"]["route"]);
            }
        }
        return std::pair{count, routes};
    };
    for (int i = 0; i < 40; ++i) {
        const std::string noise = util::random_token(10);
        REQUIRE(client.Get("/" + noise)->status == 404);
        REQUIRE(client.Get("/api/0/organizations/acme/scim/v2/" + noise)->status == 404);
        REQUIRE(client.Get("/saml/metadata/" + noise + "/")->status == 404);
    }
    const auto [first_count, first_routes] = series();
    for (int i = 0; i < 40; ++i) {
        const std::string noise = util::random_token(10);
        client.Get("/" + noise);
        client.Get("/api/0/organizations/acme/scim/v2/" + noise);
        client.Get("/saml/metadata/" + noise + "/");
    }
    const auto [second_count, second_routes] = series();
    // The second scrape adds its own first /metrics 200 series at most.
    CHECK(second_count <= first_count + 1);
    const std::set<std::string> expected{"other", "scim", "saml_metadata", "metrics"};
    for (const std::string& route : second_routes) {
        CHECK_MESSAGE(expected.count(route) == 1, route);
    }
}

TEST_CASE("/metrics on the main listener answers clients on this machine only") {
    SamlGateway gw({}, {}, {});
    auto proxied = gw.start_server({"--trusted-proxy", "127.0.0.1"});
    httplib::Client client("127.0.0.1", proxied->port());
    auto outside = client.Get("/metrics", {{"X-Forwarded-For", "203.0.113.7"}});
    REQUIRE(outside);
    CHECK(outside->status == 403);
    CHECK(outside->body.find("clients on this machine only") != std::string::npos);
    CHECK(outside->body.find("gatehouse_") == std::string::npos);
    CHECK(log_shows(*proxied, "\"event\":\"metrics.refused\""));
    auto local = client.Get("/metrics", {{"X-Forwarded-For", "127.0.0.1"}});
    REQUIRE(local);
    CHECK(local->status == 200);
    CHECK(local->body.find("gatehouse_store_up 1") != std::string::npos);
}

TEST_CASE("--metrics-listen serves /metrics and /healthz on a listener of their own") {
    SamlGateway gw({}, {}, {"--metrics-listen", "127.0.0.1:0"});
    const int metrics_port = metrics_port_of(*gw.server);
    CHECK(metrics_port != gw.port());
    httplib::Client metrics("127.0.0.1", metrics_port);
    // A scraper names the target as its own configuration does: any Host is answered.
    auto scrape = metrics.Get("/metrics", {{"Host", "gatehouse-1.internal:9102"}});
    REQUIRE(scrape);
    CHECK(scrape->status == 200);
    const json samples = parse_scrape(gw.dir, scrape->body);
    CHECK(sample(samples, "gatehouse_store_up") == 1);
    CHECK(metrics.Get("/healthz")->status == 200);
    // Nothing else is there: no org, no page, no SCIM.
    CHECK(metrics.Get("/saml/metadata/acme/")->status == 404);
    CHECK(metrics.Post("/metrics", "", "text/plain")->status == 405);
    // It takes no request body at all.
    CHECK(metrics.Post("/metrics", "x", "text/plain")->status == 413);
    // And the main listener no longer has /metrics.
    CHECK(gw.client().Get("/metrics")->status == 404);
    // Requests to the main listener are counted all the same.
    REQUIRE(gw.client().Get("/saml/metadata/acme/")->status == 200);
    const json after = parse_scrape(gw.dir, metrics.Get("/metrics")->body);
    CHECK(sample(after, "gatehouse_http_request_duration_seconds_count",
                 {{"route", "saml_metadata"}, {"status", "200"}}) == 1);
}

TEST_CASE("serve refuses a --metrics-listen it cannot use") {
    TempDir dir;
    const std::string db = dir.file("gatehouse.db");
    auto same = run_gatehouse({"--db", db, "serve", "--listen", "127.0.0.1:18080",
                               "--metrics-listen", "127.0.0.1:18080"});
    CHECK(same.exit_code == 2);
    CHECK(same.err.find("--metrics-listen must differ from --listen") != std::string::npos);
    auto malformed = run_gatehouse({"--db", db, "serve", "--metrics-listen", "metrics"});
    CHECK(malformed.exit_code == 2);
    CHECK(malformed.err.find("--metrics-listen") != std::string::npos);
}
