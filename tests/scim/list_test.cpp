#include "gatehouse/scim/list.hpp"

#include <doctest/doctest.h>

#include "gatehouse/scim/error.hpp"

using namespace gatehouse;
using namespace gatehouse::scim;
using nlohmann::json;

namespace {

std::string scim_type_of(const Result<Page>& result) {
    REQUIRE_FALSE(result.ok());
    return to_scim_error(result.error()).scim_type;
}

}  // namespace

TEST_CASE("parse_page defaults to the first page of kDefaultPageSize") {
    auto page = parse_page(std::nullopt, std::nullopt);
    REQUIRE(page.ok());
    CHECK(page->start_index == 1);
    CHECK(page->count == kDefaultPageSize);
}

TEST_CASE("parse_page reads Okta's startIndex=1&count=100") {
    auto page = parse_page("1", "100");
    REQUIRE(page.ok());
    CHECK(page->start_index == 1);
    CHECK(page->count == 100);
}

TEST_CASE("parse_page treats a startIndex below 1 as 1") {
    CHECK(parse_page("0", std::nullopt)->start_index == 1);
    CHECK(parse_page("-5", std::nullopt)->start_index == 1);
}

TEST_CASE("parse_page treats a negative count as 0") {
    CHECK(parse_page(std::nullopt, "-1")->count == 0);
    CHECK(parse_page(std::nullopt, "0")->count == 0);
}

TEST_CASE("parse_page lowers a count above the maximum to kMaxPageSize") {
    CHECK(kMaxPageSize == 1000);
    CHECK(parse_page(std::nullopt, "5000")->count == kMaxPageSize);
}

TEST_CASE("parse_page rejects non-numeric values with invalidValue naming the parameter") {
    auto start = parse_page("abc", std::nullopt);
    CHECK(scim_type_of(start) == "invalidValue");
    CHECK(start.error().message.find("startIndex") != std::string::npos);
    auto count = parse_page(std::nullopt, "1.5");
    CHECK(scim_type_of(count) == "invalidValue");
    CHECK(count.error().message.find("count") != std::string::npos);
    CHECK(scim_type_of(parse_page("", std::nullopt)) == "invalidValue");
    CHECK(scim_type_of(parse_page(" 1", std::nullopt)) == "invalidValue");
    CHECK(scim_type_of(parse_page(std::nullopt, "99999999999999999999")) == "invalidValue");
}

TEST_CASE("list_response wraps a page with totalResults, itemsPerPage and startIndex") {
    const json out = list_response({json{{"id", "a"}}, json{{"id", "b"}}}, 12, 3);
    CHECK(out["schemas"] == json::array({"urn:ietf:params:scim:api:messages:2.0:ListResponse"}));
    CHECK(out["totalResults"] == 12);
    CHECK(out["itemsPerPage"] == 2);
    CHECK(out["startIndex"] == 3);
    CHECK(out["Resources"][1]["id"] == "b");
}

TEST_CASE("list_response for no matches still carries an empty Resources array") {
    const json out = list_response({}, 0, 1);
    CHECK(out["Resources"] == json::array());
    CHECK(out["itemsPerPage"] == 0);
}
