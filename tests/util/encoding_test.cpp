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
