// The admin JSON API through the real server: who may call it (admin keys, owner and
// manager sessions with CSRF), the settings view, SCIM enable / rotate / revoke, the IdP
// lock on members and teams, the audit log, and the identity endpoints.
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "gatehouse/util/crypto.hpp"
#include "saml_gateway.hpp"
#include "sign_out.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

struct Reply {
    int status = 0;
    json body;
    httplib::Headers headers;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

struct AdminApi {
    SamlGateway gw;
    std::string key = issue_key("acme");

    std::string issue_key(const std::string& org) {
        auto issued = run_gatehouse({"--db", gw.db, "admin-key", "create", org, "--quiet"});
        REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
        return trimmed(issued.out);
    }

    Reply call(const std::string& method, const std::string& path, const std::string& body = "",
               httplib::Headers headers = {}) {
        auto client = gw.client();
        httplib::Result res{nullptr, httplib::Error::Unknown};
        const std::string full = "/api/0/organizations/acme/" + path;
        if (method == "GET") res = client.Get(full, headers);
        if (method == "POST") res = client.Post(full, headers, body, "application/json");
        if (method == "PUT") res = client.Put(full, headers, body, "application/json");
        if (method == "PATCH") res = client.Patch(full, headers, body, "application/json");
        if (method == "DELETE") res = client.Delete(full, headers);
        REQUIRE(res);
        Reply reply{res->status, json::parse(res->body, nullptr, false), res->headers};
        if (reply.body.is_discarded()) reply.body = nullptr;
        return reply;
    }

    Reply with_key(const std::string& method, const std::string& path,
                   const std::string& body = "") {
        return call(method, path, body, {{"Authorization", "Bearer " + key}});
    }

    // A browser session of `email` (created just in time by a SAML sign-in) with `role`.
    std::string session_with_role(const std::string& email, const std::string& role) {
        const std::string cookie = gw.sign_in(email);
        if (role != "member") {
            const std::string id = me(cookie).body["member"]["id"];
            REQUIRE(with_key("PATCH", "members/" + id, json{{"role", role}}.dump()).status == 200);
        }
        return cookie;
    }

    Reply me(const std::string& cookie) {
        return call("GET", "me", "", {{"Cookie", "gatehouse_session=" + cookie}});
    }

    httplib::Headers browser(const std::string& cookie, bool with_csrf = true) {
        httplib::Headers headers = {{"Cookie", "gatehouse_session=" + cookie}};
        if (with_csrf) headers.emplace("X-CSRF-Token", me(cookie).body["csrf_token"]);
        return headers;
    }

    int scim_status(const std::string& token) {
        auto res = gw.client().Get("/api/0/organizations/acme/scim/v2/Users",
                                   {{"Authorization", "Bearer " + token}});
        REQUIRE(res);
        return res->status;
    }

    json scim_post(const std::string& token, const std::string& resource, const json& body) {
        auto res = gw.client().Post("/api/0/organizations/acme/scim/v2/" + resource,
                                    {{"Authorization", "Bearer " + token}}, body.dump(),
                                    "application/scim+json");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 201, res->body);
        return json::parse(res->body);
    }
};

}  // namespace

TEST_CASE("admin API: no credentials, a wrong key or another org's key get 401") {
    AdminApi api;
    REQUIRE(run_gatehouse({"--db", api.gw.db, "org", "create", "globex"}).exit_code == 0);
    const std::string other_key = api.issue_key("globex");
    auto none = api.call("GET", "auth/");
    CHECK(none.status == 401);
    CHECK(none.header("WWW-Authenticate") == "Bearer");
    CHECK(none.body["error"] == "admin.unauthorized");
    CHECK(api.call("GET", "auth/", "", {{"Authorization", "Bearer gha_wrong"}}).status == 401);
    CHECK(api.call("GET", "auth/", "", {{"Authorization", "Bearer " + other_key}}).status == 401);
    CHECK(api.call("GET", "auth/", "", {{"Authorization", "Basic " + api.key}}).status == 401);
    auto revoked = run_gatehouse({"--db", api.gw.db, "admin-key", "revoke", "acme", "1"});
    REQUIRE(revoked.exit_code == 0);
    CHECK(api.with_key("GET", "auth/").status == 401);
}

TEST_CASE("admin API: the settings view shows the SP values, the IdP and its certificates") {
    AdminApi api;
    auto view = api.with_key("GET", "auth/");
    REQUIRE(view.status == 200);
    CHECK(view.header("Cache-Control") == "no-store");
    CHECK(view.body["sp"]["acs_url"] == std::string(kBaseUrl) + "/saml/acs/acme/");
    CHECK(view.body["sp"]["entity_id"] == std::string(kBaseUrl) + "/saml/metadata/acme/");
    CHECK(view.body["saml"]["idp_entity_id"] == api.gw.idp.entity_id());
    REQUIRE(view.body["saml"]["certificates"].size() == 1);
    CHECK(view.body["saml"]["certificates"][0]["sha256_fingerprint"].get<std::string>().size() ==
          95);
    CHECK(view.body["require_sso"] == false);
    CHECK(view.body["jit_provisioning"] == true);
    CHECK(view.body["scim"]["enabled"] == false);
}

TEST_CASE("admin API: bad bodies are refused with a clear error and change nothing") {
    AdminApi api;
    CHECK(api.with_key("PATCH", "auth/", "{not json").body["error"] == "request.malformed_json");
    CHECK(api.with_key("PATCH", "auth/", "[1]").status == 400);
    CHECK(api.with_key("PATCH", "auth/", R"({"jit_provisioning":"yes"})").body["error"] ==
          "request.invalid_field");
    CHECK(api.with_key("PATCH", "auth/", R"({"surprise":true})").body["error"] ==
          "request.unknown_field");
    CHECK(api.with_key("PATCH", "auth/", R"({"default_role":"emperor"})").status == 400);
    CHECK(api.with_key("PATCH", "auth/", R"({"mapping":{"email":5}})").status == 400);
    CHECK(api.with_key("PUT", "auth/saml", R"({"metadata_xml":"<nope"})").status == 400);
    auto view = api.with_key("GET", "auth/");
    CHECK(view.body["jit_provisioning"] == true);
    CHECK(view.body["saml"]["idp_entity_id"] == api.gw.idp.entity_id());
}

TEST_CASE("admin API: settings change through PATCH and are audit-logged") {
    AdminApi api;
    auto changed = api.with_key(
        "PATCH", "auth/",
        R"({"default_role":"admin","jit_provisioning":false,"preset":"okta","clock_skew_seconds":60})");
    REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
    CHECK(changed.body["default_role"] == "admin");
    CHECK(changed.body["jit_provisioning"] == false);
    CHECK(changed.body["saml"]["preset"] == "okta");
    CHECK(changed.body["saml"]["clock_skew_seconds"] == 60);
    auto audit = api.with_key("GET", "audit?action=org.auth_settings");
    REQUIRE(audit.status == 200);
    REQUIRE(audit.body["total"] == 1);
    CHECK(audit.body["entries"][0]["actor"].get<std::string>().rfind("admin-key:", 0) == 0);
}

TEST_CASE("admin API: manual IdP configuration replaces the provider; removal needs SSO off") {
    AdminApi api;
    const json manual = {{"idp_entity_id", "https://other-idp.test"},
                         {"sso_url", "https://other-idp.test/sso"},
                         {"certificates", {api.gw.idp.identity().certificate_pem}},
                         {"preset", "entra"}};
    auto configured = api.with_key("PUT", "auth/saml", manual.dump());
    REQUIRE_MESSAGE(configured.status == 200, configured.body.dump());
    CHECK(configured.body["saml"]["idp_entity_id"] == "https://other-idp.test");
    CHECK(configured.body["saml"]["preset"] == "entra");
    CHECK_FALSE(configured.body["saml"]["mapping"]["email"].get<std::string>().empty());
    CHECK(api.with_key("PUT", "auth/saml", R"({"idp_entity_id":"x"})").status == 400);
    auto refresh = api.with_key("POST", "auth/saml/refresh");
    CHECK(refresh.status == 422);
    auto removed = api.with_key("DELETE", "auth/saml");
    REQUIRE(removed.status == 200);
    CHECK(removed.body["saml"].is_null());
    CHECK(api.with_key("DELETE", "auth/saml").status == 409);
}

TEST_CASE("admin API: presets list each IdP's attribute names") {
    AdminApi api;
    auto presets = api.with_key("GET", "auth/presets");
    REQUIRE(presets.status == 200);
    std::vector<std::string> names;
    for (const auto& p : presets.body["presets"]) names.push_back(p["name"]);
    for (const char* expected : {"okta", "entra", "auth0", "onelogin", "generic"}) {
        CHECK(std::find(names.begin(), names.end(), expected) != names.end());
    }
}

TEST_CASE("admin API: enabling SCIM gives a token; rotation keeps the old one until revoked") {
    AdminApi api;
    auto enabled = api.with_key("POST", "auth/scim");
    REQUIRE(enabled.status == 201);
    CHECK(enabled.body["scim_base_url"] ==
          std::string(kBaseUrl) + "/api/0/organizations/acme/scim/v2");
    const std::string first = enabled.body["token"];
    CHECK(api.scim_status(first) == 200);

    auto rotated = api.with_key("POST", "auth/scim/tokens", R"({"description":"okta 2027"})");
    REQUIRE(rotated.status == 201);
    const std::string second = rotated.body["token"];
    CHECK(api.scim_status(first) == 200);
    CHECK(api.scim_status(second) == 200);

    auto listed = api.with_key("GET", "auth/scim/tokens");
    REQUIRE(listed.body["tokens"].size() == 2);
    CHECK(listed.body["tokens"].dump().find(first) == std::string::npos);

    const std::string first_id = std::to_string(enabled.body["id"].get<int>());
    CHECK(api.with_key("DELETE", "auth/scim/tokens/" + first_id).status == 204);
    CHECK(api.scim_status(first) == 401);
    CHECK(api.scim_status(second) == 200);
    CHECK(api.with_key("DELETE", "auth/scim/tokens/" + first_id).status == 404);
    CHECK(api.with_key("DELETE", "auth/scim/tokens/999").status == 404);

    auto disabled = api.with_key("DELETE", "auth/scim");
    REQUIRE(disabled.status == 200);
    CHECK(disabled.body["tokens_revoked"] == 1);
    CHECK(api.scim_status(second) == 401);
    CHECK(api.with_key("GET", "auth/").body["scim"]["enabled"] == false);
}

TEST_CASE("admin API: a plain member's session is refused with 403") {
    AdminApi api;
    const std::string cookie = api.session_with_role("bob@example.com", "member");
    auto refused = api.call("GET", "auth/", "", api.browser(cookie, false));
    CHECK(refused.status == 403);
    CHECK(refused.body["error"] == "admin.forbidden");
}

TEST_CASE("admin API: a manager's session needs the CSRF token and the gateway's origin") {
    AdminApi api;
    const std::string cookie = api.session_with_role("mia@example.com", "manager");
    CHECK(api.call("GET", "auth/", "", api.browser(cookie, false)).status == 200);

    const std::string body = R"({"allow_idp_initiated":true})";
    auto no_token = api.call("PATCH", "auth/", body, api.browser(cookie, false));
    CHECK(no_token.status == 403);
    CHECK(no_token.body["error"] == "admin.csrf");

    auto wrong = api.browser(cookie, false);
    wrong.emplace("X-CSRF-Token", util::sha256_hex("guess"));
    CHECK(api.call("PATCH", "auth/", body, wrong).status == 403);

    auto foreign = api.browser(cookie);
    foreign.emplace("Origin", "https://evil.example");
    CHECK(api.call("PATCH", "auth/", body, foreign).status == 403);

    auto same_site = api.browser(cookie);
    same_site.emplace("Origin", kBaseUrl);
    auto accepted = api.call("PATCH", "auth/", R"({"default_role":"billing"})", same_site);
    CHECK(accepted.status == 200);
    CHECK(accepted.body["default_role"] == "billing");

    auto audit = api.with_key("GET", "audit?action=org.auth_settings&outcome=success");
    REQUIRE(audit.body["total"] == 1);
    CHECK(audit.body["entries"][0]["actor"].get<std::string>().rfind("member:", 0) == 0);
}

TEST_CASE("admin API: a manager can set up no IdP, IdP-initiated sign-in or SCIM of their own") {
    AdminApi api;
    const std::string cookie = api.session_with_role("mia@example.com", "manager");
    const json own_idp = {{"idp_entity_id", "https://manager-idp.test"},
                          {"sso_url", "https://manager-idp.test/sso"},
                          {"certificates", {api.gw.idp.identity().certificate_pem}}};
    const std::vector<std::tuple<std::string, std::string, std::string>> attempts = {
        {"PUT", "auth/saml", own_idp.dump()},
        {"PATCH", "auth/", R"({"allow_idp_initiated":true})"},
        {"POST", "auth/scim", ""},
    };
    for (const auto& [method, path, body] : attempts) {
        auto refused = api.call(method, path, body, api.browser(cookie));
        CHECK_MESSAGE(refused.status == 403, method << " " << path);
        CHECK(refused.body["error"] == "auth.owner_only");
        CHECK(refused.body["message"].get<std::string>().rfind("Only an owner", 0) == 0);
    }
    auto view = api.with_key("GET", "auth/");
    CHECK(view.body["saml"]["idp_entity_id"] == api.gw.idp.entity_id());
    CHECK(view.body["allow_idp_initiated"] == false);
    CHECK(view.body["scim"]["enabled"] == false);
    auto audit = api.with_key("GET", "audit?outcome=failure");
    REQUIRE(audit.body["total"] == 3);
    for (const auto& entry : audit.body["entries"]) {
        CHECK(entry["reason_code"] == "auth.owner_only");
        CHECK(entry["actor"].get<std::string>().rfind("member:", 0) == 0);
    }
}

TEST_CASE("admin API: PATCH sets require_aes_gcm, max_issue_age_seconds and audit retention") {
    AdminApi api;
    auto changed = api.with_key(
        "PATCH", "auth/",
        R"({"require_aes_gcm":true,"max_issue_age_seconds":120,"audit_retention_days":90})");
    REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
    CHECK(changed.body["saml"]["require_aes_gcm"] == true);
    CHECK(changed.body["saml"]["max_issue_age_seconds"] == 120);
    CHECK(changed.body["audit_retention_days"] == 90);
    auto too_young = api.with_key("PATCH", "auth/", R"({"max_issue_age_seconds":29})");
    CHECK(too_young.status == 400);
    CHECK(too_young.body["error"] == "saml.config.issue_age_invalid");
    auto too_long = api.with_key("PATCH", "auth/", R"({"audit_retention_days":3651})");
    CHECK(too_long.status == 400);
    CHECK(too_long.body["error"] == "org.audit_retention_invalid");
    CHECK(api.with_key("PATCH", "auth/", R"({"require_aes_gcm":"yes"})").status == 400);
    auto view = api.with_key("GET", "auth/");
    CHECK(view.body["saml"]["max_issue_age_seconds"] == 120);
    CHECK(view.body["audit_retention_days"] == 90);
}

TEST_CASE("admin API: only an owner starts a test sign-in") {
    AdminApi api;
    const std::string cookie = api.session_with_role("mia@example.com", "manager");
    auto refused = api.call("POST", "auth/test", "", api.browser(cookie));
    CHECK(refused.status == 403);
    auto started = api.with_key("POST", "auth/test");
    REQUIRE_MESSAGE(started.status == 200, started.body.dump());
    CHECK(started.body["redirect_url"].get<std::string>().rfind(kIdpSso, 0) == 0);
}

TEST_CASE("admin API: members and teams the IdP pushed are locked (403)") {
    AdminApi api;
    const std::string token = api.with_key("POST", "auth/scim").body["token"];
    const json user =
        api.scim_post(token, "Users",
                      {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                       {"userName", "ada@example.com"},
                       {"emails", {{{"value", "ada@example.com"}, {"primary", true}}}}});
    const json group = api.scim_post(token, "Groups",
                                     {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                                      {"displayName", "Engineering"},
                                      {"members", {{{"value", user["id"]}}}}});
    const std::string member_id = user["id"];
    auto patch = api.with_key("PATCH", "members/" + member_id, R"({"role":"admin"})");
    CHECK(patch.status == 403);
    CHECK(patch.body["error"] == "member.idp_managed");
    CHECK(api.with_key("DELETE", "members/" + member_id).status == 403);
    CHECK(api.with_key("DELETE", "teams/" + group["id"].get<std::string>()).status == 403);
    auto members = api.with_key("GET", "members");
    REQUIRE(members.body["total"] == 1);
    CHECK(members.body["members"][0]["idp_managed"] == true);
    CHECK(members.body["members"][0]["state"] == "invited");
    CHECK(api.with_key("GET", "teams").body["teams"][0]["slug"] == "engineering");
    CHECK(api.with_key("PATCH", "members/nope", R"({"role":"admin"})").status == 404);
}

TEST_CASE("admin API: an invited member gets in through SSO and links by email") {
    AdminApi api;
    auto invited =
        api.with_key("POST", "members", R"({"email":"zoe@example.com","role":"billing"})");
    REQUIRE_MESSAGE(invited.status == 201, invited.body.dump());
    CHECK(invited.body["state"] == "invited");
    CHECK(api.with_key("POST", "members", R"({"email":"zoe@example.com"})").status == 409);
    CHECK(api.with_key("POST", "members", R"({"email":"not an address"})").status == 400);
    const std::string cookie = api.gw.sign_in("zoe@example.com");
    auto me = api.me(cookie);
    CHECK(me.body["member"]["id"] == invited.body["id"]);
    CHECK(me.body["member"]["role"] == "billing");
    CHECK(me.body["member"]["state"] == "active");
}

TEST_CASE("admin API: the audit log filters and pages, and refuses bad parameters") {
    AdminApi api;
    api.gw.sign_in("ada@example.com");
    api.gw.post_acs("bm90IGEgcmVzcG9uc2U=");
    auto all = api.with_key("GET", "audit");
    REQUIRE(all.status == 200);
    CHECK(all.body["total"].get<int>() >= 2);
    auto failures = api.with_key("GET", "audit?action=saml.sign_in&outcome=failure");
    REQUIRE(failures.body["total"] == 1);
    CHECK_FALSE(failures.body["entries"][0]["reason_code"].get<std::string>().empty());
    auto paged = api.with_key("GET", "audit?limit=1&offset=1");
    CHECK(paged.body["entries"].size() == 1);
    CHECK(api.with_key("GET", "audit?since=yesterday").status == 400);
    CHECK(api.with_key("GET", "audit?limit=5000").status == 400);
    CHECK(api.with_key("GET", "audit?outcome=maybe").status == 400);
    CHECK(api.with_key("GET", "audit?since=2000-01-01T00:00:00Z").body["total"] ==
          all.body["total"]);
}

TEST_CASE("auth check answers 200 with identity headers for a session and 401 otherwise") {
    AdminApi api;
    const std::string cookie = api.gw.sign_in("ada@example.com");
    auto client = api.gw.client();
    auto ok = client.Get("/auth/check?org=acme", {{"Cookie", "gatehouse_session=" + cookie}});
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->get_header_value("X-Gatehouse-Email") == "ada@example.com");
    CHECK(ok->get_header_value("X-Gatehouse-Org") == "acme");
    CHECK(ok->get_header_value("X-Gatehouse-Role") == "member");
    CHECK(ok->get_header_value("X-Gatehouse-Auth-Method") == "saml");
    CHECK_FALSE(ok->get_header_value("X-Gatehouse-Member-Id").empty());

    CHECK(client.Get("/auth/check?org=acme")->status == 401);
    CHECK(client.Get("/auth/check?org=acme", {{"Cookie", "gatehouse_session=forged"}})->status ==
          401);
    CHECK(
        client.Get("/auth/check?org=globex", {{"Cookie", "gatehouse_session=" + cookie}})->status ==
        401);

    auto me = api.me(cookie);
    REQUIRE(me.status == 200);
    CHECK(me.body["member"]["email"] == "ada@example.com");
    CHECK(me.body["session"]["method"] == "saml");
    CHECK(me.body["csrf_token"].get<std::string>().size() == 64);

    sign_out(api.gw, cookie);
    CHECK(client.Get("/auth/check?org=acme", {{"Cookie", "gatehouse_session=" + cookie}})->status ==
          401);
    CHECK(api.me(cookie).status == 401);
}

TEST_CASE("auth check without ?org= is refused with 400 even for a valid session") {
    AdminApi api;
    const std::string cookie = api.gw.sign_in("ada@example.com");
    auto client = api.gw.client();
    const httplib::Headers headers = {{"Cookie", "gatehouse_session=" + cookie}};
    for (const std::string target :
         {"/auth/check", "/auth/check?org=", "/auth/check?org=acme&org=globex",
          "/auth/check?organization=acme"}) {
        CAPTURE(target);
        auto res = client.Get(target, headers);
        REQUIRE(res);
        CHECK(res->status == 400);
        CHECK_FALSE(res->has_header("X-Gatehouse-Org"));
        CHECK_FALSE(res->has_header("X-Gatehouse-Email"));
    }
}

TEST_CASE("auth check passes a session only for the org it names") {
    AdminApi api;
    REQUIRE(run_gatehouse({"--db", api.gw.db, "org", "create", "globex"}).exit_code == 0);
    const std::string cookie = api.gw.sign_in("ada@example.com");
    auto client = api.gw.client();
    const httplib::Headers headers = {{"Cookie", "gatehouse_session=" + cookie}};
    auto own = client.Get("/auth/check?org=acme", headers);
    REQUIRE(own);
    CHECK(own->status == 200);
    CHECK(own->get_header_value("X-Gatehouse-Org") == "acme");
    for (const char* other : {"globex", "ACME", "acme ", "nobody"}) {
        CAPTURE(other);
        auto res = client.Get("/auth/check?org=" + util::url_encode(other), headers);
        REQUIRE(res);
        CHECK(res->status == 401);
        CHECK_FALSE(res->has_header("X-Gatehouse-Org"));
    }
}
