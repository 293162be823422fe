#include "gatehouse/http/server.hpp"

#include <sched.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string_view>
#include <thread>
#include <vector>

#include "forwarded.hpp"
#include "front.hpp"
#include "gatehouse/service/maintenance.hpp"
#include "gatehouse/service/metadata_refresh.hpp"
#include "gatehouse/service/org_lookup.hpp"
#include "gatehouse/util/log.hpp"
#include "gatehouse/util/metrics.hpp"
#include "org_alias_routing.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "request_metrics.hpp"
#include "router.hpp"
#include "routes.hpp"

namespace gatehouse::http {

RequestContext& current_request() {
    thread_local RequestContext context;
    return context;
}

namespace {

// Every route of an org is registered as one of these prefixes followed by "([^/]+)": the
// slug is the path segment right after the prefix.
constexpr std::array<std::string_view, 9> kOrgPathPrefixes{
    "/saml/metadata/", "/saml/acs/",      "/saml/sls/", "/auth/login/",         "/auth/logout/",
    "/auth/callback/", "/organizations/", "/settings/", "/api/0/organizations/"};

// The slug an org path names, or nullopt for a path outside every org. The slug ends at the
// next '/', exactly where a route's ([^/]+) ends, so the org resolved here is the org of the
// handler's own match whatever the rest of the path holds. (A regex over the whole path
// disagreed with the routes: its '.' stops at a line break, so a %0A further on left the org
// unresolved for a handler that had matched.)
std::optional<std::string_view> org_slug_of(std::string_view path) {
    for (const std::string_view prefix : kOrgPathPrefixes) {
        if (path.substr(0, prefix.size()) != prefix) continue;
        const std::string_view rest = path.substr(prefix.size());
        return rest.substr(0, rest.find('/'));
    }
    return std::nullopt;
}

// Control characters (NUL, CR, LF, …) have no business in a path; refusing them before
// routing keeps every handler and every log line from having to think about them.
bool has_control_character(std::string_view path) {
    return std::any_of(path.begin(), path.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

// Finds the org the path names. Returns false after answering the request: 404 for a path
// under an org prefix whose org does not exist (so no org route ever runs without its org),
// 503 when the store cannot say.
bool resolve_org(store::Store& store, const Request& req, Response& res) {
    RequestContext& context = current_request();
    const auto slug = org_slug_of(req.path);
    if (!slug) return true;
    context.org_slug = std::string(*slug);
    std::optional<core::Org> org;
    bool by_alias = false;
    if (!slug->empty()) {
        auto found = service::find_org_by_name(store, context.org_slug);
        if (!found) {
            send_error(req, res, 503, "store.unavailable",
                       "The service is unavailable; try again shortly.");
            return false;
        }
        if (*found) {
            org = std::move((*found)->org);
            by_alias = (*found)->by_alias;
        }
    }
    if (!org) {
        send_error(req, res, 404, "org.not_found", "There is no organization with that name here.");
        return false;
    }
    // A renamed org's old slug (org_alias_routing.hpp): the IdP's URLs are served, the rest
    // redirected to the current slug.
    const std::size_t slug_start = static_cast<std::size_t>(slug->data() - req.path.data());
    if (by_alias && !served_under_alias(req.path, slug_start + slug->size())) {
        const std::string prefix = req.path.substr(0, slug_start);
        redirect_to_current_slug(req, res, target_under_slug(req.target, prefix, org->slug));
        return false;
    }
    context.org = std::move(org);
    return true;
}

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The Host values that name `authority` ("host" or "host:port"): itself, and when the port is
// the scheme's default (or absent), the form with and the form without it, since clients
// differ in whether they send a default port.
std::vector<std::string> host_forms(const std::string& authority, int default_port) {
    const std::string text = lowercase(authority);
    const auto bracket = text.rfind(']');
    const auto colon = text.rfind(':');
    const bool has_port =
        colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
    const std::string host = has_port ? text.substr(0, colon) : text;
    const std::string default_form = host + ":" + std::to_string(default_port);
    if (!has_port) return {host, default_form};
    if (text == default_form) return {host, default_form};
    return {text};
}

// "host[:port]" of a normalised base URL, and its scheme's default port.
std::pair<std::string, int> base_url_authority(const std::string& base_url) {
    const auto scheme_end = base_url.find("://");
    const int default_port = base_url.rfind("https://", 0) == 0 ? 443 : 80;
    if (scheme_end == std::string::npos) return {std::string(), default_port};
    const std::string rest = base_url.substr(scheme_end + 3);
    return {rest.substr(0, rest.find('/')), default_port};
}

// The /healthz probe answers whatever Host it carries: load balancers and orchestrators probe
// a backend by its address, and the probe reads nothing an attacker could want.
bool answers_any_host(const Request& req) { return req.path == "/healthz"; }

}  // namespace

Result<std::pair<std::string, int>> parse_listen_address(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        return fail("config.listen", "The listen address must be HOST:PORT, e.g. 127.0.0.1:8080.");
    }
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    int port = 0;
    for (const char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9' || port > 65535) {
            return fail("config.listen",
                        "The port in '" + text + "' is not a number from 0 to 65535.");
        }
        port = port * 10 + (c - '0');
    }
    if (port > 65535) return fail("config.listen", "The port in '" + text + "' is above 65535.");
    return std::pair{host, port};
}

Result<std::string> normalise_base_url(const std::string& text) {
    static const std::regex pattern(
        R"(^https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~\-/]*)?$)");
    if (!std::regex_match(text, pattern)) {
        return fail("config.base_url",
                    "The base URL must look like https://sso.example.com (http or https, a host, "
                    "an optional port and path, no query).");
    }
    std::string url = text;
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    return url;
}

bool is_loopback_base_url(const std::string& base_url) {
    const auto scheme_end = base_url.find("://");
    if (scheme_end == std::string::npos) return false;
    std::string authority = base_url.substr(scheme_end + 3);
    authority = authority.substr(0, authority.find('/'));
    std::string host;
    if (!authority.empty() && authority.front() == '[') {
        host = authority.substr(0, authority.find(']') + 1);
    } else {
        host = authority.substr(0, authority.find(':'));
    }
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (host == "localhost" || host == "[::1]") return true;
    const auto scope = classify_address(host);
    return scope && *scope == AddressScope::loopback;
}

Result<std::string> normalise_allowed_host(const std::string& text) {
    static const std::regex pattern(
        R"(^(?:[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$)");
    std::smatch match;
    const bool shaped = std::regex_match(text, match, pattern);
    const int port = shaped && match[1].matched ? std::stoi(match[1].str()) : 0;
    if (!shaped || (match[1].matched && (port < 1 || port > 65535))) {
        return fail("config.allowed_host",
                    "'" + text +
                        "' is not a host name: give a name or address, optionally with :PORT "
                        "(sso.internal, 10.0.0.5:8080, [::1]:8080).");
    }
    // "name:080" and "name:80" are the same place; keep the form clients send.
    const std::string host =
        text.substr(0, match.length(0) - (match[1].matched ? match.length(1) + 1 : 0));
    return lowercase(match[1].matched ? host + ":" + std::to_string(port) : host);
}

std::size_t available_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return std::max(1, CPU_COUNT(&set));
}

std::size_t worker_count(std::size_t requested, std::size_t cpus) {
    if (requested > 0) return requested;
    return 2 * std::max<std::size_t>(cpus, 1);
}

Status check_trusted_proxies(const std::vector<std::string>& texts) {
    if (auto parsed = parse_trusted_proxies(texts); !parsed) return parsed.error();
    return {};
}

namespace {

// Every value of header `name`, in the order received.
std::vector<std::string> header_values(const Request& req, std::string_view name) {
    std::vector<std::string> values;
    auto [first, last] = req.headers.equal_range(name);
    for (; first != last; ++first) values.push_back(first->second);
    return values;
}

// The ranges of a configuration the CLI has checked with check_trusted_proxies; anything else
// reaching here is a programming error.
std::vector<AddressRange> trusted_ranges(const std::vector<std::string>& texts) {
    auto parsed = parse_trusted_proxies(texts);
    if (!parsed) throw std::invalid_argument(parsed.error().message);
    return std::move(*parsed);
}

}  // namespace

struct Server::Impl {
    ServerConfig config;
    store::Store& store;
    const util::Clock& clock;
    Router http;
    std::vector<AddressRange> trusted;
    std::unique_ptr<HttpFront> front;
    AppContext app;
    int bound_port = -1;
    // The metrics listener (ServerConfig::metrics_host), with its own small route table.
    Router metrics_http;
    std::unique_ptr<HttpFront> metrics_front;
    int metrics_bound_port = -1;
    // Host header values this server answers to (lowercase); fixed once bind() has added the
    // listen address, read by every worker after that.
    std::vector<std::string> accepted_hosts;

    Impl(ServerConfig c, store::Store& s, const util::Clock& k)
        : config(std::move(c)),
          store(s),
          clock(k),
          trusted(trusted_ranges(config.trusted_proxies)),
          app{config.base_url,
              store,
              clock,
              config.sp_keys
                  ? config.sp_keys
                  : std::make_shared<saml::SpKeys>(saml::SpKeyRing{config.sp, nullptr, nullptr}),
              config.sessions,
              config.base_url.rfind("https://", 0) == 0,
              config.max_body_bytes,
              nullptr,
              nullptr,
              nullptr,
              nullptr,
              config.demo_idp,
              config.demo_idp_key_path,
              service::InvitationSettings{config.base_url}} {
        service::SsoSettings settings;
        settings.base_url = config.base_url;
        settings.sessions = config.sessions;
        app.sso = std::make_shared<service::SsoService>(store, clock, settings, app.sp_keys);
        app.metadata = std::make_shared<HttpsMetadataSource>(config.metadata_fetch);
        app.idp_http = std::make_shared<HttpsClient>(config.metadata_fetch, "oidc.fetch");
        service::OidcSettings oidc;
        oidc.base_url = config.base_url;
        oidc.sessions = config.sessions;
        oidc.github_url = config.github_url;
        oidc.github_api_url = config.github_api_url;
        app.oidc = std::make_shared<service::OidcService>(store, clock, oidc, app.idp_http);
        const auto [authority, default_port] = base_url_authority(config.base_url);
        accepted_hosts = host_forms(authority, default_port);
        for (const auto& name : config.allowed_hosts) {
            for (auto& form : host_forms(name, default_port))
                accepted_hosts.push_back(std::move(form));
        }
    }

    // The address the server listens on names it too: a reverse proxy sends it as Host by
    // default (nginx's $proxy_host), and a browser sends it only when it really connects to
    // that address, which no DNS answer can arrange. A wildcard address names nothing.
    void accept_listen_address() {
        const std::string& host = config.host;
        if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") return;
        const bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
        accepted_hosts.push_back(
            lowercase((ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(bound_port)));
    }

    // Whether the request's Host names this gateway.
    bool names_this_server(const Request& req) const {
        const std::string host = lowercase(req.get_header_value("Host"));
        return std::find(accepted_hosts.begin(), accepted_hosts.end(), host) !=
               accepted_hosts.end();
    }

    void handle(Request& req, Response& res);
    void handle_metrics_listener(Request& req, Response& res);
    static void route(const Router& router, Request& req, Response& res);
    static void log_request(const Request& req, const Response& res);

    bool is_trusted_proxy(const std::string& peer) const { return contains(trusted, peer); }

    // Names the client by the trusted-proxy rule, once, before anything reads it.
    void identify_client(Request& req) const {
        req.client_address = forwarded_client_address(
            req.peer_address, header_values(req, "X-Forwarded-For"), trusted);
        req.scheme =
            forwarded_scheme(req.peer_address, header_values(req, "X-Forwarded-Proto"), trusted)
                .value_or("http");
    }

    // The checks before routing (see Server in server.hpp). Returns false after answering.
    bool admit(const Request& req, Response& res) {
        if (req.get_header_value_count("Host") != 1) {
            send_error(req, res, 400, "request.host", "The request must carry one Host header.");
            return false;
        }
        // DNS rebinding points a name the attacker controls at this server, and the browser
        // then lets the attacker's page read our answers; the Host it sends is the attacker's
        // name, so answering only to our own names stops it (a loopback demo IdP most of all).
        if (!answers_any_host(req) && !names_this_server(req)) {
            util::log_event(util::LogLevel::warning, "http.misdirected",
                            {{"host", req.get_header_value("Host")}, {"path", req.path}});
            send_error(req, res, 421, "request.misdirected",
                       "This server does not answer to that host name.");
            return false;
        }
        if (has_control_character(req.path)) {
            send_error(req, res, 400, "request.malformed_path",
                       "The address contains control characters.");
            return false;
        }
        return resolve_org(store, req, res);
    }
};

namespace {

// Starts the thread-local context of the request a worker takes up.
void begin_request() {
    RequestContext& context = current_request();
    context = RequestContext{};
    context.started_ms = util::monotonic_ms();
}

// Replaces whatever a handler began with the error answer for what it threw, after logging it.
void answer_thrown(const Request& req, Response& res, std::string_view event,
                   const std::exception& e, int status, const std::string& code,
                   const std::string& message) {
    util::log_event(util::LogLevel::error, event, {{"path", req.path}, {"error", e.what()}});
    res = Response{};
    add_security_headers(res);
    send_error(req, res, status, code, message);
}

constexpr const char* kInternalError = "The request failed on our side; it has been logged.";

}  // namespace

// Runs one complete request: the checks before routing, the route, and the answers for what
// no route gave (404, 405, an error status without a body, an exception). One worker runs a
// request from start to end, so the thread-local RequestContext is this request's alone.
void Server::Impl::handle(Request& req, Response& res) {
    begin_request();
    identify_client(req);
    add_security_headers(res);
    try {
        if (admit(req, res)) route(http, req, res);
    } catch (const OrgNotResolved& e) {
        answer_thrown(req, res, "http.org_unresolved", e, 404, "org.not_found",
                      "There is no organization with that name here.");
    } catch (const std::exception& e) {
        answer_thrown(req, res, "http.exception", e, 500, "internal", kInternalError);
    }
    log_request(req, res);
}

// A request to the metrics listener: no Host check (a scraper names the target as its own
// configuration does) and no org; only its two routes.
void Server::Impl::handle_metrics_listener(Request& req, Response& res) {
    begin_request();
    req.client_address = req.peer_address;
    req.scheme = "http";
    add_security_headers(res);
    try {
        route(metrics_http, req, res);
    } catch (const std::exception& e) {
        answer_thrown(req, res, "http.exception", e, 500, "internal", kInternalError);
    }
    log_request(req, res);
}

void Server::Impl::route(const Router& router, Request& req, Response& res) {
    switch (router.dispatch(req, res)) {
        case Router::Outcome::no_route:
            send_error(req, res, 404, "not_found", "There is nothing at this address.");
            return;
        case Router::Outcome::wrong_method:
            send_error(req, res, 405, "request.method",
                       "This address does not answer to " + req.method + ".");
            return;
        case Router::Outcome::handled:
            break;
    }
    if (res.status >= 400 && res.body.empty() && !current_request().answered) {
        send_error(req, res, res.status, "request.refused", "The request could not be handled.");
    }
}

void Server::Impl::log_request(const Request& req, const Response& res) {
    const RequestContext& context = current_request();
    const double elapsed_ms = util::monotonic_ms() - context.started_ms;
    record_request_metrics(req, res, elapsed_ms / 1000);
    nlohmann::json fields = {
        {"method", req.method}, {"path", req.path},  // never the query: it can carry SAML messages
        {"status", res.status}, {"client", req.client_address},
        {"scheme", req.scheme}, {"duration_ms", std::round(elapsed_ms * 1000) / 1000}};
    if (!context.org_slug.empty()) fields["org"] = context.org_slug;
    util::log_event(util::LogLevel::info, "http.request", fields);
    current_request() = RequestContext{};  // nothing of this request reaches the next
}

Server::Server(ServerConfig config, store::Store& store, const util::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(config), store, clock)) {
    Impl* impl = impl_.get();
    const ServerConfig& settings = impl->config;

    FrontLimits limits;
    limits.head_timeout = std::chrono::milliseconds(settings.limits.head_timeout_ms);
    limits.idle_timeout = std::chrono::milliseconds(settings.limits.idle_timeout_ms);
    limits.min_body_bytes_per_second = settings.limits.min_body_bytes_per_second;
    limits.write_timeout = std::chrono::milliseconds(settings.limits.write_timeout_ms);
    limits.max_head_bytes = settings.limits.max_head_bytes;
    limits.max_body_bytes = settings.max_body_bytes;
    limits.max_connections_per_client = settings.limits.max_connections_per_client;
    limits.max_connections = settings.limits.max_connections;
    limits.workers = worker_count(settings.threads, available_cpus());
    limits.max_queued_requests = settings.limits.max_queued_requests;
    limits.max_buffered_body_bytes = settings.limits.max_buffered_body_bytes;
    limits.is_trusted_proxy = [impl](const std::string& peer) {
        return impl->is_trusted_proxy(peer);
    };
    FrontHandlers handlers;
    handlers.handle = [impl](Request& req, Response& res) { impl->handle(req, res); };
    handlers.refuse = [](const Request& req, Response& res, int status, const std::string& code,
                         const std::string& message) {
        util::metrics::count_http_refusal(status, code);
        add_security_headers(res);
        send_error(req, res, status, code, message);
    };
    if (!settings.metrics_host.empty()) {
        // A scraper every few seconds: a few connections and one worker are plenty, and
        // nothing it is sent can hold more.
        FrontLimits metrics_limits = limits;
        metrics_limits.max_connections = 64;
        metrics_limits.max_connections_per_client = 16;
        metrics_limits.workers = 1;
        metrics_limits.max_queued_requests = 16;
        metrics_limits.max_body_bytes = 0;
        metrics_limits.max_buffered_body_bytes = 0;
        metrics_limits.is_trusted_proxy = [](const std::string&) { return false; };
        FrontHandlers metrics_handlers = handlers;
        metrics_handlers.handle = [impl](Request& req, Response& res) {
            impl->handle_metrics_listener(req, res);
        };
        impl->metrics_front =
            std::make_unique<HttpFront>(std::move(metrics_limits), std::move(metrics_handlers));
        impl->app.metrics_on_main_listener = false;
        register_metrics_listener_routes(impl->metrics_http, impl->app);
    }
    impl->front = std::make_unique<HttpFront>(std::move(limits), std::move(handlers));

    auto& http = impl->http;
    register_system_routes(http, impl->app);
    register_org_routes(http, impl->app);
    register_scim_routes(http, impl->app);
    register_saml_routes(http, impl->app);
    register_oidc_routes(http, impl->app);
    register_logout_routes(http, impl->app);
    register_password_routes(http, impl->app);
    register_invitation_routes(http, impl->app);
    register_identity_routes(http, impl->app);
    register_admin_routes(http, impl->app);
    register_settings_auth_pages(http, impl->app);
    register_settings_member_pages(http, impl->app);
    register_settings_org_name_pages(http, impl->app);
    if (impl->app.demo_idp) register_demo_idp_routes(http, impl->app);
}

Server::~Server() = default;

Status Server::bind() {
    auto& impl = *impl_;
    if (const Status bound = impl.front->bind(impl.config.host, impl.config.port); !bound) {
        return bound;
    }
    impl.bound_port = impl.front->port();
    impl.accept_listen_address();
    if (impl.metrics_front) {
        const Status bound =
            impl.metrics_front->bind(impl.config.metrics_host, impl.config.metrics_port);
        if (!bound) return bound;
        impl.metrics_bound_port = impl.metrics_front->port();
    }
    return {};
}

Status Server::serve() {
    Impl& impl = *impl_;
    // Refreshing lives exactly as long as serving: the refresher's destructor stops and joins
    // its thread once the front has returned.
    std::optional<service::MetadataRefresher> refresher;
    if (impl.config.metadata_refresh_minutes > 0) {
        refresher.emplace(impl.store, impl.clock, *impl.app.metadata,
                          impl.config.metadata_refresh_minutes * 60);
    }
    // Purging likewise: without it anonymous sign-in starts would grow the store for ever.
    std::optional<service::MaintenanceSweeper> sweeper;
    if (impl.config.purge_interval_seconds > 0) {
        sweeper.emplace(impl.store, impl.clock,
                        std::chrono::seconds(impl.config.purge_interval_seconds));
    }
    std::thread metrics_thread;
    if (impl.metrics_front) metrics_thread = std::thread([&impl] { impl.metrics_front->serve(); });
    impl.front->serve();
    if (metrics_thread.joinable()) {
        impl.metrics_front->stop();
        metrics_thread.join();
    }
    return {};
}

void Server::stop() { impl_->front->stop(); }

int Server::port() const { return impl_->bound_port; }

int Server::metrics_port() const { return impl_->metrics_bound_port; }

}  // namespace gatehouse::http
