#include "gatehouse/util/encoding.hpp"

#include <doctest/doctest.h>

using namespace gatehouse::util;

TEST_CASE("base64 round-trips arbitrary bytes and skips line breaks") {
    const std::string bytes("\x00\xff\x10hello", 8);
    CHECK(base64_decode(base64_encode(bytes)).value() == bytes);
    CHECK(base64_decode("aGVs\r\nbG8=").value() == "hello");
}

TEST_CASE("base64 decoding refuses characters outside the alphabet and bad padding") {
    CHECK_FALSE(base64_decode("aGVsbG8*").has_value());
    CHECK_FALSE(base64_decode("aGVsbG8").has_value());
    CHECK_FALSE(base64_decode("aGV=sbG8").has_value());
}

TEST_CASE("base64 decoding refuses the URL-safe alphabet, extra padding and trailing data") {
    CHECK_FALSE(base64_decode("-_-_").has_value());
    CHECK_FALSE(base64_decode("aGVsbG8==").has_value());
    CHECK_FALSE(base64_decode("aGVsbG8=aGVs").has_value());
    CHECK(base64_decode("").value().empty());
    CHECK(base64_decode(" aGVs bG8= \t").value() == "hello");
}

TEST_CASE("base64 encodes every tail length; the URL-safe form has no padding") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("h") == "aA==");
    CHECK(base64_encode("he") == "aGU=");
    CHECK(base64_encode("hel") == "aGVs");
    CHECK(base64url_encode("\xfb\xff") == "-_8");
}

TEST_CASE("base64 decodes long wrapped input and refuses padding-only quanta") {
    std::string bytes;
    for (int i = 0; i < 5000; ++i) bytes += static_cast<char>(i * 7 % 256);
    std::string wrapped;
    const std::string encoded = base64_encode(bytes);
    for (std::size_t i = 0; i < encoded.size(); i += 76) wrapped += encoded.substr(i, 76) + "\r\n";
    CHECK(base64_decode(wrapped).value() == bytes);
    CHECK_FALSE(base64_decode("a===").has_value());
    CHECK_FALSE(base64_decode("====").has_value());
    CHECK_FALSE(base64_decode(std::string_view("aGVs\0bG8=", 9)).has_value());
}

TEST_CASE("url decoding turns escapes and plus signs back, and refuses broken escapes") {
    CHECK(url_decode("a%2Bb%3D%3d+c").value() == "a+b== c");
    CHECK(url_decode("a+b", false).value() == "a+b");
    CHECK(url_decode("").value().empty());
    CHECK(url_decode("%41").value() == "A");
    CHECK_FALSE(url_decode("%4").has_value());
    CHECK_FALSE(url_decode("abc%").has_value());
    CHECK_FALSE(url_decode("%zz").has_value());
    CHECK_FALSE(url_decode("%4g").has_value());
}

TEST_CASE("form parsing decodes each field and refuses a broken escape anywhere") {
    const auto fields = parse_form("SAMLResponse=PD94%2B&RelayState=%2Fhome+page&&empty=");
    REQUIRE(fields.has_value());
    CHECK(fields->at("SAMLResponse") == "PD94+");
    CHECK(fields->at("RelayState") == "/home page");
    CHECK(fields->at("empty").empty());
    CHECK_FALSE(parse_form("a=1&b=%G0").has_value());
}

TEST_CASE("base64url decoding round-trips every tail length") {
    const std::string bytes("\x00\xfb\xff\x10hello", 9);
    for (std::size_t n = 0; n <= bytes.size(); ++n)
        CHECK(base64url_decode(base64url_encode(bytes.substr(0, n))).value() == bytes.substr(0, n));
    CHECK(base64url_decode("-_8").value() == "\xfb\xff");
    CHECK(base64url_decode("").value().empty());
}

TEST_CASE("base64url decoding refuses padding, the standard alphabet and white space") {
    CHECK_FALSE(base64url_decode("aGVsbG8=").has_value());
    CHECK_FALSE(base64url_decode("aA==").has_value());
    CHECK_FALSE(base64url_decode("+/8").has_value());
    CHECK_FALSE(base64url_decode("aGVs bG8").has_value());
    CHECK_FALSE(base64url_decode("aGVs\nbG8").has_value());
    CHECK_FALSE(base64url_decode(std::string_view("aGVs\0bG8", 8)).has_value());
}

TEST_CASE("base64url decoding refuses impossible lengths and non-zero unused bits") {
    CHECK_FALSE(base64url_decode("a").has_value());
    CHECK_FALSE(base64url_decode("aGVsb").has_value());
    // "aB" carries one byte and 4 unused bits, which must be zero; "aA" is the only form.
    CHECK(base64url_decode("aA").value() == "h");
    CHECK_FALSE(base64url_decode("aB").has_value());
    CHECK_FALSE(base64url_decode("aGVsbG9").has_value());
}
