// The members page and the audit log page through the real server: what they list, the forms
// and their refusals (IdP lock, last owner, CSRF, Origin, role), escaping, search and paging.
#include <doctest/doctest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gatehouse/store/store.hpp"
#include "gatehouse/util/encoding.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;
using nlohmann::json;

namespace {

constexpr const char* kBaseUrl = "http://gatehouse.test";
const std::string kOwnerEmail = "olga@example.com";
const std::string kPassword = "correct horse battery staple";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

// A running gateway with the org "acme" and its owner, who has a password.
struct MembersSite {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    std::unique_ptr<ServerProcess> server;

    MembersSite() {
        REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0);
        add_member(kOwnerEmail, "owner");
        server =
            std::make_unique<ServerProcess>(db, std::vector<std::string>{"--base-url", kBaseUrl});
    }

    void add_member(const std::string& email, const std::string& role) {
        auto added = run_gatehouse({"--db", db, "member", "add", "--org", "acme", "--email", email,
                                    "--role", role, "--password-stdin"},
                                   kPassword + "\n");
        REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(10, 0);
        return c;
    }

    // The session cookie value of a password sign-in.
    std::string sign_in(const std::string& email) {
        const std::string body =
            "email=" + util::url_encode(email) + "&password=" + util::url_encode(kPassword);
        auto res = client().Post("/auth/login/acme/", body, "application/x-www-form-urlencoded");
        REQUIRE(res);
        REQUIRE(res->status == 303);
        const std::string header = res->get_header_value("Set-Cookie");
        const std::string prefix = "gatehouse_session=";
        REQUIRE(header.rfind(prefix, 0) == 0);
        return header.substr(prefix.size(), header.find(';') - prefix.size());
    }

    std::string owner_cookie() { return sign_in(kOwnerEmail); }

    static httplib::Headers cookie_headers(const std::string& cookie) {
        return {{"Cookie", "gatehouse_session=" + cookie}};
    }

    std::string csrf(const std::string& cookie) {
        auto res = client().Get("/api/0/organizations/acme/me", cookie_headers(cookie));
        REQUIRE(res);
        REQUIRE(res->status == 200);
        return json::parse(res->body)["csrf_token"];
    }

    httplib::Result get(const std::string& path, const std::string& cookie = "") {
        auto res = client().Get(path, cookie.empty() ? httplib::Headers{} : cookie_headers(cookie));
        REQUIRE(res);
        return res;
    }

    // POSTs a form of the members page with the session's CSRF token added.
    httplib::Result post(const std::string& path, const std::string& cookie,
                         const std::string& fields = "") {
        return post_raw(path, cookie,
                        "csrf_token=" + csrf(cookie) + (fields.empty() ? "" : "&" + fields));
    }

    httplib::Result post_raw(const std::string& path, const std::string& cookie,
                             const std::string& body, httplib::Headers headers = {}) {
        if (!cookie.empty()) headers.emplace("Cookie", "gatehouse_session=" + cookie);
        auto res = client().Post(path, headers, body, "application/x-www-form-urlencoded");
        REQUIRE(res);
        return res;
    }

    std::string members_page(const std::string& cookie, const std::string& query = "") {
        auto res = get("/settings/acme/members/" + query, cookie);
        REQUIRE(res->status == 200);
        return res->body;
    }

    template <typename Work>
    void read_store(Work work) {
        auto opened = store::open_sqlite_store(db);
        REQUIRE(opened.ok());
        REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
            const auto org = tx.org_by_slug("acme");
            REQUIRE(org.has_value());
            work(tx, *org);
            return {};
        }));
    }

    template <typename Work>
    void write_store(Work work) {
        auto opened = store::open_sqlite_store(db);
        REQUIRE(opened.ok());
        REQUIRE((*opened)->write([&](store::Transaction& tx) -> Status {
            const auto org = tx.org_by_slug("acme");
            REQUIRE(org.has_value());
            return work(tx, *org);
        }));
    }

    core::Member member(const std::string& email) {
        core::Member found;
        read_store([&](store::Transaction& tx, const core::Org& org) {
            auto m = tx.member_by_email(org.id, email);
            REQUIRE_MESSAGE(m.has_value(), email);
            found = *m;
        });
        return found;
    }

    bool has_member(const std::string& email) {
        bool found = false;
        read_store([&](store::Transaction& tx, const core::Org& org) {
            found = tx.member_by_email(org.id, email).has_value();
        });
        return found;
    }

    std::string scim_token() {
        auto issued = run_gatehouse({"--db", db, "scim-token", "create", "acme", "--quiet"});
        REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
        return trimmed(issued.out);
    }

    // Pushes a user over SCIM, as an IdP does; returns its id.
    std::string scim_user(const std::string& token, const std::string& email) {
        const json user = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                           {"userName", email},
                           {"emails", {{{"value", email}, {"primary", true}}}},
                           {"active", true}};
        auto res = client().Post("/api/0/organizations/acme/scim/v2/Users",
                                 {{"Authorization", "Bearer " + token}}, user.dump(),
                                 "application/scim+json");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 201, res->body);
        return json::parse(res->body)["id"];
    }

    void invite(const std::string& cookie, const std::string& email) {
        auto res = post("/settings/acme/members/invite", cookie,
                        "email=" + util::url_encode(email) + "&role=member");
        REQUIRE_MESSAGE(res->status == 303, res->body);
    }
};

std::string action_path(const core::Member& m, const std::string& action) {
    return "/settings/acme/members/" + m.public_id + "/" + action;
}

// The table row with the HTML id `row_id` on a page.
std::string row_with_id(const std::string& page, const std::string& row_id) {
    const auto start = page.find("<tr id=\"" + row_id + "\"");
    REQUIRE(start != std::string::npos);
    return page.substr(start, page.find("</tr>", start) - start);
}

std::string row_of(const std::string& page, const std::string& public_id) {
    return row_with_id(page, "member-" + public_id);
}

}  // namespace

TEST_CASE("members page lists each member with state, source, role, SAML link and last sign-in") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ivy@example.com");
    const std::string page = site.members_page(cookie);
    CHECK(contains(page, "<h1>Members</h1>"));
    CHECK(contains(page, "class=\"table-wrap\""));

    const std::string owner = row_of(page, site.member(kOwnerEmail).public_id);
    CHECK(contains(owner, ">active</span>"));
    CHECK(contains(
        owner,
        "<td data-label=\"Source\">owner</td>"));  // source: added by an owner with a password
    CHECK(contains(owner, " UTC</td>"));           // signed in just now
    CHECK(contains(owner, "not linked"));

    const std::string invited = row_of(page, site.member("ivy@example.com").public_id);
    CHECK(contains(invited, ">invited</span>"));
    CHECK(contains(invited, "<td data-label=\"Source\">invited</td>"));
    CHECK(contains(invited, "<td data-label=\"Role\">member</td>"));
    CHECK(contains(invited, ">never</span>"));
    CHECK(contains(invited, "Role for ivy@example.com"));
    CHECK_FALSE(contains(invited, "disabled"));
}

TEST_CASE("members page marks an IdP-managed member and disables their controls") {
    MembersSite site;
    const std::string token = site.scim_token();
    const std::string id = site.scim_user(token, "idp.user@example.com");
    const std::string row = row_of(site.members_page(site.owner_cookie()), id);
    CHECK(contains(row, "Managed by your IdP"));
    CHECK(contains(row, "<td data-label=\"Source\">SCIM</td>"));
    CHECK(contains(row, "<select id=\"role-" + id + "\" name=\"role\" disabled"));
    CHECK(contains(row, "disabled aria-describedby=\"idp-hint-" + id + "\">Change role</button>"));
    CHECK(contains(row, "disabled aria-describedby=\"idp-hint-" + id + "\">Remove</button>"));
    CHECK(contains(row, "change them there"));
}

TEST_CASE("a forged form changing an IdP-managed member is refused with 403 and changes nothing") {
    MembersSite site;
    site.scim_user(site.scim_token(), "idp.user@example.com");
    const std::string cookie = site.owner_cookie();
    const core::Member before = site.member("idp.user@example.com");
    for (const std::string action : {"role", "deactivate", "remove"}) {
        auto res = site.post(action_path(before, action), cookie, "role=manager");
        CHECK(res->status == 403);
        CHECK(contains(res->body, "notice-error"));
        CHECK(contains(res->body, "managed by the organization&#39;s identity provider"));
    }
    const core::Member after = site.member("idp.user@example.com");
    CHECK(after.role == before.role);
    CHECK(after.state == before.state);
    CHECK(after.version == before.version);
}

TEST_CASE("the invite form adds an invited member who appears on the page") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    auto res = site.post("/settings/acme/members/invite", cookie,
                         "email=" + util::url_encode("new@example.com") + "&role=billing");
    REQUIRE(res->status == 303);
    CHECK(res->get_header_value("Location") == "/settings/acme/members/?saved=invited");
    const core::Member added = site.member("new@example.com");
    CHECK(added.state == core::MemberState::invited);
    CHECK(added.role == core::Role::billing);
    const std::string page = site.members_page(cookie, "?saved=invited");
    CHECK(contains(page, "The member was invited."));
    CHECK(contains(row_of(page, added.public_id), "<td data-label=\"Role\">billing</td>"));
}

TEST_CASE("the invite form shows a bad email next to the field with 400 and adds nobody") {
    MembersSite site;
    auto res = site.post("/settings/acme/members/invite", site.owner_cookie(),
                         "email=not-an-email&role=member");
    CHECK(res->status == 400);
    CHECK(contains(res->body, "<p class=\"field-error\" id=\"invite-email-error\">"));
    CHECK(contains(res->body, "value=\"not-an-email\""));
    CHECK_FALSE(site.has_member("not-an-email"));
}

TEST_CASE("the invite form refuses an email already in the org with 409") {
    MembersSite site;
    auto res = site.post("/settings/acme/members/invite", site.owner_cookie(),
                         "email=" + util::url_encode(kOwnerEmail) + "&role=member");
    CHECK(res->status == 409);
    CHECK(contains(res->body, "A member with this email already exists."));
}

TEST_CASE("a manager cannot invite an owner through the form") {
    MembersSite site;
    site.add_member("mia@example.com", "manager");
    auto res = site.post("/settings/acme/members/invite", site.sign_in("mia@example.com"),
                         "email=" + util::url_encode("boss@example.com") + "&role=owner");
    CHECK(res->status == 403);
    CHECK(contains(res->body, "Only an owner can invite an owner."));
    CHECK_FALSE(site.has_member("boss@example.com"));
}

TEST_CASE("the role form changes a member's role and the audit log records it") {
    MembersSite site;
    site.add_member("ada@example.com", "member");
    const std::string cookie = site.owner_cookie();
    auto res =
        site.post(action_path(site.member("ada@example.com"), "role"), cookie, "role=manager");
    REQUIRE(res->status == 303);
    CHECK(res->get_header_value("Location") == "/settings/acme/members/?saved=role");
    CHECK(site.member("ada@example.com").role == core::Role::manager);
    auto audit = site.get("/settings/acme/audit-log/?action=member.role_change", cookie);
    CHECK(audit->status == 200);
    CHECK(contains(audit->body, "<dt>from</dt><dd>member</dd><dt>to</dt><dd>manager</dd>"));
}

TEST_CASE("the role form refuses a role that does not exist with 400") {
    MembersSite site;
    site.add_member("ada@example.com", "member");
    auto res = site.post(action_path(site.member("ada@example.com"), "role"), site.owner_cookie(),
                         "role=emperor");
    CHECK(res->status == 400);
    CHECK(contains(res->body, "Choose one of the listed roles."));
    CHECK(site.member("ada@example.com").role == core::Role::member);
}

TEST_CASE("the last owner cannot be demoted and the page says why") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    auto res = site.post(action_path(site.member(kOwnerEmail), "role"), cookie, "role=member");
    CHECK(res->status == 409);
    CHECK(contains(res->body, "notice-error"));
    CHECK(contains(res->body, "last owner cannot give up the role"));
    CHECK(site.member(kOwnerEmail).role == core::Role::owner);
}

TEST_CASE("the last owner cannot be deactivated") {
    MembersSite site;
    auto res = site.post(action_path(site.member(kOwnerEmail), "deactivate"), site.owner_cookie());
    CHECK(res->status == 409);
    CHECK(contains(res->body, "last owner cannot be deactivated"));
    CHECK(site.member(kOwnerEmail).state == core::MemberState::active);
}

TEST_CASE("deactivating a member ends their sessions and reactivating lets them back") {
    MembersSite site;
    site.add_member("ada@example.com", "manager");
    const std::string ada = site.sign_in("ada@example.com");
    REQUIRE(site.get("/settings/acme/members/", ada)->status == 200);
    const std::string cookie = site.owner_cookie();
    const core::Member member = site.member("ada@example.com");

    auto off = site.post(action_path(member, "deactivate"), cookie);
    REQUIRE(off->status == 303);
    CHECK(off->get_header_value("Location") == "/settings/acme/members/?saved=deactivated");
    CHECK(site.member("ada@example.com").state == core::MemberState::deactivated);
    CHECK(site.get("/settings/acme/members/", ada)->status == 303);  // session gone
    CHECK(contains(row_of(site.members_page(cookie), member.public_id), ">Reactivate</button>"));

    auto on = site.post(action_path(member, "reactivate"), cookie);
    REQUIRE(on->status == 303);
    CHECK(site.member("ada@example.com").state == core::MemberState::active);
    CHECK(site.get("/settings/acme/members/", site.sign_in("ada@example.com"))->status == 200);
}

TEST_CASE("the remove form deletes a member") {
    MembersSite site;
    site.add_member("ada@example.com", "member");
    auto res =
        site.post(action_path(site.member("ada@example.com"), "remove"), site.owner_cookie());
    REQUIRE(res->status == 303);
    CHECK(res->get_header_value("Location") == "/settings/acme/members/?saved=removed");
    CHECK_FALSE(site.has_member("ada@example.com"));
}

TEST_CASE("a form without or with a wrong csrf_token is refused with 403 and changes nothing") {
    MembersSite site;
    site.add_member("ada@example.com", "member");
    const std::string cookie = site.owner_cookie();
    const std::string path = action_path(site.member("ada@example.com"), "role");
    CHECK(site.post_raw(path, cookie, "role=admin")->status == 403);
    CHECK(site.post_raw(path, cookie, "role=admin&csrf_token=0000")->status == 403);
    CHECK(site.post_raw("/settings/acme/members/invite", cookie, "email=x%40example.com")->status ==
          403);
    CHECK(site.member("ada@example.com").role == core::Role::member);
    CHECK_FALSE(site.has_member("x@example.com"));
}

TEST_CASE("a form sent from another Origin is refused with 403 and changes nothing") {
    MembersSite site;
    site.add_member("ada@example.com", "member");
    const std::string cookie = site.owner_cookie();
    const std::string body = "csrf_token=" + site.csrf(cookie) + "&role=admin";
    const std::string path = action_path(site.member("ada@example.com"), "role");
    auto res = site.post_raw(path, cookie, body, {{"Origin", "https://evil.example"}});
    CHECK(res->status == 403);
    CHECK(site.member("ada@example.com").role == core::Role::member);
    // The same form from the gateway's own origin goes through.
    CHECK(site.post_raw(path, cookie, body, {{"Origin", kBaseUrl}})->status == 303);
}

TEST_CASE("a plain member gets 403 on both pages and on their forms") {
    MembersSite site;
    site.add_member("pat@example.com", "member");
    const std::string cookie = site.sign_in("pat@example.com");
    CHECK(site.get("/settings/acme/members/", cookie)->status == 403);
    CHECK(site.get("/settings/acme/audit-log/", cookie)->status == 403);
    auto res = site.post_raw("/settings/acme/members/invite", cookie,
                             "csrf_token=" + site.csrf(cookie) + "&email=x%40example.com");
    CHECK(res->status == 403);
    CHECK_FALSE(site.has_member("x@example.com"));
}

TEST_CASE("nobody signed in is sent to the sign-in page from both pages and the forms") {
    MembersSite site;
    auto members = site.get("/settings/acme/members/");
    CHECK(members->status == 303);
    CHECK(members->get_header_value("Location") ==
          "/auth/login/acme/?next=/settings/acme/members/");
    auto audit = site.get("/settings/acme/audit-log/");
    CHECK(audit->status == 303);
    CHECK(audit->get_header_value("Location").rfind("/auth/login/acme/?next=", 0) == 0);
    CHECK(site.post_raw("/settings/acme/members/invite", "", "email=x%40example.com")->status ==
          303);
    CHECK_FALSE(site.has_member("x@example.com"));
}

TEST_CASE("an email carrying markup is escaped on the members page and in the audit log") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    const std::string email = "<script>alert(1)</script>@evil.example";
    site.invite(cookie, email);
    const std::string page = site.members_page(cookie);
    CHECK_FALSE(contains(page, "<script>alert"));
    CHECK(contains(page, "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;@evil.example"));
    const std::string audit = site.get("/settings/acme/audit-log/", cookie)->body;
    CHECK_FALSE(contains(audit, "<script>alert"));
    CHECK(contains(audit, "&lt;script&gt;"));
}

// The members table of a members page, without the invitations and the outbox below it
// (which name invited members too).
std::string members_table(const std::string& page) {
    const auto start = page.find("<table class=\"members");
    const auto end = page.find("</table>", start);
    REQUIRE(start != std::string::npos);
    REQUIRE(end != std::string::npos);
    return page.substr(start, end - start);
}

TEST_CASE("members page shows fifty members a page with Previous and Next links") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    for (int i = 0; i < 55; ++i) site.invite(cookie, "user" + std::to_string(i) + "@example.com");
    const std::string first_page = site.members_page(cookie);
    CHECK(contains(first_page, "class=\"pager\""));
    // mstch escapes '/' in values as &#x2F;, which the browser reads back as '/'.
    CHECK(contains(
        first_page,
        "href=\"&#x2F;settings&#x2F;acme&#x2F;members&#x2F;?page=2\" rel=\"next\">Next</a>"));
    CHECK_FALSE(contains(first_page, ">Previous</a>"));
    const std::string first = members_table(first_page);
    CHECK(contains(first, "user48@example.com"));
    CHECK_FALSE(contains(first, "user49@example.com"));  // the owner is the first of 56

    const std::string second = site.members_page(cookie, "?page=2");
    CHECK(contains(second, "user49@example.com"));
    CHECK(contains(second, "user54@example.com"));
    CHECK(contains(second, ">Previous</a>"));
    CHECK_FALSE(contains(second, ">Next</a>"));
}

TEST_CASE("members page refuses a page number that is not a whole number from 1 with 400") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    CHECK(site.get("/settings/acme/members/?page=0", cookie)->status == 400);
    CHECK(site.get("/settings/acme/members/?page=two", cookie)->status == 400);
}

TEST_CASE("the search box finds members by part of their email, taken literally") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada.lovelace@example.com");
    site.invite(cookie, "alan_turing@example.com");
    site.invite(cookie, "alanxturing@example.com");
    const std::string found_page = site.members_page(cookie, "?q=LOVELACE");
    CHECK(contains(found_page, "value=\"LOVELACE\""));
    const std::string found = members_table(found_page);
    CHECK(contains(found, "ada.lovelace@example.com"));
    CHECK_FALSE(contains(found, "alan_turing@example.com"));
    // '_' is a LIKE wildcard; the search must not treat it as one.
    const std::string literal = members_table(site.members_page(cookie, "?q=alan_"));
    CHECK(contains(literal, "alan_turing@example.com"));
    CHECK_FALSE(contains(literal, "alanxturing@example.com"));
    CHECK(contains(site.members_page(cookie, "?q=nobody-here"), "No members match"));
}

TEST_CASE("teams section lists teams with member counts and locks the IdP's teams") {
    MembersSite site;
    const std::string token = site.scim_token();
    const std::string user = site.scim_user(token, "idp.user@example.com");
    const json group = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                        {"displayName", "Platform Team"},
                        {"members", {{{"value", user}}}}};
    auto pushed = site.client().Post("/api/0/organizations/acme/scim/v2/Groups",
                                     {{"Authorization", "Bearer " + token}}, group.dump(),
                                     "application/scim+json");
    REQUIRE(pushed);
    REQUIRE_MESSAGE(pushed->status == 201, pushed->body);
    const std::string team_id = json::parse(pushed->body)["id"];
    const std::string cookie = site.owner_cookie();
    const std::string page = site.members_page(cookie);
    CHECK(contains(page, "<h2>Teams</h2>"));
    const std::string row = row_with_id(page, "team-" + team_id);
    CHECK(contains(row, "Platform Team"));
    CHECK(contains(row, "<code>platform-team</code>"));
    CHECK(contains(row, "<td>1</td>"));
    CHECK(contains(row, "Managed by your IdP"));
    CHECK_FALSE(contains(row, ">Remove</button>"));
    CHECK(contains(row_of(page, user), "<span class=\"badge\">Platform Team</span>"));

    auto forged = site.post("/settings/acme/members/teams/" + team_id + "/remove", cookie);
    CHECK(forged->status == 403);
    CHECK(contains(forged->body, "managed by the organization&#39;s identity provider"));
}

TEST_CASE("the remove button deletes a team the org created itself") {
    MembersSite site;
    std::string team_id;
    site.write_store([&](store::Transaction& tx, const core::Org& org) -> Status {
        core::Team team;
        team.org_id = org.id;
        team.slug = "support";
        team.display_name = "Support";
        auto inserted = tx.insert_team(team);
        if (!inserted) return inserted.error();
        team_id = inserted->public_id;
        return {};
    });
    const std::string cookie = site.owner_cookie();
    CHECK(contains(site.members_page(cookie), "/teams/" + team_id + "/remove"));
    auto res = site.post("/settings/acme/members/teams/" + team_id + "/remove", cookie);
    REQUIRE(res->status == 303);
    CHECK(res->get_header_value("Location") == "/settings/acme/members/?saved=team-removed");
    site.read_store([&](store::Transaction& tx, const core::Org& org) {
        CHECK_FALSE(tx.team_by_public_id(org.id, team_id).has_value());
    });
}

TEST_CASE("audit log page lists entries with actor, target, outcome and readable details") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ivy@example.com");
    const core::Member ivy = site.member("ivy@example.com");
    auto res = site.get("/settings/acme/audit-log/", cookie);
    REQUIRE(res->status == 200);
    CHECK(contains(res->body, "<h1>Audit log</h1>"));
    CHECK(contains(res->body, "<code>member.create</code>"));
    CHECK(contains(res->body, "member:" + site.member(kOwnerEmail).public_id));
    CHECK(contains(res->body, ivy.public_id));
    CHECK(contains(res->body, "<dl class=\"audit-details\">"));
    CHECK(contains(res->body, "<dt>email</dt><dd>ivy@example.com</dd>"));
    CHECK(contains(res->body, "<span class=\"badge badge-ok\">success</span>"));
    CHECK(contains(res->body, " UTC</td>"));
}

TEST_CASE("audit log shows a failure's reason code and reference, with details escaped") {
    MembersSite site;
    site.write_store([](store::Transaction& tx, const core::Org& org) -> Status {
        core::AuditEntry entry;
        entry.org_id = org.id;
        entry.actor = "idp";
        entry.action = "saml.sign_in";
        entry.outcome = "failure";
        entry.reason_code = "saml.signature.invalid";
        entry.details = json{{"reference", "R7Q2"}, {"detail", "<b>bad</b>"}, {"count", 2}}.dump();
        return tx.append_audit(entry);
    });
    const std::string body = site.get("/settings/acme/audit-log/", site.owner_cookie())->body;
    CHECK(contains(body, "<span class=\"small muted\">saml.signature.invalid</span>"));
    CHECK(contains(body, "<td data-label=\"Reference\"><code>R7Q2</code></td>"));
    CHECK(contains(body, "<dt>detail</dt><dd>&lt;b&gt;bad&lt;&#x2F;b&gt;</dd>"));
    CHECK(contains(body, "<dt>count</dt><dd>2</dd>"));
    CHECK_FALSE(contains(body, "<b>bad</b>"));
}

TEST_CASE("audit log filters by action prefix and by outcome") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ivy@example.com");
    auto wrong = site.client().Post("/auth/login/acme/", "email=ivy%40example.com&password=nope",
                                    "application/x-www-form-urlencoded");
    REQUIRE(wrong);
    REQUIRE(wrong->status == 401);

    const std::string by_action =
        site.get("/settings/acme/audit-log/?action=member.", cookie)->body;
    CHECK(contains(by_action, "<code>member.create</code>"));
    CHECK_FALSE(contains(by_action, "<code>auth.password_sign_in</code>"));
    CHECK(contains(by_action, "value=\"member.\""));

    const std::string failures =
        site.get("/settings/acme/audit-log/?outcome=failure", cookie)->body;
    CHECK(contains(failures, "<code>auth.password_sign_in</code>"));
    CHECK(contains(failures, "badge-bad\">failure</span>"));
    CHECK_FALSE(contains(failures, "badge-ok\">success</span>"));
    CHECK(contains(failures, "<option value=\"failure\" selected>"));
}

TEST_CASE("audit log pages fifty entries at a time with Newer and Older links") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    for (int i = 0; i < 52; ++i) site.invite(cookie, "user" + std::to_string(i) + "@example.com");
    const std::string first =
        site.get("/settings/acme/audit-log/?action=member.create", cookie)->body;
    CHECK(contains(first, "<dd>user51@example.com</dd>"));  // newest first
    CHECK_FALSE(contains(first, "<dd>user1@example.com</dd>"));
    CHECK(contains(first,
                   "href=\"&#x2F;settings&#x2F;acme&#x2F;audit-log&#x2F;?action=member.create&amp;"
                   "page=2\" rel=\"next\">Older</a>"));
    CHECK_FALSE(contains(first, ">Newer</a>"));
    const std::string second =
        site.get("/settings/acme/audit-log/?action=member.create&page=2", cookie)->body;
    CHECK(contains(second, "<dd>user1@example.com</dd>"));
    CHECK(contains(second, ">Newer</a>"));
    CHECK_FALSE(contains(second, ">Older</a>"));
}

TEST_CASE("audit log answers an unparsable date with a 400 page naming the field") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    auto res = site.get("/settings/acme/audit-log/?from=yesterday&until=2024-02-30", cookie);
    CHECK(res->status == 400);
    CHECK(contains(res->body, "id=\"audit-from-error\">Give the date as YYYY-MM-DD,"));
    CHECK(contains(res->body, "id=\"audit-until-error\">Give the date as YYYY-MM-DD,"));
    CHECK(contains(res->body, "value=\"yesterday\""));
    CHECK_FALSE(contains(res->body, "<table class=\"audit\">"));
}

TEST_CASE("audit log refuses a page below 1, an unknown outcome and a reversed range with 400") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    CHECK(site.get("/settings/acme/audit-log/?page=0", cookie)->status == 400);
    auto outcome = site.get("/settings/acme/audit-log/?outcome=maybe", cookie);
    CHECK(outcome->status == 400);
    CHECK(contains(outcome->body, "Choose any, success or failure."));
    auto reversed = site.get("/settings/acme/audit-log/?from=2024-05-02&until=2024-05-01", cookie);
    CHECK(reversed->status == 400);
    CHECK(contains(reversed->body, "The range must not end before it starts."));
}

TEST_CASE("audit log date range keeps entries of the days named, both included") {
    MembersSite site;
    const std::string cookie = site.owner_cookie();
    const std::string today = util::format_iso8601(util::SystemClock().now()).substr(0, 10);
    const std::string in_range =
        site.get("/settings/acme/audit-log/?from=" + today + "&until=" + today, cookie)->body;
    CHECK(contains(in_range, "<code>member.create</code>"));
    const std::string before =
        site.get("/settings/acme/audit-log/?from=2000-01-01&until=2000-01-02", cookie)->body;
    CHECK(contains(before, "No entries match."));
}

TEST_CASE("members page shows a manager an owner's controls disabled, with why") {
    MembersSite site;
    site.add_member("mia@example.com", "manager");
    site.add_member("ada@example.com", "member");
    const std::string page = site.members_page(site.sign_in("mia@example.com"));
    const std::string owner_id = site.member(kOwnerEmail).public_id;
    const std::string owner = row_of(page, owner_id);
    CHECK(contains(
        owner, "disabled aria-describedby=\"owner-hint-" + owner_id + "\">Change role</button>"));
    CHECK(contains(owner,
                   "disabled aria-describedby=\"owner-hint-" + owner_id + "\">Remove</button>"));
    CHECK(contains(owner, "Only an owner can change an owner."));
    const std::string ada = row_of(page, site.member("ada@example.com").public_id);
    CHECK_FALSE(contains(ada, "disabled"));
    CHECK_FALSE(contains(ada, "<option value=\"owner\""));
    const std::string as_owner = row_of(site.members_page(site.owner_cookie()), owner_id);
    CHECK_FALSE(contains(as_owner, "owner-hint-"));
}

TEST_CASE("a manager's forged forms against an owner are refused with 403 and audited") {
    MembersSite site;
    site.add_member("mia@example.com", "manager");
    site.add_member("second@example.com", "owner");  // so the last-owner rule is not what stops it
    const std::string cookie = site.sign_in("mia@example.com");
    const core::Member owner = site.member(kOwnerEmail);
    const core::Member mia = site.member("mia@example.com");
    const std::vector<std::pair<std::string, std::string>> forged = {
        {action_path(owner, "role"), "role=member"},
        {action_path(owner, "deactivate"), ""},
        {action_path(owner, "remove"), ""},
        {action_path(mia, "role"), "role=owner"},
    };
    for (const auto& [path, fields] : forged) {
        auto res = site.post(path, cookie, fields);
        CHECK_MESSAGE(res->status == 403, path);
        CHECK(contains(res->body, "Only an owner"));
    }
    CHECK(site.member(kOwnerEmail).role == core::Role::owner);
    CHECK(site.member(kOwnerEmail).state == core::MemberState::active);
    CHECK(site.member("mia@example.com").role == core::Role::manager);
    site.read_store([&](store::Transaction& tx, const core::Org& org) {
        store::AuditQuery query;
        query.outcome = "failure";
        query.actor = "member:" + mia.public_id;
        CHECK(tx.list_audit(org.id, query).total == 4);
    });
}
