// Invitations through the real server, in an org without single sign-on: the members page
// invites and lists them with their mail, the link lets the invited person choose a password
// once, bad links get their own page, and the admin API resends and revokes.
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

// A running gateway with the org "acme" (no SSO provider) and its owner, who has a password.
struct InvitationSite {
    TempDir dir;
    std::string db = dir.file("gatehouse.db");
    std::unique_ptr<ServerProcess> server;

    InvitationSite() {
        REQUIRE(run_gatehouse({"--db", db, "org", "create", "acme"}).exit_code == 0);
        auto added = run_gatehouse({"--db", db, "member", "add", "--org", "acme", "--email",
                                    kOwnerEmail, "--role", "owner", "--password-stdin"},
                                   kPassword + "\n");
        REQUIRE_MESSAGE(added.exit_code == 0, added.err);
        server =
            std::make_unique<ServerProcess>(db, std::vector<std::string>{"--base-url", kBaseUrl});
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_read_timeout(10, 0);
        return c;
    }

    std::string owner_cookie() {
        const std::string body =
            "email=" + util::url_encode(kOwnerEmail) + "&password=" + util::url_encode(kPassword);
        auto res = client().Post("/auth/login/acme/", body, "application/x-www-form-urlencoded");
        REQUIRE(res);
        REQUIRE(res->status == 303);
        return session_of(*res);
    }

    static std::string session_of(const httplib::Response& res) {
        const std::string header = res.get_header_value("Set-Cookie");
        const std::string prefix = "gatehouse_session=";
        REQUIRE(header.rfind(prefix, 0) == 0);
        return header.substr(prefix.size(), header.find(';') - prefix.size());
    }

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

    httplib::Result post_form(const std::string& path, const std::string& body,
                              httplib::Headers headers = {}) {
        auto res = client().Post(path, headers, body, "application/x-www-form-urlencoded");
        REQUIRE(res);
        return res;
    }

    // The members page's invite form, as the owner.
    void invite(const std::string& cookie, const std::string& email) {
        auto res = post_form(
            "/settings/acme/members/invite",
            "csrf_token=" + csrf(cookie) + "&email=" + util::url_encode(email) + "&role=member",
            cookie_headers(cookie));
        REQUIRE_MESSAGE(res->status == 303, res->body);
    }

    // An admin API call with the owner's session and CSRF token.
    httplib::Result api(const std::string& method, const std::string& path,
                        const std::string& cookie) {
        auto headers = cookie_headers(cookie);
        headers.emplace("X-CSRF-Token", csrf(cookie));
        const std::string url = "/api/0/organizations/acme/" + path;
        auto res = method == "GET"    ? client().Get(url, headers)
                   : method == "POST" ? client().Post(url, headers, "", "application/json")
                                      : client().Delete(url, headers);
        REQUIRE(res);
        return res;
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

    // The newest invitation mail's link, relative to the base URL, as the mail carries it.
    std::string newest_link() {
        std::string text;
        read_store([&](store::Transaction& tx, const core::Org& org) {
            auto mails = tx.list_outbound_mail(org.id, store::Page{0, 1}).items;
            REQUIRE(mails.size() == 1);
            text = mails[0].text_body;
        });
        const std::string prefix = std::string(kBaseUrl) + "/auth/login/acme/?invite=";
        const auto at = text.find(prefix);
        REQUIRE(at != std::string::npos);
        const auto end = text.find_first_of(" \r\n", at);
        return text.substr(at + std::string(kBaseUrl).size(),
                           end - at - std::string(kBaseUrl).size());
    }

    static std::string token_of(const std::string& link) {
        return link.substr(link.find("invite=") + 7);
    }

    core::MemberState state_of(const std::string& email) {
        core::MemberState state = core::MemberState::deactivated;
        read_store([&](store::Transaction& tx, const core::Org& org) {
            auto m = tx.member_by_email(org.id, email);
            REQUIRE(m.has_value());
            state = m->state;
        });
        return state;
    }

    std::string choose_password(const std::string& token, const std::string& password,
                                httplib::Headers headers = {}) {
        auto res = post_form("/auth/login/acme/invitation",
                             "invite=" + util::url_encode(token) +
                                 "&password=" + util::url_encode(password) +
                                 "&confirm=" + util::url_encode(password),
                             headers);
        return std::to_string(res->status) + " " + res->get_header_value("Location") + " " +
               res->body;
    }
};

}  // namespace

TEST_CASE("an invited member is listed on the members page with the state of its mail") {
    InvitationSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada@example.com");
    auto page = site.get("/settings/acme/members/", cookie);
    REQUIRE(page->status == 200);
    const auto pending = page->body.substr(page->body.find("Pending invitations"));
    CHECK(contains(pending, "ada@example.com"));
    CHECK(contains(pending, "queued"));
    CHECK(contains(pending, "/members/"));
    CHECK(contains(pending, "/invitation/resend"));
    const auto outgoing = page->body.substr(page->body.find("Outgoing mail"));
    CHECK(contains(outgoing, "invitation"));
    CHECK(contains(outgoing, "ada@example.com"));
}

TEST_CASE("the invitation link lets the invited person choose a password and lands them active") {
    InvitationSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada@example.com");
    const std::string link = site.newest_link();
    auto landing = site.get(link);
    REQUIRE(landing->status == 200);
    CHECK(contains(landing->body, "Join acme"));
    CHECK(contains(landing->body, "ada@example.com"));
    CHECK(landing->get_header_value_count("Referrer-Policy") == 1);
    CHECK(landing->get_header_value("Referrer-Policy") == "same-origin");
    CHECK(landing->get_header_value("Cache-Control") == "no-store");

    auto accepted = site.post_form("/auth/login/acme/invitation",
                                   "invite=" + util::url_encode(InvitationSite::token_of(link)) +
                                       "&password=" + util::url_encode(kPassword) +
                                       "&confirm=" + util::url_encode(kPassword));
    REQUIRE_MESSAGE(accepted->status == 303, accepted->body);
    CHECK(accepted->get_header_value("Location") == "/organizations/acme/");
    const std::string ada = InvitationSite::session_of(*accepted);
    CHECK(site.get("/organizations/acme/", ada)->status == 200);
    CHECK(site.state_of("ada@example.com") == core::MemberState::active);
}

TEST_CASE("a used invitation link says so and cannot set the password again") {
    InvitationSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada@example.com");
    const std::string link = site.newest_link();
    const std::string token = InvitationSite::token_of(link);
    REQUIRE(site.choose_password(token, kPassword).rfind("303", 0) == 0);
    auto again = site.get(link);
    CHECK(again->status == 410);
    CHECK(contains(again->body, "already used"));
    const std::string second = site.choose_password(token, "a different long password");
    CHECK(second.rfind("410", 0) == 0);
}

TEST_CASE("a link that is not valid gets a page that says so and names nobody") {
    InvitationSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada@example.com");
    auto bad = site.get("/auth/login/acme/?invite=not-a-real-token");
    CHECK(bad->status == 404);
    CHECK(contains(bad->body, "not valid"));
    CHECK_FALSE(contains(bad->body, "ada@example.com"));
    CHECK_FALSE(contains(bad->body, "<form method=\"post\""));
}

TEST_CASE("choosing a password through a link is refused from another site's Origin") {
    InvitationSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada@example.com");
    const std::string token = InvitationSite::token_of(site.newest_link());
    const std::string refused =
        site.choose_password(token, kPassword, {{"Origin", "https://evil.example"}});
    CHECK(refused.rfind("403", 0) == 0);
    CHECK(site.state_of("ada@example.com") == core::MemberState::invited);
}

TEST_CASE("two passwords that differ are refused and the invitation stays pending") {
    InvitationSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada@example.com");
    const std::string token = InvitationSite::token_of(site.newest_link());
    auto res = site.post_form("/auth/login/acme/invitation",
                              "invite=" + util::url_encode(token) + "&password=" +
                                  util::url_encode(kPassword) + "&confirm=something-else-long");
    CHECK(res->status == 422);
    CHECK(contains(res->body, "not the same"));
    CHECK(site.state_of("ada@example.com") == core::MemberState::invited);
}

TEST_CASE("the admin API lists, resends and revokes an invitation") {
    InvitationSite site;
    const std::string cookie = site.owner_cookie();
    site.invite(cookie, "ada@example.com");
    const std::string first = site.newest_link();
    auto listed = site.api("GET", "invitations", cookie);
    REQUIRE(listed->status == 200);
    const json invitations = json::parse(listed->body)["invitations"];
    REQUIRE(invitations.size() == 1);
    CHECK(invitations[0]["email"] == "ada@example.com");
    CHECK(invitations[0]["mail"]["state"] == "queued");
    const std::string id = invitations[0]["member_id"];

    auto resent = site.api("POST", "members/" + id + "/invitation", cookie);
    CHECK(resent->status == 201);
    const std::string second = site.newest_link();
    CHECK(second != first);
    CHECK(site.get(first)->status == 404);

    auto revoked = site.api("DELETE", "members/" + id + "/invitation", cookie);
    CHECK(revoked->status == 204);
    CHECK(site.get(second)->status == 404);
    auto none = site.api("DELETE", "members/" + id + "/invitation", cookie);
    CHECK(none->status == 404);
}
