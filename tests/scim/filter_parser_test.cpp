#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "gatehouse/scim/filter.hpp"

using namespace gatehouse::scim;

namespace {

FilterPtr parsed(std::string_view text) {
    auto filter = parse_filter(text);
    INFO(text, " -> ", filter.ok() ? std::string() : filter.error().message);
    REQUIRE(filter.ok());
    return *filter;
}

// The message of a rejected filter; also checks that the code is the filter one.
std::string rejection(std::string_view text) {
    auto filter = parse_filter(text);
    INFO(text);
    REQUIRE_FALSE(filter.ok());
    CHECK(filter.error().code == kInvalidFilterCode);
    return filter.error().message;
}

const Comparison& as_comparison(const FilterPtr& filter) {
    const auto* comparison = std::get_if<Comparison>(&filter->node);
    REQUIRE(comparison != nullptr);
    return *comparison;
}

const Junction& as_junction(const FilterPtr& filter) {
    const auto* junction = std::get_if<Junction>(&filter->node);
    REQUIRE(junction != nullptr);
    return *junction;
}

const ValuePath& as_value_path(const FilterPtr& filter) {
    const auto* value_path = std::get_if<ValuePath>(&filter->node);
    REQUIRE(value_path != nullptr);
    return *value_path;
}

bool is_presence_of(const FilterPtr& filter, std::string_view attribute) {
    const auto* presence = std::get_if<Presence>(&filter->node);
    return presence != nullptr && presence->attribute.attribute == attribute;
}

PatchPath patch_path(std::string_view text) {
    auto path = parse_patch_path(text);
    INFO(text, " -> ", path.ok() ? std::string() : path.error().message);
    REQUIRE(path.ok());
    return *path;
}

std::string path_rejection(std::string_view text) {
    auto path = parse_patch_path(text);
    INFO(text);
    REQUIRE_FALSE(path.ok());
    CHECK(path.error().code == kInvalidPathCode);
    return path.error().message;
}

std::string nested_parentheses(int depth) {
    return std::string(static_cast<std::size_t>(depth), '(') + "userName pr" +
           std::string(static_cast<std::size_t>(depth), ')');
}

}  // namespace

TEST_CASE("parse_filter reads an equality into attribute, operator and string operand") {
    const auto comparison_filter = parsed(R"(userName eq "bjensen")");
    const auto& comparison = as_comparison(comparison_filter);
    CHECK(comparison.attribute == AttributePath{"", "userName", ""});
    CHECK(comparison.op == CompareOp::eq);
    CHECK(comparison.value == "bjensen");
}

TEST_CASE("parse_filter recognises every comparison operator in any case") {
    const std::pair<std::string_view, CompareOp> operators[] = {
        {"eq", CompareOp::eq}, {"NE", CompareOp::ne}, {"Co", CompareOp::co},
        {"sW", CompareOp::sw}, {"ew", CompareOp::ew}, {"GT", CompareOp::gt},
        {"ge", CompareOp::ge}, {"lt", CompareOp::lt}, {"Le", CompareOp::le}};
    for (const auto& [word, op] : operators) {
        const std::string text = "title " + std::string(word) + " \"x\"";
        CHECK(as_comparison(parsed(text)).op == op);
    }
}

TEST_CASE("parse_filter reads pr as a presence test") {
    CHECK(is_presence_of(parsed("title PR"), "title"));
}

TEST_CASE("parse_filter binds and tighter than or") {
    const auto top_filter = parsed("a pr or b pr and c pr");
    const auto& top = as_junction(top_filter);
    REQUIRE(top.op == LogicalOp::or_);
    REQUIRE(top.operands.size() == 2);
    CHECK(is_presence_of(top.operands[0], "a"));
    const auto& right = as_junction(top.operands[1]);
    CHECK(right.op == LogicalOp::and_);
    CHECK(is_presence_of(right.operands[0], "b"));
    CHECK(is_presence_of(right.operands[1], "c"));
}

TEST_CASE("parse_filter lets parentheses override precedence") {
    const auto top_filter = parsed("(a pr or b pr) AND c pr");
    const auto& top = as_junction(top_filter);
    REQUIRE(top.op == LogicalOp::and_);
    CHECK(as_junction(top.operands[0]).op == LogicalOp::or_);
    CHECK(is_presence_of(top.operands[1], "c"));
}

TEST_CASE("parse_filter keeps a chain of one operator flat") {
    const auto top_filter = parsed("a pr and b pr and (c pr and d pr)");
    const auto& top = as_junction(top_filter);
    CHECK(top.operands.size() == 4);
}

TEST_CASE("parse_filter reads not with its parenthesised operand, with or without a space") {
    for (std::string_view text : {"not (a pr)", "NOT(a pr)"}) {
        const auto filter = parsed(text);
        const auto* negation = std::get_if<Negation>(&filter->node);
        REQUIRE(negation != nullptr);
        CHECK(is_presence_of(negation->operand, "a"));
    }
}

TEST_CASE("parse_filter reads a sub-attribute") {
    CHECK(as_comparison(parsed(R"(name.familyName co "O'Malley")")).attribute ==
          AttributePath{"", "name", "familyName"});
}

TEST_CASE("parse_filter splits a schema URN from the attribute and sub-attribute") {
    const auto enterprise =
        parsed(std::string(kEnterpriseUserSchema) + R"(:employeeNumber eq "701984")");
    CHECK(as_comparison(enterprise).attribute ==
          AttributePath{std::string(kEnterpriseUserSchema), "employeeNumber", ""});
    const auto core = parsed(std::string(kCoreUserSchema) + R"(:name.givenName eq "B")");
    CHECK(as_comparison(core).attribute ==
          AttributePath{std::string(kCoreUserSchema), "name", "givenName"});
}

TEST_CASE("parse_filter reads a value path with a logical filter inside the brackets") {
    const auto value_path_filter = parsed(R"(emails[type eq "work" and value co "@example.com"])");
    const auto& value_path = as_value_path(value_path_filter);
    CHECK(value_path.attribute == AttributePath{"", "emails", ""});
    const auto& inner = as_junction(value_path.filter);
    CHECK(inner.op == LogicalOp::and_);
    CHECK(as_comparison(inner.operands[1]).attribute.attribute == "value");
}

TEST_CASE("parse_filter reads Entra ID's sub-attribute comparison after a value path") {
    const auto value_path_filter = parsed(R"(emails[type eq "work"].value eq "a@b")");
    const auto& value_path = as_value_path(value_path_filter);
    const auto& inner = as_junction(value_path.filter);
    REQUIRE(inner.operands.size() == 2);
    CHECK(as_comparison(inner.operands[0]).attribute.attribute == "type");
    const auto& tail = as_comparison(inner.operands[1]);
    CHECK(tail.attribute == AttributePath{"", "value", ""});
    CHECK(tail.value == "a@b");
}

TEST_CASE("parse_filter reads true, false and null in any case") {
    CHECK(as_comparison(parsed("active eq true")).value == true);
    CHECK(as_comparison(parsed("active eq False")).value == false);
    CHECK(as_comparison(parsed("title eq NULL")).value.is_null());
}

TEST_CASE("parse_filter reads integers as integers and other numbers as doubles") {
    const auto integer = as_comparison(parsed("loginCount gt 42")).value;
    CHECK(integer.is_number_integer());
    CHECK(integer == 42);
    CHECK(as_comparison(parsed("loginCount gt -7")).value == -7);
    const auto real = as_comparison(parsed("score le -1.5e2")).value;
    CHECK(real.is_number_float());
    CHECK(real.get<double>() == doctest::Approx(-150.0));
}

TEST_CASE("parse_filter decodes JSON string escapes including surrogate pairs") {
    const auto value = as_comparison(parsed(R"(title eq "a\"b\\c\/\t\u00e9\ud83d\ude00")")).value;
    CHECK(value == "a\"b\\c/\t\xC3\xA9\xF0\x9F\x98\x80");
}

TEST_CASE("parse_filter accepts the $ref sub-attribute") {
    CHECK(as_comparison(parsed(R"(groups.$ref co "/Groups/")")).attribute.sub_attribute == "$ref");
}

TEST_CASE("parse_filter rejects an unterminated string and names the position of its quote") {
    const auto message = rejection(R"(userName eq "bjensen)");
    CHECK(message.find("at character 13") != std::string::npos);
    CHECK(message.find("no closing") != std::string::npos);
}

TEST_CASE("parse_filter rejects an unknown operator and quotes it") {
    const auto message = rejection(R"(userName eqq "x")");
    CHECK(message.find("at character 10") != std::string::npos);
    CHECK(message.find("\"eqq\"") != std::string::npos);
}

TEST_CASE("parse_filter rejects a missing operator or operand") {
    CHECK(rejection("userName").find("at character 9: expected \"pr\" or a comparison") !=
          std::string::npos);
    CHECK(rejection("userName eq").find("at character 12: expected a value") != std::string::npos);
}

TEST_CASE("parse_filter rejects an unquoted string operand") {
    CHECK(rejection("userName eq bjensen").find("at character 13: expected a value") !=
          std::string::npos);
}

TEST_CASE("parse_filter rejects an unclosed parenthesis and names where it opened") {
    const auto message = rejection("title pr and (userName pr");
    CHECK(message.find("at character 26") != std::string::npos);
    CHECK(message.find("the \"(\" at character 14") != std::string::npos);
}

TEST_CASE("parse_filter rejects text after a complete filter") {
    CHECK(rejection("userName pr)").find("at character 12") != std::string::npos);
    CHECK(rejection("userName pr title pr").find("at character 13") != std::string::npos);
}

TEST_CASE("parse_filter rejects a dangling and, an empty filter and not without parentheses") {
    CHECK(rejection("userName pr and").find("at character 16") != std::string::npos);
    CHECK(rejection("").find("at character 1") != std::string::npos);
    CHECK(rejection("not userName pr").find("\"(\" after \"not\"") != std::string::npos);
}

TEST_CASE(
    "parse_filter rejects an unclosed or nested value path and brackets after a sub-attribute") {
    CHECK(rejection(R"(emails[type eq "work")").find("\"]\" to close the \"[\" at character 7") !=
          std::string::npos);
    CHECK(rejection(R"(emails[type[value pr] pr])")
              .find("at character 12: a value filter cannot contain another") != std::string::npos);
    CHECK(rejection(R"(name.givenName[value pr])")
              .find("at character 15: a value filter must follow an attribute without") !=
          std::string::npos);
}

TEST_CASE("parse_filter rejects malformed attribute paths") {
    for (std::string_view text : {"1abc pr", ":abc pr", "a.b.c pr", "urn:x: pr", "a$b pr"}) {
        CHECK(rejection(text).find("at character 1: expected an attribute path") !=
              std::string::npos);
    }
    CHECK(rejection(R"(emails[type eq "work"]. eq "x")")
              .find("at character 24: expected a sub-attribute") != std::string::npos);
}

TEST_CASE("parse_filter rejects bad string escapes, lone surrogates and raw control characters") {
    CHECK(rejection(R"(title eq "a\qb")").find("at character 13: expected an escape") !=
          std::string::npos);
    CHECK(rejection(R"(title eq "\u12G4")").find("four hexadecimal digits") != std::string::npos);
    CHECK(rejection(R"(title eq "\ud800")").find("surrogate pair") != std::string::npos);
    CHECK(rejection(R"(title eq "\udc00\ud800")").find("surrogate pair") != std::string::npos);
    CHECK(rejection("title eq \"a\nb\"").find("at character 12: a control character") !=
          std::string::npos);
}

TEST_CASE("parse_filter rejects malformed numbers") {
    CHECK(rejection("n eq 01").find("at character 6") != std::string::npos);
    CHECK(rejection("n eq 1.").find("expected a number") != std::string::npos);
    CHECK(rejection("n eq 1e").find("expected a number") != std::string::npos);
    CHECK(rejection("n eq 12abc").find("at character 8: expected the end of the number") !=
          std::string::npos);
}

TEST_CASE("parse_filter rejects operands the operator can never match") {
    CHECK(rejection("title co 1").find("at character 10: expected a string after \"co\"") !=
          std::string::npos);
    CHECK(rejection("active gt true").find("a string or number after \"gt\"") != std::string::npos);
    CHECK(rejection("title lt null").find("a string or number after \"lt\"") != std::string::npos);
}

TEST_CASE("parse_filter rejects text that is not UTF-8 and names the byte") {
    CHECK(rejection("title eq \"a\xFF\"").find("at character 12: the text is not valid UTF-8") !=
          std::string::npos);
}

TEST_CASE("parse_filter accepts 4 KiB of text and rejects one byte more") {
    const std::string head = "userName eq \"";
    std::string text = head + std::string(kMaxFilterLength - head.size() - 1, 'a') + "\"";
    REQUIRE(text.size() == kMaxFilterLength);
    CHECK(parse_filter(text).ok());
    text.insert(head.size(), "a");
    CHECK(rejection(text).find("limit is 4096") != std::string::npos);
}

TEST_CASE("parse_filter accepts 32 levels of nesting and rejects 33") {
    CHECK(parse_filter(nested_parentheses(kMaxFilterDepth)).ok());
    CHECK(rejection(nested_parentheses(kMaxFilterDepth + 1)).find("deeper than 32 levels") !=
          std::string::npos);
}

TEST_CASE("parse_filter counts value-path brackets and not towards the nesting limit") {
    const std::string inner = "emails[" + nested_parentheses(kMaxFilterDepth - 1) + "]";
    CHECK(parse_filter(inner).ok());
    CHECK_FALSE(parse_filter("not (" + inner + ")").ok());
}

TEST_CASE("parse_filter reads a 4 KiB chain of or terms without deep recursion") {
    std::string text = "a pr";
    while (text.size() + 8 <= kMaxFilterLength) text += " or a pr";
    CHECK(as_junction(parsed(text)).operands.size() == (text.size() + 4) / 8);
}

TEST_CASE("parse_patch_path reads a plain, a sub-attribute and a URN-qualified path") {
    auto plain = patch_path("displayName");
    CHECK(plain.attribute == AttributePath{"", "displayName", ""});
    CHECK(plain.value_filter == nullptr);
    CHECK(patch_path("name.familyName").attribute == AttributePath{"", "name", "familyName"});
    CHECK(patch_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
              .attribute == AttributePath{std::string(kEnterpriseUserSchema), "manager", ""});
}

TEST_CASE("parse_patch_path reads a value path and the sub-attribute after it") {
    auto members = patch_path(R"(members[value eq "2819c223"])");
    CHECK(members.attribute.attribute == "members");
    REQUIRE(members.value_filter != nullptr);
    CHECK(as_comparison(members.value_filter).value == "2819c223");
    CHECK(members.sub_attribute.empty());
    CHECK(patch_path(R"(emails[type eq "work"].value)").sub_attribute == "value");
}

TEST_CASE("parse_patch_path rejects bad paths with the path code and a position") {
    CHECK(path_rejection("").find("at character 1: expected an attribute path") !=
          std::string::npos);
    CHECK(path_rejection(R"(emails[type eq "work")").find("at character 22") != std::string::npos);
    CHECK(path_rejection(R"(emails[type eq "work"].)")
              .find("at character 24: expected a sub-attribute") != std::string::npos);
    CHECK(path_rejection("displayName eq \"x\"")
              .find("at character 13: expected the end of the path") != std::string::npos);
    CHECK(path_rejection(R"(emails[type eq])").find("at character 15: expected a value") !=
          std::string::npos);
}

TEST_CASE("parse_filter reads an integer beyond 64 bits as a double and rejects an infinite one") {
    CHECK(as_comparison(parsed("n eq 9223372036854775808")).value.is_number_float());
    CHECK(rejection("n eq 1e999").find("at character 6: expected a number within the range") !=
          std::string::npos);
}
