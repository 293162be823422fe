#include "gatehouse/http/server.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include "gatehouse/service/metadata_refresh.hpp"
#include "gatehouse/util/log.hpp"
#include "pages.hpp"
#include "request_context.hpp"
#include "routes.hpp"

namespace gatehouse::http {

RequestContext& current_request() {
    thread_local RequestContext context;
    return context;
}

namespace {

// Paths that name an org, and where the slug stands in them.
const std::regex& org_path_pattern() {
    static const std::regex pattern(
        "^/(?:saml/(?:metadata|acs|sls)|auth/(?:login|logout)|organizations|settings|"
        "api/0/organizations)/([^/]+)(?:/.*)?$");
    return pattern;
}

// Finds the org the path names. Returns false (and answers 404) for an unknown org.
bool resolve_org(store::Store& store, const httplib::Request& req, httplib::Response& res) {
    RequestContext& context = current_request();
    std::smatch match;
    if (!std::regex_match(req.path, match, org_path_pattern())) return true;
    context.org_slug = match[1].str();
    const Status status = store.read([&](store::Transaction& tx) -> Status {
        context.org = tx.org_by_slug(context.org_slug);
        return {};
    });
    if (!status) {
        send_error(req, res, 503, "store.unavailable",
                   "The service is unavailable; try again shortly.");
        return false;
    }
    if (!context.org) {
        send_error(req, res, 404, "org.not_found", "There is no organization with that name here.");
        return false;
    }
    return true;
}

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

struct Server::Impl {
    ServerConfig config;
    store::Store& store;
    const util::Clock& clock;
    httplib::Server http;
    AppContext app;
    int bound_port = -1;
    std::mutex stop_mutex;
    std::condition_variable stop_changed;
    bool stop_requested = false;  // guarded by stop_mutex

    Impl(ServerConfig c, store::Store& s, const util::Clock& k)
        : config(std::move(c)),
          store(s),
          clock(k),
          app{config.base_url,
              store,
              clock,
              config.sp,
              config.sessions,
              config.base_url.rfind("https://", 0) == 0,
              config.max_body_bytes,
              nullptr,
              nullptr,
              config.demo_idp,
              config.demo_idp_key_path} {
        service::SsoSettings settings;
        settings.base_url = config.base_url;
        settings.sessions = config.sessions;
        app.sso = std::make_shared<service::SsoService>(store, clock, settings, config.sp);
        app.metadata = std::make_shared<HttpsMetadataSource>(config.metadata_fetch);
    }
};

Server::Server(ServerConfig config, store::Store& store, const util::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(config), store, clock)) {
    auto& http = impl_->http;
    Impl* impl = impl_.get();
    const std::size_t threads = impl->config.threads;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(impl->config.max_body_bytes);
    http.set_read_timeout(15, 0);
    http.set_write_timeout(15, 0);
    http.set_keep_alive_max_count(1000);
    // httplib writes headers and body separately; without TCP_NODELAY, Nagle plus the
    // client's delayed ACK add about 40 ms to every keep-alive response.
    http.set_tcp_nodelay(true);

    http.set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response& res) {
        RequestContext& context = current_request();
        context = RequestContext{};
        context.started_ms = util::monotonic_ms();
        add_security_headers(res);
        return resolve_org(impl->store, req, res) ? httplib::Server::HandlerResponse::Unhandled
                                                  : httplib::Server::HandlerResponse::Handled;
    });

    http.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            if (res.status == 413) {
                send_error(req, res, 413, "request.too_large",
                           "The request body is larger than this server accepts.");
            } else if (res.status == 404) {
                send_error(req, res, 404, "not_found", "There is nothing at this address.");
            } else {
                send_error(req, res, res.status, "request.refused",
                           "The request could not be handled.");
            }
            return httplib::Server::HandlerResponse::Handled;
        }));

    http.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
            std::string what = "unknown";
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            util::log_event(util::LogLevel::error, "http.exception",
                            {{"path", req.path}, {"error", what}});
            send_error(req, res, 500, "internal",
                       "The request failed on our side; it has been logged.");
        });

    http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        const RequestContext& context = current_request();
        nlohmann::json fields = {
            {"method", req.method},
            {"path", req.path},  // never the query: it can carry SAML messages
            {"status", res.status},
            {"duration_ms", std::round((util::monotonic_ms() - context.started_ms) * 1000) / 1000}};
        if (!context.org_slug.empty()) fields["org"] = context.org_slug;
        util::log_event(util::LogLevel::info, "http.request", fields);
    });

    register_system_routes(http, impl->app);
    register_org_routes(http, impl->app);
    register_scim_routes(http, impl->app);
    register_saml_routes(http, impl->app);
    register_password_routes(http, impl->app);
    register_identity_routes(http, impl->app);
    register_admin_routes(http, impl->app);
    register_settings_auth_pages(http, impl->app);
    register_settings_member_pages(http, impl->app);
    if (impl->app.demo_idp) register_demo_idp_routes(http, impl->app);
}

Server::~Server() = default;

Status Server::bind() {
    auto& impl = *impl_;
    if (impl.config.port == 0) {
        impl.bound_port = impl.http.bind_to_any_port(impl.config.host);
    } else if (impl.http.bind_to_port(impl.config.host, impl.config.port)) {
        impl.bound_port = impl.config.port;
    }
    if (impl.bound_port <= 0) {
        return fail("server.bind", "Cannot listen on " + impl.config.host + ":" +
                                       std::to_string(impl.config.port) +
                                       " (address in use or not available).");
    }
    return {};
}

Status Server::serve() {
    Impl& impl = *impl_;
    // Refreshing lives exactly as long as serving: stop() ends listen_after_bind, and the
    // refresher's destructor then stops and joins its thread.
    std::optional<service::MetadataRefresher> refresher;
    if (impl.config.metadata_refresh_minutes > 0) {
        refresher.emplace(impl.store, impl.clock, *impl.app.metadata,
                          impl.config.metadata_refresh_minutes * 60);
    }
    // httplib ignores stop() until its accept loop has started, so a stop requested just
    // before (a SIGTERM right after the listening line) would be lost. This thread waits for
    // the request and repeats httplib's stop until serving has really ended.
    std::atomic<bool> served{false};
    std::thread stopper([&impl, &served] {
        std::unique_lock lock(impl.stop_mutex);
        impl.stop_changed.wait(lock, [&] { return impl.stop_requested || served.load(); });
        lock.unlock();
        while (!served.load()) {
            impl.http.stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    const bool listened = impl.http.listen_after_bind();
    {
        std::lock_guard lock(impl.stop_mutex);
        served = true;
    }
    impl.stop_changed.notify_all();
    stopper.join();
    if (!listened) {
        return fail("server.listen", "The server stopped accepting connections unexpectedly.");
    }
    return {};
}

void Server::stop() {
    {
        std::lock_guard lock(impl_->stop_mutex);
        impl_->stop_requested = true;
    }
    impl_->stop_changed.notify_all();
}

int Server::port() const { return impl_->bound_port; }

}  // namespace gatehouse::http
