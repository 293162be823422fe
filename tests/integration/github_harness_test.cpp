// Proves the GitHub stand-in without the gateway: an OAuth App sign-in through its authorize
// and token endpoints with WebClient, then its user API, and the refusals a gateway must handle.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "gatehouse/util/encoding.hpp"
#include "support/github_standin.hpp"
#include "support/tls_fixture.hpp"
#include "support/web_client.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

// The query parameters of `url`.
std::map<std::string, std::string> query_of(const std::string& url) {
    const auto question = url.find('?');
    REQUIRE(question != std::string::npos);
    const auto params = util::parse_form(url.substr(question + 1));
    REQUIRE(params.has_value());
    return *params;
}

constexpr const char* kGithubClientId = "Iv1.gatehouse";
constexpr const char* kGithubSecret = "github-client-secret";

struct GithubFixture {
    SilentListener callback;
    std::string callback_url = "http://127.0.0.1:" + std::to_string(callback.port()) + "/gh/";
    GithubStandIn github{
        {{.client_id = kGithubClientId,
          .client_secret = kGithubSecret,
          .callback_url = callback_url}},
        {{.id = 583231,
          .login = "octocat",
          .name = "The Octocat",
          .emails = {{.email = "octocat@example.com", .primary = true, .verified = true},
                     {.email = "cat@example.net", .primary = false, .verified = false}},
          .orgs = {"acme", "widgets"}},
         {.id = 2, .login = "hubot", .name = "Hubot", .emails = {}, .orgs = {}}}};
    WebClient browser{github.ca_file()};

    // Authorizes in the browser; returns the code from the callback redirect.
    std::string authorize(const std::string& state = "st") {
        const FollowResult result = browser.follow(
            github.base_url() + "/login/oauth/authorize?client_id=" + kGithubClientId +
                "&redirect_uri=" + util::url_encode(callback_url + "acme/") +
                "&scope=read%3Aorg%20user%3Aemail&state=" + state,
            callback_url);
        REQUIRE(result.stopped_at.starts_with(callback_url + "acme/?"));
        const auto params = query_of(result.stopped_at);
        CHECK(params.at("state") == state);
        return params.at("code");
    }

    json redeem(const std::string& code) {
        auto client = loopback_https_client(github.port(), github.ca_file());
        const httplib::Headers accept_json = {{"Accept", "application/json"}};
        const auto response = client->Post(
            "/login/oauth/access_token", accept_json,
            "client_id=" + std::string(kGithubClientId) + "&client_secret=" + kGithubSecret +
                "&code=" + code + "&redirect_uri=" + util::url_encode(callback_url + "acme/"),
            "application/x-www-form-urlencoded");
        REQUIRE(response);
        REQUIRE(response->status == 200);
        return json::parse(response->body);
    }

    httplib::Result api(const std::string& path, const std::string& authorization) {
        auto client = loopback_https_client(github.port(), github.ca_file());
        httplib::Headers headers = {{"Accept", "application/vnd.github+json"}};
        if (!authorization.empty()) headers.emplace("Authorization", authorization);
        return client->Get(path.c_str(), headers);
    }
};

}  // namespace

TEST_CASE("OIDC harness: GitHub stand-in signs in the current user through authorize and token") {
    GithubFixture fixture;
    const json token = fixture.redeem(fixture.authorize());
    REQUIRE(token.contains("access_token"));
    CHECK(token.at("token_type") == "bearer");
    CHECK(token.at("scope") == "read:org,user:email");
    const std::string bearer = "Bearer " + token.at("access_token").get<std::string>();

    const auto user = fixture.api("/user", bearer);
    REQUIRE(user);
    REQUIRE(user->status == 200);
    CHECK(user->get_header_value("X-OAuth-Scopes") == "read:org,user:email");
    CHECK(json::parse(user->body).at("id") == 583231);
    CHECK(json::parse(user->body).at("login") == "octocat");
    CHECK(json::parse(user->body).at("name") == "The Octocat");

    const auto emails = fixture.api("/user/emails", bearer);
    REQUIRE(emails);
    REQUIRE(emails->status == 200);
    const json addresses = json::parse(emails->body);
    REQUIRE(addresses.size() == 2);
    CHECK(addresses[0].at("email") == "octocat@example.com");
    CHECK(addresses[0].at("primary") == true);
    CHECK(addresses[0].at("verified") == true);
    CHECK(addresses[1].at("verified") == false);

    // GitHub's older "token" scheme works as well as Bearer.
    const auto orgs =
        fixture.api("/user/orgs", "token " + token.at("access_token").get<std::string>());
    REQUIRE(orgs);
    REQUIRE(orgs->status == 200);
    const json memberships = json::parse(orgs->body);
    REQUIRE(memberships.size() == 2);
    CHECK(memberships[0].at("login") == "acme");
    CHECK(memberships[1].at("login") == "widgets");

    const auto requests = fixture.github.requests();
    REQUIRE(requests.size() == 5);
    CHECK(requests[1].path == "/login/oauth/access_token");
    CHECK(requests[1].params.at("client_secret") == kGithubSecret);
    CHECK(requests[2].authorization == bearer);
}

TEST_CASE("OIDC harness: GitHub stand-in refuses a reused code with bad_verification_code") {
    GithubFixture fixture;
    const std::string code = fixture.authorize();
    CHECK(fixture.redeem(code).contains("access_token"));
    const json again = fixture.redeem(code);
    CHECK(again.at("error") == "bad_verification_code");
    CHECK_FALSE(again.contains("access_token"));
}

TEST_CASE("OIDC harness: GitHub stand-in authorizes whoever is the current user") {
    GithubFixture fixture;
    fixture.github.set_current_user("hubot");
    const json token = fixture.redeem(fixture.authorize());
    const auto user = fixture.api("/user", "Bearer " + token.at("access_token").get<std::string>());
    REQUIRE(user);
    CHECK(json::parse(user->body).at("login") == "hubot");
    CHECK(json::parse(user->body).at("email") == nullptr);
    CHECK_THROWS_AS(fixture.github.set_current_user("nobody"), std::invalid_argument);
}

TEST_CASE("OIDC harness: GitHub stand-in refuses API calls without a valid token") {
    GithubFixture fixture;
    const auto anonymous = fixture.api("/user", "");
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);
    CHECK(json::parse(anonymous->body).at("message") == "Requires authentication");
    const auto forged = fixture.api("/user/emails", "Bearer gho_forged");
    REQUIRE(forged);
    CHECK(forged->status == 401);
    CHECK(json::parse(forged->body).at("message") == "Bad credentials");
}

TEST_CASE("OIDC harness: GitHub stand-in answers an unknown client_id with a 404 page") {
    GithubFixture fixture;
    const WebResponse page = fixture.browser.get(fixture.github.base_url() +
                                                 "/login/oauth/authorize?client_id=stranger");
    CHECK(page.status == 404);
}
