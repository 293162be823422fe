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
#include "scim_load.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

constexpr const char* kScimUsers = "/api/0/organizations/acme/scim/v2/Users";

std::string first_line(std::string text) { return text.substr(0, text.find_first_of("\r\n")); }

int me_status(const SamlGateway& gw, const std::string& session) {
    auto res = gw.client().Get("/api/0/organizations/acme/me",
                               {{"Cookie", "gatehouse_session=" + session}});
    REQUIRE(res);
    return res->status;
}

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
    ScimLoad load(gw.port(), token, /*deactivate_every=*/5);

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
    REQUIRE(wait_for_created(load, 40));

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
