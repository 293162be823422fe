// Okta's Import Users and Import Groups against the real server: the importer pages through
// every user and every group (with its members) with startIndex and count, and must see each
// resource exactly once, with totals that agree from page to page.
#include <map>
#include <set>

#include "integration/scim_gateway.hpp"

using gatehouse::testing::json;
using gatehouse::testing::kScimGroup;
using gatehouse::testing::ScimGateway;

namespace {

constexpr int kUsers = 1000;
constexpr int kGroups = 12;
constexpr int kMembersPerGroup = 40;

// Every resource of `endpoint` ("/Users", "/Groups?…") read as Okta's importer reads it,
// `count` at a time, checking each page's envelope; keyed by id.
std::map<std::string, json> import_all(const ScimGateway& gw, const std::string& endpoint,
                                       int count, int expected_total) {
    std::map<std::string, json> seen;
    const char separator = endpoint.find('?') == std::string::npos ? '?' : '&';
    for (int start = 1; start <= expected_total; start += count) {
        CAPTURE(start);
        auto page = gw.get(endpoint + separator + "startIndex=" + std::to_string(start) +
                           "&count=" + std::to_string(count));
        REQUIRE(page.status == 200);
        CHECK(page.body["totalResults"] == expected_total);
        CHECK(page.body["startIndex"] == start);
        const int expected_items = std::min(count, expected_total - start + 1);
        CHECK(page.body["itemsPerPage"] == expected_items);
        REQUIRE(page.body["Resources"].size() == static_cast<std::size_t>(expected_items));
        for (const json& resource : page.body["Resources"]) {
            CHECK_MESSAGE(seen.emplace(resource["id"].get<std::string>(), resource).second,
                          "listed twice: " << resource["id"]);
        }
    }
    auto past_end =
        gw.get(endpoint + separator + "startIndex=" + std::to_string(expected_total + 1) +
               "&count=" + std::to_string(count));
    CHECK(past_end.body["totalResults"] == expected_total);
    CHECK(past_end.body["itemsPerPage"] == 0);
    CHECK(past_end.body["Resources"].empty());
    return seen;
}

}  // namespace

TEST_CASE("SCIM Okta Import Users pages through 1,000 users without duplicates or gaps") {
    ScimGateway gw;
    const std::vector<std::string> ids = gatehouse::testing::insert_scim_members(gw.db, kUsers);
    for (int count : {200, 300, 100}) {
        CAPTURE(count);
        const auto seen = import_all(gw, "/Users", count, kUsers);
        CHECK(seen.size() == static_cast<std::size_t>(kUsers));
        for (const std::string& id : ids) CHECK_MESSAGE(seen.count(id) == 1, "missing: " << id);
        for (const auto& [id, resource] : seen) {
            CHECK(resource["userName"].get<std::string>().ends_with("@example.com"));
        }
    }
}

TEST_CASE("SCIM Okta Import Groups pages through every group with all of its members") {
    ScimGateway gw;
    const std::vector<std::string> users =
        gatehouse::testing::insert_scim_members(gw.db, kGroups * kMembersPerGroup);
    std::map<std::string, std::set<std::string>> members_of;
    for (int g = 0; g < kGroups; ++g) {
        json members = json::array();
        std::set<std::string> expected;
        for (int m = 0; m < kMembersPerGroup; ++m) {
            const std::string& id = users[static_cast<std::size_t>(g * kMembersPerGroup + m)];
            members.push_back({{"value", id}});
            expected.insert(id);
        }
        auto created = gw.post("/Groups", {{"schemas", {kScimGroup}},
                                           {"displayName", "Team " + std::to_string(g)},
                                           {"members", members}});
        REQUIRE(created.status == 201);
        members_of[created.body["id"].get<std::string>()] = std::move(expected);
    }
    for (int count : {5, 100}) {
        CAPTURE(count);
        const auto seen = import_all(gw, "/Groups", count, kGroups);
        REQUIRE(seen.size() == members_of.size());
        for (const auto& [id, expected] : members_of) {
            CAPTURE(id);
            REQUIRE(seen.count(id) == 1);
            std::set<std::string> listed;
            for (const json& member : seen.at(id)["members"]) {
                listed.insert(member["value"].get<std::string>());
            }
            CHECK(listed == expected);
        }
    }
    // The members' side of the same import: each user names its group.
    const auto users_seen = import_all(gw, "/Users", 200, kGroups * kMembersPerGroup);
    for (const auto& [id, expected] : members_of) {
        for (const std::string& user : expected) {
            const json& groups = users_seen.at(user)["groups"];
            REQUIRE(groups.size() == 1);
            CHECK(groups[0]["value"] == id);
        }
    }
}
