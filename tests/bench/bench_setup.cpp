#include "bench_setup.hpp"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "load.hpp"

namespace gatehouse::bench {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
    std::map<std::string, std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string name = argv[i];
        if (name.rfind("--", 0) != 0) throw std::runtime_error("unexpected argument " + name);
        name = name.substr(2);
        if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
            args[name] = argv[++i];
        } else {
            args[name] = "1";
        }
    }
    return args;
}

std::string arg_or(const std::map<std::string, std::string>& args, const std::string& name,
                   const std::string& fallback) {
    const auto found = args.find(name);
    return found == args.end() ? fallback : found->second;
}

std::string gatehouse_cli(const std::string& db, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--db", db};
    all.insert(all.end(), args.begin(), args.end());
    auto result = testing::run_gatehouse(all);
    if (result.exit_code != 0) {
        std::string command;
        for (const auto& arg : all) command += " " + arg;
        throw std::runtime_error("gatehouse" + command + " failed (" +
                                 std::to_string(result.exit_code) + "): " + result.out +
                                 result.err);
    }
    return result.out;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

StoreKind parse_store_kind(const std::string& name) {
    if (name == "sqlite") return StoreKind::sqlite;
    if (name == "postgresql") return StoreKind::postgresql;
    throw std::runtime_error("--store takes sqlite or postgresql, not " + name);
}

std::string name_of(StoreKind kind) { return kind == StoreKind::sqlite ? "sqlite" : "postgresql"; }

BenchDatabase::BenchDatabase(StoreKind kind, const std::filesystem::path& out,
                             const std::string& name, int postgres_cpu)
    : kind_(kind) {
    if (kind == StoreKind::sqlite) {
        db_ = (out / (name + ".db")).string();
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_ + suffix);
        return;
    }
    // The server forks from this thread and inherits its affinity; the thread gets its own
    // back once the server runs.
    cpu_set_t before;
    CPU_ZERO(&before);
    sched_getaffinity(0, sizeof before, &before);
    const bool pin = postgres_cpu >= 0 && std::thread::hardware_concurrency() > 1;
    if (pin && !pin_to_cpu(postgres_cpu)) {
        throw std::runtime_error("cannot pin to CPU " + std::to_string(postgres_cpu));
    }
    try {
        server_ = std::make_unique<testing::PostgresServer>();
    } catch (...) {
        sched_setaffinity(0, sizeof before, &before);
        throw;
    }
    sched_setaffinity(0, sizeof before, &before);
    db_ = server_->create_database();
}

GatewayFleet::GatewayFleet(const std::string& db, const std::vector<std::string>& serve_args,
                           int processes, int server_cpu) {
    if (processes < 1) throw std::runtime_error("a fleet needs at least one process");
    const unsigned cpus = std::thread::hardware_concurrency();
    const bool pin = processes == 1 && cpus > 1 && server_cpu >= 0;
    // The child inherits the affinity of the thread that starts it.
    if (pin && !pin_to_cpu(server_cpu)) throw std::runtime_error("cannot pin to the server CPU");
    for (int i = 0; i < processes; ++i) {
        servers_.push_back(std::make_unique<testing::ServerProcess>(db, serve_args));
        pids_.push_back(servers_.back()->pid());
    }
    if (pin) {
        // Every thread of this process moves off the server's CPU, including the log
        // reader ServerProcess just started.
        const int client_cpu = (server_cpu + 1) % static_cast<int>(cpus);
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(client_cpu, &set);
        for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
            sched_setaffinity(std::stoi(task.path().filename()), sizeof set, &set);
        }
    }
    cores_ = pin ? 1 : static_cast<int>(cpus == 0 ? 1 : cpus);
}

std::vector<int> GatewayFleet::ports() const {
    std::vector<int> ports;
    for (const auto& server : servers_) ports.push_back(server->port());
    return ports;
}

long GatewayFleet::peak_rss_kib() const {
    long largest = -1;
    for (const int pid : pids_) largest = std::max(largest, bench::peak_rss_kib(pid));
    return largest;
}

void GatewayFleet::kill_hard() {
    for (auto& server : servers_) server->stop(SIGKILL);
}

void emit(const std::string& bench, const std::map<std::string, double>& numbers,
          const std::map<std::string, std::string>& labels) {
    nlohmann::json line = {{"bench", bench}};
    for (const auto& [name, value] : numbers) line[name] = value;
    for (const auto& [name, value] : labels) line[name] = value;
    std::cout << line.dump() << std::endl;
}

}  // namespace gatehouse::bench
