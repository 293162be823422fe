#include <doctest/doctest.h>

#include <chrono>
#include <future>

#include "gatehouse/http/server.hpp"
#include "gatehouse/store/store.hpp"

using namespace gatehouse;

TEST_CASE("a stop requested before serving starts still ends serve() promptly") {
    auto store = store::open_sqlite_store(":memory:");
    REQUIRE(store.ok());
    util::SystemClock clock;
    http::ServerConfig config;
    config.port = 0;
    config.metadata_refresh_minutes = 0;
    http::Server server(config, **store, clock);
    REQUIRE(server.bind().ok());
    // A SIGTERM that lands between "listening" and the accept loop does exactly this.
    server.stop();
    auto served = std::async(std::launch::async, [&server] { return server.serve(); });
    const bool returned = served.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
    CHECK(returned);
    if (returned) CHECK(served.get().ok());
}

TEST_CASE("a stop requested while serving ends serve()") {
    auto store = store::open_sqlite_store(":memory:");
    REQUIRE(store.ok());
    util::SystemClock clock;
    http::ServerConfig config;
    config.port = 0;
    config.metadata_refresh_minutes = 0;
    http::Server server(config, **store, clock);
    REQUIRE(server.bind().ok());
    auto served = std::async(std::launch::async, [&server] { return server.serve(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
    REQUIRE(served.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    CHECK(served.get().ok());
}
