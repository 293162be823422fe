// A closed-loop HTTP load generator for the benchmarks: a fixed number of keep-alive
// clients on loopback, each sending the next request as soon as its last one was answered.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace gatehouse::bench {

// Sends request `index` on `client` and returns an empty string when the answer is the one
// expected, else a description of what came back. Called from several threads at once,
// each with its own client.
using RequestFn = std::function<std::string(httplib::Client& client, std::size_t index)>;

struct LoadResult {
    double seconds = 0;                // wall time from first send to last answer
    std::vector<double> latencies_ms;  // one per request, sorted ascending
    double per_second() const { return latencies_ms.size() / seconds; }
    double percentile_ms(double p) const;  // nearest rank; 0 when there were no requests
};

// Runs requests 0 … count-1 over `concurrency` keep-alive clients of 127.0.0.1, all starting
// at the same moment. Request i goes to ports[i % ports.size()]: with several gateway
// processes each client keeps one connection to each, and successive requests go to
// successive processes, as a load balancer's round robin sends them. Each request's latency
// includes any connect made for it (a client's first request to each port, and any after the
// server closed the connection). Throws std::runtime_error naming the first request that
// failed, a connect that failed or took over 10 s included, after every client has stopped:
// a benchmark whose requests fail measures nothing.
LoadResult run_load(const std::vector<int>& ports, std::size_t count, std::size_t concurrency,
                    const RequestFn& send);

// Milliseconds of a steady clock, for timing single operations.
double now_ms();

// The median of `values` (which it sorts); 0 for none.
double median(std::vector<double> values);

// Pins the calling thread (and the processes it starts later) to CPU `cpu`; false when the
// machine has no such CPU or the kernel refuses.
bool pin_to_cpu(int cpu);

// Peak resident set size (VmHWM) of process `pid` in KiB, or -1 when it cannot be read.
long peak_rss_kib(int pid);
}  // namespace gatehouse::bench
