// The HTTP front of Gatehouse: one server for every org, routing by org slug. Turns
// requests into service calls and results into responses; no business rule lives here.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gatehouse/http/metadata_fetcher.hpp"
#include "gatehouse/saml/keys.hpp"
#include "gatehouse/saml/sp_key_ring.hpp"
#include "gatehouse/service/session_service.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/result.hpp"
#include "gatehouse/util/time.hpp"

namespace gatehouse::http {

// What one client, slow or not, may hold of the server; every value is a serve flag.
struct ConnectionLimits {
    int head_timeout_ms = 10'000;   // request line and headers, from their first byte
    int idle_timeout_ms = 5'000;    // a connection waiting for a request
    int write_timeout_ms = 15'000;  // an answer
    std::size_t min_body_bytes_per_second = 1024;  // after head_timeout_ms of grace
    std::size_t max_head_bytes = 32 * 1024;
    std::size_t max_connections_per_client = 64;  // trusted proxies excepted
    std::size_t max_connections = 10'000;
    std::size_t max_queued_requests = 1024;  // complete requests waiting for a worker
    std::size_t max_buffered_body_bytes = 256 * 1024 * 1024;  // bodies held at once, in all
};

struct ServerConfig {
    // Public URL of the gateway, without a trailing slash ("https://sso.example.com"). Every
    // URL given to an IdP (entity ID, ACS, SLS) starts with it.
    std::string base_url = "http://127.0.0.1:8080";
    std::string host = "127.0.0.1";
    int port = 8080;  // 0 = any free port (see Server::port)
    std::size_t max_body_bytes = 1024 * 1024;
    // Threads that run complete requests; 0 = worker_count's default. Waiting connections
    // hold none.
    std::size_t threads = 0;
    ConnectionLimits limits;
    // Peers (reverse proxies) whose X-Forwarded-For and X-Forwarded-Proto are believed, each
    // an address or CIDR range that check_trusted_proxies accepts (the constructor throws
    // std::invalid_argument on any other).
    std::vector<std::string> trusted_proxies;
    // The SP's signing and decryption key pair; null leaves the SAML endpoints answering
    // 503 until one is configured.
    std::shared_ptr<const saml::SpCredentials> sp;
    // Set instead of `sp` when the key pairs may roll over while serving (gatehouse sp-key
    // rotate): whoever replaces its ring changes the keys of the requests that follow.
    std::shared_ptr<saml::SpKeys> sp_keys;
    service::SessionPolicy sessions;
    MetadataFetchOptions metadata_fetch;
    // How often providers configured from a metadata URL are fetched again; 0 = never.
    int metadata_refresh_minutes = 60;
    // GitHub's web and API base URLs (GitHub Enterprise Server, or a stand-in in tests).
    std::string github_url = "https://github.com";
    std::string github_api_url = "https://api.github.com";
    // Mounts the demo IdP at /demo-idp/ (only for loopback base URLs; see serve --demo-idp).
    // Its signing key is kept in demo_idp_key_path, created on first use.
    bool demo_idp = false;
    std::string demo_idp_key_path;
    // Host header values answered besides the base URL's host[:port] and the listen address
    // (serve --allowed-host), each as normalise_allowed_host returns it. Every other Host is
    // answered 421, so a name an attacker points at this server (DNS rebinding) reaches
    // nothing; /healthz alone answers any Host.
    std::vector<std::string> allowed_hosts;
    // Where /metrics is served. With metrics_host empty, on the main listener to loopback
    // clients only (the client address after the trusted-proxy rule). Otherwise on a
    // listener of its own at metrics_host:metrics_port (0 = any free port; see
    // Server::metrics_port), which serves /metrics and /healthz to any client that reaches
    // it, whatever its Host header, and the main listener serves no /metrics.
    std::string metrics_host;
    int metrics_port = 0;
    // How often expired and old rows are purged from the store (service::MaintenanceSweeper),
    // the first time when serving starts; 0 = never (run `gatehouse maintenance purge`).
    int purge_interval_seconds = 300;
};

// Splits "host:port" ("127.0.0.1:8080", "[::1]:0"). Error code "config.listen".
Result<std::pair<std::string, int>> parse_listen_address(const std::string& text);

// Checks a base URL: http or https, a host, no query or fragment; returns it without a
// trailing slash. Error code "config.base_url".
Result<std::string> normalise_base_url(const std::string& text);

// Checks one extra name the server answers to (serve --allowed-host): a DNS name, an IPv4
// address or a bracketed IPv6 address, optionally followed by ":PORT". A name without a port
// also matches its base-URL scheme's default port. Returns it lowercased. Error code
// "config.allowed_host".
Result<std::string> normalise_allowed_host(const std::string& text);

// Checks the --trusted-proxy values: each an IPv4 or IPv6 address or CIDR range. Error code
// "config.trusted_proxy".
Status check_trusted_proxies(const std::vector<std::string>& texts);

// The CPUs this process may run on (its affinity mask), at least 1.
std::size_t available_cpus();

// Worker threads for `requested` (0 = default) on `cpus` CPUs. The default is two per CPU:
// one runs while the other waits on the store or a password hash. More workers than that
// only share the same CPUs more finely, so every request in progress finishes later and the
// slowest answers grow the most.
std::size_t worker_count(std::size_t requested, std::size_t cpus);

// Whether a normalised base URL names this machine only (localhost, 127.0.0.0/8 or [::1]),
// the one place where the demo IdP may run.
bool is_loopback_base_url(const std::string& base_url);

// Before any route runs, each request is checked in this order: not exactly one Host header
// is a 400; a Host other than the base URL's host[:port], the bound listen address or an
// allowed host is a 421 (/healthz excepted); a path holding a control character (after
// percent-decoding: NUL, CR, LF, …) is a 400; a path under an org's prefix whose org does not
// exist is a 404. So every org route runs with the org its own path names.
class Server {
  public:
    // `store` and `clock` must outlive the server.
    Server(ServerConfig config, store::Store& store, const util::Clock& clock);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds the listening socket, and the metrics listener's when one is configured. Error
    // code "server.bind" when an address is taken or invalid. After success, port() is the
    // bound port.
    Status bind();

    // Serves until stop() is called; returns after in-flight requests have finished.
    Status serve();

    // Asks serve() to return. Safe from any thread (not from a signal handler).
    void stop();

    int port() const;

    // The bound port of the metrics listener; -1 when there is none.
    int metrics_port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::http
