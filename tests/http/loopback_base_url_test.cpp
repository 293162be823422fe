#include <doctest/doctest.h>

#include <string>

#include "gatehouse/http/server.hpp"

using gatehouse::http::is_loopback_base_url;

TEST_CASE("is_loopback_base_url accepts localhost, 127.0.0.0/8 and [::1] with or without a port") {
    for (const std::string url :
         {"http://127.0.0.1:8080", "http://127.0.0.1", "http://127.9.8.7:80", "http://localhost:1",
          "http://LOCALHOST", "https://localhost/gateway", "http://[::1]:8080"}) {
        CAPTURE(url);
        CHECK(is_loopback_base_url(url));
    }
}

TEST_CASE("is_loopback_base_url refuses every other host, look-alikes included") {
    for (const std::string url :
         {"https://sso.example.com", "http://10.0.0.1:8080", "http://0.0.0.0:8080",
          "http://localhost.example.com", "http://127.0.0.1.nip.io", "http://[::2]:8080",
          "http://192.168.1.5", "not a url", ""}) {
        CAPTURE(url);
        CHECK_FALSE(is_loopback_base_url(url));
    }
}
