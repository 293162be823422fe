// Many clients arriving at the same moment: the listen backlog and the accept loop must take
// them all at once, without a dropped SYN (which costs a client a second) or a refusal.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "front/front_server.hpp"
#include "front/loopback_clients.hpp"

using namespace std::chrono_literals;
using namespace gatehouse::testing;

namespace {

constexpr std::size_t kBursts = 5;
constexpr std::size_t kClients = 300;

// Nearest-rank percentile of sorted `values`; 0 for none.
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

TEST_CASE("5 bursts of 300 simultaneous new connections complete without errors") {
    // The test's sockets and the server's share the limit the server inherits.
    REQUIRE(raise_open_file_limit() >= 2 * kClients + 64);
    FrontServer server({{"--max-connections-per-client", "1000"}});
    const std::string request = get_request(server.port(), "/healthz");

    std::vector<double> latencies;
    std::size_t errors = 0;
    for (std::size_t burst = 1; burst <= kBursts; ++burst) {
        const auto results = exchange_at_once(server.port(), kClients, request, 3s);
        std::map<std::string, std::size_t> problems;
        std::vector<double> these;
        for (const auto& result : results) {
            if (result.answered() && result.status == 200) {
                these.push_back(result.elapsed_ms);
            } else {
                ++problems[result.answered() ? "status " + std::to_string(result.status)
                                             : result.error];
            }
        }
        std::sort(these.begin(), these.end());
        const std::size_t failed = kClients - these.size();
        MESSAGE("burst " << burst << ": " << these.size() << " of " << kClients
                         << " answered 200, p50 " << percentile(these, 50) << " ms, p99 "
                         << percentile(these, 99) << " ms, slowest "
                         << (these.empty() ? 0 : these.back()) << " ms");
        for (const auto& [problem, count] : problems) MESSAGE(count << " × " << problem);
        errors += failed;
        latencies.insert(latencies.end(), these.begin(), these.end());
        // A burst that failed says what there is to say; more would only lengthen the run.
        if (failed > 0) break;
    }
    std::sort(latencies.begin(), latencies.end());
    const double p99 = percentile(latencies, 99);
    MESSAGE("all bursts: " << latencies.size() << " answered, " << errors << " errors, p50 "
                           << percentile(latencies, 50) << " ms, p99 " << p99 << " ms");
    CHECK(errors == 0);
    CHECK(latencies.size() == kBursts * kClients);
    CHECK(p99 < 500);
}
