// SCIM list filters that the store answers in SQL must select exactly the resources that the
// in-memory evaluator (scim::matches) selects. Each filter below is answered by the service
// and compared with matches() applied to every resource of an unfiltered listing.
#include <set>

#include "../../src/service/scim_query.hpp"
#include "gatehouse/scim/filter.hpp"
#include "service/provisioning_fixture.hpp"

using namespace gatehouse;
using gatehouse::testing::json;
using gatehouse::testing::ProvisioningFixture;
using service::provisioning::ScimResourceType;
using service::provisioning::store_condition;

namespace {

json all_resources(ProvisioningFixture& f, bool users) {
    service::ScimQuery query;
    query.page = {1, 1000};
    auto listed =
        users ? f.service.list_users(f.client, query) : f.service.list_groups(f.client, query);
    REQUIRE(listed.ok());
    return (*listed)["Resources"];
}

std::set<std::string> ids(const json& resources) {
    std::set<std::string> out;
    for (const auto& r : resources) out.insert(r["id"].get<std::string>());
    return out;
}

void check_same_as_in_memory(ProvisioningFixture& f, bool users,
                             const std::vector<std::string>& filters) {
    const json everything = all_resources(f, users);
    for (const std::string& text : filters) {
        INFO(text);
        auto filter = scim::parse_filter(text);
        REQUIRE(filter.ok());
        // Each of these is said in the store's terms, so the SQL path answers it.
        CHECK(store_condition(**filter, users ? ScimResourceType::user : ScimResourceType::group) !=
              nullptr);
        std::set<std::string> expected;
        for (const auto& r : everything) {
            if (scim::matches(**filter, r, scim::AttributeTypes::scim_core())) {
                expected.insert(r["id"].get<std::string>());
            }
        }
        service::ScimQuery query;
        query.filter = text;
        query.page = {1, 1000};
        auto found =
            users ? f.service.list_users(f.client, query) : f.service.list_groups(f.client, query);
        REQUIRE(found.ok());
        CHECK(ids((*found)["Resources"]) == expected);
        CHECK((*found)["totalResults"] == expected.size());
    }
}

}  // namespace

TEST_CASE("User filters answered by the store select what the in-memory evaluator selects") {
    ProvisioningFixture f;
    f.create_user("ada@example.com", {{"externalId", "Ext-1"}, {"displayName", "Ada 100%"}});
    f.clock.advance(3600);
    f.create_user("grace@example.com",
                  {{"displayName", "Grace_Hopper"},
                   {"emails", {{{"value", "grace@navy.example"}, {"type", "home"}}}}});
    f.clock.advance(3600);
    f.create_user("o'brien@example.com", {{"externalId", "ext-1"}, {"active", false}});
    f.clock.advance(3600);
    f.create_user("star*glob?[x]@example.com",
                  {{"name", {{"givenName", "Star"}}}, {"emails", json::array()}});
    const std::string second = "2027-01-15T08:00:00Z";  // between the 1st and the 4th
    check_same_as_in_memory(f, true,
                            {
                                R"(userName eq "ADA@EXAMPLE.COM")",
                                R"(userName ne "ada@example.com")",
                                R"(userName co "BRIEN")",
                                R"(userName sw "o'")",
                                R"(userName ew "@EXAMPLE.com")",
                                R"(userName co "*glob?[")",
                                R"(userName gt "grace@example.com")",
                                R"(userName le "grace@example.com")",
                                R"(externalId eq "Ext-1")",
                                R"(externalId eq "EXT-1")",
                                R"(externalId co "xt-")",
                                R"(externalId pr)",
                                R"(not (externalId pr))",
                                R"(externalId eq null)",
                                R"(not (externalId eq "Ext-1"))",
                                R"(displayName co "100%")",
                                R"(displayName co "0%")",
                                R"(displayName co "e_h")",
                                R"(displayName co "_")",
                                R"(name.givenName eq "star")",
                                R"(name.familyName sw "Love")",
                                R"(active eq false)",
                                R"(active ne true)",
                                R"(not (active eq true) or userName sw "ada")",
                                R"(emails[type eq "home"])",
                                R"(emails[value co "navy" or primary eq true])",
                                R"(emails.value ew "@example.com")",
                                R"(emails co "grace@")",
                                R"(emails.primary eq true)",
                                R"(emails[not (type eq "work")])",
                                R"(not (emails[type eq "work"]))",
                                R"(meta.created gt ")" + second + "\"",
                                R"(meta.lastModified le ")" + second + "\"",
                                R"(userName sw "a" and (active eq true or externalId pr))",
                            });
}

TEST_CASE("Group filters answered by the store select what the in-memory evaluator selects") {
    ProvisioningFixture f;
    const std::string ada = f.create_user("ada@example.com");
    const std::string grace = f.create_user("grace@example.com");
    f.create_group("Engineering", {ada, grace});
    f.clock.advance(3600);
    f.create_group("Eng_Ops%", {grace});
    f.create_group("Empty");
    check_same_as_in_memory(f, false,
                            {
                                R"(displayName eq "ENGINEERING")",
                                R"(displayName co "_ops%")",
                                R"(displayName sw "eng")",
                                R"(members[value eq ")" + ada + "\"]",
                                R"(members.value eq ")" + grace + "\"",
                                R"(not (members[value eq ")" + grace + "\"])",
                                R"(id eq "nope")",
                                R"(externalId pr)",
                            });
}

TEST_CASE("filters with no exact store equivalent are left to the in-memory evaluator") {
    for (const char* text : {
             R"(name.formatted eq "Ada")",
             R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x")",
             R"(emails pr)",
             R"(emails eq null)",
             R"(meta.created gt "yesterday")",
             R"(meta.created co "2026")",
             R"(active eq "true")",
             R"(userName eq true)",
             R"(userName eq 42)",
             R"(title eq "x" or userName eq "ada")",
         }) {
        INFO(text);
        auto filter = scim::parse_filter(text);
        REQUIRE(filter.ok());
        CHECK(store_condition(**filter, ScimResourceType::user) == nullptr);
    }
    auto members = scim::parse_filter(R"(members pr)");
    REQUIRE(members.ok());
    CHECK(store_condition(**members, ScimResourceType::group) == nullptr);
    auto user_name = scim::parse_filter(R"(userName eq "ada")");
    REQUIRE(user_name.ok());
    CHECK(store_condition(**user_name, ScimResourceType::group) == nullptr);
}
