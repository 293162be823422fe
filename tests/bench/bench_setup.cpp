#include "bench_setup.hpp"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

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

PinnedServer::PinnedServer(const std::string& db, std::vector<std::string> serve_args,
                           int server_cpu) {
    const unsigned cpus = std::thread::hardware_concurrency();
    const bool pin = cpus > 1 && server_cpu >= 0;
    // The child inherits the affinity of the thread that starts it.
    if (pin && !pin_to_cpu(server_cpu)) throw std::runtime_error("cannot pin to the server CPU");
    process_ = std::make_unique<testing::ServerProcess>(db, std::move(serve_args));
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
    pid_ = child_pid_running(db);
    if (pid_ <= 0) throw std::runtime_error("cannot find the server process");
}

long PinnedServer::peak_rss_kib() const { return bench::peak_rss_kib(pid_); }

void PinnedServer::kill_hard() { process_->stop(SIGKILL); }

void emit(const std::string& bench, const std::map<std::string, double>& numbers,
          const std::map<std::string, std::string>& labels) {
    nlohmann::json line = {{"bench", bench}};
    for (const auto& [name, value] : numbers) line[name] = value;
    for (const auto& [name, value] : labels) line[name] = value;
    std::cout << line.dump() << std::endl;
}

}  // namespace gatehouse::bench
