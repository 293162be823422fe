#include "../../src/http/json_body.hpp"

#include <doctest/doctest.h>

#include <string>

using gatehouse::http::json_nesting_depth;
using gatehouse::http::kJsonTooDeep;
using gatehouse::http::kMalformedJson;
using gatehouse::http::kMaxJsonDepth;
using gatehouse::http::parse_json_body;

namespace {

// `depth` arrays inside one another around `inner`: nested(2, "1") is "[[1]]".
std::string nested_arrays(std::size_t depth, const std::string& inner = "") {
    return std::string(depth, '[') + inner + std::string(depth, ']');
}

// `depth` objects inside one another: {"a":{"a":{}}} is depth 3.
std::string nested_objects(std::size_t depth) {
    std::string text = "{}";
    for (std::size_t i = 1; i < depth; ++i) text = "{\"a\":" + text + "}";
    return text;
}

}  // namespace

TEST_CASE("a JSON body nested 32 levels deep is parsed") {
    for (const std::string& body :
         {nested_arrays(kMaxJsonDepth, "1"), nested_objects(kMaxJsonDepth)}) {
        auto parsed = parse_json_body(body);
        REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
        CHECK(parsed->dump() == body);
    }
}

TEST_CASE("a JSON body nested 33 levels deep is refused as too deep") {
    for (const std::string& body :
         {nested_arrays(kMaxJsonDepth + 1, "1"), nested_objects(kMaxJsonDepth + 1)}) {
        auto parsed = parse_json_body(body);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == kJsonTooDeep);
        CHECK(parsed.error().message.find("32") != std::string::npos);
    }
}

TEST_CASE("a 1 MiB body of '[' is refused as too deep, not parsed") {
    const std::string body(1024 * 1024, '[');
    CHECK(json_nesting_depth(body, kMaxJsonDepth) == kMaxJsonDepth + 1);
    auto parsed = parse_json_body(body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == kJsonTooDeep);
}

TEST_CASE("the JSON depth counts the deepest branch, not the number of brackets") {
    CHECK(json_nesting_depth("1", 32) == 0);
    CHECK(json_nesting_depth("[]", 32) == 1);
    CHECK(json_nesting_depth("[[],[[]],{}]", 32) == 3);
    CHECK(json_nesting_depth(R"({"a":[1,{"b":[]}],"c":{}})", 32) == 4);
    std::string wide = "[";
    for (int i = 0; i < 1000; ++i) wide += (i ? ",[]" : "[]");
    wide += "]";
    CHECK(json_nesting_depth(wide, 32) == 2);
    CHECK(parse_json_body(wide).ok());
}

TEST_CASE("brackets inside JSON strings do not count toward the depth") {
    const std::string body =
        R"(["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{"])";
    CHECK(json_nesting_depth(body, 32) == 1);
    CHECK(parse_json_body(body).ok());
}

TEST_CASE("an escaped quote does not end a JSON string for the depth count") {
    // The string holds \"[[[…: were the escaped quote taken as its end, the brackets after it
    // would count and the body would look 40 deep.
    const std::string body = "[\"\\\"" + std::string(40, '[') + "\"]";
    CHECK(json_nesting_depth(body, 32) == 1);
    CHECK(parse_json_body(body).ok());
}

TEST_CASE("an escaped backslash before a quote ends the JSON string for the depth count") {
    // The string is one backslash ("\\"); the quote after it ends it, so the arrays that
    // follow are structure and make the body 33 deep.
    const std::string body = "[\"\\\\\"," + nested_arrays(kMaxJsonDepth) + "]";
    CHECK(json_nesting_depth(body, 64) == kMaxJsonDepth + 1);
    auto parsed = parse_json_body(body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == kJsonTooDeep);
}

TEST_CASE("a body with a NUL byte is refused as malformed, whatever follows it") {
    // nlohmann reads up to the first NUL: "[1]\0x" would parse as [1] with "x" unread.
    for (const std::string& body : {std::string("[1]\0x", 5), std::string("0e308\0[", 7),
                                    std::string("{\"a\":\"b\0\"}", 9), std::string("\0", 1)}) {
        CAPTURE(body);
        auto parsed = parse_json_body(body);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == kMalformedJson);
    }
    // An escaped NUL inside a string is JSON, and is kept.
    auto escaped = parse_json_body(R"({"a":"b\u0000c"})");
    REQUIRE(escaped.ok());
    CHECK((*escaped)["a"].get<std::string>() == std::string("b\0c", 3));
}

TEST_CASE("a body naming one member twice is refused as malformed, saying which") {
    // nlohmann would keep the last "active"; a reader keeping the first would see another user.
    auto parsed = parse_json_body(R"({"userName":"ada","active":true,"active":false})");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == kMalformedJson);
    CHECK(parsed.error().message ==
          "The request body is not valid JSON. An object names the member \"active\" twice.");
}

TEST_CASE("a body that is not JSON is refused as malformed") {
    for (const char* body : {"", "{not json", "[1,]", "]]]]", "{\"a\":1}}", "\"unterminated"}) {
        CAPTURE(body);
        auto parsed = parse_json_body(body);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == kMalformedJson);
    }
}
