#include "gatehouse/oidc/github.hpp"

#include <doctest/doctest.h>

using namespace gatehouse;
using namespace gatehouse::oidc;

TEST_CASE("GitHub /user yields the numeric id as text, the login and the name") {
    const auto user = parse_github_user(
        R"({"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjU4MzIzMQ==","name":"The Octocat"})");
    REQUIRE(user.ok());
    CHECK(user->id == "583231");
    CHECK(user->login == "octocat");
    CHECK(user->name == "The Octocat");
}

TEST_CASE("GitHub /user with a null name leaves the name empty") {
    const auto user = parse_github_user(R"({"login":"octocat","id":1,"name":null})");
    REQUIRE(user.ok());
    CHECK(user->name.empty());
}

TEST_CASE("GitHub /user without a positive numeric id or a login is invalid") {
    for (const char* body :
         {R"({"login":"octocat"})", R"({"login":"octocat","id":"583231"})",
          R"({"login":"octocat","id":0})", R"({"login":"octocat","id":-5})",
          R"({"login":"octocat","id":1.5})", R"({"id":583231})", R"({"id":583231,"login":7})",
          R"({"id":583231,"login":""})", "[]", "not json"}) {
        CAPTURE(body);
        const auto user = parse_github_user(body);
        REQUIRE_FALSE(user.ok());
        CHECK(user.error().code == "github.user.invalid");
    }
}

TEST_CASE("GitHub /user/emails yields the primary address when it is verified") {
    const auto email = primary_verified_email(
        R"([{"email":"other@example.com","primary":false,"verified":true,"visibility":null},
            {"email":"octocat@github.com","primary":true,"verified":true,"visibility":"public"}])");
    REQUIRE(email.ok());
    CHECK(*email == "octocat@github.com");
}

TEST_CASE("GitHub /user/emails with an unverified primary says so") {
    const auto email = primary_verified_email(
        R"([{"email":"octocat@github.com","primary":true,"verified":false},
            {"email":"other@example.com","primary":false,"verified":true}])");
    REQUIRE_FALSE(email.ok());
    CHECK(email.error().code == "github.email.unverified");
    CHECK(email.error().message.find("not verified") != std::string::npos);
}

TEST_CASE("GitHub /user/emails without any primary address says so") {
    const auto email = primary_verified_email(
        R"([{"email":"other@example.com","primary":false,"verified":true}])");
    REQUIRE_FALSE(email.ok());
    CHECK(email.error().code == "github.email.unverified");
    CHECK(email.error().message.find("no primary") != std::string::npos);
    CHECK(primary_verified_email("[]").error().code == "github.email.unverified");
}

TEST_CASE("GitHub /user/emails whose verified flag is a string is not verified") {
    const auto email = primary_verified_email(
        R"([{"email":"octocat@github.com","primary":true,"verified":"true"}])");
    REQUIRE_FALSE(email.ok());
    CHECK(email.error().code == "github.email.unverified");
}

TEST_CASE("GitHub /user/emails that is not an array of objects is invalid") {
    CHECK(primary_verified_email(R"({"message":"Bad credentials"})").error().code ==
          "github.emails.invalid");
    CHECK(primary_verified_email("<html>").error().code == "github.emails.invalid");
    CHECK(primary_verified_email(R"(["octocat@github.com"])").error().code ==
          "github.emails.invalid");
}

TEST_CASE("GitHub /user/orgs yields the organization logins in order") {
    const auto orgs = parse_github_orgs(
        R"([{"login":"github","id":1,"url":"https://api.github.com/orgs/github"},
            {"login":"acme-corp","id":2}])");
    REQUIRE(orgs.ok());
    CHECK(*orgs == std::vector<std::string>{"github", "acme-corp"});
    CHECK(parse_github_orgs("[]")->empty());
}

TEST_CASE("GitHub /user/orgs that is not an array of objects with logins is invalid") {
    for (const char* body : {R"({"message":"Requires authentication"})", "nope", R"([{"id":1}])",
                             R"(["github"])", R"([{"login":5}])"}) {
        CAPTURE(body);
        CHECK(parse_github_orgs(body).error().code == "github.orgs.invalid");
    }
}
