// The connection caps: beyond its limit a connection gets a 503 and is closed, and a freed
// place is given to the next client.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "front/front_server.hpp"
#include "front/loopback_clients.hpp"

using namespace std::chrono_literals;
using namespace gatehouse::testing;

namespace {

// Opens `count` keep-alive connections, each answered once, so the server has accepted every
// one of them before the caller goes on; they then sit idle.
std::vector<HeldConnection> fill_places(int port, std::size_t count) {
    std::vector<HeldConnection> held;
    held.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        held.emplace_back(port);
        const Exchange answer = held.back().exchange(get_request(port, "/healthz", false), 2s);
        REQUIRE_MESSAGE(answer.status == 200, "connection " << i + 1 << ": " << answer.describe());
    }
    return held;
}

// Checks that one connection over the cap is answered 503 and closed.
void check_refused(int port) {
    HeldConnection over(port);
    const Exchange refused = over.exchange(get_request(port, "/healthz", false), 2s);
    CHECK_MESSAGE(refused.status == 503, "the connection over the cap got " << refused.describe());
    CHECK_MESSAGE(over.wait_closed(2s).has_value(),
                  "the connection over the cap was still open 2 s after its answer");
}

// Checks that a fresh connection is answered 200 once the server has noticed closed ones; it
// learns of them asynchronously, so a 503 meanwhile is allowed.
void check_place_freed(int port) {
    const auto deadline = SteadyClock::now() + 2s;
    Exchange last;
    while (SteadyClock::now() < deadline) {
        last = exchange(port, get_request(port, "/healthz"), 1s);
        if (last.status == 200) break;
        std::this_thread::sleep_for(20ms);
    }
    CHECK_MESSAGE(last.status == 200,
                  "after the held connections closed, a new request got " << last.describe());
}

}  // namespace

TEST_CASE("the per-client connection cap answers 503 beyond its limit") {
    FrontServer server({{"--max-connections-per-client", "8"}, {"--idle-timeout", "30"}});
    auto held = fill_places(server.port(), 8);
    check_refused(server.port());
    held.clear();
    check_place_freed(server.port());
}

TEST_CASE("the total connection cap answers 503 beyond its limit") {
    // The per-client cap is above the total, so the total is what refuses.
    FrontServer server({{"--max-connections", "16"},
                        {"--max-connections-per-client", "1000"},
                        {"--idle-timeout", "30"}});
    auto held = fill_places(server.port(), 16);
    check_refused(server.port());
    held.clear();
    check_place_freed(server.port());
}
