// A soak: the real `gatehouse serve` on SQLite under mixed load for many minutes, to show
// that it keeps answering as it did, with no unexpected error, its memory flat and no
// descriptor leaked. First it measures the mix's peak throughput with as many clients as it
// can use, then drives the mix at a fraction of that rate (--load, 0.8 by default) for
// --minutes, and reports each minute: requests per second, latency p50 and p99, unexpected
// answers, resident memory, open descriptors and the size of SQLite's write-ahead log.
//
// The mix, by share of operations:
//   30%  a sign-in: GET /auth/login/ for a fresh AuthnRequest, then POST /saml/acs/ with a
//        Response the test IdP signs for it, one of 200 users (Entra-shaped, 6 KB);
//   25%  a SCIM user change on one of 400 slots: create, PATCH, PUT or DELETE;
//   15%  a SCIM group change: a PATCH adding or removing a member of one of 20 groups;
//   20%  a page view: the org's landing page, its SP metadata, a SCIM filter, /healthz;
//   10%  bad input: an ACS post that is not a Response, a wrong SCIM token, malformed JSON.
// Every operation has exactly one expected status; anything else is an unexpected answer.
//
// Passes when there was no unexpected answer, every minute after the warm-up kept resident
// memory within ±10% of its value at the end of the warm-up, and no minute after it held
// more descriptors than the warm-up's last minute did (plus 2, for a connection being
// replaced at that moment). Prints one JSON line per minute and a Markdown summary; exits 1
// when it fails.
//
//   soak --out DIR [--minutes 10] [--warmup-minutes 2] [--load 0.8] [--clients 16]
//        [--peak-seconds 30] [--server-cpu 0]
#include <sys/types.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "bench_setup.hpp"
#include "entra_response.hpp"
#include "gatehouse/util/crypto.hpp"
#include "gatehouse/util/deflate.hpp"
#include "gatehouse/util/encoding.hpp"
#include "load.hpp"
#include "support/saml_idp.hpp"

using namespace gatehouse;
using namespace gatehouse::bench;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kOrg = "soak";
constexpr const char* kBaseUrl = "https://gatehouse.soak.test";
constexpr std::size_t kUsers = 200;
constexpr std::size_t kSlots = 400;
constexpr std::size_t kGroups = 20;
const std::string kScim = std::string("/api/0/organizations/") + kOrg + "/scim/v2";
const std::string kLoginCookie = "__Host-gh_login=" + std::string(43, 's');

std::string request_id_of(const std::string& location) {
    const std::regex parameter("[?&]SAMLRequest=([^&]+)");
    std::smatch match;
    if (!std::regex_search(location, match, parameter)) return {};
    const auto decoded = util::url_decode(match[1].str());
    const auto deflated = decoded ? util::base64_decode(*decoded) : std::nullopt;
    if (!deflated) return {};
    const auto xml = util::inflate_raw(*deflated, 1 << 20);
    std::smatch id;
    const std::regex id_attribute(" ID=\"([^\"]+)\"");
    if (!xml || !std::regex_search(*xml, id, id_attribute)) return {};
    return id[1].str();
}

// Reads a number from a line of /proc/PID/status ("VmRSS:   1234 kB"); -1 when absent.
long status_kib(int pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    }
    return -1;
}

long open_descriptors(int pid) {
    long count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        ++count;
    }
    return count;
}

double file_mib(const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return error ? 0 : static_cast<double>(size) / (1024 * 1024);
}

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * sorted.size()));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// What every client shares: the SCIM slots and groups, and the minute's figures.
class Soak {
  public:
    Soak(const testing::TestIdp& idp, SpIdentity sp, int port, std::string token)
        : idp_(idp), sp_(std::move(sp)), port_(port), token_(std::move(token)) {}

    void create_groups(httplib::Client& client) {
        for (std::size_t g = 0; g < kGroups; ++g) {
            const json body = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                               {"displayName", "Soak group " + std::to_string(g)}};
            auto res = client.Post(kScim + "/Groups", scim_headers(), body.dump(),
                                   "application/scim+json");
            if (!res || res->status != 201) throw std::runtime_error("cannot create a group");
            groups_[g].id = json::parse(res->body)["id"].get<std::string>();
        }
    }

    // Runs operation `index` of the mix; returns "" or what was unexpected.
    std::string run(httplib::Client& client, std::size_t index, std::mt19937_64& random) {
        switch (index % 20) {
            case 0:
            case 1:
            case 2:
            case 3:
            case 4:
            case 5:
                return sign_in(client, index);
            case 6:
            case 7:
            case 8:
            case 9:
            case 10:
                return user_change(client, random);
            case 11:
            case 12:
            case 13:
                return group_change(client, random);
            case 14:
                return expect(client.Get("/organizations/" + std::string(kOrg) + "/"), 200);
            case 15:
                return expect(client.Get("/saml/metadata/" + std::string(kOrg) + "/"), 200);
            case 16:
                return expect(client.Get(kScim + "/Users?filter=" +
                                             util::url_encode("userName eq \"soak-" +
                                                              std::to_string(random() % kSlots) +
                                                              "@example.com\""),
                                         scim_headers()),
                              200);
            case 17:
                return expect(client.Get("/healthz"), 200);
            case 18:
                return expect(
                    client.Post("/saml/acs/" + std::string(kOrg) + "/", {{"Cookie", kLoginCookie}},
                                "SAMLResponse=" + util::url_encode("not a response"),
                                "application/x-www-form-urlencoded"),
                    403);
            default:
                if (random() % 2 == 0) {
                    return expect(client.Get(kScim + "/Users", {{"Authorization", "Bearer wrong"}}),
                                  401);
                }
                return expect(client.Post(kScim + "/Users", scim_headers(), "{\"schemas\": [",
                                          "application/scim+json"),
                              400);
        }
    }

    // The figures of one minute: latencies (ms) and unexpected answers.
    void record(double latency_ms, const std::string& problem) {
        std::lock_guard lock(minute_mutex_);
        latencies_.push_back(latency_ms);
        if (!problem.empty()) {
            ++unexpected_;
            if (problems_.size() < 5) problems_.push_back(problem);
        }
    }
    struct Minute {
        std::vector<double> latencies;
        long unexpected = 0;
        std::vector<std::string> problems;
    };
    Minute take_minute() {
        std::lock_guard lock(minute_mutex_);
        Minute minute{std::move(latencies_), unexpected_, std::move(problems_)};
        latencies_.clear();
        problems_.clear();
        unexpected_ = 0;
        return minute;
    }

  private:
    struct Slot {
        std::mutex mutex;
        std::string id;  // empty: no such user now
    };
    struct Group {
        std::mutex mutex;
        std::string id;
        std::vector<std::size_t> members;  // slots
    };

    httplib::Headers scim_headers() const { return {{"Authorization", "Bearer " + token_}}; }

    static std::string expect(const httplib::Result& res, int status) {
        if (!res) return "no answer (" + httplib::to_string(res.error()) + ")";
        if (res->status == status) return {};
        return "status " + std::to_string(res->status) + " where " + std::to_string(status) +
               " was expected: " + res->body.substr(0, 200);
    }

    std::string sign_in(httplib::Client& client, std::size_t index) {
        const std::string location =
            testing::raw_location(port_, std::string("/auth/login/") + kOrg + "/", kLoginCookie);
        const std::string request_id = request_id_of(location);
        if (request_id.empty()) return "GET /auth/login/ gave no AuthnRequest: " + location;
        const std::string body =
            "SAMLResponse=" + util::url_encode(entra_response_base64(
                                  idp_, sp_, request_id, index % kUsers, serial_++,
                                  util::SystemClock{}.now(), 300, Signing::assertion));
        auto res = client.Post(std::string("/saml/acs/") + kOrg + "/", {{"Cookie", kLoginCookie}},
                               body, "application/x-www-form-urlencoded");
        return expect(res, 303);
    }

    std::string user_change(httplib::Client& client, std::mt19937_64& random) {
        const std::size_t n = random() % kSlots;
        Slot& slot = slots_[n];
        std::lock_guard lock(slot.mutex);
        const std::string user_name = "soak-" + std::to_string(n) + "@example.com";
        if (slot.id.empty()) {
            const json body = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                               {"userName", user_name},
                               {"name", {{"givenName", "Soak"}, {"familyName", std::to_string(n)}}},
                               {"emails", {{{"value", user_name}, {"primary", true}}}},
                               {"active", true}};
            auto res =
                client.Post(kScim + "/Users", scim_headers(), body.dump(), "application/scim+json");
            if (auto problem = expect(res, 201); !problem.empty()) return problem;
            slot.id = json::parse(res->body)["id"].get<std::string>();
            return {};
        }
        const std::string path = kScim + "/Users/" + slot.id;
        switch (random() % 3) {
            case 0: {
                const json body = {
                    {"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                    {"Operations",
                     {{{"op", "replace"}, {"path", "active"}, {"value", random() % 2 == 0}}}}};
                return expect(
                    client.Patch(path, scim_headers(), body.dump(), "application/scim+json"), 200);
            }
            case 1: {
                const json body = {
                    {"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                    {"userName", user_name},
                    {"name", {{"givenName", "Soak"}, {"familyName", util::random_token(6)}}},
                    {"active", true}};
                return expect(
                    client.Put(path, scim_headers(), body.dump(), "application/scim+json"), 200);
            }
            default: {
                // Group membership goes with the user: forget it under each group's lock.
                if (auto problem = expect(client.Delete(path, scim_headers()), 204);
                    !problem.empty()) {
                    return problem;
                }
                for (Group& group : groups_) {
                    std::lock_guard group_lock(group.mutex);
                    std::erase(group.members, n);
                }
                slot.id.clear();
                return {};
            }
        }
    }

    std::string group_change(httplib::Client& client, std::mt19937_64& random) {
        const std::size_t n = random() % kSlots;
        Slot& slot = slots_[n];
        std::lock_guard lock(slot.mutex);
        if (slot.id.empty()) return expect(client.Get(kScim + "/Groups", scim_headers()), 200);
        Group& group = groups_[random() % kGroups];
        std::lock_guard group_lock(group.mutex);
        const bool member =
            std::find(group.members.begin(), group.members.end(), n) != group.members.end();
        const json operation =
            member ? json{{"op", "remove"}, {"path", "members[value eq \"" + slot.id + "\"]"}}
                   : json{{"op", "add"}, {"path", "members"}, {"value", {{{"value", slot.id}}}}};
        const json body = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                           {"Operations", {operation}}};
        auto res = client.Patch(kScim + "/Groups/" + group.id, scim_headers(), body.dump(),
                                "application/scim+json");
        if (!res || (res->status != 200 && res->status != 204)) return expect(res, 204);
        if (member) {
            std::erase(group.members, n);
        } else {
            group.members.push_back(n);
        }
        return {};
    }

    const testing::TestIdp& idp_;
    const SpIdentity sp_;
    const int port_;
    const std::string token_;
    std::atomic<std::size_t> serial_{1};
    std::array<Slot, kSlots> slots_;
    std::array<Group, kGroups> groups_;
    std::mutex minute_mutex_;
    std::vector<double> latencies_;
    long unexpected_ = 0;
    std::vector<std::string> problems_;
};

// Runs the mix over `clients` keep-alive clients until `end`. With `rate` > 0 the clients
// together start `rate` operations per second, evenly spaced; with 0 each starts its next
// as soon as its last is answered. Returns how many operations ran.
std::size_t drive(Soak& soak, int port, int clients, double rate, Clock::time_point end) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    const Clock::time_point start = Clock::now();
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            httplib::Client client("127.0.0.1", port);
            client.set_keep_alive(true);
            client.set_read_timeout(30, 0);
            std::mt19937_64 random(static_cast<std::uint64_t>(c) * 7919 + 17);
            for (std::size_t k = 0;; ++k) {
                if (rate > 0) {
                    const auto due =
                        start +
                        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                            (static_cast<double>(k) * clients + c) / rate));
                    if (due >= end) break;
                    std::this_thread::sleep_until(due);
                } else if (Clock::now() >= end) {
                    break;
                }
                const std::size_t index = next++;
                const double began = now_ms();
                const std::string problem = soak.run(client, index, random);
                soak.record(now_ms() - began, problem);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    return next.load();
}

}  // namespace

int main(int argc, char** argv) try {
    const auto args = parse_args(argc, argv);
    const std::filesystem::path out = arg_or(args, "out", "soak-out");
    std::filesystem::create_directories(out);
    const int minutes = std::stoi(arg_or(args, "minutes", "10"));
    const int warmup = std::stoi(arg_or(args, "warmup-minutes", minutes >= 5 ? "2" : "1"));
    const double load = std::stod(arg_or(args, "load", "0.8"));
    const int clients = std::stoi(arg_or(args, "clients", "16"));
    const int peak_seconds = std::stoi(arg_or(args, "peak-seconds", "30"));
    const int server_cpu = std::stoi(arg_or(args, "server-cpu", "0"));
    if (minutes <= warmup) throw std::runtime_error("--minutes must exceed --warmup-minutes");

    const testing::TestIdp idp("https://sts.windows.net/72f988bf-soak-tenant/");
    const SpIdentity sp{std::string(kBaseUrl) + "/saml/metadata/" + kOrg + "/",
                        std::string(kBaseUrl) + "/saml/acs/" + kOrg + "/"};
    write_file(out / "idp.crt", idp.identity().certificate_pem);
    BenchDatabase database(StoreKind::sqlite, out, "soak", -1);
    const std::string db = database.db();
    gatehouse_cli(db, {"org", "create", kOrg});
    gatehouse_cli(db, {"saml", "configure", kOrg, "--entity-id", idp.entity_id(), "--sso-url",
                       "https://login.microsoftonline.example/soak/saml2", "--cert",
                       (out / "idp.crt").string(), "--preset", "entra", "--jit", "true"});
    std::string token = gatehouse_cli(db, {"scim-token", "create", kOrg, "--quiet"});
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
        token.pop_back();
    }
    const auto sp_identity = testing::generate_identity("gatehouse.soak.test");
    write_file(out / "sp.key", sp_identity.private_key_pem);
    write_file(out / "sp.crt", sp_identity.certificate_pem);
    GatewayFleet fleet(db,
                       {"--base-url", kBaseUrl, "--sp-key", (out / "sp.key").string(), "--sp-cert",
                        (out / "sp.crt").string()},
                       1, server_cpu);
    const int port = fleet.ports().front();
    const int pid = fleet.pids().front();

    Soak soak(idp, sp, port, token);
    {
        httplib::Client client("127.0.0.1", port);
        soak.create_groups(client);
    }

    std::cerr << "soak: measuring the mix's peak over " << peak_seconds << " s with " << clients
              << " clients\n";
    const auto peak_ops =
        drive(soak, port, clients, 0, Clock::now() + std::chrono::seconds(peak_seconds));
    const auto peak_minute = soak.take_minute();
    if (peak_minute.unexpected > 0) {
        throw std::runtime_error("the peak run had unexpected answers: " +
                                 peak_minute.problems.front());
    }
    const double peak = static_cast<double>(peak_ops) / peak_seconds;
    const double rate = peak * load;
    emit("soak_peak", {{"operations_per_second", peak}, {"target_per_second", rate}});
    std::cerr << "soak: peak " << std::fixed << std::setprecision(1) << peak
              << " operations/s; driving " << rate << "/s for " << minutes << " min\n";

    // Every client drives the mix for the whole soak; this thread reads the figures each
    // minute.
    const Clock::time_point start = Clock::now();
    const Clock::time_point end = start + std::chrono::minutes(minutes);
    std::thread driver([&] { drive(soak, port, clients, rate, end); });
    struct Row {
        int minute;
        double per_second, p50, p99, rss_mib, wal_mib;
        long unexpected, descriptors;
    };
    std::vector<Row> rows;
    std::vector<std::string> problems;
    for (int minute = 1; minute <= minutes; ++minute) {
        std::this_thread::sleep_until(start + std::chrono::minutes(minute));
        if (minute == minutes) driver.join();
        auto figures = soak.take_minute();
        std::sort(figures.latencies.begin(), figures.latencies.end());
        const Row row{minute,
                      static_cast<double>(figures.latencies.size()) / 60,
                      percentile(figures.latencies, 50),
                      percentile(figures.latencies, 99),
                      static_cast<double>(status_kib(pid, "VmRSS")) / 1024,
                      file_mib(db + "-wal"),
                      figures.unexpected,
                      open_descriptors(pid)};
        rows.push_back(row);
        for (auto& problem : figures.problems) problems.push_back(std::move(problem));
        emit("soak_minute", {{"minute", double(row.minute)},
                             {"operations_per_second", row.per_second},
                             {"p50_ms", row.p50},
                             {"p99_ms", row.p99},
                             {"unexpected", double(row.unexpected)},
                             {"rss_mib", row.rss_mib},
                             {"descriptors", double(row.descriptors)},
                             {"wal_mib", row.wal_mib}});
    }

    const Row& baseline = rows[warmup - 1];
    long unexpected = 0;
    std::vector<std::string> failures;
    for (const Row& row : rows) {
        unexpected += row.unexpected;
        if (row.minute <= warmup) continue;
        if (std::abs(row.rss_mib - baseline.rss_mib) > 0.10 * baseline.rss_mib) {
            failures.push_back("minute " + std::to_string(row.minute) + ": resident memory " +
                               std::to_string(row.rss_mib) + " MiB is over 10% from " +
                               std::to_string(baseline.rss_mib) + " MiB");
        }
        if (row.descriptors > baseline.descriptors + 2) {
            failures.push_back("minute " + std::to_string(row.minute) + ": " +
                               std::to_string(row.descriptors) + " open descriptors, " +
                               std::to_string(baseline.descriptors) + " after the warm-up");
        }
    }
    if (unexpected > 0) {
        failures.push_back(std::to_string(unexpected) +
                           " unexpected answers, the first: " + problems.front());
    }

    std::ostringstream table;
    table << std::fixed << std::setprecision(1);
    table << "| minute | ops/s | p50 ms | p99 ms | unexpected | RSS MiB | descriptors | WAL MiB |\n"
          << "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row& row : rows) {
        table << "| " << row.minute << (row.minute <= warmup ? " (warm-up)" : "") << " | "
              << row.per_second << " | " << std::setprecision(2) << row.p50 << " | " << row.p99
              << std::setprecision(1) << " | " << row.unexpected << " | " << row.rss_mib << " | "
              << row.descriptors << " | " << row.wal_mib << " |\n";
    }
    std::cerr << "\nsoak: " << minutes << " min at " << rate << " operations/s (" << load * 100
              << "% of the measured peak, " << peak << "/s), " << clients << " clients\n\n"
              << table.str() << "\n";
    if (!failures.empty()) {
        for (const auto& failure : failures) std::cerr << "soak: FAILED: " << failure << "\n";
        return 1;
    }
    std::cerr << "soak: passed: no unexpected answer, resident memory within 10% of "
              << baseline.rss_mib << " MiB and descriptors at most " << baseline.descriptors + 2
              << " after the warm-up\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "soak: " << e.what() << "\n";
    return 2;
}
