// `kill -9` of a gateway in the middle of SCIM writes and sign-ins: what it acknowledged
// before dying is there after a restart, and a member deactivated before the kill has no
// session afterwards.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "saml_gateway.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

constexpr const char* kScimUsers = "/api/0/organizations/acme/scim/v2/Users";

std::string first_line(std::string text) { return text.substr(0, text.find_first_of("\r\n")); }

json user_body(const std::string& user_name) {
    return {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
            {"userName", user_name},
            {"emails", {{{"value", user_name}, {"primary", true}}}},
            {"active", true}};
}

int me_status(const SamlGateway& gw, const std::string& session) {
    auto res = gw.client().Get("/api/0/organizations/acme/me",
                               {{"Cookie", "gatehouse_session=" + session}});
    REQUIRE(res);
    return res->status;
}

// POSTs new Users (and deactivates every fifth it created) until the gateway stops answering,
// remembering what it acknowledged.
class ScimLoad {
  public:
    ScimLoad(int port, std::string token) : port_(port), token_(std::move(token)) {
        thread_ = std::thread([this] { run(); });
    }
    ~ScimLoad() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    std::size_t acknowledged_count() const {
        std::lock_guard lock(mutex_);
        return created_.size();
    }
    std::vector<std::string> created() const {
        std::lock_guard lock(mutex_);
        return created_;
    }
    std::vector<std::string> deactivated() const {
        std::lock_guard lock(mutex_);
        return deactivated_;
    }

  private:
    void run() {
        httplib::Client client("127.0.0.1", port_);
        client.set_read_timeout(10, 0);
        const httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
        for (int i = 0; !stopping_; ++i) {
            const std::string user_name = "scim" + std::to_string(i) + "@example.com";
            auto res = client.Post(kScimUsers, headers, user_body(user_name).dump(),
                                   "application/scim+json");
            if (!res) return;  // the gateway is gone
            if (res->status != 201) continue;
            {
                std::lock_guard lock(mutex_);
                created_.push_back(user_name);
            }
            if (i % 5 != 0) continue;
            const std::string id = json::parse(res->body)["id"];
            const json patch = {
                {"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", false}}}}};
            auto patched = client.Patch(std::string(kScimUsers) + "/" + id, headers, patch.dump(),
                                        "application/scim+json");
            if (!patched) return;
            if (patched->status == 200) {
                std::lock_guard lock(mutex_);
                deactivated_.push_back(user_name);
            }
        }
    }

    int port_;
    std::string token_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<std::string> created_;
    std::vector<std::string> deactivated_;
    std::thread thread_;
};

}  // namespace

TEST_CASE(
    "kill -9 under SCIM and sign-in load loses no acknowledged write and no session "
    "outlives a deactivation") {
    SamlGateway gw;
    const std::string token =
        first_line(run_gatehouse({"--db", gw.db, "scim-token", "create", "acme", "--quiet"}).out);
    REQUIRE_FALSE(token.empty());

    // Grace signs in, then the IdP deactivates her, all while the load runs.
    const std::string grace_session = gw.sign_in("grace@example.com");
    REQUIRE(me_status(gw, grace_session) == 200);
    ScimLoad load(gw.port(), token);

    std::vector<std::pair<std::string, std::string>> sessions;  // email, session
    for (int i = 0; i < 15; ++i) {
        const std::string email = "saml" + std::to_string(i) + "@example.com";
        sessions.emplace_back(email, gw.sign_in(email));
    }
    httplib::Client client = gw.client();
    auto found = client.Get(std::string(kScimUsers) +
                                "?filter=" + util::url_encode("userName eq \"grace@example.com\""),
                            {{"Authorization", "Bearer " + token}});
    REQUIRE(found);
    const std::string grace_id = json::parse(found->body)["Resources"][0]["id"];
    const json deactivate = {
        {"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
        {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", false}}}}};
    auto patched = client.Patch(std::string(kScimUsers) + "/" + grace_id,
                                {{"Authorization", "Bearer " + token}}, deactivate.dump(),
                                "application/scim+json");
    REQUIRE(patched);
    REQUIRE(patched->status == 200);
    for (int i = 0; i < 200 && load.acknowledged_count() < 40; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(load.acknowledged_count() >= 40);

    // No goodbye: the process dies between two requests of the load, or inside one.
    CHECK(gw.server->stop(SIGKILL) == 128 + SIGKILL);
    load.join();
    gw.server = gw.start_server();

    const auto members = run_gatehouse({"--db", gw.db, "member", "list", "--org", "acme"});
    REQUIRE(members.exit_code == 0);
    for (const auto& user_name : load.created()) {
        CAPTURE(user_name);
        CHECK(members.out.find(user_name) != std::string::npos);
    }
    for (const auto& [email, session] : sessions) {
        CAPTURE(email);
        CHECK(members.out.find(email) != std::string::npos);
        CHECK(me_status(gw, session) == 200);
    }
    CHECK(me_status(gw, grace_session) == 401);
    // Deactivations acknowledged before the kill hold too: those members cannot sign in.
    const auto deactivated = load.deactivated();
    REQUIRE_FALSE(deactivated.empty());
    auto refused = gw.post_acs(gw.response_for(gw.start_login(), deactivated.front()));
    REQUIRE(refused);
    CHECK(refused->status == 403);
}
