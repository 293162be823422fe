// The invitation mail end to end: SCIM creates a user on the real gatehouse binary, the real
// SMTP sink (npm smtp-server) receives the invitation, and its link signs the member in.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "gatehouse/util/encoding.hpp"
#include "scim_gateway.hpp"
#include "support/smtp_sink.hpp"

using namespace gatehouse;
using namespace gatehouse::testing;

namespace {

constexpr const char* kBaseUrl = "http://gatehouse.test";
constexpr const char* kSender = "gatehouse@example.com";
const std::string kHostileName = "<img src=x onerror=alert(1)>";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

json scim_user(const std::string& email, const std::string& display_name) {
    return {{"schemas", {kScimUser}},
            {"userName", email},
            {"displayName", display_name},
            {"emails", {{{"value", email}, {"type", "work"}, {"primary", true}}}},
            {"active", true}};
}

// The path and query of the invitation link in a mail's text part.
std::string link_path(const ReceivedMail& mail) {
    const std::string prefix = std::string(kBaseUrl) + "/auth/login/acme/?invite=";
    const auto at = mail.text.find(prefix);
    REQUIRE_MESSAGE(at != std::string::npos, mail.text);
    const auto end = mail.text.find_first_of(" \r\n", at);
    return mail.text.substr(at + std::string(kBaseUrl).size(),
                            end - at - std::string(kBaseUrl).size());
}

// The HTML part as a mail client reads its attribute values: mstch escapes '/', '=' and '&'
// as character references, which stand for the same characters inside an href.
std::string html_attribute_text(std::string html) {
    const std::pair<std::string_view, std::string_view> references[] = {
        {"&#x2F;", "/"}, {"&#x3D;", "="}, {"&#x60;", "`"}, {"&quot;", "\""}, {"&amp;", "&"}};
    for (const auto& [reference, character] : references) {
        for (auto at = html.find(reference); at != std::string::npos;
             at = html.find(reference, at + character.size())) {
            html.replace(at, reference.size(), character);
        }
    }
    return html;
}

struct MailedGateway {
    SmtpSink sink;
    ScimGateway gateway{{"--base-url", kBaseUrl, "--smtp-url", sink.url(), "--smtp-from", kSender}};

    ReceivedMail only_mail() {
        auto mails = sink.wait_for_messages(1, std::chrono::seconds(30));
        REQUIRE(mails.size() == 1);
        return mails[0];
    }
};

}  // namespace

TEST_CASE("a user SCIM creates receives an invitation mail with the org's name and a link") {
    MailedGateway site;
    auto created = site.gateway.post("/Users", scim_user("ada@example.com", "Ada Lovelace"));
    REQUIRE(created.status == 201);
    const ReceivedMail mail = site.only_mail();
    CHECK(contains(mail.header("To"), "ada@example.com"));
    CHECK(contains(mail.header("From"), kSender));
    CHECK(mail.subject() == "Your invitation to acme");
    CHECK(contains(mail.text, "your identity provider"));
    CHECK(contains(mail.text, "Ada Lovelace"));
    CHECK(contains(mail.html, "your identity provider"));
    const std::string path = link_path(mail);
    CHECK(
        contains(html_attribute_text(mail.html), "href=\"" + std::string(kBaseUrl) + path + "\""));
}

TEST_CASE("a display name with markup arrives escaped in the invitation's HTML part") {
    MailedGateway site;
    REQUIRE(site.gateway.post("/Users", scim_user("eve@example.com", kHostileName)).status == 201);
    const ReceivedMail mail = site.only_mail();
    CHECK_FALSE(contains(mail.html, kHostileName));
    CHECK(contains(mail.html, "&lt;img src=x onerror=alert(1)&gt;"));
    CHECK(contains(mail.text, kHostileName));
}

TEST_CASE("following the mailed link and choosing a password makes the SCIM member active") {
    MailedGateway site;
    auto created = site.gateway.post("/Users", scim_user("ada@example.com", "Ada Lovelace"));
    REQUIRE(created.status == 201);
    const std::string id = created.body["id"];
    const std::string path = link_path(site.only_mail());

    httplib::Client client("127.0.0.1", site.gateway.server->port());
    auto landing = client.Get(path);
    REQUIRE(landing);
    REQUIRE(landing->status == 200);
    CHECK(contains(landing->body, "ada@example.com"));

    const std::string token = path.substr(path.find("invite=") + 7);
    const std::string password = "correct horse battery staple";
    auto accepted = client.Post("/auth/login/acme/invitation",
                                "invite=" + util::url_encode(token) +
                                    "&password=" + util::url_encode(password) +
                                    "&confirm=" + util::url_encode(password),
                                "application/x-www-form-urlencoded");
    REQUIRE(accepted);
    REQUIRE_MESSAGE(accepted->status == 303, accepted->body);
    CHECK(accepted->get_header_value("Location") == "/organizations/acme/");

    // SCIM reads invited and active alike as active: the store tells them apart.
    auto opened = store::open_sqlite_store(site.gateway.db);
    REQUIRE(opened.ok());
    REQUIRE((*opened)->read([&](store::Transaction& tx) -> Status {
        const auto org = tx.org_by_slug("acme");
        const auto member = tx.member_by_public_id(org->id, id);
        REQUIRE(member.has_value());
        CHECK(member->state == core::MemberState::active);
        return {};
    }));
    auto again = client.Get(path);
    REQUIRE(again);
    CHECK(again->status == 410);
}

TEST_CASE("a user SCIM creates inactive receives no invitation") {
    MailedGateway site;
    auto inactive = scim_user("off@example.com", "Off Line");
    inactive["active"] = false;
    REQUIRE(site.gateway.post("/Users", inactive).status == 201);
    REQUIRE(site.gateway.post("/Users", scim_user("on@example.com", "On Line")).status == 201);
    const ReceivedMail mail = site.only_mail();
    CHECK(contains(mail.header("To"), "on@example.com"));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(site.sink.messages().size() == 1);
}
