// The request and response types route handlers see, and the route table.
#include "../../src/http/exchange.hpp"

#include <doctest/doctest.h>

#include "../../src/http/router.hpp"

using namespace gatehouse::http;

TEST_CASE("a request target is split into a decoded path and decoded query parameters") {
    std::string path;
    Params params;
    REQUIRE(parse_target("/saml/acs/acme%2Dcorp/?next=%2Fa+b&next=c&flag", path, params));
    CHECK(path == "/saml/acs/acme-corp/");
    CHECK(params.count("next") == 2);
    CHECK(params.find("next")->second == "/a b");
    CHECK(params.count("flag") == 1);
}

TEST_CASE("a plus sign in a path stays a plus sign") {
    std::string path;
    Params params;
    REQUIRE(parse_target("/a+b", path, params));
    CHECK(path == "/a+b");
}

TEST_CASE("a target that is not origin-form or has a broken escape is refused") {
    std::string path;
    Params params;
    CHECK_FALSE(parse_target("http://example.com/", path, params));
    CHECK_FALSE(parse_target("*", path, params));
    CHECK_FALSE(parse_target("/a%zz", path, params));
    CHECK_FALSE(parse_target("/a?x=%4", path, params));
}

TEST_CASE("header names are found without regard to case, each value in order") {
    Request req;
    req.headers.emplace("Cookie", "a=1");
    req.headers.emplace("cookie", "b=2");
    CHECK(req.has_header("COOKIE"));
    CHECK(req.get_header_value_count("Cookie") == 2);
    CHECK(req.get_header_value("cookie", 1) == "b=2");
    CHECK(req.get_header_value("cookie", 2).empty());
}

TEST_CASE("a response header value holding CR or LF is dropped, so no header can be split") {
    Response res;
    res.set_header("Location", "/next\r\nSet-Cookie: stolen=1");
    CHECK_FALSE(res.has_header("Location"));
    CHECK_FALSE(res.has_header("Set-Cookie"));
}

TEST_CASE("the first matching route runs, with its groups; HEAD runs the GET route") {
    Router router;
    std::string ran;
    router.get(R"(/orgs/([^/]+)/)",
               [&](const Request& req, Response&) { ran = "first:" + req.matches[1].str(); });
    router.get(R"(/orgs/(.+))", [&](const Request&, Response&) { ran = "second"; });
    Request req;
    Response res;
    req.method = "HEAD";
    req.path = "/orgs/acme/";
    CHECK(router.dispatch(req, res) == Router::Outcome::handled);
    CHECK(ran == "first:acme");
}

TEST_CASE("the route table tells an unknown path from a known path asked with another method") {
    Router router;
    router.post("/x", [](const Request&, Response&) {});
    Request req;
    Response res;
    req.method = "GET";
    req.path = "/x";
    CHECK(router.dispatch(req, res) == Router::Outcome::wrong_method);
    req.path = "/y";
    CHECK(router.dispatch(req, res) == Router::Outcome::no_route);
}
