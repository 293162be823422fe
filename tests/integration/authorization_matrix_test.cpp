// Who may change what, through the real server: every state-changing route of the admin JSON
// API, of the settings page forms and of SCIM is called by an owner, a manager and a plain
// member of the org, an anonymous client, an owner of another org, the org's SCIM token and
// its admin API key, each time against fresh targets. Each call must get the status the
// table expects, and every call that is refused must leave the org exactly as it was.
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gatehouse/core/names.hpp"
#include "gatehouse/store/store.hpp"
#include "gatehouse/util/encoding.hpp"
#include "saml_gateway.hpp"
#include "service/metadata_fixture.hpp"
#include "support/tls_fixture.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

enum class Who { owner, manager, member, anonymous, other_org_owner, scim_token, admin_key };

constexpr Who kEveryone[] = {Who::owner,           Who::manager,    Who::member,   Who::anonymous,
                             Who::other_org_owner, Who::scim_token, Who::admin_key};

const char* name_of(Who who) {
    switch (who) {
        case Who::owner:
            return "owner";
        case Who::manager:
            return "manager";
        case Who::member:
            return "member";
        case Who::anonymous:
            return "anonymous";
        case Who::other_org_owner:
            return "other org's owner";
        case Who::scim_token:
            return "SCIM token";
        case Who::admin_key:
            return "admin key";
    }
    return "";
}

enum class Surface { api, page, scim };

// Whom a route lets through, when the other checks (session, CSRF, token) have passed.
enum class Allowed {
    owner_rights,  // owners (and admin keys, on the API): what decides who is who
    managers,      // owners, managers (and admin keys): members and teams, the default role
    scim,          // the SCIM token
};

// A request made against targets created for it.
struct Target {
    std::string path;  // under /api/0/organizations/acme/, /settings/acme/ or …/scim/v2
    std::string body;  // JSON, or form fields for a page
};

struct World;

struct Row {
    Surface surface;
    std::string method;
    std::string route;  // the route as documented, for failure messages
    Allowed allowed;
    int ok_status;  // the answer to a caller the route lets through
    std::function<Target(World&)> setup;
    // False for a call refused whoever makes it (SCIM changing an owner): checked for no change
    // even when the caller is let through.
    bool changes = true;
};

const std::string kPassword = "correct horse battery staple";
const std::string kApi = "/api/0/organizations/acme/";

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty()) body += "&";
        body += name + "=" + util::url_encode(value);
    }
    return body;
}

// The gateway with the org "acme" (the test IdP configured, a break-glass owner, SCIM on),
// the org "globex" with an owner, a metadata URL served over HTTPS on loopback, and a
// session, token or key for every kind of caller.
struct World {
    SamlGateway gw;
    TlsFiles tls;
    std::unique_ptr<TestHttpsServer> metadata_server;
    std::unique_ptr<store::Store> db;
    std::string admin_key;
    std::string scim_token;
    std::map<Who, std::string> cookies;
    std::map<Who, std::string> csrf;
    int serial = 0;

    World() {
        write_self_signed(tls, "localhost", "127.0.0.1");
        IdpDocument document;
        document.entity_id = gw.idp.entity_id();
        document.sso_url = kIdpSso;
        const std::string metadata = metadata_document(document);
        metadata_server = std::make_unique<TestHttpsServer>(tls, [metadata](httplib::Server& s) {
            s.Get("/metadata", [metadata](const httplib::Request&, httplib::Response& res) {
                res.set_content(metadata, "application/samlmetadata+xml");
            });
        });
        cli({"org", "create", "globex"});
        cli({"member", "add", "--org", "globex", "--email", "gina@globex.test", "--role", "owner",
             "--password-stdin"},
            kPassword + "\n");
        cli({"member", "add", "--org", "acme", "--email", "root@example.com", "--role", "owner",
             "--break-glass", "--password-stdin"},
            kPassword + "\n");
        admin_key = trimmed(cli({"admin-key", "create", "acme", "--quiet"}));
        // The same gateway, allowed to fetch the loopback metadata URL.
        gw.server.reset();
        gw.server = std::make_unique<ServerProcess>(
            gw.db, std::vector<std::string>{"--base-url", kBaseUrl, "--sp-key",
                                            gw.dir.file("sp.key"), "--sp-cert",
                                            gw.dir.file("sp.crt"), "--allow-private-metadata-urls",
                                            "--metadata-ca-file", tls.certificate_file});
        auto opened = store::open_sqlite_store(gw.db);
        REQUIRE(opened.ok());
        db = std::move(opened).value();

        cookies[Who::owner] = session_with_role("olga@example.com", "owner");
        cookies[Who::manager] = session_with_role("mia@example.com", "manager");
        cookies[Who::member] = session_with_role("bob@example.com", "member");
        cookies[Who::other_org_owner] = password_session("globex", "gina@globex.test");
        for (const auto& [who, cookie] : cookies) {
            const std::string org = who == Who::other_org_owner ? "globex" : "acme";
            auto me = gw.client().Get("/api/0/organizations/" + org + "/me",
                                      {{"Cookie", "gatehouse_session=" + cookie}});
            REQUIRE(me);
            REQUIRE(me->status == 200);
            csrf[who] = json::parse(me->body)["csrf_token"].get<std::string>();
        }
        scim_token = with_key("POST", "auth/scim", "", 201)["token"].get<std::string>();
    }

    std::string cli(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), {"--db", gw.db});
        auto result = run_gatehouse(args, input);
        REQUIRE_MESSAGE(result.exit_code == 0, result.err);
        return result.out;
    }

    std::string password_session(const std::string& org, const std::string& email) {
        auto res = gw.client().Post("/auth/login/" + org + "/",
                                    form({{"email", email}, {"password", kPassword}}),
                                    "application/x-www-form-urlencoded");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 303, res->body);
        return SamlGateway::session_cookie(*res);
    }

    // A SAML session of a member created at sign-in, given `role` with the admin key.
    std::string session_with_role(const std::string& email, const std::string& role) {
        const std::string cookie = gw.sign_in(email);
        if (role != "member") {
            auto me = gw.client().Get(kApi + "me", {{"Cookie", "gatehouse_session=" + cookie}});
            REQUIRE(me);
            const std::string id = json::parse(me->body)["member"]["id"];
            with_key("PATCH", "members/" + id, json{{"role", role}}.dump(), 200);
        }
        return cookie;
    }

    httplib::Result send(const std::string& method, const std::string& path,
                         const std::string& body, const std::string& content_type,
                         const httplib::Headers& headers) {
        auto client = gw.client();
        httplib::Result res{nullptr, httplib::Error::Unknown};
        if (method == "POST") res = client.Post(path, headers, body, content_type);
        if (method == "PUT") res = client.Put(path, headers, body, content_type);
        if (method == "PATCH") res = client.Patch(path, headers, body, content_type);
        if (method == "DELETE") res = client.Delete(path, headers);
        if (method == "GET") res = client.Get(path, headers);
        REQUIRE_MESSAGE(res, method << " " << path);
        return res;
    }

    // An admin API call with the admin key, for setting targets up; requires `status`.
    json with_key(const std::string& method, const std::string& path, const std::string& body,
                  int status) {
        auto res = send(method, kApi + path, body, "application/json",
                        {{"Authorization", "Bearer " + admin_key}});
        REQUIRE_MESSAGE(res->status == status, method << " " << path << ": " << res->body);
        return json::parse(res->body.empty() ? "null" : res->body, nullptr, false);
    }

    // The SCIM token, issued again when a row has revoked it or turned SCIM off.
    const std::string& live_scim_token() {
        auto res = gw.client().Get(kApi + "scim/v2/Users?count=1",
                                   {{"Authorization", "Bearer " + scim_token}});
        REQUIRE(res);
        if (res->status != 200) {
            scim_token = with_key("POST", "auth/scim/tokens", "", 201)["token"].get<std::string>();
        }
        return scim_token;
    }

    json with_scim(const std::string& method, const std::string& path, const json& body,
                   int status) {
        auto res = send(method, kApi + "scim/v2" + path, body.dump(), "application/scim+json",
                        {{"Authorization", "Bearer " + live_scim_token()}});
        REQUIRE_MESSAGE(res->status == status, method << " " << path << ": " << res->body);
        return json::parse(res->body);
    }

    std::string fresh_email(const std::string& prefix = "target") {
        return prefix + std::to_string(++serial) + "@example.com";
    }

    // Targets and settings, made with owner rights.
    void settings(const json& change) { with_key("PATCH", "auth/", change.dump(), 200); }
    void restore_provider() {
        with_key("PUT", "auth/saml",
                 json{{"idp_entity_id", gw.idp.entity_id()},
                      {"sso_url", kIdpSso},
                      {"slo_url", kIdpSlo},
                      {"certificates", {gw.idp.identity().certificate_pem}}}
                     .dump(),
                 200);
    }
    std::string metadata_url() const { return metadata_server->url("/metadata"); }
    void provider_from_url() {
        with_key("PUT", "auth/saml", json{{"metadata_url", metadata_url()}}.dump(), 200);
    }
    std::string fresh_member(const std::string& role = "member") {
        return with_key("POST", "members", json{{"email", fresh_email()}, {"role", role}}.dump(),
                        201)["id"]
            .get<std::string>();
    }
    std::string fresh_scim_token_id() {
        return std::to_string(
            with_key("POST", "auth/scim/tokens", "", 201)["id"].get<std::int64_t>());
    }
    std::string fresh_scim_user() {
        return with_scim("POST", "/Users", scim_user(fresh_email("scim")), 201)["id"]
            .get<std::string>();
    }
    std::string fresh_scim_group() {
        return with_scim("POST", "/Groups",
                         {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                          {"displayName", "Group " + std::to_string(++serial)}},
                         201)["id"]
            .get<std::string>();
    }

    static json scim_user(const std::string& user_name) {
        return {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                {"userName", user_name},
                {"emails", {{{"value", user_name}, {"primary", true}}}},
                {"active", true}};
    }

    template <typename Work>
    void write(Work work) {
        REQUIRE(db->write([&](store::Transaction& tx) -> Status {
            const auto org = tx.org_by_slug("acme");
            REQUIRE(org.has_value());
            return work(tx, *org);
        }));
    }

    // A team the org made itself, which only the store can make.
    std::string fresh_team() {
        std::string id;
        write([&](store::Transaction& tx, const core::Org& org) -> Status {
            core::Team team;
            team.org_id = org.id;
            team.slug = "team-" + std::to_string(++serial);
            team.display_name = team.slug;
            auto inserted = tx.insert_team(team);
            if (!inserted) return inserted.error();
            id = inserted->public_id;
            return {};
        });
        return id;
    }

    // An active owner besides the org's others (so no last-owner rule applies), with a
    // userName and email SCIM could address.
    std::string fresh_active_owner() {
        std::string id;
        write([&](store::Transaction& tx, const core::Org& org) -> Status {
            core::Member m;
            m.org_id = org.id;
            m.email = m.user_name = fresh_email("owner");
            m.role = core::Role::owner;
            m.state = core::MemberState::active;
            m.source = core::MemberSource::owner;
            auto inserted = tx.insert_member(m);
            if (!inserted) return inserted.error();
            id = inserted->public_id;
            return {};
        });
        return id;
    }

    std::string deactivated_member() {
        const std::string id = fresh_member();
        write([&](store::Transaction& tx, const core::Org& org) -> Status {
            auto m = tx.member_by_public_id(org.id, id);
            REQUIRE(m.has_value());
            m->state = core::MemberState::deactivated;
            auto updated = tx.update_member(*m);
            return updated ? Status{} : Status{updated.error()};
        });
        return id;
    }

    // Everything a call could change in the org, as one value (the audit log, sessions and
    // last-use times aside: refusals are recorded, and every call touches its credential).
    json snapshot() {
        json out;
        REQUIRE(db->read([&](store::Transaction& tx) -> Status {
            const auto org = tx.org_by_slug("acme");
            REQUIRE(org.has_value());
            out["org"] = {org->name,
                          std::string(core::to_string(org->default_role)),
                          org->require_sso,
                          org->scim_enabled,
                          org->jit_provisioning,
                          org->allow_idp_initiated,
                          org->audit_retention_days};
            if (const auto p = tx.saml_provider(org->id)) {
                const auto& m = p->mapping;
                const auto& o = p->options;
                out["provider"] = {
                    p->idp_entity_id,
                    p->sso_url,
                    p->slo_url,
                    p->certificates,
                    p->metadata_url,
                    p->preset,
                    {m.user_id, m.email, m.first_name, m.last_name, m.role, m.groups},
                    {o.clock_skew_seconds, o.allow_sha1, o.require_signed_assertion,
                     o.require_aes_gcm, o.max_issue_age_seconds},
                    p->updated_at};
            }
            for (const auto& m : tx.list_members(org->id, {}, {0, 100000}).items) {
                out["members"].push_back({m.public_id, m.email, m.user_name, m.external_id,
                                          m.given_name, m.family_name, m.display_name,
                                          std::string(core::to_string(m.role)),
                                          std::string(core::to_string(m.state)), m.idp_managed,
                                          m.saml_subject, m.version});
            }
            for (const auto& t : tx.list_teams(org->id, {}, {0, 100000}).items) {
                out["teams"].push_back({t.public_id, t.slug, t.display_name, t.version,
                                        tx.team_members(org->id, t.id)});
            }
            for (const auto& t : tx.list_credentials(store::CredentialKind::scim_token, org->id))
                out["scim_tokens"].push_back({t.id, t.revoked_at.has_value()});
            for (const auto& k : tx.list_credentials(store::CredentialKind::admin_key, org->id))
                out["admin_keys"].push_back({k.id, k.revoked_at.has_value()});
            return {};
        }));
        return out;
    }

    httplib::Result call(const Row& row, Who who, const Target& target) {
        httplib::Headers headers;
        std::string body = target.body;
        const bool session = cookies.count(who) != 0;
        if (session) headers.emplace("Cookie", "gatehouse_session=" + cookies[who]);
        if (who == Who::scim_token) headers.emplace("Authorization", "Bearer " + scim_token);
        if (who == Who::admin_key) headers.emplace("Authorization", "Bearer " + admin_key);
        switch (row.surface) {
            case Surface::api:
                if (session) headers.emplace("X-CSRF-Token", csrf[who]);
                return send(row.method, kApi + target.path, body, "application/json", headers);
            case Surface::page:
                if (session) {
                    body += std::string(body.empty() ? "" : "&") + "csrf_token=" + csrf[who];
                }
                return send(row.method, "/settings/acme/" + target.path, body,
                            "application/x-www-form-urlencoded", headers);
            case Surface::scim:
                return send(row.method, kApi + "scim/v2" + target.path, body,
                            "application/scim+json", headers);
        }
        return httplib::Result{nullptr, httplib::Error::Unknown};
    }
};

// Whether the route lets `who` through to the service.
bool let_through(const Row& row, Who who) {
    switch (row.surface) {
        case Surface::api:
            return who == Who::owner || who == Who::admin_key ||
                   (who == Who::manager && row.allowed == Allowed::managers);
        case Surface::page:
            return who == Who::owner || (who == Who::manager && row.allowed == Allowed::managers);
        case Surface::scim:
            return who == Who::scim_token;
    }
    return false;
}

// The status `who` gets from `row`: the route's own when let through; otherwise 401 from the
// API and SCIM to a caller without valid credentials for the org, 303 to sign-in from a page,
// and 403 to a signed-in member of the org who may not make the change.
int expected_status(const Row& row, Who who) {
    if (let_through(row, who)) return row.ok_status;
    const bool signed_in_here = who == Who::owner || who == Who::manager || who == Who::member;
    switch (row.surface) {
        case Surface::api:
            return signed_in_here ? 403 : 401;
        case Surface::page:
            return signed_in_here ? 403 : 303;
        case Surface::scim:
            return 401;
    }
    return 0;
}

void run_matrix(const std::vector<Row>& rows) {
    World world;
    for (const Row& row : rows) {
        for (const Who who : kEveryone) {
            const Target target = row.setup(world);
            // Before the snapshot: issuing a new token would be a change of its own.
            if (who == Who::scim_token) world.live_scim_token();
            const bool may_change = let_through(row, who) && row.changes;
            const json before = may_change ? json() : world.snapshot();
            auto res = world.call(row, who, target);
            const int expected = expected_status(row, who);
            INFO(row.method << " " << row.route << " by " << name_of(who) << ": " << res->body);
            CHECK(res->status == expected);
            if (row.surface == Surface::page && expected == 303 && !let_through(row, who)) {
                CHECK(res->get_header_value("Location").rfind("/auth/login/acme/", 0) == 0);
            }
            if (!may_change) CHECK(world.snapshot() == before);
        }
    }
}

Target at(std::string path, std::string body = "") { return {std::move(path), std::move(body)}; }

std::vector<Row> api_rows() {
    using A = Allowed;
    const auto patch = [](const char* route, A allowed, json reset, json change) {
        return Row{Surface::api, "PATCH", route, allowed, 200, [reset, change](World& w) {
                       w.settings(reset);
                       return at("auth/", change.dump());
                   }};
    };
    return {
        patch("auth/ default_role", A::managers, {{"default_role", "member"}},
              {{"default_role", "billing"}}),
        patch("auth/ allow_idp_initiated", A::owner_rights, {{"allow_idp_initiated", false}},
              {{"allow_idp_initiated", true}}),
        patch("auth/ jit_provisioning", A::owner_rights, {{"jit_provisioning", true}},
              {{"jit_provisioning", false}}),
        patch("auth/ require_sso", A::owner_rights, {{"require_sso", false}},
              {{"require_sso", true}}),
        patch("auth/ mapping", A::owner_rights, {{"preset", "generic"}},
              {{"mapping", {{"email", "mail"}}}}),
        patch("auth/ preset", A::owner_rights, {{"preset", "generic"}}, {{"preset", "okta"}}),
        patch("auth/ clock_skew_seconds", A::owner_rights, {{"clock_skew_seconds", 180}},
              {{"clock_skew_seconds", 60}}),
        patch("auth/ require_signed_assertion", A::owner_rights,
              {{"require_signed_assertion", false}}, {{"require_signed_assertion", true}}),
        patch("auth/ require_aes_gcm", A::owner_rights, {{"require_aes_gcm", false}},
              {{"require_aes_gcm", true}}),
        patch("auth/ max_issue_age_seconds", A::owner_rights, {{"max_issue_age_seconds", 300}},
              {{"max_issue_age_seconds", 600}}),
        patch("auth/ audit_retention_days", A::owner_rights, {{"audit_retention_days", 400}},
              {{"audit_retention_days", 30}}),
        {Surface::api, "PUT", "auth/saml", A::owner_rights, 200,
         [](World& w) {
             w.restore_provider();
             return at("auth/saml", json{{"idp_entity_id", "https://someone-elses-idp.test"},
                                         {"sso_url", "https://someone-elses-idp.test/sso"},
                                         {"certificates", {w.gw.idp.identity().certificate_pem}}}
                                        .dump());
         }},
        {Surface::api, "DELETE", "auth/saml", A::owner_rights, 200,
         [](World& w) {
             w.settings({{"require_sso", false}});
             w.restore_provider();
             return at("auth/saml");
         }},
        {Surface::api, "POST", "auth/saml/refresh", A::owner_rights, 200,
         [](World& w) {
             w.provider_from_url();
             return at("auth/saml/refresh");
         }},
        {Surface::api, "POST", "auth/test", A::owner_rights, 200,
         [](World& w) {
             w.restore_provider();
             return at("auth/test");
         }},
        {Surface::api, "POST", "auth/scim", A::owner_rights, 201,
         [](World&) { return at("auth/scim"); }},
        {Surface::api, "POST", "auth/scim/tokens", A::owner_rights, 201,
         [](World&) { return at("auth/scim/tokens", R"({"description":"rotation"})"); }},
        {Surface::api, "DELETE", "auth/scim/tokens/{id}", A::owner_rights, 204,
         [](World& w) { return at("auth/scim/tokens/" + w.fresh_scim_token_id()); }},
        {Surface::api, "DELETE", "auth/scim", A::owner_rights, 200,
         [](World& w) {
             w.fresh_scim_token_id();  // SCIM on, with a token to revoke
             return at("auth/scim");
         }},
        {Surface::api, "POST", "members (member)", A::managers, 201,
         [](World& w) {
             return at("members", json{{"email", w.fresh_email()}, {"role", "member"}}.dump());
         }},
        {Surface::api, "POST", "members (owner)", A::owner_rights, 201,
         [](World& w) {
             return at("members", json{{"email", w.fresh_email()}, {"role", "owner"}}.dump());
         }},
        {Surface::api, "PATCH", "members/{id} (to admin)", A::managers, 200,
         [](World& w) { return at("members/" + w.fresh_member(), R"({"role":"admin"})"); }},
        {Surface::api, "PATCH", "members/{id} (to owner)", A::owner_rights, 200,
         [](World& w) { return at("members/" + w.fresh_member(), R"({"role":"owner"})"); }},
        {Surface::api, "PATCH", "members/{owner id} (to member)", A::owner_rights, 200,
         [](World& w) { return at("members/" + w.fresh_member("owner"), R"({"role":"member"})"); }},
        {Surface::api, "DELETE", "members/{id}", A::managers, 204,
         [](World& w) { return at("members/" + w.fresh_member()); }},
        {Surface::api, "DELETE", "members/{owner id}", A::owner_rights, 204,
         [](World& w) { return at("members/" + w.fresh_member("owner")); }},
        {Surface::api, "DELETE", "teams/{id}", A::managers, 204,
         [](World& w) { return at("teams/" + w.fresh_team()); }},
    };
}

std::vector<Row> page_rows() {
    using A = Allowed;
    const auto setting = [](const char* route, int ok, json reset, std::string fields) {
        return Row{
            Surface::page, "POST", route, A::owner_rights, ok, [route, reset, fields](World& w) {
                w.restore_provider();
                w.settings(reset);
                return at(route, fields);
            }};
    };
    return {
        {Surface::page, "POST", "auth/metadata-url", A::owner_rights, 303,
         [](World& w) {
             w.restore_provider();
             return at("auth/metadata-url", form({{"metadata_url", w.metadata_url()}}));
         }},
        {Surface::page, "POST", "auth/metadata-xml", A::owner_rights, 303,
         [](World& w) {
             w.restore_provider();
             IdpDocument document;
             document.entity_id = "https://someone-elses-idp.test";
             return at("auth/metadata-xml", form({{"metadata_xml", metadata_document(document)}}));
         }},
        {Surface::page, "POST", "auth/manual", A::owner_rights, 303,
         [](World& w) {
             w.restore_provider();
             return at("auth/manual", form({{"idp_entity_id", "https://someone-elses-idp.test"},
                                            {"sso_url", "https://someone-elses-idp.test/sso"},
                                            {"certificate", w.gw.idp.identity().certificate_pem}}));
         }},
        setting("auth/preset", 303, {{"preset", "generic"}}, form({{"preset", "okta"}})),
        setting("auth/mapping", 303, {{"preset", "generic"}}, form({{"map_email", "mail"}})),
        {Surface::page, "POST", "auth/options (default role)", A::managers, 303,
         [](World& w) {
             w.settings({{"default_role", "member"}});
             return at("auth/options", form({{"default_role", "billing"}}));
         }},
        setting("auth/options", 303, {{"allow_idp_initiated", false}},
                form({{"default_role", "member"},
                      {"switches", "on"},
                      {"jit_provisioning", "on"},
                      {"allow_idp_initiated", "on"}})),
        setting("auth/validation", 303, {{"require_aes_gcm", false}},
                form({{"require_aes_gcm", "on"}, {"max_issue_age_seconds", "300"}})),
        setting("auth/require-sso", 303, {{"require_sso", false}},
                form({{"require_sso", "on"}, {"confirm", "yes"}})),
        setting("auth/require-sso", 303, {{"require_sso", true}}, form({{"require_sso", "off"}})),
        setting("auth/test", 303, json::object(), ""),
        {Surface::page, "POST", "auth/scim/enable", A::owner_rights, 200,
         [](World& w) {
             w.with_key("DELETE", "auth/scim", "", 200);
             return at("auth/scim/enable");
         }},
        {Surface::page, "POST", "auth/scim/tokens", A::owner_rights, 200,
         [](World&) {
             return at("auth/scim/tokens", form({{"description", "rotation"}}));
         }},
        {Surface::page, "POST", "auth/scim/tokens/{id}/revoke", A::owner_rights, 303,
         [](World& w) { return at("auth/scim/tokens/" + w.fresh_scim_token_id() + "/revoke"); }},
        {Surface::page, "POST", "auth/scim/disable", A::owner_rights, 303,
         [](World& w) {
             w.fresh_scim_token_id();
             return at("auth/scim/disable");
         }},
        setting("auth/provider/remove", 303, {{"require_sso", false}}, ""),
        {Surface::page, "POST", "auth/provider/refresh", A::owner_rights, 303,
         [](World& w) {
             w.provider_from_url();
             return at("auth/provider/refresh");
         }},
        {Surface::page, "POST", "members/invite (member)", A::managers, 303,
         [](World& w) {
             return at("members/invite", form({{"email", w.fresh_email()}, {"role", "member"}}));
         }},
        {Surface::page, "POST", "members/invite (owner)", A::owner_rights, 303,
         [](World& w) {
             return at("members/invite", form({{"email", w.fresh_email()}, {"role", "owner"}}));
         }},
        {Surface::page, "POST", "members/{id}/role (to admin)", A::managers, 303,
         [](World& w) { return at("members/" + w.fresh_member() + "/role", "role=admin"); }},
        {Surface::page, "POST", "members/{id}/role (to owner)", A::owner_rights, 303,
         [](World& w) { return at("members/" + w.fresh_member() + "/role", "role=owner"); }},
        {Surface::page, "POST", "members/{owner id}/role (to member)", A::owner_rights, 303,
         [](World& w) {
             return at("members/" + w.fresh_member("owner") + "/role", "role=member");
         }},
        {Surface::page, "POST", "members/{id}/deactivate", A::managers, 303,
         [](World& w) { return at("members/" + w.fresh_member() + "/deactivate"); }},
        {Surface::page, "POST", "members/{owner id}/deactivate", A::owner_rights, 303,
         [](World& w) { return at("members/" + w.fresh_active_owner() + "/deactivate"); }},
        {Surface::page, "POST", "members/{id}/reactivate", A::managers, 303,
         [](World& w) { return at("members/" + w.deactivated_member() + "/reactivate"); }},
        {Surface::page, "POST", "members/{id}/remove", A::managers, 303,
         [](World& w) { return at("members/" + w.fresh_member() + "/remove"); }},
        {Surface::page, "POST", "members/{owner id}/remove", A::owner_rights, 303,
         [](World& w) { return at("members/" + w.fresh_member("owner") + "/remove"); }},
        {Surface::page, "POST", "members/teams/{id}/remove", A::managers, 303,
         [](World& w) { return at("members/teams/" + w.fresh_team() + "/remove"); }},
        setting("audit-log/retention", 303, {{"audit_retention_days", 400}},
                form({{"audit_retention_days", "30"}})),
    };
}

std::vector<Row> scim_rows() {
    using A = Allowed;
    const auto patch = [](json operations) {
        return json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                    {"Operations", std::move(operations)}}
            .dump();
    };
    return {
        {Surface::scim, "POST", "/Users", A::scim, 201,
         [](World& w) { return at("/Users", World::scim_user(w.fresh_email("scim")).dump()); }},
        {Surface::scim, "PUT", "/Users/{id}", A::scim, 200,
         [](World& w) {
             const std::string id = w.fresh_scim_user();
             const auto user = w.with_scim("GET", "/Users/" + id, nullptr, 200);
             json body = World::scim_user(user["userName"].get<std::string>());
             body["displayName"] = "Renamed";
             return at("/Users/" + id, body.dump());
         }},
        {Surface::scim, "PATCH", "/Users/{id}", A::scim, 200,
         [patch](World& w) {
             return at("/Users/" + w.fresh_scim_user(),
                       patch({{{"op", "replace"}, {"path", "displayName"}, {"value", "Renamed"}}}));
         }},
        {Surface::scim, "DELETE", "/Users/{id}", A::scim, 204,
         [](World& w) { return at("/Users/" + w.fresh_scim_user()); }},
        {Surface::scim, "POST", "/Groups", A::scim, 201,
         [](World& w) {
             return at("/Groups", json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                                       {"displayName", "New " + std::to_string(++w.serial)}}
                                      .dump());
         }},
        {Surface::scim, "PUT", "/Groups/{id}", A::scim, 200,
         [](World& w) {
             return at("/Groups/" + w.fresh_scim_group(),
                       json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                            {"displayName", "Renamed " + std::to_string(++w.serial)}}
                           .dump());
         }},
        {Surface::scim, "PATCH", "/Groups/{id}", A::scim, 200,
         [patch](World& w) {
             return at("/Groups/" + w.fresh_scim_group(),
                       patch({{{"op", "replace"},
                               {"path", "displayName"},
                               {"value", "Patched " + std::to_string(++w.serial)}}}));
         }},
        {Surface::scim, "DELETE", "/Groups/{id}", A::scim, 204,
         [](World& w) { return at("/Groups/" + w.fresh_scim_group()); }},
        // An owner: deprovisioning works, rewriting who they are does not.
        {Surface::scim, "PATCH", "/Users/{owner id} (active=false)", A::scim, 200,
         [patch](World& w) {
             return at("/Users/" + w.fresh_active_owner(),
                       patch({{{"op", "replace"}, {"path", "active"}, {"value", false}}}));
         }},
        {Surface::scim, "DELETE", "/Users/{owner id}", A::scim, 204,
         [](World& w) { return at("/Users/" + w.fresh_active_owner()); }},
        {Surface::scim, "PUT", "/Users/{owner id} (new userName)", A::scim, 403,
         [](World& w) {
             return at("/Users/" + w.fresh_active_owner(),
                       World::scim_user("mallory@example.com").dump());
         },
         false},
        {Surface::scim, "PATCH", "/Users/{owner id} (emails)", A::scim, 403,
         [patch](World& w) {
             return at(
                 "/Users/" + w.fresh_active_owner(),
                 patch({{{"op", "replace"},
                         {"path", "emails"},
                         {"value", {{{"value", "mallory@example.com"}, {"primary", true}}}}}}));
         },
         false},
        {Surface::scim, "PATCH", "/Users/{owner id} (externalId)", A::scim, 403,
         [patch](World& w) {
             return at("/Users/" + w.fresh_active_owner(),
                       patch({{{"op", "add"}, {"path", "externalId"}, {"value", "00u-mallory"}}}));
         },
         false},
        {Surface::scim, "PATCH", "/Users/{owner id} (orgRole)", A::scim, 403,
         [patch](World& w) {
             return at("/Users/" + w.fresh_active_owner(),
                       patch({{{"op", "replace"}, {"path", "orgRole"}, {"value", "member"}}}));
         },
         false},
    };
}

}  // namespace

TEST_CASE("authorization matrix: every state-changing admin API route, by every kind of caller") {
    run_matrix(api_rows());
}

TEST_CASE("authorization matrix: every settings page form, by every kind of caller") {
    run_matrix(page_rows());
}

TEST_CASE("authorization matrix: every state-changing SCIM route, by every kind of caller") {
    run_matrix(scim_rows());
}
