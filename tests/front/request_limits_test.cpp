// What the front does with one request that is too large, too slow, pipelined, or asks for
// something of the protocol (HEAD, Expect: 100-continue), and what its worker queue and
// shutdown promise.
#include <doctest/doctest.h>
#include <signal.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "front/front_server.hpp"
#include "front/loopback_clients.hpp"

using namespace std::chrono_literals;
using namespace gatehouse::testing;

namespace {

std::string host_line(int port) { return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n"; }

// A password sign-in attempt for an unknown email: the gateway hashes a dummy password for it
// (so unknown emails cost what known ones do), which makes it a request that keeps a worker
// busy for a while.
std::string slow_sign_in(int port, int n) {
    const std::string body = "email=nobody" + std::to_string(n) + "%40example.com&password=x";
    return "POST /auth/login/" + std::string(kFrontOrg) + "/ HTTP/1.1\r\n" + host_line(port) +
           // The Origin of the base URL the test server runs with (serve's default).
           "Origin: http://127.0.0.1:8080\r\nContent-Type: "
           "application/x-www-form-urlencoded\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("a request head larger than --max-head-bytes is answered 431 and closed") {
    FrontServer server({{"--max-head-bytes", "8192"}});
    HeldConnection connection(server.port());
    const std::string request = "GET /healthz HTTP/1.1\r\n" + host_line(server.port()) +
                                "X-Filler: " + std::string(9000, 'a') + "\r\n\r\n";
    const Exchange answer = connection.exchange(request, 2s);
    CHECK_MESSAGE(answer.status == 431, answer.describe());
    CHECK(answer.response.find("Content-Security-Policy") != std::string::npos);
    CHECK(connection.wait_closed(2s).has_value());
}

TEST_CASE("a declared body larger than --max-body-bytes is answered 413 before it is sent") {
    FrontServer server({{"--max-body-bytes", "4096"}});
    HeldConnection connection(server.port());
    const std::string head =
        "POST /api/0/organizations/" + std::string(kFrontOrg) + "/scim/v2/Users HTTP/1.1\r\n" +
        host_line(server.port()) +
        "Content-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n";
    const Exchange answer = connection.exchange(head, 2s);
    CHECK_MESSAGE(answer.status == 413, answer.describe());
    // Under the SCIM base URL even the front's own refusals speak the SCIM error schema.
    CHECK(answer.response.find("urn:ietf:params:scim:api:messages:2.0:Error") != std::string::npos);
    CHECK(connection.wait_closed(3s).has_value());
}

TEST_CASE("a body that arrives slower than --min-body-rate is cut off unanswered") {
    FrontServer server({{"--head-timeout", "1"}, {"--min-body-rate", "100"}});
    HeldConnection connection(server.port());
    const std::string head = "POST /api/0/organizations/" + std::string(kFrontOrg) +
                             "/scim/v2/Users HTTP/1.1\r\n" + host_line(server.port()) +
                             "Content-Length: 5000\r\n\r\n";
    // The head, then 10 bytes a second: far below 100 bytes a second once the 1 s grace is over.
    const Exchange first = connection.exchange(head, 300ms);
    CHECK_FALSE(first.answered());
    const auto started = SteadyClock::now();
    std::optional<std::chrono::milliseconds> closed;
    while (!closed && SteadyClock::now() - started < 6s) {
        (void)connection.exchange(std::string(10, 'x'), 10ms);
        closed = connection.wait_closed(1s);
    }
    REQUIRE_MESSAGE(closed.has_value(), "a body dribbling at 10 B/s was still open after 6 s");
    CHECK(SteadyClock::now() - started < 4s);
    CHECK(connection.received().empty());
}

TEST_CASE("a body coded other than chunked alone is refused with 400") {
    FrontServer server({});
    const Exchange answer = exchange(server.port(),
                                     "POST /healthz HTTP/1.1\r\n" + host_line(server.port()) +
                                         "Transfer-Encoding: gzip\r\n\r\nabcd",
                                     2s);
    CHECK_MESSAGE(answer.status == 400, answer.describe());
}

TEST_CASE("bodies beyond --max-buffered-body-bytes in all are answered 503 until room is freed") {
    FrontServer server({{"--max-body-bytes", "65536"}, {"--max-buffered-body-bytes", "65536"}});
    const std::string body(40000, 'x');
    const std::string head = "POST /api/0/organizations/" + std::string(kFrontOrg) +
                             "/scim/v2/Users HTTP/1.1\r\n" + host_line(server.port()) +
                             "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    HeldConnection first(server.port());
    CHECK_FALSE(first.exchange(head, 300ms).answered());  // its body is awaited, room held
    const Exchange second = exchange(server.port(), head + body, 2s);
    CHECK_MESSAGE(second.status == 503, second.describe());
    const Exchange first_answer = first.exchange(body, 2s);
    CHECK_MESSAGE(first_answer.status == 401, first_answer.describe());  // no SCIM token
    const Exchange third = exchange(server.port(), head + body, 2s);
    CHECK_MESSAGE(third.status == 401, third.describe());
}

TEST_CASE("Expect: 100-continue gets an interim answer before the body is sent") {
    FrontServer server({});
    HeldConnection connection(server.port());
    const std::string body = R"({"userName":"a@example.com"})";
    const std::string head = "POST /api/0/organizations/" + std::string(kFrontOrg) +
                             "/scim/v2/Users HTTP/1.1\r\n" + host_line(server.port()) +
                             "Content-Type: application/scim+json\r\nExpect: 100-continue\r\n"
                             "Content-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n";
    const Exchange interim = connection.exchange(head, 2s);
    CHECK_MESSAGE(interim.status == 100, interim.describe());
    // No bearer token: the final answer is the SCIM 401, after the body arrived.
    const Exchange final_answer = connection.exchange(body, 2s);
    CHECK_MESSAGE(final_answer.response.find("HTTP/1.1 401") != std::string::npos,
                  final_answer.describe());
}

TEST_CASE("HEAD is answered with GET's status and length and no body") {
    FrontServer server({});
    HeldConnection connection(server.port());
    const Exchange head =
        connection.exchange("HEAD /healthz HTTP/1.1\r\n" + host_line(server.port()) + "\r\n", 2s);
    CHECK_MESSAGE(head.status == 200, head.describe());
    CHECK(head.response.find("Content-Length: 15") != std::string::npos);
    CHECK(head.response.substr(head.response.find("\r\n\r\n") + 4).empty());
    // The same connection goes on: nothing of a body was left to confuse the next answer.
    const Exchange next = connection.exchange(get_request(server.port(), "/healthz", false), 2s);
    CHECK_MESSAGE(next.status == 200, next.describe());
    CHECK(next.response.find("HTTP/1.1 200") == 0);
}

TEST_CASE("pipelined requests are answered one by one in order") {
    FrontServer server({});
    HeldConnection connection(server.port());
    const std::string two = get_request(server.port(), "/nothing-here", false) +
                            get_request(server.port(), "/healthz", false);
    const Exchange first = connection.exchange(two, 2s);
    CHECK_MESSAGE(first.status == 404, first.describe());
    const Exchange second = connection.exchange("", 2s);  // sends nothing more
    CHECK_MESSAGE(second.status == 200, second.describe());
}

TEST_CASE("a known path asked with another method is answered 405") {
    FrontServer server({});
    const Exchange answer = exchange(
        server.port(),
        "DELETE /healthz HTTP/1.1\r\n" + host_line(server.port()) + "Connection: close\r\n\r\n",
        2s);
    CHECK_MESSAGE(answer.status == 405, answer.describe());
}

TEST_CASE("requests beyond the worker queue are answered 503 at once") {
    FrontServer server({{"--threads", "1"}, {"--max-queued-requests", "1"}});
    std::vector<Exchange> answers(8);
    std::vector<std::thread> clients;
    for (int i = 0; i < 8; ++i) {
        clients.emplace_back([&, i] {
            answers[static_cast<std::size_t>(i)] =
                exchange(server.port(), slow_sign_in(server.port(), i), 10s);
        });
    }
    for (auto& client : clients) client.join();
    int refused = 0;
    int busy = 0;
    for (const auto& answer : answers) {
        CHECK_MESSAGE(answer.answered(), answer.describe());
        if (answer.status == 401) ++refused;
        if (answer.status == 503) ++busy;
    }
    MESSAGE(refused << " sign-ins answered 401, " << busy << " answered 503");
    CHECK(refused >= 1);
    CHECK(busy >= 1);
    CHECK(refused + busy == 8);
}

TEST_CASE("SIGTERM lets a request already read finish, then the server exits 0") {
    FrontServer server({});
    HeldConnection idle(server.port());
    REQUIRE(idle.exchange(get_request(server.port(), "/healthz", false), 2s).status == 200);
    Exchange in_flight;
    std::thread client(
        [&] { in_flight = exchange(server.port(), slow_sign_in(server.port(), 1), 10s); });
    std::this_thread::sleep_for(30ms);
    const int exit_code = server.process().stop(SIGTERM);
    client.join();
    CHECK_MESSAGE(in_flight.status == 401, in_flight.describe());
    CHECK(exit_code == 0);
    // The idle keep-alive connection was closed rather than left to its timeout.
    CHECK(idle.wait_closed(1s).has_value());
}

TEST_CASE("a trusted proxy's connections are exempt from the per-client cap") {
    FrontServer server({{"--max-connections-per-client", "2"},
                        {"--trusted-proxy", "127.0.0.1"},
                        {"--idle-timeout", "30"}});
    std::vector<HeldConnection> held;
    for (int i = 0; i < 5; ++i) {
        held.emplace_back(server.port());
        const Exchange answer =
            held.back().exchange(get_request(server.port(), "/healthz", false), 2s);
        CHECK_MESSAGE(answer.status == 200, "connection " << i + 1 << ": " << answer.describe());
    }
}

TEST_CASE("X-Forwarded-For names the client only when the peer is a trusted proxy") {
    const std::string request_with_forwarded =
        "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n";
    SUBCASE("untrusted peer: the header is ignored") {
        FrontServer server({});
        const Exchange answer = exchange(
            server.port(),
            "GET /healthz HTTP/1.1\r\n" + host_line(server.port()) + request_with_forwarded, 2s);
        REQUIRE(answer.status == 200);
        const std::string log = server.process().log();
        CHECK(log.find(R"("client":"127.0.0.1")") != std::string::npos);
        CHECK(log.find("203.0.113.9") == std::string::npos);
        CHECK(log.find(R"("scheme":"https")") == std::string::npos);
    }
    SUBCASE("trusted peer: the forwarded address and scheme are used") {
        FrontServer server({{"--trusted-proxy", "127.0.0.0/8"}});
        const Exchange answer = exchange(
            server.port(),
            "GET /healthz HTTP/1.1\r\n" + host_line(server.port()) + request_with_forwarded, 2s);
        REQUIRE(answer.status == 200);
        std::this_thread::sleep_for(50ms);
        const std::string log = server.process().log();
        CHECK(log.find(R"("client":"203.0.113.9")") != std::string::npos);
        CHECK(log.find(R"("scheme":"https")") != std::string::npos);
    }
}

TEST_CASE("serve refuses a --trusted-proxy that is not an address or range") {
    const auto refused = run_gatehouse({"serve", "--trusted-proxy", "10.0.0.1/8"});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("10.0.0.1/8") != std::string::npos);
}
