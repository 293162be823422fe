#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "gatehouse/http/server.hpp"
#include "gatehouse/util/log.hpp"
#include "mail_options.hpp"
#include "sp_key_pair.hpp"

namespace gatehouse::cli {
namespace {

struct ServeOptions {
    std::string base_url = "http://127.0.0.1:8080";
    std::string listen = "127.0.0.1:8080";
    std::string metrics_listen;  // empty: /metrics on the main listener, loopback clients only
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t threads = 0;
    http::ConnectionLimits limits;
    int head_timeout_seconds = 10;
    int idle_timeout_seconds = 5;
    int write_timeout_seconds = 15;
    std::vector<std::string> trusted_proxies;
    std::string log_level = "info";
    std::string sp_key;  // empty, with sp_cert: the state folder's key pair file
    std::string sp_cert;
    int session_hours = 12;
    int idle_minutes = 120;
    bool allow_private_metadata_urls = false;
    std::string metadata_ca_file;
    int metadata_refresh_minutes = 60;
    std::string github_url = "https://github.com";
    std::string github_api_url = "https://api.github.com";
    bool demo_idp = false;
    std::vector<std::string> allowed_hosts;
    int purge_interval_seconds = 300;
    MailOptions mail;
};

int serve(const GlobalOptions& global, const ServeOptions& options) {
    auto base_url = http::normalise_base_url(options.base_url);
    if (!base_url) {
        std::cerr << "gatehouse serve: " << base_url.error().message << "\n";
        return kExitUsage;
    }
    auto listen = http::parse_listen_address(options.listen);
    if (!listen) {
        std::cerr << "gatehouse serve: " << listen.error().message << "\n";
        return kExitUsage;
    }
    std::optional<std::pair<std::string, int>> metrics_listen;
    if (!options.metrics_listen.empty()) {
        auto parsed = http::parse_listen_address(options.metrics_listen);
        if (!parsed) {
            std::cerr << "gatehouse serve: --metrics-listen: " << parsed.error().message << "\n";
            return kExitUsage;
        }
        if (*parsed == *listen && parsed->second != 0) {
            std::cerr << "gatehouse serve: --metrics-listen must differ from --listen: the "
                         "metrics listener is a socket of its own.\n";
            return kExitUsage;
        }
        metrics_listen = std::move(*parsed);
    }
    // The demo IdP signs anyone in as anyone: both the URLs it hands out and the socket it
    // answers on must stay on this machine.
    const std::string listen_host =
        listen->first.find(':') != std::string::npos ? "[" + listen->first + "]" : listen->first;
    if (options.demo_idp && (!http::is_loopback_base_url(*base_url) ||
                             !http::is_loopback_base_url("http://" + listen_host))) {
        std::cerr << "gatehouse serve: --demo-idp signs anyone in as anyone, so it runs only "
                     "with a loopback base URL (http://127.0.0.1:PORT or http://localhost:PORT) "
                     "and a loopback --listen address.\n";
        return kExitUsage;
    }
    std::vector<std::string> allowed_hosts;
    for (const auto& name : options.allowed_hosts) {
        auto allowed = http::normalise_allowed_host(name);
        if (!allowed) {
            std::cerr << "gatehouse serve: " << allowed.error().message << "\n";
            return kExitUsage;
        }
        allowed_hosts.push_back(std::move(*allowed));
    }
    if (options.sp_key.empty() != options.sp_cert.empty()) {
        std::cerr << "gatehouse serve: --sp-key and --sp-cert go together: give both, or "
                     "neither for the key pair file beside the store.\n";
        return kExitUsage;
    }
    if (options.limits.max_buffered_body_bytes < options.max_body_bytes) {
        std::cerr << "gatehouse serve: --max-buffered-body-bytes must be at least "
                     "--max-body-bytes, or no body of the largest size could be taken.\n";
        return kExitUsage;
    }
    if (auto proxies = http::check_trusted_proxies(options.trusted_proxies); !proxies) {
        std::cerr << "gatehouse serve: " << proxies.error().message << "\n";
        return kExitUsage;
    }
    if (options.log_level == "debug") util::set_log_level(util::LogLevel::debug);
    if (options.log_level == "warning") util::set_log_level(util::LogLevel::warning);
    if (options.log_level == "error") util::set_log_level(util::LogLevel::error);

    // Block the stop signals in every thread; one thread waits for them with sigwait, so
    // shutdown runs as ordinary code rather than inside a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    // glibc gives busy threads arenas of their own (up to eight per core), and each keeps
    // what a large response freed; across the workers that is most of the server's memory.
    mallopt(M_ARENA_MAX, 2);
    // A sign-in allocates and frees a few hundred kilobytes; with glibc's defaults each free
    // that leaves the top of an arena over 128 KiB hands the pages back (madvise, brk) and
    // the next request faults them in again. Keep up to 32 MiB per arena, and serve blocks up
    // to 4 MiB from the arenas rather than from fresh mappings.
    mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);

    // Each connection is a descriptor: take the hard limit, and say so when even that is
    // below the connection cap, since accept would then fail before the cap answers 503.
    if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
        const rlim_t wanted = options.limits.max_connections + 64;
        if (files.rlim_cur != RLIM_INFINITY && files.rlim_cur < wanted) {
            util::log_event(util::LogLevel::warning, "server.descriptor_limit",
                            {{"limit", static_cast<std::uint64_t>(files.rlim_cur)},
                             {"max_connections", options.limits.max_connections},
                             {"detail",
                              "raise the open-files limit (ulimit -n) or lower "
                              "--max-connections"}});
        }
    }

    util::SystemClock clock;
    auto sp = load_or_create_sp_credentials(global, options.sp_key, options.sp_cert, clock);
    if (!sp) {
        std::cerr << "gatehouse serve: " << sp.error().message << "\n";
        return kExitFailure;
    }
    auto store = open_store(global);
    if (!store) return kExitFailure;
    store = store::with_transaction_metrics(std::move(store));

    http::ServerConfig config;
    config.base_url = *base_url;
    config.host = listen->first;
    config.port = listen->second;
    if (metrics_listen) {
        config.metrics_host = metrics_listen->first;
        config.metrics_port = metrics_listen->second;
    }
    config.max_body_bytes = options.max_body_bytes;
    config.threads = options.threads;
    config.limits = options.limits;
    config.limits.head_timeout_ms = options.head_timeout_seconds * 1000;
    config.limits.idle_timeout_ms = options.idle_timeout_seconds * 1000;
    config.limits.write_timeout_ms = options.write_timeout_seconds * 1000;
    config.trusted_proxies = options.trusted_proxies;
    config.sp = *sp;
    // With the key pair in the state folder, `gatehouse sp-key rotate` may stage and switch
    // key pairs while serving: follow its files.
    std::optional<SpKeyReloader> sp_key_reloader;
    if (const auto state = state_key_pair_path(global.db_path);
        options.sp_key.empty() && !state.empty() && *sp) {
        auto ring = read_key_ring(state);
        if (!ring) {
            std::cerr << "gatehouse serve: " << ring.error().message << "\n";
            return kExitFailure;
        }
        if (ring->next || ring->previous) {
            util::log_event(
                util::LogLevel::info, "server.sp_key_rollover",
                {{"next",
                  ring->next ? ring->next->certificate().sha256_fingerprint() : std::string()},
                 {"previous", ring->previous ? ring->previous->certificate().sha256_fingerprint()
                                             : std::string()}});
        }
        config.sp_keys = std::make_shared<saml::SpKeys>(std::move(*ring));
        sp_key_reloader.emplace(state, config.sp_keys, std::chrono::seconds(2));
    }
    config.sessions.absolute_seconds = options.session_hours * 3600;
    config.sessions.idle_seconds = options.idle_minutes * 60;
    config.metadata_fetch.allow_private_addresses = options.allow_private_metadata_urls;
    config.metadata_fetch.ca_file = options.metadata_ca_file;
    config.metadata_refresh_minutes = options.metadata_refresh_minutes;
    config.github_url = options.github_url;
    config.github_api_url = options.github_api_url;
    config.demo_idp = options.demo_idp;
    // The demo IdP's key sits beside a SQLite file; with PostgreSQL, in the working folder.
    config.demo_idp_key_path = store::is_postgres_url(global.db_path)
                                   ? std::string("var/demo-idp-key.pem")
                                   : global.db_path + ".demo-idp-key.pem";
    config.allowed_hosts = std::move(allowed_hosts);
    config.purge_interval_seconds = options.purge_interval_seconds;
    auto mail_sender = start_mail_sender(options.mail, *store, clock);
    if (!mail_sender) {
        std::cerr << "gatehouse serve: " << mail_sender.error().message << "\n";
        return kExitUsage;
    }
    http::Server server(config, *store, clock);
    if (auto bound = server.bind(); !bound) {
        util::log_event(util::LogLevel::error, "server.bind_failed",
                        {{"error", bound.error().message}});
        return kExitFailure;
    }
    util::log_event(util::LogLevel::info, "server.listening",
                    {{"address", config.host + ":" + std::to_string(server.port())},
                     {"port", server.port()},
                     {"base_url", config.base_url},
                     {"db", store::loggable_db(global.db_path)},
                     {"workers", http::worker_count(config.threads, http::available_cpus())},
                     {"schema_version", store->schema_version()}});
    if (server.metrics_port() >= 0) {
        util::log_event(
            util::LogLevel::info, "server.metrics_listening",
            {{"address", config.metrics_host + ":" + std::to_string(server.metrics_port())},
             {"port", server.metrics_port()}});
    }

    std::thread signal_waiter([&server, stop_signals] {
        int received = 0;
        sigwait(&stop_signals, &received);
        util::log_event(util::LogLevel::info, "server.stopping",
                        {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
        server.stop();
    });
    const Status served = server.serve();
    if (*mail_sender) (*mail_sender)->stop();
    // serve() can also end without a signal (socket failure): wake the waiter so it exits.
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
    signal_waiter.join();
    if (!served) {
        util::log_event(util::LogLevel::error, "server.failed",
                        {{"error", served.error().message}});
        return kExitFailure;
    }
    util::log_event(util::LogLevel::info, "server.stopped");
    return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, GlobalOptions& global, std::function<int()>& command) {
    auto options = std::make_shared<ServeOptions>();
    CLI::App* sub = app.add_subcommand("serve", "Run the gateway: SAML and SCIM for every org");
    sub->add_option("--base-url", options->base_url, "Public URL of the gateway")
        ->envname("GATEHOUSE_BASE_URL")
        ->capture_default_str();
    sub->add_option("--listen", options->listen, "HOST:PORT to listen on (port 0: any free port)")
        ->envname("GATEHOUSE_LISTEN")
        ->capture_default_str();
    sub->add_option("--metrics-listen", options->metrics_listen,
                    "HOST:PORT of a listener of its own for /metrics and /healthz (default: "
                    "/metrics on --listen, to clients on this machine only)")
        ->envname("GATEHOUSE_METRICS_LISTEN");
    sub->add_option("--max-body-bytes", options->max_body_bytes,
                    "Largest request body accepted (413 above)")
        ->envname("GATEHOUSE_MAX_BODY_BYTES")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{64} * 1024 * 1024))
        ->capture_default_str();
    sub->add_option("--threads", options->threads,
                    "Worker threads for complete requests (waiting connections hold none); 0: "
                    "two per CPU the process may run on")
        ->envname("GATEHOUSE_THREADS")
        ->check(CLI::Range(std::size_t{0}, std::size_t{256}))
        ->capture_default_str();
    sub->add_option("--head-timeout", options->head_timeout_seconds,
                    "Seconds a request line and headers may take from their first byte")
        ->envname("GATEHOUSE_HEAD_TIMEOUT")
        ->check(CLI::Range(1, 300))
        ->capture_default_str();
    sub->add_option("--idle-timeout", options->idle_timeout_seconds,
                    "Seconds a connection may wait for its next request")
        ->envname("GATEHOUSE_IDLE_TIMEOUT")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    sub->add_option("--write-timeout", options->write_timeout_seconds,
                    "Seconds an answer may take to be written")
        ->envname("GATEHOUSE_WRITE_TIMEOUT")
        ->check(CLI::Range(1, 300))
        ->capture_default_str();
    sub->add_option("--min-body-rate", options->limits.min_body_bytes_per_second,
                    "Bytes per second a request body must average, after --head-timeout of grace")
        ->envname("GATEHOUSE_MIN_BODY_RATE")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1024} * 1024 * 1024))
        ->capture_default_str();
    sub->add_option("--max-head-bytes", options->limits.max_head_bytes,
                    "Largest request line plus headers (431 above)")
        ->envname("GATEHOUSE_MAX_HEAD_BYTES")
        ->check(CLI::Range(std::size_t{4096}, std::size_t{1024} * 1024))
        ->capture_default_str();
    sub->add_option("--max-connections-per-client", options->limits.max_connections_per_client,
                    "Open connections one client address may hold (503 above; trusted "
                    "proxies excepted)")
        ->envname("GATEHOUSE_MAX_CONNECTIONS_PER_CLIENT")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
        ->capture_default_str();
    sub->add_option("--max-connections", options->limits.max_connections,
                    "Open connections in all (503 above)")
        ->envname("GATEHOUSE_MAX_CONNECTIONS")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
        ->capture_default_str();
    sub->add_option("--max-queued-requests", options->limits.max_queued_requests,
                    "Complete requests that may wait for a worker (503 above)")
        ->envname("GATEHOUSE_MAX_QUEUED_REQUESTS")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
        ->capture_default_str();
    sub->add_option("--max-buffered-body-bytes", options->limits.max_buffered_body_bytes,
                    "Request bodies held in memory at once, in all (503 above)")
        ->envname("GATEHOUSE_MAX_BUFFERED_BODY_BYTES")
        ->check(CLI::Range(std::size_t{64} * 1024, std::size_t{64} * 1024 * 1024 * 1024))
        ->capture_default_str();
    sub->add_option("--trusted-proxy", options->trusted_proxies,
                    "Reverse proxy address or CIDR range whose X-Forwarded-For and "
                    "X-Forwarded-Proto are believed (repeatable; default: none)")
        ->envname("GATEHOUSE_TRUSTED_PROXIES")
        ->delimiter(',');
    sub->add_option("--log-level", options->log_level, "debug, info, warning or error")
        ->envname("GATEHOUSE_LOG_LEVEL")
        ->check(CLI::IsMember({"debug", "info", "warning", "error"}))
        ->capture_default_str();
    sub->add_option("--sp-key", options->sp_key,
                    "SP private key (PEM) for signing and decryption (default: sp-key.pem "
                    "beside a SQLite store, created on first start with mode 0600)")
        ->envname("GATEHOUSE_SP_KEY");
    sub->add_option("--sp-cert", options->sp_cert,
                    "SP certificate (PEM) published in the metadata; with --sp-key")
        ->envname("GATEHOUSE_SP_CERT");
    sub->add_option("--session-hours", options->session_hours, "Absolute session lifetime")
        ->envname("GATEHOUSE_SESSION_HOURS")
        ->check(CLI::Range(1, 24 * 30))
        ->capture_default_str();
    sub->add_option("--idle-minutes", options->idle_minutes,
                    "Session ends after this long without a request")
        ->envname("GATEHOUSE_IDLE_MINUTES")
        ->check(CLI::Range(1, 24 * 60 * 30))
        ->capture_default_str();
    sub->add_flag("--allow-private-metadata-urls", options->allow_private_metadata_urls,
                  "Let metadata URLs reach loopback and private addresses (off: refused)")
        ->envname("GATEHOUSE_ALLOW_PRIVATE_METADATA_URLS");
    sub->add_option("--metadata-ca-file", options->metadata_ca_file,
                    "Extra CA certificates (PEM) trusted when fetching metadata URLs")
        ->envname("GATEHOUSE_METADATA_CA_FILE")
        ->check(CLI::ExistingFile);
    sub->add_option("--metadata-refresh-minutes", options->metadata_refresh_minutes,
                    "Fetch metadata URLs again this often (0: never)")
        ->envname("GATEHOUSE_METADATA_REFRESH_MINUTES")
        ->check(CLI::Range(0, 7 * 24 * 60))
        ->capture_default_str();
    sub->add_option("--github-url", options->github_url,
                    "GitHub's web base URL, for GitHub sign-in (GitHub Enterprise Server)")
        ->envname("GATEHOUSE_GITHUB_URL")
        ->capture_default_str();
    sub->add_option("--github-api-url", options->github_api_url,
                    "GitHub's REST API base URL, for GitHub sign-in")
        ->envname("GATEHOUSE_GITHUB_API_URL")
        ->capture_default_str();
    sub->add_flag("--demo-idp", options->demo_idp,
                  "Mount a demo IdP at /demo-idp/ that signs anyone in (loopback base URL only)")
        ->envname("GATEHOUSE_DEMO_IDP");
    sub->add_option("--allowed-host", options->allowed_hosts,
                    "Another Host name to answer, NAME or NAME:PORT (repeatable; every Host "
                    "but these, the base URL's and the listen address gets 421)")
        ->envname("GATEHOUSE_ALLOWED_HOSTS")
        ->delimiter(',');
    sub->add_option("--purge-interval", options->purge_interval_seconds,
                    "Purge expired sessions, pending sign-ins, replay entries and old audit "
                    "entries every this many seconds, and once at start (0: never)")
        ->envname("GATEHOUSE_PURGE_INTERVAL")
        ->check(CLI::Range(0, 24 * 3600))
        ->capture_default_str();
    add_mail_options(*sub, options->mail);
    sub->callback([&global, &command, options] {
        command = [&global, options] { return serve(global, *options); };
    });
}

}  // namespace gatehouse::cli
