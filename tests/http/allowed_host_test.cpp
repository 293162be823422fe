#include <doctest/doctest.h>

#include <string>

#include "gatehouse/http/server.hpp"

using gatehouse::http::normalise_allowed_host;

TEST_CASE("an allowed host is a name or address with an optional port, kept lowercase") {
    const std::pair<const char*, const char*> accepted[] = {
        {"sso.internal", "sso.internal"}, {"SSO.Internal:8443", "sso.internal:8443"},
        {"10.0.0.5", "10.0.0.5"},         {"10.0.0.5:08080", "10.0.0.5:8080"},
        {"[::1]:8080", "[::1]:8080"},     {"[FE80::1]", "[fe80::1]"},
        {"localhost", "localhost"},
    };
    for (const auto& [text, normalised] : accepted) {
        CAPTURE(text);
        auto host = normalise_allowed_host(text);
        REQUIRE(host.ok());
        CHECK(*host == normalised);
    }
}

TEST_CASE("an allowed host that is not a host name is refused") {
    for (const char* text :
         {"", "bad host", "sso.internal:", ":8080", "sso.internal:0", "sso.internal:65536",
          "https://sso.internal", "sso.internal/x", "-sso.internal", "sso.internal-",
          "user@sso.internal", "::1", "sso.internal\r\nX: y", "sso_internal"}) {
        CAPTURE(text);
        auto host = normalise_allowed_host(text);
        REQUIRE_FALSE(host.ok());
        CHECK(host.error().code == "config.allowed_host");
    }
}
