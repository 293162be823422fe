// Issue 12 item 7: JSON bodies nested deeper than 32 levels are refused with 400 before they
// are parsed, on SCIM (in SCIM's error format, scimType invalidSyntax) and on the admin API
// (in its own), so a deeply nested body cannot run a worker out of stack.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "scim_gateway.hpp"

using namespace gatehouse::testing;

namespace {

constexpr std::size_t kLimit = 32;

// `depth` arrays inside one another.
std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// A SCIM user whose extra attribute makes the whole body `depth` levels deep.
std::string deep_user(const std::string& user_name, std::size_t depth) {
    return R"({"schemas":[")" + std::string(kScimUser) + R"("],"userName":")" + user_name +
           R"(","x-nested":)" + nested_arrays(depth - 1) + "}";
}

// A new member with an extra field that makes the whole body `depth` levels deep.
std::string deep_member(const std::string& email, std::size_t depth) {
    return R"({"email":")" + email + R"(","x-nested":)" + nested_arrays(depth - 1) + "}";
}

// 1 MiB bodies must reach the parser rather than the size limit.
struct DeepGateway : ScimGateway {
    std::string admin_key;

    DeepGateway() : ScimGateway({"--max-body-bytes", std::to_string(4 * 1024 * 1024)}) {
        auto issued = run_gatehouse({"--db", db, "admin-key", "create", "acme", "--quiet"});
        REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
        admin_key = issued.out.substr(0, issued.out.find_first_of("\r\n"));
    }

    ScimReply admin(const std::string& body) const {
        httplib::Client client("127.0.0.1", server->port());
        client.set_read_timeout(30, 0);
        auto res =
            client.Post("/api/0/organizations/acme/members",
                        {{"Authorization", "Bearer " + admin_key}}, body, "application/json");
        REQUIRE(res);
        return {res->status, json::parse(res->body, nullptr, false), res->headers};
    }

    void check_alive() const {
        httplib::Client client("127.0.0.1", server->port());
        auto health = client.Get("/healthz");
        REQUIRE(health);
        CHECK(health->status == 200);
    }
};

void check_scim_too_deep(const ScimReply& reply) {
    CHECK(reply.status == 400);
    CHECK(reply.body["schemas"][0] == kScimError);
    CHECK(reply.body["scimType"] == "invalidSyntax");
    CHECK(reply.body["detail"].get<std::string>().find("32") != std::string::npos);
}

void check_admin_too_deep(const ScimReply& reply) {
    CHECK(reply.status == 400);
    CHECK(reply.body["error"] == "request.json_too_deep");
    CHECK(reply.body["message"].get<std::string>().find("32") != std::string::npos);
}

}  // namespace

TEST_CASE("SCIM accepts a JSON body nested 32 levels deep") {
    DeepGateway gw;
    auto created = gw.send("POST", "/Users", deep_user("deep@example.com", kLimit));
    CHECK_MESSAGE(created.status == 201, created.body.dump());
}

TEST_CASE("SCIM refuses a JSON body nested 33 levels deep with invalidSyntax") {
    DeepGateway gw;
    check_scim_too_deep(gw.send("POST", "/Users", deep_user("deep@example.com", kLimit + 1)));
    check_scim_too_deep(gw.send("PUT", "/Users/none", deep_user("deep@example.com", kLimit + 1)));
    check_scim_too_deep(gw.send("PATCH", "/Groups/none", nested_arrays(kLimit + 1)));
    CHECK(gw.get("/Users?filter=" + gatehouse::util::url_encode("userName eq \"deep@example.com\""))
              .body["totalResults"] == 0);
}

TEST_CASE("SCIM refuses a 1 MiB body of '[' quickly and keeps serving") {
    DeepGateway gw;
    const auto started = std::chrono::steady_clock::now();
    check_scim_too_deep(gw.send("POST", "/Users", std::string(1024 * 1024, '[')));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
    gw.check_alive();
}

TEST_CASE("the admin API parses a JSON body nested 32 levels deep") {
    // No admin field takes nested values, so the handler itself refuses the extra field: the
    // body got past the depth limit and was parsed.
    DeepGateway gw;
    auto judged = gw.admin(deep_member("deep@example.com", kLimit));
    CHECK(judged.status == 400);
    CHECK(judged.body["error"] == "request.unknown_field");
}

TEST_CASE("the admin API refuses a JSON body nested 33 levels deep") {
    DeepGateway gw;
    check_admin_too_deep(gw.admin(deep_member("deep@example.com", kLimit + 1)));
}

TEST_CASE("the admin API refuses a 1 MiB body of '[' quickly and keeps serving") {
    DeepGateway gw;
    const auto started = std::chrono::steady_clock::now();
    check_admin_too_deep(gw.admin(std::string(1024 * 1024, '[')));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
    gw.check_alive();
}
