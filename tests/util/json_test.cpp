#include "gatehouse/util/json.hpp"

#include <doctest/doctest.h>

#include <string>

using gatehouse::util::parse_untrusted_json;

TEST_CASE("parse_untrusted_json reads one JSON document") {
    const auto document = parse_untrusted_json(R"({"a":[1,2,{"b":null}]})");
    REQUIRE_FALSE(document.is_discarded());
    CHECK(document["a"][2].contains("b"));
}

TEST_CASE("parse_untrusted_json refuses a NUL byte before, inside or after a document") {
    for (const std::string& text : {std::string("{}\0{}", 5), std::string("\0{}", 3),
                                    std::string("[\"a\0b\"]", 7), std::string("1\0", 2)}) {
        CAPTURE(text);
        CHECK(parse_untrusted_json(text).is_discarded());
    }
}

TEST_CASE("parse_untrusted_json refuses text that is not one document") {
    for (const char* text : {"", "{", "{}{}", "[1,]", "nul"}) {
        CAPTURE(text);
        CHECK(parse_untrusted_json(text).is_discarded());
    }
}
