// Issue 12 item 7: the gateway answers only to its own names. DNS rebinding points a name the
// attacker controls at the gateway's address, so the browser sends that name as Host; such a
// request gets 421 Misdirected Request, and so cannot reach a loopback demo IdP either.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "raw_http.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse::testing;

namespace {

struct NamedGateway {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    std::unique_ptr<ServerProcess> server;

    explicit NamedGateway(std::vector<std::string> args = {"--base-url", "http://gatehouse.test"}) {
        REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0);
        server = std::make_unique<ServerProcess>(db, std::move(args));
    }

    int status_for(const std::string& host, const std::string& target = "/organizations/acme/") {
        CAPTURE(host);
        return raw_status(raw_get(server->port(), target, host));
    }

    std::string listen_address() const { return "127.0.0.1:" + std::to_string(server->port()); }
};

}  // namespace

TEST_CASE("a request whose Host is the base URL's host is answered") {
    NamedGateway gw;
    CHECK(gw.status_for("gatehouse.test") == 200);
    CHECK(gw.status_for("gatehouse.test:80") == 200);  // the scheme's default port, spelt out
    CHECK(gw.status_for("GateHouse.Test") == 200);     // host names are case-insensitive
}

TEST_CASE("a request whose Host names another site is answered 421 Misdirected Request") {
    NamedGateway gw;
    for (const std::string host : {"attacker.example", "attacker.example:80",
                                   "gatehouse.test.attacker.example", "gatehouse.test."}) {
        const std::string response = raw_get(gw.server->port(), "/organizations/acme/", host);
        CAPTURE(host);
        CHECK(raw_status(response) == 421);
        CHECK(response.find("Acme") == std::string::npos);
    }
    // The JSON API and SCIM answer 421 too, before any credential is looked at.
    CHECK(gw.status_for("attacker.example", "/api/0/organizations/acme/me") == 421);
    CHECK(gw.status_for("attacker.example", "/api/0/organizations/acme/scim/v2/Users") == 421);
    CHECK(gw.status_for("attacker.example", "/auth/check?org=acme") == 421);
}

TEST_CASE("a Host with the base URL's name and another port is answered 421") {
    NamedGateway gw;
    CHECK(gw.status_for("gatehouse.test:8080") == 421);
    CHECK(gw.status_for("gatehouse.test:443") == 421);
    NamedGateway with_port({"--base-url", "https://sso.example.com:8443"});
    CHECK(with_port.status_for("sso.example.com:8443") == 200);
    CHECK(with_port.status_for("sso.example.com") == 421);
    CHECK(with_port.status_for("sso.example.com:443") == 421);
}

TEST_CASE("a name given with --allowed-host is answered, with the port it names") {
    NamedGateway gw({"--base-url", "http://gatehouse.test", "--allowed-host", "sso.internal:8443",
                     "--allowed-host", "Other.Internal"});
    CHECK(gw.status_for("sso.internal:8443") == 200);
    CHECK(gw.status_for("sso.internal") == 421);
    CHECK(gw.status_for("sso.internal:8444") == 421);
    CHECK(gw.status_for("other.internal") == 200);
    CHECK(gw.status_for("other.internal:80") == 200);
    CHECK(gw.status_for("other.internal:8080") == 421);
}

TEST_CASE("the address the gateway listens on is answered as Host, with its port only") {
    // What a reverse proxy sends by default (nginx: the proxy_pass address), and what a
    // browser sends only when it really connects to that address.
    NamedGateway gw;
    CHECK(gw.status_for(gw.listen_address()) == 200);
    CHECK(gw.status_for("127.0.0.1") == 421);
    CHECK(gw.status_for("127.0.0.1:1") == 421);
    CHECK(gw.status_for("localhost:" + std::to_string(gw.server->port())) == 421);
}

TEST_CASE("/healthz answers whatever Host a load balancer's probe carries") {
    NamedGateway gw;
    CHECK(gw.status_for("10.1.2.3:8080", "/healthz") == 200);
    CHECK(gw.status_for("attacker.example", "/healthz") == 200);
}

TEST_CASE("a request without a Host header, or with two, is refused with 400") {
    NamedGateway gw;
    CHECK(gw.status_for("", "/organizations/acme/") == 400);
    const std::string doubled = raw_exchange(
        gw.server->port(), "GET /organizations/acme/ HTTP/1.1\r\nHost: " + gw.listen_address() +
                               "\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
    CHECK(raw_status(doubled) == 400);
}

TEST_CASE("DNS rebinding cannot reach a loopback demo IdP") {
    TempDir dir;
    ServerProcess server(dir.file("gatehouse.db"),
                         {"--base-url", "http://127.0.0.1:8099", "--demo-idp"});
    const int port = server.port();
    CHECK(raw_status(raw_get(port, "/demo-idp/", "rebind.attacker.example:8099")) == 421);
    CHECK(raw_status(raw_get(port, "/demo-idp/metadata", "rebind.attacker.example")) == 421);
    CHECK(raw_status(raw_get(port, "/demo-idp/", "127.0.0.1:8099")) == 200);
}

TEST_CASE("serve refuses an --allowed-host that is not a host name") {
    TempDir dir;
    for (const std::string name : {"bad host", "sso.internal:0", "sso.internal:70000",
                                   "https://sso.internal", "sso.internal/path", ":8080"}) {
        CAPTURE(name);
        auto refused = run_gatehouse({"--db", dir.file("gatehouse.db"), "serve", "--listen",
                                      "127.0.0.1:0", "--allowed-host", name});
        CHECK(refused.exit_code == 2);
        CHECK(refused.err.find("is not a host name") != std::string::npos);
    }
}

TEST_CASE("GATEHOUSE_ALLOWED_HOSTS is read as a comma-separated list, each name checked") {
    TempDir dir;
    auto refused =
        run_gatehouse({"--db", dir.file("gatehouse.db"), "serve", "--listen", "127.0.0.1:0"}, "",
                      {{"GATEHOUSE_ALLOWED_HOSTS", "sso.internal,bad host!"}});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("'bad host!' is not a host name") != std::string::npos);
    CHECK(refused.err.find("'sso.internal'") == std::string::npos);
}

TEST_CASE("serve --help describes --allowed-host") {
    auto help = run_gatehouse({"serve", "--help"});
    CHECK(help.out.find("--allowed-host") != std::string::npos);
    CHECK(help.out.find("GATEHOUSE_ALLOWED_HOSTS") != std::string::npos);
}
