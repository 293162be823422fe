#include "load.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <latch>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace gatehouse::bench {

double LoadResult::percentile_ms(double p) const {
    if (latencies_ms.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * latencies_ms.size()));
    return latencies_ms[std::min(latencies_ms.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

LoadResult run_load(const std::vector<int>& ports, std::size_t count, std::size_t concurrency,
                    const RequestFn& send) {
    if (ports.empty()) throw std::runtime_error("run_load needs at least one port");
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex failure_mutex;
    std::string failure;
    std::vector<std::vector<double>> latencies(concurrency);

    // Every client waits at the gate until all exist, so their connects reach the server at
    // the same moment, as a crowd of new clients would.
    std::latch ready(static_cast<std::ptrdiff_t>(concurrency));
    std::latch gate(1);
    std::vector<std::thread> clients;
    for (std::size_t c = 0; c < concurrency; ++c) {
        clients.emplace_back([&, c] {
            std::vector<std::unique_ptr<httplib::Client>> connections;
            for (const int port : ports) {
                auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
                client->set_keep_alive(true);
                // Without it Nagle holds the body behind the headers until the delayed ACK.
                client->set_tcp_nodelay(true);
                // A connect that never completes fails its request instead of stalling the run.
                client->set_connection_timeout(10, 0);
                client->set_read_timeout(30, 0);
                connections.push_back(std::move(client));
            }
            ready.count_down();
            gate.wait();
            while (!failed) {
                const std::size_t index = next++;
                if (index >= count) break;
                // httplib connects inside the request (the first one, and again after the
                // server closed the connection), so the connect is timed with it: a dropped
                // SYN shows as a request a second slower, not as nothing.
                const double sent = now_ms();
                std::string problem = send(*connections[index % ports.size()], index);
                latencies[c].push_back(now_ms() - sent);
                if (!problem.empty()) {
                    std::lock_guard lock(failure_mutex);
                    if (!failed.exchange(true)) {
                        failure = "request " + std::to_string(index) + ": " + problem;
                    }
                }
            }
        });
    }
    ready.wait();
    const double started = now_ms();
    gate.count_down();
    for (auto& client : clients) client.join();
    if (failed) throw std::runtime_error(failure);

    LoadResult result;
    result.seconds = (now_ms() - started) / 1000.0;
    for (auto& some : latencies) {
        result.latencies_ms.insert(result.latencies_ms.end(), some.begin(), some.end());
    }
    std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
    return result;
}

bool pin_to_cpu(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
}

long peak_rss_kib(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            std::istringstream fields(line.substr(6));
            long kib = -1;
            fields >> kib;
            return kib;
        }
    }
    return -1;
}

}  // namespace gatehouse::bench
