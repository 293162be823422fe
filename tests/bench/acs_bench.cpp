// ACS throughput end to end: the real `gatehouse serve`, one org whose IdP is a bench IdP,
// pre-generated Entra-style Responses each answering a real pending AuthnRequest
// (SP-initiated), posted over keep-alive loopback connections. Every answer must be a 303
// with a session cookie. Also writes the IdP certificate and sample Responses that the
// peer libraries and the floor validate.
//
// The store is SQLite (a file in DIR) or a database on a private PostgreSQL server; with
// several gateway processes on that database, each sign-in starts at one process and its
// Response is posted to the next, so every sign-in consumes a pending request another
// process wrote.
//
//   acs_bench --out DIR [--per-run 600] [--runs 3] [--concurrency 1,4,16,64] [--server-cpu 0]
//             [--store sqlite|postgresql] [--processes 1]
//             [--attach PORT --db PATH --server-pid PID] [--before-load CMD] [--after-load CMD]
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>

#include "bench_setup.hpp"
#include "entra_response.hpp"
#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"
#include "load.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::bench;

namespace {

constexpr const char* kOrg = "bench";
constexpr const char* kBaseUrl = "https://gatehouse.bench.test";
constexpr std::size_t kUsers = 100;

// The ID of the AuthnRequest carried by a Redirect-binding URL.
std::string request_id_of(const std::string& location) {
    const std::regex parameter("[?&]SAMLRequest=([^&]+)");
    std::smatch match;
    if (!std::regex_search(location, match, parameter)) {
        throw std::runtime_error("the login redirect carries no SAMLRequest: " + location);
    }
    const auto decoded = util::url_decode(match[1].str());
    const auto deflated = decoded ? util::base64_decode(*decoded) : std::nullopt;
    const auto xml =
        deflated ? util::inflate_raw(*deflated, 1 << 20) : Result<std::string>(fail("x", "x"));
    std::smatch id;
    const std::regex id_attribute(" ID=\"([^\"]+)\"");
    if (!xml || !std::regex_search(*xml, id, id_attribute)) {
        throw std::runtime_error("cannot read the AuthnRequest ID from " + location);
    }
    return id[1].str();
}

// The login cookie of the one browser the bench plays: the gateway binds each login it starts
// to it and the ACS accepts the Response only with it (43 base64url characters, the form the
// gateway keeps rather than replaces). The base URL is https, so the cookie has its
// "__Host-" name; under the plain name the ACS would see a sign-in from another browser.
const std::string kLoginCookie = "__Host-gh_login=" + std::string(43, 'b');

// Starts a sign-in at the gateway on `port` and returns the ID of the AuthnRequest it sent.
std::string start_login(int port) {
    const std::string location =
        testing::raw_location(port, std::string("/auth/login/") + kOrg + "/", kLoginCookie);
    if (location.empty()) throw std::runtime_error("GET /auth/login/ gave no redirect");
    return request_id_of(location);
}

std::vector<std::size_t> parse_levels(const std::string& text) {
    std::vector<std::size_t> levels;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) levels.push_back(std::stoul(item));
    return levels;
}

RequestFn post_responses(const std::vector<std::string>& bodies) {
    return [&bodies](httplib::Client& client, std::size_t index) -> std::string {
        auto res = client.Post(std::string("/saml/acs/") + kOrg + "/", {{"Cookie", kLoginCookie}},
                               bodies[index], "application/x-www-form-urlencoded");
        if (!res) return "no answer (" + httplib::to_string(res.error()) + ")";
        if (res->status != 303 || !res->has_header("Set-Cookie")) {
            return "status " + std::to_string(res->status) + ", body: " + res->body.substr(0, 300);
        }
        return {};
    };
}

}  // namespace

int main(int argc, char** argv) try {
    const auto args = parse_args(argc, argv);
    const std::filesystem::path out = arg_or(args, "out", "bench-out");
    std::filesystem::create_directories(out);
    const std::size_t per_run = std::stoul(arg_or(args, "per-run", "600"));
    const int runs = std::stoi(arg_or(args, "runs", "3"));
    const auto levels = parse_levels(arg_or(args, "concurrency", "1,4,16,64"));
    const std::string before_load = arg_or(args, "before-load", "");
    const std::string after_load = arg_or(args, "after-load", "");

    const testing::TestIdp idp("https://sts.windows.net/72f988bf-bench-tenant/");
    const SpIdentity sp{std::string(kBaseUrl) + "/saml/metadata/" + kOrg + "/",
                        std::string(kBaseUrl) + "/saml/acs/" + kOrg + "/"};
    write_file(out / "idp.crt", idp.identity().certificate_pem);
    const auto sp_identity = testing::generate_identity("gatehouse.bench.test");
    write_file(out / "sp.key", sp_identity.private_key_pem);
    write_file(out / "sp.crt", sp_identity.certificate_pem);

    // Sample responses for the peers and the floor: valid for two hours, answering a
    // request only this SP knows, which the peers (configured not to track requests) ignore.
    const util::SystemClock clock;
    write_file(out / "assertion.b64", entra_response_base64(idp, sp, "_peer-request", 1, 1,
                                                            clock.now(), 7200, Signing::assertion));
    write_file(out / "both.b64", entra_response_base64(idp, sp, "_peer-request", 1, 2, clock.now(),
                                                       7200, Signing::response_and_assertion));
    write_file(out / "sp.json", "{\"entity_id\":\"" + sp.entity_id + "\",\"acs_url\":\"" +
                                    sp.acs_url + "\",\"idp_entity_id\":\"" + idp.entity_id() +
                                    "\"}\n");

    const bool attached = args.count("attach") > 0;
    const StoreKind store = parse_store_kind(arg_or(args, "store", "sqlite"));
    const int processes = std::stoi(arg_or(args, "processes", "1"));
    const int server_cpu = std::stoi(arg_or(args, "server-cpu", "0"));
    if (attached && processes != 1) throw std::runtime_error("--attach takes one process");
    // With one gateway the PostgreSQL server shares its CPU, as SQLite's work runs on the
    // gateway's own: "per core" then covers the gateway and its store on both backends.
    std::unique_ptr<BenchDatabase> database;
    if (!attached) {
        database =
            std::make_unique<BenchDatabase>(store, out, "acs", processes == 1 ? server_cpu : -1);
    }
    const std::string db = attached ? arg_or(args, "db", "") : database->db();
    gatehouse_cli(db, {"org", "create", kOrg});
    gatehouse_cli(db, {"saml", "configure", kOrg, "--entity-id", idp.entity_id(), "--sso-url",
                       "https://login.microsoftonline.example/bench/saml2", "--cert",
                       (out / "idp.crt").string(), "--preset", "entra", "--jit", "true"});

    std::unique_ptr<GatewayFleet> fleet;
    std::vector<int> ports;
    int cores = 1;
    if (attached) {
        ports = {std::stoi(arg_or(args, "attach", "0"))};
    } else {
        fleet = std::make_unique<GatewayFleet>(
            db,
            std::vector<std::string>{"--base-url", kBaseUrl, "--sp-key", (out / "sp.key").string(),
                                     "--sp-cert", (out / "sp.crt").string()},
            processes, server_cpu);
        ports = fleet->ports();
        cores = fleet->cores();
    }

    std::size_t serial = 1000;
    // Response i is posted to ports[i % n] (run_load's round robin); its sign-in starts at
    // the process after that one, so with several processes the ACS always consumes a
    // pending request written by another process.
    auto generate = [&](std::size_t count, Signing signing) {
        std::vector<std::string> bodies;
        const auto now = clock.now();
        for (std::size_t i = 0; i < count; ++i) {
            const auto request_id = start_login(ports[(i + 1) % ports.size()]);
            bodies.push_back("SAMLResponse=" +
                             util::url_encode(entra_response_base64(idp, sp, request_id, i % kUsers,
                                                                    ++serial, now, 3600, signing)));
        }
        return bodies;
    };

    // The first sign-in of each user creates the member (JIT); the timed runs measure the
    // steady state of members signing in again.
    {
        const auto warmup = generate(kUsers, Signing::assertion);
        run_load(ports, warmup.size(), 4, post_responses(warmup));
    }

    for (const Signing signing : {Signing::assertion, Signing::response_and_assertion}) {
        const std::string variant = signing == Signing::assertion ? "assertion" : "both";
        for (const std::size_t concurrency : levels) {
            for (int run = 1; run <= runs; ++run) {
                std::cerr << "acs (" << name_of(store) << " x" << ports.size() << "): " << variant
                          << " c=" << concurrency << " run " << run << "/" << runs
                          << ": generating " << per_run << " responses\n";
                const auto bodies = generate(per_run, signing);
                if (!before_load.empty() && std::system(before_load.c_str()) != 0) {
                    throw std::runtime_error("--before-load failed");
                }
                const auto result =
                    run_load(ports, bodies.size(), concurrency, post_responses(bodies));
                if (!after_load.empty() && std::system(after_load.c_str()) != 0) {
                    throw std::runtime_error("--after-load failed");
                }
                emit("acs",
                     {{"concurrency", double(concurrency)},
                      {"run", double(run)},
                      {"count", double(bodies.size())},
                      {"per_second", result.per_second()},
                      {"per_second_per_core", result.per_second() / cores},
                      {"cores", double(cores)},
                      {"processes", double(ports.size())},
                      {"p50_ms", result.percentile_ms(50)},
                      {"p99_ms", result.percentile_ms(99)}},
                     {{"variant", variant}, {"store", name_of(store)}});
            }
        }
    }
    const long rss = attached ? peak_rss_kib(std::stoi(arg_or(args, "server-pid", "-1")))
                              : fleet->peak_rss_kib();
    // With several processes: the largest of them.
    emit("acs_rss", {{"peak_rss_kib", double(rss)}, {"processes", double(ports.size())}},
         {{"store", name_of(store)}});
    return 0;
} catch (const std::exception& e) {
    std::cerr << "acs_bench: FAILED: " << e.what() << "\n";
    return 1;
}
