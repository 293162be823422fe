// The front's deadlines: a connection that holds the server without finishing a request, or
// that sits idle between requests, is closed on time.
#include <doctest/doctest.h>

#include <algorithm>

#include "front/front_server.hpp"
#include "front/loopback_clients.hpp"
#include "front/stalled_clients.hpp"

using namespace std::chrono_literals;
using namespace gatehouse::testing;

TEST_CASE("a request head that does not complete within the head deadline is closed") {
    // A line every second keeps any per-read timeout happy; only a deadline for the whole
    // head, counted from its first byte, ends these. The idle timeout is long, so it cannot.
    constexpr double kHeadTimeout = 3;
    FrontServer server({{"--head-timeout", "3"}, {"--idle-timeout", "30"}});
    StalledClients stalled(server.port(),
                           {.dribbling = 20, .shortest_pause = 1000ms, .longest_pause = 1000ms});
    REQUIRE(stalled.wait_connected(3s).open == 20);

    const auto lifetimes = stalled.wait_dribbling_closed(6s);
    REQUIRE(lifetimes.size() == 20);
    const auto still_open = std::count(lifetimes.begin(), lifetimes.end(), std::nullopt);
    double earliest = 1e9;
    double latest = 0;
    for (const auto& lifetime : lifetimes) {
        if (!lifetime) continue;
        earliest = std::min(earliest, *lifetime);
        latest = std::max(latest, *lifetime);
    }
    CHECK_MESSAGE(still_open == 0,
                  still_open << " of 20 slow heads were still open 6 s after connecting");
    if (still_open < 20) {
        MESSAGE("slow heads closed between " << earliest << " s and " << latest
                                             << " s after their first byte");
        CHECK(earliest >= kHeadTimeout - 0.5);
        CHECK(latest <= kHeadTimeout + 2);
    }
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout") {
    constexpr auto kIdleTimeout = 2s;
    FrontServer server({{"--idle-timeout", "2"}});
    HeldConnection connection(server.port());
    const Exchange answer = connection.exchange(get_request(server.port(), "/healthz", false), 2s);
    REQUIRE_MESSAGE(answer.status == 200, answer.describe());

    const auto closed_after = connection.wait_closed(kIdleTimeout + 4s);
    REQUIRE_MESSAGE(closed_after.has_value(), "still open 6 s after the answer");
    MESSAGE("closed " << closed_after->count() << " ms after the answer");
    CHECK(*closed_after >= kIdleTimeout - 500ms);
    CHECK(*closed_after <= kIdleTimeout + 1500ms);
}
