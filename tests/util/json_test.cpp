#include "gatehouse/util/json.hpp"

#include <doctest/doctest.h>

#include <string>

using gatehouse::util::parse_untrusted_json;
using gatehouse::util::read_untrusted_json;

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

TEST_CASE("parse_untrusted_json refuses an object that names one member twice") {
    for (const char* text :
         {R"({"active":true,"active":false})", R"({"a":{"b":1,"c":2,"b":3}})",
          R"([{"emails":[{"value":"x","value":"y"}]}])", R"({"a":1,"b":{"a":2},"a":3})"}) {
        CAPTURE(text);
        CHECK(parse_untrusted_json(text).is_discarded());
    }
}

TEST_CASE("parse_untrusted_json accepts one name in sibling and nested objects") {
    const auto document = parse_untrusted_json(R"({"a":{"a":1},"b":[{"a":2},{"a":3}]})");
    REQUIRE_FALSE(document.is_discarded());
    CHECK(document["b"][1]["a"] == 3);
}

TEST_CASE("read_untrusted_json names the repeated member when it is short and printable") {
    const auto refused = read_untrusted_json(R"({"password":[{"v":1}],"password":"x"})");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "json.malformed");
    CHECK(refused.error().message == "An object names the member \"password\" twice.");

    const std::string long_name(41, 'n');
    const auto hidden = read_untrusted_json("{\"" + long_name + "\":1,\"" + long_name + "\":2}");
    REQUIRE_FALSE(hidden.ok());
    CHECK(hidden.error().message == "An object names one member name twice.");
    const auto control = read_untrusted_json(R"({"a\nb":1,"a\nb":2})");
    REQUIRE_FALSE(control.ok());
    CHECK(control.error().message == "An object names one member name twice.");
}

TEST_CASE("read_untrusted_json says why a text is not JSON") {
    const auto broken = read_untrusted_json("{");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().message == "The text is not one JSON document.");
    const auto nul = read_untrusted_json(std::string("[1]\0", 4));
    REQUIRE_FALSE(nul.ok());
    CHECK(nul.error().message == "The text holds a NUL byte, which JSON allows only escaped.");
}
