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
