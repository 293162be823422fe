#include "../../src/http/forwarded.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using gatehouse::http::AddressRange;
using gatehouse::http::contains;
using gatehouse::http::forwarded_client_address;
using gatehouse::http::forwarded_scheme;
using gatehouse::http::parse_trusted_proxies;

namespace {

std::vector<AddressRange> trusted(const std::vector<std::string>& texts) {
    auto ranges = parse_trusted_proxies(texts);
    REQUIRE_MESSAGE(ranges.ok(), ranges.error().message);
    return *ranges;
}

// The client address with one X-Forwarded-For header holding `header`.
std::string client(std::string_view peer, const std::string& header,
                   const std::vector<std::string>& proxies) {
    return forwarded_client_address(peer, {header}, trusted(proxies));
}

std::string rejection(const std::string& text) {
    auto ranges = parse_trusted_proxies({text});
    REQUIRE_FALSE(ranges.ok());
    CHECK(ranges.error().code == "config.trusted_proxy");
    return ranges.error().message;
}

}  // namespace

TEST_CASE("a peer that is not a trusted proxy is the client, whatever X-Forwarded-For says") {
    CHECK(client("203.0.113.9", "198.51.100.1", {"127.0.0.1"}) == "203.0.113.9");
    CHECK(client("203.0.113.9", "198.51.100.1", {}) == "203.0.113.9");
}

TEST_CASE("a trusted peer without X-Forwarded-For is the client") {
    CHECK(forwarded_client_address("127.0.0.1", {}, trusted({"127.0.0.1"})) == "127.0.0.1");
}

TEST_CASE("a trusted peer's single X-Forwarded-For entry is the client") {
    CHECK(client("127.0.0.1", "198.51.100.7", {"127.0.0.1"}) == "198.51.100.7");
}

TEST_CASE("trusted hops are skipped from the right up to the first untrusted address") {
    CHECK(client("10.0.0.2", "198.51.100.7, 10.0.0.9, 10.0.0.3", {"10.0.0.0/8"}) == "198.51.100.7");
}

TEST_CASE("an address the client prepended is ignored: the one the proxy appended wins") {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real peer.
    CHECK(client("127.0.0.1", "1.2.3.4, 198.51.100.7", {"127.0.0.1"}) == "198.51.100.7");
}

TEST_CASE("several X-Forwarded-For headers read as one list in their order") {
    const auto proxies = trusted({"10.0.0.0/8"});
    CHECK(forwarded_client_address("10.0.0.2", {"1.2.3.4", "198.51.100.7, 10.0.0.9"}, proxies) ==
          "198.51.100.7");
    CHECK(forwarded_client_address("10.0.0.2", {"198.51.100.7", "10.0.0.9"}, proxies) ==
          "198.51.100.7");
}

TEST_CASE("every entry trusted makes the leftmost the client") {
    CHECK(client("10.0.0.2", "10.0.0.5,10.0.0.9", {"10.0.0.0/8"}) == "10.0.0.5");
}

TEST_CASE("garbage in X-Forwarded-For yields the last trusted hop, never the garbage") {
    const std::vector<std::string> proxies{"10.0.0.0/8"};
    CHECK(client("10.0.0.2", "unknown", proxies) == "10.0.0.2");
    CHECK(client("10.0.0.2", "198.51.100.7, unknown, 10.0.0.9", proxies) == "10.0.0.9");
    CHECK(client("10.0.0.2", "198.51.100.7,,10.0.0.9", proxies) == "10.0.0.9");
    CHECK(client("10.0.0.2", "", proxies) == "10.0.0.2");
    CHECK(client("10.0.0.2", "10.1", proxies) == "10.0.0.2");
    CHECK(client("10.0.0.2", "198.51.100.7\r\nX-Evil: 1", proxies) == "10.0.0.2");
}

TEST_CASE("entries with a port or brackets are not addresses and count as garbage") {
    const std::vector<std::string> proxies{"127.0.0.1"};
    CHECK(client("127.0.0.1", "198.51.100.7:4711", proxies) == "127.0.0.1");
    CHECK(client("127.0.0.1", "[2001:db8::7]", proxies) == "127.0.0.1");
    CHECK(client("127.0.0.1", "[2001:db8::7]:4711", proxies) == "127.0.0.1");
    CHECK(client("127.0.0.1", "fe80::1%eth0", proxies) == "127.0.0.1");
}

TEST_CASE("IPv6 entries and peers are read and returned in canonical form") {
    CHECK(client("::1", "2001:DB8:0:0::7", {"::1"}) == "2001:db8::7");
    CHECK(client("fd00::5", "2001:db8::7, fd00::1", {"fd00::/8"}) == "2001:db8::7");
    CHECK(client("2001:DB8::1", "198.51.100.7", {}) == "2001:db8::1");
}

TEST_CASE("surrounding spaces and tabs around entries are ignored") {
    CHECK(client("127.0.0.1", " \t198.51.100.7 \t", {"127.0.0.1"}) == "198.51.100.7");
}

TEST_CASE("an IPv4-mapped peer is the IPv4 address it carries") {
    CHECK(contains(trusted({"127.0.0.1"}), "::ffff:127.0.0.1"));
    CHECK(client("::ffff:127.0.0.1", "198.51.100.7", {"127.0.0.1"}) == "198.51.100.7");
    CHECK(client("::ffff:203.0.113.9", "198.51.100.7", {"127.0.0.1"}) == "203.0.113.9");
}

TEST_CASE("an IPv4-mapped network in the configuration is stored as the IPv4 network") {
    const auto ranges = trusted({"::ffff:10.0.0.0/104"});
    CHECK(gatehouse::http::to_string(ranges.front()) == "10.0.0.0/8");
    CHECK(contains(ranges, "10.200.0.1"));
    CHECK(contains(ranges, "::ffff:10.200.0.1"));
    CHECK(rejection("::ffff:0.0.0.0/95").find("IPv4 network") != std::string::npos);
}

TEST_CASE("a peer that is not an address is returned unchanged and never trusted") {
    CHECK(client("unix:/run/gatehouse.sock", "198.51.100.7", {"0.0.0.0/0"}) ==
          "unix:/run/gatehouse.sock");
    CHECK_FALSE(contains(trusted({"0.0.0.0/0", "::/0"}), "not-an-address"));
    CHECK_FALSE(contains(trusted({"0.0.0.0/0", "::/0"}), ""));
}

TEST_CASE("a /0 network holds every address of its family only") {
    const auto v4 = trusted({"0.0.0.0/0"});
    CHECK(contains(v4, "0.0.0.0"));
    CHECK(contains(v4, "255.255.255.255"));
    CHECK_FALSE(contains(v4, "::1"));
    const auto v6 = trusted({"::/0"});
    CHECK(contains(v6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    CHECK_FALSE(contains(v6, "10.0.0.1"));
}

TEST_CASE("a bare address is a /32 or /128 network holding only itself") {
    const auto ranges = trusted({"192.0.2.10", "2001:db8::10"});
    CHECK(gatehouse::http::to_string(ranges[0]) == "192.0.2.10/32");
    CHECK(gatehouse::http::to_string(ranges[1]) == "2001:db8::10/128");
    CHECK(contains(ranges, "192.0.2.10"));
    CHECK_FALSE(contains(ranges, "192.0.2.11"));
    CHECK(contains(ranges, "2001:db8::10"));
    CHECK_FALSE(contains(ranges, "2001:db8::11"));
    CHECK(trusted({"192.0.2.10/32"}) == trusted({"192.0.2.10"}));
    CHECK(trusted({"2001:db8::10/128"}) == trusted({"2001:db8::10"}));
}

TEST_CASE("a network's boundaries are inside and the addresses next to them outside") {
    const auto ranges = trusted({"192.0.2.64/26", "fd00:0:0:100::/56"});
    CHECK_FALSE(contains(ranges, "192.0.2.63"));
    CHECK(contains(ranges, "192.0.2.64"));
    CHECK(contains(ranges, "192.0.2.127"));
    CHECK_FALSE(contains(ranges, "192.0.2.128"));
    CHECK_FALSE(contains(ranges, "fd00:0:0:ff:ffff:ffff:ffff:ffff"));
    CHECK(contains(ranges, "fd00:0:0:100::"));
    CHECK(contains(ranges, "fd00:0:0:1ff:ffff:ffff:ffff:ffff"));
    CHECK_FALSE(contains(ranges, "fd00:0:0:200::"));
}

TEST_CASE("a network with host bits set is refused, naming the network and the address") {
    const std::string message = rejection("10.0.0.1/8");
    CHECK(message.find("'10.0.0.1/8'") != std::string::npos);
    CHECK(message.find("10.0.0.0/8") != std::string::npos);
    CHECK(message.find("single address 10.0.0.1") != std::string::npos);
    CHECK(rejection("fd00::1/8").find("fd00::/8") != std::string::npos);
    CHECK(rejection("::ffff:10.0.0.1/104").find("/104 prefix; write the network 10.0.0.0/8") !=
          std::string::npos);
}

TEST_CASE("configuration values that are not addresses or networks are refused by name") {
    for (const char* text :
         {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
          "10.0.0.0/8/8", "10.0.0.0/0x8", "[::1]", "127.0.0.1:8080", "10.1", "fe80::1%eth0",
          "10.0.0.0 /8", "10.0.0.0/ 8"}) {
        CAPTURE(text);
        CHECK(rejection(text).find("'" + std::string(text) + "'") != std::string::npos);
    }
}

TEST_CASE("the first bad configuration value fails the whole list") {
    auto ranges = parse_trusted_proxies({"127.0.0.1", "nonsense", "also bad"});
    REQUIRE_FALSE(ranges.ok());
    CHECK(ranges.error().message.find("'nonsense'") != std::string::npos);
}

TEST_CASE("configuration values may carry surrounding spaces, as a comma-separated variable does") {
    const auto ranges = trusted({" 127.0.0.1", "10.0.0.0/8 "});
    CHECK(ranges == trusted({"127.0.0.1", "10.0.0.0/8"}));
}

TEST_CASE("X-Forwarded-Proto from a trusted peer gives the scheme, in any case and spacing") {
    const auto proxies = trusted({"127.0.0.1"});
    CHECK(forwarded_scheme("127.0.0.1", {"https"}, proxies) == "https");
    CHECK(forwarded_scheme("127.0.0.1", {" HTTPS "}, proxies) == "https");
    CHECK(forwarded_scheme("::ffff:127.0.0.1", {"Http"}, proxies) == "http");
}

TEST_CASE("X-Forwarded-Proto from a peer that is not trusted is ignored") {
    CHECK_FALSE(forwarded_scheme("203.0.113.9", {"https"}, trusted({"127.0.0.1"})));
}

TEST_CASE("X-Forwarded-Proto that is absent, a list, repeated or another word is ignored") {
    const auto proxies = trusted({"127.0.0.1"});
    CHECK_FALSE(forwarded_scheme("127.0.0.1", {}, proxies));
    CHECK_FALSE(forwarded_scheme("127.0.0.1", {"https, http"}, proxies));
    CHECK_FALSE(forwarded_scheme("127.0.0.1", {"https", "https"}, proxies));
    CHECK_FALSE(forwarded_scheme("127.0.0.1", {"ws"}, proxies));
    CHECK_FALSE(forwarded_scheme("127.0.0.1", {""}, proxies));
}
