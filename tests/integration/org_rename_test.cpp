// Renaming an org through the real binary: what the IdP and the SCIM client were configured
// with keeps working under the old slug, pages under it redirect to the new slug, removing
// the alias ends it, no other org can take it, and only owners may rename.
#include <nlohmann/json.hpp>

#include "raw_http.hpp"
#include "scim_gateway.hpp"
#include "settings_auth_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

CommandResult cli(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_gatehouse(args);
}

void rename(const std::string& db, const std::string& from, const std::string& to) {
    const auto renamed = cli(db, {"org", "rename", from, to});
    REQUIRE_MESSAGE(renamed.exit_code == 0, renamed.err);
}

std::string admin_key(const std::string& db, const std::string& org) {
    const auto issued = cli(db, {"admin-key", "create", org, "--quiet"});
    REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
    return trimmed(issued.out);
}

}  // namespace

TEST_CASE("after a rename a signed Response for the old URLs at the old ACS signs in") {
    SamlGateway gw;
    rename(gw.db, "acme", "acme-corp");
    // The Login URL under the new slug sends an AuthnRequest naming the URLs the IdP knows.
    const std::string location =
        raw_location(gw.server->port(), "/auth/login/acme-corp/", gw.login_cookie);
    REQUIRE(location.rfind(kIdpSso, 0) == 0);
    const std::string request = redirect_message_xml(location, "SAMLRequest");
    CHECK(request.find(std::string(kBaseUrl) + "/saml/acs/acme/") != std::string::npos);
    CHECK(request.find(std::string(kBaseUrl) + "/saml/metadata/acme/") != std::string::npos);
    // The fixture's Responses name the old URLs; it posts them to the old ACS.
    auto res = gw.post_acs(gw.response_for(root_id(request), "ada@acme.test"));
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 303, res->body);
    CHECK(res->get_header_value("Location") == "/organizations/acme-corp/");
}

TEST_CASE("after a rename the SP metadata under the old slug still names the old entity ID") {
    SamlGateway gw;
    rename(gw.db, "acme", "acme-corp");
    auto res = gw.client().Get("/saml/metadata/acme/");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body.find("entityID=\"" + std::string(kBaseUrl) + "/saml/metadata/acme/\"") !=
          std::string::npos);
}

TEST_CASE("after a rename a page under the old slug answers 301 to the new slug, query kept") {
    SamlGateway gw;
    rename(gw.db, "acme", "acme-corp");
    for (const std::string path :
         {"/organizations/acme/?tab=x&y=1", "/settings/acme/auth/",
          "/auth/login/acme/?method=password", "/api/0/organizations/acme/members"}) {
        auto res = gw.client().Get(path);
        REQUIRE(res);
        CHECK_MESSAGE(res->status == 301, path);
        std::string expected = path;
        expected.replace(expected.find("/acme/"), 6, "/acme-corp/");
        CHECK(res->get_header_value("Location") == expected);
    }
}

TEST_CASE("after a rename a POST under the old slug answers 308, keeping its method and body") {
    SamlGateway gw;
    rename(gw.db, "acme", "acme-corp");
    const auto answer =
        raw_post_form(gw.server->port(), "/settings/acme/auth/options", "require_sso=on");
    CHECK(answer.status() == 308);
    CHECK(answer.header("Location") == "/settings/acme-corp/auth/options");
}

TEST_CASE("after a rename the SCIM client's token works under the old slug and the new") {
    ScimGateway gw;
    rename(gw.db, "acme", "acme-corp");
    CHECK(gw.send("GET", "/Users", {}, "default", "acme").status == 200);
    const auto created = gw.send(
        "POST", "/Users", json{{"schemas", {kScimUser}}, {"userName", "ada@acme.test"}}.dump(),
        "default", "acme");
    CHECK(created.status == 201);
    CHECK(gw.send("GET", "/Users", {}, "default", "acme-corp").body["totalResults"] == 1);
}

TEST_CASE("after the alias is removed the old slug's URLs answer 404") {
    ScimGateway gw;
    rename(gw.db, "acme", "acme-corp");
    const auto removed = cli(gw.db, {"org", "alias-remove", "acme-corp", "acme"});
    REQUIRE_MESSAGE(removed.exit_code == 0, removed.err);
    CHECK(gw.send("GET", "/Users", {}, "default", "acme").status == 404);
    CHECK(gw.send("GET", "/Users", {}, "default", "acme-corp").status == 200);
    httplib::Client client("127.0.0.1", gw.server->port());
    auto page = client.Get("/organizations/acme/");
    REQUIRE(page);
    CHECK(page->status == 404);
}

TEST_CASE("no other org can be created with or renamed to a slug kept as an alias") {
    TempDir dir;
    const std::string db = dir.file("gatehouse.db");
    REQUIRE(cli(db, {"org", "create", "acme"}).exit_code == 0);
    REQUIRE(cli(db, {"org", "create", "globex"}).exit_code == 0);
    rename(db, "acme", "acme-corp");
    const auto created = cli(db, {"org", "create", "acme"});
    CHECK(created.exit_code == 1);
    CHECK(created.err.find("alias") != std::string::npos);
    const auto renamed = cli(db, {"org", "rename", "globex", "acme"});
    CHECK(renamed.exit_code == 1);
    CHECK(renamed.err.find("alias") != std::string::npos);
}

TEST_CASE("a manager cannot rename the org through the admin API, and the attempt is audited") {
    SamlGateway gw;
    const std::string key = admin_key(gw.db, "acme");
    auto client = gw.client();
    const std::string cookie = gw.sign_in("mia@acme.test");
    const httplib::Headers session = {{"Cookie", "gatehouse_session=" + cookie}};
    auto me = client.Get("/api/0/organizations/acme/me", session);
    REQUIRE(me);
    const json who = json::parse(me->body);
    const std::string id = who["member"]["id"];
    REQUIRE(client
                .Patch("/api/0/organizations/acme/members/" + id,
                       {{"Authorization", "Bearer " + key}}, json{{"role", "manager"}}.dump(),
                       "application/json")
                ->status == 200);
    httplib::Headers browser = session;
    browser.emplace("X-CSRF-Token", who["csrf_token"].get<std::string>());
    auto refused = client.Post("/api/0/organizations/acme/rename", browser,
                               json{{"slug", "acme-corp"}}.dump(), "application/json");
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK(json::parse(refused->body)["error"] == "auth.owner_only");
    CHECK(client.Get("/organizations/acme-corp/")->status == 404);
    auto audit = client.Get("/api/0/organizations/acme/audit?action=org.rename",
                            {{"Authorization", "Bearer " + key}});
    REQUIRE(audit);
    const json entries = json::parse(audit->body)["entries"];
    REQUIRE(entries.size() == 1);
    CHECK(entries[0]["outcome"] == "failure");
    CHECK(entries[0]["actor"] == "member:" + id);
}

TEST_CASE("an owner's admin key renames the org, lists its alias and removes it over the API") {
    SamlGateway gw;
    const httplib::Headers key = {{"Authorization", "Bearer " + admin_key(gw.db, "acme")}};
    auto client = gw.client();
    auto renamed = client.Post("/api/0/organizations/acme/rename", key,
                               json{{"slug", "acme-corp"}}.dump(), "application/json");
    REQUIRE(renamed);
    REQUIRE_MESSAGE(renamed->status == 200, renamed->body);
    const json body = json::parse(renamed->body);
    CHECK(body["slug"] == "acme-corp");
    REQUIRE(body["aliases"].size() == 1);
    CHECK(body["aliases"][0]["slug"] == "acme");
    CHECK(body["aliases"][0]["url_changes"][1]["new"] ==
          std::string(kBaseUrl) + "/saml/acs/acme-corp/");

    auto settings = client.Get("/api/0/organizations/acme-corp/auth/", key);
    REQUIRE(settings);
    const json view = json::parse(settings->body);
    CHECK(view["org"]["aliases"] == json::array({"acme"}));
    CHECK(view["sp"]["acs_url"] == std::string(kBaseUrl) + "/saml/acs/acme/");

    auto conflict = client.Post("/api/0/organizations/acme-corp/rename", key,
                                json{{"slug", "acme-corp"}}.dump(), "application/json");
    REQUIRE(conflict);
    CHECK(conflict->status == 409);

    auto removed = client.Delete("/api/0/organizations/acme-corp/aliases/acme", key);
    REQUIRE(removed);
    CHECK_MESSAGE(removed->status == 200, removed->body);
    CHECK(json::parse(removed->body)["aliases"].empty());
    auto missing = client.Delete("/api/0/organizations/acme-corp/aliases/acme", key);
    REQUIRE(missing);
    CHECK(missing->status == 404);
}

TEST_CASE("gatehouse org rename prints the URLs the IdP admin must update, old -> new") {
    TempDir dir;
    const std::string db = dir.file("gatehouse.db");
    REQUIRE(cli(db, {"org", "create", "acme"}).exit_code == 0);
    const auto renamed =
        cli(db, {"org", "rename", "acme", "acme-corp", "--base-url", "https://sso.example.com"});
    REQUIRE_MESSAGE(renamed.exit_code == 0, renamed.err);
    for (const std::string line :
         {"https://sso.example.com/saml/metadata/acme/ -> "
          "https://sso.example.com/saml/metadata/acme-corp/",
          "https://sso.example.com/saml/acs/acme/ -> https://sso.example.com/saml/acs/acme-corp/",
          "https://sso.example.com/saml/sls/acme/ -> https://sso.example.com/saml/sls/acme-corp/",
          "https://sso.example.com/auth/login/acme/ -> "
          "https://sso.example.com/auth/login/acme-corp/",
          "https://sso.example.com/api/0/organizations/acme/scim/v2 -> "
          "https://sso.example.com/api/0/organizations/acme-corp/scim/v2",
          "https://sso.example.com/auth/callback/acme/ -> "
          "https://sso.example.com/auth/callback/acme-corp/"}) {
        CHECK_MESSAGE(renamed.out.find(line) != std::string::npos, line);
    }
    const auto listed = cli(db, {"org", "aliases", "acme-corp"});
    CHECK(listed.exit_code == 0);
    CHECK(listed.out.rfind("acme\n", 0) == 0);
    CHECK(cli(db, {"org", "rename", "acme-corp", "Not A Slug"}).exit_code == 2);
    CHECK(cli(db, {"org", "rename", "nobody", "other"}).exit_code == 1);
    CHECK(cli(db, {"org", "alias-remove", "acme-corp", "acme"}).exit_code == 0);
    CHECK(cli(db, {"org", "alias-remove", "acme-corp", "acme"}).exit_code == 1);
    CHECK(cli(db, {"org", "aliases", "acme-corp"}).out.find("no aliases") != std::string::npos);
}

namespace {

// Posts `fields` to `path` as the browser signed in with `cookie`, the page's CSRF token added.
httplib::Result post_page(AuthPage& page, const std::string& cookie, const std::string& path,
                          Fields fields) {
    fields.emplace_back("csrf_token", page.csrf(cookie));
    auto res = page.gw.client().Post(path, {{"Cookie", "gatehouse_session=" + cookie}},
                                     form_body(fields), "application/x-www-form-urlencoded");
    REQUIRE(res);
    return res;
}

}  // namespace

TEST_CASE("the name page's first rename step lists the URLs to update and renames nothing") {
    AuthPage page;
    const std::string owner = page.owner();
    const auto shown = page.get(owner, "/settings/acme/name/");
    REQUIRE(shown->status == 200);
    CHECK(contains(shown->body, R"(action="/settings/acme/name/rename")"));
    const auto step = post_page(page, owner, "/settings/acme/name/rename", {{"slug", "acme-corp"}});
    CHECK(step->status == 200);
    CHECK(contains(step->body, html(std::string(kBaseUrl) + "/saml/acs/acme/")));
    CHECK(contains(step->body, html(std::string(kBaseUrl) + "/saml/acs/acme-corp/")));
    CHECK(contains(step->body,
                   html(std::string(kBaseUrl) + "/api/0/organizations/acme-corp/scim/v2")));
    CHECK(contains(step->body, R"(name="confirm" value="yes")"));
    CHECK(page.get(owner, "/settings/acme/name/")->status == 200);
}

TEST_CASE("confirming the rename on the name page renames the org, and its alias can be removed") {
    AuthPage page;
    const std::string owner = page.owner();
    const auto renamed = post_page(page, owner, "/settings/acme/name/rename",
                                   {{"slug", "acme-corp"}, {"confirm", "yes"}});
    CHECK(renamed->status == 303);
    CHECK(renamed->get_header_value("Location") == "/settings/acme-corp/name/?saved=renamed");
    const auto shown = page.get(owner, "/settings/acme-corp/name/");
    REQUIRE(shown->status == 200);
    CHECK(contains(shown->body, R"(action="/settings/acme-corp/name/aliases/acme/remove")"));
    const auto removed = page.gw.client().Post(
        "/settings/acme-corp/name/aliases/acme/remove", {{"Cookie", "gatehouse_session=" + owner}},
        form_body(
            {{"csrf_token", capture(shown->body, R"re(name="csrf_token" value="([^"]+)")re")}}),
        "application/x-www-form-urlencoded");
    REQUIRE(removed);
    CHECK(removed->status == 303);
    CHECK(page.get(owner, "/settings/acme/name/")->status == 404);
}

TEST_CASE("a manager sees no rename form on the name page and a posted rename is refused") {
    AuthPage page;
    const std::string manager = page.manager();
    const auto shown = page.get(manager, "/settings/acme/name/");
    REQUIRE(shown->status == 200);
    CHECK_FALSE(contains(shown->body, R"(action="/settings/acme/name/rename")"));
    const auto refused = post_page(page, manager, "/settings/acme/name/rename",
                                   {{"slug", "acme-corp"}, {"confirm", "yes"}});
    CHECK(refused->status == 403);
    CHECK(page.get(manager, "/settings/acme-corp/name/")->status == 404);
}

TEST_CASE("the name page refuses a slug another org holds, nothing changed") {
    AuthPage page;
    REQUIRE(run_gatehouse({"--db", page.gw.db, "org", "create", "globex"}).exit_code == 0);
    const std::string owner = page.owner();
    const auto refused = post_page(page, owner, "/settings/acme/name/rename",
                                   {{"slug", "globex"}, {"confirm", "yes"}});
    CHECK(refused->status == 409);
    CHECK(page.get(owner, "/settings/acme/name/")->status == 200);
}
