// The SCIM server's protocol edges against the real server: bearer tokens across orgs,
// revocation and rotation, media types, discovery, and bad input of every kind answered in
// SCIM's error format without changing anything.
#include "integration/scim_gateway.hpp"

using gatehouse::testing::filter_param;
using gatehouse::testing::json;
using gatehouse::testing::kScimError;
using gatehouse::testing::kScimUser;
using gatehouse::testing::patch_op;
using gatehouse::testing::run_gatehouse;
using gatehouse::testing::ScimGateway;
using gatehouse::testing::ScimReply;

namespace {

json user(const std::string& user_name) {
    return {{"schemas", {kScimUser}}, {"userName", user_name}, {"active", true}};
}

void check_scim_error(const ScimReply& reply, int status, const std::string& scim_type = "") {
    CHECK(reply.status == status);
    CHECK(reply.header("Content-Type") == "application/scim+json");
    CHECK(reply.body["schemas"] == json::array({kScimError}));
    CHECK(reply.body["status"] == std::to_string(status));
    if (!scim_type.empty()) CHECK(reply.body["scimType"] == scim_type);
    CHECK(reply.body["detail"].is_string());
}

// The user as stored, to compare before and after a refused request.
json snapshot(const ScimGateway& gw, const std::string& id) { return gw.get("/Users/" + id).body; }

}  // namespace

TEST_CASE(
    "SCIM refuses a request without a token with 401, WWW-Authenticate and a SCIM error body") {
    ScimGateway gw;
    auto reply = gw.send("GET", "/Users", "", "");
    check_scim_error(reply, 401);
    CHECK(reply.header("WWW-Authenticate") == "Bearer");
    check_scim_error(gw.send("GET", "/Users", "", "ghs_not-a-token"), 401);
}

TEST_CASE("SCIM refuses a token of org A at org B with 401") {
    ScimGateway gw;
    gw.add_org("globex");
    const std::string globex_token = gw.issue_token("globex");
    check_scim_error(gw.send("GET", "/Users", "", gw.token, "globex"), 401);
    CHECK(gw.send("GET", "/Users", "", globex_token, "globex").status == 200);
    check_scim_error(gw.send("GET", "/Users", "", globex_token, "acme"), 401);
}

TEST_CASE("SCIM accepts two tokens of an org at once and refuses one once revoked") {
    ScimGateway gw;
    const std::string second = gw.issue_token("acme");
    CHECK(gw.send("GET", "/Users", "", gw.token).status == 200);
    CHECK(gw.send("GET", "/Users", "", second).status == 200);
    auto listed = run_gatehouse({"--db", gw.db, "scim-token", "list", "acme"});
    REQUIRE(listed.exit_code == 0);
    const std::string first_id = listed.out.substr(0, listed.out.find('\t'));
    REQUIRE(run_gatehouse({"--db", gw.db, "scim-token", "revoke", "acme", first_id}).exit_code ==
            0);
    check_scim_error(gw.send("GET", "/Users", "", gw.token), 401);
    CHECK(gw.send("GET", "/Users", "", second).status == 200);
}

TEST_CASE(
    "SCIM reads application/json and bodies without a Content-Type, and refuses others with 415") {
    ScimGateway gw;
    CHECK(gw.send("POST", "/Users", user("a@example.com").dump(), "default", "acme",
                  "application/json")
              .status == 201);
    CHECK(gw.send("POST", "/Users", user("b@example.com").dump(), "default", "acme",
                  "application/scim+json; charset=utf-8")
              .status == 201);
    check_scim_error(
        gw.send("POST", "/Users", user("c@example.com").dump(), "default", "acme", "text/plain"),
        415);
    CHECK(gw.get("/Users").body["totalResults"] == 2);
}

TEST_CASE(
    "SCIM answers malformed JSON, or a member named twice, with 400 invalidSyntax and changes "
    "nothing") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("a@example.com")).body["id"];
    const json before = snapshot(gw, id);
    check_scim_error(gw.send("POST", "/Users", "{\"schemas\": ["), 400, "invalidSyntax");
    check_scim_error(gw.send("PUT", "/Users/" + id, "not json"), 400, "invalidSyntax");
    check_scim_error(gw.send("PATCH", "/Users/" + id, "{\"Operations\": [}"), 400, "invalidSyntax");
    // A member named twice: whichever copy one reader keeps, another may keep the other.
    std::string twice = user("a@example.com").dump();
    twice.insert(1, "\"active\":false,");
    check_scim_error(gw.send("PUT", "/Users/" + id, twice), 400, "invalidSyntax");
    CHECK(snapshot(gw, id) == before);
    CHECK(gw.get("/Users").body["totalResults"] == 1);
}

TEST_CASE("SCIM answers wrong attribute types with 400 invalidValue and changes nothing") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("a@example.com")).body["id"];
    const json before = snapshot(gw, id);
    json wrong = user("b@example.com");
    wrong["active"] = "maybe";
    check_scim_error(gw.post("/Users", wrong), 400, "invalidValue");
    json numeric = user("a@example.com");
    numeric["userName"] = 42;
    check_scim_error(gw.put("/Users/" + id, numeric), 400, "invalidValue");
    check_scim_error(
        gw.patch("/Users/" + id,
                 patch_op({{{"op", "replace"}, {"path", "displayName"}, {"value", "ok"}},
                           {{"op", "replace"}, {"path", "emails"}, {"value", "x"}}})),
        400);
    check_scim_error(
        gw.patch("/Users/" + id,
                 patch_op({{{"op", "frobnicate"}, {"path", "displayName"}, {"value", "x"}}})),
        400, "invalidSyntax");
    CHECK(snapshot(gw, id) == before);
    CHECK(gw.get("/Users").body["totalResults"] == 1);
}

TEST_CASE(
    "SCIM answers a schemas entry that is no URN, or another resource's schema, with 400 "
    "invalidValue and changes nothing") {
    ScimGateway gw;
    json body = user("a@example.com");
    body["schemas"].push_back("acme-extension");
    check_scim_error(gw.post("/Users", body), 400, "invalidValue");
    check_scim_error(gw.post("/Groups", {{"schemas", {kScimUser}}, {"displayName", "Ops"}}), 400,
                     "invalidValue");
    CHECK(gw.get("/Users").body["totalResults"] == 0);
    CHECK(gw.get("/Groups").body["totalResults"] == 0);
}

TEST_CASE("SCIM refuses a body over the size limit with 413 and changes nothing") {
    ScimGateway gw({"--max-body-bytes", "4096"});
    json body = user("a@example.com");
    body["displayName"] = std::string(8192, 'x');
    auto reply = gw.post("/Users", body);
    CHECK(reply.status == 413);
    CHECK(reply.body["schemas"][0] == "urn:ietf:params:scim:api:messages:2.0:Error");
    CHECK(reply.body["status"] == "413");
    CHECK(gw.get("/Users").body["totalResults"] == 0);
}

TEST_CASE("SCIM answers ids of another org with 404 and leaves that org's resources alone") {
    ScimGateway gw;
    gw.add_org("globex");
    const std::string globex_token = gw.issue_token("globex");
    auto foreign =
        gw.send("POST", "/Users", user("a@globex.example").dump(), globex_token, "globex");
    REQUIRE(foreign.status == 201);
    const std::string id = foreign.body["id"];
    auto foreign_group = gw.send(
        "POST", "/Groups",
        json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}}, {"displayName", "Ops"}}
            .dump(),
        globex_token, "globex");
    REQUIRE(foreign_group.status == 201);
    const std::string group = foreign_group.body["id"];
    check_scim_error(gw.get("/Users/" + id), 404);
    check_scim_error(gw.put("/Users/" + id, user("a@globex.example")), 404);
    check_scim_error(
        gw.patch("/Users/" + id, patch_op({{{"op", "replace"}, {"value", {{"active", false}}}}})),
        404);
    check_scim_error(gw.del("/Users/" + id), 404);
    check_scim_error(gw.get("/Groups/" + group), 404);
    check_scim_error(gw.del("/Groups/" + group), 404);
    check_scim_error(
        gw.post("/Groups", {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                            {"displayName", "Mine"},
                            {"members", {{{"value", id}}}}}),
        400, "invalidValue");
    auto still = gw.send("GET", "/Users/" + id, "", globex_token, "globex");
    CHECK(still.status == 200);
    CHECK(still.body["active"] == true);
    CHECK(gw.send("GET", "/Groups/" + group, "", globex_token, "globex").status == 200);
}

TEST_CASE("SCIM answers a filter that does not parse with 400 invalidFilter") {
    ScimGateway gw;
    for (const char* filter :
         {"userName eq", "userName eqq \"a\"", "(userName eq \"a\"", "emails[type eq \"work\""}) {
        check_scim_error(gw.get("/Users?" + filter_param(filter)), 400, "invalidFilter");
    }
    check_scim_error(gw.get("/Groups?" + filter_param("displayName co")), 400, "invalidFilter");
}

TEST_CASE("SCIM answers bad paging and projection parameters with 400 invalidValue") {
    ScimGateway gw;
    check_scim_error(gw.get("/Users?count=ten"), 400, "invalidValue");
    check_scim_error(gw.get("/Users?startIndex=1.5"), 400, "invalidValue");
    check_scim_error(gw.get("/Users?attributes=userName&excludedAttributes=emails"), 400,
                     "invalidValue");
}

TEST_CASE("SCIM pages users with startIndex and count and projects attributes") {
    ScimGateway gw;
    for (int i = 0; i < 5; ++i)
        REQUIRE(gw.post("/Users", user("u" + std::to_string(i) + "@example.com")).status == 201);
    auto page = gw.get("/Users?startIndex=4&count=10&attributes=userName");
    REQUIRE(page.status == 200);
    CHECK(page.body["totalResults"] == 5);
    CHECK(page.body["itemsPerPage"] == 2);
    CHECK(page.body["startIndex"] == 4);
    CHECK(page.body["Resources"][0]["userName"] == "u3@example.com");
    CHECK_FALSE(page.body["Resources"][0].contains("active"));
    CHECK(page.body["Resources"][0].contains("id"));
}

TEST_CASE("SCIM refuses a change whose If-Match names an old version with 412") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("a@example.com")).body["id"];
    auto stale =
        gw.send("PATCH", "/Users/" + id,
                patch_op({{{"op", "replace"}, {"path", "displayName"}, {"value", "x"}}}).dump(),
                "default", "acme", "application/scim+json", {{"If-Match", "W/\"9\""}});
    check_scim_error(stale, 412);
    auto fresh =
        gw.send("PATCH", "/Users/" + id,
                patch_op({{{"op", "replace"}, {"path", "displayName"}, {"value", "x"}}}).dump(),
                "default", "acme", "application/scim+json", {{"If-Match", "W/\"1\""}});
    CHECK(fresh.status == 200);
    CHECK(fresh.header("ETag") == "W/\"2\"");
}

TEST_CASE(
    "SCIM serves ServiceProviderConfig, ResourceTypes and Schemas, and 404 for unknown ones") {
    ScimGateway gw;
    auto config = gw.get("/ServiceProviderConfig");
    REQUIRE(config.status == 200);
    CHECK(config.body["patch"]["supported"] == true);
    CHECK(gw.get("/ResourceTypes").body["totalResults"] == 2);
    CHECK(gw.get("/ResourceTypes/User").status == 200);
    CHECK(gw.get("/Schemas").status == 200);
    CHECK(gw.get("/Schemas/" + std::string(kScimUser)).body["id"] == kScimUser);
    check_scim_error(gw.get("/Schemas/urn:example:nothing"), 404);
    check_scim_error(gw.get("/ResourceTypes/Printer"), 404);
    check_scim_error(gw.get("/Bulk"), 404);
    check_scim_error(gw.send("GET", "/ServiceProviderConfig", "", ""), 401);
}

TEST_CASE("SCIM writes every change to the audit log under the token that made it") {
    ScimGateway gw;
    const std::string id = gw.post("/Users", user("a@example.com")).body["id"];
    REQUIRE(
        gw.patch("/Users/" + id, patch_op({{{"op", "replace"}, {"value", {{"active", false}}}}}))
            .status == 200);
    REQUIRE(gw.del("/Users/" + id).status == 204);
    auto opened = gatehouse::store::open_sqlite_store(gw.db);
    REQUIRE(opened.ok());
    std::vector<std::string> actions;
    REQUIRE((*opened)->read([&](gatehouse::store::Transaction& tx) -> gatehouse::Status {
        const auto org = tx.org_by_slug("acme");
        gatehouse::store::AuditQuery query;
        query.action_prefix = "scim.user.";
        for (const auto& entry : tx.list_audit(org->id, query).items) {
            CHECK(entry.actor.rfind("scim-token:", 0) == 0);
            CHECK(entry.target == id);
            actions.push_back(entry.action);
        }
        return {};
    }));
    std::sort(actions.begin(), actions.end());
    CHECK(actions ==
          std::vector<std::string>{"scim.user.create", "scim.user.delete", "scim.user.patch"});
}
