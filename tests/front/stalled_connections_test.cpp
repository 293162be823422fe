// Connections that never finish a request must not take the server from anyone else: a waiting
// connection holds no thread, and the server answers others at once.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "front/front_server.hpp"
#include "front/loopback_clients.hpp"
#include "front/stalled_clients.hpp"

using namespace std::chrono_literals;
using namespace gatehouse::testing;

namespace {

constexpr double kPromptMs = 250;
// Twice what a prompt answer may take, so that a stalled server costs the run little time.
constexpr auto kRequestPatience = 500ms;

// Sends ten requests one after the other, each on a fresh connection, alternating the health
// check and the org's SP metadata; checks that each is a 200 within kPromptMs.
void check_prompt_answers(int port, const std::string& moment) {
    double slowest = 0;
    for (int i = 0; i < 10; ++i) {
        const std::string target =
            i % 2 == 0 ? "/healthz" : std::string("/saml/metadata/") + kFrontOrg + "/";
        const Exchange answer = exchange(port, get_request(port, target), kRequestPatience);
        slowest = std::max(slowest, answer.elapsed_ms);
        CHECK_MESSAGE((answer.answered() && answer.status == 200 && answer.elapsed_ms < kPromptMs),
                      moment << ": GET " << target << " got " << answer.describe());
    }
    MESSAGE(moment << ": slowest of 10 requests " << slowest << " ms");
}

}  // namespace

TEST_CASE("200 slowloris and 100 silent connections do not delay other requests") {
    // Deadlines longer than the case, so every stalled connection is held until the end; the
    // cap per client above the 300 this test opens from 127.0.0.1.
    FrontServer server({{"--max-connections-per-client", "1000"},
                        {"--head-timeout", "30"},
                        {"--idle-timeout", "30"}});
    StalledClients stalled(server.port(), {.dribbling = 200, .silent = 100});
    // Connected here means the handshake finished on this side; a server with a short listen
    // backlog may not have taken the connection yet, so the second round is the telling one.
    const auto connected = stalled.wait_connected(5s);
    CHECK_MESSAGE(connected.open == 300,
                  "connected " << connected.open << " of 300 stalled clients ("
                               << connected.connecting << " still connecting, "
                               << connected.failed_to_connect << " failed, "
                               << connected.closed_by_server << " closed by the server)");
    const auto held_since = SteadyClock::now();

    check_prompt_answers(server.port(), "with 300 stalled connections just opened");

    // Six seconds on, the dribbling heads are well under way and the silent ones still wait.
    std::this_thread::sleep_until(held_since + 6s);
    const auto still = stalled.tally();
    CHECK_MESSAGE(still.open == 300,
                  still.open << " of 300 stalled connections were still open six seconds on");
    check_prompt_answers(server.port(), "six seconds later, slow heads half sent");
}
