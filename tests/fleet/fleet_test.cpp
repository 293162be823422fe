// Three gateway processes (A, B, C) on one PostgreSQL database, as a fleet behind a load
// balancer runs: every rule that protects a sign-in or a member holds whichever process a
// request reaches, and periodic work is done by one process, not by each.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "integration/saml_gateway.hpp"
#include "support/postgres_server.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

const std::string kPassword = "correct horse battery staple";
const std::string kOwnerPassword = "break the glass in an emergency";
constexpr const char* kScimUser = "urn:ietf:params:scim:schemas:core:2.0:User";
constexpr const char* kPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// What a process answered: the status and the body (discarded when not JSON).
struct Reply {
    int status = 0;
    json body;
};

struct Fleet : SamlGateway {
    // B and C; A is SamlGateway's own server.
    std::unique_ptr<ServerProcess> b;
    std::unique_ptr<ServerProcess> c;
    std::string admin_key;
    std::string scim_token;

    explicit Fleet(std::vector<std::string> server_args = {})
        : SamlGateway(shared_postgres_server().create_database(), {}, server_args) {
        cli({"member", "add", "--org", "acme", "--email", "ada@example.com", "--role", "admin",
             "--password-stdin"},
            kPassword + "\n");
        cli({"member", "add", "--org", "acme", "--email", "root@example.com", "--role", "owner",
             "--break-glass", "--password-stdin"},
            kOwnerPassword + "\n");
        admin_key = printed_value({"admin-key", "create", "acme", "--quiet"});
        scim_token = printed_value({"scim-token", "create", "acme", "--quiet"});
        b = start_server(server_args);
        c = start_server(std::move(server_args));
    }

    std::string cli(std::vector<std::string> args, const std::string& input = "") const {
        args.insert(args.begin(), {"--db", db});
        auto result = run_gatehouse(args, input);
        REQUIRE_MESSAGE(result.exit_code == 0, result.err);
        return result.out;
    }

    // The one line a `--quiet` command prints, without its line ending.
    std::string printed_value(std::vector<std::string> args) const {
        const std::string out = cli(std::move(args));
        return out.substr(0, out.find_first_of("\r\n"));
    }

    // The process of `name` ('A', 'B' or 'C').
    ServerProcess& process(char name) const {
        return name == 'A' ? *server : name == 'B' ? *b : *c;
    }
    // Sends this fixture's browser requests to process `name` until the next call.
    Fleet& at(char name) {
        target_port = process(name).port();
        return *this;
    }

    // A JSON request with a bearer credential to process `name`.
    Reply send(char name, const std::string& method, const std::string& target,
               const std::string& bearer, const json& body = nullptr) const {
        httplib::Client client("127.0.0.1", process(name).port());
        client.set_read_timeout(30, 0);
        const httplib::Headers headers = {{"Authorization", "Bearer " + bearer}};
        const std::string text = body.is_null() ? "" : body.dump();
        const std::string type = "application/scim+json";
        httplib::Result res = method == "GET"    ? client.Get(target, headers)
                              : method == "POST" ? client.Post(target, headers, text, type)
                              : method == "PATCH"
                                  ? client.Patch(target, headers, text, "application/json")
                                  : client.Delete(target, headers);
        REQUIRE_MESSAGE(res, "no answer from " << name << " to " << method << " " << target);
        return {res->status, json::parse(res->body, nullptr, false)};
    }
    Reply scim(char name, const std::string& method, const std::string& path,
               const json& body = nullptr) const {
        return send(name, method, "/api/0/organizations/acme/scim/v2" + path, scim_token, body);
    }
    Reply admin(char name, const std::string& method, const std::string& path,
                const json& body = nullptr) const {
        return send(name, method, "/api/0/organizations/acme/" + path, admin_key, body);
    }

    // Signs in with a password at process `name`; returns the session cookie value.
    std::string password_sign_in(char name, const std::string& email, const std::string& password) {
        auto res = at(name).client().Post(
            "/auth/login/acme/",
            "email=" + util::url_encode(email) + "&password=" + util::url_encode(password),
            "application/x-www-form-urlencoded");
        REQUIRE(res);
        REQUIRE(res->status == 303);
        return session_cookie(*res);
    }

    // True when process `name` shows the landing page of `email` to the session `cookie`.
    bool signed_in_at(char name, const std::string& cookie, const std::string& email) {
        auto page = at(name).landing(cookie);
        REQUIRE(page);
        return page->status == 200 && page->body.find(email) != std::string::npos;
    }

    // Every log line the three processes wrote so far.
    std::string logs() const { return server->log() + b->log() + c->log(); }
};

json scim_user(const std::string& user_name) {
    return {{"schemas", {kScimUser}},
            {"userName", user_name},
            {"active", true},
            {"emails", {{{"value", user_name}, {"primary", true}}}},
            {"name", {{"givenName", "Grace"}, {"familyName", "Hopper"}}}};
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("a Response accepted at A is refused when replayed at B") {
    Fleet fleet;
    const std::string response = fleet.response_for(fleet.at('A').start_login(), "ada@example.com");
    REQUIRE(fleet.at('A').post_acs(response)->status == 303);
    auto replay = fleet.at('B').post_acs(response);
    REQUIRE(replay);
    CHECK(replay->status == 403);

    // The same assertion ID under a request started at B itself: B's replay cache is A's.
    const std::string assertion_id = "_fleet-assertion-" + util::random_token(8);
    REQUIRE(fleet.at('A')
                .post_acs(fleet.response_for(fleet.start_login(), "ada@example.com", assertion_id))
                ->status == 303);
    auto again = fleet.at('B').post_acs(
        fleet.response_for(fleet.start_login(), "ada@example.com", assertion_id));
    REQUIRE(again);
    CHECK(again->status == 403);
    fleet.b->stop(SIGTERM);
    CHECK(fleet.b->log().find("\"reason\":\"saml.replay\"") != std::string::npos);
}

TEST_CASE("a sign-in started at A completes at C, once") {
    Fleet fleet;
    const std::string request_id = fleet.at('A').start_login("/organizations/acme/?from=a");
    auto completed = fleet.at('C').post_acs(fleet.response_for(request_id, "ada@example.com"));
    REQUIRE(completed);
    CHECK(completed->status == 303);
    CHECK(completed->get_header_value("Location") == "/organizations/acme/?from=a");
    const std::string cookie = SamlGateway::session_cookie(*completed);
    // The session C made is good at A and B.
    CHECK(fleet.signed_in_at('A', cookie, "ada@example.com"));
    CHECK(fleet.signed_in_at('B', cookie, "ada@example.com"));
    // A second Response to the same request, with a new assertion ID, finds it consumed.
    auto second = fleet.at('B').post_acs(fleet.response_for(request_id, "ada@example.com"));
    REQUIRE(second);
    CHECK(second->status == 403);
    fleet.b->stop(SIGTERM);
    CHECK(fleet.b->log().find("\"reason\":\"saml.response.unknown_request\"") != std::string::npos);
}

TEST_CASE("a user created over SCIM at C is seen at A and B at once") {
    Fleet fleet;
    auto created = fleet.scim('C', "POST", "/Users", scim_user("grace@example.com"));
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    for (const char name : {'A', 'B'}) {
        CAPTURE(name);
        auto read = fleet.scim(name, "GET", "/Users/" + id);
        CHECK(read.status == 200);
        CHECK(read.body["userName"] == "grace@example.com");
        auto found = fleet.scim(
            name, "GET", "/Users?filter=" + util::url_encode("userName eq \"grace@example.com\""));
        REQUIRE(found.status == 200);
        CHECK(found.body["totalResults"] == 1);
    }
}

TEST_CASE("Require SSO turned on at B ends the password sessions used at A") {
    Fleet fleet;
    const std::string ada = fleet.password_sign_in('A', "ada@example.com", kPassword);
    REQUIRE(fleet.signed_in_at('A', ada, "ada@example.com"));
    const std::string sso = fleet.at('A').sign_in("ada@example.com");
    REQUIRE(fleet.signed_in_at('A', sso, "ada@example.com"));

    auto required = fleet.admin('B', "PATCH", "auth/", {{"require_sso", true}});
    REQUIRE_MESSAGE(required.status == 200, required.body.dump());

    CHECK_FALSE(fleet.signed_in_at('A', ada, "ada@example.com"));
    CHECK_FALSE(fleet.signed_in_at('C', ada, "ada@example.com"));
    // The SSO session stays, and a password sign-in at C is sent to SSO.
    CHECK(fleet.signed_in_at('A', sso, "ada@example.com"));
    auto refused = fleet.at('C').client().Post(
        "/auth/login/acme/",
        "email=" + util::url_encode("ada@example.com") + "&password=" + util::url_encode(kPassword),
        "application/x-www-form-urlencoded");
    REQUIRE(refused);
    CHECK(refused->status == 303);
    CHECK(refused->get_header_value("Location").find("reason=sso_required") != std::string::npos);
    CHECK_FALSE(refused->has_header("Set-Cookie"));
}

TEST_CASE("a SCIM deactivation at A ends the session used at C") {
    Fleet fleet;
    auto created = fleet.scim('B', "POST", "/Users", scim_user("grace@example.com"));
    REQUIRE(created.status == 201);
    const std::string grace = fleet.at('C').sign_in("grace@example.com");
    REQUIRE(fleet.signed_in_at('C', grace, "grace@example.com"));

    auto deactivated =
        fleet.scim('A', "PATCH", "/Users/" + created.body["id"].get<std::string>(),
                   {{"schemas", {kPatchOp}},
                    {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", false}}}}});
    REQUIRE(deactivated.status == 200);

    CHECK_FALSE(fleet.signed_in_at('C', grace, "grace@example.com"));
    CHECK_FALSE(fleet.signed_in_at('B', grace, "grace@example.com"));
    // Nor can the member sign in again anywhere.
    auto again = fleet.at('B').post_acs(
        fleet.response_for(fleet.at('B').start_login(), "grace@example.com"));
    REQUIRE(again);
    CHECK(again->status == 403);
}

TEST_CASE("three processes given the same userName at once make exactly one member") {
    Fleet fleet;
    constexpr int kRounds = 8;
    const std::array<char, 3> names = {'A', 'B', 'C'};
    for (int round = 0; round < kRounds; ++round) {
        const std::string user_name = "race" + std::to_string(round) + "@example.com";
        CAPTURE(user_name);
        std::array<int, 3> statuses{};
        std::atomic<int> ready{0};
        std::vector<std::thread> posters;
        for (std::size_t i = 0; i < names.size(); ++i) {
            posters.emplace_back([&, i] {
                httplib::Client client("127.0.0.1", fleet.process(names[i]).port());
                client.set_read_timeout(30, 0);
                const httplib::Headers headers = {{"Authorization", "Bearer " + fleet.scim_token}};
                ++ready;
                while (ready < static_cast<int>(names.size())) std::this_thread::yield();
                auto res = client.Post("/api/0/organizations/acme/scim/v2/Users", headers,
                                       scim_user(user_name).dump(), "application/scim+json");
                statuses[i] = res ? res->status : -1;
            });
        }
        for (auto& poster : posters) poster.join();
        CHECK(std::count(statuses.begin(), statuses.end(), 201) == 1);
        CHECK(std::count(statuses.begin(), statuses.end(), 409) == 2);
        auto found = fleet.scim(
            'B', "GET", "/Users?filter=" + util::url_encode("userName eq \"" + user_name + "\""));
        REQUIRE(found.status == 200);
        CHECK(found.body["totalResults"] == 1);
    }
}

TEST_CASE("of three processes starting together, one purges and the others skip the round") {
    Fleet fleet({"--purge-interval", "3600", "--log-level", "debug"});
    // Each process sweeps once when it starts; wait until all three have had their turn.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto turns = [&] {
        const std::string logs = fleet.logs();
        return count_of(logs, "\"maintenance.purge\"") +
               count_of(logs, "\"maintenance.purge_skipped\"");
    };
    while (turns() < 3 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const std::string logs = fleet.logs();
    CHECK(count_of(logs, "\"maintenance.purge\"") == 1);
    CHECK(count_of(logs, "\"maintenance.purge_skipped\"") == 2);
    CHECK(count_of(logs, "\"maintenance.purge_failed\"") == 0);
}
