#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gatehouse/http/metadata_fetcher.hpp"

using gatehouse::http::AddressScope;
using gatehouse::http::classify_address;

namespace {

struct Case {
    std::string address;
    AddressScope scope;
};

void check_table(const std::vector<Case>& table) {
    for (const auto& entry : table) {
        CAPTURE(entry.address);
        const auto scope = classify_address(entry.address);
        REQUIRE(scope.has_value());
        CHECK(describe(*scope) == describe(entry.scope));
    }
}

}  // namespace

TEST_CASE("classify_address names the scope of IPv4 special-purpose blocks") {
    check_table({
        {"0.0.0.0", AddressScope::unspecified},     {"0.1.2.3", AddressScope::unspecified},
        {"127.0.0.1", AddressScope::loopback},      {"127.255.255.254", AddressScope::loopback},
        {"10.0.0.1", AddressScope::private_use},    {"10.255.255.255", AddressScope::private_use},
        {"172.16.0.1", AddressScope::private_use},  {"172.31.255.255", AddressScope::private_use},
        {"192.168.1.1", AddressScope::private_use}, {"100.64.0.1", AddressScope::shared},
        {"100.127.255.255", AddressScope::shared},  {"169.254.169.254", AddressScope::link_local},
        {"224.0.0.1", AddressScope::multicast},     {"239.255.255.250", AddressScope::multicast},
        {"192.0.2.10", AddressScope::reserved},     {"198.51.100.7", AddressScope::reserved},
        {"203.0.113.9", AddressScope::reserved},    {"198.18.0.1", AddressScope::reserved},
        {"240.0.0.1", AddressScope::reserved},      {"255.255.255.255", AddressScope::reserved},
    });
}

TEST_CASE("classify_address keeps the neighbours of private IPv4 blocks public") {
    check_table({
        {"8.8.8.8", AddressScope::global},
        {"1.1.1.1", AddressScope::global},
        {"9.255.255.255", AddressScope::global},
        {"11.0.0.0", AddressScope::global},
        {"172.15.255.255", AddressScope::global},
        {"172.32.0.0", AddressScope::global},
        {"100.63.255.255", AddressScope::global},
        {"100.128.0.0", AddressScope::global},
        {"169.253.255.255", AddressScope::global},
        {"192.169.0.0", AddressScope::global},
        {"223.255.255.255", AddressScope::global},
    });
}

TEST_CASE("classify_address names the scope of IPv6 special-purpose blocks") {
    check_table({
        {"::", AddressScope::unspecified},
        {"::1", AddressScope::loopback},
        {"fc00::1", AddressScope::private_use},
        {"fd12:3456:789a::1", AddressScope::private_use},
        {"fec0::1", AddressScope::private_use},
        {"64:ff9b:1::a00:1", AddressScope::private_use},
        {"fe80::1", AddressScope::link_local},
        {"febf::1", AddressScope::link_local},
        {"ff02::1", AddressScope::multicast},
        {"2001:db8::1", AddressScope::reserved},
        {"2001::1", AddressScope::reserved},
        {"3fff::1", AddressScope::reserved},
        {"100::1", AddressScope::reserved},
        {"::7f00:1", AddressScope::reserved},  // IPv4-compatible, deprecated
        {"2606:4700:4700::1111", AddressScope::global},
        {"2a00:1450:4001::1", AddressScope::global},
    });
}

TEST_CASE("classify_address gives IPv6 forms that carry an IPv4 address that address's scope") {
    check_table({
        {"::ffff:127.0.0.1", AddressScope::loopback},
        {"::ffff:7f00:1", AddressScope::loopback},
        {"::ffff:10.1.2.3", AddressScope::private_use},
        {"::ffff:169.254.169.254", AddressScope::link_local},
        {"::ffff:0.0.0.0", AddressScope::unspecified},
        {"::ffff:8.8.8.8", AddressScope::global},
        {"64:ff9b::192.168.0.1", AddressScope::private_use},
        {"64:ff9b::8.8.8.8", AddressScope::global},
        {"2002:7f00:1::1", AddressScope::loopback},
        {"2002:a9fe:a9fe::1", AddressScope::link_local},
        {"2002:808:808::1", AddressScope::global},
    });
}

TEST_CASE("classify_address refuses text that is not a numeric address") {
    for (const char* text : {"", "localhost", "example.com", "127.0.0.1.", "1.2.3", "::g", "[::1]",
                             "127.0.0.1:443", "0x7f000001"}) {
        CAPTURE(text);
        CHECK_FALSE(classify_address(text).has_value());
    }
}
